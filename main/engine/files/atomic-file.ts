/**
 * Atomic, locked, re-checked file updates: the one way the engine writes a file (the lock itself
 * is file-lock.ts).
 *
 * Written by hand because no maintained library does the whole job: `write-file-atomic` renames a
 * temp file into place but neither locks against other writers nor re-reads the target just before
 * the rename, and both matter here: the tray app and the command may write the credentials file at
 * once (serialised by a lock, via `proper-lockfile`), and other tools (the AWS CLI, editors) do not
 * lock at all, so a change they make between our read and our rename (or into the file our rename
 * replaces, as it is replaced) must be re-applied, not lost.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { MfaTrayError, type ErrorCode } from '../../common/errors';
import { fileError, isNotFound } from './file-errors';
import { acquireLock, waitedFor, type HeldLock } from './file-lock';
import { notRegularFile, openRegularFile } from './regular-file';
import { makeFolders } from './make-folders';
import { isMountPoint } from './mount-point';
import { fsCalls } from './fs-calls';
import { absoluteAsOpened, joinAsOpened } from './paths';

/**
 * A temp file's name part: 12 hex digits from Math.random. What makes the temp file ours is O_EXCL
 * (a file someone else prepared is never opened); the name only has to differ from other writers',
 * which the process id beside it and 48 random bits do. Not from a cryptographic source: node:crypto
 * is not imported here (the settings reader shares this module with credential-process's cached
 * path, where loading it costs ~5 ms), and Web Crypto's first use cost a fresh process's write
 * ~3 ms (~1 ms with node:crypto loaded), for no safety this name needs.
 */
function tempNamePart(): string {
  return Math.floor(Math.random() * 2 ** 48)
    .toString(16)
    .padStart(12, '0');
}

/** Options for {@link updateFileAtomic}. */
export interface AtomicUpdateOptions {
  /** Mode of a file that does not exist yet (an existing file keeps its own). Default 0o600. */
  readonly newFileMode?: number;
  /** Mode of folders created for it. Default 0o700. */
  readonly newDirMode?: number;
  /** How long to wait for another writer's lock before giving up. Default 15 s ({@link DEFAULT_LOCK_TIMEOUT_MS}). */
  readonly lockTimeoutMs?: number;
  /** Error code for failures (so callers report "credentials-file" or "settings-file"). */
  readonly errorCode?: ErrorCode;
  /** What the file is, for messages ("credentials file"). */
  readonly description?: string;
  /**
   * Test hook: runs after the new content is in the synced temp file and before the target is
   * re-read and replaced, once per attempt (`attempt` counts from 0). Tests use it to play another
   * program that rewrites the file at the worst moment.
   */
  readonly beforeRename?: (attempt: number) => void | Promise<void>;
  /**
   * Test hook: runs after the last look at the target found it as expected and just before the
   * rename, once per attempt. Tests use it to play another program that rewrites the file in place
   * in that moment, or has opened it to do so.
   */
  readonly afterLastLook?: (attempt: number) => void | Promise<void>;
}

/**
 * An update function: given the current content (`undefined` when the file does not exist), the
 * new content, or `undefined` to leave the file untouched.
 *
 * It may be called more than once per update (again on the content another program wrote meanwhile),
 * so it must be pure: no side effects, the same output for the same input. Whatever it throws
 * aborts the update with the file untouched.
 */
export type Updater = (current: Buffer | undefined) => Buffer | undefined;

/** How often to re-apply the update when other programs keep rewriting the file under us. */
const MAX_REAPPLY = 5;

/**
 * How long to wait for another writer's lock. Above proper-lockfile's 10 s staleness on purpose: a
 * writer killed while holding the lock (its lock may be dated up to 1 s ahead) is taken over in time.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

// Node ignores SIGXFSZ so that a write past the file-size limit fails with EFBIG, but the
// signal-exit package under proper-lockfile re-raises it and kills the process mid-write. An
// explicit handler keeps the clean EFBIG error (and the original file intact).
if (process.platform !== 'win32') process.on('SIGXFSZ', () => undefined);

/**
 * Resolves symlinks (also dangling ones and chains) to the real file the content lives in, so that
 * an update writes through a link to its target instead of replacing the link with a plain file.
 */
export async function resolveTarget(path: string): Promise<string> {
  const io = fsCalls();
  let current = absoluteAsOpened(path);
  // 40 links followed, as Linux follows at most (MAXSYMLINKS), and the file they lead to.
  for (let hops = 0; hops <= 40; hops += 1) {
    let info;
    try {
      info = await io.lstat(current);
    } catch (error) {
      if (isNotFound(error)) {
        // A missing file (or dangling link target): resolve its folder, which may itself be a link.
        try {
          return join(await io.realpath(dirname(current)), basename(current));
        } catch {
          return current;
        }
      }
      throw error;
    }
    if (!info.isSymbolicLink()) return io.realpath(current);
    const link = await io.readlink(current);
    // Relative to the folder the link is really in, as the kernel resolves it: by text alone, `..`
    // in a link inside a linked folder would lead somewhere else.
    current = isAbsolute(link) ? link : joinAsOpened(await io.realpath(dirname(current)).catch(() => dirname(current)), link);
  }
  throw Object.assign(new Error(`too many symbolic links at ${path}`), { code: 'ELOOP' });
}

/**
 * Why this process must not replace the file `info` describes at `path`, or undefined. 'read-only':
 * its owner may not write it (the user's own way of saying "leave it alone"). 'another-users': it
 * belongs to another user and this one may not write it; the folder may still let us rename our
 * copy over it, which would take the file from its owner (as root may write any file, this never
 * applies to root). Shared by the check before a code is sent and the write itself.
 */
export async function whyNotWritable(path: string, info: Stats): Promise<NotWritable | undefined> {
  if ((info.mode & 0o200) === 0) return 'read-only';
  const refused = await fsCalls()
    .access(path, fsConstants.W_OK)
    .then(
      () => undefined,
      (error: unknown) => (error as NodeJS.ErrnoException).code ?? 'EACCES',
    );
  if (refused === undefined) return undefined;
  // Only another owner makes it another user's: a read-only file system, or a file marked
  // immutable (chattr +i; macOS's "Locked"), refuses its own owner, and root, too.
  if (refused === 'EROFS') return 'read-only-file-system';
  return typeof process.getuid === 'function' && info.uid !== process.getuid() ? 'another-users' : 'immutable';
}

/** Why a file may not be replaced ({@link whyNotWritable}; 'mount-point': {@link isMountPoint}). */
export type NotWritable = 'read-only' | 'another-users' | 'read-only-file-system' | 'immutable' | 'mount-point';

/** The words of {@link whyNotWritable}'s answer: "The <what> <path> <reason>", and what to do ("make it …"). */
export function notWritableWords(why: NotWritable, path: string): { readonly reason: string; readonly fix: string } {
  switch (why) {
    case 'read-only':
      return { reason: 'is read-only', fix: 'make it writable (chmod u+w) if MFA Tray should update it' };
    case 'another-users':
      return { reason: "is another user's and not writable by you", fix: `make it yours (sudo chown "$USER" ${path}) if MFA Tray should update it` };
    case 'read-only-file-system':
      return { reason: 'is on a read-only file system', fix: 'remount it read-write, or set AWS_SHARED_CREDENTIALS_FILE to a file elsewhere' };
    case 'immutable':
      return {
        reason: 'cannot be written (it is marked immutable or locked)',
        fix: `clear the mark (chattr -i ${path}; on macOS, chflags nouchg) if MFA Tray should update it`,
      };
    case 'mount-point':
      return {
        reason: 'is a mount point of its own (a file mounted alone, as into a container), which cannot be replaced whole',
        fix: `mount the folder that holds it instead (docker run -v ~/.aws:/root/.aws …), or set AWS_SHARED_CREDENTIALS_FILE to a file in a folder of its own`,
      };
  }
}

/** The error for a file that may not be replaced: "The <what> <path> <reason>; it was left unchanged. <Fix>." */
function notWritableError(why: NotWritable, target: string, code: ErrorCode, what: string): MfaTrayError {
  const { reason, fix } = notWritableWords(why, target);
  return new MfaTrayError(code, `The ${what} ${target} ${reason}; it was left unchanged. ${fix.charAt(0).toUpperCase()}${fix.slice(1)}.`);
}

/**
 * What is wrong when `path`, or the nearest folder on its path that is there, is a symlink (or a
 * chain of them) to something that does not exist, in the words of {@link CredentialsFile.unwritable}:
 * `reason` begins a sentence, `fix` (lower case) says what to do. Nothing is written through such a
 * link: the file, and the folders it would need, would be made where it leads, and for a link into
 * a volume that is not mounted (an encrypted folder, a USB stick) that is the plain disk beneath it.
 */
export async function danglingLink(path: string, what: string): Promise<{ readonly reason: string; readonly fix: string } | undefined> {
  const io = fsCalls();
  const file = absoluteAsOpened(path);
  // From the file up to the first thing on its path that is there: a missing file in a missing
  // folder is made with its folders, unless the first one there is a link that leads nowhere.
  for (let at = file; ; at = dirname(at)) {
    let info;
    try {
      info = await io.lstat(at);
    } catch (error) {
      if (isNotFound(error) && dirname(at) !== at) continue;
      return undefined; // not ours to judge: the write itself says what it is
    }
    if (!info.isSymbolicLink()) return undefined;
    const missing = await io.stat(at).then(
      () => false,
      (error: unknown) => isNotFound(error),
    );
    if (!missing) return undefined;
    const to = (await resolveTarget(at).catch(() => undefined)) ?? (await io.readlink(at));
    return at === file
      ? {
          reason: `The ${what} ${path} is a link to ${to}, which does not exist`,
          fix: `mount or restore ${to} (or create it, if it should be new), or replace the link with a file`,
        }
      : {
          reason: `The folder ${at} of the ${what} ${path} is a link to ${to}, which does not exist`,
          fix: `mount or restore ${to}, or replace the link with a folder`,
        };
  }
}

/** A problem as {@link danglingLink} gives it, with what came of it: "Reason; outcome. Fix." */
export function problemSentence(problem: { readonly reason: string; readonly fix: string }, outcome: string): string {
  return `${problem.reason}; ${outcome}. ${problem.fix.charAt(0).toUpperCase()}${problem.fix.slice(1)}.`;
}

/**
 * The updates of files made through one owner (the credentials file, the record of used codes),
 * written together when they come together: an update asked for while another of the same file is
 * being written waits, and all that waited are then made in one {@link updateFileAtomic} (one lock,
 * one temp file, one fsync, one rename) instead of one after another. `refresh --all` finishes
 * several profiles at once; their writes would otherwise queue on the lock.
 *
 * Nothing is weakened: each update is applied in the order asked, to the content the one before
 * left, inside the same locked read-modify-write, and is re-applied with the others if another
 * program changed the file meanwhile. One update that throws fails alone (its change is left out,
 * the others are written). When the write itself fails, each update is tried again alone, so that
 * each ends as it would have alone. The lock's timeout counts from when an update was asked for.
 */
export class FileUpdates {
  readonly #options: AtomicUpdateOptions;
  /** Per file: the updates waiting for the write in progress to end. */
  readonly #waiting = new Map<string, Array<Waiting>>();

  constructor(options: AtomicUpdateOptions) {
    this.#options = options;
  }

  /** {@link updateFileAtomic}, together with the other updates of `path` waiting at the same time. @returns whether this update changed the file. */
  update(path: string, update: Updater): Promise<boolean> {
    // The lock's timeout counts from now: time spent waiting behind another write is part of it.
    const deadline = performance.now() + (this.#options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    return new Promise((resolve, reject) => {
      const waiting = this.#waiting.get(path);
      if (waiting) {
        waiting.push({ update, deadline, resolve, reject });
        return;
      }
      this.#waiting.set(path, []);
      void this.#drain(path, [{ update, deadline, resolve, reject }]);
    });
  }

  /** Writes `first`, then whatever waited meanwhile, until nothing waits. */
  async #drain(path: string, first: readonly Waiting[]): Promise<void> {
    for (let batch = first; batch.length > 0;) {
      await this.#write(path, batch);
      batch = this.#waiting.get(path) ?? [];
      this.#waiting.set(path, []);
    }
    this.#waiting.delete(path);
  }

  async #write(path: string, batch: readonly Waiting[]): Promise<void> {
    // What each update gave, from the last time the batch was applied (it may be applied again).
    let outcomes: Array<{ readonly changed: boolean } | { readonly error: unknown }> = [];
    const lockTimeoutMs = Math.max(0, Math.min(...batch.map((w) => w.deadline)) - performance.now());
    try {
      await updateFileAtomic(
        path,
        (current) => {
          outcomes = [];
          let content = current;
          for (const { update } of batch) {
            try {
              const next = update(content);
              const changed = next !== undefined && (content === undefined || !next.equals(content));
              if (changed) content = next;
              outcomes.push({ changed });
            } catch (error) {
              outcomes.push({ error });
            }
          }
          return content === current ? undefined : content;
        },
        { ...this.#options, lockTimeoutMs },
      );
    } catch (error) {
      if (batch.length === 1) {
        (batch[0] as Waiting).reject(error);
        return;
      }
      // The write of the batch failed: each update is tried again alone, one after another, so that
      // each fails (or not) as it would have alone: one that changes nothing does not fail on a
      // read-only file, and a refused claim is refused with its own reason.
      for (const waiting of batch) await this.#write(path, [waiting]);
      return;
    }
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i];
      if (outcome && 'error' in outcome) waiting.reject(outcome.error);
      else waiting.resolve(outcome?.changed === true);
    });
  }
}

interface Waiting {
  readonly update: Updater;
  /** When (performance.now()) its wait for the lock ends. */
  readonly deadline: number;
  readonly resolve: (changed: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads, transforms and atomically replaces a file, under a lock shared with every other MFA Tray
 * process.
 *
 * Steps: lock; read; `update(current)`; write an exclusive temp file in the same folder; fsync it;
 * re-read the target and, if another program changed it meanwhile, start over from that new content;
 * rename over the target; read again the file the rename replaced and, if another program wrote
 * into it meanwhile (in place, having opened it just before the rename), start over from what it
 * wrote; fsync the folder; unlock. A missing file and folder are created
 * (0600 / 0700), but only when there is something to write; an existing file keeps its mode (and,
 * where permitted, its owner); a read-only file is refused. When the new content equals the old,
 * nothing is written. On any failure the original is left exactly as it was (or, after another
 * program wrote into the replaced file, as that program wrote it) and the temp file is removed; the
 * one exception: when applying the update again to such a program's version fails (a full disk),
 * the version with the update renamed into place before stays, and counts as written.
 *
 * @returns whether the file was written.
 */
export async function updateFileAtomic(path: string, update: Updater, options: AtomicUpdateOptions = {}): Promise<boolean> {
  const io = fsCalls();
  const code = options.errorCode ?? 'credentials-file';
  const what = options.description ?? 'file';
  const target = await resolveTarget(path).catch((error: unknown) => {
    throw fileError(code, `Cannot find the ${what} ${path}`, error);
  });
  // Also when there would be nothing to write here: the file the link leads to may hold what the
  // update removes (a session to forget), and "done" would claim what did not happen.
  const dangling = await danglingLink(path, what);
  if (dangling !== undefined) throw new MfaTrayError(code, problemSentence(dangling, 'nothing was changed'));
  // Before the lock: a device or pipe is refused, and no lock file is made beside it (/dev/null.lock).
  const info = await io.stat(target).catch(() => undefined);
  if (info && !info.isFile()) throw fileError(code, `Cannot read the ${what} ${target}`, notRegularFile(target, info));
  const dir = dirname(target);
  if (!(await exists(dir))) {
    // Nothing to lock against yet. Creating the folder only to find there is nothing to write would
    // leave a trace of a read-only operation (or of bad input) on disk.
    if (update(undefined) === undefined) return false;
    await makeFolders(dir, options.newDirMode ?? 0o700).catch((error: unknown) => {
      throw fileError(code, `Cannot create the folder ${dir} for the ${what}`, error);
    });
  }

  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const lock = await acquireLock(target, {
    timeoutMs,
    code,
    what,
    busy: () =>
      new MfaTrayError(
        'lock-timeout',
        `Another MFA Tray process has been updating the ${what} ${target} for over ${waitedFor(timeoutMs)}; try again, or remove ${target}.lock if no MFA Tray is running.`,
        { retryable: true },
      ),
  });
  try {
    await removeDeadWritersTemps(target);
    return await updateLocked(target, update, options, lock, code, what);
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function updateLocked(target: string, update: Updater, options: AtomicUpdateOptions, lock: HeldLock, code: ErrorCode, what: string): Promise<boolean> {
  const dir = dirname(target);
  const state: UpdateState = { wrote: false };
  try {
    return await updateAttempts(target, update, options, lock, code, what, state);
  } finally {
    // Makes the rename itself durable (also when a later attempt failed: a rename was made).
    if (state.wrote) await fsyncDir(dir);
  }
}

/** What {@link updateAttempts} has done so far: whether it renamed a new version into place. */
interface UpdateState {
  wrote: boolean;
}

async function updateAttempts(
  target: string,
  update: Updater,
  options: AtomicUpdateOptions,
  lock: HeldLock,
  code: ErrorCode,
  what: string,
  state: UpdateState,
): Promise<boolean> {
  const io = fsCalls();
  const dir = dirname(target);
  const keptChanging = (): MfaTrayError =>
    new MfaTrayError(code, `The ${what} ${target} kept changing while MFA Tray was writing it; it was left as the other program wrote it. Try again.`, {
      retryable: true,
    });
  // What the update is applied to, and what the target must still hold when we rename: the same,
  // but after another program wrote into the file our rename took off the path (below), when the
  // target holds ours and the update is applied to theirs.
  let base = await readSettled(target, code, what);
  let expected = base;
  // Whether the target holds our change, renamed into place by an attempt before this one.
  let oursIn = false;
  // Set when what another program wrote into the replaced file is to be put back as it is, and
  // this then thrown: the update refused it, or the program kept writing.
  let pending: { readonly error: unknown } | undefined;
  for (let attempt = 0; ; attempt += 1) {
    let next: Buffer | undefined = base;
    if (!pending) {
      try {
        next = update(base) ?? base;
      } catch (error) {
        if (!oursIn) throw error;
        pending = { error };
      }
    }
    if (next === undefined || sameContent(next, expected)) {
      if (pending) throw pending.error;
      return state.wrote;
    }
    const existing = await io.stat(target).catch(() => undefined);
    // Checked only now: an update with nothing to change must not fail on a read-only file.
    const why = existing && (await whyNotWritable(target, existing));
    if (why) throw notWritableError(why, target, code, what);

    const mode = existing ? existing.mode & 0o7777 : (options.newFileMode ?? 0o600);
    // A fresh random name per attempt, created with O_EXCL: never a file someone else prepared.
    const temp = join(dir, `.${basename(target)}.${process.pid}.${tempNamePart()}.tmp`);
    // Whether the temp file is this call's: one that was there already (O_EXCL refused it) is left alone.
    let ours = false;
    let look: Look | undefined;
    try {
      const written = await writeTemp(temp, next, mode, existing, code, what);
      ours = true;
      await options.beforeRename?.(attempt);
      // Other tools do not lock: if the file changed since we read it, apply our change to theirs.
      look = await lookSettled(target, code, what);
      if (!sameContent(look.content, expected)) {
        if (pending) throw pending.error;
        if (attempt >= MAX_REAPPLY) throw keptChanging();
        await io.rm(temp);
        ours = false;
        base = expected = look.content;
        oursIn = false;
        continue;
      }
      await options.afterLastLook?.(attempt);
      if (lock.compromised) {
        throw new MfaTrayError(
          code,
          `Lost the lock on the ${what} ${target} (this process stalled, or someone removed ${target}.lock); it was left unchanged. Try again.`,
          { retryable: true },
        );
      }
      const held = look;
      /** Closes the last look's file: what is written into it after this is not looked for. */
      const letGo = async (): Promise<void> => {
        if (held.fd !== undefined) await io.close(held.fd).catch(() => undefined);
        look = { content: held.content };
      };
      // Windows may refuse to replace a file that is open: there it is closed first.
      if (process.platform === 'win32') await letGo();
      await renameWithRetry(temp, target)
        .catch(async (error: unknown) => {
          // A network share may refuse to replace a file that is open (an SMB server: ETXTBSY,
          // EBUSY): tried once more with it closed.
          if (look?.fd === undefined || !['ETXTBSY', 'EBUSY', 'EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
          await letGo();
          await renameWithRetry(temp, target);
        })
        .catch(async (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'EBUSY' && (await isMountPoint(target))) throw notWritableError('mount-point', target, code, what);
          throw fileError(code, `Cannot replace the ${what} ${target}`, error);
        });
      ours = false;
      state.wrote = true;
      oursIn = !pending;
      if (written) ourLastWrite.set(target, { info: written, content: next });
      // A program that rewrites the file in place (see readSettled) and opened it after our look,
      // just before the rename, writes into the file the rename took off the path: its change
      // would be lost. It is taken from there, and ours applied to it again.
      const theirs = look.fd === undefined ? undefined : await writtenSince(look.fd, look.content ?? Buffer.alloc(0)).catch(() => undefined);
      if (theirs === undefined) {
        if (pending) throw pending.error;
        return true;
      }
      if (pending) {
        throw new MfaTrayError(
          code,
          `The ${what} ${target} kept changing while MFA Tray was writing it; another program wrote into it as it was replaced, and that change may be lost. Check the file, and try again.`,
          { retryable: true },
        );
      }
      // Given up on: theirs is put back as it is.
      if (attempt >= MAX_REAPPLY) pending = { error: keptChanging() };
      base = theirs;
      expected = next;
    } catch (error) {
      if (ours) await io.rm(temp).catch(() => undefined);
      // Our change is in the file, from the attempt before, and this one failed (a full disk, say)
      // applying it again to what another program wrote into the replaced file: ours stands, and
      // theirs is lost, as it would have been without that attempt.
      if (oursIn && !pending) return true;
      throw error;
    } finally {
      if (look?.fd !== undefined) await io.close(look.fd).catch(() => undefined);
    }
  }
}

/** The target as {@link lookSettled} read it: its content, and the descriptor it was read through (none when there is no file). */
interface Look {
  readonly content: Buffer | undefined;
  readonly fd?: number;
}

/**
 * Reads the target, waiting out another program's in-place rewrite.
 *
 * Tools that do not write atomically (`aws configure set`, many editors) truncate the file and then
 * write it. Read in between, the file is empty: taking that as its content, or as "unchanged" just
 * before our rename, would replace every other profile with our one section. An empty file that
 * was modified moments ago is therefore re-read until it has content or has stayed empty a while.
 *
 * Read while such a tool is still writing, the file is cut short, nearly always mid-line (seen in a
 * race test: the last section cut to "a", and every section after it lost). A read that does not
 * end its last line, of a file modified less than {@link TORN_QUIET_MS} ago, is likewise re-read
 * until it does, or the file has stayed as it is that long (a file that simply ends without a
 * newline). "Stayed as it is" is also timed on this process's own clock, for a file whose time is
 * ahead of it (a shared folder, a skewed VM). A cut that falls just after a newline is not told
 * from a whole file; the check of the content before our rename still catches a writer that
 * finishes before it. What this process renamed into place itself is taken at once (see
 * {@link ourLastWrite}): `refresh --all` or the tray app writing a file that ends without a newline
 * (as many editors save it) must not wait each time.
 */
async function readSettled(path: string, code: ErrorCode, what: string): Promise<Buffer | undefined> {
  const { content, fd } = await lookSettled(path, code, what);
  if (fd !== undefined)
    await fsCalls()
      .close(fd)
      .catch(() => undefined);
  return content;
}

/** {@link readSettled}, keeping open the descriptor the content was read through: the caller closes it. */
async function lookSettled(path: string, code: ErrorCode, what: string): Promise<Look> {
  const io = fsCalls();
  let fd: number | undefined;
  try {
    const content = await settle(
      async () => {
        if (fd !== undefined) await io.close(fd).catch(() => undefined);
        fd = undefined;
        try {
          fd = await openRegularFile(path);
          return await io.readFile(fd);
        } catch (error) {
          if (isNotFound(error)) return undefined;
          throw fileError(code, `Cannot read the ${what} ${path}`, error);
        }
      },
      () => (fd === undefined ? Promise.resolve(undefined) : io.fstat(fd)),
      (content, info) => isOurLastWrite(path, content, info),
    );
    const held = fd;
    fd = undefined;
    return held === undefined ? { content } : { content, fd: held };
  } finally {
    if (fd !== undefined) await io.close(fd).catch(() => undefined);
  }
}

/**
 * What another program wrote into the file open at `fd` since `seen` was read from it (waited out
 * as {@link readSettled} waits), or undefined when it still holds `seen`, or nothing.
 */
async function writtenSince(fd: number, seen: Buffer): Promise<Buffer | undefined> {
  const io = fsCalls();
  if ((await readWhole(fd)).equals(seen)) return undefined;
  const now = await settle(
    () => readWhole(fd),
    () => io.fstat(fd),
    () => false,
  );
  // Still empty after the wait: a program that truncated the file and has not written it yet (or
  // never will). Not taken for its version: applied to nothing, ours would be all the file holds.
  return now.length === 0 || now.equals(seen) ? undefined : now;
}

/**
 * The content `read` gives once it has settled ({@link readSettled}): re-read while it is empty or
 * does not end its last line and the file (`stat`) was modified moments ago. `taken` says a content
 * is to be taken at once (this process's own last write).
 */
async function settle<T extends Buffer | undefined>(
  read: () => Promise<T>,
  stat: () => Promise<Stats | undefined>,
  taken: (content: Buffer, info: Stats) => boolean,
): Promise<T> {
  const began = performance.now();
  let seen: Stats | undefined;
  let unchangedSince = began;
  for (;;) {
    const content = await read();
    if (content === undefined || content.at(-1) === 0x0a) return content;
    const info = await stat().catch(() => undefined);
    if (!info || taken(content, info)) return content;
    const now = performance.now();
    if (seen === undefined || !sameVersion(seen, info)) {
      seen = info;
      unchangedSince = now;
    }
    const quiet = content.length === 0 ? EMPTY_QUIET_MS : TORN_QUIET_MS;
    if (Date.now() - info.mtimeMs >= quiet || now - unchangedSince >= quiet || now - began >= EMPTY_QUIET_MS) return content;
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
  }
}

/** The whole content of the file open at `fd`, from its start, wherever the descriptor's position is. */
async function readWhole(fd: number): Promise<Buffer> {
  const io = fsCalls();
  let buffer = Buffer.allocUnsafe((await io.fstat(fd)).size + 4096);
  for (let length = 0; ;) {
    if (length === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]);
    const read = await io.read(fd, buffer, length, buffer.length - length, length);
    if (read === 0) return buffer.subarray(0, length);
    length += read;
  }
}

/** How long an empty file must have stayed empty to be taken as empty; also the longest {@link readSettled} waits. */
const EMPTY_QUIET_MS = 2_000;
/** How long a file that does not end its last line must have stayed unchanged to be taken as whole. */
const TORN_QUIET_MS = 250;
const SETTLE_POLL_MS = 25;

/**
 * Per target, the file this process last renamed into place: its inode, size and modification time,
 * and its content (a few KB): on a file system whose times are whole seconds, another program's
 * rewrite of the same inode, read half-way, can have our size and our second.
 */
const ourLastWrite = new Map<string, { readonly info: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>; readonly content: Buffer }>();

function sameVersion(a: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>, b: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Whether `content` and `info` are of the file this process last renamed onto `target`, untouched since. */
function isOurLastWrite(target: string, content: Buffer, info: Stats): boolean {
  const ours = ourLastWrite.get(target);
  return ours !== undefined && sameVersion(ours.info, info) && ours.content.equals(content);
}

/**
 * Removes temp files left by writers that were killed mid-write. Called with the lock held, when no
 * live MFA Tray writer can own one; each is a full copy of the file, so they must not pile up.
 */
async function removeDeadWritersTemps(target: string): Promise<void> {
  const io = fsCalls();
  const dir = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
  const names = await io.readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (pattern.test(name)) await io.rm(join(dir, name)).catch(() => undefined);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function writeTemp(temp: string, content: Buffer, mode: number, existing: Stats | undefined, code: ErrorCode, what: string): Promise<Stats | undefined> {
  const io = fsCalls();
  let fd: number | undefined;
  try {
    // Created owner-only; the final mode is set once the content is in.
    fd = await io.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
    await io.writeFile(fd, content);
    if (existing && typeof process.getuid === 'function' && (existing.uid !== process.getuid() || existing.gid !== process.getgid?.())) {
      // Someone else's file (say, root running the command with sudo on the user's file): keep
      // its owner where we are allowed to. Best effort, as in editors' atomic saves.
      await io.fchown(fd, existing.uid, existing.gid).catch(() => undefined);
    }
    await io.fchmod(fd, mode);
    await io.fsync(fd);
    // For ourLastWrite; without it the next read of the file may only wait a little longer.
    return await io.fstat(fd).catch(() => undefined);
  } catch (error) {
    const created = fd !== undefined;
    if (fd !== undefined) await io.close(fd).catch(() => undefined);
    fd = undefined;
    if (created) await io.rm(temp).catch(() => undefined);
    throw fileError(code, `Cannot write the ${what} (temporary copy in ${dirname(temp)})`, error);
  } finally {
    if (fd !== undefined) await io.close(fd);
  }
}

/**
 * `rename`, retried briefly on Windows, where a virus scanner or indexer holding the target open
 * makes it fail with EPERM/EACCES/EBUSY for a moment (as graceful-fs does).
 */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await fsCalls().rename(from, to);
      return;
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 10 || !['EPERM', 'EACCES', 'EBUSY'].includes(errno ?? '')) throw error;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

async function exists(path: string): Promise<boolean> {
  const io = fsCalls();
  return io.stat(path).then(
    () => true,
    () => false,
  );
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable. Not supported on every platform (Windows): best effort there.
  const io = fsCalls();
  const fd = await io.open(dir, fsConstants.O_RDONLY).catch(() => undefined);
  if (fd === undefined) return;
  try {
    await io.fsync(fd);
  } catch {
    // EINVAL/EPERM on file systems that cannot fsync a folder: the data itself is already synced.
  } finally {
    await io.close(fd);
  }
}

function sameContent(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}
