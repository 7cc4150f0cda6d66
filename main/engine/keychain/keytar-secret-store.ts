/**
 * The OS keychain through keytar: macOS Keychain, Windows Credential Manager, and on Linux any
 * Secret Service (gnome-keyring, KeePassXC, KWallet's bridge) over D-Bus via libsecret; there, a
 * listing of every entry of a kind is made on the Secret Service directly (secret-service-listing.ts).
 *
 * The only file that imports keytar. It is loaded lazily, on the first keychain call, so that
 * importing the engine stays cheap (the command's `--help` never loads a native module) and a
 * missing or mis-built native module becomes a plain `keychain-unavailable` error instead of a crash
 * at start-up.
 *
 * There is never a plaintext fallback: when no keychain can be reached the call fails and says what
 * is missing and how to provide it.
 */
import { MfaTrayError, invalidInput } from '../../common/errors';
import type { SecretKind, SecretStore } from './secret-store';
import { secretServiceLockProbe, type LockProbe } from './secret-service-lock';
import { isPartAccount, joinValue, partAccount, partCount, splitValue } from './entry-parts';
import { HelperGone, HelperStartTimeout } from '../helper-process';

/** The part of keytar's API this store uses; tests substitute a backend that hangs or fails. */
export interface KeytarBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
  /**
   * Whether `findCredentials` refuses a locked entry by itself (as the Secret Service listing does,
   * secret-service-listing.ts), so that the store need not ask the Secret Service first: keytar's own
   * listing crashes the process on one.
   */
  readonly listingRefusesLocked?: boolean;
  /**
   * Gives up on the call that has just timed out, where that can be done: keytar in a helper process
   * is left to that call and the next call gets another helper (keychain-helper.ts); keytar in this
   * process has no way to.
   */
  abandon?(): void;
}

/** Options for {@link KeytarSecretStore}. */
export interface KeytarSecretStoreOptions {
  /** How long one keychain call may take before it fails with `keychain-timeout`. Default 10 s. */
  readonly timeoutMs?: number;
  /** Loads the backend. Default: keytar itself. Calls to the same loader are serialised together. */
  readonly loadBackend?: () => Promise<KeytarBackend>;
  /** The platform the advice in error messages is for. Default `process.platform`. */
  readonly platform?: NodeJS.Platform;
  /**
   * Asks the Secret Service whether entries are locked (Linux and the BSDs only). Default: over
   * the process's D-Bus session bus, see `secret-service-lock.ts`.
   */
  readonly lockProbe?: LockProbe;
  /**
   * The most one entry may hold, in UTF-8 bytes; larger values are kept as several entries
   * (entry-parts.ts). Default: Windows Credential Manager's 2,560 on Windows, else no limit.
   */
  readonly maxEntryBytes?: number;
}

/** The service-name prefix of the app's own entries. */
export const DEFAULT_SERVICE_PREFIX = 'MFA Tray';

/** How long one keychain call may take by default. */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 10_000;

/**
 * Windows Credential Manager's limit for one secret (CRED_MAX_CREDENTIAL_BLOB_SIZE, 5 × 512 bytes);
 * keytar stores the value as UTF-8. Larger values are kept as several entries.
 */
export const WINDOWS_MAX_ENTRY_BYTES = 2560;

/**
 * A {@link SecretStore} over keytar: one keychain entry per (kind, profile), with the service
 * `"<prefix>: <kind>"` and the profile name as the account.
 *
 * Calls are serialised, one at a time per backend (so across every instance in the process):
 * libsecret over D-Bus and Windows Credential Manager misbehave under concurrent access. Each call
 * times out: a locked keyring waiting on a password prompt must not hang the app. A call that timed
 * out cannot be cancelled (keytar has no cancellation); it is left to finish in the background and
 * the queue moves on to the next call.
 */
export class KeytarSecretStore implements SecretStore {
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #load: () => Promise<KeytarBackend>;
  readonly #platform: NodeJS.Platform;
  readonly #lockProbe: LockProbe | undefined;
  readonly #maxEntryBytes: number | undefined;
  /** Reads started by {@link prefetch}, by kind and profile, each to be taken once. */
  readonly #prefetched = new Map<string, Promise<string | null>>();

  /**
   * @param servicePrefix Prefix of every service name; tests pass their own so that they never see
   *   or touch the user's entries.
   */
  constructor(servicePrefix: string = DEFAULT_SERVICE_PREFIX, options: KeytarSecretStoreOptions = {}) {
    if (servicePrefix.trim() === '') throw invalidInput('servicePrefix', 'a non-empty name');
    this.#prefix = servicePrefix;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.#load = options.loadBackend ?? loadKeytar;
    this.#platform = options.platform ?? process.platform;
    this.#lockProbe = usesSecretService(this.#platform) ? (options.lockProbe ?? secretServiceLockProbe()) : undefined;
    this.#maxEntryBytes = options.maxEntryBytes ?? (this.#platform === 'win32' ? WINDOWS_MAX_ENTRY_BYTES : undefined);
  }

  /** The keychain service name under which entries of one kind are kept (shown in Keychain Access, Seahorse…). */
  service(kind: SecretKind): string {
    return `${this.#prefix}: ${kind}`;
  }

  /**
   * Starts reading an entry now; the next {@link get} of it takes this read instead of making
   * another. For `credential-process`, which starts the keychain's round trip (on another thread)
   * before loading the code that checks what it reads. Nothing is asked beyond the read itself:
   * the lock check of an absent entry is left to the get, if one follows.
   */
  prefetch(kind: SecretKind, profile: string): void {
    checkProfile(profile);
    const read = this.#readHead(kind, profile);
    read.catch(() => undefined); // the get that takes it reports its failure
    this.#prefetched.set(`${kind}\0${profile}`, read);
  }

  async get(kind: SecretKind, profile: string): Promise<string | undefined> {
    checkProfile(profile);
    const key = `${kind}\0${profile}`;
    const prefetched = this.#prefetched.get(key);
    this.#prefetched.delete(key);
    const value = await (prefetched ?? this.#readHead(kind, profile));
    // libsecret answers "absent" for an entry it could not unlock: ask which it was.
    if (value === null) await this.#refuseIfLocked(kind, profile, 'read', describeEntry(kind, profile));
    if (value === null || partCount(value) === 1) return value ?? undefined;
    const parts = new Map<number, string>();
    for (let n = 2; n <= partCount(value); n += 1) {
      const part = await this.#call('read', kind, profile, undefined, (k) => k.getPassword(this.service(kind), partAccount(profile, n)));
      if (part !== null) parts.set(n, part);
    }
    return joinValue(value, (n) => parts.get(n));
  }

  async set(kind: SecretKind, profile: string, value: string): Promise<void> {
    checkProfile(profile);
    // keytar refuses an empty password, and an empty entry would mean "absent" to every reader anyway.
    if (typeof value !== 'string' || value === '') throw invalidInput(kind, 'a non-empty value');
    this.#prefetched.delete(`${kind}\0${profile}`); // a read started before this write is out of date
    if (this.#maxEntryBytes === undefined) {
      await this.#call('write', kind, profile, value, (k) => k.setPassword(this.service(kind), profile, value));
      return;
    }
    // The further parts first and the head last, so that a reader finds either the old value or the
    // whole new one (the head's hash tells a mix); then the parts a longer old value left behind.
    const before = await this.#storedParts(kind, profile);
    const [head, ...rest] = await splitValue(value, this.#maxEntryBytes);
    for (const [index, part] of rest.entries()) {
      await this.#call('write', kind, profile, part, (k) => k.setPassword(this.service(kind), partAccount(profile, index + 2), part));
    }
    await this.#call('write', kind, profile, head, (k) => k.setPassword(this.service(kind), profile, head as string));
    for (let n = rest.length + 2; n <= before; n += 1) {
      await this.#call('delete', kind, profile, undefined, (k) => k.deletePassword(this.service(kind), partAccount(profile, n)));
    }
  }

  /** How many entries a profile's stored value takes (1 when it is one, or when there is none). */
  async #storedParts(kind: SecretKind, profile: string): Promise<number> {
    const head = await this.#readHead(kind, profile);
    return head === null ? 1 : partCount(head);
  }

  /** The profile's entry of this kind as keytar gives it (the first part of a value kept in several). */
  #readHead(kind: SecretKind, profile: string): Promise<string | null> {
    return this.#call('read', kind, profile, undefined, (k) => k.getPassword(this.service(kind), profile));
  }

  async delete(kind: SecretKind, profile: string): Promise<boolean> {
    checkProfile(profile);
    this.#prefetched.delete(`${kind}\0${profile}`);
    if (this.#maxEntryBytes !== undefined) {
      const parts = await this.#storedParts(kind, profile);
      for (let n = 2; n <= parts; n += 1) {
        await this.#call('delete', kind, profile, undefined, (k) => k.deletePassword(this.service(kind), partAccount(profile, n)));
      }
    }
    const deleted = await this.#call('delete', kind, profile, undefined, (k) => k.deletePassword(this.service(kind), profile));
    // libsecret answers "nothing to delete" for an entry it could not unlock.
    if (!deleted) await this.#refuseIfLocked(kind, profile, 'delete', describeEntry(kind, profile));
    return deleted;
  }

  async getAll(kind: SecretKind): Promise<ReadonlyMap<string, string>> {
    const found = await this.#call('read', kind, undefined, undefined, async (k) => {
      // keytar's findCredentials crashes the process on a locked entry: ask first, unless the
      // backend's listing refuses one itself.
      if (!k.listingRefusesLocked) await this.#refuseIfLocked(kind, undefined, 'read', describeEntry(kind));
      return k.findCredentials(this.service(kind));
    });
    // keytar on macOS lists an item whose secret it could not read (access denied, keychain locked)
    // with an empty account and password: that is no entry of ours.
    const entries = new Map(found.filter((c) => c.account !== '' && c.password !== '').map((c) => [c.account, c.password]));
    const values = new Map<string, string>();
    for (const [account, value] of entries) {
      if (!isPartAccount(account)) values.set(account, await joinValue(value, (n) => entries.get(partAccount(account, n))));
    }
    return values;
  }

  /**
   * The profiles that have an entry of this kind, sorted.
   *
   * keytar can only list entries together with their values, so the values are read and dropped at
   * once; on macOS this may ask for Keychain access once per entry.
   */
  async listProfiles(kind: SecretKind): Promise<string[]> {
    return [...(await this.getAll(kind)).keys()].sort();
  }

  async assertUnlocked(kind: SecretKind): Promise<void> {
    await this.#refuseIfLocked(kind, undefined, 'read', describeEntry(kind));
  }

  /**
   * Throws `keychain-locked` when the Secret Service holds entries of this kind (and profile)
   * locked. Where it cannot tell (no D-Bus client on PATH), keytar's own answer stands.
   */
  async #refuseIfLocked(kind: SecretKind, profile: string | undefined, doing: string, what: string): Promise<void> {
    if (!this.#lockProbe) return;
    const state = await this.#lockProbe(this.service(kind), profile);
    if (state === 'locked') throw lockedError(this.#platform, doing, what);
  }

  async #call<T>(
    doing: string,
    kind: SecretKind,
    profile: string | undefined,
    value: string | undefined,
    op: (backend: KeytarBackend) => Promise<T>,
  ): Promise<T> {
    const what = describeEntry(kind, profile);
    return queueFor(this.#load).run(async () => {
      let backend: KeytarBackend;
      try {
        backend = await this.#load();
      } catch (error) {
        if (error instanceof HelperStartTimeout) throw startTimeoutError(error.ms, doing, what);
        if (error instanceof HelperGone) throw backendError(error, this.#platform, doing, what, undefined);
        throw loadError(error, this.#platform);
      }
      let started: Promise<T>;
      try {
        started = op(backend);
      } catch (error) {
        // keytar validates its arguments synchronously.
        throw backendError(error, this.#platform, doing, what, value);
      }
      return withTimeout(
        started,
        this.#timeoutMs,
        () => timeoutError(this.#timeoutMs, this.#platform, doing, what),
        // At once, before the queue's next call can be handed the same backend; after the timeout's
        // own rejection, so that the caller hears the timeout whatever the call does later.
        () => backend.abandon?.(),
      ).catch((error: unknown) => {
        if (error instanceof MfaTrayError) throw error;
        throw backendError(error, this.#platform, doing, what, value);
      });
    });
  }
}

/** What users call each kind of entry. */
const ENTRY_WORDS: Readonly<Record<SecretKind, readonly [one: string, all: string]>> = {
  'long-lived-key': ['access key', 'stored access keys'],
  'totp-secret': ['TOTP secret', 'stored TOTP secrets'],
  session: ['cached session', 'cached sessions'],
};

/** "the access key of profile "work"", or "the stored access keys": an entry in the user's words. */
function describeEntry(kind: SecretKind, profile?: string): string {
  const [one, all] = ENTRY_WORDS[kind];
  return profile === undefined ? `the ${all}` : `the ${one} of profile "${profile}"`;
}

/** Linux and the BSDs reach their keychain through libsecret and the Secret Service. */
export function usesSecretService(platform: NodeJS.Platform): boolean {
  return platform === 'linux' || platform === 'freebsd' || platform === 'openbsd';
}

function checkProfile(profile: string): void {
  if (typeof profile !== 'string' || profile === '') throw invalidInput('profile', 'a non-empty profile name');
}

/** Imports keytar, accepting both shapes Node and bundlers give a CommonJS module. */
export async function loadKeytar(): Promise<KeytarBackend> {
  const module = (await import('keytar')) as unknown as Partial<KeytarBackend> & { default?: Partial<KeytarBackend> };
  // Node's ESM loader puts a CommonJS module's exports on `default` (and only some of them as named
  // exports); a bundler may give the exports themselves.
  const api = [module.default, module].find(
    (m) => m && (['getPassword', 'setPassword', 'deletePassword', 'findCredentials'] as const).every((f) => typeof m[f] === 'function'),
  );
  if (!api) throw new Error('the keytar module does not have the expected functions');
  const keytar = api as KeytarBackend;
  return usesSecretService(process.platform) ? listingOverDbus(keytar) : keytar;
}

/**
 * keytar, with its listing made on the Secret Service over D-Bus directly (secret-service-listing.ts:
 * a few round trips instead of three per entry, a locked collection refused), and through keytar
 * only where that client cannot begin, after asking whether the entries are locked (keytar's own
 * listing crashes the process on a locked entry). `abandon` gives up on a listing under way.
 */
function listingOverDbus(keytar: KeytarBackend): KeytarBackend {
  let underWay: AbortController | undefined;
  return {
    getPassword: (service, account) => keytar.getPassword(service, account),
    setPassword: (service, account, password) => keytar.setPassword(service, account, password),
    deletePassword: (service, account) => keytar.deletePassword(service, account),
    findCredentials: async (service) => {
      const controller = new AbortController();
      underWay = controller;
      try {
        const { findCredentials, ListingNotStarted } = await import('./secret-service-listing');
        try {
          return await findCredentials(service, { signal: controller.signal });
        } catch (error) {
          if (!(error instanceof ListingNotStarted) || controller.signal.aborted) throw error;
        }
        if ((await secretServiceLockProbe()(service)) === 'locked') throw new Error('the entries are in a locked collection');
        // Given up on meanwhile: keytar's call could not be stopped, and the store has moved on.
        if (controller.signal.aborted) throw new Error('the listing was given up on');
        return await keytar.findCredentials(service);
      } finally {
        if (underWay === controller) underWay = undefined;
      }
    },
    listingRefusesLocked: true,
    abandon: () => underWay?.abort(),
  };
}

/** Runs tasks one at a time, in order; a failed or timed-out task does not block the next. */
class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

// One queue per backend loader: every store using the real keytar shares one, whatever its prefix.
const queues = new WeakMap<() => Promise<KeytarBackend>, SerialQueue>();

function queueFor(load: () => Promise<KeytarBackend>): SerialQueue {
  let queue = queues.get(load);
  if (!queue) {
    queue = new SerialQueue();
    queues.set(load, queue);
  }
  return queue;
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error, afterTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Not unref'd: a keychain call that never answers must end in an error, not in a silent exit.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
      afterTimeout();
    }, ms);
  });
  // race() also subscribes to `promise`, so a late failure of an abandoned call is never unhandled.
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function timeoutError(ms: number, platform: NodeJS.Platform, doing: string, what: string): MfaTrayError {
  const seconds = Math.max(1, Math.round(ms / 1000));
  return new MfaTrayError(
    'keychain-timeout',
    `The keychain did not answer within ${seconds} s (to ${doing} ${what}). It may be locked and waiting for its password: ${unlockAdvice(platform)}, then try again.`,
    { retryable: true },
  );
}

function startTimeoutError(ms: number, doing: string, what: string): MfaTrayError {
  return new MfaTrayError(
    'keychain-timeout',
    `Cannot ${doing} ${what}: the keychain helper (the process that makes MFA Tray's keychain calls) did not start within ${Math.max(1, Math.round(ms / 1000))} s; the computer may be very busy. Try again.`,
    { retryable: true },
  );
}

function unlockAdvice(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'unlock the login keychain (Keychain Access) and allow MFA Tray when macOS asks';
  if (platform === 'win32') return 'sign in to Windows again or check Credential Manager';
  return 'unlock your keyring (for example in Passwords and Keys / Seahorse, or KeePassXC)';
}

/** Linux: a Secret Service is reached over the D-Bus session bus; which of the two is missing? */
function linuxDiagnosis(message: string): string {
  if (/The name :\d+\.\d+ was not provided/.test(message)) {
    // libsecret stays bound to the daemon it first talked to; a restarted keyring is a new peer.
    return 'the Secret Service this process was using has stopped or was restarted; quit MFA Tray (and any mfa-tray watch) and start it again';
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service files/i.test(message)) {
    return 'no Secret Service is running on the D-Bus session bus';
  }
  if (/autolaunch|\$DISPLAY|Could not connect|Failed to connect|No such file or directory|Connection refused|dbus/i.test(message)) {
    return 'there is no D-Bus session bus to reach a Secret Service on';
  }
  if (/collection|locked|prompt|dismiss|unlock/i.test(message)) {
    return 'the keyring is locked, or it has no default keyring and could not ask for a password';
  }
  return 'the Secret Service refused the request';
}

const LINUX_ADVICE =
  'On Linux a Secret Service such as gnome-keyring or KeePassXC must be running and unlocked in your desktop session ' +
  '(Debian/Ubuntu packages: gnome-keyring, libsecret-1-0). Without a desktop session (SSH, containers), run MFA Tray inside ' +
  "one: dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets < keyring-password-file; mfa-tray watch' " +
  '(gnome-keyring-daemon reads the keyring password on stdin).';

const NO_PLAINTEXT = 'MFA Tray keeps keys only in the OS keychain and never falls back to a plaintext file.';

/** How to unlock the keychain, on this platform, in one sentence. */
function unlockInstructions(platform: NodeJS.Platform): string {
  if (platform === 'darwin')
    return 'Unlock the login keychain (Keychain Access, or over SSH: security unlock-keychain ~/Library/Keychains/login.keychain-db), then try again.';
  if (platform === 'win32') return 'Sign in to Windows again, then try again.';
  return 'Unlock it in your desktop session (Passwords and Keys / Seahorse, or KeePassXC), or over SSH run: gnome-keyring-daemon --replace --unlock --components=secrets (type the keyring password, then Ctrl-D); then try again.';
}

function lockedError(platform: NodeJS.Platform, doing: string, what: string): MfaTrayError {
  return new MfaTrayError('keychain-locked', `Cannot ${doing} ${what}: the keychain is locked. ${unlockInstructions(platform)}`, { retryable: true });
}

function backendError(error: unknown, platform: NodeJS.Platform, doing: string, what: string, value: string | undefined): MfaTrayError {
  const reason = redact(messageOf(error), value);
  if (error instanceof HelperGone) {
    // Not the keychain's doing: the process that made the call for this one.
    return new MfaTrayError(
      'keychain-unavailable',
      `Cannot ${doing} ${what}: ${reason} (the process that makes MFA Tray's keychain calls; the next call starts another). Try again.`,
      { retryable: true },
    );
  }
  if (usesSecretService(platform) && /locked collection|IsLocked|prompt was dismissed/i.test(reason)) return lockedError(platform, doing, what);
  if (usesSecretService(platform)) {
    return new MfaTrayError(
      'keychain-unavailable',
      `Cannot ${doing} ${what} in the keychain: ${linuxDiagnosis(reason)} (${reason}). ${NO_PLAINTEXT} ${LINUX_ADVICE}`,
    );
  }
  if (platform === 'darwin') {
    return new MfaTrayError(
      'keychain-unavailable',
      `Cannot ${doing} ${what} in the macOS Keychain (${reason}). ${NO_PLAINTEXT} Unlock the login keychain in Keychain Access and allow MFA Tray when macOS asks.`,
    );
  }
  if (platform === 'win32') {
    return new MfaTrayError(
      'keychain-unavailable',
      `Cannot ${doing} ${what} in Windows Credential Manager (${reason}). ${NO_PLAINTEXT} Check that Credential Manager works for your account (Control Panel > Credential Manager).`,
    );
  }
  return new MfaTrayError('keychain-unavailable', `Cannot ${doing} ${what} in the keychain (${reason}). ${NO_PLAINTEXT}`);
}

function loadError(error: unknown, platform: NodeJS.Platform): MfaTrayError {
  const reason = messageOf(error);
  const linux = platform === 'linux' && /libsecret/i.test(reason) ? ' The system library libsecret is missing: install the package libsecret-1-0.' : '';
  return new MfaTrayError(
    'keychain-unavailable',
    `The keychain module (keytar, a native module) could not be loaded: ${reason}.${linux} Reinstall MFA Tray, or in a checkout run \`npm ci\` so that it is built for this Node or Electron version. ${NO_PLAINTEXT}`,
  );
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // One line: the messages end up in a tray tooltip or a single stderr line.
  return (
    text
      .split('\n')[0]
      ?.trim()
      .replace(/[.\s]+$/, '') || 'unknown error'
  );
}

/** Backends never put the value in an error message, but nothing guarantees it: make sure. */
function redact(text: string, value: string | undefined): string {
  return value && value.length >= 4 ? text.split(value).join('[redacted]') : text;
}
