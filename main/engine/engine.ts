/**
 * The engine: the composition root the tray app, the bridge and the command all drive.
 *
 * It wires the modules together (settings, keychain, credentials file, STS, TOTP, sessions,
 * scheduler) and offers the operations users have words for: add, import, remove, register a TOTP
 * secret, verify, refresh, status, export. Every operation validates all of its input before it
 * changes anything, and undoes its own earlier steps when a later one fails.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { MfaTrayError, isKeychainDown, isMfaTrayError } from '../common/errors';
import { expiryOf } from '../common/session-state';
import { maskKeyId } from '../common/key-id';
import type { LongLivedKey, Profile, SessionCredentials, SessionState } from '../common/model';
import {
  validateLongLivedKey,
  validateProfileInput,
  validateProfileName,
  type ProfileInput,
  type ProfilePatch,
  type SettingsPatch,
} from '../common/validation';
import { type Env, configFilePath, readProfileConfig } from './aws-config';
import { ClockOffset, systemClock, type Clock } from './clock';
import { CredentialsFile } from './credentials-file';
import { formatExports, type ExportFormat } from './exports';
import { KeytarSecretStore } from './keytar-secret-store';
import { withLock } from './atomic-file';
import { ClockMemory, OFFSET_MEMORY_MS, type RememberedOffset } from './clock-memory';
import { clockOffsetFile, configDir as defaultConfigDir, refreshLockPath, usedCodesFile } from './paths';
import { ProfileSecrets } from './profile-secrets';
import { Scheduler, type DueEvent } from './scheduler';
import { SdkStsGateway } from './sdk-sts-gateway';
import type { SecretStore } from './secret-store';
import { SessionService, type CodeInput } from './session-service';
import { SettingsStore } from './settings-store';
import type { CallerIdentity, StsGateway } from './sts-gateway';
import { TotpGenerator, parseTotpSecret } from './totp';
import { UsedCodes } from './used-codes';

/** How the engine is put together; every part can be replaced (tests, other front ends). */
export interface EngineOptions {
  /** Environment for file locations (`AWS_SHARED_CREDENTIALS_FILE`, `HOME`, ...). Default `process.env`. */
  readonly env?: Env;
  /** The config folder (settings, used codes). Default: `MFA_TRAY_CONFIG_DIR` or the platform's. */
  readonly configDir?: string;
  readonly clock?: Clock;
  /** The keychain. Default: keytar with the service prefix "MFA Tray". */
  readonly secretStore?: SecretStore;
  /** STS. Default: the AWS SDK, honouring `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`. */
  readonly sts?: StsGateway;
  /** Bound on one STS call. */
  readonly stsTimeoutMs?: number;
  /** An STS endpoint instead of the SDK's own resolution (which already honours `AWS_ENDPOINT_URL_STS`). */
  readonly stsEndpoint?: string;
}

/** A profile as `status` shows it. */
export interface ProfileStatus {
  readonly profile: Profile;
  readonly state: SessionState;
  readonly hasTotpSecret: boolean;
}

/** Something the user should be told about (the tray turns these into notifications). */
export type EngineNotice =
  | { readonly kind: 'expiring'; readonly profile: string; readonly expiresAt: number }
  | { readonly kind: 'expired'; readonly profile: string; readonly expiresAt: number }
  | {
      readonly kind: 'refresh-failed';
      readonly profile: string;
      readonly code: string;
      readonly reason: string;
      readonly unattended: boolean;
      readonly willRetry: boolean;
    }
  | {
      readonly kind: 'refreshed';
      readonly profile: string;
      readonly expiresAt: number;
      readonly unattended: boolean;
      /** The session came from another process (the command, another app), seen in the keychain. */
      readonly elsewhere?: boolean;
    };

/** Input of {@link Engine.addProfile}: the profile's settings plus its long-lived key. */
export type AddProfileInput = ProfileInput & { readonly accessKeyId?: unknown; readonly secretAccessKey?: unknown };

export interface AddProfileOptions {
  /** Replace an existing profile of that name (its key too). */
  readonly replace?: boolean;
  /** Register a TOTP secret (base32 or otpauth URI) along with the profile. */
  readonly totpSecret?: string;
}

export interface ImportProfileOptions {
  /**
   * The credentials-file section holding the long-lived key. Default: `[<profile>]` when it holds
   * one, else `[<profile>-long-term]` (aws-mfa's layout).
   */
  readonly fromSection?: string;
  /** Overrides for what the config and credentials files say (see {@link Engine.planImport}). */
  readonly mfaSerial?: string;
  readonly region?: string;
  readonly durationSeconds?: number | string;
  readonly targetSection?: string;
  /** Remove the plaintext key from the credentials file once the keychain holds it. */
  readonly removePlaintext?: boolean;
  readonly replace?: boolean;
}

/** A value for an imported profile and where it came from, in the user's words ("[profile work] in ~/.aws/config"). */
export interface Sourced<T> {
  readonly value: T;
  readonly from: string;
}

/** What `import` will do: the source section and each setting with where it came from. */
export interface ImportPlan {
  readonly fromSection: string;
  /** Why this section: named on the command line, the profile's own, or aws-mfa's `<profile>-long-term`. */
  readonly fromSectionWhy: 'given' | 'same-name' | 'aws-mfa';
  readonly mfaSerial: Sourced<string>;
  readonly targetSection: Sourced<string>;
  /** Absent: the default applies. */
  readonly region?: Sourced<string>;
  readonly durationSeconds?: Sourced<number | string>;
}

/** aws-mfa keeps the long-lived key in `[<name>-long-term]` and writes sessions to `[<name>]`. */
export const AWS_MFA_LONG_TERM_SUFFIX = '-long-term';

const MINUTE = 60_000;
/** How long after the credentials file changed its sessions are read again (the keychain is written just after). */
const PICK_UP_DELAY_MS = 500;
/** Backoff of unattended refreshes after a failure that may pass (network, throttling, 5xx). */
const RETRY_DELAYS_MS = [30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE];
/** When to try starting again after the keychain could not be read: soon at first (it may be unlocking), then every 2 min. */
const START_RETRY_DELAYS_MS = [5_000, 15_000, 30_000, MINUTE, 2 * MINUTE];

/** The engine. Construct with {@link createEngine}. */
export class Engine {
  readonly clock: Clock;
  readonly offset = new ClockOffset();
  readonly settings: SettingsStore;
  readonly secrets: ProfileSecrets;
  readonly credentials: CredentialsFile;
  readonly sts: StsGateway;
  readonly codes: TotpGenerator;
  readonly sessions: SessionService;
  /** The last clock offset measured by any MFA Tray process (`clock-offset.json`). */
  readonly clockMemory: ClockMemory;
  readonly configDir: string;
  readonly #env: Env | undefined;
  #scheduler: Scheduler | undefined;
  #notifyBeforeMs = 15 * MINUTE;
  #noticeListeners = new Set<(notice: EngineNotice) => void>();
  #changeListeners = new Set<(what: 'profiles' | 'settings') => void>();
  #retries = new Map<string, { attempt: number; timer: ReturnType<Clock['setTimeout']> }>();
  #starting: Promise<void> | undefined;
  #clockWrite: Promise<void> = Promise.resolve();
  #clockWritten: { readonly offsetMs: number; readonly at: number } | undefined;
  /** Due events being handled (each first reads the keychain: another process may have refreshed). */
  #handling = new Set<Promise<void>>();
  /** The expiry of the session this process got last, per profile: not news when seen again. */
  #ownExpiries = new Map<string, number>();
  /** Watches the credentials file's folder while started: another process's refresh writes there. */
  #fileWatcher: FSWatcher | undefined;
  #pickUpTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why keeping sessions fresh could not start (the keychain is locked, say), and the next try. */
  #startFailure: { readonly error: MfaTrayError; readonly attempt: number; readonly timer: ReturnType<Clock['setTimeout']> } | undefined;

  constructor(options: EngineOptions = {}) {
    this.#env = options.env;
    this.clock = options.clock ?? systemClock;
    this.configDir = options.configDir ?? defaultConfigDir(options.env ?? process.env);
    this.settings = new SettingsStore({ configDir: this.configDir });
    this.secrets = new ProfileSecrets(options.secretStore ?? new KeytarSecretStore());
    this.credentials = new CredentialsFile(options.env ? { env: options.env } : {});
    this.sts =
      options.sts ??
      new SdkStsGateway({
        clockOffset: this.offset,
        clock: this.clock,
        ...(options.stsTimeoutMs ? { timeoutMs: options.stsTimeoutMs } : {}),
        ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
      });
    this.clockMemory = new ClockMemory(clockOffsetFile(this.configDir));
    // Every measurement is remembered for the next process (in order; a refresh waits for it, so a
    // command does not end mid-write); a failed write only costs the next process a round trip.
    this.offset.onMeasured((offsetMs) => {
      // Each refresh measures twice (calibration, GetSessionToken): write once per change, or to renew the memory.
      const last = this.#clockWritten;
      if (last && last.offsetMs === offsetMs && Date.now() - last.at < OFFSET_MEMORY_MS / 2) return;
      this.#clockWritten = { offsetMs, at: Date.now() };
      this.#clockWrite = this.#clockWrite.then(() => this.clockMemory.write(offsetMs)).catch(() => undefined);
    });
    const usedCodes = new UsedCodes(usedCodesFile(this.configDir), { clock: this.clock });
    this.codes = new TotpGenerator({ clock: this.clock, offset: this.offset, usedCodes });
    this.sessions = new SessionService({
      profiles: this.settings,
      secrets: this.secrets,
      file: this.credentials,
      sts: this.sts,
      codes: this.codes,
      clock: this.clock,
      expiringWithinMs: () => this.#notifyBeforeMs,
      calibrate: async (key, region) => {
        if (this.offset.measured) return;
        // Another process's recent measurement, while the clock has not been set since…
        const remembered = await this.clockMemory.read();
        if (remembered?.current) {
          this.offset.set(remembered.offsetMs);
          return;
        }
        // …else one cheap, MFA-free call measures it (the gateway records it from every answer).
        await this.sts.getCallerIdentity(key, region).catch(() => undefined);
      },
    });
  }

  /** Subscribes to notices. @returns the unsubscribe function. */
  onNotice(listener: (notice: EngineNotice) => void): () => void {
    this.#noticeListeners.add(listener);
    return () => this.#noticeListeners.delete(listener);
  }

  /**
   * Subscribes to changes of the profiles (added, edited, removed, keys or TOTP replaced) and of the
   * app settings, from any front end. @returns the unsubscribe function.
   */
  onChange(listener: (what: 'profiles' | 'settings') => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  #changed(what: 'profiles' | 'settings'): void {
    for (const listener of this.#changeListeners) {
      try {
        listener(what);
      } catch {
        // A broken listener must not stop the engine.
      }
    }
  }

  // ── Profiles ────────────────────────────────────────────────────────────────────────────────

  /**
   * Stores a profile: its long-lived key in the keychain, its settings in the settings file.
   * Everything is validated first; if the settings write fails the keychain is put back as it was.
   */
  async addProfile(input: AddProfileInput, options: AddProfileOptions = {}): Promise<Profile> {
    const { accessKeyId, secretAccessKey, ...profileInput } = input;
    const profile = validateProfileInput(profileInput);
    const key = validateLongLivedKey({ accessKeyId, secretAccessKey });
    const totpSecret = options.totpSecret === undefined ? undefined : parseTotpSecret(options.totpSecret);
    const existing = (await this.settings.listProfiles()).find((p) => p.name === profile.name);
    if (existing && !options.replace) {
      throw new MfaTrayError('already-exists', `A profile named "${profile.name}" exists already. Remove it first, or replace it (--force).`, {
        field: 'name',
      });
    }
    await this.#withKeychainRollback(profile.name, totpSecret !== undefined, async () => {
      await this.secrets.setLongLivedKey(profile.name, key);
      if (totpSecret !== undefined) await this.secrets.setTotpSecret(profile.name, totpSecret);
      await this.settings.addProfile(profile, { replace: options.replace === true });
    });
    if (existing && totpSecret === undefined) await this.#forgetTotpOfOtherDevice(existing, profile);
    await this.sessions.load();
    this.#schedule(profile.name);
    this.#changed('profiles');
    return profile;
  }

  /** Every profile's settings, in the order they were added. */
  profiles(): Promise<readonly Profile[]> {
    return this.settings.listProfiles();
  }

  /** Whether a TOTP secret is registered for the profile (then its codes are generated, not asked for). */
  hasTotpSecret(name: string): Promise<boolean> {
    return this.secrets.hasTotpSecret(name);
  }

  /** A profile's settings ('not-found', naming the profiles there are, when there is none). */
  profile(name: string): Promise<Profile> {
    return this.settings.getProfile(name);
  }

  /** Changes a profile's settings (not its name). A new MFA device forgets the old one's TOTP secret. */
  async updateProfile(name: string, patch: ProfilePatch): Promise<Profile> {
    const before = patch.mfaSerial === undefined ? undefined : await this.settings.getProfile(name);
    const profile = await this.settings.updateProfile(name, patch);
    if (before) await this.#forgetTotpOfOtherDevice(before, profile);
    this.#schedule(name);
    this.#changed('profiles');
    return profile;
  }

  /**
   * A TOTP secret belongs to one MFA device: kept after the profile moved to another device it
   * would only make wrong codes (and burn time steps). @returns whether one was forgotten.
   */
  async #forgetTotpOfOtherDevice(before: Profile, after: Profile): Promise<boolean> {
    return before.mfaSerial !== after.mfaSerial && this.secrets.deleteTotpSecret(after.name);
  }

  /** Replaces a profile's long-lived key (write-only: there is no way to read it back). */
  async setLongLivedKey(name: string, input: { readonly accessKeyId?: unknown; readonly secretAccessKey?: unknown }): Promise<void> {
    const key = validateLongLivedKey(input);
    await this.settings.getProfile(name);
    await this.secrets.setLongLivedKey(name, key);
    this.#changed('profiles');
  }

  /**
   * Where an import takes each value from. The one rule, for the command and the window:
   * - the key: `fromSection`; without it `[<profile>]` when that holds a long-lived key, else
   *   `[<profile>-long-term]` (aws-mfa's layout);
   * - the MFA device, region and duration: the given option, else `[profile <profile>]` in the
   *   config file, else `[profile <section>]`, else (the device only) the section's own
   *   `mfa_serial` or `aws_mfa_device` in the credentials file;
   * - the target section: the given one, else `[<profile>]`.
   */
  async planImport(name: string, options: ImportProfileOptions = {}): Promise<ImportPlan> {
    validateProfileName(name);
    const credentialsPath = this.credentials.path;
    let fromSection = options.fromSection;
    let fromSectionWhy: ImportPlan['fromSectionWhy'] = 'given';
    if (fromSection === undefined) {
      const longTerm = `${name}${AWS_MFA_LONG_TERM_SUFFIX}`;
      if (await this.credentials.holdsLongLivedKey(name)) {
        fromSection = name;
        fromSectionWhy = 'same-name';
      } else if (await this.credentials.holdsLongLivedKey(longTerm)) {
        fromSection = longTerm;
        fromSectionWhy = 'aws-mfa';
      } else {
        throw new MfaTrayError(
          'not-found',
          `Neither [${name}] nor [${longTerm}] in the credentials file ${credentialsPath} holds a long-lived access key. ` +
            'Name the section that does: mfa-tray import ' +
            name +
            ' --from <section>',
          { field: 'fromSection' },
        );
      }
    }
    const env = this.#env ? { env: this.#env } : {};
    const configPath = configFilePath(this.#env);
    const own = await readProfileConfig(name, env);
    const source = fromSection === name ? {} : await readProfileConfig(fromSection, env);
    const pick = <T>(option: T | undefined, flag: string, key: 'mfaSerial' | 'region' | 'durationSeconds'): Sourced<T> | undefined => {
      if (option !== undefined) return { value: option, from: flag };
      if (own[key] !== undefined) return { value: own[key] as T, from: `[profile ${name}] in ${configPath}` };
      if (source[key] !== undefined) return { value: source[key] as T, from: `[profile ${fromSection}] in ${configPath}` };
      return undefined;
    };
    let mfaSerial = pick(options.mfaSerial, '--mfa-serial', 'mfaSerial');
    if (mfaSerial === undefined) {
      const found = await this.credentials.readSetting(fromSection, ['mfa_serial', 'aws_mfa_device']);
      if (found) mfaSerial = { value: found.value, from: `${found.key} of [${fromSection}] in ${credentialsPath}` };
    }
    if (mfaSerial === undefined) {
      throw new MfaTrayError(
        'invalid-input',
        `MFA device: none is set for this profile: not in [profile ${name}] or [profile ${fromSection}] of ${configPath} (mfa_serial), ` +
          `nor in [${fromSection}] of ${credentialsPath} (mfa_serial or aws_mfa_device). Give the MFA device's ARN or serial (--mfa-serial).`,
        { field: 'mfaSerial' },
      );
    }
    const region = pick(options.region, '--region', 'region');
    const durationSeconds = pick<number | string>(options.durationSeconds, '--duration', 'durationSeconds');
    return {
      fromSection,
      fromSectionWhy,
      mfaSerial,
      targetSection: options.targetSection !== undefined ? { value: options.targetSection, from: '--target' } : { value: name, from: "the profile's name" },
      ...(region ? { region } : {}),
      ...(durationSeconds ? { durationSeconds } : {}),
    };
  }

  /**
   * Imports a long-lived key from the credentials file as a profile, with the settings
   * {@link planImport} finds. With `removePlaintext`, the key is removed from the file only after
   * it reads back from the keychain unchanged. @returns the profile, the plan (where each value
   * came from) and the imported key's id, masked.
   */
  async importProfile(
    name: string,
    options: ImportProfileOptions = {},
  ): Promise<{ readonly profile: Profile; readonly plan: ImportPlan; readonly maskedKeyId: string }> {
    const plan = await this.planImport(name, options);
    const { fromSection } = plan;
    const key = await this.credentials.readLongLivedKey(fromSection);
    const targetSection = plan.targetSection.value;
    if (targetSection === fromSection && !options.removePlaintext) {
      throw new MfaTrayError(
        'invalid-input',
        `target section: [${targetSection}] holds the long-lived key being imported, so sessions cannot go there while the key stays in the file. Remove the plaintext key (--remove-plaintext) or choose another section (--target).`,
        { field: 'targetSection' },
      );
    }
    const profile = await this.addProfile(
      {
        name,
        mfaSerial: plan.mfaSerial.value,
        targetSection,
        ...(plan.region ? { region: plan.region.value } : {}),
        ...(plan.durationSeconds ? { durationSeconds: plan.durationSeconds.value } : {}),
        accessKeyId: key.accessKeyId,
        secretAccessKey: key.secretAccessKey,
      },
      { replace: options.replace === true },
    );
    if (options.removePlaintext) {
      const stored = await this.secrets.getLongLivedKey(name);
      if (!stored || stored.accessKeyId !== key.accessKeyId || stored.secretAccessKey !== key.secretAccessKey) {
        throw new MfaTrayError(
          'keychain-unavailable',
          `The key of [${fromSection}] did not read back from the keychain unchanged, so it was left in the credentials file.`,
        );
      }
      await this.credentials.removeLongLivedKey(fromSection, key.accessKeyId);
    }
    return { profile, plan, maskedKeyId: maskKeyId(key.accessKeyId) };
  }

  /**
   * Forgets a profile: its settings and every keychain entry; its credentials-file session only
   * with `forgetSession`.
   */
  /**
   * What removing a profile would lose, for the question the command and the window ask: its
   * access key (masked), whether another copy of that key exists (a credentials-file section
   * holding it), its TOTP secret. Reads the keychain, so a locked one fails here, before anything
   * is removed.
   */
  async removalImpact(name: string): Promise<RemovalImpact> {
    const profile = await this.settings.getProfile(name);
    const key = await this.secrets.getLongLivedKey(name);
    const hasTotpSecret = await this.secrets.hasTotpSecret(name);
    const copies = key ? await this.credentials.sectionsWithKey(key.accessKeyId) : [];
    return {
      profile: profile.name,
      targetSection: profile.targetSection,
      maskedKeyId: key ? maskKeyId(key.accessKeyId) : undefined,
      keyCopies: copies,
      hasTotpSecret,
      credentialsPath: this.credentials.path,
    };
  }

  /**
   * Forgets a profile and its keychain entries. `restoreKeyTo`: first write the long-lived key back
   * into that credentials-file section (the way back from `import --remove-plaintext`); when that
   * write fails, nothing is forgotten.
   */
  async removeProfile(name: string, options: { readonly forgetSession?: boolean; readonly restoreKeyTo?: string } = {}): Promise<void> {
    const profile = await this.settings.getProfile(name);
    if (options.restoreKeyTo !== undefined) await this.credentials.writeLongLivedKey(options.restoreKeyTo, await this.secrets.requireLongLivedKey(name));
    if (options.forgetSession) await this.credentials.forgetSession(profile.targetSection);
    await this.secrets.deleteAll(name);
    await this.settings.removeProfile(name);
    this.#cancelRetry(name);
    this.#scheduler?.delete(name);
    this.sessions.drop(name);
    this.#changed('profiles');
  }

  /** Registers a profile's TOTP secret (base32 or otpauth URI). Opt-in: it makes one device of two factors. */
  async setTotpSecret(name: string, input: string): Promise<void> {
    const secret = parseTotpSecret(input);
    await this.settings.getProfile(name);
    await this.secrets.setTotpSecret(name, secret);
    this.#schedule(name);
    this.#changed('profiles');
  }

  /** Forgets a profile's TOTP secret. @returns whether there was one. */
  async removeTotpSecret(name: string): Promise<boolean> {
    await this.settings.getProfile(name);
    const removed = await this.secrets.deleteTotpSecret(name);
    this.#schedule(name);
    this.#changed('profiles');
    return removed;
  }

  /** Who a profile's stored key belongs to (`sts:GetCallerIdentity`; needs no MFA). */
  async verify(name: string): Promise<CallerIdentity> {
    const profile = await this.settings.getProfile(name);
    return this.sts.getCallerIdentity(await this.secrets.requireLongLivedKey(name), profile.region);
  }

  /** Who a key belongs to, before it is stored. */
  async verifyKey(key: LongLivedKey, region = 'us-east-1'): Promise<CallerIdentity> {
    return this.sts.getCallerIdentity(validateLongLivedKey(key), region);
  }

  /** Updates app-wide settings and applies the new lead times. */
  async updateSettings(patch: SettingsPatch): Promise<void> {
    const settings = await this.settings.updateSettings(patch);
    this.#applySettings(settings.notifyBeforeMinutes, settings.autoRefreshBeforeMinutes);
    this.#changed('settings');
  }

  // ── Sessions ────────────────────────────────────────────────────────────────────────────────

  /** Refreshes one profile with a typed code, or a generated one. */
  async refresh(name: string, input: CodeInput): Promise<SessionCredentials> {
    this.#cancelRetry(name);
    try {
      const session = await this.sessions.refresh(name, input);
      this.#ownExpiries.set(name, session.expiresAt);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt: session.expiresAt, unattended: false });
      return session;
    } finally {
      this.#schedule(name);
      await this.#clockWrite;
    }
  }

  /**
   * Runs `work` while no other MFA Tray process runs work for the same profile through this method,
   * waiting for it up to `timeoutMs` (default 5 min: the other one may be waiting for a code to be
   * typed). For refreshes on demand that may run in parallel (`credential_process`, which AWS tools
   * can start several times at once): the later ones find the session the first one got instead of
   * each asking for a code, or each waiting for a TOTP step of its own. `onWait` is called once
   * when another process holds the lock.
   */
  async whileRefreshing<T>(name: string, work: () => Promise<T>, options: { readonly timeoutMs?: number; readonly onWait?: () => void } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 5 * MINUTE;
    return withLock(refreshLockPath(this.configDir, name), work, {
      timeoutMs,
      pollMs: 200,
      ...(options.onWait ? { onBusy: options.onWait } : {}),
      what: `the refresh of profile ${name}`,
      busy: () =>
        new MfaTrayError(
          'lock-timeout',
          `Another MFA Tray process has been refreshing profile ${name} for over ${Math.round(timeoutMs / 1000)} s (it may be waiting for a code to be typed); finish or stop it, then try again.`,
          { retryable: true },
        ),
    });
  }

  /** Forgets a profile's session (credentials-file keys and cached session). */
  async forgetSession(name: string): Promise<void> {
    await this.sessions.forget(name);
    this.#schedule(name);
    this.#changed('profiles');
  }

  /**
   * Every profile with its state and whether it can refresh itself. When the keychain cannot be
   * read (locked, absent, not answering), every profile is still listed, in a failed state that
   * carries the keychain's error: the profiles come from the settings file, not the keychain.
   */
  /**
   * How far this computer's clock was from AWS's when last measured (by this process, or any MFA
   * Tray process: the remembered offset), or undefined when it never was.
   */
  async clockStatus(): Promise<Omit<RememberedOffset, 'current'> | undefined> {
    const remembered = await this.clockMemory.read();
    return remembered === undefined ? undefined : { offsetMs: remembered.offsetMs, measuredAt: remembered.measuredAt };
  }

  async status(): Promise<ProfileStatus[]> {
    const profiles = await this.settings.listProfiles();
    try {
      await this.sessions.load(profiles);
      const withTotp = await this.secrets.profilesWith('totp-secret');
      return profiles.map((profile) => ({ profile, state: this.sessions.recompute(profile.name), hasTotpSecret: withTotp.has(profile.name) }));
    } catch (error) {
      if (!isMfaTrayError(error) || !isKeychainDown(error.code)) throw error;
      const state = { kind: 'failed', code: error.code, reason: error.message } as const;
      return profiles.map((profile) => ({ profile, state, hasTotpSecret: false }));
    }
  }

  /** The current session in an export format; 'no-session' (with the command that fixes it) when there is none. */
  async exportSession(name: string, format: ExportFormat): Promise<string> {
    await this.settings.getProfile(name);
    const session = await this.sessions.currentSession(name);
    if (!session) {
      throw new MfaTrayError('no-session', `Profile "${name}" has no current session; get one with: mfa-tray refresh ${name}`);
    }
    return formatExports(session, format);
  }

  // ── Keeping sessions fresh ──────────────────────────────────────────────────────────────────

  /**
   * Loads every profile's state and starts the scheduler: notices before and at expiry, and
   * unattended refreshes for profiles with a TOTP secret and auto-refresh on.
   */
  async start(): Promise<void> {
    // "Try again", a wake-up and the engine's own retry may ask at once: one start at a time.
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#scheduler) return;
    const failed = this.#startFailure;
    if (failed) this.clock.clearTimeout(failed.timer);
    try {
      await this.#startNow();
    } catch (error) {
      // A keychain that is locked or not there yet is a state, not the end: the tray shows it with
      // "Try again", and the engine tries again by itself (and on wake-up, see recheck) until it
      // opens; then the scheduler runs as if nothing had happened. Anything else is the caller's.
      if (!isMfaTrayError(error) || !isKeychainDown(error.code)) throw error;
      const attempt = failed ? failed.attempt + 1 : 0;
      const delay = START_RETRY_DELAYS_MS[Math.min(attempt, START_RETRY_DELAYS_MS.length - 1)] as number;
      this.#startFailure = { error, attempt, timer: this.clock.setTimeout(() => void this.start().catch(() => undefined), delay) };
      this.#changed('profiles');
      return;
    }
    if (failed) {
      this.#startFailure = undefined;
      this.#changed('profiles');
    }
  }

  /**
   * Why sessions are not being kept fresh right now (the keychain is locked, absent or not
   * answering), or undefined while they are. `start()` is what "Try again" calls.
   */
  get keychainProblem(): MfaTrayError | undefined {
    return this.#startFailure?.error;
  }

  async #startNow(): Promise<void> {
    const { settings, profiles } = await this.settings.load();
    this.#notifyBeforeMs = settings.notifyBeforeMinutes * MINUTE;
    // Read once for both: reading every session is the slowest part of a start with many profiles.
    const sessions = await this.secrets.getSessions(profiles.map((p) => p.name));
    await this.sessions.load(profiles, sessions);
    // Created only once everything loaded, so that a failed start can simply be tried again.
    this.#scheduler = new Scheduler(this.clock, (event) => this.#track(this.#onDue(event)), {
      notifyBeforeMs: settings.notifyBeforeMinutes * MINUTE,
      autoRefreshBeforeMs: settings.autoRefreshBeforeMinutes * MINUTE,
    });
    await this.#scheduleAll(profiles, sessions);
    this.#watchCredentialsFile();
  }

  /**
   * Another process's refresh writes the credentials file (then the keychain): when that file's
   * folder changes, sessions are read again shortly after, so that the menu shows the new session
   * and no "expires soon" notice goes out about the old one. (Due events check the keychain too, for
   * when the folder cannot be watched.)
   */
  #watchCredentialsFile(): void {
    if (this.#fileWatcher) return;
    const file = this.credentials.path;
    try {
      this.#fileWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed !== null && changed !== basename(file)) return;
        if (this.#pickUpTimer) clearTimeout(this.#pickUpTimer);
        // The command writes the keychain just after the file: give it a moment.
        this.#pickUpTimer = setTimeout(() => void this.pickUpOutsideChanges().catch(() => undefined), PICK_UP_DELAY_MS);
        this.#pickUpTimer.unref();
      });
      this.#fileWatcher.on('error', () => this.#stopWatching());
    } catch {
      // No folder yet, or no watching here: the due-event check still sees other processes' work.
    }
  }

  #stopWatching(): void {
    this.#fileWatcher?.close();
    this.#fileWatcher = undefined;
    if (this.#pickUpTimer) clearTimeout(this.#pickUpTimer);
    this.#pickUpTimer = undefined;
  }

  /**
   * Reads every cached session again and reschedules; a newer session than this process knew of
   * (refreshed by the command or another app) is announced as `refreshed` with `elsewhere`, which
   * also withdraws an "expires soon" notice about the old one.
   */
  async pickUpOutsideChanges(): Promise<void> {
    if (!this.#scheduler) return;
    const profiles = await this.settings.listProfiles();
    const before = new Map(profiles.map((p) => [p.name, expiryOf(this.sessions.state(p.name))]));
    const sessions = await this.secrets.getSessions(profiles.map((p) => p.name));
    await this.sessions.load(profiles, sessions);
    await this.#scheduleAll(profiles, sessions);
    for (const { name } of profiles) {
      const expiresAt = sessions.get(name)?.expiresAt;
      if (expiresAt === undefined || this.sessions.isRefreshing(name) || this.#ownExpiries.get(name) === expiresAt) continue;
      const known = before.get(name);
      if (known !== undefined && expiresAt <= known) continue;
      this.#ownExpiries.set(name, expiresAt);
      this.#cancelRetry(name);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt, unattended: false, elsewhere: true });
    }
  }

  /** Re-reads states and catches up on anything due (after wake-up or a clock change). */
  async recheck(): Promise<void> {
    // Not running yet because the keychain could not be read: wake-up is a good moment to try.
    if (this.#startFailure) return this.start();
    const profiles = await this.settings.listProfiles();
    const sessions = await this.secrets.getSessions(profiles.map((p) => p.name));
    await this.sessions.load(profiles, sessions);
    // Sessions may have been refreshed by another process (the app, the command): schedule anew.
    await this.#scheduleAll(profiles, sessions);
    this.#scheduler?.recheck();
  }

  /** Schedules one profile anew from its cached session (after another process refreshed it). */
  async reschedule(name: string): Promise<void> {
    await this.#scheduleNow(await this.settings.getProfile(name));
  }

  /** Stops the scheduler and pending retries. */
  stop(): void {
    this.#stopWatching();
    this.#scheduler?.stop();
    this.#scheduler = undefined;
    for (const name of [...this.#retries.keys()]) this.#cancelRetry(name);
    if (this.#startFailure) this.clock.clearTimeout(this.#startFailure.timer);
    this.#startFailure = undefined;
  }

  #applySettings(notifyBeforeMinutes: number, autoRefreshBeforeMinutes: number): void {
    this.#notifyBeforeMs = notifyBeforeMinutes * MINUTE;
    this.#scheduler?.setOptions({ notifyBeforeMs: notifyBeforeMinutes * MINUTE, autoRefreshBeforeMs: autoRefreshBeforeMinutes * MINUTE });
  }

  #schedule(name: string): void {
    if (!this.#scheduler) return;
    void this.settings.getProfile(name).then(
      (profile) => this.#scheduleNow(profile),
      () => undefined,
    );
  }

  async #scheduleNow(profile: Profile): Promise<void> {
    if (!this.#scheduler) return;
    const session = await this.secrets.getSession(profile.name).catch(() => undefined);
    const hasTotp = await this.secrets.hasTotpSecret(profile.name).catch(() => false);
    this.#setTimers(profile, session, hasTotp);
  }

  /** {@link #scheduleNow} for every profile, from sessions already read, with one keychain call in all. */
  async #scheduleAll(profiles: readonly Profile[], sessions: ReadonlyMap<string, SessionCredentials>): Promise<void> {
    if (!this.#scheduler) return;
    const withTotp = await this.secrets.profilesWith('totp-secret').catch(() => new Set<string>());
    for (const profile of profiles) {
      // A refresh under way sets the timers itself when it ends; `sessions` may predate it.
      if (this.sessions.state(profile.name).kind === 'refreshing') continue;
      this.#setTimers(profile, sessions.get(profile.name), withTotp.has(profile.name));
    }
  }

  #setTimers(profile: Profile, session: SessionCredentials | undefined, hasTotp: boolean): void {
    this.#scheduler?.set({
      profile: profile.name,
      expiresAt: session?.expiresAt,
      autoRefresh: profile.autoRefresh && hasTotp,
      lifetimeMs: profile.durationSeconds * 1000,
    });
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#handling.delete(tracked));
    this.#handling.add(tracked);
  }

  /**
   * Resolves once the due events delivered so far are handled: their notices emitted (a fake clock
   * in tests moves time at once; the notices follow a keychain read).
   */
  async idle(): Promise<void> {
    while (this.#handling.size > 0) await Promise.all([...this.#handling]);
  }

  async #onDue(event: DueEvent): Promise<void> {
    // Another process may have refreshed it meanwhile: then nothing is due, and that is the news.
    const stored = await this.secrets.getSession(event.profile).catch(() => undefined);
    if (stored && stored.expiresAt > event.expiresAt) {
      await this.pickUpOutsideChanges().catch(() => undefined);
      return;
    }
    this.sessions.recompute(event.profile);
    if (event.kind === 'refresh-due') {
      await this.#autoRefresh(event.profile);
      return;
    }
    this.#emit({ kind: event.kind, profile: event.profile, expiresAt: event.expiresAt });
  }

  async #autoRefresh(name: string): Promise<void> {
    try {
      const session = await this.sessions.refresh(name, { generate: true });
      this.#ownExpiries.set(name, session.expiresAt);
      this.#retries.delete(name);
      this.#emit({ kind: 'refreshed', profile: name, expiresAt: session.expiresAt, unattended: true });
      await this.#scheduleNow(await this.settings.getProfile(name));
    } catch (error) {
      // An unexpected error's text could hold anything: report it generically.
      const failure = isMfaTrayError(error)
        ? error
        : new MfaTrayError('internal', `Refreshing profile "${name}" failed unexpectedly; the old session was kept.`);
      // The error says whether waiting can help (network, throttling, clock); a TLS-inspecting
      // proxy or a wrong secret will not go away by itself.
      this.#emit({ kind: 'refresh-failed', profile: name, code: failure.code, reason: failure.message, unattended: true, willRetry: failure.retryable });
      if (failure.retryable) {
        const attempt = (this.#retries.get(name)?.attempt ?? -1) + 1;
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)] as number;
        const timer = this.clock.setTimeout(() => void this.#autoRefresh(name), delay);
        this.#retries.set(name, { attempt, timer });
      }
    }
  }

  #cancelRetry(name: string): void {
    const retry = this.#retries.get(name);
    if (retry) this.clock.clearTimeout(retry.timer);
    this.#retries.delete(name);
  }

  #emit(notice: EngineNotice): void {
    for (const listener of this.#noticeListeners) {
      try {
        listener(notice);
      } catch {
        // A broken listener must not stop the engine.
      }
    }
  }

  /** Runs keychain + settings steps of an add; on failure restores the keychain entries it replaced. */
  async #withKeychainRollback(name: string, touchesTotp: boolean, steps: () => Promise<void>): Promise<void> {
    const previousKey = await this.secrets.getLongLivedKey(name).catch(() => undefined);
    const previousTotp = touchesTotp ? await this.secrets.getTotpSecret(name).catch(() => undefined) : undefined;
    try {
      await steps();
    } catch (error) {
      await (previousKey ? this.secrets.setLongLivedKey(name, previousKey) : this.secrets.deleteLongLivedKey(name)).catch(() => undefined);
      if (touchesTotp) await (previousTotp ? this.secrets.setTotpSecret(name, previousTotp) : this.secrets.deleteTotpSecret(name)).catch(() => undefined);
      throw error;
    }
  }
}

/** What removing a profile would lose ({@link Engine.removalImpact}); no secret in it. */
export interface RemovalImpact {
  readonly profile: string;
  readonly targetSection: string;
  /** `AKIA…WXYZ`, or undefined when no key is stored. */
  readonly maskedKeyId: string | undefined;
  /** Credentials-file sections that hold the same long-lived key: other copies. */
  readonly keyCopies: readonly string[];
  readonly hasTotpSecret: boolean;
  readonly credentialsPath: string;
}

/** Creates the engine with the real adapters (keytar, the AWS SDK, the file system). */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}
