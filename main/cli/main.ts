/**
 * Entry point of the command `mfa-tray` (bundled to app/dist/cli.mjs; bin/mfa-tray.js loads it).
 *
 * Everything is imported on demand: `credential-process <profile>` runs before every AWS command,
 * and with a fresh cached session it is answered by cached-session.ts alone, without loading the
 * engine or the other commands.
 */
import { commandModeArgs } from '../common/command-mode';
import type { CachedLookup } from './context';

// `mfa-tray status | head -1`: a closed pipe is not a failure worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// Started as `node cli.mjs <args>` (bin/mfa-tray.js), or as the packaged app in command mode.
const commandMode = commandModeArgs(process.argv);
const argv = commandMode ?? process.argv.slice(2);

async function main(): Promise<number> {
  const [command, profile, ...rest] = argv;
  let cachedLookup: CachedLookup | undefined;
  if (command === 'credential-process' && profile !== undefined && !profile.startsWith('-') && rest.length === 0) {
    const { serveFreshCachedSession } = await import('./cached-session');
    const outcome = await serveFreshCachedSession(profile, process.env, process.stdout);
    if (outcome.served) return 0;
    cachedLookup = { name: profile, lookup: outcome.lookup };
  }
  const [{ CliContext }, { run }] = await Promise.all([import('./context'), import('./run')]);
  return run(argv, new CliContext(process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, cachedLookup));
}

process.exitCode = await main();
if (commandMode !== undefined) {
  // The app's process does not end when nothing is left to do (Electron keeps running): end it,
  // once what was written has left.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(process.exitCode);
}
