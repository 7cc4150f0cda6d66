/**
 * Work done in a short-lived process of its own, for the processes that run for days (`mfa-tray
 * watch`, the tray app): what that work loads or leaves behind goes when the helper ends, a few
 * seconds after its last call. Two helpers use this: the keychain's (keychain/keychain-helper.ts: keytar, whose
 * reads keep native memory on Linux) and AWS's (aws/aws-helper.ts: the AWS SDK, ~4 MB of heap that a
 * process keeps once it has made one call).
 *
 * One helper process per script at a time, started on the first call and after every exit. A call
 * given up on (its caller's time limit) is abandoned with its helper: the next call starts another,
 * and the abandoned one is let go when its call ends, or killed after {@link HELPER_ABANDONED_MS}.
 * Requests and answers cross only the IPC channel Node's `fork` (or Electron's utility process)
 * opens: never argv, a file or the helper's output, which is ignored. The helper's side is
 * helper-main.ts.
 *
 * Written here rather than taken from a worker-pool package: a pool keeps its workers, and the
 * point is a process that ends.
 */
import type { ChildProcess } from 'node:child_process';

/** How long a helper stays after its last answer: a refresh's calls come within this. */
export const HELPER_IDLE_MS = 3_000;

/**
 * How many calls one helper makes before it is let go at its next pause, however busy it is kept
 * (what each call leaves behind stays bounded).
 */
export const HELPER_MAX_CALLS = 500;

/**
 * How long a helper whose call was given up on may go on with it before it is killed. Not at once:
 * a keychain call may be waiting on an unlock prompt the user is typing into, which would close with it.
 */
export const HELPER_ABANDONED_MS = 120_000;

/** How many helpers given up on may be left to their calls at once (per script). */
export const HELPER_ABANDONED_MAX = 2;

/** How long a helper may take to start and load what it needs (Electron as Node on a busy machine). */
export const HELPER_START_MS = 15_000;

/** Parent → helper: one call, or the end of a call's caller's interest in it (the helper aborts it where it can). */
export type HelperRequest = { readonly id: number; readonly op: string; readonly args: readonly unknown[] } | { readonly id: number; readonly cancel: true };

/** Helper → parent: it loaded what it needs, or not (with why), or the answer to one call. */
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

/** Starts the helper script (`name`: what it is, for the OS's process list where it shows one). */
export type StartHelper = (script: string, events: HelperEvents, name: string) => Promise<HelperProcess>;

/** The helper's process ended or could not be reached: the call failed, and the next one starts another. */
export class HelperGone extends Error {}

/** The call never reached a helper (it had stopped, or the channel refused it): the helper never saw it. */
export class HelperNotReached extends HelperGone {}

/** The helper did not start within `ms` (a very busy computer). */
export class HelperStartTimeout extends Error {
  constructor(
    message: string,
    readonly ms: number,
  ) {
    super(message);
  }
}

/** The running helper, to call. */
export interface HelperConnection {
  /**
   * Makes one call in the helper; fails with {@link HelperGone} when the helper ends first
   * ({@link HelperNotReached} when the call never reached it). `signal`: the caller no longer needs
   * the answer, and the helper is told so (it aborts the call where it can); the call still ends
   * with the helper's answer. `withinMs`: how long its caller waits for it at most; a helper given
   * up on is killed once every call of it that said so is past that (the others: after
   * {@link HELPER_ABANDONED_MS}).
   */
  call(op: string, args: readonly unknown[], signal?: AbortSignal, withinMs?: number): Promise<unknown>;
  /**
   * Gives up on this helper (a call of it took too long): the next call starts another. This one
   * is let go once its calls end (each still bounded by its caller), or killed once they are past
   * their callers' time (see `call`); at most {@link HELPER_ABANDONED_MAX} are left so.
   */
  abandon(): void;
}

/** Options for {@link helperProcess}; tests shorten the waits. */
export interface HelperOptions {
  /** What it is, in messages: "the keychain helper". */
  readonly name: string;
  /** What it loads before it says it is ready, in messages: "keytar". */
  readonly loads: string;
  /** How the process is started. Default: Node's `fork`. */
  readonly start?: StartHelper;
  readonly idleMs?: number;
  readonly startMs?: number;
  readonly maxCalls?: number;
  readonly abandonedMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** When its caller gives up on it (performance.now()), if it said. */
  readonly deadline: number | undefined;
}

/** One started helper: its process and the calls it has not answered. */
interface Running {
  readonly process: HelperProcess;
  readonly pending: Map<number, Pending>;
  /** Calls sent to it. */
  calls: number;
}

/** One helper process at a time for one script, and the ones given up on that still have calls. */
class Helper {
  readonly #script: string;
  readonly #name: string;
  readonly #loads: string;
  readonly #startHelper: StartHelper;
  readonly #idleMs: number;
  readonly #startMs: number;
  readonly #maxCalls: number;
  readonly #abandonedMs: number;
  /** The helper new calls go to. */
  #current: Running | undefined;
  /** Helpers given up on, oldest first, each let go once its calls end, or killed at its timer. */
  readonly #abandoned = new Map<Running, ReturnType<typeof setTimeout>>();
  #ready: Promise<HelperConnection> | undefined;
  #nextId = 1;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(script: string, options: HelperOptions) {
    this.#script = script;
    this.#name = options.name;
    this.#loads = options.loads;
    this.#startHelper = options.start ?? forkHelper;
    this.#idleMs = options.idleMs ?? HELPER_IDLE_MS;
    this.#startMs = options.startMs ?? HELPER_START_MS;
    this.#maxCalls = options.maxCalls ?? HELPER_MAX_CALLS;
    this.#abandonedMs = options.abandonedMs ?? HELPER_ABANDONED_MS;
  }

  /** The running helper, started first when there is none. */
  readonly connect = (): Promise<HelperConnection> => {
    this.#ready ??= this.#start();
    return this.#ready;
  };

  /** The process ID of the helper new calls go to, while one runs (for tests and the benchmark). */
  get pid(): number | undefined {
    return this.#current?.process.pid;
  }

  #start(): Promise<HelperConnection> {
    let onReady: ((connection: HelperConnection) => void) | undefined;
    let onFailure: ((error: Error) => void) | undefined;
    const ready = new Promise<HelperConnection>((resolve, reject) => {
      onReady = resolve;
      onFailure = reject;
    });
    let running: Running | undefined;
    let started = false;
    let timedOut = false;
    /** It ended before this start was done with it. */
    let ended = false;
    const timer = setTimeout(() => {
      timedOut = true;
      onFailure?.(new HelperStartTimeout(`${this.#name} (${this.#script}) did not start`, this.#startMs));
      if (running) this.#end(running, true);
      else if (this.#ready === ready) this.#ready = undefined; // the next call starts another
    }, this.#startMs);
    const events: HelperEvents = {
      message: (message) => {
        if (!running) return;
        if (message.kind === 'answer') {
          this.#settle(running, message.id, message.ok ? message.value : undefined, message.ok ? undefined : new Error(message.message));
          return;
        }
        if (running !== this.#current || started) return;
        if (message.kind === 'ready') {
          started = true;
          clearTimeout(timer);
          onReady?.(this.#connection(running));
          this.#idle(running);
        } else {
          clearTimeout(timer);
          onFailure?.(new Error(message.message));
          this.#end(running, true);
        }
      },
      exit: (how, broken) => {
        clearTimeout(timer);
        if (!started) {
          const why = `${this.#name} (${this.#script}) ${how} before it could load ${this.#loads}`;
          onFailure?.(broken ? new Error(why) : new HelperGone(why));
          ended = true;
          if (this.#ready === ready) this.#ready = undefined; // the next call starts another
        }
        if (running) this.#forget(running, how);
      },
    };
    this.#startHelper(this.#script, events, this.#name).then(
      (process) => {
        if (timedOut || ended) {
          process.kill(); // too late, or gone: the call that waited for it has failed, the next starts another
          return;
        }
        running = { process, pending: new Map(), calls: 0 };
        this.#current = running;
        // Busy until it says it is ready.
        process.hold(true);
      },
      (error: unknown) => {
        clearTimeout(timer);
        onFailure?.(new Error(`${this.#name} could not be started: ${error instanceof Error ? error.message : String(error)}`));
        if (this.#ready === ready) this.#ready = undefined;
      },
    );
    return ready;
  }

  #connection(running: Running): HelperConnection {
    return {
      call: (op, args, signal, withinMs) => this.#call(running, op, args, signal, withinMs),
      abandon: () => this.#abandon(running),
    };
  }

  #call(running: Running, op: string, args: readonly unknown[], signal: AbortSignal | undefined, withinMs: number | undefined): Promise<unknown> {
    if (running !== this.#current) return Promise.reject(new HelperNotReached(`${this.#name} has stopped`));
    clearTimeout(this.#idleTimer);
    running.process.hold(true);
    running.calls += 1;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      running.pending.set(id, { resolve, reject, deadline: withinMs === undefined ? undefined : performance.now() + withinMs });
      try {
        running.process.send({ id, op, args });
      } catch (error) {
        this.#settle(
          running,
          id,
          undefined,
          new HelperNotReached(`${this.#name} could not be reached: ${error instanceof Error ? error.message : String(error)}`),
        );
        // A helper whose channel refuses is of no more use: the next call starts another.
        if (running === this.#current) this.#end(running, true);
        return;
      }
      const cancel = (): void => {
        try {
          if (running.pending.has(id)) running.process.send({ id, cancel: true });
        } catch {
          // Gone meanwhile: its exit fails the call.
        }
      };
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  #settle(running: Running, id: number, value: unknown, error: Error | undefined): void {
    const pending = running.pending.get(id);
    if (!pending) return;
    running.pending.delete(id);
    if (error) pending.reject(error);
    else pending.resolve(value);
    if (running.pending.size > 0) return;
    if (running === this.#current) this.#idle(running);
    // One given up on whose calls have all ended: it may go.
    else if (this.#abandoned.has(running)) this.#letGo(running);
  }

  /** Nothing pending: the helper no longer keeps this process alive, and ends when idle long enough. */
  #idle(running: Running): void {
    if (running !== this.#current) return;
    running.process.hold(false);
    clearTimeout(this.#idleTimer);
    if (running.calls >= this.#maxCalls) {
      this.#end(running, false);
      return;
    }
    this.#idleTimer = setTimeout(() => {
      if (running.pending.size === 0) this.#end(running, false);
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  /** See {@link HelperConnection.abandon}. */
  #abandon(running: Running): void {
    if (running !== this.#current) return;
    this.#retire(running);
    // Its calls no longer keep this process alive: each caller has its own time limit.
    running.process.hold(false);
    if (running.pending.size === 0) {
      this.#letGo(running);
      return;
    }
    // At most two left to their calls (each a process and, maybe, an unlock prompt): the oldest goes.
    const [oldest] = this.#abandoned.keys();
    if (oldest && this.#abandoned.size >= HELPER_ABANDONED_MAX) this.#end(oldest, true);
    // Killed when the last of its callers stops waiting; a call that did not say how long (the
    // keychain's, maybe on an unlock prompt being typed into) keeps it the longer wait.
    const deadlines = [...running.pending.values()].map((p) => p.deadline);
    const waitMs = deadlines.includes(undefined) ? this.#abandonedMs : Math.max(0, ...deadlines.map((d) => (d as number) - performance.now()));
    const timer = setTimeout(() => this.#end(running, true), waitMs);
    timer.unref();
    this.#abandoned.set(running, timer);
  }

  /** New calls no longer go to `running`, if they did: the next call starts another helper. */
  #retire(running: Running): void {
    if (running !== this.#current) return;
    this.#current = undefined;
    this.#ready = undefined;
    clearTimeout(this.#idleTimer);
  }

  /** Lets `running` go (`kill`: at once), whether it was the helper or one given up on. */
  #letGo(running: Running, kill = false): void {
    clearTimeout(this.#abandoned.get(running));
    this.#abandoned.delete(running);
    if (kill) running.process.kill();
    else running.process.release();
  }

  /** Ends `running` (`kill`: at once; else let go); what it had pending fails. */
  #end(running: Running, kill: boolean): void {
    this.#forget(running, kill ? 'was stopped' : 'was let go');
    this.#letGo(running, kill);
  }

  /** `running` is gone or going: what it had pending fails, and, if it was the helper, the next call starts another. */
  #forget(running: Running, how: string): void {
    clearTimeout(this.#abandoned.get(running));
    this.#abandoned.delete(running);
    this.#retire(running);
    const pending = [...running.pending.values()];
    running.pending.clear();
    for (const p of pending) p.reject(new HelperGone(`${this.#name} ${how} before it answered`));
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

const helpers = new Map<string, Helper>();

/**
 * The helper that runs `script`, one per script in the process (so that every caller shares its one
 * process). Options count only for the first call with a script: only tests pass others.
 */
export function helperProcess(script: string, options: HelperOptions): { readonly connect: () => Promise<HelperConnection>; readonly pid: number | undefined } {
  let helper = helpers.get(script);
  if (!helper) {
    helper = new Helper(script, options);
    helpers.set(script, helper);
  }
  return helper;
}
