/**
 * The launcher's fast path, bundled on its own as CommonJS (app/dist/cli-fast.cjs) for
 * bin/mfa-tray.js: `credential-process <profile>` with a fresh cached session is answered here,
 * before Node's ES module loader or any other part of the command is loaded (see cached-session.ts).
 * Otherwise the launcher loads the whole command (cli.cjs) and hands it what this found.
 */
import { writeSync } from 'node:fs';
import { callsForCommand } from '../engine/fast-path';
import { cachedSessionProfile, serveFreshCachedSession } from './cached-session';
import type { FastPathHandoff } from './main';

/** Served (the JSON is written), or what the whole command should carry on from (nothing: start afresh). */
export type FastPathOutcome = { readonly served: true } | { readonly served: false; readonly handoff?: FastPathHandoff };

/**
 * Standard output written straight to its file descriptor: process.stdout is a stream, and creating
 * it loads Node's streams (~3 ms here). A reader that has gone (EPIPE) is not a failure, as in
 * main.ts; a pipe that is full and non-blocking takes the rest through process.stdout after all.
 */
const stdout = {
  write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(1, bytes, written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      process.stdout.write(bytes.subarray(written));
    }
  },
};

export async function tryFastPath(argv: readonly string[]): Promise<FastPathOutcome> {
  const profile = cachedSessionProfile(argv);
  if (profile === undefined) return { served: false };
  callsForCommand(argv[0]);
  const outcome = await serveFreshCachedSession(profile, process.env, stdout);
  return outcome.served ? outcome : { served: false, handoff: { name: profile, lookup: outcome.lookup } };
}
