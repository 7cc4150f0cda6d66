/**
 * Atomic, locked, re-checked file updates: the one way the engine writes a file.
 *
 * Written by hand because no maintained library does the whole job: `write-file-atomic` renames a
 * temp file into place but neither locks against other writers nor re-reads the target just before
 * the rename, and both matter here: the tray app and the command may write the credentials file at
 * once (serialised by a lock, via `proper-lockfile`), and other tools (the AWS CLI, editors) do not
 * lock at all, so a change they make between our read and our rename must be re-applied, not lost.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { MfaTrayError, type ErrorCode } from '../common/errors';

/** Options for {@link updateFileAtomic}. */
export interface AtomicUpdateOptions {
  /** Mode of a file that does not exist yet (an existing file keeps its own). Default 0o600. */
  readonly newFileMode?: number;
  /** Mode of folders created for it. Default 0o700. */
  readonly newDirMode?: number;
  /** How long to wait for another writer's lock before giving up. Default 10 s. */
  readonly lockTimeoutMs?: number;
  /** Error code for failures (so callers report "credentials-file" or "settings-file"). */
  readonly errorCode?: ErrorCode;
  /** What the file is, for messages ("credentials file"). */
  readonly description?: string;
}

/**
 * The result of an update function: the new content, or `undefined` to leave the file untouched.
 */
export type Updater = (current: Buffer | undefined) => Buffer | undefined;

const MAX_REAPPLY = 5;

/**
 * Resolves symlinks (also dangling ones and chains) to the real file the content lives in, so that
 * an update writes through a link to its target instead of replacing the link with a plain file.
 */
export async function resolveTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops += 1) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (isNotFound(error)) {
        // A missing file (or dangling link target): resolve its folder, which may itself be a link.
        try {
          return join(await realpath(dirname(current)), basename(current));
        } catch {
          return current;
        }
      }
      throw error;
    }
    if (!info.isSymbolicLink()) return realpath(current);
    const link = await readlink(current);
    current = isAbsolute(link) ? link : resolve(dirname(current), link);
  }
  throw new Error(`too many symbolic links at ${path}`);
}

/**
 * Reads, transforms and atomically replaces a file, under a lock shared with every other MFA Tray
 * process.
 *
 * Steps: lock; read; `update(current)`; write an exclusive temp file in the same folder; fsync it;
 * re-read the target and, if another program changed it meanwhile, re-apply `update` to that new
 * content; rename over the target; fsync the folder; unlock. A missing file and folder are created
 * (0600 / 0700); an existing file keeps its mode; a read-only file is refused. On any failure the
 * original is left exactly as it was and the temp file is removed.
 *
 * @returns whether the file was written.
 */
export async function updateFileAtomic(path: string, update: Updater, options: AtomicUpdateOptions = {}): Promise<boolean> {
  const code = options.errorCode ?? 'credentials-file';
  const what = options.description ?? 'file';
  const target = await resolveTarget(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: options.newDirMode ?? 0o700 }).catch((error: unknown) => {
    throw fileError(code, `Cannot create the folder ${dir} for the ${what}`, error);
  });

  const release = await acquireLock(target, options.lockTimeoutMs ?? 10_000, code, what);
  try {
    return await updateLocked(target, update, options, code, what);
  } finally {
    await release().catch(() => undefined);
  }
}

async function updateLocked(target: string, update: Updater, options: AtomicUpdateOptions, code: ErrorCode, what: string): Promise<boolean> {
  let current = await readIfExists(target, code, what);
  const existing = await stat(target).catch(() => undefined);
  if (existing && (existing.mode & 0o200) === 0) {
    throw new MfaTrayError(code, `The ${what} ${target} is read-only; it was left unchanged. Make it writable (chmod u+w) if MFA Tray should update it.`);
  }
  let next = update(current);
  if (next === undefined) return false;

  const mode = existing ? existing.mode & 0o7777 : options.newFileMode ?? 0o600;
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    for (let attempt = 0; ; attempt += 1) {
      await writeTemp(temp, next, mode, code, what);
      // Other tools do not lock: if the file changed since we read it, apply our change to theirs.
      const now = await readIfExists(target, code, what);
      if (sameContent(now, current)) break;
      if (attempt >= MAX_REAPPLY) {
        throw new MfaTrayError(code, `The ${what} ${target} kept changing while MFA Tray was writing it; it was left as the other program wrote it. Try again.`, { retryable: true });
      }
      current = now;
      next = update(current);
      if (next === undefined) {
        await rm(temp, { force: true });
        return false;
      }
    }
    await rename(temp, target).catch((error: unknown) => {
      throw fileError(code, `Cannot replace the ${what} ${target}`, error);
    });
    await fsyncDir(dirname(target));
    return true;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function writeTemp(temp: string, content: Buffer, mode: number, code: ErrorCode, what: string): Promise<void> {
  await rm(temp, { force: true });
  let handle;
  try {
    // O_EXCL: never write into a file someone else prepared at that name.
    handle = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
    await handle.writeFile(content);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle?.close().catch(() => undefined);
    handle = undefined;
    await rm(temp, { force: true }).catch(() => undefined);
    throw fileError(code, `Cannot write the ${what} (temporary copy in ${dirname(temp)})`, error);
  } finally {
    await handle?.close();
  }
}

async function readIfExists(path: string, code: ErrorCode, what: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw fileError(code, `Cannot read the ${what} ${path}`, error);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Not supported on every platform (Windows): best effort there.
  const handle = await open(dir, fsConstants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL/EPERM on file systems that cannot fsync a folder: the data itself is already synced.
  } finally {
    await handle.close();
  }
}

async function acquireLock(target: string, timeoutMs: number, code: ErrorCode, what: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}.lock`,
        // A crashed holder's lock is taken over after this long without its heartbeat.
        stale: 10_000,
        update: 2_000,
        retries: 0,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw fileError(code, `Cannot lock the ${what} ${target}`, error);
      }
      if (Date.now() >= deadline) {
        throw new MfaTrayError('lock-timeout', `Another MFA Tray process has been updating the ${what} ${target} for over ${Math.round(timeoutMs / 1000)} s; try again, or remove ${target}.lock if no MFA Tray is running.`, { retryable: true });
      }
      await new Promise((r) => setTimeout(r, 15 + Math.random() * 35));
    }
  }
}

/** Whether a file system error means "no such file or folder". */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function sameContent(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

const reasons: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file size limit was reached',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'the path is a folder',
};

/** Wraps a file system error with what was being done and why it failed, in plain words. */
export function fileError(code: ErrorCode, doing: string, error: unknown): MfaTrayError {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const why = (errno && reasons[errno]) ?? (errno ? errno : error instanceof Error ? error.message : String(error));
  return new MfaTrayError(code, `${doing}: ${why}. Nothing was changed.`, { cause: error });
}

/** `chmod` that ignores platforms without POSIX modes. */
export async function chmodIfPossible(path: string, mode: number): Promise<void> {
  await chmod(path, mode).catch(() => undefined);
}
