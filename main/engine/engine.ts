/**
 * The engine: the composition root the tray app, the bridge and the command all drive.
 *
 * It wires the rooms together (files, keychain, aws, codes, clock, sessions with the keeper) and
 * offers the operations users have words for: add, import, edit, remove, register a TOTP secret,
 * verify, refresh, status, export, and keeping sessions fresh (the keeper's, sessions/keeper.ts).
 * The surfaces use these methods through index.ts, never the inner stores below. Every operation validates all of its input before it
 * changes anything, and undoes its own earlier steps when a later one fails.
 */
import { MfaTrayError, isKeyRefused, isKeychainDown, isMfaTrayError, type ErrorCode } from '../common/errors';
import { maskKeyId } from '../common/key-id';
import { LASTS_A_CALL_MS, deriveState } from '../common/session-state';
import { formatDuration } from '../common/duration';
import { PROFILE_DEFAULTS, type LongLivedKey, type Profile, type SessionCredentials, type SessionState, type SessionSummary } from '../common/model';
import {
  InvalidInputError,
  validateLongLivedKey,
  validateProfileInput,
  validateProfileName,
  validateProfilePatch,
  type ProfileInput,
  type ProfilePatch,
  type SettingsPatch,
} from '../common/validation';
import {
  type Env,
  type RoleProfileConfig,
  configFilePath,
  configSectionsWithKey,
  readProfileConfig,
  readProfileConfigs,
  readRoleProfiles,
} from './files/aws-config';
import { runCodeCommand } from './codes/code-command';
import { readYubikeyCode } from './codes/yubikey';
import { ClockOffset, DATE_RESOLUTION_MS, systemClock, type Clock } from './clock/clock';
import { CredentialsFile, type ForgetResult } from './files/credentials-file';
import { formatExports, type ExportFormat } from './sessions/exports';
import { KeytarSecretStore } from './keychain/keytar-secret-store';
import { waitedFor, withLock } from './files/file-lock';
import { ClockMemory, OFFSET_RENEW_MS, type RememberedOffset } from './clock/clock-memory';
import {
  clockOffsetFile,
  configDir as defaultConfigDir,
  keychainChangesFile,
  profileLockPath,
  refreshLockPath,
  usedCodesFile,
  writtenSessionsFile,
  failedRefreshesFile,
} from './files/paths';
import { WrittenSessions, keptFor, recordedSessionIn, sessionInUseOf, type WrittenSession } from './files/written-sessions';
import { readRegularFile } from './files/regular-file';
import { FailedRefreshes } from './files/failed-refreshes';
import { KeychainChanges } from './keychain/keychain-changes';
import { ProfileSecrets, type ListingOptions } from './keychain/profile-secrets';
import { SdkAwsGateway, type SdkAwsGatewayOptions } from './aws/sdk-aws-gateway';
import type { SecretStore } from './keychain/secret-store';
import { SessionService, type RefreshStage } from './sessions/session-service';
import { refreshSideBySide, type SideBySideOutcome } from './sessions/side-by-side';
import {
  SessionKeeper,
  shownPlan,
  type CodeSource,
  type KeeperNotice,
  type RefreshInput,
  type RefreshPlan,
  type ShownPlan,
  type BackedOff,
} from './sessions/keeper';
import { SettingsStore } from './files/settings-store';
import type { CallerIdentity, StsGateway } from './aws/sts-gateway';
import type { IamGateway } from './aws/iam-gateway';
import { listMfaDevices, pickMfaDevice, type ChooseMfaDevice, type MfaDevice } from './aws/mfa-devices';
import { ENROL_ACTIONS, UNENROL_ACTIONS, candidateNames, explainPolicyRefusal, iamUserName, otpauthUri, type EnrolmentSecret } from './aws/enrolment';
import { hostname } from 'node:os';
import { awsCliCannotRead, diagnose, type Check } from './doctor';
import { sectionValues, type IniDocument } from './files/ini-edit';
import { notInFileMessage, sessionMissingFrom } from './files/session-section';
import { policyTargetOf, type PolicyTarget } from '../common/mfa-policy';
import { TotpGenerator, parseTotpSecret, totpCode } from './codes/totp';
import { UsedCodes } from './codes/used-codes';

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
  /** IAM (the user's MFA devices). Default: the AWS SDK, honouring `AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL`. */
  readonly iam?: IamGateway;
  /**
   * Where the AWS SDK makes the calls of STS and IAM not given above: made from the gateway options
   * (the engine's clock offset, time limit, endpoints). Default: {@link SdkAwsGateway} in this process;
   * `longRunning` (long-running.ts) gives a process that runs for days a helper's.
   */
  readonly aws?: (options: SdkAwsGatewayOptions & { readonly clockOffset: ClockOffset }) => StsGateway & IamGateway;
  /** Bound on one STS call. */
  readonly stsTimeoutMs?: number;
  /** An STS endpoint instead of the SDK's own resolution (which already honours `AWS_ENDPOINT_URL_STS`). */
  readonly stsEndpoint?: string;
  /** The same for IAM (`AWS_ENDPOINT_URL_IAM`). */
  readonly iamEndpoint?: string;
  /** How long a code command (`mfa_process`) may take; default 60 s. */
  readonly codeCommandTimeoutMs?: number;
  /** The keeper's wall-clock check (see the keeper's `tickMs`); default 5 s, 0 with a given clock. */
  readonly tickMs?: number;
  /** How long a change of a profile waits for another process's change of it; default 15 s. */
  readonly changeLockTimeoutMs?: number;
}

/** A profile as `status` shows it. */
export interface ProfileStatus {
  readonly profile: Profile;
  readonly state: SessionState;
  /** Whether a TOTP secret is registered; undefined when the keychain cannot be read. */
  readonly hasTotpSecret: boolean | undefined;
  /** Where its codes come from (`unknown` when that cannot be told), and whether it is refreshed unattended. */
  readonly plan: ShownPlan;
}

/** A role profile as `status` shows it: its cached session's state (an hour at most). */
export interface RoleStatus {
  readonly role: RoleProfileConfig;
  readonly state: SessionState;
}

/** Every profile's and every role profile's state, as `mfa-tray status` shows them. */
export interface StatusReport {
  readonly profiles: ProfileStatus[];
  readonly roles: readonly RoleStatus[];
  /** Why `roles` is empty when the config file could not be read (the profiles are all there still). */
  readonly rolesUnread?: MfaTrayError;
  /** Why no session could be found in the credentials file: it cannot be read. */
  readonly credentialsUnread?: MfaTrayError;
}

/** How one profile's refresh in {@link Engine.refreshMany} ended (`skipped`: not started, the run was stopped). */
export type RefreshOutcome =
  | { readonly kind: 'refreshed'; readonly profile: Profile; readonly session: SessionCredentials }
  | { readonly kind: 'failed'; readonly profile: Profile; readonly error: unknown }
  | { readonly kind: 'skipped'; readonly profile: Profile };

/** Options of {@link Engine.refreshMany}. */
export interface RefreshManyOptions {
  /** What each profile's refresh is given: a typed code, or the surface's `ask`, `onWait`, `onTouch` (the keeper picks the source). */
  readonly inputFor: (profile: Profile) => RefreshInput;
  /** Once aborted, the refreshes not started yet are skipped; those running finish. */
  readonly signal?: AbortSignal;
  /** Told of each profile's outcome as it ends (in the order they end), with its index in the names given. */
  readonly onEnded?: (outcome: RefreshOutcome, index: number) => void;
}

/** Something the surfaces should present (the keeper's notices; see sessions/keeper.ts). */
export type EngineNotice = KeeperNotice;

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
  /**
   * When no file names the MFA device, the user's devices are listed (`iam:ListMFADevices`) and the
   * only usable one taken; among several, this picks (without it, the error lists them).
   */
  readonly chooseMfaDevice?: ChooseMfaDevice;
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

/**
 * Answers to EnableMFADevice that AWS gives only when it refused (a code, the key, the policy, the
 * clock, the input): the device was not enabled. Any other failure after the codes were sent may
 * have enabled it (enrol asks the device list).
 */
const REFUSED_FOR_SURE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid-input',
  'not-found',
  'already-exists',
  'sts-invalid-code',
  'sts-wrong-device',
  'sts-session-credentials',
  'sts-invalid-key',
  'sts-bad-signature',
  'clock-skew',
  'sts-throttled',
  'sts-validation',
  'sts-denied',
]);

/** How long enrol waits before it lists the user's devices once more (IAM's reads are eventually consistent). */
const LIST_SETTLE_MS = 3_000;

/** How long an answer from AWS counts as proof that STS can be reached (see SessionServiceDeps.reachable). */
const REACHED_RECENTLY_MS = 5_000;

/** How long a change of a profile waits for another process's by default (held for the milliseconds of its writes). */
const CHANGE_LOCK_TIMEOUT_MS = 15_000;

/** What a status checks each session against: the credentials file and the record of kept sessions. */
interface FileView {
  readonly credentials: IniDocument | 'missing' | 'unreadable';
  /** Why the credentials file could not be read (a folder, a pipe, no permission in its place). */
  readonly unread?: MfaTrayError;
  /** Why a session could not be written into it now (read-only, a folder this user cannot write in). */
  readonly unwritable?: { readonly reason: string; readonly fix: string };
  /** The record of written sessions, by profile (read with the file). */
  readonly written: ReadonlyMap<string, WrittenSession>;
  /** Of those, the sessions kept because the file could not take them. */
  readonly kept: ReadonlyMap<string, { readonly accessKeyId: string }>;
}

/** The engine. Construct with {@link createEngine}. */
export class Engine {
  readonly clock: Clock;
  readonly offset = new ClockOffset();
  readonly settings: SettingsStore;
  readonly secrets: ProfileSecrets;
  readonly credentials: CredentialsFile;
  readonly sts: StsGateway;
  readonly #iam: IamGateway;
  readonly codes: TotpGenerator;
  readonly sessions: SessionService;
  /** Keeps sessions fresh: when to refresh, where codes come from, backoff, notices. */
  readonly keeper: SessionKeeper;
  /** The last clock offset measured by any MFA Tray process (`clock-offset.json`). */
  readonly clockMemory: ClockMemory;
  readonly configDir: string;
  readonly #env: Env | undefined;
  readonly #changeLockTimeoutMs: number;
  /** Which session the credentials file holds per profile, for credential-process (files/written-sessions.ts). */
  readonly #written: WrittenSessions;
  /** The refreshes that failed because AWS could not be reached (the keeper's record: files/failed-refreshes.ts). */
  readonly #failures: FailedRefreshes;
  #changeListeners = new Set<(what: 'profiles' | 'settings') => void>();
  #clockWrite: Promise<void> = Promise.resolve();
  #clockWritten: { readonly offsetMs: number; readonly at: number } | undefined;
  #calibrating: { readonly accessKeyId: string; readonly region: string; readonly done: Promise<void> } | undefined;

  constructor(options: EngineOptions = {}) {
    this.#env = options.env;
    this.#changeLockTimeoutMs = options.changeLockTimeoutMs ?? CHANGE_LOCK_TIMEOUT_MS;
    this.clock = options.clock ?? systemClock;
    this.configDir = options.configDir ?? defaultConfigDir(options.env ?? process.env);
    this.settings = new SettingsStore({ configDir: this.configDir });
    this.secrets = new ProfileSecrets(options.secretStore ?? new KeytarSecretStore(), new KeychainChanges(keychainChangesFile(this.configDir)));
    this.#written = new WrittenSessions(writtenSessionsFile(this.configDir));
    this.#failures = new FailedRefreshes(failedRefreshesFile(this.configDir));
    this.credentials = new CredentialsFile(options.env ? { env: options.env } : {});
    const aws = (options.aws ?? ((gatewayOptions) => new SdkAwsGateway(gatewayOptions)))({
      clockOffset: this.offset,
      clock: this.clock,
      ...(options.stsTimeoutMs ? { timeoutMs: options.stsTimeoutMs } : {}),
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
      ...(options.iamEndpoint ? { iamEndpoint: options.iamEndpoint } : {}),
    });
    this.sts = options.sts ?? aws;
    this.#iam = options.iam ?? aws;
    this.clockMemory = new ClockMemory(clockOffsetFile(this.configDir));
    // Every measurement is remembered for the next process (in order; a refresh waits for it, so a
    // command does not end mid-write); a failed write only costs the next process a round trip.
    this.offset.onMeasured((offsetMs) => {
      // Each refresh measures twice (calibration, GetSessionToken), and a fresh process mostly
      // measures what the memory it recalled says: written once per change (beyond what an answer's
      // Date header can tell apart), or to renew the memory (OFFSET_RENEW_MS). Seen: every refresh
      // rewrote it (the same offset, a new time) beside its write of the credentials file.
      const last = this.#clockWritten;
      if (last && Math.abs(last.offsetMs - offsetMs) < DATE_RESOLUTION_MS && Date.now() - last.at < OFFSET_RENEW_MS) return;
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
      expiringWithinMs: () => this.keeper.notifyBeforeMs,
      // Refreshes side by side (refreshMany) share one measurement instead of each making its own.
      calibrate: (key, region) => this.#sharedCalibration(key, region),
      // Not when AWS answered a moment ago; refreshes waiting side by side share one check under way.
      reachable: (key, region, done) => (this.offset.answeredWithin(REACHED_RECENTLY_MS) ? Promise.resolve() : this.#sharedReachCheck(key, region, done)),
      recallOffset: () => this.#recallOffset().then(() => undefined),
      clockOffsetMs: () => (this.offset.measured ? this.offset.offsetMs : undefined),
      wroteSession: async (name, section, session, kept) => {
        if (session && !kept) await this.#leaveEarlierSection(name, section);
        await this.#written.set(
          name,
          session && {
            path: this.credentials.path,
            section,
            accessKeyId: session.accessKeyId,
            expiresAt: session.expiresAt,
            ...(kept ? { unwritten: true, over: kept.over, ...(kept.overOurs ? { overOurs: true as const } : {}) } : {}),
          },
        );
      },
      whileWriting: (name, work) => this.#whileChanging(name, work),
      kept: {
        list: () => this.#written.kept(this.credentials.path),
        holds: (name, accessKeyId) => this.#written.holdsKept(name, accessKeyId),
        settle: (name, accessKeyId, written) => this.#written.settleKept(name, accessKeyId, written),
      },
    });
    this.keeper = new SessionKeeper({
      clock: this.clock,
      failures: this.#failures,
      awsNow: () => this.awsNow(),
      configuredSources: async (names) => {
        const configs = await readProfileConfigs(names, this.#env ? { env: this.#env } : {});
        return new Map(
          [...configs].map(([name, config]) => [
            name,
            {
              ...(config.mfaProcess ? { mfaProcess: config.mfaProcess } : {}),
              ...(config.yubikeyOathAccount
                ? { yubikey: { account: config.yubikeyOathAccount, ...(config.yubikeySerial ? { serial: config.yubikeySerial } : {}) } }
                : {}),
            },
          ]),
        );
      },
      roleProfiles: () => this.roleProfiles(),
      refreshRole: async (name) => (await this.refreshRole(name, {})).session,
      readYubikey: (key, profile, onTouch) =>
        readYubikeyCode(key, profile, {
          ...(options.codeCommandTimeoutMs ? { timeoutMs: options.codeCommandTimeoutMs } : {}),
          env: { ...(this.#env ?? process.env) },
          ...(onTouch ? { onTouch } : {}),
        }),
      runCodeCommand: (command, profile) =>
        runCodeCommand(command, profile, {
          ...(options.codeCommandTimeoutMs ? { timeoutMs: options.codeCommandTimeoutMs } : {}),
          env: { ...(this.#env ?? process.env) },
        }),
      settings: this.settings,
      secrets: this.secrets,
      sessions: this.sessions,
      credentialsPath: this.credentials.path,
      onProfilesChanged: () => this.#changed('profiles'),
      onCredentialsFileChanged: () => this.#changed('profiles'),
      afterRefresh: () => this.#clockWrite,
      // A fake clock (tests) moves by itself: the wall-clock check would only see jumps.
      tickMs: options.tickMs ?? (options.clock ? 0 : 5_000),
    });
  }

  /** The reachability check under way (see SessionServiceDeps.reachable), with whose key, and how many refreshes wait for it. */
  #checkingReach: { readonly done: Promise<void>; readonly drop: AbortController; readonly key: LongLivedKey; waiting: number } | undefined;

  /**
   * One reachability check for the refreshes that wait for a time step together. It is dropped once
   * none of them needs it: a request left hanging would keep a finished command's process alive
   * until its timeout. AWS refusing the key it was made with ends the wait of the refreshes with
   * that key, id and secret (seen: up to 30 s of waiting to be told the same by GetSessionToken);
   * those with another key wait on, and their own request says how AWS takes theirs.
   */
  #sharedReachCheck(key: LongLivedKey, region: string, done: AbortSignal): Promise<void> {
    const drop = new AbortController();
    const check = (this.#checkingReach ??= {
      drop,
      waiting: 0,
      key,
      done: this.#assertReachable(key, region, drop.signal, { keyRefused: true }).finally(() => {
        if (this.#checkingReach?.drop === drop) this.#checkingReach = undefined;
      }),
    });
    check.waiting += 1;
    done.addEventListener(
      'abort',
      () => {
        check.waiting -= 1;
        if (check.waiting > 0) return;
        if (this.#checkingReach === check) this.#checkingReach = undefined;
        check.drop.abort();
      },
      { once: true },
    );
    // The same key: its id and its secret (a wrong secret is refused for the id alone).
    if (check.key.accessKeyId === key.accessKeyId && check.key.secretAccessKey === key.secretAccessKey) return check.done;
    return check.done.catch((error: unknown) => {
      if (!isMfaTrayError(error) || !isKeyRefused(error.code)) throw error;
    });
  }

  /**
   * {@link #calibrate}, made once for the refreshes that ask together. One made with another
   * profile's key and region that learned nothing (no answer, no Date in it) is made again with
   * this one's: its code would otherwise be sent unmeasured, and spent if refused.
   */
  async #sharedCalibration(key: LongLivedKey, region: string): Promise<void> {
    const shared = (this.#calibrating ??= {
      accessKeyId: key.accessKeyId,
      region,
      done: this.#calibrate(key, region).finally(() => (this.#calibrating = undefined)),
    });
    await shared.done;
    if (!this.offset.measured && (shared.accessKeyId !== key.accessKeyId || shared.region !== region)) await this.#calibrate(key, region);
  }

  /** Measures this computer's clock against AWS's before a code is generated, unless that was done. */
  async #calibrate(key: LongLivedKey, region: string): Promise<void> {
    if (await this.#recallOffset()) return;
    // Else one cheap, MFA-free call measures it (the gateway records it from every answer). A refusal
    // (of the key, say) is left for GetSessionToken to say in its own words; but when STS could not
    // be reached or did not answer, the refresh ends here: a code made now would be sent into the
    // same silence and its time step used up, and the wait would be twice the timeout.
    await this.#assertReachable(key, region);
  }

  /**
   * One MFA-free call to STS: throws when STS could not be reached or did not answer; any answer
   * passes, but with `keyRefused`, AWS refusing the key (unknown, or its secret wrong) throws too.
   */
  async #assertReachable(key: LongLivedKey, region: string, signal?: AbortSignal, also: { readonly keyRefused?: boolean } = {}): Promise<void> {
    await this.sts.getCallerIdentity(key, region, signal).catch((error: unknown) => {
      if (isMfaTrayError(error) && (error.code === 'sts-unavailable' || error.notSent === true)) throw error;
      if (also.keyRefused && isMfaTrayError(error) && isKeyRefused(error.code)) throw error;
    });
  }

  /**
   * Whether this computer's clock offset is known, taking on another process's recent measurement
   * (while the clock has not been set since) when none was made here.
   */
  async #recallOffset(): Promise<boolean> {
    if (this.offset.measured) return true;
    const remembered = await this.clockMemory.read();
    if (!remembered?.current) return false;
    this.offset.set(remembered.offsetMs);
    // What the memory holds is as good as written by this process (see onMeasured above).
    this.#clockWritten ??= { offsetMs: remembered.offsetMs, at: remembered.measuredAt };
    return true;
  }

  /** Subscribes to notices. @returns the unsubscribe function. */
  onNotice(listener: (notice: EngineNotice) => void): () => void {
    return this.keeper.onNotice(listener);
  }

  /**
   * Subscribes to changes of the profiles (added, edited, removed, keys or TOTP replaced; while
   * sessions are kept fresh, also the credentials file changed) and of the app settings, from any
   * front end. @returns the unsubscribe function.
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
   * @returns the profile as stored, and what it replaced, for the surfaces to say.
   */
  async addProfile(input: AddProfileInput, options: AddProfileOptions = {}): Promise<StoredProfile> {
    const { accessKeyId, secretAccessKey, ...profileInput } = input;
    const valid = validateProfileInput(profileInput);
    const key = validateLongLivedKey({ accessKeyId, secretAccessKey });
    const totpSecret = options.totpSecret === undefined ? undefined : parseTotpSecret(options.totpSecret);
    return this.#whileChanging(valid.name, () => this.#addProfile(valid, profileInput.autoRefresh === undefined, key, totpSecret, options));
  }

  async #addProfile(
    valid: Profile,
    autoRefreshUnset: boolean,
    key: LongLivedKey,
    totpSecret: string | undefined,
    options: AddProfileOptions,
  ): Promise<StoredProfile> {
    let profile = valid;
    const existing = (await this.settings.listProfiles()).find((p) => p.name === profile.name);
    if (existing && !options.replace) {
      throw new MfaTrayError('already-exists', `A profile named "${profile.name}" exists already. Remove it first, or replace it (--force).`, {
        field: 'name',
      });
    }
    await this.#assertNotRoleSection(profile.targetSection, profile.name);
    // add and import have no option for it: a replacement keeps the choice made with edit.
    if (existing && autoRefreshUnset) profile = { ...profile, autoRefresh: existing.autoRefresh };
    // A TOTP secret belongs to one MFA device: kept after the profile moved to another device it
    // would only make wrong codes (and burn time steps). A replaced profile on another device
    // forgets it, before the settings are written.
    const forgets = existing !== undefined && totpSecret === undefined && existing.mfaSerial !== profile.mfaSerial;
    // The entries as they are, put back if a step fails; the key's id names what a replacement replaced.
    const before = await this.#keychainSnapshot(profile.name, {
      key: true,
      totp: totpSecret !== undefined || forgets,
      session: existing !== undefined,
      strict: false,
    });
    let forgotten: ForgottenSession | undefined;
    let forgotTotpSecret = false;
    try {
      // The key first: a keychain that cannot take it stops here, before the file is touched.
      await this.secrets.setLongLivedKey(profile.name, key);
      // A session belongs to the key that got it (see #forgetSessionOfOtherKey); a new profile starts
      // without one: whatever the keychain and the record hold under its name is another's (a refresh
      // that outlived its profile's removal, say).
      if (existing === undefined) {
        await this.#written.clear(profile.name);
        await this.secrets.deleteSession(profile.name);
      } else if (before.keyId !== key.accessKeyId) {
        forgotten = await this.#forgetSessionOfOtherKey(profile.name, existing.targetSection);
      }
      if (totpSecret !== undefined) await this.secrets.setTotpSecret(profile.name, totpSecret);
      if (forgets) forgotTotpSecret = await this.secrets.deleteTotpSecret(profile.name);
      await this.settings.addProfile(profile, { replace: options.replace === true });
    } catch (error) {
      await before.putBack();
      await forgotten?.putBack();
      throw error;
    }
    if (existing === undefined) this.sessions.drop(profile.name);
    await this.#afterKeyStored(profile.name, forgotten);
    // A new key or profile under the name: the last one's failures to reach AWS are not its.
    await this.#forgetFailures(profile.name);
    this.#changed('profiles');
    return {
      profile,
      ...(existing
        ? { replaced: { profile: existing, maskedKeyId: before.keyId && maskKeyId(before.keyId), ...(forgotten?.forgot ? { forgotSession: true } : {}) } }
        : {}),
      forgotTotpSecret,
    };
  }

  /**
   * After a key was stored (add, import, the window's new key): states read again, and the profile
   * scheduled; one whose session was forgotten for the new key is caught up (sessionForgotten).
   */
  async #afterKeyStored(name: string, forgotten: ForgottenSession | undefined): Promise<void> {
    if (forgotten) this.sessions.drop(name);
    await this.sessions.load();
    if (forgotten?.forgot) this.keeper.sessionForgotten(name);
    else this.#schedule(name);
  }

  /**
   * Forgets a profile's session because its key was replaced by another (or by one where the old
   * could not be read): a session belongs to the key that got it, and kept, AWS commands would go on
   * running as the old key's user for hours. The record of the written session, the section's session
   * keys and the keychain's copy go; `putBack` restores the record and the section (the caller's
   * keychain snapshot, taken with the session, restores the keychain's copy).
   */
  async #forgetSessionOfOtherKey(name: string, section: string): Promise<ForgottenSession> {
    const recorded = this.#written.entry(name);
    await this.#written.clear(name);
    let inFile: SessionCredentials | undefined;
    const putBack = async (): Promise<void> => {
      if (inFile) await this.credentials.writeSession(section, inFile).catch(() => undefined);
      if (recorded) await this.#written.set(name, recorded);
    };
    try {
      const read = await this.credentials.readSession(section);
      const result = await this.credentials.forgetSession(section, { ours: await this.#ourSessionKeyIds(name, recorded) });
      if (result === 'section-removed' || result === 'keys-removed') inFile = read;
      const deleted = await this.secrets.deleteSession(name);
      return { forgot: deleted || inFile !== undefined, putBack };
    } catch (error) {
      await putBack();
      throw error;
    }
  }

  /** The app settings and every profile, in one read of the settings file. */
  loadSettings(): ReturnType<SettingsStore['load']> {
    return this.settings.load();
  }

  /** Subscribes to every profile's state changes (refreshing, fresh, expiring, failed…). @returns the unsubscribe function. */
  onState(listener: (profile: string, state: SessionState) => void): () => void {
    return this.sessions.onState(listener);
  }

  /** The credentials file the AWS tools read (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`). */
  get credentialsPath(): string {
    return this.credentials.path;
  }

  /** The shared config file MFA Tray reads (`AWS_CONFIG_FILE`, else `~/.aws/config`). */
  get configPath(): string {
    return configFilePath(this.#env);
  }

  /** AWS's time as this computer's clock and the measured offset say. */
  awsNow(): number {
    return this.offset.awsNow(this.clock);
  }

  /** The profile's cached session as stored, expired or not (undefined when there is none). */
  lastSession(name: string): Promise<SessionCredentials | undefined> {
    return this.secrets.getSession(name);
  }

  /**
   * The profile's session as the AWS tools have it, expired or not: the keychain's copy, unless
   * MFA Tray wrote a newer one into the profile's section of the credentials file that the keychain
   * could not take (seen in review: a keychain locked while AWS answered; `export` and `exec` then
   * gave the older copy). That one is read from the file, as `credential-process` serves it
   * ({@link recordedSessionIn}, {@link sessionInUseOf}: the rule `status` shows too), and so only from
   * a file no one else could have written: on Windows, which has no owner to check, the keychain's
   * copy (`status`, which hands out no credentials, shows the file's there).
   *
   * Given the profile's settings when the caller has read them (else by name: read here when the
   * file holds a recorded session), so that a lookup reads the settings file once.
   */
  async sessionInUse(of: string | Profile): Promise<SessionCredentials | undefined> {
    const name = typeof of === 'string' ? of : of.name;
    const cached = await this.secrets.getSession(name);
    const inFile = recordedSessionIn(this.credentials.path, writtenSessionsFile(this.configDir), name);
    if (inFile === undefined) return cached;
    const profile = typeof of === 'string' ? await this.settings.getProfile(name) : of;
    const written = inFile(profile.targetSection);
    return sessionInUseOf(written, cached, this.clock.now());
  }

  /** The profiles whose long-lived key is in the keychain, in one keychain call at most ({@link ListingOptions}). */
  profilesWithKey(options: ListingOptions = {}): Promise<ReadonlySet<string>> {
    return this.secrets.profilesWith('long-lived-key', options);
  }

  /** The credentials-file sections holding a long-lived key (what can be imported). */
  importableSections(): ReturnType<CredentialsFile['listLongLivedSections']> {
    return this.credentials.listLongLivedSections();
  }

  /** A profile's state read afresh from the keychain. */
  async currentState(name: string): Promise<SessionState> {
    await this.sessions.load();
    return this.sessions.recompute(name);
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
    const changes = validateProfilePatch(validateProfileName(name), patch);
    const was = await this.settings.getProfile(name);
    // A new target section that could never take a session (a long-lived key in it) is refused now,
    // not at the next refresh.
    if (changes.targetSection !== undefined && changes.targetSection !== was.targetSection) {
      await this.credentials.assertSessionTarget(changes.targetSection);
      await this.#assertNotRoleSection(changes.targetSection, name);
    }
    let profile: Profile;
    if (changes.mfaSerial === undefined || was.mfaSerial === changes.mfaSerial) {
      profile = await this.settings.updateProfile(name, patch);
    } else {
      // Another device: the old one's TOTP secret is forgotten (see addProfile) before the settings
      // name the new device, as addProfile does: the edit is checked whole first, a
      // keychain that cannot be read (locked) refuses it before anything changed, and a settings
      // write that fails puts the secret back. (Seen on landed main: the settings were written
      // first, and the locked keychain's refusal came after, with the old secret kept for the new device.)
      await this.settings.assertUpdatable(name, patch);
      // A damaged secret has nothing to put back; it is deleted all the same.
      const { putBack } = await this.#keychainSnapshot(name, { key: false, totp: true, strict: true });
      await this.secrets.deleteTotpSecret(name);
      try {
        profile = await this.settings.updateProfile(name, patch);
      } catch (error) {
        await putBack();
        throw error;
      }
    }
    // Another region or device: a failure to reach AWS before says nothing of the next try (a new
    // session length, say, leaves the wait as it was).
    if (profile.region !== was.region || profile.mfaSerial !== was.mfaSerial) await this.#forgetFailures(name);
    this.#schedule(name);
    this.#changed('profiles');
    return profile;
  }

  /**
   * Replaces a profile's long-lived key (write-only: there is no way to read it back). Another key
   * than the stored one forgets the old key's session (see #forgetSessionOfOtherKey).
   * @returns whether a session was forgotten.
   */
  async setLongLivedKey(
    name: string,
    input: { readonly accessKeyId?: unknown; readonly secretAccessKey?: unknown },
  ): Promise<{ readonly forgotSession: boolean }> {
    const key = validateLongLivedKey(input);
    await this.settings.getProfile(name); // an unknown profile takes no lock
    return this.#whileChanging(name, () => this.#setLongLivedKey(name, key));
  }

  async #setLongLivedKey(name: string, key: LongLivedKey): Promise<{ readonly forgotSession: boolean }> {
    const profile = await this.settings.getProfile(name);
    const before = await this.#keychainSnapshot(name, { key: true, totp: false, session: true, strict: false });
    let forgotten: ForgottenSession | undefined;
    try {
      await this.secrets.setLongLivedKey(name, key);
      if (before.keyId !== key.accessKeyId) forgotten = await this.#forgetSessionOfOtherKey(name, profile.targetSection);
    } catch (error) {
      await before.putBack();
      throw error;
    }
    if (forgotten) await this.#afterKeyStored(name, forgotten);
    await this.#forgetFailures(name);
    this.#changed('profiles');
    return { forgotSession: forgotten?.forgot === true };
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
    const region = pick(options.region, '--region', 'region');
    if (mfaSerial === undefined) {
      // No file names it: ask IAM for the user's devices with the key being imported.
      const key = await this.credentials.readLongLivedKey(fromSection);
      const devices = await listMfaDevices(this.#iam, key, region?.value ?? PROFILE_DEFAULTS.region);
      mfaSerial = { value: await pickMfaDevice(devices, options.chooseMfaDevice), from: "the IAM user's MFA devices (iam:ListMFADevices)" };
    }
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
  ): Promise<
    StoredProfile & {
      readonly plan: ImportPlan;
      readonly maskedKeyId: string;
      /** The sections of each file that still hold the key in plain text (with --remove-plaintext: those it was not taken from). */
      readonly plaintextCopies: { readonly credentials: readonly string[]; readonly config: readonly string[] };
    }
  > {
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
    const stored = await this.addProfile(
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
    // Where the key is still in plain text (another section of either file): said, never touched.
    const plaintextCopies = {
      credentials: await this.credentials.sectionsWithKey(key.accessKeyId),
      config: await configSectionsWithKey(key.accessKeyId, this.#env ? { env: this.#env } : {}).catch(() => []),
    };
    return { ...stored, plan, maskedKeyId: maskKeyId(key.accessKeyId), plaintextCopies };
  }

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
   * Forgets a profile: its settings and every keychain entry; its credentials-file session only
   * with `forgetSession`. `restoreKeyTo`: first write the long-lived key back into that
   * credentials-file section (the way back from `import --remove-plaintext`); when that write fails,
   * nothing is forgotten. When a later step fails, what was deleted is put back.
   */
  async removeProfile(name: string, options: { readonly forgetSession?: boolean; readonly restoreKeyTo?: string } = {}): Promise<RemovalOutcome> {
    await this.settings.getProfile(name); // an unknown profile takes no lock
    const outcome = await this.#whileChanging(name, () => this.#removeProfile(name, options));
    this.keeper.removed(name);
    this.sessions.drop(name);
    await this.#forgetFailures(name);
    this.#changed('profiles');
    return outcome;
  }

  async #removeProfile(name: string, options: { readonly forgetSession?: boolean; readonly restoreKeyTo?: string }): Promise<RemovalOutcome> {
    const profile = await this.settings.getProfile(name);
    // What the keychain holds for it, read before anything changes: a keychain that cannot be read
    // refuses the removal here, and what a later step's failure would lose is put back. (Seen on
    // landed main: the settings file could not be written, and the key and TOTP secret were gone
    // while the error said nothing was changed.)
    const kept = await this.#keychainSnapshot(name, { key: true, totp: true, session: true, strict: true });
    // First: the session may stay in the file, but no longer as this profile's (a profile added again
    // under the name is another), and a kept session of it is never written there (writeKept). Put
    // back when the removal fails (a locked keychain), for credential-process's read of the file.
    const recorded = this.#written.entry(name);
    const ours = options.forgetSession ? await this.#ourSessionKeyIds(name, recorded) : undefined;
    await this.#written.clear(name);
    // The session the file's section held, as it held it (not the keychain's copy: another tool's may be there).
    let forgotten: SessionCredentials | undefined;
    let forgottenEarlier: { readonly section: string; readonly session: SessionCredentials } | undefined;
    let deleting = false;
    let outcome: RemovalOutcome = {};
    try {
      const forget = async (): Promise<void> => {
        if (!ours) return;
        const earlier = await this.#forgetEarlierSection(profile.targetSection, recorded, ours);
        if (earlier) forgottenEarlier = earlier;
        const inFile = await this.credentials.readSession(profile.targetSection);
        const result = await this.credentials.forgetSession(profile.targetSection, { ours });
        if (result === 'section-removed' || result === 'keys-removed') forgotten = inFile;
        outcome = await this.#forgotten(profile.targetSection, result, earlier?.section);
      };
      const restore = async (): Promise<void> => {
        if (options.restoreKeyTo !== undefined) await this.credentials.writeLongLivedKey(options.restoreKeyTo, await this.secrets.requireLongLivedKey(name));
      };
      // The key first, so that a failed write forgets nothing; but back into the section its sessions
      // go to (the one it was imported from, or went to before its target was changed), which takes
      // no key while it holds a session, the session goes first (and is put back if the key's write fails).
      if (options.restoreKeyTo === profile.targetSection || options.restoreKeyTo === this.#earlierSection(profile.targetSection, recorded)) {
        await forget();
        await restore();
      } else {
        await restore();
        await forget();
      }
      deleting = true;
      await this.secrets.deleteAll(name);
      await this.settings.removeProfile(name);
      return outcome;
    } catch (error) {
      // Only once entries may have gone: before that, a write back could undo a change made meanwhile.
      if (deleting) await kept.putBack();
      if (forgotten) await this.credentials.writeSession(profile.targetSection, forgotten).catch(() => undefined);
      if (forgottenEarlier) await this.credentials.writeSession(forgottenEarlier.section, forgottenEarlier.session).catch(() => undefined);
      if (recorded) await this.#written.set(name, recorded);
      throw error;
    }
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

  /**
   * The MFA devices of a key's user (`iam:ListMFADevices`; the self-service MFA policy allows it
   * without MFA), given the key itself or the credentials-file section that holds it.
   */
  async mfaDevices(
    source: { readonly key: LongLivedKey } | { readonly fromSection: string },
    region: string = PROFILE_DEFAULTS.region,
  ): Promise<readonly MfaDevice[]> {
    const key = 'key' in source ? validateLongLivedKey(source.key) : await this.credentials.readLongLivedKey(source.fromSection);
    return listMfaDevices(this.#iam, key, region);
  }

  /**
   * Enrols MFA Tray as a new virtual MFA device of the profile's IAM user: creates it
   * (`iam:CreateVirtualMFADevice`, named after this computer unless `deviceName` is given), shows its
   * secret once through `show` (for a phone app too), keeps it in the keychain, enables the device
   * with two consecutive codes (`iam:EnableMFADevice`) and makes it the profile's device. Signed with
   * the long-lived key (the self-service MFA policy allows these without MFA). When enabling fails,
   * the keychain is put back as it was and the unassigned device is deleted if the policy allows
   * (else it is said). Once the device is enabled, its secret stays in the keychain even if the
   * profile cannot be saved (the error says how to finish).
   */
  async enrol(
    name: string,
    options: {
      readonly deviceName?: string;
      readonly show?: (secret: EnrolmentSecret) => void | Promise<void>;
      /**
       * No profile yet (its user has no device it could have been added with): the key and region to
       * create it with, and the rest of its settings as the add dialog's form has them.
       */
      readonly newProfile?: { readonly key: LongLivedKey; readonly region?: string } & NewProfileSettings;
    } = {},
  ): Promise<{ readonly serialNumber: string; readonly userName: string; readonly previousSerial?: string }> {
    const profile = options.newProfile ? undefined : await this.settings.getProfile(name);
    // The new profile's settings are checked before any device is made: bad input changes nothing.
    // (The key aside, what it is given are profile fields: checked as any profile's.)
    const { key: _key, ...fields } = options.newProfile ?? { key: undefined };
    const settings = options.newProfile ? validateProfilePatch(name, fields) : {};
    if (options.newProfile) {
      validateProfileName(name);
      if ((await this.settings.listProfiles()).some((p) => p.name === name)) {
        throw new MfaTrayError('already-exists', `A profile named "${name}" exists already: enrol it without a key.`, { field: 'name' });
      }
      // Everything else adding it could refuse, refused now: after the device is enabled, a refusal
      // would leave a device whose secret nobody has.
      await this.settings.assertAddable(name, settings.targetSection ?? name);
    }
    const key = options.newProfile ? validateLongLivedKey(options.newProfile.key) : await this.secrets.requireLongLivedKey(name);
    const region = profile?.region ?? options.newProfile?.region ?? PROFILE_DEFAULTS.region;
    const identity = await this.sts.getCallerIdentity(key, region);
    const userName = iamUserName(identity.arn);
    // The keychain goes ahead of IAM: a new profile's key is stored before a device is made, and the
    // device's secret before it is enabled. A keychain that cannot keep them (a locked one) then
    // fails the enrolment while it can be undone: an enabled device whose secret was lost makes codes
    // nobody has, and removing it needs MFA (so may deleting an unassigned one).
    const keychain = await this.#enrolmentKeychain(name, profile ? undefined : key);
    let created: { readonly serialNumber: string; readonly base32Secret: string } | undefined;
    try {
      for (const candidate of candidateNames(options.deviceName, hostname())) {
        try {
          created = await this.#iam.createVirtualMfaDevice(key, region, candidate);
          break;
        } catch (error) {
          // A name taken (by an earlier try, say): the next default name, unless the person chose this one.
          if (isMfaTrayError(error, 'already-exists') && options.deviceName === undefined) continue;
          throw explainPolicyRefusal(error, ENROL_ACTIONS, false);
        }
      }
      if (!created) throw new MfaTrayError('already-exists', 'Every default device name for this computer is taken; choose a name.', { field: 'deviceName' });
    } catch (error) {
      await keychain.putBack();
      throw error;
    }
    const secret = parseTotpSecret(created.base32Secret);
    const { serialNumber } = created;
    let codes: readonly [string, string] | undefined;
    let switched = false;
    /** Why whether AWS enabled the device is unknown, when it is and the secret is kept all the same. */
    let unknown: MfaTrayError | undefined;
    try {
      await keychain.keepSecret(secret);
      // An existing profile is switched to the device before it is enabled too: afterwards, a
      // settings file that could not be written would leave the secret with the old device's serial
      // (and \`edit --mfa-serial\` forgets a secret whose device changes).
      if (profile) {
        await this.settings.updateProfile(name, { mfaSerial: serialNumber });
        switched = true;
      }
      await options.show?.({ serialNumber, base32Secret: secret, otpauthUri: otpauthUri(secret, userName, identity.account) });
      const step = this.codes.currentStep();
      codes = [await totpCode(secret, step - 1), await totpCode(secret, step)];
      await this.#iam.enableMfaDevice(key, region, userName, serialNumber, codes);
    } catch (error) {
      // The codes went out and no answer AWS gives to a refusal came back (a connection dropped, a
      // timeout, a 5xx, an answer nobody could read): AWS may have enabled the device, and an enabled
      // device whose secret is lost cannot be removed without MFA. The user's device list says which;
      // when it cannot be read either, the secret is kept if keeping it loses nothing (no other TOTP
      // secret of this profile: a new profile's name may have one left over, which nothing uses).
      const mayBeEnabled = codes !== undefined && !(isMfaTrayError(error) && (error.notSent === true || REFUSED_FOR_SURE.has(error.code)));
      const enabled = mayBeEnabled ? await this.#isUsersDevice(key, region, serialNumber) : false;
      const noAnswer = `Whether AWS enabled the MFA device ${serialNumber} is not known (${plainCause(error).replace(/\.$/, '')}), and the user's device list, which would say, could not be read either.`;
      if (enabled === 'unknown' && (!profile || !keychain.hadTotpSecret)) {
        const back = profile ? ` If it was not enabled, go back to the device the profile had: mfa-tray edit ${name} --mfa-serial ${profile.mfaSerial}` : '';
        unknown = new MfaTrayError('sts-unavailable', `${noAnswer} Its secret is kept in the keychain and profile "${name}" uses the device.${back}`, {
          cause: error,
          remedy: { action: 'diagnose', profile: name },
        });
      } else if (enabled !== true) {
        if (switched && profile) await this.settings.updateProfile(name, { mfaSerial: profile.mfaSerial }).catch(() => undefined);
        await keychain.putBack();
        if (enabled === 'unknown') {
          // The profile had a secret already (of the device it keeps): that one is not risked.
          throw new MfaTrayError(
            'sts-unavailable',
            `${noAnswer} Profile "${name}" keeps its device ${profile?.mfaSerial ?? ''} and its secret; the IAM console can remove ${serialNumber} from the user, if it was enabled, and delete it.`,
            { cause: error },
          );
        }
        const left = await this.#iam.deleteVirtualMfaDevice(key, region, serialNumber).then(
          () => '',
          () =>
            ` The unassigned virtual device ${serialNumber} was left in the account (deleting it needs MFA); it does nothing, and the IAM console can delete it.`,
        );
        const explained = explainPolicyRefusal(error, ENROL_ACTIONS, false);
        if (isMfaTrayError(explained) && left) throw new MfaTrayError(explained.code, `${explained.message}${left}`, { cause: explained });
        throw explained;
      }
    }
    // Enabled (or maybe, see \`unknown\`): the codes' steps count as used. The secret (and a new
    // profile's key) stay in the keychain whatever happens now (addProfile's own rollback puts back
    // what was there before it: these), and a new profile is added with them.
    for (const code of codes ?? []) await this.codes.claimTyped(serialNumber, code).catch(() => undefined);
    if (!profile) {
      try {
        await this.addProfile({ name, mfaSerial: serialNumber, region, ...key, ...settings }, { totpSecret: secret });
      } catch (error) {
        throw new MfaTrayError(
          isMfaTrayError(error) ? error.code : 'internal',
          `The MFA device ${serialNumber} ${unknown ? 'may have been enabled' : 'was enabled'} and its secret is kept in the keychain, but the profile could not be added: ${plainCause(error)} Once that is fixed, run: mfa-tray add ${name} --mfa-serial ${serialNumber} --access-key-id <id>`,
          { cause: error },
        );
      }
      if (unknown) throw unknown;
      return { serialNumber, userName };
    }
    this.#schedule(name);
    this.#changed('profiles');
    if (unknown) throw unknown;
    return { serialNumber, userName, previousSerial: profile.mfaSerial };
  }

  /**
   * Whether the device is one of the key's user's (enabled) MFA devices, by \`iam:ListMFADevices\`
   * (allowed without MFA by AWS's self-service policy); 'unknown' when the list cannot be read.
   */
  async #isUsersDevice(key: LongLivedKey, region: string, serialNumber: string): Promise<boolean | 'unknown'> {
    const listed = (): Promise<boolean | 'unknown'> =>
      this.#iam.listMfaDevices(key, region).then(
        (devices) => devices.some((device) => device.serialNumber === serialNumber),
        () => 'unknown' as const,
      );
    const first = await listed();
    if (first !== false) return first;
    // IAM's reads are eventually consistent: a list asked for right after the device was enabled may
    // not show it yet. "Not listed" puts the secret back, so it is asked once more, a moment later.
    await new Promise((resolve) => setTimeout(resolve, LIST_SETTLE_MS));
    return listed();
  }

  /**
   * The keychain's side of an enrolment (see {@link enrol}): a new profile's key stored now,
   * `keepSecret` for the device's secret, and `putBack` to leave both entries as they were. The
   * entries are read first, strictly: one that cannot be read stops the enrolment before IAM.
   */
  async #enrolmentKeychain(
    name: string,
    newKey: LongLivedKey | undefined,
  ): Promise<{ readonly keepSecret: (secret: string) => Promise<void>; readonly putBack: () => Promise<void>; readonly hadTotpSecret: boolean }> {
    const { putBack, hadTotpSecret } = await this.#keychainSnapshot(name, { key: newKey !== undefined, totp: true, strict: true });
    if (newKey) await this.secrets.setLongLivedKey(name, newKey);
    return { keepSecret: (secret) => this.secrets.setTotpSecret(name, secret), putBack, hadTotpSecret };
  }

  /**
   * Removes the profile's virtual MFA device from the IAM user: `iam:DeactivateMFADevice` and
   * `iam:DeleteVirtualMFADevice`, signed with the profile's MFA session (AWS's self-service policy
   * allows removing a device only with MFA; a session is got first when there is none, with
   * `input`), then forgets its TOTP secret. The profile keeps its name and key; it needs another
   * device before its next session.
   */
  async unenrol(name: string, input: RefreshInput): Promise<{ readonly serialNumber: string }> {
    const profile = await this.settings.getProfile(name);
    const key = await this.secrets.requireLongLivedKey(name);
    const { region, mfaSerial } = profile;
    if (!mfaSerial.startsWith('arn:') || !mfaSerial.includes(':mfa/')) {
      throw new MfaTrayError(
        'invalid-input',
        `The MFA device of profile "${name}" (${mfaSerial}) is not a virtual device; only those can be removed this way.`,
        {
          field: 'mfaSerial',
        },
      );
    }
    const userName = iamUserName((await this.sts.getCallerIdentity(key, region)).arn);
    const current = await this.sessionInUse(profile);
    const session = current && current.expiresAt - this.clock.now() >= LASTS_A_CALL_MS ? current : await this.refresh(name, input);
    try {
      await this.#iam.deactivateMfaDevice(session, region, userName, mfaSerial);
      await this.#iam.deleteVirtualMfaDevice(session, region, mfaSerial);
    } catch (error) {
      throw explainPolicyRefusal(error, UNENROL_ACTIONS, true);
    }
    await this.secrets.deleteTotpSecret(name);
    this.#schedule(name);
    this.#changed('profiles');
    return { serialNumber: mfaSerial };
  }

  /** `iam:ResyncMFADevice` for the profile's device, with two consecutive codes from its stored secret (AWS's idea of the device's clock drifted). */
  async resync(name: string): Promise<void> {
    const profile = await this.settings.getProfile(name);
    const key = await this.secrets.requireLongLivedKey(name);
    const secret = await this.secrets.getTotpSecret(name);
    if (!secret)
      throw new MfaTrayError('code-required', `Profile "${name}" has no TOTP secret to make the codes from.`, {
        remedy: { action: 'set-totp', profile: name },
      });
    const userName = iamUserName((await this.sts.getCallerIdentity(key, profile.region)).arn);
    const step = this.codes.currentStep();
    const codes: [string, string] = [await totpCode(secret, step - 1), await totpCode(secret, step)];
    try {
      await this.#iam.resyncMfaDevice(key, profile.region, userName, profile.mfaSerial, codes);
    } catch (error) {
      throw explainPolicyRefusal(error, ENROL_ACTIONS, false);
    }
    for (const code of codes) await this.codes.claimTyped(profile.mfaSerial, code).catch(() => undefined);
  }

  /** Why the AWS CLI cannot read the credentials file as it is now (doctor's words), or undefined (also when it cannot be read at all). */
  async credentialsUnreadableByAwsCli(): Promise<string | undefined> {
    const bytes = await readRegularFile(this.credentials.path).catch(() => undefined);
    return bytes && awsCliCannotRead(bytes, this.credentials.path);
  }

  /**
   * Every check of what makes sessions fail (doctor.ts): the environment `env` (the caller's, which
   * may shadow the profiles), the keychain, each profile's key and device, the clock against AWS's,
   * the two AWS files and each session. `only`: the per-profile checks for that profile alone (for a
   * role profile, its source's).
   */
  async diagnose(env: Readonly<Record<string, string | undefined>>, only?: string): Promise<Check[]> {
    return diagnose(
      {
        env,
        profiles: () => this.settings.listProfiles(),
        roleProfiles: () => this.roleProfiles(),
        awsProfileServes: (name) => this.awsProfileServes(name),
        longLivedKeys: (names) => this.secrets.getLongLivedKeys(names),
        callerIdentity: (key, region) => this.sts.getCallerIdentity(key, region),
        mfaDevices: (key, region) => listMfaDevices(this.#iam, key, region),
        clockOffsetMs: () => (this.offset.measured ? this.offset.offsetMs : undefined),
        rememberedOffset: async () => {
          const remembered = await this.clockMemory.read();
          return remembered?.current ? remembered : undefined;
        },
        state: (name) => this.currentState(name),
        sessionKeyId: async (name) => (await this.secrets.getSession(name))?.accessKeyId,
        credentialsPath: this.credentials.path,
        credentialsUnwritable: (exists) => this.credentials.unwritable(exists),
        configPath: configFilePath(this.#env),
        configDir: this.configDir,
        now: () => this.clock.now(),
      },
      // A role profile's checks are its source's: its key, device, clock and session are what it needs.
      only === undefined ? undefined : ((await this.roleProfile(only).catch(() => undefined))?.sourceProfile ?? only),
    );
  }

  /**
   * The account (and partition) the MFA policies are filled in for: the profile's (named, else the
   * only one), from its device's ARN, else from sts:GetCallerIdentity; undefined when there is none ("*").
   */
  async policyTarget(name?: string): Promise<PolicyTarget | undefined> {
    const profiles = await this.settings.listProfiles();
    const profile = name === undefined ? (profiles.length === 1 ? profiles[0] : undefined) : await this.settings.getProfile(name);
    if (!profile) return undefined;
    return policyTargetOf(profile.mfaSerial) ?? policyTargetOf((await this.verify(profile.name)).arn);
  }

  /** Who a key belongs to, before it is stored. */
  async verifyKey(key: LongLivedKey, region = 'us-east-1'): Promise<CallerIdentity> {
    return this.sts.getCallerIdentity(validateLongLivedKey(key), region);
  }

  /** Updates app-wide settings and applies the new lead times. */
  async updateSettings(patch: SettingsPatch): Promise<void> {
    const settings = await this.settings.updateSettings(patch);
    this.keeper.applySettings(settings.notifyBeforeMinutes, settings.autoRefreshBeforeMinutes);
    this.#changed('settings');
  }

  // ── Sessions ────────────────────────────────────────────────────────────────────────────────

  /**
   * The profile's last refresh that failed because AWS could not be reached, while the next one is
   * not due yet (the keeper's rule: sessions/keeper.ts); undefined otherwise.
   */
  backedOff(name: string): BackedOff | undefined {
    return this.keeper.backedOff(name);
  }

  /** {@link backedOff} of every profile that is, in one read (for `status`). */
  backedOffAll(): ReadonlyMap<string, BackedOff> {
    return this.keeper.backedOffAll();
  }

  /**
   * Where the profile's refresh under way in this process is: its code `sending` (AWS may have used
   * it up), or the session AWS gave `writing`; undefined when none is, or its code is not sent yet.
   * A role profile's: `source` (its source's session is got first: ask the source), `assuming`, or
   * `writing`. For the command's Ctrl-C (cli/interrupt.ts).
   */
  refreshStage(name: string): RefreshStage | 'source' | 'assuming' | undefined {
    // A role's: its source's session first (the source's own stage tells of its code), then
    // AssumeRole (no code), then the writes.
    return this.#roleStages.get(name)?.stage ?? this.sessions.stage(name);
  }

  /** Where each role's refresh under way in this process is ({@link refreshStage}). */
  readonly #roleStages = new Map<string, { stage: 'source' | 'assuming' | 'writing' }>();

  /**
   * Gets a profile a new session now: with the typed `code`, else from the profile's code source
   * (the keeper decides: its TOTP secret, else `ask`, the surface's question to a person).
   */
  refresh(name: string, input: RefreshInput): Promise<SessionCredentials> {
    return this.keeper.refresh(name, input);
  }

  /**
   * Refreshes several profiles, side by side where that is safe (sessions/side-by-side.ts): codes a
   * program makes do not wait for one another (`REFRESH_CONCURRENCY` at most at once),
   * profiles of one MFA device and YubiKey reads go one after another, and codes a person types are
   * asked one at a time, in the order given, after the others. One failing stops none of the others.
   * The profiles are as the caller read them ({@link profiles}, {@link profile}): one removed since
   * fails alone, with its refresh's "not found", and the others go on.
   *
   * @returns each profile's outcome, in the order given.
   */
  async refreshMany(profiles: readonly Profile[], options: RefreshManyOptions): Promise<readonly RefreshOutcome[]> {
    const inputs = profiles.map((profile) => options.inputFor(profile));
    // Where codes come from is asked (of the keychain and the config file) only for the profiles
    // not given one: a refresh with a typed code needs no such read.
    const open = profiles.filter((_, i) => !('code' in (inputs[i] as RefreshInput)) && !('generate' in (inputs[i] as RefreshInput)));
    const sources = open.length > 0 ? await this.keeper.sourcesOf(open) : new Map<string, never>();
    const items = profiles.map((profile, i) => {
      const input = inputs[i] as RefreshInput;
      const source = 'code' in input ? 'given' : 'generate' in input ? 'totp' : (sources.get(profile.name) ?? 'person');
      return { profile, input, device: profile.mfaSerial, source } as const;
    });
    const outcomeOf = (ended: SideBySideOutcome<SessionCredentials>, index: number): RefreshOutcome => {
      const profile = profiles[index] as Profile;
      if (ended.kind === 'done') return { kind: 'refreshed', profile, session: ended.value };
      return ended.kind === 'failed' ? { kind: 'failed', profile, error: ended.error } : { kind: 'skipped', profile };
    };
    const onEnded = options.onEnded;
    const outcomes = await refreshSideBySide<(typeof items)[number], SessionCredentials>(items, (item) => this.refresh(item.profile.name, item.input), {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onEnded ? { onEnded: (ended, index) => onEnded(outcomeOf(ended, index), index) } : {}),
    });
    return outcomes.map(outcomeOf);
  }

  // ── Role profiles ───────────────────────────────────────────────────────────────────────────

  /** The role profiles of the config file (`role_arn` + `source_profile`) whose source is a MFA Tray profile. */
  async roleProfiles(): Promise<readonly RoleProfileConfig[]> {
    return this.#rolesOf(await this.settings.listProfiles());
  }

  /** The role profiles whose source is one of these profiles (and whose name is none of theirs). */
  async #rolesOf(profiles: readonly Profile[]): Promise<readonly RoleProfileConfig[]> {
    const names = new Set(profiles.map((p) => p.name));
    const roles = await readRoleProfiles(this.#env ? { env: this.#env } : {});
    return roles.filter((role) => names.has(role.sourceProfile) && !names.has(role.name));
  }

  /**
   * Forgets the failures to reach AWS recorded for a profile and for the role profiles assumed from
   * it (whose requests go with its key, and its region unless they name one): after a change to
   * it, the wait they set says nothing of the next try. A config file that cannot be read leaves
   * the roles' records as they are.
   */
  async #forgetFailures(name: string): Promise<void> {
    await this.#failures.forget(name);
    const roles = await readRoleProfiles(this.#env ? { env: this.#env } : {}).catch(() => []);
    for (const role of roles) if (role.sourceProfile === name) await this.#failures.forget(role.name);
  }

  /**
   * Refuses `section` as the target of profile `owner` when it is a role profile's (other than one
   * of `owner`'s name, which the profile then takes the place of): a role's sessions go into the
   * section of its name, and the two would overwrite each other.
   */
  async #assertNotRoleSection(section: string, owner: string): Promise<void> {
    if (section === owner) return;
    const role = (await this.roleProfiles().catch(() => [])).find((r) => r.name === section);
    if (!role) return;
    throw new InvalidInputError({
      field: 'targetSection',
      rule: 'in-use',
      message: `target section: [${role.name}] is where role profile ${role.name} (assumed from profile ${role.sourceProfile}) writes its session, and the two would overwrite each other; choose another target section`,
      params: { profile: role.name, section: role.name },
    });
  }

  /** Whether `name` is one of MFA Tray's profiles or role profiles. */
  async #servesAs(name: string): Promise<boolean> {
    const own = await this.settings.getProfile(name).then(
      () => true,
      () => false,
    );
    return own || (await this.roleProfile(name).catch(() => undefined)) !== undefined;
  }

  /**
   * What MFA Tray serves to AWS commands run with AWS_PROFILE=`name`: `name` itself when it is one of
   * its profiles or role profiles; else the profile that `name`'s `credential_process` line
   * (`mfa-tray credential-process <p>`) names, when MFA Tray has it; else undefined. The one rule
   * for the commands' AWS_PROFILE default (cli/run.ts) and doctor's environment check.
   */
  async awsProfileServes(name: string): Promise<string | undefined> {
    if (await this.#servesAs(name)) return name;
    const served = await readProfileConfig(name, this.#env ? { env: this.#env } : {}).then(
      (config) => config.mfaTrayProfile,
      () => undefined,
    );
    return served !== undefined && (await this.#servesAs(served)) ? served : undefined;
  }

  /** One role profile, or undefined when the config file has none of that name with a MFA Tray source. */
  async roleProfile(name: string): Promise<RoleProfileConfig | undefined> {
    return (await this.roleProfiles()).find((role) => role.name === name);
  }

  /**
   * For a name that `error` says is no MFA Tray profile: the role profile of that name. Otherwise
   * throws `error`, or, when the config file's profile of that name is a role assumed from another
   * role (a chain), why MFA Tray does not assume it and who does.
   */
  async roleInsteadOf(name: string, error: unknown): Promise<RoleProfileConfig> {
    if (!isMfaTrayError(error, 'not-found')) throw error;
    const found = await this.roleProfile(name);
    if (found) return found;
    // Not one: the files read again to say why, on this failing path only.
    const names = new Set((await this.settings.listProfiles()).map((p) => p.name));
    const roles = await readRoleProfiles(this.#env ? { env: this.#env } : {});
    const byName = new Map(roles.map((role) => [role.name, role]));
    const role = byName.get(name);
    if (role === undefined || names.has(name)) throw error;
    // Up the chain to a MFA Tray profile (a source that is none, or a loop, leaves the error as it was).
    const seen = new Set([name]);
    let source = byName.get(role.sourceProfile);
    while (source !== undefined && !names.has(source.sourceProfile) && !seen.has(source.name)) {
      seen.add(source.name);
      source = byName.get(source.sourceProfile);
    }
    if (source === undefined || !names.has(source.sourceProfile)) throw error;
    throw new MfaTrayError(
      'not-found',
      `Profile "${name}" in ${configFilePath(this.#env)} is a role assumed from another role profile, "${role.sourceProfile}" (a role chain): ` +
        `MFA Tray assumes only roles whose source_profile is one of its profiles. The AWS CLI and SDKs assume it themselves (aws --profile ${name} …), ` +
        `starting from the role session MFA Tray writes into [${source.name}]: get it with mfa-tray refresh ${source.name}`,
      { field: 'name' },
    );
  }

  /**
   * A role profile's session: `sts:AssumeRole` with its source profile's MFA session, so no new code
   * is needed while that session lives (when it is missing or about to end, it is refreshed first,
   * with `input`: one code). Written into the role profile's credentials-file section and cached.
   * A role assumed with a session lasts at most an hour: a longer `duration_seconds` is shortened
   * and said (`shortenedFrom`).
   */
  async refreshRole(name: string, input: RefreshInput): Promise<{ readonly session: SessionCredentials; readonly shortenedFrom?: number }> {
    // How it ended, for the backoff every process reads (the keeper's rule, as for a profile's refresh).
    try {
      const got = await this.#assumeRole(name, input);
      await this.keeper.recordOutcome(name, undefined);
      return got;
    } catch (error) {
      await this.keeper.recordOutcome(name, error);
      throw error;
    } finally {
      this.#roleStages.delete(name);
    }
  }

  async #assumeRole(name: string, input: RefreshInput): Promise<{ readonly session: SessionCredentials; readonly shortenedFrom?: number }> {
    const role = await this.roleProfile(name);
    if (!role)
      throw new MfaTrayError('not-found', `There is no role profile "${name}" with a MFA Tray profile as its source_profile in ${configFilePath(this.#env)}.`);
    const source = await this.settings.getProfile(role.sourceProfile);
    const stage = { stage: 'source' as 'source' | 'assuming' | 'writing' };
    this.#roleStages.set(name, stage);
    await this.credentials.assertWritable(name);
    // The source's session in use: a newer one only the file got counts (seen in review: refreshed again, a code spent).
    const current = await this.sessionInUse(source);
    const sourceSession = current && current.expiresAt - this.clock.now() > ROLE_SOURCE_MIN_LEFT_MS ? current : await this.refresh(source.name, input);
    const asked = role.durationSeconds ?? ROLE_CHAIN_MAX_SECONDS;
    const durationSeconds = Math.min(asked, ROLE_CHAIN_MAX_SECONDS);
    let session: SessionCredentials;
    stage.stage = 'assuming';
    try {
      session = await this.sts.assumeRole({
        session: sourceSession,
        roleArn: role.roleArn,
        sessionName: role.roleSessionName ?? `mfa-tray-${source.name}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
        ...(role.externalId ? { externalId: role.externalId } : {}),
        durationSeconds,
        region: role.region ?? source.region,
      });
    } catch (error) {
      throw explainRoleRefusal(error, role, source.name);
    }
    stage.stage = 'writing';
    await this.credentials.writeSession(name, session);
    await this.secrets.setSession(name, session);
    this.keeper.roleRefreshed(name, session);
    return { session, ...(asked > durationSeconds ? { shortenedFrom: asked } : {}) };
  }

  /**
   * Checks that `name` is a MFA Tray profile or a role profile ('not-found' naming the profiles
   * there are, else): the profile's settings, or undefined for a role profile.
   */
  async #profileOrRole(name: string): Promise<Profile | undefined> {
    try {
      return await this.settings.getProfile(name);
    } catch (error) {
      await this.roleInsteadOf(name, error);
      return undefined;
    }
  }

  /**
   * The role profiles with their cached sessions' states, for the tray menu (rebuilt every minute).
   * While sessions are kept fresh, as the keeper knows them, with no keychain read (on Linux every
   * listing keeps native memory for good, keychain/keychain-changes.ts): its last read of every
   * entry (again when another process changed one) and every role session this process got; a
   * damaged entry then shows as no session (the windows, through {@link statusWithRoles}, say what is
   * wrong with it). Otherwise from the keychain, as {@link statusWithRoles} gives them (a damaged
   * entry fails its role alone; a keychain that cannot be read fails every role with its reason).
   */
  async roleStatus(): Promise<readonly RoleStatus[]> {
    const roles = await this.roleProfiles();
    if (roles.length === 0) return [];
    const known = this.keeper.knownRoleSessions();
    if (known) return this.#roleStates(roles, new Map([...known].map(([name, expiresAt]) => [name, { expiresAt }])));
    let sessions: ReadonlyMap<string, SessionSummary | MfaTrayError>;
    try {
      sessions = await this.secrets.readSessions(roles.map((r) => r.name));
    } catch (error) {
      if (!isMfaTrayError(error) || !isKeychainDown(error.code)) throw error;
      return roles.map((role) => ({ role, state: keychainDownState(error) }));
    }
    return this.#roleStates(roles, sessions);
  }

  /** Role profiles' states from their sessions' expiries (a keychain entry that could not be read: its error). */
  #roleStates(roles: readonly RoleProfileConfig[], sessions: ReadonlyMap<string, { readonly expiresAt: number } | MfaTrayError>): RoleStatus[] {
    const now = this.clock.now();
    return roles.map((role) => {
      const entry = sessions.get(role.name);
      if (entry instanceof MfaTrayError) return { role, state: damagedEntryState(entry) };
      return { role, state: deriveState(entry?.expiresAt, now, this.keeper.notifyBeforeMs, ROLE_CHAIN_MAX_SECONDS * 1000) };
    });
  }

  /** Where a profile's next code comes from: its TOTP secret, or a person. */
  codeSource(name: string): Promise<CodeSource> {
    return this.keeper.codeSource(name);
  }

  /** A profile's plan: its code source, and whether it is refreshed unattended. */
  async plan(name: string): Promise<RefreshPlan> {
    return this.keeper.plan(await this.settings.getProfile(name));
  }

  /** A profile's last known session state (read nothing; see {@link status} for a fresh read). */
  state(name: string): SessionState {
    return this.sessions.recompute(name);
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
          `Another MFA Tray process has been refreshing profile ${name} for over ${waitedFor(timeoutMs)} (it may be waiting for a code to be typed); finish or stop it, then try again.`,
          { retryable: true },
        ),
    });
  }

  /**
   * Runs `work` while no other change of the profile runs in any MFA Tray process: a refresh's last
   * check and its writes, a removal, a key replacement. Each holds it for the milliseconds of its
   * writes, so that a removal or a new key never lands between a refresh's check and its writes.
   */
  #whileChanging<T>(name: string, work: () => Promise<T>): Promise<T> {
    return withLock(profileLockPath(this.configDir, name), work, {
      timeoutMs: this.#changeLockTimeoutMs,
      what: `the changes of profile ${name}`,
      busy: () =>
        new MfaTrayError(
          'lock-timeout',
          `Another MFA Tray process has been changing profile ${name} for over ${waitedFor(this.#changeLockTimeoutMs)}; nothing was changed here. Try again.`,
          { retryable: true },
        ),
    });
  }

  /** Forgets a profile's session (its credentials-file keys, when they are MFA Tray's, and its cached session). */
  async forgetSession(name: string): Promise<RemovalOutcome> {
    const profile = await this.settings.getProfile(name);
    const recorded = this.#written.entry(name);
    const ours = await this.#ourSessionKeyIds(name, recorded);
    const earlier = await this.#forgetEarlierSection(profile.targetSection, recorded, ours);
    const result = await this.sessions.forget(name, ours);
    this.#schedule(name);
    this.#changed('profiles');
    return this.#forgotten(profile.targetSection, result, earlier?.section);
  }

  /**
   * A session of the profile has just been written into `section` of the credentials file: the one
   * MFA Tray wrote before into another section of it (the profile's target was changed since) is
   * taken out of that one, so that a profile's session is in its target section alone, where a
   * forget finds it. Best effort: another tool's session there stays, and a failure leaves it.
   */
  async #leaveEarlierSection(name: string, section: string): Promise<void> {
    const recorded = this.#written.entry(name);
    if (!recorded || recorded.unwritten) return;
    await this.#forgetEarlierSection(section, recorded, new Set([recorded.accessKeyId])).catch(() => undefined);
  }

  /** The section of this credentials file MFA Tray last wrote the profile's session into, when that is not `target`. */
  #earlierSection(target: string, recorded: WrittenSession | undefined): string | undefined {
    return recorded && recorded.path === this.credentials.path && recorded.section !== target ? recorded.section : undefined;
  }

  /**
   * Forgets MFA Tray's session of the profile in the section it last wrote one into, when that is
   * not its target section now (the target was edited since): a forget or a removal must not leave a
   * live session of it behind. @returns the section and the session it held, when one was removed.
   */
  async #forgetEarlierSection(
    target: string,
    recorded: WrittenSession | undefined,
    ours: ReadonlySet<string>,
  ): Promise<{ readonly section: string; readonly session: SessionCredentials } | undefined> {
    const earlier = this.#earlierSection(target, recorded);
    if (earlier === undefined) return undefined;
    const session = await this.credentials.readSession(earlier);
    const result = await this.credentials.forgetSession(earlier, { ours });
    return session && (result === 'section-removed' || result === 'keys-removed') ? { section: earlier, session } : undefined;
  }

  /**
   * The access key IDs of the profile's sessions that MFA Tray got: the one it recorded writing into
   * this credentials file, and the keychain's copy (unreadable: left out). Only a session of one of
   * these is ever removed from the file: another tool's that took the section since is left there.
   */
  async #ourSessionKeyIds(name: string, recorded: WrittenSession | undefined): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    if (recorded && recorded.path === this.credentials.path) {
      ids.add(recorded.accessKeyId);
      // A kept session waiting for the file: the one it goes over was MFA Tray's own, when recorded so.
      if (recorded.unwritten && recorded.overOurs && typeof recorded.over === 'string') ids.add(recorded.over);
    }
    const cached = await this.secrets.getSession(name).catch(() => undefined);
    if (cached) ids.add(cached.accessKeyId);
    return ids;
  }

  /**
   * What a forget of the session in `section` did, for the words of the command and the windows;
   * `earlier`: the section it also left (see #forgetEarlierSection).
   */
  async #forgotten(section: string, result: ForgetResult, earlier?: string): Promise<RemovalOutcome> {
    const also = earlier === undefined ? {} : { earlierSection: earlier };
    if (result === 'section-removed' || result === 'keys-removed') return { session: 'removed', ...also };
    if (result !== 'not-ours') return { session: 'none', ...also };
    const keyId = await this.credentials.sessionKeyId(section).catch(() => undefined);
    return { session: 'not-ours', ...(keyId ? { otherMaskedKeyId: maskKeyId(keyId) } : {}), ...also };
  }

  /**
   * How far this computer's clock was from AWS's when last measured (by this process, or any MFA
   * Tray process: the remembered offset), or undefined when it never was.
   */
  async clockStatus(): Promise<Omit<RememberedOffset, 'current'> | undefined> {
    const remembered = await this.clockMemory.read();
    return remembered === undefined ? undefined : { offsetMs: remembered.offsetMs, measuredAt: remembered.measuredAt };
  }

  /**
   * Every profile with its state and whether it can refresh itself. When the keychain cannot be
   * read (locked, absent, not answering), every profile is still listed, in a failed state that
   * carries the keychain's error: the profiles come from the settings file, not the keychain. A
   * damaged session entry fails its own profile only.
   */
  async status(): Promise<ProfileStatus[]> {
    return (await this.#status(false)).profiles;
  }

  /**
   * {@link status} and the role profiles' states (`roleStatus`) together, for `mfa-tray status` and
   * the windows: the settings file, the config file and each kind of keychain entry (sessions, TOTP
   * secrets) are read once for all of them, whatever the number of profiles. A config file that
   * cannot be read gives no roles and says why (`rolesUnread`): the profiles are shown all the same.
   * `reuse`: the keychain's entries as this engine last listed them, brought up to date from the
   * record of keychain changes ({@link ListingOptions}).
   */
  statusWithRoles(options: ListingOptions = {}): Promise<StatusReport> {
    return this.#status(true, options);
  }

  async #status(withRoles: boolean, listing: ListingOptions = {}): Promise<StatusReport> {
    const profiles = await this.settings.listProfiles();
    let rolesUnread: MfaTrayError | undefined;
    const roles =
      withRoles && profiles.length > 0
        ? await this.#rolesOf(profiles).catch((error: unknown) => {
            if (!isMfaTrayError(error)) throw error;
            rolesUnread = error;
            return [];
          })
        : [];
    let sessions: ReadonlyMap<string, SessionSummary | MfaTrayError>;
    let withTotp: ReadonlySet<string>;
    try {
      // One keychain call per kind (the store makes them one after the other); on Linux each
      // listing refuses a locked collection itself, with no lock probe before it.
      [sessions, withTotp] = await Promise.all([
        this.secrets.readSessions([...profiles.map((p) => p.name), ...roles.map((r) => r.name)], listing),
        this.secrets.profilesWith('totp-secret', listing),
      ]);
      // Nothing of either kind: a keychain locked since the profiles were added answers the same as
      // one where none was ever stored. Their keys tell (seen in review: "none", "typed", exit 0).
      if (profiles.length > 0 && sessions.size === 0 && withTotp.size === 0) await this.secrets.assertUnlocked('long-lived-key');
    } catch (error) {
      if (!isMfaTrayError(error) || !isKeychainDown(error.code)) throw error;
      const state = keychainDownState(error);
      return {
        // Whether a TOTP secret is registered is in the keychain: where codes come from is not known.
        profiles: profiles.map((profile) => ({ profile, state, hasTotpSecret: undefined, plan: shownPlan(profile, 'keychain') })),
        roles: roles.map((role) => ({ role, state })),
        ...(rolesUnread ? { rolesUnread } : {}),
      };
    }
    const found = new Map<string, SessionSummary>();
    const damaged = new Map<string, SessionState>();
    for (const [name, entry] of sessions) {
      if (entry instanceof MfaTrayError) damaged.set(name, damagedEntryState(entry));
      else found.set(name, entry);
    }
    // One read of the credentials file and the record of written sessions (unreadable: its sessions
    // are not in it, and the report says why).
    const file = await this.#fileView();
    for (const profile of profiles) {
      const inUse = damaged.has(profile.name) ? undefined : this.#sessionInUseAsListed(profile, found.get(profile.name), file);
      if (inUse) found.set(profile.name, inUse);
    }
    const sources = await this.sessions.load(profiles, found).then(() => this.keeper.shownSourcesOf(profiles, withTotp));
    return {
      profiles: profiles.map((profile) => ({
        profile,
        state: damaged.get(profile.name) ?? this.#asTheFileHasIt(profile, this.sessions.recompute(profile.name), found.get(profile.name)?.accessKeyId, file),
        hasTotpSecret: withTotp.has(profile.name),
        plan: shownPlan(profile, sources.get(profile.name) ?? 'config-file'),
      })),
      roles: this.#roleStates(roles, sessions),
      ...(rolesUnread ? { rolesUnread } : {}),
      // With no profile, no session is missing from it: nothing to say (as `status` says nothing then).
      ...(file.unread && profiles.length > 0 ? { credentialsUnread: file.unread } : {}),
    };
  }

  /**
   * Each profile's state as this process knows it (no keychain read), checked against one read of
   * the credentials file, as {@link statusWithRoles} checks it: for the tray menu, rebuilt every
   * minute and on every change.
   */
  async statesAsTheFileHasThem(profiles: readonly Profile[]): Promise<Array<{ readonly profile: Profile; readonly state: SessionState }>> {
    const file = await this.#fileView();
    return profiles.map((profile) => ({
      profile,
      state: this.#asTheFileHasIt(profile, this.sessions.recompute(profile.name), this.sessions.keyIdOf(profile.name), file),
    }));
  }

  /**
   * The profile's session in use as one read of the file has it ({@link sessionInUseOf}, as
   * {@link sessionInUse} has it): the session MFA Tray wrote into the file after the keychain's copy
   * `cached` (the keychain could not take it then: seen in review, a keychain locked while AWS
   * answered), when the file holds it (its access key id in the profile's section), else `cached`.
   */
  #sessionInUseAsListed(profile: Profile, cached: SessionSummary | undefined, file: FileView): SessionSummary | undefined {
    const recorded = file.written.get(profile.name);
    if (!recorded || recorded.unwritten === true || recorded.path !== this.credentials.path || recorded.section !== profile.targetSection) return cached;
    const doc = file.credentials;
    const keyInFile = typeof doc === 'string' ? undefined : sectionValues(doc, profile.targetSection)?.get('aws_access_key_id');
    const inFile = keyInFile === recorded.accessKeyId ? { accessKeyId: recorded.accessKeyId, expiresAt: recorded.expiresAt } : undefined;
    return sessionInUseOf(inFile, cached, this.clock.now());
  }

  /** The credentials file, read once (unreadable: with why), whether it can be written, and the sessions kept because it could not take them. */
  async #fileView(): Promise<FileView> {
    let unread: MfaTrayError | undefined;
    const [credentials, written] = await Promise.all([
      this.credentials.document().catch((error: unknown) => {
        if (isMfaTrayError(error)) unread = error;
        return 'unreadable' as const;
      }),
      this.#written.all(),
    ]);
    // Where a session is missing, a refresh is the fix only if it could write (a few file-system calls).
    const unwritable = credentials === 'unreadable' ? undefined : await this.credentials.unwritable(credentials !== 'missing');
    return { credentials, written, kept: keptFor(written, this.credentials.path), ...(unread ? { unread } : {}), ...(unwritable ? { unwritable } : {}) };
  }

  /**
   * A session shown as valid that the credentials file does not hold (another tool rewrote the
   * file, or AWS's session could only be kept in the keychain) is shown as failed, with doctor's
   * words and its fix: the AWS tools that read the file do not have it.
   */
  #asTheFileHasIt(profile: Profile, state: SessionState, accessKeyId: string | undefined, file: FileView): SessionState {
    const { credentials } = file;
    if (accessKeyId === undefined || (state.kind !== 'valid' && state.kind !== 'expiring')) return state;
    // A file that cannot be read (a folder in its place, say) gives no AWS tool the session either.
    // AWS gave it, the file could not take it (a full disk, say): it is written there once it can.
    const since =
      file.kept.get(profile.name)?.accessKeyId === accessKeyId
        ? 'since the file could not take the session AWS gave last (the tray app or mfa-tray watch, while it runs, writes it there once the file can)'
        : undefined;
    const missing = sessionMissingFrom(credentials, profile, accessKeyId, { unwritable: file.unwritable, since });
    if (missing === undefined) return state;
    const { why } = missing;
    return {
      kind: 'failed',
      code: 'session-not-in-file',
      reason: notInFileMessage(profile, this.credentials.path, formatDuration(state.expiresAt - this.clock.now()), why),
      expiresAt: state.expiresAt,
      remedies: missing.remedies,
    };
  }

  /** The current session in an export format; 'no-session' (with the command that fixes it) when there is none. */
  async exportSession(name: string, format: ExportFormat): Promise<string> {
    const profile = await this.#profileOrRole(name);
    const session = await this.sessionInUse(profile ?? name);
    if (!session || session.expiresAt <= this.clock.now()) {
      throw new MfaTrayError('no-session', `Profile "${name}" has no current session.`, { remedy: { action: 'refresh', profile: name } });
    }
    return formatExports(session, format);
  }

  // ── Keeping sessions fresh (the keeper's: sessions/keeper.ts) ─────────────────────────────────

  /**
   * Starts keeping every profile fresh: notices before and at expiry, unattended refreshes for
   * profiles with a TOTP secret and auto-refresh on, checks for sleeps, clock changes and other
   * processes' work. A locked keychain is a state ({@link keychainProblem}), tried again by itself.
   * `listing.reuse`: from the keychain's entries as this engine has just listed them ({@link status}),
   * brought up to date from the record of keychain changes, not listed again.
   */
  start(listing: ListingOptions = {}): Promise<void> {
    return this.keeper.start(listing);
  }

  /** Why sessions are not being kept fresh right now (the keychain is locked, say), or undefined. */
  get keychainProblem(): MfaTrayError | undefined {
    return this.keeper.keychainProblem;
  }

  /** Reads sessions again: another process's refresh is announced as `refreshed` with `elsewhere`. */
  pickUpOutsideChanges(): Promise<void> {
    return this.keeper.pickUpOutsideChanges();
  }

  /** Re-reads profiles and states and catches up on anything due (after wake-up or a clock change). */
  recheck(): Promise<void> {
    return this.keeper.recheck();
  }

  /** Schedules one profile anew from its cached session (after another process refreshed it). */
  reschedule(name: string): Promise<void> {
    return this.keeper.reschedule(name);
  }

  /** Resolves once the due events delivered so far are handled (tests with a fake clock). */
  idle(): Promise<void> {
    return this.keeper.idle();
  }

  /** Stops keeping sessions fresh. */
  stop(): void {
    this.keeper.stop();
  }

  #schedule(name: string): void {
    this.keeper.changed(name);
  }

  /**
   * What a profile's key, TOTP-secret and (`session`) session entries hold now, and the function that
   * puts them back so (each tried, the others failing or not; it never throws). An entry that cannot
   * be read is left as it will be then, never deleted as if it had been absent; `strict`, the read's
   * failure is thrown, but for a damaged entry, which has nothing to put back. `hadTotpSecret`:
   * whether a TOTP secret was read (false when none was read); `keyId`: the key's id, when read.
   */
  async #keychainSnapshot(
    name: string,
    which: { readonly key: boolean; readonly totp: boolean; readonly session?: boolean; readonly strict: boolean },
  ): Promise<{ readonly putBack: () => Promise<void>; readonly hadTotpSecret: boolean; readonly keyId: string | undefined }> {
    const read = <T>(value: Promise<T>): Promise<{ readonly value: T } | undefined> =>
      value.then(
        (v) => ({ value: v }),
        (error: unknown) => {
          if (which.strict && !isMfaTrayError(error, 'keychain-entry-corrupt')) throw error;
          return undefined;
        },
      );
    // One after another: the store serialises its calls anyway.
    const key = which.key ? await read(this.secrets.getLongLivedKey(name)) : undefined;
    const totp = which.totp ? await read(this.secrets.getTotpSecret(name)) : undefined;
    const session = which.session ? await read(this.secrets.getSession(name)) : undefined;
    const putBack = async (): Promise<void> => {
      await Promise.allSettled([
        key && (key.value ? this.secrets.setLongLivedKey(name, key.value) : this.secrets.deleteLongLivedKey(name)),
        totp && (totp.value ? this.secrets.setTotpSecret(name, totp.value) : this.secrets.deleteTotpSecret(name)),
        session && (session.value ? this.secrets.setSession(name, session.value) : this.secrets.deleteSession(name)),
      ]);
    };
    return { putBack, hadTotpSecret: totp?.value !== undefined, keyId: key?.value?.accessKeyId };
  }
}

/** A session forgotten because its key was replaced, and how to put it back ({@link Engine}'s #forgetSessionOfOtherKey). */
interface ForgottenSession {
  /** Whether there was one to forget (in the keychain or the section). */
  readonly forgot: boolean;
  readonly putBack: () => Promise<void>;
}

/** A profile as {@link Engine.addProfile} stored it, and what it replaced; no secret in it. */
export interface StoredProfile {
  readonly profile: Profile;
  /** The profile of that name it replaced (`replace`), with its key masked (undefined: none, or unreadable). */
  readonly replaced?: {
    readonly profile: Profile;
    readonly maskedKeyId: string | undefined;
    /** Its session was forgotten (keychain, record and the file's section): it was another key's. */
    readonly forgotSession?: true;
  };
  /** Whether the TOTP secret of the replaced profile's other MFA device was forgotten. */
  readonly forgotTotpSecret: boolean;
}

/** What a removal (with `forgetSession`) or a forget did with the session in the profile's section; no secret in it. */
export interface RemovalOutcome {
  /**
   * Not asked (a removal without `forgetSession`): undefined. 'removed': MFA Tray's session left the
   * section. 'none': there was none there. 'not-ours': the section holds another tool's session,
   * left as it is.
   */
  readonly session?: 'removed' | 'none' | 'not-ours';
  /** With 'not-ours': that session's access key ID, masked (`ASIA…WXYZ`). */
  readonly otherMaskedKeyId?: string;
  /** MFA Tray's session also left this section, where it wrote one before the profile's target was changed. */
  readonly earlierSection?: string;
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

/** What {@link Engine.enrol} gives a profile it creates, besides its key, region and new device. */
export interface NewProfileSettings {
  readonly durationSeconds?: number;
  readonly targetSection?: string;
  readonly autoRefresh?: boolean;
}

/** A role assumed with a session lasts at most an hour (AWS's role-chaining limit). */
export const ROLE_CHAIN_MAX_SECONDS = 3600;
/** A source session with less left than this is refreshed before a role is assumed with it. */
const ROLE_SOURCE_MIN_LEFT_MS = 5 * MINUTE;

/** AWS's AssumeRole refusals in the words of the role profile. */
function explainRoleRefusal(error: unknown, role: RoleProfileConfig, source: string): unknown {
  if (!isMfaTrayError(error)) return error;
  if (error.code === 'sts-denied' && /not authorized to perform: sts:AssumeRole/.test(error.message)) {
    return new MfaTrayError(
      'sts-denied',
      `The role ${role.roleArn} (role profile ${role.name}) refused the session of profile ${source}: its trust policy does not name this IAM user, ` +
        (role.externalId
          ? 'or the external_id in the role profile is not the one it wants.'
          : 'or it wants an external id (external_id in the role profile). The session has MFA, so a trust policy that wants MFA is met.'),
    );
  }
  if (error.code === 'sts-validation' && /MaxSessionDuration/.test(error.message)) {
    return new MfaTrayError(
      'sts-validation',
      `The role ${role.roleArn} allows shorter sessions than the ${role.durationSeconds ?? ROLE_CHAIN_MAX_SECONDS} s asked for: lower duration_seconds in the role profile ${role.name}.`,
      { field: 'durationSeconds' },
    );
  }
  return error;
}

/** Creates the engine with the real adapters (keytar, the AWS SDK, the file system). */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}

/** The state of a profile or role whose keychain entry is damaged: failed, with the entry's error. */
function damagedEntryState(error: MfaTrayError): SessionState {
  return { kind: 'failed', code: error.code, reason: error.message, ...(error.remedies.length > 0 ? { remedies: error.remedies } : {}) };
}

/** The state of every profile and role while the keychain cannot be read (locked, absent, not answering). */
function keychainDownState(error: MfaTrayError): SessionState {
  return { kind: 'failed', code: error.code, reason: error.message };
}

/** An error's own words, to quote inside another message. */
function plainCause(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
