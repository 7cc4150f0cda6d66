/**
 * `mfa-tray watch`: the headless tray. Keeps every profile's session fresh until SIGINT/SIGTERM.
 *
 * - Profiles with a TOTP secret (and auto-refresh on) are refreshed unattended before expiry by
 *   the engine's scheduler, which also backs off while STS or the network is down.
 * - Other profiles are asked for on the terminal ahead of expiry (the notify lead time of the
 *   settings, 15 minutes by default); without a terminal, watch says what to run instead.
 * - One line per event on stdout, each starting with the local time.
 * - A periodic wall-clock check notices a suspend/resume or a clock change and makes the engine
 *   recompute at once; the same check picks up profiles and sessions that the tray app or another
 *   command changed meanwhile.
 * - One watch at a time (a pid file in the config folder).
 */
import { isMfaTrayError } from '../../common/errors';
import type { Profile, SessionState } from '../../common/model';
import { expiryOf } from '../../common/session-state';
import type { Engine, EngineNotice } from '../../engine/engine';
import { DeviceSteps, askCode, sleep, stepWaitText } from '../ask-code';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { describeExpiry, formatClock, formatDuration, formatLocalTime, oneLine } from '../format';
import { describeFailure } from '../report';
import { CancelledError } from '../terminal';
import { WatchLock } from '../watch-lock';

/** How often the wall clock is compared with the elapsed time. */
const TICK_MS = 5_000;
/** A tick this much later or earlier than expected means a suspend or a clock change. */
const GAP_MS = 5_000;
/** How often profiles and sessions changed by other processes are picked up. */
const RESYNC_EVERY_TICKS = 6;
/** Backoff of the refreshes watch starts itself (at start, for new profiles), as the engine's own. */
const RETRY_DELAYS_MS = [30_000, 60_000, 120_000, 300_000, 600_000];
/** A refresh by code is asked for again after these failures, at most this many times. */
const RE_ASK_CODES = new Set(['sts-invalid-code', 'code-reused', 'invalid-input']);
const MAX_ASKS = 3;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'Keep every profile refreshed before expiry, headless, until stopped (Ctrl-C, SIGTERM).',
  usage: ['watch'],
  details: `
Profiles with a registered TOTP secret are refreshed unattended before they expire (the
auto-refresh lead time of the settings, 10 minutes by default), with backoff while STS or the
network is down. For the others, watch asks for the code on this terminal ahead of expiry (the
notify lead time, 15 minutes by default; press Enter to skip); without a terminal it prints what
to run instead. Both lead times are at most a quarter of the profile's session duration (a 900 s
session: 3 min 45 s), so a short session is refreshed once, not again and again. Profiles without a current session are taken care of at start.

Prints one line per event, each starting with the local time. Notices a suspend/resume or a
clock change, and picks up profiles and sessions changed by the tray app or other commands.
Only one watch runs at a time; a second one says so and exits. Stops cleanly on SIGINT
(Ctrl-C), SIGTERM or SIGHUP, with exit status 0.

Options:
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 0, max: 0, name: '' },

  async run(ctx) {
    const engine = ctx.engine();
    // Fail on an unusable settings file or keychain before anything else.
    await engine.status();
    const lock = await WatchLock.acquire(engine.configDir);
    let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
    });
    const handler = (signal: NodeJS.Signals): void => onSignal?.(signal);
    for (const signal of STOP_SIGNALS) process.on(signal, handler);
    const watcher = new Watcher(ctx, engine);
    try {
      await watcher.start();
      const signal = await stopped;
      watcher.stop();
      watcher.line(`stopped (${signal})`);
      return EXIT.ok;
    } finally {
      watcher.stop();
      lock.release();
      for (const signal of STOP_SIGNALS) process.off(signal, handler);
    }
  },
};

/** A profile waiting for its code to be asked for. */
interface AskEntry {
  readonly profile: string;
  /** The session expiry when it was queued: a later one in the keychain means it was refreshed elsewhere. */
  readonly expiresAt: number | undefined;
  /** How often it was asked for (a wrong code is asked for again, a few times). */
  asks: number;
}

class Watcher {
  readonly #ctx: CliContext;
  readonly #engine: Engine;
  readonly #abort = new AbortController();
  readonly #steps: DeviceSteps;
  /** Each watched profile's session expiry as the engine's scheduler knows it. */
  readonly #known = new Map<string, number | undefined>();
  /** Profiles whose unattended refresh watch itself is running (the engine reports those as typed). */
  readonly #unattended = new Set<string>();
  readonly #retries = new Map<string, { attempt: number; timer: ReturnType<typeof setTimeout> }>();
  /** Profiles waiting for a code, in order, with how often they were asked. */
  readonly #askQueue: AskEntry[] = [];
  #asking = false;
  #tick: ReturnType<typeof setInterval> | undefined;
  #lastTickAt = 0;
  #ticks = 0;
  #resyncing = false;
  #stopped = false;
  #ready = false;
  #unsubscribe: (() => void) | undefined;

  constructor(ctx: CliContext, engine: Engine) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#steps = new DeviceSteps(() => engine.offset.awsNow(engine.clock));
  }

  /** One event line: local time, then the text. */
  line(text: string): void {
    this.#ctx.out(`${formatClock(Date.now())} ${oneLine(text)}`);
  }

  async start(): Promise<void> {
    const engine = this.#engine;
    this.#unsubscribe = engine.onNotice((notice) => void this.#onNotice(notice));
    // Notices of what was already due when the scheduler starts (expiring, expired) are left to
    // the catch-up below, which sees every profile's state at once.
    await engine.start();
    const statuses = await engine.status();
    const interactive = this.#ctx.interactive;
    this.line(
      `watching ${statuses.length} profile${statuses.length === 1 ? '' : 's'} (process ${process.pid}); stop with Ctrl-C` +
        (interactive ? '' : '; no terminal to ask for codes on, so profiles without a TOTP secret are only reported'),
    );
    for (const { profile, state, hasTotpSecret } of statuses) {
      this.#known.set(profile.name, expiryOf(state));
      this.line(`${profile.name}: ${describeState(expiryOf(state), engine.clock.now())}; ${describePlan(profile, hasTotpSecret)}`);
    }
    this.#ready = true;
    for (const { profile, state, hasTotpSecret } of statuses) this.#catchUp(profile, hasTotpSecret, state);
    this.#lastTickAt = Date.now();
    // Not unref'd: this timer is what keeps the process alive (the engine's timers are unref'd).
    this.#tick = setInterval(() => void this.#onTick(), TICK_MS);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#tick) clearInterval(this.#tick);
    for (const retry of this.#retries.values()) clearTimeout(retry.timer);
    this.#retries.clear();
    this.#abort.abort();
    this.#unsubscribe?.();
    this.#engine.stop();
  }

  /**
   * A profile whose session is missing, expired or about to expire when watching starts (or when
   * it appears): refresh it now (TOTP; one about to expire is the scheduler's), ask for it, or say
   * what to run.
   */
  #catchUp(profile: Profile, hasTotpSecret: boolean, state: SessionState): void {
    const now = this.#engine.clock.now();
    if (hasTotpSecret && profile.autoRefresh) {
      if (state.kind === 'none' || state.kind === 'expired') void this.#refreshUnattended(profile.name);
      return;
    }
    if (hasTotpSecret) return; // auto-refresh off: the scheduler's notices report it
    const expiresAt = expiryOf(state);
    if (expiresAt === undefined) this.#needsCode(profile, `${profile.name}: no current session`);
    else if (expiresAt <= now) this.#needsCode(profile, `${profile.name}: session expired at ${formatLocalTime(expiresAt)}`);
    else if (state.kind === 'expiring')
      this.#needsCode(profile, `${profile.name}: session expires at ${formatLocalTime(expiresAt)} (in ${formatDuration(expiresAt - now)})`);
  }

  /** A refresh by TOTP that watch starts itself, retried with backoff when STS is unreachable. */
  async #refreshUnattended(name: string): Promise<void> {
    this.#retries.delete(name);
    this.#unattended.add(name);
    try {
      const profile = await this.#engine.profile(name);
      const session = await this.#engine.refresh(name, {
        generate: true,
        onWait: (waitMs) => this.line(`${name}: ${stepWaitText(waitMs, profile.mfaSerial)}`),
      });
      // The engine's 'refreshed' notice prints the line; only the bookkeeping is left here.
      this.#known.set(name, session.expiresAt);
    } catch (error) {
      if (this.#stopped) return;
      const failure = describeFailure(error, 'watch');
      const retry = isMfaTrayError(error) && error.retryable;
      const attempt = retry ? (this.#retries.get(name)?.attempt ?? -1) + 1 : 0;
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number;
      this.line(`${name}: refresh failed: ${failure.message}${retry ? `; trying again in ${formatDuration(delay)}` : ''}`);
      if (retry) this.#retries.set(name, { attempt, timer: setTimeout(() => void this.#refreshUnattended(name), delay) });
    } finally {
      this.#unattended.delete(name);
    }
  }

  async #onNotice(notice: EngineNotice): Promise<void> {
    if (this.#stopped) return;
    const { profile: name } = notice;
    const now = this.#engine.clock.now();
    switch (notice.kind) {
      case 'refreshed':
        if (notice.elsewhere) {
          // Seen already by watch's own check of the keychain: said once is enough.
          if (this.#known.get(name) === notice.expiresAt) return;
          this.#known.set(name, notice.expiresAt);
          this.line(`${name}: session changed elsewhere; ${describeExpiry(notice.expiresAt, now)}`);
          return;
        }
        this.#known.set(name, notice.expiresAt);
        this.line(`${name}: refreshed${notice.unattended || this.#unattended.has(name) ? ' unattended (TOTP)' : ''}; ${describeExpiry(notice.expiresAt, now)}`);
        return;
      case 'refresh-failed':
        // Only the engine's unattended refreshes arrive here; it retries those that may pass.
        this.line(`${name}: unattended refresh failed: ${oneLine(notice.reason)}${notice.willRetry ? '; trying again automatically' : ''}`);
        return;
      case 'expiring':
      case 'expired': {
        // Before start-up is done these are the catch-up's; a profile not known was removed meanwhile.
        if (!this.#ready || !this.#known.has(name)) return;
        if (await this.#refreshedElsewhere(name, notice.expiresAt)) return;
        let profile: Profile;
        try {
          profile = await this.#engine.profile(name);
        } catch {
          return;
        }
        const what =
          notice.kind === 'expiring'
            ? `${name}: session expires at ${formatLocalTime(notice.expiresAt)} (in ${formatDuration(notice.expiresAt - now)})`
            : `${name}: session expired at ${formatLocalTime(notice.expiresAt)}`;
        if (await this.#engine.hasTotpSecret(name).catch(() => false)) {
          // With auto-refresh on, the unattended refresh came before and failed for good; with it
          // off, the person chose to refresh by hand. Either way: no question, just what to run.
          this.line(
            `${what}; ${profile.autoRefresh ? 'the unattended refresh did not succeed' : 'auto-refresh is off for this profile'}: run mfa-tray refresh ${name}`,
          );
          return;
        }
        this.#needsCode(profile, what);
        return;
      }
    }
  }

  /** Whether the keychain holds a newer session than the notice is about (the tray app or a command refreshed it). */
  async #refreshedElsewhere(name: string, noticeExpiresAt: number): Promise<boolean> {
    const stored = await this.#engine.secrets.getSession(name).catch(() => undefined);
    if (!stored || stored.expiresAt <= noticeExpiresAt) return false;
    this.line(`${name}: refreshed elsewhere; ${describeExpiry(stored.expiresAt, this.#engine.clock.now())}`);
    await this.#reschedule(name, stored.expiresAt);
    return true;
  }

  /** Asks for a profile's code on the terminal (queued, one question at a time), or says what to run. */
  #needsCode(profile: Profile, what: string): void {
    if (!this.#ctx.interactive) {
      this.line(`${what}; no TOTP secret and no terminal to ask on: run mfa-tray refresh ${profile.name}`);
      return;
    }
    if (this.#askQueue.some((q) => q.profile === profile.name)) return;
    this.line(what);
    this.#askQueue.push({ profile: profile.name, expiresAt: this.#known.get(profile.name), asks: 0 });
    void this.#drainAsks();
  }

  async #drainAsks(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      for (let next = this.#askQueue[0]; next && !this.#stopped; next = this.#askQueue[0]) {
        await this.#ask(next);
        this.#askQueue.shift();
      }
    } finally {
      this.#asking = false;
    }
  }

  async #ask(entry: AskEntry): Promise<void> {
    const engine = this.#engine;
    const signal = this.#abort.signal;
    let profile: Profile;
    try {
      profile = await engine.profile(entry.profile);
      // While this waited in the queue, the tray app or another command may have refreshed it.
      if (await this.#refreshedElsewhere(entry.profile, entry.expiresAt ?? 0)) return;
    } catch {
      return; // removed meanwhile
    }
    for (;;) {
      try {
        const wait = this.#steps.waitMs(profile.mfaSerial);
        if (wait > 0) {
          this.line(`${profile.name}: ${stepWaitText(wait, profile.mfaSerial)}`);
          await sleep(wait, signal);
        }
        const code = await askCode(profile, { input: this.#ctx.streams.stdin, output: this.#ctx.streams.stderr, allowSkip: true, signal });
        try {
          await engine.refresh(profile.name, { code });
        } finally {
          this.#steps.used(profile.mfaSerial);
        }
        return;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof CancelledError) {
          // Ctrl-C at the question means "stop watching", as it does anywhere else.
          if (error.reason === 'interrupt' || error.reason === 'end-of-input') process.kill(process.pid, 'SIGINT');
          else this.line(`${profile.name}: skipped; run mfa-tray refresh ${profile.name} when you are ready`);
          return;
        }
        entry.asks += 1;
        const failure = describeFailure(error, 'watch');
        const again = isMfaTrayError(error) && RE_ASK_CODES.has(error.code) && entry.asks < MAX_ASKS;
        this.line(`${profile.name}: refresh failed: ${failure.message}${again ? '; type the next code' : ''}`);
        if (!again) return;
      }
    }
  }

  async #onTick(): Promise<void> {
    if (this.#stopped) return;
    const now = Date.now();
    const elapsed = now - this.#lastTickAt;
    this.#lastTickAt = now;
    this.#ticks += 1;
    const gap = elapsed - TICK_MS;
    if (Math.abs(gap) > GAP_MS) {
      this.line(
        gap > 0
          ? `the clock moved ${formatDuration(gap)} further than expected (the computer slept, or its clock was changed): rechecking`
          : `the clock went back ${formatDuration(-gap)}: rechecking`,
      );
      await this.#resync(true);
      return;
    }
    if (this.#ticks % RESYNC_EVERY_TICKS === 0) await this.#resync(false);
  }

  /**
   * Re-reads profiles and sessions (another process may have added, removed or refreshed some)
   * and lets the engine recompute what is due.
   */
  async #resync(afterGap: boolean): Promise<void> {
    if (this.#resyncing || this.#stopped) return;
    this.#resyncing = true;
    try {
      const engine = this.#engine;
      await engine.recheck();
      const profiles = await engine.profiles();
      const names = new Set(profiles.map((p) => p.name));
      for (const name of [...this.#known.keys()]) {
        if (names.has(name)) continue;
        this.#known.delete(name);
        const retry = this.#retries.get(name);
        if (retry) clearTimeout(retry.timer);
        this.#retries.delete(name);
        this.line(`${name}: profile removed; no longer watched`);
      }
      for (const profile of profiles) {
        const expiresAt = expiryOf(engine.sessions.state(profile.name));
        if (!this.#known.has(profile.name)) {
          this.#known.set(profile.name, expiresAt);
          const hasTotpSecret = await engine.hasTotpSecret(profile.name);
          this.line(`${profile.name}: new profile; ${describeState(expiresAt, engine.clock.now())}; ${describePlan(profile, hasTotpSecret)}`);
          await this.#reschedule(profile.name, expiresAt);
          this.#catchUp(profile, hasTotpSecret, engine.sessions.state(profile.name));
        } else if (expiresAt !== this.#known.get(profile.name) && !engine.sessions.isRefreshing(profile.name)) {
          if (expiresAt !== undefined) this.line(`${profile.name}: session changed elsewhere; ${describeExpiry(expiresAt, engine.clock.now())}`);
          await this.#reschedule(profile.name, expiresAt);
        }
      }
      if (afterGap) this.#lastTickAt = Date.now();
    } catch (error) {
      this.line(`could not check the sessions: ${describeFailure(error, 'watch').message}`);
    } finally {
      this.#resyncing = false;
    }
  }

  /**
   * Makes the engine's scheduler take a profile's current session from the keychain.
   */
  async #reschedule(name: string, expiresAt: number | undefined): Promise<void> {
    this.#known.set(name, expiresAt);
    await this.#engine.reschedule(name).catch(() => undefined);
  }
}

function describeState(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return 'no session';
  return expiresAt > now ? `session ${describeExpiry(expiresAt, now)}` : `session expired at ${formatLocalTime(expiresAt)}`;
}

function describePlan(profile: Profile, hasTotpSecret: boolean): string {
  if (hasTotpSecret && profile.autoRefresh) return 'will be refreshed unattended before it expires (TOTP secret registered)';
  if (hasTotpSecret) return 'auto-refresh is off for this profile';
  return 'needs a code from its MFA device before expiry';
}
