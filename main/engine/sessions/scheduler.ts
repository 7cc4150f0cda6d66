/**
 * One timer for the next thing that is due across all profiles: the notification before expiry,
 * the unattended refresh, and expiry itself.
 *
 * Why a single, short timer instead of one long timer per event: Node's timers run on a monotonic
 * clock that stops while the computer sleeps, so a timer set for "in 5 hours" fires 5 awake hours
 * later. The scheduler therefore never sleeps longer than `maxSleepMs`, compares absolute wall-clock
 * times on every wake, and so catches up within that bound after a suspend or a clock change.
 * `recheck()` (called on the OS's resume event) catches up at once.
 */
import { leadTimeMs } from '../../common/session-state';
import type { Clock, TimerHandle } from '../clock/clock';

/** What the scheduler needs to know about one profile. */
export interface ScheduleEntry {
  readonly profile: string;
  /** When the current session expires, or undefined when there is none. */
  readonly expiresAt: number | undefined;
  /** Whether this profile refreshes itself (TOTP registered and auto-refresh on). */
  readonly autoRefresh: boolean;
  /**
   * The profile's session lifetime. Both lead times follow {@link leadTimeMs}: at most a quarter
   * of a lifetime, so a lead longer than a short session cannot cause a refresh loop.
   */
  readonly lifetimeMs?: number;
}

export type DueKind = 'refresh-due' | 'expiring' | 'expired';

/** An event that has come due. */
export interface DueEvent {
  readonly kind: DueKind;
  readonly profile: string;
  /** The session's expiry the event is about. */
  readonly expiresAt: number;
  /** When the event was due (it may be delivered later, after a sleep). */
  readonly dueAt: number;
}

export interface SchedulerOptions {
  /** Lead time of the `expiring` event. */
  readonly notifyBeforeMs: number;
  /** Lead time of the `refresh-due` event. */
  readonly autoRefreshBeforeMs: number;
  /** Longest single sleep; bounds how late an event can be after a suspend. Default 60 s. */
  readonly maxSleepMs?: number;
}

/** Keeps one timer armed for the next due event and reports each event once. */
export class Scheduler {
  #entries = new Map<string, ScheduleEntry>();
  /** Keys of events already delivered: `${kind}|${profile}|${expiresAt}`. */
  #fired = new Set<string>();
  #timer: TimerHandle | undefined;
  #nextWakeAt: number | undefined;
  #stopped = false;
  #options: Required<SchedulerOptions>;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (event: DueEvent) => void,
    options: SchedulerOptions,
  ) {
    this.#options = { maxSleepMs: 60_000, ...options };
  }

  /** Changes the lead times (from the settings) and recomputes. */
  setOptions(options: Partial<SchedulerOptions>): void {
    this.#options = { ...this.#options, ...options };
    this.recheck();
  }

  /** Replaces one profile's entry (after a refresh, a load, or a settings change) and recomputes. */
  set(entry: ScheduleEntry): void {
    this.#entries.set(entry.profile, entry);
    this.recheck();
  }

  /** Forgets a profile. */
  delete(profile: string): void {
    this.#entries.delete(profile);
    this.recheck();
  }

  /** When the timer will next wake, for tests and diagnostics. */
  get nextWakeAt(): number | undefined {
    return this.#nextWakeAt;
  }

  /** Delivers everything that is due now and re-arms the timer. Call after wake-up or a clock change. */
  recheck(): void {
    if (this.#stopped) return;
    this.#disarm();
    const now = this.clock.now();
    let next = Number.POSITIVE_INFINITY;
    const due: DueEvent[] = [];
    for (const entry of this.#entries.values()) {
      const events = this.#eventsOf(entry);
      const passed = events.filter((e) => e.dueAt <= now && !this.#fired.has(keyOf(e)));
      // After a long sleep several events of a profile may have passed: deliver the refresh (it is
      // still wanted) and only the latest of the notices, so the user sees "expired", not a pile-up.
      const refresh = passed.find((e) => e.kind === 'refresh-due');
      const notices = passed.filter((e) => e.kind !== 'refresh-due');
      const latestNotice = notices.at(-1);
      for (const e of passed) this.#fired.add(keyOf(e));
      if (refresh) due.push(refresh);
      if (latestNotice) due.push(latestNotice);
      for (const e of events) if (e.dueAt > now && !this.#fired.has(keyOf(e))) next = Math.min(next, e.dueAt);
    }
    this.#pruneFired();
    const sleep = Math.min(next - now, this.#options.maxSleepMs);
    this.#nextWakeAt = now + sleep;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.recheck();
    }, sleep);
    due.sort((a, b) => a.dueAt - b.dueAt);
    for (const event of due) this.onDue(event);
  }

  /** Stops the timer for good (app quit, command exit). */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #eventsOf(entry: ScheduleEntry): DueEvent[] {
    const { expiresAt, profile } = entry;
    if (expiresAt === undefined) return [];
    const events: DueEvent[] = [];
    if (entry.autoRefresh) {
      const lead = leadTimeMs(this.#options.autoRefreshBeforeMs, entry.lifetimeMs);
      events.push({ kind: 'refresh-due', profile, expiresAt, dueAt: expiresAt - lead });
    }
    // Profiles that refresh themselves stay silent until expiry: only a failure or expiry is news.
    if (!entry.autoRefresh)
      events.push({ kind: 'expiring', profile, expiresAt, dueAt: expiresAt - leadTimeMs(this.#options.notifyBeforeMs, entry.lifetimeMs) });
    events.push({ kind: 'expired', profile, expiresAt, dueAt: expiresAt });
    return events.sort((a, b) => a.dueAt - b.dueAt);
  }

  #pruneFired(): void {
    // Only keys about a current expiry matter; drop the rest so the set does not grow forever.
    const live = new Set<string>();
    for (const entry of this.#entries.values()) for (const e of this.#eventsOf(entry)) live.add(keyOf(e));
    for (const key of this.#fired) if (!live.has(key)) this.#fired.delete(key);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextWakeAt = undefined;
  }
}

function keyOf(event: DueEvent): string {
  return `${event.kind}|${event.profile}|${event.expiresAt}`;
}
