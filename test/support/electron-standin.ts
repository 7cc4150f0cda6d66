/**
 * A stand-in for Electron's binary, for packing the app here (Electron's own binary cannot be
 * downloaded): electron-builder's `electronDist` takes a folder with an `electron` executable, and
 * @electron/fuses finds the fuse wire by its sentinel in that file. The stand-in is a shell script
 * whose comment line carries the sentinel and a wire of 8 fuses in Electron's defaults; its body
 * runs the packed app with Node (electron-standin/runner.mjs).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @electron/fuses' sentinel: the fuse wire follows it (version byte, length byte, one byte per fuse). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/**
 * Electron's own defaults, by FuseV1Options index: RunAsNode on, cookie encryption off, NODE_OPTIONS
 * on, --inspect on, asar integrity off, only-from-asar off, browser V8 snapshot off, file:// extra
 * privileges on. ('1' enabled, '0' disabled.)
 */
export const ELECTRON_DEFAULT_FUSES = '10110001';

const RUNNER = fileURLToPath(new URL('electron-standin/runner.mjs', import.meta.url));

/** Writes `<dir>/electron` and returns `dir`, the value for electron-builder's `electronDist`. */
export function makeStandinElectron(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
    Buffer.from(ELECTRON_DEFAULT_FUSES, 'latin1'),
  ]);
  const script = Buffer.concat([
    Buffer.from('#!/bin/sh\n# MFA Tray tests: a stand-in for the Electron binary. Fuse wire: ', 'latin1'),
    wire,
    Buffer.from(`\nexec ${shellQuote(process.execPath)} ${shellQuote(RUNNER)} "$0" "$@"\n`, 'utf8'),
  ]);
  const file = join(dir, 'electron');
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return dir;
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
