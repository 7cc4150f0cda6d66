/**
 * The file system calls the engine reads and writes its files with (atomic-file.ts and every
 * module under it, the lock's, the records'), made one of two ways for the whole process:
 * - through libuv's thread pool (Node's asynchronous calls), the default: the event loop runs on
 *   while the disk works, as the tray app's menu and windows and `watch`'s timers need;
 * - directly (Node's synchronous calls, their results given as promises), in the command's short
 *   processes (every command but `watch`). Each call then costs the system call alone, which on a
 *   local file system the kernel answers from its caches in microseconds; through the pool, each
 *   also costs a round trip to a pool thread and back (~0.05 ms in a fresh process; a write makes
 *   ~30 calls). On a network home folder (NFS, SMB) each call is a round trip to the server too,
 *   and holds the command's event loop that long; only a stall of seconds would matter (below),
 *   and such a folder stalls the pool's calls as well.
 *
 * All but `fsync`, the one call that waits for the disk itself (milliseconds, more on a busy
 * disk): it goes through the pool in a command too, so that its other work goes on meanwhile, above
 * all its network calls. After the event loop was held that long, a request's time limit would
 * fire before its answer, already there, was read (`refresh --all`: one profile writing while
 * another's code is with STS). A cold write of a 1,000-profile file on this project's test VM:
 * 7.7–8.5 ms all through the pool, 5.3–5.6 ms all directly, 6.2–6.8 ms directly but for the
 * fsyncs, of it ~1 ms the pool's first start, which in a refresh the keychain and the DNS lookup
 * have made long before (README, Performance, row 3 and the note on it).
 *
 * Both ways run the same code above them (an `await` of a settled promise still yields to other
 * promises, never to timers or I/O), and wait the same way where waiting is part of the design
 * (another writer's lock, a file being rewritten): with timers. They fail with the same errors
 * (Node's, with the same codes and messages) on the regular files and folders the modules use them
 * on. One difference, never met: `readFile` of a folder's descriptor fails directly and gives
 * nothing through the pool; readRegularFile checks the kind first.
 *
 * Written by hand: the two ways are Node's own functions, and this only picks one per process.
 */
import * as fs from 'node:fs';
import { LEAN_COMMANDS } from '../lean-process';

/** The calls, on paths and on file descriptors. Every path-based one follows symlinks but `lstat` and `readlink`. */
export interface FsCalls {
  lstat(path: string): Promise<fs.Stats>;
  stat(path: string): Promise<fs.Stats>;
  /** The kernel's `realpath` (Node's `realpath.native`). */
  realpath(path: string): Promise<string>;
  readlink(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  /** One folder; its parent must exist (make-folders.ts makes the missing ones). */
  mkdir(path: string, mode: number): Promise<void>;
  access(path: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; one that is not there is fine. */
  rm(path: string): Promise<void>;
  open(path: string, flags: number, mode?: number): Promise<number>;
  fstat(fd: number): Promise<fs.Stats>;
  /** The rest of the file, from the descriptor's position. */
  readFile(fd: number): Promise<Buffer>;
  /** Up to `length` bytes from `position` into `buffer` at `offset`: how many were read (0 at the end). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** All of `data` (a string as UTF-8), at the descriptor's position. */
  writeFile(fd: number, data: Uint8Array | string): Promise<void>;
  fchmod(fd: number, mode: number): Promise<void>;
  fchown(fd: number, uid: number, gid: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  /**
   * For proper-lockfile's `fs` option (file-lock.ts): the same way, in its callback shape, with
   * the synchronous `rmdirSync` it removes its locks with as the process exits.
   */
  readonly lockFs: LockFs;
}

/** What proper-lockfile calls on its `fs`. */
export type LockFs = Pick<typeof fs, 'mkdir' | 'stat' | 'rmdir' | 'utimes' | 'realpath' | 'rmdirSync'>;

/** A call through the pool, in Node's callback shape, as a promise. */
function viaPool<T>(start: (done: (error: NodeJS.ErrnoException | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, result) => (error ? reject(error) : resolve(result))));
}

const pooled: FsCalls = {
  lstat: (path) => viaPool((done) => fs.lstat(path, done)),
  stat: (path) => viaPool((done) => fs.stat(path, done)),
  realpath: (path) => viaPool((done) => fs.realpath.native(path, done)),
  readlink: (path) => viaPool((done) => fs.readlink(path, done)),
  readdir: (path) => viaPool((done) => fs.readdir(path, done)),
  mkdir: (path, mode) => viaPool((done) => fs.mkdir(path, { mode }, (error) => done(error, undefined))),
  access: (path, mode) => viaPool((done) => fs.access(path, mode, (error) => done(error, undefined))),
  rename: (from, to) => viaPool((done) => fs.rename(from, to, (error) => done(error, undefined))),
  rm: (path) => viaPool((done) => fs.rm(path, { force: true }, (error) => done(error, undefined))),
  open: (path, flags, mode) => viaPool((done) => fs.open(path, flags, mode, done)),
  fstat: (fd) => viaPool((done) => fs.fstat(fd, done)),
  readFile: (fd) => viaPool((done) => fs.readFile(fd, done)),
  read: (fd, buffer, offset, length, position) => viaPool((done) => fs.read(fd, buffer, offset, length, position, done)),
  writeFile: (fd, data) => viaPool((done) => fs.writeFile(fd, data, (error) => done(error, undefined))),
  fchmod: (fd, mode) => viaPool((done) => fs.fchmod(fd, mode, (error) => done(error, undefined))),
  fchown: (fd, uid, gid) => viaPool((done) => fs.fchown(fd, uid, gid, (error) => done(error, undefined))),
  fsync: (fd) => viaPool((done) => fs.fsync(fd, (error) => done(error, undefined))),
  close: (fd) => viaPool((done) => fs.close(fd, (error) => done(error, undefined))),
  // A plain object: proper-lockfile keeps what it learnt of the file system's time stamps on it.
  lockFs: { mkdir: fs.mkdir, stat: fs.stat, rmdir: fs.rmdir, utimes: fs.utimes, realpath: fs.realpath, rmdirSync: fs.rmdirSync },
};

/** `call`'s result as a settled promise: what it returned, or what it threw. */
function settled<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A synchronous call in the callback shape proper-lockfile calls its `fs` in (as its own lockSync does). */
function callingBack<A extends unknown[], T>(call: (...args: A) => T): (...args: [...A, (error: unknown, result?: T) => void]) => void {
  return (...args) => {
    const done = args.pop() as (error: unknown, result?: T) => void;
    let result: T;
    try {
      result = call(...(args as unknown as A));
    } catch (error) {
      done(error);
      return;
    }
    done(null, result);
  };
}

const direct: FsCalls = {
  lstat: (path) => settled(() => fs.lstatSync(path)),
  stat: (path) => settled(() => fs.statSync(path)),
  realpath: (path) => settled(() => fs.realpathSync.native(path)),
  readlink: (path) => settled(() => fs.readlinkSync(path)),
  readdir: (path) => settled(() => fs.readdirSync(path)),
  mkdir: (path, mode) => settled(() => void fs.mkdirSync(path, { mode })),
  access: (path, mode) => settled(() => fs.accessSync(path, mode)),
  rename: (from, to) => settled(() => fs.renameSync(from, to)),
  rm: (path) => settled(() => fs.rmSync(path, { force: true })),
  open: (path, flags, mode) => settled(() => fs.openSync(path, flags, mode)),
  fstat: (fd) => settled(() => fs.fstatSync(fd)),
  readFile: (fd) => settled(() => fs.readFileSync(fd)),
  read: (fd, buffer, offset, length, position) => settled(() => fs.readSync(fd, buffer, offset, length, position)),
  writeFile: (fd, data) => settled(() => fs.writeFileSync(fd, data)),
  fchmod: (fd, mode) => settled(() => fs.fchmodSync(fd, mode)),
  fchown: (fd, uid, gid) => settled(() => fs.fchownSync(fd, uid, gid)),
  // The one call that waits for the disk itself: through the pool (see the module's comment).
  fsync: (fd) => pooled.fsync(fd),
  close: (fd) => settled(() => fs.closeSync(fd)),
  lockFs: {
    mkdir: callingBack((path: fs.PathLike) => fs.mkdirSync(path)),
    stat: callingBack((path: fs.PathLike) => fs.statSync(path)),
    rmdir: callingBack((path: fs.PathLike) => fs.rmdirSync(path)),
    utimes: callingBack((path: fs.PathLike, atime: fs.TimeLike, mtime: fs.TimeLike) => fs.utimesSync(path, atime, mtime)),
    realpath: callingBack((path: fs.PathLike) => fs.realpathSync(path)),
    rmdirSync: fs.rmdirSync,
  } as unknown as LockFs,
};

let current = pooled;

/** The calls this process makes its file system calls with. */
export function fsCalls(): FsCalls {
  return current;
}

/**
 * Sets how this process makes its calls, for the command whose word is `word` (the first argument):
 * directly, unless it runs for days ({@link LEAN_COMMANDS}: `watch`, whose timers and helpers must
 * not wait behind a slow disk). Called once, as the command starts, by each of its entry points.
 * The tray app never calls it, and keeps the thread pool.
 */
export function callsForCommand(word: string | undefined): void {
  current = word !== undefined && LEAN_COMMANDS.has(word) ? pooled : direct;
}

/**
 * Makes the new file `path` holding `data` (a string as UTF-8), with `mode` (less the umask): never
 * one that is there already (O_EXCL). Not synced. On failure a file it made may be left, partly
 * written: callers that write a temp file remove it.
 */
export async function writeNewFile(path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const io = fsCalls();
  const fd = await io.open(path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode);
  try {
    await io.writeFile(fd, data);
  } finally {
    await io.close(fd);
  }
}
