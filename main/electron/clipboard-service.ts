/**
 * Copies exports to the clipboard and clears them again after a while, as password managers do,
 * but only if the clipboard still holds what we put there: whatever the user copied since is theirs.
 *
 * The deadline is wall-clock time, checked by a timer and again on resume (`recheck()`): Node's
 * timers do not count a suspend, and a session token should not outlive its clearing time on the
 * clipboard just because the lid was closed.
 */
import type { Clock, TimerHandle } from '../engine';

/** The system clipboard, as Electron's `clipboard` offers it (asynchronous reads and writes). */
export interface ClipboardPort {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
  clear(): void;
}

export class ClipboardService {
  readonly #clipboard: ClipboardPort;
  readonly #clock: Clock;
  #ours: string | undefined;
  #deadline: number | undefined;
  #timer: TimerHandle | undefined;
  #pending: Promise<void> = Promise.resolve();

  constructor(clipboard: ClipboardPort, clock: Clock) {
    this.#clipboard = clipboard;
    this.#clock = clock;
  }

  /** Puts `text` on the clipboard; clears it after `clearAfterSeconds` (0: never) if unchanged. */
  async copy(text: string, clearAfterSeconds: number): Promise<void> {
    this.#disarm();
    await this.#clipboard.writeText(text);
    this.#ours = text;
    if (clearAfterSeconds > 0) {
      this.#deadline = this.#clock.now() + clearAfterSeconds * 1000;
      this.#arm();
    }
  }

  /** Clears our text if its time has come (the timer calls it; call it on resume too). */
  recheck(): Promise<void> {
    if (this.#deadline === undefined) return this.#pending;
    if (this.#clock.now() >= this.#deadline) return this.#clearIfOurs();
    this.#arm();
    return this.#pending;
  }

  /** On quit: our text does not stay behind, whatever its deadline. */
  dispose(): Promise<void> {
    if (this.#deadline !== undefined) return this.#clearIfOurs();
    this.#disarm();
    return this.#pending;
  }

  /** Settles when a clearing in progress has finished (tests). */
  whenIdle(): Promise<void> {
    return this.#pending;
  }

  #clearIfOurs(): Promise<void> {
    const ours = this.#ours;
    this.#disarm();
    if (ours === undefined) return this.#pending;
    this.#pending = this.#clipboard.readText().then(
      (current) => {
        // Something copied meanwhile (even by us, after a new copy) is not ours to clear.
        if (current === ours && this.#ours === undefined) this.#clipboard.clear();
      },
      () => undefined,
    );
    return this.#pending;
  }

  #arm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    const wait = Math.max(0, (this.#deadline ?? 0) - this.#clock.now());
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      void this.recheck();
    }, wait);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadline = undefined;
    this.#ours = undefined;
  }
}
