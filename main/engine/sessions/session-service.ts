/**
 * Sessions: one refresh is keychain → code → STS → credentials file and session cache → state.
 *
 * The rules that make it safe: two refreshes of one profile at once become one (a second STS call
 * would burn a second code); any failure keeps the old session everywhere and says why; the
 * credentials file is written before the session cache, so the cache never claims a session that
 * the AWS tools cannot see.
 */
import { MfaTrayError, isKeyRefused, isMfaTrayError } from '../../common/errors';
import type { LongLivedKey, Profile, SessionCredentials, SessionState, SessionSummary } from '../../common/model';
import { deriveState, expiryOf } from '../../common/session-state';
import { validateCode } from '../../common/validation';
import { describeDuration, describeOffset, type Clock } from '../clock/clock';
import type { StsGateway } from '../aws/sts-gateway';
import type { StepWaitListener } from '../codes/totp';
import type { ChangesMark, ChangesSince } from '../keychain/keychain-changes';
import type { ForgetResult } from '../files/credentials-file';
import { keyRemedies } from '../keychain/profile-secrets';

/** The cause of the error a refresh throws for a profile removed while AWS answered (see #assertStillThere). */
const PROFILE_GONE = Symbol('profile removed during its refresh');
/** The cause of the error a refresh throws for a key replaced or removed while AWS answered (see isKeyChanged). */
const KEY_CHANGED = Symbol('key changed during its refresh');

/** Whether a refresh failed because the profile's key was replaced or removed while AWS answered. */
export function isKeyChanged(error: unknown): boolean {
  return isMfaTrayError(error) && error.options.cause === KEY_CHANGED;
}
const KEY_UNREADABLE = Symbol('key unreadable');

/** The settings the service reads. */
export interface ProfileSource {
  getProfile(name: string): Promise<Profile>;
  listProfiles(): Promise<readonly Profile[]>;
}

/** The keychain entries the service uses. */
export interface SessionSecrets {
  getLongLivedKey(profile: string): Promise<LongLivedKey | undefined>;
  getTotpSecret(profile: string): Promise<string | undefined>;
  getSession(profile: string): Promise<SessionCredentials | undefined>;
  /** The cached sessions of these profiles, by profile, in one keychain call (which and until when: no secrets). */
  getSessions(profiles: Iterable<string>): Promise<ReadonlyMap<string, SessionSummary>>;
  setSession(profile: string, session: SessionCredentials): Promise<void>;
  deleteSession(profile: string): Promise<boolean>;
  /** Where the record of keychain changes ends now (undefined: no record). */
  changesMark?(): Promise<ChangesMark | undefined>;
  /** The keychain changes recorded after `mark`. */
  changesSince?(mark: ChangesMark | undefined): Promise<ChangesSince>;
}

/** The credentials file, as the service writes it. */
export interface SessionFile {
  /** Throws when a session could not be written into `section` now (checked before a code is sent). */
  assertWritable(section: string): Promise<void>;
  /** `onlyIf`: asked under the file's lock with the section's current session; no leaves the file as it is. @returns whether the file changed. */
  writeSession(
    section: string,
    session: SessionCredentials,
    options?: { readonly onlyIf?: (inFile: SessionCredentials | undefined) => boolean },
  ): Promise<boolean>;
  readSession(section: string): Promise<SessionCredentials | undefined>;
  forgetSession(section: string, options?: { readonly ours?: ReadonlySet<string> }): Promise<ForgetResult>;
}

/** Where codes come from, with the "never the same time step twice" record behind both paths. */
export interface CodeSource {
  /** A fresh code for a device from its TOTP secret; waits for the next time step when needed (and says so to `onWait`). */
  generate(mfaSerial: string, totpSecret: string, options?: { readonly onWait?: StepWaitListener; readonly signal?: AbortSignal }): Promise<string>;
  /** Records a code the user typed; refuses one already sent for this device ('code-reused'). */
  claimTyped(mfaSerial: string, code: string): Promise<void>;
  /** Gives a claimed code back when the request carrying it never left this computer. */
  release(mfaSerial: string, code: string): Promise<void>;
}

export interface SessionServiceDeps {
  readonly profiles: ProfileSource;
  readonly secrets: SessionSecrets;
  readonly file: SessionFile;
  readonly sts: StsGateway;
  readonly codes: CodeSource;
  readonly clock: Clock;
  /** How long before expiry a session counts as expiring (the configured notify lead time; see leadTimeMs). */
  readonly expiringWithinMs: () => number;
  /**
   * Measures this computer's clock against AWS's before a code is generated, when that has not
   * been done yet: a code made from a clock 40 s off is refused as wrong.
   */
  readonly calibrate?: (key: LongLivedKey, region: string) => Promise<void>;
  /**
   * Throws when STS cannot be reached or does not answer (an MFA-free call); other refusals pass.
   * `done`: aborted when the caller no longer needs the answer (the call may then be dropped).
   */
  readonly reachable?: (key: LongLivedKey, region: string, done: AbortSignal) => Promise<void>;
  /**
   * Takes on the clock offset another process measured, before a typed code is sent: a request
   * signed by a clock minutes off is refused before AWS looks at its code, and the code is spent.
   */
  readonly recallOffset?: () => Promise<void>;
  /** AWS's time minus this computer's, as measured (undefined while unknown: codes are then made in local time). */
  readonly clockOffsetMs?: () => number | undefined;
  /**
   * Records which session the credentials file now holds for a profile (undefined: none of ours),
   * for `credential-process`'s read of the file (files/written-sessions.ts); with `kept`, the
   * session AWS gave that the file could not take, kept in the keychain. A session written into
   * another section than the one recorded (the target was changed) takes MFA Tray's earlier one
   * out of that section. Never fails.
   */
  readonly wroteSession?: (
    profile: string,
    section: string,
    session: SessionCredentials | undefined,
    kept?: { readonly over: string | null; readonly overOurs?: true },
  ) => Promise<void>;
  /** The record of kept sessions, for {@link SessionService.writeKept}. */
  readonly kept?: KeptSessions;
  /**
   * Runs the last check and the writes of a refresh while no removal or key replacement of the
   * profile runs, in any MFA Tray process (Engine.whileChanging).
   */
  readonly whileWriting?: (profile: string, work: () => Promise<void>) => Promise<void>;
}

/** A session AWS gave that the credentials file could not take, as recorded (no secret: those are in the keychain). */
export interface KeptSession {
  readonly section: string;
  readonly accessKeyId: string;
  readonly expiresAt: number;
  /** The access key id of the session the section held when the write failed (null: none). */
  readonly over?: string | null;
}

/** The record of kept sessions (files/written-sessions.ts). */
export interface KeptSessions {
  /** The kept sessions of this credentials file, by profile. */
  list(): Promise<ReadonlyMap<string, KeptSession>>;
  /** Whether the profile's kept session is still `accessKeyId`, read now and synchronously (under the file's lock). */
  holds(profile: string, accessKeyId: string): boolean;
  /** The kept session is in the file now (`written`), or never will be; nothing when the entry changed meanwhile. */
  settle(profile: string, accessKeyId: string, written: boolean): Promise<void>;
}

export type StateListener = (profile: string, state: SessionState) => void;

/** Where a refresh's code comes from; a generated one may have to wait for the next time step (`onWait`). */
export type CodeInput = { readonly code: string } | { readonly generate: true; readonly onWait?: StepWaitListener };

/** A keychain error's message without its "then try again" (how to unlock it stays): no new try is needed here. */
function withoutTryAgain(message: string): string {
  return message
    .replace(/;?\s*then try again\./gi, '.')
    .replace(/\s*Try again\./g, '')
    .trim();
}

/** What became of the code, when a session would look expired here ({@link SessionService}'s #clockFarAhead). */
const CODE_FATE = {
  'not-sent': 'No code was sent.',
  unread: 'AWS refused the request before it read the code: the code was not used.',
  spent: 'The code was used up; the session was not kept.',
} as const;

/**
 * Whether AWS refused the request before it read the MFA code in it (the request is authenticated
 * first: its signature's time, its key): that code was not used, and may be sent again.
 */
function refusedBeforeTheCode(code: string): boolean {
  return code === 'clock-skew' || isKeyRefused(code);
}

/**
 * Where a profile's refresh is, for a surface that is stopped midway (Ctrl-C in the command): its
 * code `sending` (sent to AWS, the answer not in: AWS may have used it up), the session AWS gave
 * `writing` (into the credentials file, the record and the keychain), or `written` (kept until its
 * next refresh starts: a role's source refreshed before AssumeRole, say).
 */
export type RefreshStage = 'sending' | 'writing' | 'written';

/** Refreshes sessions and keeps each profile's state. */
export class SessionService {
  #states = new Map<string, SessionState>();
  #stages = new Map<string, RefreshStage>();
  #inflight = new Map<string, Promise<SessionCredentials>>();
  #listeners = new Set<StateListener>();
  /** Each profile's session length (its duration), for the lead-time rule. */
  #lifetimes = new Map<string, number>();
  /** The access key id of each profile's session in the keychain, as last read or got: what the credentials file should hold. */
  #keyIds = new Map<string, string>();
  /** Profiles whose failed state is a write failure whose session was kept, by that session's access key id. */
  #keptFailures = new Map<string, string>();

  constructor(private readonly deps: SessionServiceDeps) {}

  /** Subscribes to state changes. @returns the unsubscribe function. */
  onState(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The last known state of a profile ('none' if unknown). */
  state(profile: string): SessionState {
    return this.#states.get(profile) ?? { kind: 'none' };
  }

  /** The access key id of the profile's session as this process last read or got it (undefined: none known). */
  keyIdOf(profile: string): string | undefined {
    return this.#keyIds.get(profile);
  }

  /**
   * Reads every profile's cached session from the keychain and derives its state. Pass the
   * profiles when the caller has just read them, to spare a second read of the settings file.
   */
  async load(profiles?: readonly Profile[], sessions?: ReadonlyMap<string, SessionSummary>): Promise<ReadonlyMap<string, SessionState>> {
    profiles ??= await this.deps.profiles.listProfiles();
    const known = new Set(profiles.map((p) => p.name));
    for (const name of [...this.#states.keys()]) if (!known.has(name)) this.#states.delete(name);
    sessions ??= await this.deps.secrets.getSessions(profiles.map((p) => p.name));
    for (const profile of profiles) {
      this.#lifetimes.set(profile.name, profile.durationSeconds * 1000);
      if (this.#inflight.has(profile.name)) continue;
      const session = sessions.get(profile.name);
      if (session) this.#keyIds.set(profile.name, session.accessKeyId);
      else this.#keyIds.delete(profile.name);
      const current = this.#states.get(profile.name);
      // A failure stays visible (with its reason) until a new session arrives, here or in another
      // process: only a different cached expiry replaces it.
      if (
        current?.kind === 'failed' &&
        (session === undefined || session.expiresAt === current.expiresAt || (current.expiresAt === undefined && session.expiresAt <= this.deps.clock.now()))
      ) {
        // …but not the expiry of a session the keychain no longer holds (forgotten with its key).
        if (session === undefined && current.expiresAt !== undefined) {
          const { expiresAt: _gone, ...failure } = current;
          this.#set(profile.name, failure);
        }
        this.recompute(profile.name);
        continue;
      }
      this.#set(profile.name, this.#derive(profile.name, session?.expiresAt));
    }
    return new Map(this.#states);
  }

  /** Re-derives a profile's state from the clock (expiring → expired), keeping a failure's reason. */
  recompute(profile: string): SessionState {
    const current = this.state(profile);
    if (current.kind === 'refreshing') return current;
    const derived = this.#derive(profile, expiryOf(current));
    const next: SessionState =
      current.kind === 'failed' && derived.kind !== 'none' && derived.kind !== 'expired'
        ? { kind: 'failed', reason: current.reason, code: current.code, ...(derived.expiresAt === undefined ? {} : { expiresAt: derived.expiresAt }) }
        : current.kind === 'failed' && derived.kind === 'none'
          ? current
          : derived;
    this.#set(profile, next);
    return next;
  }

  /**
   * Gets a new session for a profile and writes it.
   *
   * With `{ code }` the typed code is used; with `{ generate: true }` a code is made from the
   * registered TOTP secret ('code-required' when there is none). A refresh already running for the
   * profile is joined, not repeated.
   */
  refresh(profile: string, input: CodeInput): Promise<SessionCredentials> {
    const running = this.#inflight.get(profile);
    if (running) return running;
    const attempt = this.#refresh(profile, input).finally(() => this.#inflight.delete(profile));
    this.#inflight.set(profile, attempt);
    return attempt;
  }

  /** Whether a refresh of the profile is running. */
  isRefreshing(profile: string): boolean {
    return this.#inflight.has(profile);
  }

  /**
   * The profile's long-lived key, as a refresh reads it first. The keeper calls it before a person
   * is asked for a code (or a code command or YubiKey is run): a keychain that is locked, or a key
   * that is not stored, fails then, not after the person typed a code for nothing.
   *
   * @throws MfaTrayError `no-long-lived-key`, or the keychain's error (`keychain-locked`, …).
   */
  async requireKey(name: string): Promise<LongLivedKey> {
    let key: LongLivedKey | undefined;
    try {
      key = await this.deps.secrets.getLongLivedKey(name);
    } catch (error) {
      // A damaged entry: the remedies repeat the profile's settings (see keyRemedies).
      if (!isMfaTrayError(error, 'keychain-entry-corrupt')) throw error;
      throw new MfaTrayError(error.code, error.message, { ...error.options, remedy: keyRemedies(await this.deps.profiles.getProfile(name)) });
    }
    if (!key) {
      // A profile that is gone says so (not-found).
      const profile = await this.deps.profiles.getProfile(name);
      throw new MfaTrayError('no-long-lived-key', `No access key is stored for profile "${name}".`, { remedy: keyRemedies(profile) });
    }
    return key;
  }

  /** Where the profile's last refresh in this process is now (undefined: none, failed, or not yet sending its code). */
  stage(name: string): RefreshStage | undefined {
    return this.#stages.get(name);
  }

  /**
   * Forgets a profile's session: removes its keys from its credentials-file section when they are
   * of one of the access key IDs `ours` (MFA Tray's sessions: another tool's stays), and the cached
   * session from the keychain.
   */
  async forget(profile: string, ours: ReadonlySet<string>): Promise<ForgetResult> {
    const { targetSection } = await this.deps.profiles.getProfile(profile);
    await this.deps.wroteSession?.(profile, targetSection, undefined);
    const result = await this.deps.file.forgetSession(targetSection, { ours });
    await this.deps.secrets.deleteSession(profile);
    this.#keyIds.delete(profile);
    this.#keptFailures.delete(profile);
    this.#set(profile, { kind: 'none' });
    return result;
  }

  /** Drops a removed profile's state. */
  drop(profile: string): void {
    this.#states.delete(profile);
    this.#lifetimes.delete(profile);
    this.#keyIds.delete(profile);
    this.#keptFailures.delete(profile);
  }

  async #refresh(name: string, input: CodeInput): Promise<SessionCredentials> {
    this.#stages.delete(name); // a new refresh: the last one's stage is no more
    // The AWS SDK loads (tens of milliseconds of compiling) while the keychain and the files answer.
    this.deps.sts.prepare?.();
    // Checks that need no network come first and leave the state alone: nothing was attempted.
    const profile = await this.deps.profiles.getProfile(name);
    this.#lifetimes.set(name, profile.durationSeconds * 1000);
    const code = 'code' in input ? validateCode(input.code) : undefined;
    // Where the record of keychain changes ends before the key is read: a key replaced while AWS
    // answers shows there (see #assertStillThere).
    const mark = await this.deps.secrets.changesMark?.().catch(() => undefined);
    const key = await this.requireKey(name);
    let totpSecret: string | undefined;
    if (code === undefined) {
      totpSecret = await this.deps.secrets.getTotpSecret(name);
      if (!totpSecret) {
        throw new MfaTrayError('code-required', `Profile "${name}" needs a code from its MFA device ${profile.mfaSerial}: no TOTP secret is registered.`);
      }
    }

    // A session that could not be saved must not cost a code: AWS takes each code only once.
    await this.deps.file.assertWritable(profile.targetSection);

    const before = this.state(name);
    const oldExpiry = expiryOf(before);
    this.#keptFailures.delete(name); // this attempt's outcome is the state from here on
    this.#set(name, oldExpiry === undefined ? { kind: 'refreshing' } : { kind: 'refreshing', expiresAt: oldExpiry });
    let sentCode: string | undefined;
    /** The clock offset a generated code was made with. */
    let madeWithOffset: number | undefined;
    /** The expiry of a session AWS gave that the credentials file could not take, kept in the keychain. */
    let keptExpiry: number | undefined;
    try {
      if (code !== undefined) {
        await this.deps.recallOffset?.();
        const farAhead = this.#clockFarAheadNow(profile, 'not-sent');
        if (farAhead) throw farAhead;
        await this.deps.codes.claimTyped(profile.mfaSerial, code);
        sentCode = code;
      } else {
        await this.deps.calibrate?.(key, profile.region);
        const farAhead = this.#clockFarAheadNow(profile, 'not-sent');
        if (farAhead) throw farAhead;
        const onWait = 'onWait' in input ? input.onWait : undefined;
        const waiting = new AbortController();
        // Once the code is made, the check below is of no more use to this refresh.
        const made = new AbortController();
        let checked = false;
        try {
          sentCode = await this.deps.codes.generate(profile.mfaSerial, totpSecret as string, {
            signal: waiting.signal,
            onWait: (ms, abandoned) => {
              onWait?.(ms, abandoned);
              // While the next time step is awaited, STS is asked (once) whether it can be reached at
              // all: a code made after the wait would be sent into the same silence.
              if (checked) return;
              checked = true;
              this.deps.reachable?.(key, profile.region, made.signal).catch((error: unknown) => waiting.abort(error));
            },
          });
        } finally {
          made.abort();
        }
        // Read once the code is made (the generator may wait for a step, and other refreshes' answers move the offset).
        madeWithOffset = this.deps.clockOffsetMs?.() ?? 0;
      }
      this.#stages.set(name, 'sending');
      const session = await this.deps.sts.getSessionToken({
        key,
        mfaSerial: profile.mfaSerial,
        code: sentCode,
        durationSeconds: profile.durationSeconds,
        region: profile.region,
      });
      // The offset may have been unknown before this answer (a typed code, a first run).
      const farAhead = this.#clockFarAhead(profile, session.expiresAt - this.deps.clock.now(), 'spent');
      if (farAhead) throw farAhead;
      // The check and the writes as one step: a removal or a new key waits for the writes (and then
      // takes the session along), or comes first (and the check sees it).
      const whileWriting = this.deps.whileWriting ?? ((_name: string, work: () => Promise<void>) => work());
      let began = false;
      await whileWriting(name, async () => {
        began = true;
        this.#stages.set(name, 'writing');
        await this.#assertStillThere(name, key, mark);
        await this.#write(name, profile.targetSection, session, (expiresAt) => {
          keptExpiry = expiresAt;
        });
      }).catch((error: unknown) => {
        // The lock never had (another process changing the profile all along): the session AWS gave
        // is not written, and the message must not say that nothing happened.
        if (began || !isMfaTrayError(error, 'lock-timeout')) throw error;
        throw new MfaTrayError(
          'lock-timeout',
          `AWS gave profile "${name}" a session, but it was not kept: another MFA Tray process was changing the profile (removing it, or storing a new key) all the while.`,
          { cause: error, retryable: true, remedy: { action: 'refresh', profile: name } },
        );
      });
      this.#stages.set(name, 'written');
      return session;
    } catch (error) {
      this.#stages.delete(name);
      // Removed while AWS answered: no state is left for a profile that is no longer there.
      if (isMfaTrayError(error, 'not-found') && error.options.cause === PROFILE_GONE) {
        this.drop(name);
        throw error;
      }
      const caught = isMfaTrayError(error) ? error : new MfaTrayError('internal', `Refreshing profile "${name}" failed unexpectedly.`, { cause: error });
      // A refused code that was made here, in AWS's time and used nowhere else by MFA Tray: waiting
      // for the next one does not help when the secret is another device's.
      let failure =
        code === undefined && caught.code === 'sts-invalid-code' ? this.#generatedCodeRefused(name, profile.mfaSerial, caught, madeWithOffset) : caught;
      // AWS refused the request for its clock, and the offset measured from that refusal puts this
      // clock so far ahead that the session would look expired here: said now, not "try again".
      if (caught.code === 'clock-skew' && sentCode !== undefined) failure = this.#clockFarAheadNow(profile, 'unread') ?? failure;
      // A code whose request never left this computer was not seen by AWS: it stays usable. (If
      // giving it back fails, the worst case is a wait for the next code, as before.)
      // So is a code made for a time step AWS was not at (a stale offset): it would block the record until then.
      const offStep = failure !== caught && failure.code === 'clock-skew';
      // And so is a code in a request AWS refused before it read the code: for its signature's time
      // or its key (authentication comes before the action).
      const unread = refusedBeforeTheCode(caught.code);
      if (sentCode !== undefined && (failure.notSent || offStep || unread)) await this.deps.codes.release(profile.mfaSerial, sentCode).catch(() => undefined);
      // The old session (if any) is untouched: still in the file and the cache, and still shown;
      // unless AWS gave a new one that only the keychain could take (then that one is shown).
      // A key changed meanwhile: the old session went with the old key (whoever stored the new one
      // forgot it), so only what the keychain still holds is shown.
      const before = failure.options.cause === KEY_CHANGED ? await this.#cachedExpiry(name) : oldExpiry;
      const stillValid = keptExpiry ?? (before !== undefined && before > this.deps.clock.now() ? before : undefined);
      this.#set(name, {
        kind: 'failed',
        reason: failure.message,
        code: failure.code,
        ...(stillValid === undefined ? {} : { expiresAt: stillValid }),
        ...(failure.remedies.length > 0 ? { remedies: failure.remedies } : {}),
      });
      throw failure;
    }
  }

  /**
   * Writes a session AWS gave: the credentials file, the record of written sessions, the keychain.
   * When the file cannot take it, it is kept in the keychain (`onKept` gets its expiry) and the
   * file's error is thrown.
   */
  async #write(name: string, section: string, session: SessionCredentials, onKept: (expiresAt: number | undefined) => void): Promise<void> {
    try {
      await this.deps.file.writeSession(section, session);
    } catch (error) {
      // credential-process then serves the keychain's copy (the kept session), not the file's older one.
      await this.deps.wroteSession?.(name, section, undefined);
      // The keychain's session before the kept one replaces it: MFA Tray's own, as the file may still hold it.
      const previous = await this.deps.secrets.getSession(name).then(
        (cached) => cached?.accessKeyId,
        () => undefined,
      );
      const kept = await this.#keepUnwritten(name, session, error);
      onKept(kept.expiresAt);
      if (kept.expiresAt !== undefined) {
        this.#keptFailures.set(name, session.accessKeyId);
        // …and the keeper writes it into the file once the file can take it (writeKept), over what
        // the section holds now (the failed write left it as it was); not when that cannot be read.
        const over = await this.deps.file.readSession(section).then(
          (inFile) => inFile?.accessKeyId ?? null,
          () => undefined,
        );
        if (over !== undefined)
          await this.deps.wroteSession?.(name, section, session, { over, ...(over !== null && over === previous ? { overOurs: true as const } : {}) });
      }
      throw kept.error;
    }
    await this.deps.wroteSession?.(name, section, session);
    this.#keyIds.set(name, session.accessKeyId);
    this.#set(name, this.#derive(name, session.expiresAt));
    try {
      await this.deps.secrets.setSession(name, session);
    } catch (error) {
      // The file has it (every AWS tool uses it, and credential-process serves it from there, as
      // recorded): a refresh for it again would only spend a code. Seen in review: the keychain
      // locked while AWS answered, and "…then try again".
      const cause = isMfaTrayError(error) ? error : new MfaTrayError('keychain-unavailable', 'the keychain could not be written.', { cause: error });
      onKept(session.expiresAt); // the failed state shows this session's time: the file's
      throw new MfaTrayError(
        cause.code,
        `The new session is in [${section}] of the credentials file (AWS tools use it, ${describeDuration(session.expiresAt - this.deps.clock.now())} left), but MFA Tray could not keep its own copy in the keychain: ${withoutTryAgain(cause.message)} No new refresh is needed for it.`,
        { cause },
      );
    }
  }

  /** The expiry of the session the keychain holds for a profile now; undefined when none or unreadable. */
  async #cachedExpiry(name: string): Promise<number | undefined> {
    return (await this.deps.secrets.getSession(name).catch(() => undefined))?.expiresAt;
  }

  /**
   * Refuses to keep a session AWS gave for a profile removed while AWS was answering (by the window,
   * or `mfa-tray remove` in another process), or whose key was replaced meanwhile (`add --force`,
   * the window's new key): written, it would outlive the removal in the keychain and the section, or
   * run AWS commands as the old key's user under the profile now holding another's. Only a profile
   * the settings file does not name is gone: a file that cannot be read now must not cost the code.
   * The key is read again only when the record of keychain changes holds a change of it since the
   * refresh read it (or cannot tell).
   */
  async #assertStillThere(name: string, key: LongLivedKey, mark: ChangesMark | undefined): Promise<void> {
    const profile = await this.deps.profiles.getProfile(name).then(
      (found) => found,
      (error: unknown) => (isMfaTrayError(error, 'not-found') ? PROFILE_GONE : undefined),
    );
    if (profile === PROFILE_GONE) {
      throw new MfaTrayError('not-found', `Profile "${name}" was removed while AWS was answering its refresh: the session AWS gave was not kept.`, {
        cause: PROFILE_GONE,
      });
    }
    if (mark === undefined || !this.deps.secrets.changesSince) return;
    const { changes } = await this.deps.secrets.changesSince(mark).catch(() => ({ changes: 'unknown' as const }));
    if (changes !== 'unknown' && !changes.some((change) => change.kind === 'long-lived-key' && change.profile === name)) return;
    // A key that changed and cannot be read now (a locked keychain, a damaged entry) is not taken
    // for the one the session was got with.
    const now = await this.deps.secrets.getLongLivedKey(name).catch((): typeof KEY_UNREADABLE => KEY_UNREADABLE);
    // (When the record itself could not say, an unreadable key is no sign of a change.)
    if (now === KEY_UNREADABLE ? changes === 'unknown' : now?.accessKeyId === key.accessKeyId) return;
    const lost = `while AWS was answering its refresh`;
    if (now === undefined) {
      throw new MfaTrayError('no-long-lived-key', `The access key of profile "${name}" was removed ${lost}: the session AWS gave was not kept.`, {
        cause: KEY_CHANGED,
        remedy: keyRemedies(profile ?? name),
      });
    }
    throw new MfaTrayError(
      'no-session',
      now === KEY_UNREADABLE
        ? `The access key of profile "${name}" changed ${lost}, and cannot be read now: the session AWS gave was not kept.`
        : `The access key of profile "${name}" was replaced ${lost}: the session the old key got was not kept.`,
      { cause: KEY_CHANGED, remedy: { action: 'refresh', profile: name } },
    );
  }

  /**
   * Writes into the credentials file each session AWS gave that the file could not take at the time
   * (kept in the keychain and recorded: see {@link #keepUnwritten}), now that it can: the AWS tools
   * that read the file get it without another code. The keeper calls this on its re-reads; a write
   * that fails again leaves everything as it was, for the next one. The session goes in only over
   * what the section held when it was kept (anything written there since, by a refresh here or
   * elsewhere or by another tool, stays), and only while the record still holds it (a forget or a
   * remove clears it first): both decided under the file's lock. A failure this process shows for
   * a kept session ends once the file holds that session, whoever wrote it.
   *
   * @returns the profiles whose kept session this call wrote into the file, or whose failure shown
   *   here ended because the file holds that session now, with its expiry.
   */
  async writeKept(): Promise<Array<{ readonly profile: string; readonly expiresAt: number }>> {
    const done = new Map<string, number>();
    const record = this.deps.kept;
    const kept = record ? await record.list().catch(() => new Map<string, KeptSession>()) : new Map<string, KeptSession>();
    for (const [name, entry] of kept) {
      if (this.#inflight.has(name) || !record) continue;
      if (await this.#writeKept(name, entry, record).catch(() => false)) done.set(name, entry.expiresAt);
    }
    for (const [name, accessKeyId] of this.#keptFailures) {
      // A refresh under way decides the state (and may be adding this very entry).
      if (this.#inflight.has(name)) continue;
      const state = this.state(name);
      if (state.kind !== 'failed') {
        this.#keptFailures.delete(name);
        continue;
      }
      const profile = await this.deps.profiles.getProfile(name).catch(() => undefined);
      const inFile = profile && (await this.deps.file.readSession(profile.targetSection).catch(() => undefined));
      // Unchanged meanwhile (no refresh began, no other failure came)?
      if (inFile?.accessKeyId !== accessKeyId || this.state(name) !== state || this.#keptFailures.get(name) !== accessKeyId) continue;
      this.#keptFailures.delete(name);
      this.#set(name, this.#derive(name, state.expiresAt));
      if (state.expiresAt !== undefined) done.set(name, state.expiresAt);
    }
    return [...done].map(([profile, expiresAt]) => ({ profile, expiresAt }));
  }

  async #writeKept(name: string, entry: KeptSession, record: KeptSessions): Promise<boolean> {
    // Only a profile that is gone counts as gone (a settings file unreadable for a moment does not).
    const profile = await this.deps.profiles.getProfile(name).catch((error: unknown) => {
      if (isMfaTrayError(error, 'not-found')) return undefined;
      throw error;
    });
    if (entry.expiresAt <= this.deps.clock.now() || profile?.targetSection !== entry.section || entry.over === undefined) {
      // Expired, its profile gone or pointed at another section: it will never be written.
      await record.settle(name, entry.accessKeyId, false);
      return false;
    }
    // The file first: no keychain read while nothing can be written (every read keeps native memory on Linux).
    const before = await this.deps.file.readSession(entry.section);
    if (before?.accessKeyId === entry.accessKeyId) {
      await record.settle(name, entry.accessKeyId, true); // another process wrote it
      return false;
    }
    if ((before?.accessKeyId ?? null) !== entry.over) {
      // Something else is there now (a refresh, another tool): it stays, and this one never goes in.
      await record.settle(name, entry.accessKeyId, false);
      return false;
    }
    const session = await this.deps.secrets.getSession(name);
    if (session?.accessKeyId !== entry.accessKeyId) {
      await record.settle(name, entry.accessKeyId, false); // replaced in the keychain since
      return false;
    }
    const wrote = await this.deps.file.writeSession(entry.section, session, {
      onlyIf: (inFile) => (inFile?.accessKeyId ?? null) === entry.over && record.holds(name, entry.accessKeyId),
    });
    // Not written here: another keeper (the tray app beside watch) may have written it first, and
    // then it is that one's news; or the section or the record changed meanwhile.
    if (!wrote && (await this.deps.file.readSession(entry.section))?.accessKeyId !== session.accessKeyId) return false;
    await record.settle(name, entry.accessKeyId, true);
    return wrote;
  }

  /**
   * AWS gave a session (and took the code) but the credentials file could not take it (the disk
   * filled up since the check before the code was sent, the file was made immutable, another writer
   * held its lock too long). Thrown away, it would cost the person another code for nothing: it is
   * kept in the keychain, where `credential_process`, `export` and `exec` find it; the file keeps
   * what it had, and the failure says both. When the keychain cannot take it either, it is lost,
   * and the message says so.
   */
  async #keepUnwritten(name: string, session: SessionCredentials, error: unknown): Promise<{ readonly error: MfaTrayError; readonly expiresAt?: number }> {
    const writeError = isMfaTrayError(error)
      ? error
      : new MfaTrayError('internal', `Writing the session of profile "${name}" failed unexpectedly.`, { cause: error });
    const left = describeDuration(session.expiresAt - this.deps.clock.now());
    const kept = await this.deps.secrets.setSession(name, session).then(
      () => true,
      () => false,
    );
    if (kept) this.#keyIds.set(name, session.accessKeyId);
    const note = kept
      ? ` The new session from AWS (${left} left) is kept in the keychain: credential_process, mfa-tray export and mfa-tray exec use it; tools that read the credentials file get it with the next refresh, or sooner while the tray app or mfa-tray watch runs: they write it there once the file can take it.`
      : ' The code was used up, and the new session from AWS could not be kept in the keychain either.';
    const options = {
      cause: writeError,
      ...(writeError.retryable ? { retryable: true } : {}),
      ...(writeError.field === undefined ? {} : { field: writeError.field }),
      ...(writeError.remedies.length > 0 ? { remedy: writeError.remedies } : {}),
    };
    // "Nothing was changed" is the file's writer speaking; beside a kept session it would mislead.
    const said = writeError.message.replace(/ Nothing was changed\.$/, ' The file was left as it was.');
    return { error: new MfaTrayError(writeError.code, `${said}${note}`, options), ...(kept ? { expiresAt: session.expiresAt } : {}) };
  }

  /**
   * A refused code made here: in AWS's time, so either the offset it was made with was stale (AWS's
   * answer measured the clock again, and it moved by a time step or more: the next try works), or
   * the registered secret is not the device's.
   */
  #generatedCodeRefused(profile: string, mfaSerial: string, refusal: MfaTrayError, madeWithOffset: number | undefined): MfaTrayError {
    const measuredNow = this.deps.clockOffsetMs?.();
    // Never measured (no answer carried a time): neither the clock nor the secret can be blamed.
    if (madeWithOffset === undefined || measuredNow === undefined) return refusal;
    const moved = madeWithOffset - measuredNow;
    // Under a step off, the code is within the step either side that TOTP verifiers allow: the clock is not why.
    if (Math.abs(moved) < TOTP_STEP_MS) return totpCodeRefused(profile, mfaSerial, refusal);
    return new MfaTrayError(
      'clock-skew',
      `AWS refused the code made from the TOTP secret of profile "${profile}" in AWS's time as last measured: this computer's clock is now about ` +
        `${Math.round(Math.abs(moved) / 1000)} s ${moved > 0 ? 'ahead of' : 'behind'} where that measurement put it (measured again just now).`,
      { cause: refusal, retryable: true, remedy: { action: 'refresh', profile } },
    );
  }

  /**
   * Sessions are judged by this computer's clock (here, and by every AWS tool that reads the file or
   * credential_process). With that clock far ahead of AWS's, a new session looks expired, or about to
   * expire, the moment it arrives: it would be reported as got while nothing can use it, and every
   * refresh after it (credential_process's on each AWS command) would spend another code. Refused
   * when less than half the session would be left by this computer's clock (the expiring-soon lead
   * time is at most a quarter of a session, so a session kept is never refreshed at once).
   * @returns the refusal, or undefined when the session would do here.
   */
  #clockFarAhead(profile: Profile, leftHereMs: number, code: keyof typeof CODE_FATE): MfaTrayError | undefined {
    const lengthMs = profile.durationSeconds * 1000;
    if (leftHereMs >= lengthMs / 2) return undefined;
    const offsetMs = this.deps.clockOffsetMs?.() ?? 0;
    const ahead = describeOffset(offsetMs < 0 ? offsetMs : leftHereMs - lengthMs);
    return new MfaTrayError(
      'clock-skew',
      `This computer's clock is ${ahead}: a session of ${describeDuration(lengthMs)} from AWS would look expired here (or nearly), and AWS tools on this computer would not use it. ` +
        `Turn on automatic date and time in your system settings, then try again. ${CODE_FATE[code]}`,
      { notSent: code === 'not-sent' },
    );
  }

  /** {@link #clockFarAhead} for a session AWS would give now, by the offset measured. */
  #clockFarAheadNow(profile: Profile, code: keyof typeof CODE_FATE): MfaTrayError | undefined {
    return this.#clockFarAhead(profile, (this.deps.clockOffsetMs?.() ?? 0) + profile.durationSeconds * 1000, code);
  }

  #derive(profile: string, expiresAt: number | undefined): SessionState {
    return deriveState(expiresAt, this.deps.clock.now(), this.deps.expiringWithinMs(), this.#lifetimes.get(profile));
  }

  #set(profile: string, state: SessionState): void {
    const previous = this.#states.get(profile);
    this.#states.set(profile, state);
    if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(state)) return;
    for (const listener of this.#listeners) {
      try {
        listener(profile, state);
      } catch {
        // A broken listener (a UI) must not break a refresh.
      }
    }
  }
}

/** One TOTP time step: an offset that moved less than this made the same code. */
const TOTP_STEP_MS = 30_000;

/** AWS refused a code made from the profile's registered TOTP secret. */
function totpCodeRefused(profile: string, mfaSerial: string, refusal: MfaTrayError): MfaTrayError {
  return new MfaTrayError(
    'totp-code-refused',
    `AWS refused the code made from the TOTP secret registered for profile "${profile}": the secret is likely not the one of MFA device ${mfaSerial} ` +
      "(another device's, or the device was set up anew), unless another tool used this time step's code first.",
    { cause: refusal, remedy: { action: 'set-totp', profile } },
  );
}
