/**
 * Entry point of the command `mfa-tray` (bundled to app/dist/cli.mjs; bin/mfa-tray.js loads it).
 */
import { CliContext } from './context';
import { run } from './run';

// `mfa-tray status | head -1`: a closed pipe is not a failure worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const ctx = new CliContext(process.env, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = await run(process.argv.slice(2), ctx);
