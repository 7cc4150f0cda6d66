/**
 * Loading the command's bundle (app/dist/cli.cjs) for bin/mfa-tray.js with a V8 code cache: the
 * bytecode V8 compiled in an earlier run of the same command, kept in the config folder. Compiling
 * the bundle (the engine, the command and the AWS SDK) is most of what a refresh costs over a bare
 * SDK call; with the cache V8 reads it back instead (README, Performance, row 1).
 *
 * Written by hand (~120 lines, bundled on its own as app/dist/cli-loader.cjs): Node 22.1+ keeps
 * such a cache itself (`module.enableCompileCache`), but by default in the OS's temp folder (on
 * Linux /tmp, which every user shares) without asking who wrote it, so bin/mfa-tray.js leaves it
 * off; Node 20 has none; and v8-compile-cache, the package made for it, keeps its cache in the temp
 * folder too ($TMP/v8-compile-cache) and never asks who wrote it. The cache is code this process runs, so it is used only when:
 * - only this user could have written it (`readOwnFile`: ours, writable by no one else, in folders
 *   no one else could change; on Windows, which has no such bits, no cache is kept);
 * - its name holds a hash of the very bundle it was made from: V8's own check compares the source's
 *   length alone, and a bundle of another version may have the same length;
 * - the checksum at its start matches what follows: V8 checks its own only in debug builds, and a
 *   cache cut short by a crash or changed on the disk must never run.
 * V8 rejects a cache made by another Node version or with other flags; such a cache is replaced.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { LEAN_COMMANDS, runLean } from '../lean-process';
import { isOwnFolder, readOwnFile } from './own-file';
import { CONFIG_FILE_NAMES, configDir } from './paths';

/**
 * A command's word, as the first argument gives it. A cache holds what its command compiled (a
 * refresh's is not a status's), so each command has its own. Without one, a command compiles the
 * whole bundle's 0.9 MB (V8 pre-parses every function in it), ~15–30 ms more than the ES module
 * chunks it had before cost. Tried and dropped: a command with none yet compiling from another
 * command's cache (~60 ms less, once): the cache it then kept held both commands' code, and loading
 * it cost every later run ~15 ms more (a 1.27 MB cache against 0.51 MB). The word comes from the
 * command line, but only a run that ended well writes a cache, and only a command's word (or
 * `help`) ends well.
 */
const COMMAND_WORD = /^[a-z][a-z-]{0,39}$/;

/** How much of the bundle's sha256 (hex) names its caches. */
const HASH_CHARS = 24;

const CHECKSUM = 'sha256';
const CHECKSUM_BYTES = 32;

/** A temp file of a writer that died before its rename is removed by a later writer after this long. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * Runs the CommonJS bundle `file` as `require` would, and returns its exports. For `argv` (the
 * command line) beginning with a command's word, the bundle is compiled from its cache when there
 * is a good one, and when there is none (or V8 rejected it) a cache is made once this process ends
 * with status 0. A cache holds what the run that made it compiled: a later run that compiles more
 * does not add to it (the next bundle or Node starts afresh), so a run that only prints its help
 * makes none.
 */
export function loadCommandBundle(file: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): unknown {
  // A command that runs lean does from here on: its cache is then made and taken under the same flags.
  if (argv[0] !== undefined && LEAN_COMMANDS.has(argv[0])) runLean();
  // The bundle is the program itself: read as Node reads a module it requires.
  const bytes = readFileSync(file);
  const cache = argv.includes('--help') || argv.includes('-h') ? undefined : cacheFileFor(bytes, argv[0], env);
  const cachedData = cache === undefined ? undefined : checkedCache(readOwnFile(cache.file));
  const script = new Script(wrap(bytes.toString('utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (cache !== undefined && (cachedData === undefined || script.cachedDataRejected === true)) {
    process.once('exit', (status) => {
      if (status === 0) saveCache(cache, script);
    });
  }
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

interface CacheFile {
  readonly folder: string;
  readonly file: string;
  /** How the names of this command's caches for this V8 begin and end: those of other bundles are removed when this one is written. */
  readonly prefix: string;
  readonly suffix: string;
}

/** Where the cache of `command` for this bundle and this V8 lives; undefined when it keeps none. */
function cacheFileFor(bytes: Buffer, command: string | undefined, env: NodeJS.ProcessEnv): CacheFile | undefined {
  if (command === undefined || !COMMAND_WORD.test(command) || process.getuid === undefined) return undefined;
  let folder: string;
  try {
    folder = join(configDir(env), CONFIG_FILE_NAMES.codeCache);
  } catch {
    return undefined; // no usable config folder: no cache; the command itself says why
  }
  const bundle = createHash('sha256').update(bytes).digest('hex').slice(0, HASH_CHARS);
  // Another Node (another V8, or the same on another CPU: macOS runs arm64 and x64 Nodes side by
  // side) keeps caches of its own, beside these and untouched by them.
  const prefix = `cli-${command}-`;
  const suffix = `-v8-${process.versions.v8}-${process.arch}.bin`;
  return { folder, file: join(folder, `${prefix}${bundle}${suffix}`), prefix, suffix };
}

/** The cache's data when its checksum matches it; otherwise (or when there is none) undefined. */
function checkedCache(content: Buffer | undefined): Buffer | undefined {
  if (content === undefined || content.length <= CHECKSUM_BYTES) return undefined;
  const data = content.subarray(CHECKSUM_BYTES);
  return createHash(CHECKSUM).update(data).digest().equals(content.subarray(0, CHECKSUM_BYTES)) ? data : undefined;
}

/**
 * Writes the cache of what this run compiled: into a new file, synced, then renamed over the old
 * one, so that a reader sees a whole cache or none. Only into a folder the reader would read from
 * (else it would be made again on every run), and the config folder is not created for it (a
 * command that found no settings leaves nothing behind). Any failure leaves things as they were,
 * silently: a cache is never worth an error, and this runs as the process exits.
 */
function saveCache(cache: CacheFile, script: Script): void {
  const temp = join(cache.folder, `.${basename(cache.file)}.${process.pid}.tmp`);
  let created = false;
  try {
    if (!existsSync(dirname(cache.folder))) return;
    // Not recursive (the config folder exists): Node's recursive mkdir never returns where no
    // folder can be made, as under /proc/self (make-folders.ts).
    if (!existsSync(cache.folder)) mkdirSync(cache.folder, { mode: 0o700 });
    if (!isOwnFolder(cache.folder)) return;
    const data = script.createCachedData();
    const fd = openSync(temp, 'wx', 0o600);
    created = true;
    try {
      writeAll(fd, createHash(CHECKSUM).update(data).digest());
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, cache.file);
    created = false;
    removeOthers(cache);
  } catch {
    if (created) removeQuietly(temp);
  }
}

/** This command's caches of other bundles for this V8, and temp files their writers left behind. */
function removeOthers(cache: CacheFile): void {
  const now = Date.now();
  for (const name of readdirSync(cache.folder)) {
    const path = join(cache.folder, name);
    // Exactly this command's name, a bundle's hash and this V8's ending: `cli-list-…` is not `cli-list-x-…`'s.
    const older = name.startsWith(cache.prefix) && name.endsWith(cache.suffix) && name.length === cache.prefix.length + HASH_CHARS + cache.suffix.length;
    if ((older && path !== cache.file) || (name.startsWith(`.${cache.prefix}`) && name.endsWith('.tmp') && now - modifiedAt(path) > STALE_TEMP_MS))
      removeQuietly(path);
  }
}

/** When `path` was last modified; now when it has gone meanwhile (another writer renamed it). */
function modifiedAt(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Left for the next writer.
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
}
