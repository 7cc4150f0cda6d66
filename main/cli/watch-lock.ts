/**
 * One `mfa-tray watch` at a time: a pid file in the config folder.
 *
 * Two watches would race each other's refreshes (each burning a code) and ask twice for one code.
 * The file holds the owner's pid; it is created exclusively, removed on exit, and taken over when
 * its owner is gone (crash, kill -9, reboot). A takeover is checked once more after a moment, so
 * that of two processes taking over the same stale file at once, only one stays.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MfaTrayError } from '../common/errors';
import { fileError, makeFolders } from '../engine';

/** The pid file's name in the config folder. */
export const WATCH_PID_FILE = 'watch.pid';

/** How long after a takeover the file is read again to confirm it. */
const CONFIRM_AFTER_MS = 200;

export class WatchLock {
  #released = false;

  private constructor(readonly file: string) {}

  /** Takes the lock, or fails with `already-exists` naming the running watch's pid. */
  static async acquire(configDir: string): Promise<WatchLock> {
    const file = join(configDir, WATCH_PID_FILE);
    try {
      await makeFolders(configDir, 0o700);
    } catch (error) {
      throw fileError('settings-file', `Cannot create the config folder ${configDir}`, error);
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (await createExclusive(file)) {
        if (attempt > 0) {
          // We replaced a stale file: make sure no other process replaced it at the same moment.
          await new Promise((resolve) => setTimeout(resolve, CONFIRM_AFTER_MS));
          const owner = await readPid(file);
          if (owner !== process.pid) throw alreadyRunning(owner);
        }
        return new WatchLock(file);
      }
      const owner = await readPid(file);
      if (owner !== undefined && isWatchProcess(owner)) throw alreadyRunning(owner);
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw lockError(file, error);
      });
    }
    throw alreadyRunning(await readPid(file));
  }

  /** Removes the pid file if it is still ours. Synchronous: also used on the way out of the process. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      if (Number(readFileSync(this.file, 'utf8').trim()) === process.pid) unlinkSync(this.file);
    } catch {
      // Already gone, or taken over: nothing of ours to remove.
    }
  }
}

async function createExclusive(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw lockError(file, error);
  }
  try {
    await handle.writeFile(`${process.pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a pid belongs to a live process that is (as far as can be told) an mfa-tray watch. */
function isWatchProcess(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's. ESRCH: gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    // A recycled pid (after a reboot) belongs to some other program: then the file is stale.
    return /mfa-tray|cli\.mjs/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true;
  }
}

function alreadyRunning(pid: number | undefined): MfaTrayError {
  return new MfaTrayError(
    'already-exists',
    `Another mfa-tray watch is already running${pid === undefined ? '' : ` (process ${pid})`}; one is enough. Stop it first${pid === undefined ? '' : ` (kill ${pid})`} to start this one.`,
  );
}

function lockError(file: string, error: unknown): MfaTrayError {
  return fileError('settings-file', `Cannot use the watch lock file ${file}`, error);
}
