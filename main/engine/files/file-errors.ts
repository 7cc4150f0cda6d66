/** File system failures in plain words, shared by every module that reads or writes a file. */
import { MfaTrayError, type ErrorCode } from '../../common/errors';

/** Whether a file system error means "no such file or folder". */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

const reasons: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file size limit was reached',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  EISDIR: 'the path is a folder',
  ENOENT: 'it, or a folder on its path, does not exist',
  ENAMETOOLONG: 'a name in the path is too long',
  EIO: 'the disk or the network file system reported an input/output error',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EBUSY: 'the file is busy',
  ESTALE: 'the network file system lost the file (a stale handle)',
  // Node's own: a file of gigabytes where a small text file belongs.
  ERR_STRING_TOO_LONG: 'the file is too large to read',
  ERR_FS_FILE_TOO_LARGE: 'the file is too large to read',
};

/** The system's words for an error without words here: "EXDEV: cross-device link not permitted, rename …" → its middle. */
function systemWords(error: unknown, errno: string): string {
  const message = error instanceof Error ? error.message : '';
  const prefix = `${errno}: `;
  return (message.startsWith(prefix) && message.slice(prefix.length).split(',')[0]?.trim()) || errno;
}

/** Wraps a file system error with what was being done and why it failed, in plain words. */
export function fileError(code: ErrorCode, doing: string, error: unknown): MfaTrayError {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  const why =
    errno === 'ENOTREG' && typeof kind === 'string'
      ? `it is ${kind}, not a regular file`
      : ((errno && reasons[errno]) ?? (errno ? systemWords(error, errno) : error instanceof Error ? error.message : String(error)));
  return new MfaTrayError(code, `${doing}: ${why}. Nothing was changed.`, { cause: error });
}
