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
};

/** Wraps a file system error with what was being done and why it failed, in plain words. */
export function fileError(code: ErrorCode, doing: string, error: unknown): MfaTrayError {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const kind = (error as { kind?: unknown } | undefined)?.kind;
  const why =
    errno === 'ENOTREG' && typeof kind === 'string'
      ? `it is ${kind}, not a regular file`
      : ((errno && reasons[errno]) ?? (errno ? errno : error instanceof Error ? error.message : String(error)));
  return new MfaTrayError(code, `${doing}: ${why}. Nothing was changed.`, { cause: error });
}
