/**
 * `mfa-tray watch`: the headless tray, and only its terminal side. The engine's keeper
 * (engine/sessions/keeper.ts) decides everything, as it does for the tray app: when a profile is
 * due, unattended refreshes and their backoff, sleeps and clock changes, other processes' work.
 * Watch prints one line per notice (each starting with the local time) and, for a profile whose
 * codes a person types, asks on the terminal (one question at a time; a wrong code is asked again a
 * few times); without a terminal it prints what to run instead. One watch at a time (a pid file).
 */
import { isMfaTrayError } from '../../common/errors';
import type { Profile } from '../../common/model';
import { expiryOf } from '../../common/session-state';
import { runLean, type Engine, type EngineNotice, type ProfileStatus, type RefreshPlan, type ShownPlan } from '../../engine';
import { DeviceSteps, askCode, sleep, stepWaitText } from '../ask-code';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { describeExpiry, formatClock, formatDuration, formatLocalTime, oneLine } from '../format';
import { describeFailure } from '../report';
import { CancelledError, writeLine } from '../terminal';
import { WatchLock } from '../watch-lock';
import { failIfKeychainDown } from './status';

/** A refresh by code is asked for again after these failures, at most this many times. */
const RE_ASK_CODES = new Set(['sts-invalid-code', 'code-reused', 'invalid-input']);
const MAX_ASKS = 3;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How an unattended refresh got its code (a role's: from its source's session, no code). */
const UNATTENDED_HOW: Readonly<Record<string, string>> = {
  totp: ' (TOTP)',
  command: ' (mfa_process)',
  yubikey: ' (YubiKey)',
  person: '',
  role: " (role, with its source's session)",
};

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
    // It runs for days: V8 without its optimising compilers (the launcher's loader has already set
    // them, for the code cache; not where the command is run otherwise), and on Linux its keychain
    // and AWS calls made where they cannot keep memory in it.
    runLean();
    const engine = ctx.engine({ longRunning: true });
    // Fail on an unusable settings file or keychain before anything else (and say what is watched:
    // read once, every keychain read keeps some memory for good).
    const statuses = await engine.status();
    failIfKeychainDown(statuses);
    const lock = await WatchLock.acquire(engine.configDir);
    let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
    });
    const handler = (signal: NodeJS.Signals): void => onSignal?.(signal);
    for (const signal of STOP_SIGNALS) process.on(signal, handler);
    // Ctrl-C at a code question (readline takes it from the terminal): stopped as by the signal.
    const watcher = new Watcher(ctx, engine, () => handler('SIGINT'));
    try {
      await watcher.start(statuses);
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

class Watcher {
  readonly #ctx: CliContext;
  readonly #engine: Engine;
  readonly #abort = new AbortController();
  readonly #steps: DeviceSteps;
  /** Profiles waiting for a code, in order, with how often they were asked. */
  readonly #askQueue: { readonly profile: string; asks: number }[] = [];
  #asking = false;
  #stopped = false;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Ends the watch as a stop signal does. */
  readonly #interrupted: () => void;

  constructor(ctx: CliContext, engine: Engine, interrupted: () => void) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#interrupted = interrupted;
    this.#steps = new DeviceSteps(() => engine.awsNow());
  }

  /** One event line: local time, then the text. */
  line(text: string): void {
    writeLine(this.#ctx.streams.stdout, `${formatClock(Date.now())} ${oneLine(text)}`);
  }

  async start(statuses: readonly ProfileStatus[]): Promise<void> {
    const engine = this.#engine;
    this.line(
      `watching ${statuses.length} profile${statuses.length === 1 ? '' : 's'} (process ${process.pid}); stop with Ctrl-C` +
        (this.#ctx.interactive ? '' : '; no terminal to ask for codes on, so profiles without a TOTP secret are only reported'),
    );
    const now = engine.clock.now();
    for (const { profile, state, plan } of statuses) this.line(`${profile.name}: ${describeState(expiryOf(state), now)}; ${describePlan(plan)}`);
    // The engine's timers do not keep the process alive; watching does, until a signal.
    this.#keepAlive = setInterval(() => undefined, 60_000);
    this.#unsubscribe = engine.onNotice((notice) => this.#onNotice(notice));
    // From the keychain's entries the status above listed, with what the record says changed since:
    // each listing keeps native memory for good on Linux (~5 KB an entry).
    await engine.start({ reuse: true });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#abort.abort();
    this.#unsubscribe?.();
    this.#engine.stop();
  }

  #onNotice(notice: EngineNotice): void {
    if (this.#stopped) return;
    const now = this.#engine.clock.now();
    switch (notice.kind) {
      case 'refreshed':
        this.line(
          notice.elsewhere
            ? `${notice.profile}: session changed elsewhere; ${describeExpiry(notice.expiresAt, now)}`
            : `${notice.profile}: refreshed${notice.unattended ? ` unattended${UNATTENDED_HOW[notice.source ?? 'role']}` : ''}; ${describeExpiry(notice.expiresAt, now)}`,
        );
        return;
      case 'kept-written':
        this.line(
          `${notice.profile}: the session AWS gave before, kept in the keychain, is in the credentials file now (no code used); ${describeExpiry(notice.expiresAt, now)}`,
        );
        return;
      case 'refresh-failed':
        this.line(
          `${notice.profile}: unattended refresh failed: ${oneLine(notice.reason)}` +
            (notice.retryInMs === undefined ? '' : `; trying again automatically in ${formatDuration(notice.retryInMs)}`),
        );
        return;
      case 'expiring':
        this.#needsRefresh(notice.profile, notice, `session expires at ${formatLocalTime(notice.expiresAt)} (in ${formatDuration(notice.expiresAt - now)})`);
        return;
      case 'expired':
        this.#needsRefresh(notice.profile, notice, `session expired at ${formatLocalTime(notice.expiresAt)}`);
        return;
      case 'no-session':
        this.#needsRefresh(notice.profile, notice, 'no current session');
        return;
      case 'profile-added':
        this.line(`${notice.profile}: new profile; ${describeState(expiryOf(notice.state), now)}; ${describePlan(notice)}`);
        return;
      case 'profile-removed':
        this.line(`${notice.profile}: profile removed; no longer watched`);
        return;
      case 'clock-jump':
        this.line(
          notice.byMs > 0
            ? `the clock moved ${formatDuration(notice.byMs)} further than expected (the computer slept, or its clock was changed): rechecking`
            : `the clock went back ${formatDuration(-notice.byMs)}: rechecking`,
        );
        return;
    }
  }

  /** A profile the keeper cannot refresh by itself: ask for its code here, or say what to run. */
  #needsRefresh(name: string, plan: RefreshPlan, what: string): void {
    if (plan.source === 'totp' || plan.source === 'command') {
      // A TOTP secret is registered: the unattended refresh came before and failed for good, or the
      // person turned auto-refresh off. Either way: no question, just what to run.
      this.line(
        `${name}: ${what}; ${plan.selfRefreshing ? 'the unattended refresh did not succeed' : 'auto-refresh is off for this profile'}: run mfa-tray refresh ${name}`,
      );
      return;
    }
    // A YubiKey needs no terminal: ykman reads it (a touch may be asked for).
    if (plan.source === 'person' && !this.#ctx.interactive) {
      this.line(`${name}: ${what}; no TOTP secret and no terminal to ask on: run mfa-tray refresh ${name}`);
      return;
    }
    if (this.#askQueue.some((q) => q.profile === name)) return;
    this.line(`${name}: ${what}`);
    this.#askQueue.push({ profile: name, asks: 0 });
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

  async #ask(entry: { readonly profile: string; asks: number }): Promise<void> {
    const engine = this.#engine;
    const signal = this.#abort.signal;
    const name = entry.profile;
    // While this waited in the queue, the tray app or another command may have refreshed it (the
    // keeper announces that as "changed elsewhere").
    await engine.pickUpOutsideChanges().catch(() => undefined);
    if (this.#stopped || engine.state(name).kind === 'valid') return;
    for (;;) {
      try {
        await engine.refresh(name, {
          ask: (profile) => this.#question(profile, signal),
          onTouch: () => this.line(`${name}: touch your YubiKey (it is waiting to give the code)`),
        });
        return;
      } catch (error) {
        if (this.#stopped) return;
        if (error instanceof CancelledError) {
          // Ctrl-C at the question means "stop watching", as it does anywhere else: at once (seen:
          // the signal came a turn later, after the next profile's question was up).
          if (error.reason === 'interrupt' || error.reason === 'end-of-input') {
            this.stop();
            this.#interrupted();
          } else this.line(`${name}: skipped; run mfa-tray refresh ${name} when you are ready`);
          return;
        }
        entry.asks += 1;
        const failure = describeFailure(error, 'watch');
        const again = isMfaTrayError(error) && RE_ASK_CODES.has(error.code) && entry.asks < MAX_ASKS;
        // (Seen: "…and try again.; type the next code".)
        this.line(`${name}: refresh failed: ${failure.message}${again ? ' Type the next code below.' : ''}`);
        if (!again) return;
      }
    }
  }

  /** The question on the terminal, after the device's next code when this one was just used. */
  async #question(profile: Profile, signal: AbortSignal): Promise<string> {
    const wait = this.#steps.waitMs(profile.mfaSerial);
    if (wait > 0) {
      this.line(`${profile.name}: ${stepWaitText(wait, profile.mfaSerial)}`);
      await sleep(wait, signal);
    }
    const code = await askCode(profile, { input: this.#ctx.streams.stdin, output: this.#ctx.streams.stderr, allowSkip: true, signal });
    this.#steps.used(profile.mfaSerial);
    return code;
  }
}

function describeState(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return 'no session';
  return expiresAt > now ? `session ${describeExpiry(expiresAt, now)}` : `session expired at ${formatLocalTime(expiresAt)}`;
}

function describePlan(plan: ShownPlan): string {
  if (plan.source === 'unknown')
    return `where its codes come from is not known: ${plan.unreadable === 'keychain' ? 'the keychain' : 'the AWS config file'} cannot be read`;
  if (plan.source === 'yubikey') return 'codes from its YubiKey, read when a refresh is due';
  if (plan.selfRefreshing && plan.source === 'command') return 'will be refreshed unattended before it expires (codes from its mfa_process command)';
  if (plan.selfRefreshing) return 'will be refreshed unattended before it expires (TOTP secret registered)';
  if (plan.source !== 'person') return 'auto-refresh is off for this profile';
  return 'needs a code from its MFA device before expiry';
}
