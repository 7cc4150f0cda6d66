/**
 * Reading a file that only this user (or root) could have written, for a secret served on trust:
 * `credential-process` hands the session in the credentials file to every AWS command, so a file
 * another user could have put there must not be served (their keys would route the user's commands
 * into their account). The rule is close to OpenSSH's StrictModes: the file is ours and writable by
 * no one else, and so is every folder above it (owned by us or root, and not writable by group or
 * others; unlike OpenSSH, a sticky folder such as /tmp is allowed, since others cannot rename or
 * remove what is ours in it). Mode bits only: ACLs (macOS `chmod +a`) are not read. Written by
 * hand: Node has no such check and no small library does this one thing.
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
    // The folders are checked first, then the very path they lead to is opened without following a
    // link (a link swapped in since is refused): what is read is what was checked. The folders of
    // the path as given are checked too, when it is a link: whoever could change them could point it
    // elsewhere.
    const real = realpathSync.native(path);
    if (!foldersSafe(dirname(real), uid) || (real !== path && !foldersSafe(dirname(path), uid))) return undefined;
    // O_NONBLOCK: a named pipe at the path opens at once (and is refused below) instead of blocking.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || notOwnBecause(info, uid) !== undefined) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Why a file is not this user's (`uid`) alone, or undefined when it is: another user owns it
 * ('another-users'), or others may write it ('writable-by-others'). The rule {@link readOwnFile}
 * reads files by, and `doctor` reports MFA Tray's own files and folders by (it writes in them).
 */
export function notOwnBecause(info: { readonly uid: number; readonly mode: number }, uid: number): 'another-users' | 'writable-by-others' | undefined {
  if (info.uid !== uid) return 'another-users';
  return (info.mode & GROUP_OR_OTHER_WRITE) === 0 ? undefined : 'writable-by-others';
}

/**
 * Whether `folder` is one {@link readOwnFile} would read from: it and every folder above it owned by
 * this user or root and writable by no one else (unless sticky). False when it is missing, and on
 * Windows.
 */
export function isOwnFolder(folder: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return false;
  try {
    return foldersSafe(realpathSync.native(folder), uid);
  } catch {
    return false;
  }
}

/** Whether `folder` and every folder above it are owned by `uid` or root and writable by no one else (unless sticky). */
function foldersSafe(folder: string, uid: number): boolean {
  for (let at = folder; ; at = dirname(at)) {
    const info = statSync(at);
    if ((info.uid !== uid && info.uid !== 0) || ((info.mode & GROUP_OR_OTHER_WRITE) !== 0 && (info.mode & STICKY) === 0)) return false;
    if (dirname(at) === at) return true;
  }
}
