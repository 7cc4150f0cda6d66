/**
 * A clock for tests: time moves only when the test says so. `advance` runs timers in order as an
 * awake computer would; `jump` moves the wall clock without running timers, as a suspend or a clock
 * change does (Node's timers are monotonic and do not see either).
 */
import type { Clock, TimerHandle } from '../../main/engine/clock/clock';

interface Timer {
  readonly id: number;
  /** Monotonic time at which the timer fires. */
  readonly at: number;
  readonly callback: () => void;
}

export class FakeClock implements Clock {
  #wall: number;
  #monotonic = 0;
  #timers: Timer[] = [];
  #nextId = 1;

  constructor(start = Date.UTC(2026, 10, 28, 9, 0, 0)) {
    this.#wall = start;
  }

  now(): number {
    return this.#wall;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#monotonic + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Timers pending. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Lets `ms` pass with the computer awake, firing every timer that comes due, in order. */
  advance(ms: number): void {
    const end = this.#monotonic + ms;
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.#wall += next.at - this.#monotonic;
      this.#monotonic = next.at;
      this.#timers = this.#timers.filter((t) => t !== next);
      next.callback();
    }
    this.#wall += end - this.#monotonic;
    this.#monotonic = end;
  }

  /** Moves the wall clock by `ms` without any timer noticing (suspend, or the user sets the clock). */
  jump(ms: number): void {
    this.#wall += ms;
  }
}
