/**
 * Drives a real engine in a child process (fault-engine-child.ts): the tray app's engine, as another
 * process next to the one under test (a second engine, or the command).
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { spawnChild } from './fault-build';

/** What a call answered: the value, or the engine's error code and message. */
export type CallResult<T = unknown> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** The engine child's configuration (see fault-engine-child.ts). */
export interface EngineChildConfig {
  readonly env: Record<string, string>;
  readonly configDir: string;
  readonly keychainPrefix: string;
  readonly stsEndpoint?: string;
  readonly stsTimeoutMs?: number;
  readonly keychainTimeoutMs?: number;
}

export class EngineChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (result: CallResult) => void>();
  #next = 1;
  stderr = '';
  /** Every line the child printed on stdout (its answers), for audits. */
  readonly lines: string[] = [];
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line);
      const message = JSON.parse(line) as CallResult & { id: number };
      if (message.id === 0) markReady();
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
    this.exited = new Promise((resolve) =>
      child.on('close', (status) => {
        for (const settle of this.#pending.values()) settle({ ok: false, error: { code: 'child-exited', message: this.stderr } });
        this.#pending.clear();
        resolve(status);
      }),
    );
  }

  /** Starts an engine child and waits until it is ready. `env` is the process's environment. */
  static async start(config: EngineChildConfig, env: NodeJS.ProcessEnv = process.env): Promise<EngineChild> {
    const engine = new EngineChild(await spawnChild('engine', [JSON.stringify(config)], { env }));
    await Promise.race([engine.ready, engine.exited.then(() => Promise.reject(new Error(`engine child ended: ${engine.stderr}`)))]);
    return engine;
  }

  /** Calls an Engine method in the child. Never rejects: failures come back as `{ ok: false }`. */
  call<T = unknown>(op: string, ...args: unknown[]): Promise<CallResult<T>> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve as (result: CallResult) => void);
      this.#child.stdin?.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  /** Stops the child (cleanly, then by force). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    void this.call('exit');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
