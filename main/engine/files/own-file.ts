/**
 * Reading a file that only this user (or root) could have written, for a secret served on trust:
 * `credential-process` hands the session in the credentials file to every AWS command, so a file
 * another user could have put there must not be served (their keys would route the user's commands
 * into their account). The rule is OpenSSH's StrictModes: the file is ours and writable by no one
 * else, and so is every folder above it (owned by us or root, and not writable by group or others
 * unless sticky, as /tmp is). Written by hand: Node has no such check and no small library does
 * this one thing.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/**
 * The content of `path` when it is a regular file owned by this user, writable by no one else, in
 * folders no one else could change; otherwise undefined (also when it is missing or unreadable, and
 * on Windows, which has no owner bits to check). Synchronous: the caller has nothing else to do
 * meanwhile, and a new process's first asynchronous file call costs more.
 */
export function readOwnFile(path: string): Buffer | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let fd: number;
  try {
    // O_NONBLOCK: a named pipe at the path opens at once (and is refused below) instead of blocking.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.uid !== uid || (info.mode & GROUP_OR_OTHER_WRITE) !== 0) return undefined;
    for (let folder = dirname(realpathSync.native(path)); ; folder = dirname(folder)) {
      const above = statSync(folder);
      if ((above.uid !== uid && above.uid !== 0) || ((above.mode & GROUP_OR_OTHER_WRITE) !== 0 && (above.mode & STICKY) === 0)) return undefined;
      if (dirname(folder) === folder) break;
    }
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
