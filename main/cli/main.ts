/**
 * Entry point of the command `mfa-tray` (bundled to app/dist/cli.cjs): started by bin/mfa-tray.js
 * (Node), or by the packaged app in its command mode (main/electron/main.ts).
 *
 * Everything is imported on demand: `credential-process <profile>` runs before every AWS command,
 * and with a fresh cached session it is answered by cached-session.ts alone, without loading the
 * engine or the other commands. Under Node, bin/mfa-tray.js has already tried that, from the
 * CommonJS bundle app/dist/cli-fast.cjs, and hands over what it found.
 */
import { adoptError } from '../common/errors';
import { commandModeArgs } from '../common/command-mode';
import { callsForCommand } from '../engine/fast-path';
import { cachedSessionProfile, type CachedSessionLookup } from './cached-session';
import type { CachedLookup } from './context';

/** What the launcher's fast path (fast-entry.ts) found when it could not answer. */
export interface FastPathHandoff {
  readonly name: string;
  /** Its lookup: made by another copy of the modules, so its errors are adopted (see adoptError). */
  readonly lookup: Promise<CachedSessionLookup>;
}

function quietOnClosedPipe(): void {
  // `mfa-tray status | head -1`: a closed pipe is not a failure worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
}

/**
 * Runs the command line `argv` (without node and the script); the exit status. `distDir`: where the
 * app's bundles are (the keychain and AWS helpers among them).
 */
async function run(argv: readonly string[], handoff: FastPathHandoff | undefined, distDir: string | undefined): Promise<number> {
  callsForCommand(argv[0]);
  let cachedLookup: CachedLookup | undefined;
  if (handoff) {
    const lookup = handoff.lookup.catch((error: unknown) => Promise.reject(adoptError(error)));
    lookup.catch(() => undefined); // taken by the command below; never an unhandled rejection here
    cachedLookup = { name: handoff.name, lookup };
  } else {
    const profile = cachedSessionProfile(argv);
    if (profile !== undefined) {
      const { serveFreshCachedSession } = await import('./cached-session');
      const outcome = await serveFreshCachedSession(profile, process.env, process.stdout);
      if (outcome.served) return 0;
      cachedLookup = { name: profile, lookup: outcome.lookup };
    }
  }
  const [{ CliContext }, { run: runCommand }] = await Promise.all([import('./context'), import('./run')]);
  return runCommand([...argv], new CliContext(process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }, cachedLookup, distDir));
}

/** `mfa-tray <args>` under Node (bin/mfa-tray.js), after its fast path, if it had one to hand over. */
export async function runFromLauncher(argv: readonly string[], handoff?: FastPathHandoff, distDir?: string): Promise<void> {
  quietOnClosedPipe();
  process.exitCode = await run(argv, handoff, distDir);
}

/** The packaged app started in command mode (`--mfa-tray-command -- <args>`). */
export async function runCommandMode(processArgv: readonly string[]): Promise<void> {
  quietOnClosedPipe();
  // No bundles' folder: Node's fork would start this app again (its binary cannot run as Node), so
  // `watch` here keeps keytar and the AWS SDK in its own process (context.ts).
  process.exitCode = await run(commandModeArgs(processArgv) ?? [], undefined, undefined);
  // The app's process does not end when nothing is left to do (Electron keeps running): end it,
  // once what was written has left.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(process.exitCode);
}
