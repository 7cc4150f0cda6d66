/**
 * The keeper of sessions: the one place that decides, for every surface alike (the tray app,
 * `watch`, `refresh`, `credential-process`),
 * - when each profile needs a new session (the scheduler's lead times, scaled by leadTimeMs),
 * - where its code comes from ({@link CodeSource}: the registered TOTP secret, else a person),
 * - what happens after a failure (backoff for failures that may pass, none for the others),
 * - what a sleep, a clock change or another process's work changes (a wall-clock check, the
 *   credentials file's folder watched, profiles and sessions read again),
 * and tells the surfaces through {@link KeeperNotice}s. The surfaces only present: the tray turns
 * notices into its menu and notifications, `watch` into lines and questions on its terminal.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { MfaTrayError, isKeychainDown, isMfaTrayError, type Remedy } from '../../common/errors';
import type { Profile, SessionCredentials, SessionState, SessionSummary } from '../../common/model';
import { LASTS_A_CALL_MS, expiryOf } from '../../common/session-state';
import type { Clock } from '../clock/clock';
import type { StepWaitListener } from '../codes/totp';
import type { FailedRefresh, FailedRefreshes } from '../files/failed-refreshes';
import type { ChangesMark, ChangesSince, KeychainChange } from '../keychain/keychain-changes';
import type { ListingOptions } from '../keychain/profile-secrets';
import { Scheduler, type DueEvent } from './scheduler';
import { isKeyChanged, type CodeInput, type SessionService } from './session-service';

/**
 * Where a profile's next code comes from, in this order: its registered TOTP secret; its code
 * command (`mfa_process` in the AWS config file); its YubiKey OATH account (`yubikey_oath_account`,
 * read with ykman; a touch may be needed); a person who types what the MFA device shows.
 */
export type CodeSource = 'totp' | 'command' | 'yubikey' | 'person';

/** A profile's code source settings in the AWS config file. */
export interface ConfiguredSource {
  readonly mfaProcess?: string;
  readonly yubikey?: { readonly account: string; readonly serial?: string };
}

/** Asks a person for a profile's code (on a terminal, in a window); rejects when they decline. */
export type AskForCode = (profile: Profile) => Promise<string>;

/**
 * What a refresh is given: a typed `code`; `generate` (the TOTP secret, which must be registered);
 * or neither, and the keeper picks the code source, calling `ask` when a person must type it.
 */
export type RefreshInput =
  | CodeInput
  | {
      readonly ask?: AskForCode;
      readonly onWait?: StepWaitListener;
      /** The YubiKey waits for a touch: say so. */
      readonly onTouch?: () => void;
    };

/** What the keeper knows of a profile's future, carried by the notices about it. */
export interface RefreshPlan {
  readonly source: CodeSource;
  /** The keeper refreshes it unattended before expiry (TOTP secret registered, auto-refresh on). */
  readonly selfRefreshing: boolean;
}

/**
 * A plan as a status report shows it: `unknown` when where the codes come from cannot be told (the
 * keychain, which holds the TOTP secrets, or the AWS config file, which holds `mfa_process` and
 * `yubikey_oath_account`, cannot be read). A refresh then finds out, or fails with that error.
 */
export type ShownPlan = RefreshPlan | UnknownPlan;

/** A plan whose code source cannot be told, and which of the two could not be read. */
export interface UnknownPlan {
  readonly source: 'unknown';
  readonly selfRefreshing: false;
  readonly unreadable: 'keychain' | 'config-file';
}

/** A status's plan of a profile: {@link refreshPlan}, or unknown when its source could not be read. */
export function shownPlan(profile: Pick<Profile, 'autoRefresh'>, source: CodeSource | UnknownPlan['unreadable']): ShownPlan {
  if (source === 'keychain' || source === 'config-file') return { source: 'unknown', selfRefreshing: false, unreadable: source };
  return refreshPlan(profile, source);
}

/** The one rule of a profile's plan, from its settings and whether a TOTP secret is registered. */
export function refreshPlan(profile: Pick<Profile, 'autoRefresh'>, source: CodeSource): RefreshPlan {
  // A YubiKey may want a touch, and is not always plugged in: its refreshes are asked for, not unattended.
  return { source, selfRefreshing: (source === 'totp' || source === 'command') && profile.autoRefresh };
}

/** The source a profile's config-file settings give (after a TOTP secret, which the keychain holds). */
function sourceOf(configured: ConfiguredSource | undefined): CodeSource {
  if (configured?.mfaProcess) return 'command';
  if (configured?.yubikey) return 'yubikey';
  return 'person';
}

/**
 * Each profile's source: a registered TOTP secret first, else what its config-file settings give;
 * `config-file` for a profile without a TOTP secret when the config file could not be read.
 */
function sourcesFrom(profiles: readonly Profile[], withTotp: ReadonlySet<string>, configured: ReadonlyMap<string, ConfiguredSource>): Map<string, CodeSource>;
function sourcesFrom(
  profiles: readonly Profile[],
  withTotp: ReadonlySet<string>,
  configured: ReadonlyMap<string, ConfiguredSource> | undefined,
): Map<string, CodeSource | 'config-file'>;
function sourcesFrom(
  profiles: readonly Profile[],
  withTotp: ReadonlySet<string>,
  configured: ReadonlyMap<string, ConfiguredSource> | undefined,
): Map<string, CodeSource | 'config-file'> {
  return new Map(profiles.map((p) => [p.name, withTotp.has(p.name) ? 'totp' : configured ? sourceOf(configured.get(p.name)) : 'config-file']));
}

/** Something the surfaces should present. */
export type KeeperNotice =
  | ({ readonly kind: 'expiring'; readonly profile: string; readonly expiresAt: number } & RefreshPlan)
  | ({ readonly kind: 'expired'; readonly profile: string; readonly expiresAt: number } & RefreshPlan)
  /** A profile without a session that the keeper cannot refresh by itself (at start, or when it appears). */
  | ({ readonly kind: 'no-session'; readonly profile: string } & RefreshPlan)
  | {
      readonly kind: 'refresh-failed';
      readonly profile: string;
      readonly code: string;
      readonly reason: string;
      readonly unattended: boolean;
      readonly willRetry: boolean;
      /** When the keeper tries again (willRetry), in ms from now. */
      readonly retryInMs?: number;
      /** What the person can do about it (the error's remedies). */
      readonly remedies?: readonly Remedy[];
    }
  | {
      readonly kind: 'refreshed';
      readonly profile: string;
      readonly expiresAt: number;
      readonly unattended: boolean;
      /** Where an unattended refresh's code came from. */
      readonly source?: CodeSource;
      /** The session came from another process (the command, the app), seen in the keychain. */
      readonly elsewhere?: boolean;
    }
  /** A profile another process added; its state and plan follow as usual. */
  | ({ readonly kind: 'profile-added'; readonly profile: string; readonly state: SessionState } & RefreshPlan)
  /** A profile another process removed: no longer kept. */
  | { readonly kind: 'profile-removed'; readonly profile: string }
  /** The wall clock moved by this much more than the time that passed (a sleep, or a clock change): everything was checked again. */
  | { readonly kind: 'clock-jump'; readonly byMs: number }
  /** A session AWS gave that the credentials file could not take (kept in the keychain) is in the file now: no code was spent. */
  | { readonly kind: 'kept-written'; readonly profile: string; readonly expiresAt: number };

/** The settings the keeper reads. */
export interface KeeperSettings {
  load(): Promise<{
    readonly settings: { readonly notifyBeforeMinutes: number; readonly autoRefreshBeforeMinutes: number };
    readonly profiles: readonly Profile[];
  }>;
  listProfiles(): Promise<readonly Profile[]>;
  getProfile(name: string): Promise<Profile>;
}

/** The keychain entries the keeper reads. */
export interface KeeperSecrets {
  getSession(profile: string): Promise<SessionCredentials | undefined>;
  /** The session's key ID and expiry from the last listing brought up to date from the record of keychain changes, else read (keychain/profile-secrets.ts). */
  getSessionSummary(profile: string): Promise<SessionSummary | undefined>;
  /** `listing.reuse`: the last listing brought up to date from the record of keychain changes (keychain/profile-secrets.ts). */
  getSessions(profiles: Iterable<string>, listing?: ListingOptions): Promise<ReadonlyMap<string, SessionSummary>>;
  hasTotpSecret(profile: string): Promise<boolean>;
  profilesWith(kind: 'totp-secret', listing?: ListingOptions): Promise<ReadonlySet<string>>;
  /**
   * Where the record of keychain changes every MFA Tray process keeps ends now, and what was
   * recorded after a mark (keychain/keychain-changes.ts). Without them, every re-read reads the keychain.
   */
  changesMark?(): Promise<ChangesMark | undefined>;
  changesSince?(mark: ChangesMark | undefined): Promise<ChangesSince>;
}

export interface KeeperDeps {
  readonly clock: Clock;
  /** AWS's time (this computer's clock and the measured offset): a code command's code belongs to AWS's time step. */
  readonly awsNow: () => number;
  /** The code sources these profiles have in the AWS config file, by profile, in one read. */
  readonly configuredSources: (profiles: readonly string[]) => Promise<ReadonlyMap<string, ConfiguredSource>>;
  /** Runs a code command (see codes/code-command.ts). */
  readonly runCodeCommand: (command: string, profile: string) => Promise<string>;
  /** The role profiles (config file) whose source is one of the profiles. */
  readonly roleProfiles?: () => Promise<readonly { readonly name: string; readonly sourceProfile: string }[]>;
  /** Assumes a role profile anew with its source's session (no person to ask: a source that needs a code fails). */
  readonly refreshRole?: (name: string) => Promise<SessionCredentials>;
  /** Reads a YubiKey's code (see codes/yubikey.ts). */
  readonly readYubikey: (key: { readonly account: string; readonly serial?: string }, profile: string, onTouch?: () => void) => Promise<string>;
  readonly settings: KeeperSettings;
  readonly secrets: KeeperSecrets;
  readonly sessions: SessionService;
  /** The credentials file: another process's refresh writes there. */
  readonly credentialsPath: string;
  /**
   * Called once the credentials file changed and sessions were read again: another tool may have
   * rewritten a section, and what the file holds is part of what the tray and the windows show.
   */
  readonly onCredentialsFileChanged?: () => void;
  /** Called when the set of profiles (or the keychain's availability) changed, for the engine's change listeners. */
  readonly onProfilesChanged: () => void;
  /** Called before a refresh ends (the engine waits for its clock-offset write). */
  readonly afterRefresh?: () => Promise<void>;
  /** The record of refreshes that failed because AWS could not be reached, shared by every MFA Tray process (files/failed-refreshes.ts). */
  readonly failures?: Pick<FailedRefreshes, 'get' | 'all' | 'forget' | 'set'>;
  /**
   * How often the wall clock is compared with the time that passed (a sleep or clock change is
   * then caught at once) and, every 6th time, profiles and sessions are read again. 0: never (tests
   * with a fake clock drive `recheck` themselves). Default 5 s.
   */
  readonly tickMs?: number;
}

const MINUTE = 60_000;
/** How long after the credentials file changed its sessions are read again (the keychain is written just after). */
const PICK_UP_DELAY_MS = 500;
/**
 * Backoff after a failure that may pass (network, throttling, 5xx): of unattended refreshes, and,
 * after AWS could not be reached ({@link isOutage}), of the refreshes `credential-process` and `exec`
 * would start while a valid session is there to serve ({@link SessionKeeper.backedOff}).
 */
export const RETRY_DELAYS_MS = [30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];

/** The wait after the `attempt`-th failure in a row (0: the first). */
function retryDelayMs(attempt: number): number {
  return RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number;
}

/**
 * Whether a refresh failed because AWS could not be reached or was too busy to answer (no answer in
 * time, refused connections, 5xx, throttling): trying again at once would only wait again.
 */
function isOutage(error: unknown): error is MfaTrayError {
  return isMfaTrayError(error, 'sts-unavailable', 'sts-throttled') && error.retryable;
}

/** A profile's last refresh that failed because AWS could not be reached, and when the next is due. */
export type BackedOff = FailedRefresh & { readonly until: number };

/** When a refresh after `failure` is due again. */
function retryDueAt(failure: FailedRefresh): number {
  return failure.at + retryDelayMs(failure.attempt);
}

/**
 * `backedOff` when a session ending at `expiresAt` is served as it is meanwhile (a minute or more
 * left, LASTS_A_CALL_MS: `credential-process` and `exec` serve it, `status` says so); else undefined.
 */
export function servedWhileBackedOff(backedOff: BackedOff | undefined, expiresAt: number | undefined, now: number): BackedOff | undefined {
  return backedOff && expiresAt !== undefined && expiresAt - now >= LASTS_A_CALL_MS ? backedOff : undefined;
}
/** When to try starting again after the keychain could not be read: soon at first (it may be unlocking), then every 2 min. */
const START_RETRY_DELAYS_MS = [5_000, 15_000, 30_000, MINUTE, 2 * MINUTE];
/** A role session's length: an hour at most when assumed with a session. */
const ROLE_LIFETIME_MS = 60 * MINUTE;
/** A TOTP time step. */
const STEP_MS = 30_000;
/** A tick this much later or earlier than expected means a suspend or a clock change. */
const JUMP_MS = 5_000;
/** Profiles and sessions are read again every this many ticks (30 s at the default tick). */
const RESYNC_EVERY_TICKS = 6;
/** A session as a record line tells it: its expiry and key ID, when the line has them. */
type Seen = Partial<SessionSummary>;

/** How many of a profile's own sessions are remembered (see SessionKeeper's #ownSessions). */
const OWN_SESSIONS_KEPT = 8;

/** Keeps every profile's session fresh and says what the person must do. */
export class SessionKeeper {
  readonly #deps: KeeperDeps;
  #scheduler: Scheduler | undefined;
  #notifyBeforeMs = 15 * MINUTE;
  #listeners = new Set<(notice: KeeperNotice) => void>();
  #retries = new Map<string, { attempt: number; timer: ReturnType<Clock['setTimeout']> }>();
  /** Profiles whose unattended refresh is due or running: their "expired" notice is not news yet. */
  #autoRefreshing = new Set<string>();
  #starting: Promise<void> | undefined;
  /** Due events being handled (each first looks at the profile's session: another process may have refreshed). */
  #handling = new Set<Promise<void>>();
  /**
   * The last sessions this process got (or took as known from another process), per profile, newest
   * last, by expiry and key ID (two sessions got in the same second end together): not news when
   * seen again. Several, not only the last: a profile refreshed twice between two re-reads (Refresh
   * now twice, or the days a fast clock runs through) leaves two lines in the record of keychain
   * changes, and the older one taken for news made the next re-read list every entry of the
   * keychain (keytar keeps ~5 KB of memory for each entry it lists).
   */
  #ownSessions = new Map<string, SessionSummary[]>();
  /** The profiles kept, as last read (another process may add or remove some). */
  #known = new Set<string>();
  /**
   * Sessions seen for a profile (recorded, or read) while this process was refreshing it: news or
   * not is told once that refresh ends, at the next re-read. Another process's session that came
   * meanwhile is kept if this process's own refresh then fails.
   */
  #seenWhileRefreshing = new Map<string, Seen[]>();
  /**
   * Each profile's code source as last scheduled: what an unattended refresh uses, instead of
   * reading the TOTP secret once to learn it is there and again to use it. (A secret removed
   * elsewhere meanwhile fails that refresh with 'code-required', as a person's source would.)
   */
  #sources = new Map<string, CodeSource>();
  /**
   * The role profiles kept, with their sessions' expiries: those with a session, re-assumed before
   * it ends (no code while the source's lives). Read with every profile's entries, and set by every
   * role session this process gets.
   */
  #roles = new Map<string, number>();
  /** Whether {@link #roles} holds what the keychain held at the last read (not when that read failed, nor before it). */
  #rolesRead = false;
  #fileWatcher: FSWatcher | undefined;
  #pickUpTimer: ReturnType<typeof setTimeout> | undefined;
  #tick: ReturnType<typeof setInterval> | undefined;
  #lastTickAt = 0;
  #ticks = 0;
  /** The re-read under way (see {@link #readAgain}). */
  #reading: Promise<void> | undefined;
  /** Which run of the keeper this is: one more at each stop (a re-read that outlives its run does nothing). */
  #run = 0;
  /**
   * What the last read of every profile's entries was made from: the settings' profiles and the
   * config file's code sources and role profiles (as text), and where the record of keychain changes
   * stood just before. A re-read reads the keychain again only when one of them changed.
   */
  #lastRead: { readonly inputs: string; mark: ChangesMark | undefined } | undefined;
  /** Why keeping sessions fresh could not start (the keychain is locked, say), and the next try. */
  #startFailure: { readonly error: MfaTrayError; readonly attempt: number; readonly timer: ReturnType<Clock['setTimeout']> } | undefined;

  constructor(deps: KeeperDeps) {
    this.#deps = deps;
  }

  /** How long before expiry a session counts as expiring (the settings' notify lead time). */
  get notifyBeforeMs(): number {
    return this.#notifyBeforeMs;
  }

  /** Subscribes to notices. @returns the unsubscribe function. */
  onNotice(listener: (notice: KeeperNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ── What to do ──────────────────────────────────────────────────────────────────────────────

  /** Where a profile's next code comes from. */
  async codeSource(name: string): Promise<CodeSource> {
    if (await this.#deps.secrets.hasTotpSecret(name)) return 'totp';
    return sourceOf((await this.#deps.configuredSources([name])).get(name));
  }

  /**
   * Every profile's code source, with one keychain call (none when `known` is given) and one read of
   * the config file (none when `configured` is given).
   */
  async sourcesOf(
    profiles: readonly Profile[],
    known?: ReadonlySet<string>,
    configured?: ReadonlyMap<string, ConfiguredSource>,
  ): Promise<ReadonlyMap<string, CodeSource>> {
    const withTotp = known ?? (await this.#deps.secrets.profilesWith('totp-secret').catch(() => new Set<string>()));
    return sourcesFrom(profiles, withTotp, configured ?? (await this.#configuredOf(profiles)));
  }

  /**
   * Every profile's code source as a status shows it ({@link sourcesOf} with `withTotp` read): for a
   * profile without a TOTP secret, `config-file` when the AWS config file cannot be read, so that
   * {@link shownPlan} says unknown (a refresh then fails with that file's error; the keeper's own
   * timers take such a profile as one whose codes are typed).
   */
  async shownSourcesOf(profiles: readonly Profile[], withTotp: ReadonlySet<string>): Promise<ReadonlyMap<string, CodeSource | 'config-file'>> {
    // The file's own error (a bug is not "cannot be read").
    const configured = await this.#deps.configuredSources(profiles.map((p) => p.name)).catch((error: unknown) => {
      if (!isMfaTrayError(error)) throw error;
      return undefined;
    });
    return sourcesFrom(profiles, withTotp, configured);
  }

  #configuredOf(profiles: readonly Profile[]): Promise<ReadonlyMap<string, ConfiguredSource>> {
    return this.#deps.configuredSources(profiles.map((p) => p.name)).catch(() => new Map<string, ConfiguredSource>());
  }

  #roleList(): Promise<readonly { readonly name: string; readonly sourceProfile: string }[]> {
    return this.#deps.roleProfiles ? this.#deps.roleProfiles().catch(() => []) : Promise.resolve([]);
  }

  /** A profile's plan: its code source, and whether the keeper refreshes it unattended. */
  async plan(profile: Profile): Promise<RefreshPlan> {
    return refreshPlan(profile, await this.codeSource(profile.name));
  }

  /**
   * Gets a profile a new session now. The code comes from the input ({@link RefreshInput}), else
   * from the profile's code source: generated from its TOTP secret, or asked of a person through
   * `ask`; without `ask`, a profile that needs a person fails with 'code-required'.
   */
  async refresh(name: string, input: RefreshInput): Promise<SessionCredentials> {
    this.#cancelRetry(name);
    let got: SessionCredentials | undefined;
    let failure: unknown;
    try {
      const { session } = await this.#refreshWith(name, input);
      got = session;
      this.#rememberOwn(name, session);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt: session.expiresAt, unattended: false });
      return session;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // The new session is scheduled as it is (reading it back would cost a keychain read); after a
      // failure, whatever the keychain holds.
      this.#schedule(name, got);
      await Promise.all([this.#deps.afterRefresh?.(), this.recordOutcome(name, got ? undefined : failure)]);
    }
  }

  /**
   * The last failure of the profile's refreshes because AWS could not be reached ({@link isOutage}),
   * while the next refresh is not due yet ({@link retryDueAt}); undefined otherwise. For the refreshes
   * started by AWS commands (`credential-process`, `exec`), which then serve a valid session as it
   * is instead of each waiting on an unreachable AWS; a refresh asked for by name tries at once.
   */
  backedOff(name: string): BackedOff | undefined {
    return this.#whileDue(this.#deps.failures?.get(name));
  }

  /** {@link backedOff} of every profile that is, in one read of the record (for `status`). */
  backedOffAll(): ReadonlyMap<string, BackedOff> {
    const all = new Map<string, BackedOff>();
    for (const [name, failure] of this.#deps.failures?.all() ?? []) {
      const backedOff = this.#whileDue(failure);
      if (backedOff) all.set(name, backedOff);
    }
    return all;
  }

  #whileDue(failure: FailedRefresh | undefined): BackedOff | undefined {
    if (!failure) return undefined;
    const until = retryDueAt(failure);
    const now = this.#deps.clock.now();
    // (A failure recorded in the future: this clock was set back since. It is tried.)
    return failure.at <= now && now < until ? { ...failure, until } : undefined;
  }

  /**
   * Records how a refresh ended, for every process's {@link backedOff}: a failure because AWS could
   * not be reached, counted on from the last one when that is recent; a new session forgets it.
   * Other failures (a code refused, a locked keychain) leave the record as it is. A profile's
   * refreshes are recorded here; a role's by the engine's refreshRole, which every surface calls.
   */
  async recordOutcome(name: string, failure: unknown): Promise<void> {
    const failures = this.#deps.failures;
    if (!failures) return;
    if (failure === undefined) {
      await failures.forget(name);
      return;
    }
    if (!isOutage(failure)) return;
    const now = this.#deps.clock.now();
    // From the entry as it is under the file's lock (seen in review: two processes failing together
    // both counted on from the same entry).
    await failures.set(name, (last) => {
      // In a row: the last one's wait has not been over for longer than the longest wait.
      const inARow = last !== undefined && last.at <= now && now < retryDueAt(last) + retryDelayMs(Number.MAX_SAFE_INTEGER);
      return { at: now, attempt: inARow ? last.attempt + 1 : 0, code: failure.code, reason: failure.message.replace(/\s*\n\s*/g, ' ') };
    });
  }

  /** One refresh with the code the input or the profile's source gives (`known`: the source, when the caller knows it). */
  async #refreshWith(name: string, input: RefreshInput, known?: CodeSource): Promise<{ readonly session: SessionCredentials; readonly source?: CodeSource }> {
    if ('code' in input || 'generate' in input) return { session: await this.#deps.sessions.refresh(name, input) };
    const source = known ?? (await this.codeSource(name));
    return { session: await this.#refreshFrom(name, source, input), source };
  }

  async #refreshFrom(name: string, source: CodeSource, input: Exclude<RefreshInput, CodeInput>): Promise<SessionCredentials> {
    const { sessions } = this.#deps;
    if (source === 'totp') return sessions.refresh(name, { generate: true, ...(input.onWait ? { onWait: input.onWait } : {}) });
    // Every other source involves a person (a code typed, a key touched) or a program: the key is
    // read first, so that a locked keychain says so before anyone is asked for anything.
    await sessions.requireKey(name);
    if (source === 'command' || source === 'yubikey') {
      const configured = (await this.#deps.configuredSources([name])).get(name) ?? {};
      const read = (): Promise<string> =>
        source === 'command'
          ? this.#deps.runCodeCommand(configured.mfaProcess as string, name)
          : this.#deps.readYubikey(configured.yubikey as { account: string }, name, input.onTouch);
      try {
        return await sessions.refresh(name, { code: await read() });
      } catch (error) {
        // This device's code of this time step was sent already (by another profile of the device,
        // or a refresh moments ago): the next time step's code is a new one.
        if (!isMfaTrayError(error, 'code-reused')) throw error;
        const waitMs = STEP_MS - (this.#deps.awsNow() % STEP_MS) + 1000;
        input.onWait?.(waitMs);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        return sessions.refresh(name, { code: await read() });
      }
    }
    return sessions.refresh(name, await this.#askInput(name, input));
  }

  async #askInput(name: string, input: { readonly ask?: AskForCode }): Promise<CodeInput> {
    const profile = await this.#deps.settings.getProfile(name);
    if (!input.ask) {
      throw new MfaTrayError(
        'code-required',
        `Profile ${name} needs a code from MFA device ${profile.mfaSerial}, and there is no terminal or window to ask for it in.`,
        {
          remedy: [
            { action: 'refresh-with-code', profile: name },
            { action: 'set-totp', profile: name },
          ],
        },
      );
    }
    return { code: await input.ask(profile) };
  }

  // ── Keeping sessions fresh ──────────────────────────────────────────────────────────────────

  /**
   * Loads every profile's state and starts keeping them: notices before and at expiry, unattended
   * refreshes (also of self-refreshing profiles that have no session yet), a `no-session` notice for
   * the others without one, and the checks for sleeps, clock changes and other processes' work.
   * `listing.reuse`: the keychain's sessions and TOTP secrets as last listed, brought up to date from
   * the record of keychain changes (for a caller that has just listed them: `watch`, after its
   * status), instead of listing them again.
   */
  async start(listing: ListingOptions = {}): Promise<void> {
    // "Try again", a wake-up and the keeper's own retry may ask at once: one start at a time.
    this.#starting ??= this.#start(listing).finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(listing: ListingOptions): Promise<void> {
    if (this.#scheduler) return;
    const failed = this.#startFailure;
    if (failed) this.#deps.clock.clearTimeout(failed.timer);
    try {
      await this.#startNow(listing);
    } catch (error) {
      // A keychain that is locked or not there yet is a state, not the end: the tray shows it with
      // "Try again", and the keeper tries again by itself (and on wake-up, see recheck) until it
      // opens; then it runs as if nothing had happened. Anything else is the caller's.
      if (!isMfaTrayError(error) || !isKeychainDown(error.code)) throw error;
      const attempt = failed ? failed.attempt + 1 : 0;
      const delay = START_RETRY_DELAYS_MS[Math.min(attempt, START_RETRY_DELAYS_MS.length - 1)] as number;
      this.#startFailure = { error, attempt, timer: this.#deps.clock.setTimeout(() => void this.start().catch(() => undefined), delay) };
      this.#deps.onProfilesChanged();
      return;
    }
    if (failed) {
      this.#startFailure = undefined;
      this.#deps.onProfilesChanged();
    }
  }

  /**
   * Why sessions are not being kept fresh right now (the keychain is locked, absent or not
   * answering), or undefined while they are. `start()` is what "Try again" calls.
   */
  get keychainProblem(): MfaTrayError | undefined {
    return this.#startFailure?.error;
  }

  async #startNow(listing: ListingOptions): Promise<void> {
    // Before anything is read: changes recorded from here on are news to the next re-read.
    const mark = await this.#deps.secrets.changesMark?.().catch(() => undefined);
    const { settings, profiles } = await this.#deps.settings.load();
    this.#notifyBeforeMs = settings.notifyBeforeMinutes * MINUTE;
    // Read once for both: reading every session is the slowest part of a start with many profiles.
    const sessions = await this.#deps.secrets.getSessions(
      profiles.map((p) => p.name),
      listing,
    );
    // Before the scheduler too: a keychain that locked since the sessions were read fails the start
    // (tried again by itself), instead of every TOTP profile being planned as a person's.
    const withTotp = await this.#deps.secrets.profilesWith('totp-secret', listing).catch((error: unknown) => {
      if (isMfaTrayError(error) && isKeychainDown(error.code)) throw error;
      return undefined;
    });
    await this.#deps.sessions.load(profiles, sessions);
    // Created only once everything loaded, so that a failed start can simply be tried again.
    this.#scheduler = new Scheduler(this.#deps.clock, (event) => this.#onDueNow(event), {
      notifyBeforeMs: settings.notifyBeforeMinutes * MINUTE,
      autoRefreshBeforeMs: settings.autoRefreshBeforeMinutes * MINUTE,
    });
    this.#known = new Set(profiles.map((p) => p.name));
    const configured = await this.#configuredOf(profiles);
    const roles = await this.#roleList();
    const sources = await this.#scheduleAll(profiles, sessions, configured, withTotp);
    await this.#scheduleRoles(roles);
    this.#lastRead = { inputs: readInputs(profiles, configured, roles), mark };
    for (const profile of profiles) if (!sessions.has(profile.name)) this.#catchUp(profile, sources.get(profile.name) ?? 'person');
    this.#watchCredentialsFile();
    this.#startTicking();
    // A session an earlier run got but could not write into the file (a full disk, say).
    this.#track(this.#writeKept());
  }

  /**
   * A profile with no session at all has no expiry to schedule: a self-refreshing one is refreshed
   * now, the keeper says so of the others.
   */
  #catchUp(profile: Profile, source: CodeSource): void {
    const plan = refreshPlan(profile, source);
    if (plan.selfRefreshing) {
      if (this.#autoRefreshing.has(profile.name)) return;
      this.#autoRefreshing.add(profile.name);
      this.#track(this.#autoRefresh(profile.name));
    } else {
      this.#emit({ kind: 'no-session', profile: profile.name, ...plan });
    }
  }

  /**
   * Another process's refresh writes the credentials file (then the keychain): when that file's
   * folder changes, sessions are read again shortly after, so that the menu shows the new session
   * and no "expires soon" notice goes out about the old one. (Due events look at the session first
   * too, and the tick reads again every 30 s what the record of keychain changes says changed, for
   * when the folder cannot be watched.)
   */
  #watchCredentialsFile(): void {
    if (this.#fileWatcher) return;
    const file = this.#deps.credentialsPath;
    try {
      this.#fileWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== basename(file)) return;
        if (this.#pickUpTimer) clearTimeout(this.#pickUpTimer);
        // The command writes the keychain just after the file: give it a moment.
        // Read again only for news: this process's own refreshes change the file too.
        this.#pickUpTimer = setTimeout(() => {
          if (!this.#scheduler) return;
          void this.#readAgain(true)
            .catch(() => undefined)
            .then(async () => {
              if (!this.#scheduler) return; // stopped meanwhile
              await this.#writeKept();
              this.#deps.onCredentialsFileChanged?.();
            });
        }, PICK_UP_DELAY_MS);
        this.#pickUpTimer.unref();
      });
      this.#fileWatcher.on('error', () => this.#stopWatching());
    } catch {
      // No folder yet, or no watching here: the due-event check and the tick still see other processes' work.
    }
  }

  #stopWatching(): void {
    this.#fileWatcher?.close();
    this.#fileWatcher = undefined;
    if (this.#pickUpTimer) clearTimeout(this.#pickUpTimer);
    this.#pickUpTimer = undefined;
  }

  /**
   * Node's timers stop while the computer sleeps, and the scheduler sleeps at most a minute: this
   * tick compares the wall clock with the time that passed, so a suspend or a clock change is acted
   * on within seconds, and reads profiles and sessions again now and then.
   */
  #startTicking(): void {
    const tickMs = this.#deps.tickMs ?? 5_000;
    if (tickMs <= 0 || this.#tick) return;
    this.#lastTickAt = Date.now();
    this.#tick = setInterval(() => void this.#onTick(tickMs), tickMs);
    this.#tick.unref();
  }

  async #onTick(tickMs: number): Promise<void> {
    const now = Date.now();
    const gap = now - this.#lastTickAt - tickMs;
    this.#lastTickAt = now;
    this.#ticks += 1;
    if (Math.abs(gap) > JUMP_MS) {
      this.#emit({ kind: 'clock-jump', byMs: gap });
      await this.recheck().catch(() => undefined);
      this.#lastTickAt = Date.now();
      return;
    }
    if (this.#ticks % RESYNC_EVERY_TICKS === 0) await this.recheck().catch(() => undefined);
  }

  /**
   * Reads every cached session again and reschedules; a newer session than this process knew of
   * (refreshed by the command or another app) is announced as `refreshed` with `elsewhere`, which
   * also withdraws an "expires soon" notice about the old one. Reads the keychain whatever the
   * record of changes says (a due event found a newer session there, say).
   */
  async pickUpOutsideChanges(): Promise<void> {
    if (!this.#scheduler) return;
    await this.#readAgain(false);
  }

  /**
   * Re-reads profiles and states and catches up on anything due (after wake-up, a clock change, or
   * every 30 s). The keychain is read again only when something may have changed there or in what
   * the last read was made from (see {@link #readAgain}).
   */
  async recheck(): Promise<void> {
    // Not running yet because the keychain could not be read: wake-up is a good moment to try.
    if (this.#startFailure) return this.start();
    if (!this.#scheduler) return;
    await this.#readAgain(true);
    this.#scheduler?.recheck();
    await this.#writeKept();
  }

  /** Writes the kept sessions the credentials file can take now (SessionService.writeKept), says so, and schedules each by it. */
  async #writeKept(): Promise<void> {
    for (const { profile, expiresAt } of await this.#deps.sessions.writeKept()) {
      // The retry of the refresh whose session it is would spend a code for nothing.
      this.#cancelRetry(profile);
      this.#emit({ kind: 'kept-written', profile, expiresAt });
      await this.reschedule(profile).catch(() => undefined);
    }
  }

  /**
   * One read of profiles and sessions: new and removed profiles, sessions another process got.
   *
   * With `whenChanged`, the keychain is read only when the settings' profiles, the config file's code
   * sources or role profiles changed since the last read, or the record of keychain changes that
   * every MFA Tray process keeps (keychain/keychain-changes.ts) holds a change this keeper does not
   * know of: any but its own sessions (and long-lived keys, which nothing here depends on).
   * Otherwise only the states move on with the clock. Every keychain read keeps native memory on
   * Linux, so reading every entry every 30 s made a long-running watch grow without end.
   */
  async #readAgain(whenChanged: boolean): Promise<void> {
    // One read at a time. A read for news leaves it to the one under way; a full read
    // (pickUpOutsideChanges) waits for it and then reads everything, since the one under way may
    // have read only what the record of keychain changes holds.
    while (this.#reading) {
      if (whenChanged) return;
      await this.#reading.catch(() => undefined);
      if (!this.#scheduler) return; // stopped meanwhile
    }
    const reading = this.#readAgainNow(whenChanged);
    this.#reading = reading;
    try {
      await reading;
    } finally {
      if (this.#reading === reading) this.#reading = undefined;
    }
  }

  async #readAgainNow(whenChanged: boolean): Promise<void> {
    const { sessions: service, secrets } = this.#deps;
    // A read that outlives its run (stop, or stop and start) changes nothing and says nothing.
    const run = this.#run;
    const ended = () => run !== this.#run;
    // The record first: a change recorded while the keychain is read is news to the next re-read.
    const seen = secrets.changesSince ? await secrets.changesSince(this.#lastRead?.mark).catch(() => undefined) : undefined;
    const profiles = await this.#deps.settings.listProfiles();
    const configured = await this.#configuredOf(profiles);
    const roles = await this.#roleList();
    if (ended()) return;
    const inputs = readInputs(profiles, configured, roles);
    const last = this.#lastRead;
    const settledNews = this.#settledNews();
    if (whenChanged && last?.mark && seen && last.inputs === inputs && !settledNews && !this.#anyNews(seen.changes)) {
      last.mark = seen.mark;
      for (const name of this.#known) service.recompute(name);
      return;
    }
    // Until this read has succeeded, the next one reads everything too.
    this.#lastRead = undefined;
    const before = new Map(profiles.map((p) => [p.name, expiryOf(service.state(p.name))]));
    // For news, what the record says changed since the last listing is read, not every entry
    // again (a session another process got is one read, not a listing of every entry of each kind).
    const listing = { reuse: whenChanged };
    const sessions = await secrets.getSessions(
      profiles.map((p) => p.name),
      listing,
    );
    const withTotp = await secrets.profilesWith('totp-secret', listing).catch(() => new Set<string>());
    if (ended()) return;
    await service.load(profiles, sessions);
    const sources = await this.#scheduleAll(profiles, sessions, configured, withTotp);
    await this.#scheduleRoles(roles);
    if (ended()) return;
    this.#lastRead = { inputs, mark: seen?.mark };
    const names = new Set(profiles.map((p) => p.name));
    let changed = false;
    for (const name of this.#known) {
      if (names.has(name)) continue;
      this.removed(name);
      service.drop(name);
      changed = true;
      this.#emit({ kind: 'profile-removed', profile: name });
    }
    for (const profile of profiles) {
      const { name } = profile;
      if (!this.#known.has(name)) {
        this.#known.add(name);
        changed = true;
        const source = sources.get(name) ?? 'person';
        this.#emit({
          kind: 'profile-added',
          profile: name,
          state: service.recompute(name),
          ...refreshPlan(profile, source),
        });
        if (!sessions.has(name)) this.#catchUp(profile, source);
        continue;
      }
      const session = sessions.get(name);
      // A session that was there and is gone, the profile still there: forgotten elsewhere (its key
      // replaced by `add --force`), so caught up as at start.
      if (!session && before.get(name) !== undefined && !service.isRefreshing(name)) {
        this.#ownSessions.delete(name);
        this.#catchUp(profile, sources.get(name) ?? 'person');
        continue;
      }
      if (session && service.isRefreshing(name)) this.#seeWhileRefreshing(name, session);
      if (!session || service.isRefreshing(name) || this.#isOwn(name, session)) continue;
      const { expiresAt } = session;
      // Any other session than the one known is news, also one that ends sooner (a shorter duration);
      // one of the same second as the known one (another key) is not told, but known from now on.
      this.#rememberOwn(name, session);
      if (before.get(name) === expiresAt) continue;
      this.#cancelRetry(name);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt, unattended: false, elsewhere: true });
    }
    if (changed) this.#deps.onProfilesChanged();
  }

  /** Whether recorded keychain changes hold one this keeper does not know of (see {@link #readAgain}). */
  #anyNews(changes: readonly KeychainChange[] | 'unknown'): boolean {
    if (changes === 'unknown') return true;
    return changes.some((change) => {
      if (change.kind === 'long-lived-key') return false;
      if (change.kind !== 'session' || change.op !== 'set') return true;
      const { profile, expiresAt, accessKeyId } = change;
      const seen = { ...(expiresAt === undefined ? {} : { expiresAt }), ...(accessKeyId === undefined ? {} : { accessKeyId }) };
      // This process's own refresh (under way: told once it ends), or one it has seen already.
      if (this.#deps.sessions.isRefreshing(profile)) {
        this.#seeWhileRefreshing(profile, seen);
        return false;
      }
      return this.#isNewSession(profile, seen);
    });
  }

  /** Whether this keeper got or took as known a session of this expiry and key ID (any key ID, for a record line without one). */
  #isOwn(profile: string, { expiresAt, accessKeyId }: Seen): boolean {
    return (this.#ownSessions.get(profile) ?? []).some((own) => own.expiresAt === expiresAt && (accessKeyId === undefined || own.accessKeyId === accessKeyId));
  }

  /** Whether a session is one this keeper does not know (neither one of its own nor the one it shows). */
  #isNewSession(profile: string, seen: Seen): boolean {
    if (seen.expiresAt === undefined) return true;
    if (this.#ownSessions.has(profile)) return !this.#isOwn(profile, seen);
    const keyId = this.#deps.sessions.keyIdOf(profile);
    return seen.expiresAt !== expiryOf(this.#deps.sessions.state(profile)) || (seen.accessKeyId !== undefined && seen.accessKeyId !== keyId);
  }

  /** Notes a session this process got, or took as known (see {@link #ownSessions}); its expiry and key ID only, never its secrets. */
  #rememberOwn(profile: string, { expiresAt, accessKeyId }: SessionSummary): void {
    const kept = (this.#ownSessions.get(profile) ?? []).filter((own) => own.expiresAt !== expiresAt || own.accessKeyId !== accessKeyId);
    kept.push({ expiresAt, accessKeyId });
    this.#ownSessions.set(profile, kept.slice(-OWN_SESSIONS_KEPT));
  }

  #seeWhileRefreshing(profile: string, seen: Seen): void {
    const list = this.#seenWhileRefreshing.get(profile) ?? [];
    if (list.some((each) => each.expiresAt === seen.expiresAt && each.accessKeyId === seen.accessKeyId)) return;
    list.push(seen);
    this.#seenWhileRefreshing.set(profile, list);
  }

  /** Whether a session seen during a refresh that has ended since is news (see {@link #seenWhileRefreshing}). */
  #settledNews(): boolean {
    let news = false;
    for (const [profile, seen] of this.#seenWhileRefreshing) {
      if (this.#deps.sessions.isRefreshing(profile)) continue;
      this.#seenWhileRefreshing.delete(profile);
      if (seen.some((each) => this.#isNewSession(profile, each))) news = true;
    }
    return news;
  }

  /** Schedules one profile anew from its cached session (after another process refreshed it). */
  async reschedule(name: string): Promise<void> {
    await this.#scheduleNow(await this.#deps.settings.getProfile(name));
  }

  /** A profile was added, edited or given a TOTP secret here: schedule it anew. */
  changed(name: string): void {
    this.#known.add(name);
    this.#schedule(name);
  }

  /**
   * A profile's session was forgotten here (its key was replaced by another): it is caught up like a
   * profile with no session at start, a self-refreshing one refreshed now, else the keeper says it
   * has none.
   */
  sessionForgotten(name: string): void {
    this.#known.add(name);
    this.#ownSessions.delete(name);
    this.#cancelRetry(name);
    if (!this.#scheduler) return;
    this.#track(
      this.#deps.settings.getProfile(name).then(async (profile) => {
        const source = await this.codeSource(name).catch((): CodeSource => 'person');
        this.#setTimers(profile, undefined, source);
        this.#catchUp(profile, source);
      }),
    );
  }

  /** A profile was removed (here, or found gone by a re-read): everything kept about it is forgotten. */
  removed(name: string): void {
    this.#known.delete(name);
    this.#ownSessions.delete(name);
    this.#seenWhileRefreshing.delete(name);
    this.#sources.delete(name);
    this.#cancelRetry(name);
    this.#scheduler?.delete(name);
  }

  /** Stops the scheduler, the checks and pending retries. */
  stop(): void {
    this.#run += 1;
    this.#stopWatching();
    if (this.#tick) clearInterval(this.#tick);
    this.#tick = undefined;
    this.#scheduler?.stop();
    this.#scheduler = undefined;
    this.#rolesRead = false;
    for (const name of [...this.#retries.keys()]) this.#cancelRetry(name);
    if (this.#startFailure) this.#deps.clock.clearTimeout(this.#startFailure.timer);
    this.#startFailure = undefined;
  }

  /** New lead times from the settings. */
  applySettings(notifyBeforeMinutes: number, autoRefreshBeforeMinutes: number): void {
    this.#notifyBeforeMs = notifyBeforeMinutes * MINUTE;
    this.#scheduler?.setOptions({ notifyBeforeMs: notifyBeforeMinutes * MINUTE, autoRefreshBeforeMs: autoRefreshBeforeMinutes * MINUTE });
  }

  /**
   * Resolves once the due events delivered so far are handled: their notices emitted (a fake clock
   * in tests moves time at once; the notices follow a keychain read), and profiles changed or
   * refreshed here scheduled anew.
   */
  async idle(): Promise<void> {
    while (this.#handling.size > 0) await Promise.all([...this.#handling]);
  }

  /** Schedules a profile anew, with its session when the caller has it (else read from the keychain). */
  #schedule(name: string, session?: SessionSummary): void {
    if (!this.#scheduler) return;
    // Tracked, so that idle() also waits for it.
    this.#track(this.#deps.settings.getProfile(name).then((profile) => this.#scheduleNow(profile, session)));
  }

  async #scheduleNow(profile: Profile, known?: SessionSummary): Promise<void> {
    if (!this.#scheduler) return;
    const session = known ?? (await this.#deps.secrets.getSession(profile.name).catch(() => undefined));
    const source = await this.codeSource(profile.name).catch((): CodeSource => 'person');
    this.#setTimers(profile, session, source);
  }

  /** {@link #scheduleNow} for every profile, from sessions already read, with one keychain call in all. @returns the profiles with a TOTP secret. */
  async #scheduleAll(
    profiles: readonly Profile[],
    sessions: ReadonlyMap<string, SessionSummary>,
    configured: ReadonlyMap<string, ConfiguredSource>,
    withTotp?: ReadonlySet<string>,
  ): Promise<ReadonlyMap<string, CodeSource>> {
    const sources = await this.sourcesOf(profiles, withTotp, configured);
    if (!this.#scheduler) return sources;
    for (const profile of profiles) {
      // A refresh under way sets the timers itself when it ends; `sessions` may predate it.
      if (this.#deps.sessions.state(profile.name).kind === 'refreshing') continue;
      this.#setTimers(profile, sessions.get(profile.name), sources.get(profile.name) ?? 'person');
    }
    return sources;
  }

  /**
   * Role sessions are kept like the others: each role profile with a cached session is re-assumed
   * at the refresh lead time (an hour's: 10 min by default), which needs no code while its source's
   * session lives. Role profiles never used (no session) are left alone.
   */
  async #scheduleRoles(roles: readonly { readonly name: string }[]): Promise<void> {
    if (!this.#scheduler) return;
    // Read just after the profiles' sessions: from that listing, brought up to date, not a second one.
    const sessions = await this.#deps.secrets
      .getSessions(
        roles.map((r) => r.name),
        { reuse: true },
      )
      .then(
        (read) => {
          this.#rolesRead = true;
          return read;
        },
        () => {
          this.#rolesRead = false;
          return new Map<string, SessionSummary>();
        },
      );
    const now = new Map<string, number>();
    for (const role of roles) {
      const session = sessions.get(role.name);
      if (!session) continue;
      now.set(role.name, session.expiresAt);
      this.#scheduler.set({ profile: role.name, expiresAt: session.expiresAt, autoRefresh: true, lifetimeMs: ROLE_LIFETIME_MS });
    }
    for (const name of this.#roles.keys()) if (!now.has(name)) this.#scheduler.delete(name);
    this.#roles = now;
  }

  /**
   * The role sessions' expiries as this keeper knows them, without a keychain read: what the last
   * read of every entry found (it reads again when the record of keychain changes says another
   * process changed one) and every role session this process got since. Undefined while the
   * keeper is not running or that read failed: then only the keychain can tell.
   */
  knownRoleSessions(): ReadonlyMap<string, number> | undefined {
    return this.#scheduler && this.#rolesRead ? this.#roles : undefined;
  }

  /** A role session this process got (a window's or the command's): kept fresh from now on, and known without reading it back. */
  roleRefreshed(name: string, session: SessionSummary): void {
    const { expiresAt } = session;
    this.#rememberOwn(name, session);
    if (!this.#scheduler) return;
    this.#roles.set(name, expiresAt);
    this.#scheduler.set({ profile: name, expiresAt, autoRefresh: true, lifetimeMs: ROLE_LIFETIME_MS });
  }

  #setTimers(profile: Profile, session: SessionSummary | undefined, source: CodeSource): void {
    if (!this.#scheduler) return;
    this.#sources.set(profile.name, source);
    this.#scheduler.set({
      profile: profile.name,
      expiresAt: session?.expiresAt,
      autoRefresh: refreshPlan(profile, source).selfRefreshing,
      lifetimeMs: profile.durationSeconds * 1000,
    });
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#handling.delete(tracked));
    this.#handling.add(tracked);
  }

  /** Called by the scheduler, in order: the refresh's mark is set before any notice about the same session is weighed. */
  #onDueNow(event: DueEvent): void {
    if (event.kind === 'refresh-due') this.#autoRefreshing.add(event.profile);
    this.#track(this.#onDue(event));
  }

  async #onDue(event: DueEvent): Promise<void> {
    const name = event.profile;
    // Another process may have refreshed it meanwhile: then nothing is due, and that is the news.
    // Before a refresh that needs nobody (a TOTP secret's code, a role), from the last listing and
    // the record every MFA Tray process writes to: no read of the entry unless it changed (each
    // read keeps a few KB of native memory on Linux, and this comes before every refresh); a line
    // the record lost costs one such refresh more. Before anything that may ask a person (a notice,
    // a code command, which may want a password manager unlocked), the entry itself.
    const secrets = this.#deps.secrets;
    const nobodyAsked = event.kind === 'refresh-due' && (this.#roles.has(name) || this.#sources.get(name) === 'totp');
    const stored = await (nobodyAsked ? secrets.getSessionSummary(name) : secrets.getSession(name)).catch(() => undefined);
    if (stored && stored.expiresAt > event.expiresAt) {
      this.#autoRefreshing.delete(name);
      await this.pickUpOutsideChanges().catch(() => undefined);
      return;
    }
    if (this.#roles.has(name)) {
      // A role's own notices have no surface yet; its refresh is what matters.
      if (event.kind === 'refresh-due') await this.#autoRefresh(name);
      return;
    }
    this.#deps.sessions.recompute(name);
    if (event.kind === 'refresh-due') {
      await this.#autoRefresh(name);
      return;
    }
    // The unattended refresh of this very session is under way: its outcome is the news.
    if (this.#autoRefreshing.has(name)) return;
    let plan: RefreshPlan;
    try {
      plan = await this.plan(await this.#deps.settings.getProfile(name));
    } catch {
      return; // removed meanwhile
    }
    this.#emit({ kind: event.kind, profile: name, expiresAt: event.expiresAt, ...plan });
  }

  /**
   * One unattended refresh: a role re-assumed with its source's session, else a profile's own with
   * its code source. A failure that may pass is retried with backoff.
   */
  async #autoRefresh(name: string): Promise<void> {
    this.#autoRefreshing.add(name);
    let again = false;
    let failure: unknown;
    const run = this.#run;
    const role = this.#roles.has(name);
    try {
      const { session, source } = role
        ? { session: await this.#refreshRole(name), source: undefined }
        : await this.#refreshWith(name, {}, this.#sources.get(name));
      this.#rememberOwn(name, session);
      this.#retries.delete(name);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt: session.expiresAt, unattended: true, ...(source ? { source } : {}) });
      if (role) this.roleRefreshed(name, session);
      // With the session got and the source it came from: nothing to read back from the keychain.
      else if (source) this.#setTimers(await this.#deps.settings.getProfile(name), session, source);
      else await this.#scheduleNow(await this.#deps.settings.getProfile(name), session);
    } catch (error) {
      failure = error;
      // The key was replaced while AWS answered (the session it got was not kept): the new key's
      // turn, at once; the replacement's own catch-up found this refresh under way.
      again = isKeyChanged(error) && !this.#roles.has(name);
      // Removed meanwhile (the window, `mfa-tray remove`): nothing to announce or retry for it.
      // (A role is not in the settings: its not-found is its source's, and is news.)
      const removed = !again && isMfaTrayError(error, 'not-found') && !this.#roles.has(name) && (await this.#removed(name));
      if (!again && !removed) this.#autoRefreshFailed(name, error);
    } finally {
      this.#autoRefreshing.delete(name);
    }
    // (A role's: recorded by refreshRole.)
    if (!role) await this.recordOutcome(name, failure);
    // (Not once the keeper was stopped meanwhile.)
    if (again && run === this.#run) await this.#autoRefresh(name);
  }

  /** An unattended refresh failed: retried with backoff when waiting may help, and announced. */
  #autoRefreshFailed(name: string, error: unknown): void {
    // An unexpected error's text could hold anything: report it generically.
    const failure = isMfaTrayError(error) ? error : new MfaTrayError('internal', `Refreshing profile "${name}" failed unexpectedly; the old session was kept.`);
    // The error says whether waiting can help (network, throttling, clock); a TLS-inspecting
    // proxy or a wrong secret will not go away by itself.
    let retryInMs: number | undefined;
    if (failure.retryable) {
      const attempt = (this.#retries.get(name)?.attempt ?? -1) + 1;
      const delay = retryDelayMs(attempt);
      retryInMs = delay;
      const timer = this.#deps.clock.setTimeout(() => this.#track(this.#autoRefresh(name)), delay);
      this.#retries.set(name, { attempt, timer });
    }
    this.#emit({
      kind: 'refresh-failed',
      profile: name,
      code: failure.code,
      reason: failure.message,
      unattended: true,
      willRetry: failure.retryable,
      ...(retryInMs === undefined ? {} : { retryInMs }),
      ...(failure.remedies.length > 0 ? { remedies: failure.remedies } : {}),
    });
  }

  /** Whether the profile is no longer in the settings (a settings file unreadable for a moment is not that). */
  async #removed(name: string): Promise<boolean> {
    return this.#deps.settings.getProfile(name).then(
      () => false,
      (error: unknown) => isMfaTrayError(error, 'not-found'),
    );
  }

  #refreshRole(name: string): Promise<SessionCredentials> {
    if (!this.#deps.refreshRole) throw new MfaTrayError('internal', `Role profile "${name}" cannot be assumed here.`);
    return this.#deps.refreshRole(name);
  }

  #cancelRetry(name: string): void {
    const retry = this.#retries.get(name);
    if (retry) this.#deps.clock.clearTimeout(retry.timer);
    this.#retries.delete(name);
  }

  #emit(notice: KeeperNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch {
        // A broken listener must not stop the keeper.
      }
    }
  }
}

/** What a read of every profile's entries is made from besides the keychain, as text to compare. */
function readInputs(
  profiles: readonly Profile[],
  configured: ReadonlyMap<string, ConfiguredSource>,
  roles: readonly { readonly name: string; readonly sourceProfile: string }[],
): string {
  return JSON.stringify([profiles, [...configured], roles]);
}
