/**
 * keytar in a process of its own, for the processes that run for days (`mfa-tray watch`, the tray
 * app) where the keychain is the Secret Service (Linux, the BSDs).
 *
 * Why a process: there every keychain read leaves memory behind for the life of the process that
 * made it, and neither leak is ours to mend. libsecret 0.20's lookup loses a D-Bus reply per
 * `getPassword` (~1–3 KB of RSS), and keytar, archived, never frees what `findCredentials` lists
 * (~5 KB an entry): README's benchmark, rows 4 and 4b. The helper makes the calls and exits once it
 * has been idle for {@link HELPER_IDLE_MS}, taking that memory with it; the long-running process
 * never loads keytar, libsecret or GLib at all. A crash in the native code ends the helper, not
 * the app: the call fails with a plain keychain error and the next call starts a new helper.
 *
 * The calls are keytar's own four: {@link KeytarSecretStore} keeps its queue, its timeouts, its lock
 * checks and its messages. A call that timed out is abandoned, and so is its helper: the next call
 * starts another, and the abandoned one is let go when its call ends (it may be waiting on an
 * unlock prompt the user is answering), or killed after {@link HELPER_ABANDONED_MS}; keytar
 * in-process could never be stopped at all. Secrets cross only the IPC channel Node's `fork` (or
 * Electron's utility process) opens: never argv, a file or the helper's output, which is ignored.
 *
 * Written here rather than taken from a worker-pool package: a pool keeps its workers, and the
 * point is a process that ends.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BackendGone, BackendStartTimeout, DEFAULT_SERVICE_PREFIX, KeytarSecretStore, usesSecretService, type KeytarBackend } from './keytar-secret-store';

/** How long the helper stays after its last answer: a refresh's reads and write come within this. */
export const HELPER_IDLE_MS = 3_000;

/**
 * How many calls one helper makes before it is let go at its next pause, however busy it is kept
 * (what each read leaves behind stays bounded).
 */
export const HELPER_MAX_CALLS = 500;

/**
 * How long a helper whose call timed out may go on with it before it is killed. Not at once: the
 * call may be waiting on an unlock prompt the user is typing into, which would close with it.
 */
export const HELPER_ABANDONED_MS = 120_000;

/** How many helpers given up on may be left to their calls at once. */
export const HELPER_ABANDONED_MAX = 2;

/** How long the helper may take to start and load keytar (Electron as Node on a busy machine). */
export const HELPER_START_MS = 15_000;

/** The helper's file name, beside the bundles in app/dist/ (scripts/build.mjs). */
export const HELPER_FILE = 'keychain-helper.cjs';

/** keytar's four calls, by name, with their arguments. */
export type HelperOp = keyof Omit<KeytarBackend, 'abandon'>;

/** Parent → helper: one keytar call. */
export interface HelperRequest {
  readonly id: number;
  readonly op: HelperOp;
  readonly args: readonly string[];
}

/** Helper → parent: keytar loaded, or not (with why), or the answer to one call. */
export type HelperMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'load-failed'; readonly message: string }
  | { readonly kind: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'answer'; readonly id: number; readonly ok: false; readonly message: string };

/** What the helper's process tells: a message, or its end (how it ended, in words). */
export interface HelperEvents {
  message(message: HelperMessage): void;
  /**
   * It ended, or could not be started. `broken`: it ended by itself with an exit code before it was
   * ready (a helper file that is missing or cannot run: reinstall); otherwise (a signal, a failed
   * spawn) the next call may well work.
   */
  exit(how: string, broken: boolean): void;
}

/**
 * A started helper, as Node's `fork` (here) or Electron's `utilityProcess` (the tray app's adapter:
 * its packed binary cannot run as Node) gives it.
 */
export interface HelperProcess {
  readonly pid: number | undefined;
  /** Sends one request; throws when the helper can no longer be reached. */
  send(request: HelperRequest): void;
  /** Lets it go: it ends on its own (Node: its channel closes; Electron: asked to end). */
  release(): void;
  /** Ends it now (a call given up on, a helper that does not start). */
  kill(): void;
  /** Whether it keeps this process alive: while a call is waiting on it, not while it is idle. */
  hold(busy: boolean): void;
}

/** Starts the helper script; its events are reported to `events`. */
export type StartHelper = (script: string, events: HelperEvents) => Promise<HelperProcess>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Options for {@link keychainHelper}; tests shorten the waits. */
export interface KeychainHelperOptions {
  /** How the process is started. Default: Node's `fork`. */
  readonly start?: StartHelper;
  readonly idleMs?: number;
  readonly startMs?: number;
  readonly maxCalls?: number;
  readonly abandonedMs?: number;
}

/**
 * One helper process at a time, started on the first call and after every exit. Its `load` is a
 * {@link KeytarSecretStore} backend loader; one per script, so that every store of the process
 * shares the store's one queue (keyed by the loader).
 */
class KeychainHelper {
  readonly #script: string;
  readonly #startHelper: StartHelper;
  readonly #idleMs: number;
  readonly #startMs: number;
  readonly #maxCalls: number;
  readonly #abandonedMs: number;
  #child: HelperProcess | undefined;
  /** Helpers whose call timed out, each let go once it answers, or killed at its timer. */
  readonly #abandoned = new Map<HelperProcess, ReturnType<typeof setTimeout>>();
  /** Calls sent to the running helper. */
  #calls = 0;
  #ready: Promise<KeytarBackend> | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(script: string, options: KeychainHelperOptions) {
    this.#script = script;
    this.#startHelper = options.start ?? forkHelper;
    this.#idleMs = options.idleMs ?? HELPER_IDLE_MS;
    this.#startMs = options.startMs ?? HELPER_START_MS;
    this.#maxCalls = options.maxCalls ?? HELPER_MAX_CALLS;
    this.#abandonedMs = options.abandonedMs ?? HELPER_ABANDONED_MS;
  }

  /** The running helper's backend, started first when there is none. */
  readonly load = (): Promise<KeytarBackend> => {
    this.#ready ??= this.#start();
    return this.#ready;
  };

  /** The helper's process ID while one runs (for tests and the benchmark). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #start(): Promise<KeytarBackend> {
    let onReady: ((backend: KeytarBackend) => void) | undefined;
    let onFailure: ((error: Error) => void) | undefined;
    const ready = new Promise<KeytarBackend>((resolve, reject) => {
      onReady = resolve;
      onFailure = reject;
    });
    let child: HelperProcess | undefined;
    let started = false;
    let timedOut = false;
    /** It ended before this start was done with it. */
    let ended = false;
    const timer = setTimeout(() => {
      timedOut = true;
      onFailure?.(new BackendStartTimeout(`the keychain helper (${this.#script}) did not start`, this.#startMs));
      if (child) this.#end(child, true);
      else if (this.#ready === ready) this.#ready = undefined; // the next call starts another
    }, this.#startMs);
    const events: HelperEvents = {
      message: (message) => {
        if (child && this.#abandoned.has(child)) {
          // Its call, given up on, has ended: it may go.
          if (message.kind === 'answer') this.#letGo(child);
          return;
        }
        if (!child || child !== this.#child) return;
        if (message.kind === 'ready') {
          started = true;
          clearTimeout(timer);
          onReady?.(this.#backend(child));
          this.#idle(child);
        } else if (message.kind === 'load-failed') {
          clearTimeout(timer);
          onFailure?.(new Error(message.message));
          this.#end(child, true);
        } else {
          this.#settle(child, message.id, message.ok ? message.value : undefined, message.ok ? undefined : new Error(message.message));
        }
      },
      exit: (how, broken) => {
        clearTimeout(timer);
        if (!started) {
          const why = `the keychain helper (${this.#script}) ${how} before it could load keytar`;
          onFailure?.(broken ? new Error(why) : new BackendGone(why));
          ended = true;
          if (this.#ready === ready) this.#ready = undefined; // the next call starts another
        }
        if (child) {
          this.#dropAbandoned(child);
          this.#forget(child, how);
        }
      },
    };
    this.#startHelper(this.#script, events).then(
      (process) => {
        if (timedOut || ended) {
          process.kill(); // too late, or gone: the call that waited for it has failed, the next starts another
          return;
        }
        child = process;
        this.#child = process;
        this.#calls = 0;
        // Busy until it says it is ready.
        process.hold(true);
      },
      (error: unknown) => {
        clearTimeout(timer);
        onFailure?.(new Error(`the keychain helper could not be started: ${error instanceof Error ? error.message : String(error)}`));
        if (this.#ready === ready) this.#ready = undefined;
      },
    );
    return ready;
  }

  /** keytar's calls, each sent to `child`. */
  #backend(child: HelperProcess): KeytarBackend {
    const call = <T>(op: HelperOp, args: readonly string[]): Promise<T> => this.#call(child, op, args) as Promise<T>;
    return {
      getPassword: (service, account) => call('getPassword', [service, account]),
      setPassword: (service, account, password) => call('setPassword', [service, account, password]),
      deletePassword: (service, account) => call('deletePassword', [service, account]),
      findCredentials: (service) => call('findCredentials', [service]),
      // A call the store gave up on cannot be taken back from keytar: the helper making it is left to
      // it, and the next call starts another.
      abandon: () => this.#abandon(child),
    };
  }

  #call(child: HelperProcess, op: HelperOp, args: readonly string[]): Promise<unknown> {
    if (child !== this.#child) return Promise.reject(new BackendGone('the keychain helper has stopped'));
    clearTimeout(this.#idleTimer);
    child.hold(true);
    this.#calls += 1;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        child.send({ id, op, args });
      } catch (error) {
        this.#settle(
          child,
          id,
          undefined,
          new BackendGone(`the keychain helper could not be reached: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    });
  }

  #settle(child: HelperProcess, id: number, value: unknown, error: Error | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (error) pending.reject(error);
    else pending.resolve(value);
    if (this.#pending.size === 0) this.#idle(child);
  }

  /** Nothing pending: the helper no longer keeps this process alive, and ends when idle long enough. */
  #idle(child: HelperProcess): void {
    if (child !== this.#child) return;
    child.hold(false);
    clearTimeout(this.#idleTimer);
    if (this.#calls >= this.#maxCalls) {
      this.#end(child, false);
      return;
    }
    this.#idleTimer = setTimeout(() => {
      if (this.#pending.size === 0) this.#end(child, false);
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  /**
   * The store gave up on `child`'s call (it timed out): the next call starts another helper, and
   * this one is let go once its call ends, or killed after {@link HELPER_ABANDONED_MS}.
   */
  #abandon(child: HelperProcess): void {
    if (child !== this.#child) return;
    this.#forget(child, 'was given up on');
    // At most two left to their calls (each a process and, maybe, an unlock prompt): the oldest goes.
    const [oldest] = this.#abandoned.keys();
    if (oldest && this.#abandoned.size >= HELPER_ABANDONED_MAX) this.#letGo(oldest, true);
    child.hold(false);
    const timer = setTimeout(() => this.#letGo(child, true), this.#abandonedMs);
    timer.unref();
    this.#abandoned.set(child, timer);
  }

  /** Lets `child` go (`kill`: at once), whether it was the helper or one given up on. */
  #letGo(child: HelperProcess, kill = false): void {
    this.#dropAbandoned(child);
    if (kill) child.kill();
    else child.release();
  }

  #dropAbandoned(child: HelperProcess): void {
    clearTimeout(this.#abandoned.get(child));
    this.#abandoned.delete(child);
  }

  /** Lets the helper go (`kill`: at once); the next call starts a new one. */
  #end(child: HelperProcess, kill: boolean): void {
    this.#forget(child, kill ? 'was stopped' : 'was let go');
    this.#letGo(child, kill);
  }

  /** `child` is no longer the helper: what it had pending fails, and the next call starts another. */
  #forget(child: HelperProcess, how: string): void {
    if (child !== this.#child) return;
    this.#child = undefined;
    this.#ready = undefined;
    clearTimeout(this.#idleTimer);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new BackendGone(`the keychain helper ${how} before it answered`));
  }
}

/** The helper under Node: `fork`, with an IPC channel whose closing ends it. */
export const forkHelper: StartHelper = async (script, events) => {
  // Loaded on the first call: the command's other paths never start a helper.
  const { fork } = await import('node:child_process');
  const child: ChildProcess = fork(script, [], {
    // Not the parent's flags (a test's loader, --inspect): the helper is a plain script. NODE_OPTIONS,
    // which the user set for every Node process, still applies.
    execArgv: [],
    // Its output is never read: nothing it prints may carry a secret anywhere.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
    // A process group of its own: Ctrl-C in watch's terminal goes to watch's group, and watch lets
    // the call in progress finish; the helper ends when its channel closes.
    detached: true,
  });
  child.on('message', (message: HelperMessage) => events.message(message));
  child.on('error', (error) => {
    // A failed spawn (Node gone from its path under a long-running watch, no processes left) has no
    // 'exit' to follow; a failed send or kill is reported where it was made.
    if (child.pid === undefined) events.exit(`could not be started (${error.message})`, false);
  });
  child.on('exit', (code, signal) => events.exit(signal ? `was stopped by ${signal}` : `ended with exit code ${String(code)}`, signal === null && code !== 0));
  const channel = (child as ChildProcess & { channel?: { ref(): void; unref(): void } | null }).channel ?? undefined;
  return {
    get pid() {
      return child.pid;
    },
    send(request) {
      if (!child.connected) throw new Error('its channel is closed');
      child.send(request);
    },
    release() {
      if (child.connected) child.disconnect();
    },
    kill() {
      child.kill('SIGKILL');
    },
    hold(busy) {
      if (busy) {
        child.ref();
        channel?.ref();
      } else {
        child.unref();
        channel?.unref();
      }
    },
  };
};

const helpers = new Map<string, KeychainHelper>();

/** The helper that runs `script` (one per script in the process), as a backend loader and its process. */
export function keychainHelper(
  script: string,
  options: KeychainHelperOptions = {},
): { readonly load: () => Promise<KeytarBackend>; readonly pid: number | undefined } {
  let helper = helpers.get(script);
  if (!helper) {
    helper = new KeychainHelper(script, options);
    helpers.set(script, helper);
  }
  return helper;
}

/**
 * The keychain for a process that runs for days: keytar in the helper beside the bundles in
 * `distDir` where keychain reads keep memory, else keytar in this process (macOS and Windows: no
 * such leak, and a helper there would be the whole Electron binary started for every few calls).
 * Without `distDir` (the engine run from its sources) keytar stays in this process.
 */
export function longRunningSecretStore(
  distDir: string | undefined,
  {
    prefix = DEFAULT_SERVICE_PREFIX,
    platform = process.platform,
    start,
  }: { readonly prefix?: string; readonly platform?: NodeJS.Platform; readonly start?: StartHelper } = {},
): KeytarSecretStore {
  // Keychain reads keep memory for the life of the process where keytar goes through libsecret.
  if (distDir === undefined || !usesSecretService(platform)) return new KeytarSecretStore(prefix, { platform });
  return new KeytarSecretStore(prefix, { platform, loadBackend: keychainHelper(join(distDir, HELPER_FILE), start ? { start } : {}).load });
}
