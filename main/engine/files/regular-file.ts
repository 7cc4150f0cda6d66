/**
 * Reading a file that must be a regular file: every file the engine reads (the credentials and
 * config files, the settings, the records) goes through here.
 *
 * A plain `readFile` follows whatever the path is: a named pipe blocks it for good (in libuv's
 * thread pool, where no timeout reaches), `/dev/zero` fills the memory, and a write that follows
 * would replace a device such as `/dev/null` with a file of session keys. The file is opened
 * non-blocking (so opening a pipe with no writer returns at once) and refused unless `fstat` says
 * it is a regular file; the content is then read from that same descriptor, so nothing can be
 * swapped in between the check and the read.
 */
import { constants, type Stats } from 'node:fs';
import { fsCalls } from './fs-calls';

/** What a path that is not a regular file is, in words: "a named pipe". */
export function fileKind(info: Stats): string {
  if (info.isFile()) return 'a regular file';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'something else';
}

/** The error for a path that is not a regular file; `code` is ENOTREG (ours, not an errno). */
export function notRegularFile(path: string, info: Stats): NodeJS.ErrnoException {
  const kind = fileKind(info);
  return Object.assign(new Error(`${path} is ${kind}`), { code: 'ENOTREG', kind, path });
}

/**
 * Opens `path`, which must be a regular file (after symlinks), for reading: its descriptor, which
 * the caller closes.
 *
 * @throws the file system's error (ENOENT for a missing file), or one with code ENOTREG.
 */
export async function openRegularFile(path: string): Promise<number> {
  const io = fsCalls();
  // O_NONBLOCK: does not exist on Windows, where there are no named pipes at file paths.
  const fd = await io.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await io.fstat(fd);
    if (!info.isFile()) throw notRegularFile(path, info);
    return fd;
  } catch (error) {
    await io.close(fd).catch(() => undefined);
    throw error;
  }
}

/**
 * The content of `path`, which must be a regular file (after symlinks).
 *
 * @throws the file system's error (ENOENT for a missing file), or one with code ENOTREG.
 */
export async function readRegularFile(path: string): Promise<Buffer> {
  const io = fsCalls();
  const fd = await openRegularFile(path);
  try {
    return await io.readFile(fd);
  } finally {
    await io.close(fd).catch(() => undefined);
  }
}
