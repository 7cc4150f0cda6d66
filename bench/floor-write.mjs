#!/usr/bin/env node
// The floor row 3's cold write is measured against (bench/run.mjs): the least a Node program can do
// to put a session into one section of a credentials file and keep it there through a power cut,
// in a fresh process, the call alone timed. It reads the file, swaps the section's text for the new
// keys by searching for the section's header (no INI parser, no checks), writes the whole text to a
// new file beside it, fsyncs it, renames it over the file and fsyncs the folder. What MFA Tray does
// besides (the lock, the re-read before the rename, the parser that keeps comments and odd lines,
// the checks of the file) is what the ratio shows.
//
// With `sync`, the same with Node's synchronous calls: no thread pool, no promise between two steps.
//
//   node bench/floor-write.mjs '{ "path": …, "section": …, "session": {…}, "sync": false }'
//
// Prints { coldMs } as JSON.
import * as fs from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** The text with the section's body replaced by the session's three keys (the section must be there). */
function edited(text, path, section, session) {
  const start = text.indexOf(`[${section}]\n`);
  if (start < 0) throw new Error(`no section [${section}] in ${path}`);
  const next = text.indexOf('\n[', start + 1);
  const end = next < 0 ? text.length : next + 1;
  const body = `[${section}]\naws_access_key_id = ${session.accessKeyId}\naws_secret_access_key = ${session.secretAccessKey}\naws_session_token = ${session.sessionToken}\n\n`;
  return text.slice(0, start) + body + text.slice(end);
}

async function writeAsync(path, section, session) {
  const next = edited(await readFile(path, 'utf8'), path, section, session);
  const temp = `${path}.floor.tmp`;
  const file = await open(temp, 'wx', 0o600);
  try {
    await file.writeFile(next);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

function writeSync(path, section, session) {
  const next = edited(fs.readFileSync(path, 'utf8'), path, section, session);
  const temp = `${path}.floor.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, next);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, path);
  const folder = fs.openSync(dirname(path), 'r');
  try {
    fs.fsyncSync(folder);
  } finally {
    fs.closeSync(folder);
  }
}

/**
 * The floor's write of `session` into `section` of the file at `path`, with Node's promises (or its
 * synchronous calls, with `sync`): for bench/floor-refresh.mjs too. @returns how long it took, in ms.
 */
export async function floorWrite({ path, section, session, sync = false }) {
  const t0 = performance.now();
  if (sync) writeSync(path, section, session);
  else await writeAsync(path, section, session);
  return performance.now() - t0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const coldMs = await floorWrite(JSON.parse(process.argv.at(-1) ?? '{}'));
  process.stdout.write(`${JSON.stringify({ coldMs })}\n`);
}
