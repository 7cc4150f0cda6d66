/**
 * What every command gets: the process's streams and environment, and the engine, created on
 * first use (so that `--help` and usage errors never touch the keychain or a file).
 */
import { createEngine, longRunning, type Engine } from '../engine';
import { cliSecretStore, keychainPrefix, type CachedSessionLookup } from './cached-session';

/** A credential-process lookup already made (by main.ts's cheap path), to be taken once. */
export interface CachedLookup {
  readonly name: string;
  readonly lookup: Promise<CachedSessionLookup>;
}

/** Environment variable that makes unexpected failures print their stack trace (for bug reports). */
export const DEBUG_ENV = 'MFA_TRAY_DEBUG';

export interface CliStreams {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The context a command runs in. */
export class CliContext {
  #engine: Engine | undefined;

  #cachedLookup: CachedLookup | undefined;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly streams: CliStreams,
    cachedLookup?: CachedLookup,
    /** Where the app's bundles are (app/dist/), when the command runs from them. */
    readonly distDir?: string,
  ) {
    this.#cachedLookup = cachedLookup;
  }

  /** The lookup main.ts already made for this profile name, once; undefined otherwise. */
  takeCachedLookup(name: string): Promise<CachedSessionLookup> | undefined {
    const taken = this.#cachedLookup?.name === name ? this.#cachedLookup.lookup : undefined;
    this.#cachedLookup = undefined;
    return taken;
  }

  /** Whether a person can be asked on stdin (it is a terminal). */
  get interactive(): boolean {
    return this.streams.stdin.isTTY === true;
  }

  /** Writes one line to stdout. */
  out(line: string): void {
    this.streams.stdout.write(`${line}\n`);
  }

  /** Writes text to stdout as it is (exports, JSON). */
  write(text: string): void {
    this.streams.stdout.write(text);
  }

  /** Writes one line to stderr (prompts' context, notes, failures). */
  err(line: string): void {
    this.streams.stderr.write(`${line}\n`);
  }

  /**
   * The engine over the real keychain, files and STS; created once, on first use. A command that
   * runs for days (`watch`) says so: its keychain and AWS calls are then made where they cannot keep
   * memory in it (engine/long-running.ts).
   */
  engine({ longRunning = false }: { readonly longRunning?: boolean } = {}): Engine {
    this.#engine ??= createCliEngine(this.env, longRunning ? { distDir: this.distDir } : undefined);
    return this.#engine;
  }
}

/** The engine as the command uses it: the process's environment, and the keychain prefix override. */
export function createCliEngine(env: NodeJS.ProcessEnv, longRunningIn?: { readonly distDir: string | undefined }): Engine {
  // MFA_TRAY_CODE_TIMEOUT bounds a code command too (a code that never comes must end); an unusable
  // value is reported where a code is waited for (session-for-use.ts), the default applies here.
  const seconds = /^\d{1,4}$/.test(env.MFA_TRAY_CODE_TIMEOUT ?? '') ? Number(env.MFA_TRAY_CODE_TIMEOUT) : 0;
  const parts = longRunningIn ? longRunning(longRunningIn.distDir, { prefix: keychainPrefix(env) }) : { secretStore: cliSecretStore(env) };
  return createEngine({ env, ...parts, ...(seconds >= 1 && seconds <= 3600 ? { codeCommandTimeoutMs: seconds * 1000 } : {}) });
}
