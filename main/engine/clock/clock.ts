/**
 * Time, behind an interface the engine owns, so that the scheduler and TOTP can be driven by a fake
 * clock in tests and corrected by the offset measured against STS.
 */
import type { RoundedSpan } from '../../common/diagnosis';

/** An opaque timer handle. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The engine's view of time. */
export interface Clock {
  /** Milliseconds since the epoch, by this computer's clock. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd so they never keep a command alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    // Node caps timers at 2^31-1 ms (~24.8 days); longer waits are re-armed by the scheduler.
    const timer = setTimeout(callback, Math.min(Math.max(0, ms), 2 ** 31 - 1));
    timer.unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The resolution of an answer's `Date` header, and so of any offset measured from one: offsets closer than this are not told apart. */
export const DATE_RESOLUTION_MS = 1000;

/**
 * The offset between this computer's clock and STS's, measured from each STS response.
 *
 * TOTP codes are checked against AWS's clock, and the SDK only corrects skews of several minutes,
 * so a code generated from a clock 40 s off is rejected. `offsetMs` is what to add to local time to
 * get AWS time.
 */
export class ClockOffset {
  #offsetMs = 0;
  #measured = false;
  #measuredAtWall = 0;
  #measuredAtMonotonic = 0;
  #answeredAtMonotonic: number | undefined;
  #listeners = new Set<(offsetMs: number) => void>();

  /** Subscribes to new measurements (not to {@link set}). @returns the unsubscribe function. */
  onMeasured(listener: (offsetMs: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** AWS time minus local time, in milliseconds (0 until measured, and once stale). */
  get offsetMs(): number {
    return this.measured ? this.#offsetMs : 0;
  }

  /**
   * Whether an offset is known and still describes this computer's clock. A measurement goes stale
   * when the wall clock has been stepped since (the user fixed the time, NTP corrected it): the
   * wall clock and the monotonic clock then disagree, and the offset must be measured again.
   */
  get measured(): boolean {
    if (!this.#measured) return false;
    const wallElapsed = Date.now() - this.#measuredAtWall;
    const monotonicElapsed = performance.now() - this.#measuredAtMonotonic;
    if (Math.abs(wallElapsed - monotonicElapsed) > 2_000) {
      this.#measured = false;
      this.#offsetMs = 0;
    }
    return this.#measured;
  }

  /**
   * Records one measurement: the server's `Date` header (1 s resolution) against the midpoint of the
   * request's round trip. Offsets within the header's resolution are treated as none.
   */
  record(serverDate: number, sentAt: number, receivedAt: number): void {
    if (!Number.isFinite(serverDate)) return;
    const midpoint = sentAt + (receivedAt - sentAt) / 2;
    // The Date header truncates to the second: the true server time is in [serverDate, serverDate+1000).
    const offset = serverDate + 500 - midpoint;
    this.recordMeasured(Math.abs(offset) < DATE_RESOLUTION_MS ? 0 : Math.round(offset));
  }

  /**
   * Records an offset measured from an answer elsewhere (by {@link record} in the AWS helper's
   * process, aws/aws-helper.ts): as an answer received now.
   */
  recordMeasured(offsetMs: number): void {
    if (!Number.isFinite(offsetMs)) return;
    this.#offsetMs = offsetMs;
    this.#stamp();
    this.#answeredAtMonotonic = performance.now();
    for (const listener of this.#listeners) listener(this.#offsetMs);
  }

  /** Whether AWS answered (a dated answer, recorded here) within the last `ms`; a restored offset is no answer. */
  answeredWithin(ms: number): boolean {
    return this.#answeredAtMonotonic !== undefined && performance.now() - this.#answeredAtMonotonic < ms;
  }

  /** Sets the offset directly (restored from the settings file's last measurement, or in tests). */
  set(offsetMs: number): void {
    this.#offsetMs = offsetMs;
    this.#stamp();
  }

  #stamp(): void {
    this.#measured = true;
    this.#measuredAtWall = Date.now();
    this.#measuredAtMonotonic = performance.now();
  }

  /** AWS time now, by the given clock. */
  awsNow(clock: Clock): number {
    return clock.now() + this.offsetMs;
  }
}

/** A span's size as people are told it: whole seconds under 2 minutes, minutes under 2 hours, else hours. */
export function roundedSpan(ms: number): RoundedSpan {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return { amount: s, unit: 's' };
  const min = Math.round(s / 60);
  if (min < 120) return { amount: min, unit: 'min' };
  return { amount: Math.round(min / 60), unit: 'h' };
}

/** "about 90 s" / "about 7 minutes" / "about 3 hours". */
export function describeDuration(ms: number): string {
  const { amount, unit } = roundedSpan(ms);
  return `about ${amount} ${unit === 's' ? 's' : unit === 'min' ? 'minutes' : 'hours'}`;
}

/**
 * This computer's clock against AWS's, in words: "about 90 s behind AWS's", "about 7 minutes ahead
 * of AWS's", or "in step with AWS's" (within the Date header's one-second resolution).
 *
 * @param offsetMs AWS time minus local time.
 */
export function describeOffset(offsetMs: number): string {
  if (Math.abs(offsetMs) < 1000) return "in step with AWS's";
  return `${describeDuration(offsetMs)} ${offsetMs < 0 ? 'ahead of' : 'behind'} AWS's`;
}
