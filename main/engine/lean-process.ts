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
 * compiled stays valid. Called first, before the engine is created.
 */
import { setFlagsFromString } from 'node:v8';

export const LEAN_V8_FLAGS = ['--no-opt', '--no-sparkplug', '--no-maglev'] as const;

export function runLean(): void {
  for (const flag of LEAN_V8_FLAGS) setFlagsFromString(flag);
}
