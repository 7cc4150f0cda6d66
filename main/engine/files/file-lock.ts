/**
 * Locks shared by every MFA Tray process: a file's write lock (taken by atomic-file.ts) and the
 * refresh lock of a profile (engine.whileRefreshing), both `<path>.lock` directories made by
 * proper-lockfile, with a heartbeat, so a crashed holder's lock is taken over after 10 s.
 */
import { dirname } from 'node:path';
import type ProperLockfile from 'proper-lockfile';
import { type ErrorCode, type MfaTrayError } from '../../common/errors';
import { fileError } from './file-errors';
import { fsCalls } from './fs-calls';
import { makeFolders } from './make-folders';

export interface HeldLock {
  readonly release: () => Promise<void>;
  /** Set when the lock's heartbeat failed and another process may have taken it over. */
  readonly compromised: boolean;
}

/** proper-lockfile, loaded on the first write: reading a file (every `credential-process` call) never needs it. */
let lockfileModule: Promise<typeof ProperLockfile> | undefined;
function loadLockfile(): Promise<typeof ProperLockfile> {
  lockfileModule ??= import('proper-lockfile').then((module) => module.default);
  return lockfileModule;
}

/** How {@link acquireLock} waits for a lock another process holds, and what it says. */
export interface LockOptions {
  readonly timeoutMs: number;
  /** The error code of a file system failure (not of a busy lock). */
  readonly code: ErrorCode;
  /** What is locked, for the file system failure's message. */
  readonly what: string;
  /** The error when another process still holds the lock at the deadline. */
  readonly busy: () => MfaTrayError;
  /** The mean wait between two tries. Default 32 ms, for locks held for the milliseconds of a write. */
  readonly pollMs?: number;
  /** Called once, when the lock is first found held by another process. */
  readonly onBusy?: () => void;
}

export async function acquireLock(target: string, options: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs;
  const poll = options.pollMs ?? 32;
  const state = { compromised: false };
  let waited = false;
  for (;;) {
    try {
      const release = await (
        await loadLockfile()
      ).lock(target, {
        realpath: false,
        // Made as this process makes its file calls (fs-calls.ts).
        fs: fsCalls().lockFs,
        lockfilePath: `${target}.lock`,
        // A crashed holder's lock is taken over after this long without its heartbeat.
        stale: 10_000,
        update: 2_000,
        retries: 0,
        // proper-lockfile's default throws from a timer, which would crash the tray app; instead
        // the update refuses to rename (see updateLocked in atomic-file.ts).
        onCompromised: () => {
          state.compromised = true;
        },
      });
      return {
        release,
        get compromised() {
          return state.compromised;
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw fileError(options.code, `Cannot lock the ${options.what} ${target}`, error);
      }
      if (Date.now() >= deadline) throw options.busy();
      if (!waited) options.onBusy?.();
      waited = true;
      // Jittered, so that waiting processes do not retry in step.
      await new Promise((r) => setTimeout(r, poll * (0.5 + Math.random())));
    }
  }
}

/** How long a lock was waited for, in the words of a lock-timeout message: "600 ms", "15 s" (never rounded up). */
export function waitedFor(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.floor(ms / 1000)} s`;
}

/** Options for {@link withLock}. */
export interface WithLockOptions {
  /** How long to wait for another process's lock. */
  readonly timeoutMs: number;
  /** What is locked, in words, for error messages ("the refresh of profile dev"). */
  readonly what: string;
  /** The error when another process still holds the lock at the deadline. */
  readonly busy: () => MfaTrayError;
  /** The mean wait between two tries (see {@link LockOptions.pollMs}). */
  readonly pollMs?: number;
  /** Called once, when the lock is first found held by another process (to say why nothing happens). */
  readonly onBusy?: () => void;
}

/**
 * Runs `work` while holding a lock shared with every MFA Tray process: the same kind of lock as
 * {@link updateFileAtomic} takes, on `<path>.lock` (a crashed holder's lock is taken over after
 * 10 s). `path` itself need not exist; its folder is created (0700) when missing.
 */
export async function withLock<T>(path: string, work: () => Promise<T>, options: WithLockOptions): Promise<T> {
  const code: ErrorCode = 'settings-file';
  await makeFolders(dirname(path), 0o700).catch((error: unknown) => {
    throw fileError(code, `Cannot create the folder ${dirname(path)} for the lock of ${options.what}`, error);
  });
  const lock = await acquireLock(path, { ...options, code });
  try {
    return await work();
  } finally {
    await lock.release().catch(() => undefined);
  }
}
