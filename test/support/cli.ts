/**
 * Helpers for testing the command `mfa-tray` as real child processes: a sandbox per test (its own
 * temp HOME-like folder, credentials and config files, settings folder and keychain service
 * prefix, pointed at a loopback STS), a runner that collects stdout, stderr and the exit status,
 * a long-running process handle for `watch`, and {@link useCliSuite}, the hooks every CLI test
 * file shares.
 *
 * The command is run as users run it, `node bin/mfa-tray.js …` over the bundle of app/dist/, which
 * {@link ensureCliBuilt} (re)builds when it is missing or older than the sources. It runs from a
 * snapshot of bin/ and app/dist/ taken once per test file: other test files, and other people's
 * builds in the same checkout, rebuild app/dist/ (emptying it first) at any time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Profile, SessionCredentials } from '../../main/common/model';
import { CredentialsFile } from '../../main/engine/files/credentials-file';
import { ProfileSecrets } from '../../main/engine/keychain/profile-secrets';
import { createTestKeychain, type TestKeychain } from './keyring';
import { useStsServer, type StsServer, type StsUser } from './sts-server';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The launcher in the checkout (for tests of the launcher itself and of `npx`). */
export const REPO_BIN = join(ROOT, 'bin', 'mfa-tray.js');
const CLI_BUNDLE = join(ROOT, 'app', 'dist', 'cli.cjs');

let snapshot: string | undefined;

/** The snapshot's launcher, `<snapshot>/bin/mfa-tray.js`: what the tests run. */
export function cliBin(): string {
  if (snapshot === undefined) throw new Error('call ensureCliBuilt() in before()');
  return join(snapshot, 'bin', 'mfa-tray.js');
}

/** The snapshot's bundle folder, `<snapshot>/app/dist`. */
export function cliDist(): string {
  if (snapshot === undefined) throw new Error('call ensureCliBuilt() in before()');
  return join(snapshot, 'app', 'dist');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

/**
 * Builds app/dist/ when cli.cjs is missing or older than main/ or package.json, at most once per
 * test run. Test files run in parallel: a lock makes the others wait for that one build, and a
 * marker for the run (the test runner's pid, and the bundle it checked) keeps a later file from
 * rebuilding, which deletes app/dist/ first, under the commands of another. Lock and marker live
 * in the temp folder, so that nothing but the build lands in app/.
 */
export async function ensureCliBuilt(): Promise<void> {
  await buildIfStale();
  snapshot ??= await takeSnapshot();
}

async function buildIfStale(): Promise<void> {
  const tag = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  const lock = join(tmpdir(), `mfa-tray-cli-build-${tag}.lock`);
  const marker = join(tmpdir(), `mfa-tray-cli-build-${tag}.${process.ppid}`);
  const checked = (): boolean => existsSync(marker) && existsSync(CLI_BUNDLE) && readFileSync(marker, 'utf8') === String(statSync(CLI_BUNDLE).mtimeMs);
  if (checked()) return;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the longest build is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build app/dist/');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (checked()) return;
    const sources = Math.max(newestMtime(join(ROOT, 'main')), statSync(join(ROOT, 'package.json')).mtimeMs);
    if (!existsSync(CLI_BUNDLE) || statSync(CLI_BUNDLE).mtimeMs < sources) {
      const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
    }
    writeFileSync(marker, String(statSync(CLI_BUNDLE).mtimeMs));
    // Markers of earlier runs (a day old) are of no use any more.
    for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(`mfa-tray-cli-build-${tag}.`) && !n.endsWith('.lock'))) {
      const path = join(tmpdir(), name);
      if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { force: true });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Copies bin/, app/dist/ (without source maps), app/package.json and package.json into a temp folder, with a link
 * to node_modules (keytar stays outside the bundle), and checks that every chunk the bundle
 * imports is there: a copy taken while someone was rebuilding is taken again.
 */
async function takeSnapshot(): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-cli-snapshot-'));
    try {
      cpSync(join(ROOT, 'app', 'dist'), join(dir, 'app', 'dist'), { recursive: true, filter: (source) => !source.endsWith('.map') });
      // The launcher and bin/package.json, which makes it CommonJS.
      cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      // The bundles import keytar as `#keytar`, which app/package.json maps (as in the packaged app).
      copyFileSync(join(ROOT, 'app', 'package.json'), join(dir, 'app', 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      if (bundleComplete(join(dir, 'app', 'dist'))) {
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
        return dir;
      }
    } catch {
      // A file vanished while copying: a build was emptying app/dist/. Try again.
    }
    rmSync(dir, { recursive: true, force: true });
    if (attempt >= 10) throw new Error('app/dist/ kept changing while it was copied; is a build running in a loop?');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Whether the command's bundles (cli.cjs, its loader, the fast path) and main.mjs with every chunk any of its files imports are there. */
function bundleComplete(dist: string): boolean {
  if (!['cli.cjs', 'cli-loader.cjs', 'cli-fast.cjs', 'main.mjs'].every((name) => existsSync(join(dist, name)))) return false;
  const files = [
    join(dist, 'main.mjs'),
    ...readdirSync(join(dist, 'chunks'))
      .filter((n) => n.endsWith('.mjs'))
      .map((n) => join(dist, 'chunks', n)),
  ];
  for (const file of files) {
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+\.mjs)"/g)) {
      if (!existsSync(join(file, '..', target as string))) return false;
    }
  }
  return true;
}

/** What a finished command gave. */
export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. Default: stdin closed at once (empty). */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Node options before the script (`--import …`). */
  readonly nodeArgs?: readonly string[];
  /**
   * Run in a new session, without a controlling terminal (as from cron or a GUI), so that
   * `/dev/tty` cannot be opened even when the tests themselves run in a terminal.
   */
  readonly detached?: boolean;
}

/** Runs `mfa-tray <args>` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliBin(), ...args], {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.detached === true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mfa-tray ${args.join(' ')} did not finish within ${options.timeoutMs ?? 60_000} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running `mfa-tray` process (watch) whose output can be waited for, line by line. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv, command: readonly string[] = [process.execPath, cliBin()]) {
    const [file, ...prefix] = command as [string, ...string[]];
    this.child = spawn(file, [...prefix, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.#notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.#notify();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (status, signal) => {
        this.#notify();
        resolve({ status, signal });
      }),
    );
  }

  #notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Waits until stdout (or stderr) matches, and returns the match. */
  async waitFor(pattern: RegExp, options: { readonly timeoutMs?: number; readonly stream?: 'stdout' | 'stderr' } = {}): Promise<RegExpMatchArray> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      // Without terminal control sequences (readline positions the cursor around its prompt).
      const text = stripControlSequences(options.stream === 'stderr' ? this.stderr : this.stdout);
      const match = text.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`process ended (${this.child.exitCode ?? this.child.signalCode}) before ${pattern}; stdout: ${this.stdout}; stderr: ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; stdout: ${this.stdout}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Writes to the process's stdin (in a terminal: types it). */
  type(text: string): void {
    this.child.stdin?.write(text);
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ status: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One test's world: files, settings folder, keychain prefix, STS endpoint. */
export interface CliSandbox {
  readonly dir: string;
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly configDir: string;
  readonly keychain: TestKeychain;
  /** Typed access to this sandbox's keychain entries (to seed or inspect sessions). */
  readonly secrets: ProfileSecrets;
  /** The child environment: everything points into the sandbox. */
  readonly env: NodeJS.ProcessEnv;
  run(args: readonly string[], options?: Omit<RunOptions, 'env'> & { readonly env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** Adds a profile for an STS user through `mfa-tray add`; fails the test when that fails. */
  addProfile(name: string, user: StsUser, extra?: readonly string[]): Promise<void>;
  /** Writes the settings file directly (for app settings the command has no flag for). */
  writeSettings(settings: Record<string, unknown>, profiles: readonly Partial<Profile>[]): void;
  /** Stores a session as a refresh would have: in the profile's credentials-file section and the keychain cache (for expiry scenarios). */
  seedSession(profile: string, session: SessionCredentials): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The command's code caches (main/engine/files/code-cache.ts) made so far in this test file, by
 * name: copied into each sandbox's cache folder before a command runs there, so that only the first
 * run of each command in a file compiles the bundle afresh (~0.1 s of CPU more, and the suite runs
 * over 500 such commands). Kept in the snapshot's folder: its bundle is the one they were made from.
 */
function codeCachePool(): string | undefined {
  return snapshot === undefined ? undefined : join(snapshot, 'code-cache-pool');
}

/**
 * Copies the pool's cache of `command` into the sandbox's cache folder when that folder exists (an
 * earlier command there made it) and holds none: nothing is created that the command would not have
 * made itself, so a test of a folder that cannot be written, or of a missing config folder, sees
 * what it would have. Written as the command writes them: mode 0600 in a 0700 folder.
 */
function seedCodeCache(folder: string, command: string | undefined): void {
  const pool = codeCachePool();
  if (command === undefined || pool === undefined || !existsSync(pool) || !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return;
  // Exactly this command's: `cli-<word>-<bundle hash>-v8-…` (code-cache.ts), so `credential` is not `credential-process`.
  const ours = (name: string): boolean => new RegExp(`^cli-${command.replace(/[^a-z-]/g, '')}-[0-9a-f]{24}-v8-`).test(name);
  if (readdirSync(folder).some(ours)) return;
  for (const name of readdirSync(pool).filter(ours)) {
    copyFileSync(join(pool, name), join(folder, name));
    chmodSync(join(folder, name), 0o600);
  }
}

/** Adds the caches a command made in a sandbox to the pool (see {@link codeCachePool}). */
function keepCodeCache(folder: string): void {
  const pool = codeCachePool();
  if (pool === undefined || !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return;
  mkdirSync(pool, { recursive: true });
  const pooled = new Set(readdirSync(pool));
  for (const name of readdirSync(folder)) {
    if (!name.startsWith('cli-') || !name.endsWith('.bin') || pooled.has(name)) continue;
    // Through a temp name: a copy cut short must never be taken for a cache (the loader would refuse it by its checksum anyway).
    const temp = join(pool, `.${name}.tmp`);
    copyFileSync(join(folder, name), temp);
    renameSync(temp, join(pool, name));
  }
}

export function createCliSandbox(sts: StsServer, label = 'cli', { warmCodeCache = true }: { readonly warmCodeCache?: boolean } = {}): CliSandbox {
  const dir = mkdtempSync(join(tmpdir(), `mfa-tray-${label}-`));
  const credentialsFile = join(dir, '.aws', 'credentials');
  const configFile = join(dir, '.aws', 'config');
  const configDir = join(dir, 'config');
  const keychain = createTestKeychain(label);
  const secrets = new ProfileSecrets(keychain.store);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_CONFIG_FILE: configFile,
    MFA_TRAY_CONFIG_DIR: configDir,
    MFA_TRAY_KEYCHAIN_SERVICE: keychain.prefix,
    ...sts.env(),
    TZ: 'UTC',
    NO_COLOR: '1',
  };
  delete env.AWS_ENDPOINT_URL;
  delete env.AWS_PROFILE;
  delete env.MFA_TRAY_DEBUG;
  const sandbox: CliSandbox = {
    dir,
    credentialsFile,
    configFile,
    configDir,
    keychain,
    secrets,
    env,
    async run(args, options = {}) {
      const codeCache = join(configDir, 'code-cache');
      if (warmCodeCache) seedCodeCache(codeCache, args[0]);
      const result = await runCli(args, { ...options, env: { ...env, ...options.env } });
      if (warmCodeCache) keepCodeCache(codeCache);
      return result;
    },
    async addProfile(name, user, extra = []) {
      const result = await sandbox.run(['add', name, '--mfa-serial', user.mfaSerial ?? '', '--access-key-id', user.accessKeyId, ...extra], {
        input: `${user.secretAccessKey}\n`,
      });
      if (result.status !== 0) throw new Error(`add ${name} failed (${result.status}): ${result.stderr}`);
    },
    writeSettings(settings, profiles) {
      mkdirSync(configDir, { recursive: true });
      writeFileSync(join(configDir, 'settings.json'), `${JSON.stringify({ version: 1, settings, profiles }, null, 2)}\n`);
    },
    async seedSession(profile, session) {
      // As a refresh leaves it: the profile's credentials-file section first, then the keychain (a
      // role profile's session, not in the settings, is kept in the keychain alone).
      const settings = JSON.parse(readFileSync(join(configDir, 'settings.json'), 'utf8')) as { profiles: Array<{ name: string; targetSection?: string }> };
      const found = settings.profiles.find((p) => p.name === profile);
      if (found) await new CredentialsFile({ path: credentialsFile }).writeSession(found.targetSection ?? found.name, session);
      await secrets.setSession(profile, session);
    },
    async cleanup() {
      await keychain.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** Options for {@link useCliSuite}. */
export interface CliSuiteOptions {
  /**
   * `'test'` (the default): a fresh sandbox and STS user for every test, so that no test sees
   * another's profiles, keychain entries or used TOTP steps (the loopback STS refuses a time step
   * a device already used). `'file'`: one of each for the whole file, for files whose tests only
   * read (help, usage errors) and would otherwise pay for a keychain each.
   */
  readonly scope?: 'test' | 'file';
  /**
   * The IAM user name of the `n`th user the suite registers (1, 2, …), for files whose expected
   * output names the user. Default: the STS server's random `user-xxxxxx`.
   */
  readonly userName?: (n: number) => string;
  /**
   * Whether a command run through `sandbox.run` starts from the cache its command made earlier in
   * this file (see {@link codeCachePool}), as a user's every run but the first does. Default: true;
   * false for the tests of the cache itself.
   */
  readonly warmCodeCache?: boolean;
}

/** What {@link useCliSuite} gives a test file; read through getters, since each test gets its own. */
export interface CliSuite {
  /** The file's loopback STS (faults are cleared before every test). */
  readonly sts: StsServer;
  /** This test's sandbox (the file's, in scope `'file'`). */
  readonly sandbox: CliSandbox;
  /** This test's STS user, with a virtual MFA device (the file's, in scope `'file'`). */
  readonly user: StsUser;
  /** This test's requests in the server's log (of one action, when given): the log spans the file. */
  requests(action?: string): StsServer['requests'];
  /**
   * Has a long-running process killed (SIGKILL) after the test, before its sandbox is removed, when
   * the test did not stop it (it failed half-way, say); returns the process.
   */
  stopAfterTest<T extends CliProcess>(process: T): T;
}

/**
 * Registers the hooks of a CLI test file with node:test (at the top level: for the whole file)
 * and returns the fixture, whose fields are set once the hooks ran: the bundle is built and
 * snapshot and one loopback STS started before the first test; a sandbox labelled `label` and an
 * STS user made per test (or per file, see {@link CliSuiteOptions.scope}); the STS faults are
 * cleared before each test ({@link useStsServer}); after each test the processes left running are
 * killed and the sandbox removed.
 *
 * ```ts
 * const cli = useCliSuite('refresh');
 * test('…', async () => {
 *   await cli.sandbox.addProfile('dev', cli.user);
 *   const result = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)]);
 * });
 * ```
 */
export function useCliSuite(label: string, options: CliSuiteOptions = {}): CliSuite {
  const perTest = (options.scope ?? 'test') === 'test';
  let sandbox: CliSandbox | undefined;
  let user: StsUser | undefined;
  let users = 0;
  /** Where this test's requests start in the server's log. */
  let firstRequest = 0;
  const running: CliProcess[] = [];

  const setUp = (server: StsServer): void => {
    sandbox = createCliSandbox(server, label, { warmCodeCache: options.warmCodeCache ?? true });
    users += 1;
    user = server.registerUser(options.userName ? { name: options.userName(users) } : {});
  };

  const loopback = useStsServer(async (sts) => {
    await ensureCliBuilt();
    if (!perTest) setUp(sts);
  });
  after(async () => {
    if (!perTest) await sandbox?.cleanup();
  });
  beforeEach(() => {
    if (perTest) setUp(loopback.sts);
    firstRequest = loopback.sts.requests.length;
  });
  afterEach(async () => {
    try {
      for (const child of running.splice(0)) await child.stop('SIGKILL');
    } finally {
      if (perTest) await sandbox?.cleanup();
    }
  });

  return {
    get sts() {
      return loopback.sts;
    },
    get sandbox() {
      return ready(sandbox, 'sandbox');
    },
    get user() {
      return ready(user, 'user');
    },
    requests(action) {
      return loopback.sts.requests.slice(firstRequest).filter((r) => action === undefined || r.action === action);
    },
    stopAfterTest(process) {
      running.push(process);
      return process;
    },
  };
}

/** A fixture field, or a plain error when it is read before the hooks set it (at load time, say). */
function ready<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`useCliSuite(): ${name} is set in the suite's hooks; read it inside a test or hook`);
  return value;
}

/** A session of the STS server's shape that no STS issued: for cache and expiry scenarios. */
export function fakeSession(expiresAt: number, seed = 'A'): SessionCredentials {
  return {
    accessKeyId: `ASIA${seed.repeat(16)}`.slice(0, 20),
    secretAccessKey: `${seed}`.repeat(40).slice(0, 40),
    sessionToken: `IQoJb3JpZ2luX2VjE${seed.repeat(100)}`,
    expiresAt,
  };
}

/** Text without ANSI control sequences (cursor movement, erasing). */
export function stripControlSequences(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

/** Quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Runs a shell command line in a pseudo-terminal, with util-linux `script` (Debian: bsdutils,
 * which is essential): the command gets a terminal as stdin, stdout, stderr and controlling
 * terminal (`/dev/tty`). What the test writes to the returned process's stdin is typed on that
 * terminal; everything the terminal shows (echo included) is its stdout.
 */
export function inTerminal(commandLine: string, env: NodeJS.ProcessEnv): CliProcess {
  // A terminal of a real size: readline lays out its prompt by the width. `script` runs the line
  // with $SHELL; pinned to /bin/sh so every machine runs the same shell, and `exec` so the command
  // replaces that shell. Otherwise a shell that stays in between (dash does) is in the terminal's
  // process group, dies of the Ctrl-C a test types, and its 130 hides the command's own status.
  return new CliProcess(['-qec', `stty cols 200 rows 50; exec ${commandLine}`, '/dev/null'], { ...env, SHELL: '/bin/sh' }, ['script']);
}

/** The command line that runs `mfa-tray <args>` (for {@link inTerminal}). */
export function cliCommandLine(args: readonly string[]): string {
  return [process.execPath, cliBin(), ...args].map(shellQuote).join(' ');
}
