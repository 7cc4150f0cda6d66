/**
 * For the processes that run for days (`mfa-tray watch`, the tray app): V8 without its optimising
 * compilers (TurboFan, Maglev) and its baseline compiler (Sparkplug), from the moment this is
 * called. What these processes run is little and seldom (a re-read every 30 s, a refresh an hour):
 * interpreted, it costs them nothing a person notices, and the compilers' code (in V8's heap, and
 * the compilers themselves paged in from Node's executable) is ~4 MB of RSS they no longer hold,
 * nor grow as more functions turn hot over days (README's benchmark, rows 4 and 4b).
 *
 * Set at run time (`v8.setFlagsFromString`): `watch` cannot be started with Node's own flags (the
 * launcher is a script on PATH), and these three only stop V8 from compiling more; code already
 * compiled stays as it is. Node and Electron both start V8 with its flags left open to change. Regular
 * expressions and WebAssembly are still compiled. `--no-turbofan`, not its alias `--no-opt`, which
 * V8 marks as temporary (an unknown flag would be printed on stderr and change nothing).
 *
 * Under Node the command's loader calls it too, before compiling the bundle, for the commands in
 * {@link LEAN_COMMANDS}: V8's code cache is made and taken under the flags it was compiled with, so
 * `watch` must be compiled lean to keep its cache (code-cache.ts).
 */
import { createRequire } from 'node:module';
import type * as V8 from 'node:v8';

export const LEAN_V8_FLAGS = ['--no-turbofan', '--no-sparkplug', '--no-maglev'] as const;

/** The command words that run for days, and so run lean. */
export const LEAN_COMMANDS: ReadonlySet<string> = new Set(['watch']);

export function runLean(): void {
  // node:v8 is loaded here, not where this module is imported: loading it costs ~2 ms, and the
  // command's loader imports this module on every command's path. Any path resolves a built-in.
  const { setFlagsFromString } = createRequire(process.execPath)('node:v8') as typeof V8;
  for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}
