/**
 * A child process that writes the credentials file with the engine's own CredentialsFile, for the
 * fault tests (bundled by fault-build.ts). Lines on stdout are written synchronously (fd 1 is a
 * pipe), so whatever the parent reads was printed before a SIGKILL, never lost with it. Its file
 * calls are made as the command makes them (directly, fs-calls.ts); the engine child's and the
 * in-process suites' go through the thread pool, as the tray app's do.
 *
 *   loop <file> <k>   writes versions k, k+1, ... forever; prints "ready", then "done <k> <ms>" after each
 *   once <file> <k>   writes version k; prints {"ok":true} or {"error":{code,message}}
 *   hold <file> <k>   writes version k but stops just before the rename, holding the lock; prints "holding"
 *   check <file> <k>  checks, without writing, that version k could be written (what a refresh checks before
 *                     sending a code); prints {"ok":true} or {"error":{code,message}}
 */
import { writeSync } from 'node:fs';
import { isMfaTrayError } from '../../main/common/errors';
import { CredentialsFile } from '../../main/engine/files/credentials-file';
import { callsForCommand } from '../../main/engine/files/fs-calls';
import { versionSection, versionSession } from './fault-versions';

const [mode, path, first] = process.argv.slice(2);
if (!mode || !path || first === undefined) throw new Error('usage: fault-writer-child loop|once|hold <file> <version>');
const start = Number(first);
callsForCommand('refresh');

function say(line: string): void {
  writeSync(1, `${line}\n`);
}

if (mode === 'loop') {
  const file = new CredentialsFile({ path });
  say('ready');
  for (let k = start; ; k += 1) {
    const began = performance.now();
    await file.writeSession(versionSection(k), versionSession(k));
    say(`done ${k} ${(performance.now() - began).toFixed(1)}`);
  }
} else if (mode === 'once' || mode === 'check') {
  try {
    const file = new CredentialsFile({ path });
    await (mode === 'check' ? file.assertWritable(versionSection(start)) : file.writeSession(versionSection(start), versionSession(start)));
    say(JSON.stringify({ ok: true }));
  } catch (error) {
    say(JSON.stringify({ error: isMfaTrayError(error) ? { code: error.code, message: error.message } : { code: 'unexpected', message: String(error) } }));
  }
} else if (mode === 'hold') {
  const file = new CredentialsFile({
    path,
    atomic: {
      beforeRename: () => {
        say('holding');
        return new Promise<void>(() => undefined);
      },
    },
  });
  // Keeps the event loop alive while the hook waits (its promise holds no timer).
  setInterval(() => undefined, 60_000);
  await file.writeSession(versionSection(start), versionSession(start));
} else {
  throw new Error(`unknown mode ${mode}`);
}
