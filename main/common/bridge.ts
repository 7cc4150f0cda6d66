/**
 * The renderer bridge: the one typed interface between the windows and the main process.
 *
 * The preload implements it with `contextBridge` + `ipcRenderer.invoke` (one named function per
 * operation); the main process serves it with the handler table in `main/bridge/handlers.ts`,
 * which validates every argument. Tests serve the same table over a loopback HTTP transport and run
 * the real windows in Chromium against the real engine.
 *
 * No Electron types here, and no secrets coming back: long-lived keys and TOTP secrets are
 * write-only. A profile view says only whether a key or a TOTP secret is stored.
 */
import type { DiagnosisWords } from './diagnosis';
import type { ErrorCode } from './errors';
import type { AppSettings, Profile, SessionState } from './model';

/** An operation's outcome. Errors cross the boundary as data, never as thrown objects. */
export type BridgeResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BridgeError };

/** An error as the windows see it: the engine's code, its plain message, and the field it is about. */
export interface BridgeError {
  readonly code: ErrorCode | 'bad-request' | 'forbidden';
  readonly message: string;
  readonly field?: string;
}

/** A profile as the windows show it. */
export interface ProfileView extends Profile {
  readonly state: SessionState;
  /** Whether its long-lived key is in the keychain; null when the keychain cannot be read (locked). */
  readonly hasLongLivedKey: boolean | null;
  /** Whether a TOTP secret is registered for it; null when the keychain cannot be read (locked). */
  readonly hasTotpSecret: boolean | null;
  /**
   * Where its codes come from, as the engine's keeper decides: generated here from its TOTP secret,
   * its `mfa_process` command, its YubiKey, or typed by the person; `unknown` when the keychain or
   * the AWS config file cannot be read.
   */
  readonly codeSource: 'totp' | 'command' | 'yubikey' | 'person' | 'unknown';
  /** The keeper refreshes it unattended before it expires (the engine's `refreshPlan`). */
  readonly selfRefreshing: boolean;
  /** With `codeSource` unknown: what could not be read. */
  readonly codeSourceUnreadable?: 'keychain' | 'config-file';
  /** The role profiles of the AWS config file whose `source_profile` is this profile, in file order. */
  readonly roles: readonly RoleView[];
}

/** A role profile (`role_arn` + `source_profile` in the AWS config file) as the windows show it, under its source. */
export interface RoleView {
  readonly name: string;
  readonly roleArn: string;
  readonly state: SessionState;
  /** What `duration_seconds` asked for, when it is more than the hour a role chained from a session gets. */
  readonly askedDurationSeconds?: number;
}

/** One of the IAM user's MFA devices (`iam:ListMFADevices`), for the add and import dialogs' picker. */
export interface MfaDeviceView {
  readonly serialNumber: string;
  /** `security-key`: FIDO/passkey; listed, never offered (STS takes no code from it). */
  readonly kind: 'virtual' | 'hardware' | 'security-key';
  readonly usable: boolean;
  /** ms since the epoch, when IAM said. */
  readonly enabledAt?: number;
}

/** Whose devices to list: a key typed in the add dialog, or the credentials-file section being imported. */
export type MfaDeviceSource = { readonly key: KeyForm } | { readonly fromSection: string };

/** What the code prompt shows. */
export interface PromptContext {
  readonly profile: string;
  readonly mfaSerial: string;
  /** The profile's session length in seconds (lead times scale with it). */
  readonly durationSeconds: number;
  readonly state: SessionState;
}

/** Profile fields as a form sends them (validated in the main process again). */
export interface ProfileForm {
  readonly name: string;
  readonly mfaSerial: string;
  readonly durationSeconds?: number;
  readonly region?: string;
  readonly targetSection?: string;
  readonly autoRefresh?: boolean;
}

/** A long-lived key as a form sends it. Write-only. */
export interface KeyForm {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A profile enrolment creates (enrolDevice): its key, and the add dialog's settings (null: the default). */
export interface NewProfileForm {
  readonly key: KeyForm;
  readonly region: string | null;
  readonly durationSeconds: number | null;
  readonly targetSection: string | null;
  readonly autoRefresh: boolean | null;
}

export interface ImportForm {
  readonly name: string;
  readonly fromSection: string;
  readonly mfaSerial?: string;
  readonly removePlaintext?: boolean;
  readonly targetSection?: string;
}

/** The result of a refresh: when the new session expires. No credential crosses the bridge. */
export interface RefreshOutcome {
  readonly profile: string;
  readonly targetSection: string;
  readonly expiresAt: number;
  /** A role: the `duration_seconds` asked for, when the session was shortened to the hour a chained role gets. */
  readonly shortenedFrom?: number;
}

/** What a removal did with the session in the profile's section (Engine's RemovalOutcome). */
export interface RemovalView {
  /** null: not asked; 'removed'; 'none' there; 'not-ours': another tool's, left as it is. */
  readonly session: 'removed' | 'none' | 'not-ours' | null;
  /** With 'not-ours': that session's access key ID, masked (`ASIA…WXYZ`), when known. */
  readonly otherMaskedKeyId: string | null;
}

/** What removing a profile would lose, for the window's question; never a secret. */
export interface RemovalImpactView {
  /** `AKIA…WXYZ`, or null when no key is stored. */
  readonly maskedKeyId: string | null;
  /** Credentials-file sections that hold the same long-lived key: other copies. */
  readonly keyCopies: readonly string[];
  readonly hasTotpSecret: boolean;
}

export interface Identity {
  readonly arn: string;
  readonly account: string;
}

/** One check of doctor's. */
export interface DiagnosisView {
  readonly check: string;
  readonly profile: string | null;
  readonly verdict: 'pass' | 'warn' | 'fail';
  /** What was found, as data: a Japanese window words it from this (the message and fix are English). */
  readonly words: DiagnosisWords;
  readonly message: string;
  readonly fix: string | null;
}

/** The MFA policies as the Policy dialog shows them: each document as JSON text, with its explanation. */
export interface MfaPoliciesView {
  readonly account: string;
  readonly policies: readonly {
    readonly id: 'minimal' | 'self-service';
    readonly title: string;
    readonly summary: string;
    /** The policy document, pretty-printed: what "Copy" copies. */
    readonly json: string;
    readonly statements: readonly { readonly sid: string; readonly explanation: string }[];
    readonly notes: readonly string[];
  }[];
}

/** An enrolment done: the new device. */
export interface EnrolmentView {
  readonly serialNumber: string;
  readonly userName: string;
}

/** The app around the windows. */
export interface HostState {
  /** False on a desktop that shows no tray icon (Linux without a StatusNotifier watcher). */
  readonly trayIcon: boolean;
}

/** Every operation the windows may call, by name. */
export interface BridgeApi {
  listProfiles(): Promise<BridgeResult<readonly ProfileView[]>>;
  getPromptContext(profile: string): Promise<BridgeResult<PromptContext>>;
  /** Refreshes with a typed code (6 digits; spaces and dashes allowed). */
  submitCode(profile: string, code: string): Promise<BridgeResult<RefreshOutcome>>;
  /** Refreshes with the code source the engine picks (the registered TOTP secret). */
  refreshNow(profile: string): Promise<BridgeResult<RefreshOutcome>>;
  addProfile(profile: ProfileForm, key: KeyForm, totpSecret: string | null): Promise<BridgeResult<ProfileView>>;
  updateProfile(name: string, changes: Partial<Omit<ProfileForm, 'name'>>): Promise<BridgeResult<ProfileView>>;
  /** `forgotSession`: the old key's session was forgotten (it was another key's); a refresh gets one with the new key. */
  replaceLongLivedKey(name: string, key: KeyForm): Promise<BridgeResult<{ readonly forgotSession: boolean }>>;
  setTotpSecret(name: string, secret: string): Promise<BridgeResult<null>>;
  removeTotpSecret(name: string): Promise<BridgeResult<null>>;
  listImportableSections(): Promise<BridgeResult<readonly string[]>>;
  importProfile(form: ImportForm): Promise<BridgeResult<ProfileView>>;
  verifyProfile(name: string): Promise<BridgeResult<Identity>>;
  verifyKey(key: KeyForm, region: string): Promise<BridgeResult<Identity>>;
  /** The IAM user's MFA devices (`region`: the profile's, null for the default). */
  listMfaDevices(source: MfaDeviceSource, region: string | null): Promise<BridgeResult<readonly MfaDeviceView[]>>;
  /**
   * Assumes a role profile anew with its source's MFA session; when that session is missing or
   * ending, the source is refreshed first: with `code` when given, else from its code source.
   */
  refreshRole(role: string, code: string | null): Promise<BridgeResult<RefreshOutcome>>;
  /** What removing the profile would lose (asked before the confirmation is shown). */
  getRemovalImpact(name: string): Promise<BridgeResult<RemovalImpactView>>;
  /** `restoreKeyTo`: first write the long-lived key back into that credentials-file section. */
  removeProfile(name: string, forgetSession: boolean, restoreKeyTo: string | null): Promise<BridgeResult<RemovalView>>;
  getSettings(): Promise<BridgeResult<AppSettings>>;
  updateSettings(changes: Partial<AppSettings>): Promise<BridgeResult<AppSettings>>;
  /** The OS's locale. The windows apply the language setting on top of it (and show it for "Automatic"). */
  getLocale(): Promise<BridgeResult<string>>;
  /** doctor's checks (engine/doctor.ts), for the Diagnose dialog: every profile's, or one's. */
  diagnose(profile: string | null): Promise<BridgeResult<readonly DiagnosisView[]>>;
  /** The MFA policies, filled in for the profile's account (or the only profile's, else "*"), explained in `language`. */
  getMfaPolicies(profile: string | null, language: 'en' | 'ja'): Promise<BridgeResult<MfaPoliciesView>>;
  /**
   * Enrols MFA Tray as a new virtual MFA device of the profile's IAM user (engine's enrol). The
   * secret never comes to the window: it goes to the keychain only (the command shows it once on
   * a terminal, for a phone app as well). `newProfile`: no profile yet (a user whose only device
   * is a passkey cannot be added): it is created with the key, its new device, and the add
   * dialog's other settings (null: the default).
   */
  enrolDevice(profile: string, deviceName: string | null, newProfile: NewProfileForm | null): Promise<BridgeResult<EnrolmentView>>;
  /** Copies text that is no secret (a policy document) to the clipboard, from the main process (the windows have no clipboard permission); it is not cleared later. */
  copyText(text: string): Promise<BridgeResult<null>>;
  /** What the windows should know of the app: `trayIcon` false when no tray icon can show (they say so, and offer Quit). */
  getHostState(): Promise<BridgeResult<HostState>>;
  /** Quits the app (the profiles window offers it when there is no tray icon to quit from). */
  quitApp(): Promise<BridgeResult<null>>;
  /** Closes the calling window. */
  closeWindow(): Promise<BridgeResult<null>>;
  /**
   * Fits the calling window to its content, `contentHeight` px high: the code prompt and the
   * settings window, which the user cannot resize, grow for a long message (up to the screen) and
   * shrink back when it goes (window-factory.ts, fittedContentHeight). Others keep their size.
   */
  fitWindow(contentHeight: number): Promise<BridgeResult<null>>;
}

/** The operations' names, for the preload and the transports. */
export const BRIDGE_OPERATIONS = [
  'listProfiles',
  'getPromptContext',
  'submitCode',
  'refreshNow',
  'addProfile',
  'updateProfile',
  'replaceLongLivedKey',
  'setTotpSecret',
  'removeTotpSecret',
  'listImportableSections',
  'importProfile',
  'verifyProfile',
  'verifyKey',
  'listMfaDevices',
  'refreshRole',
  'getRemovalImpact',
  'removeProfile',
  'getSettings',
  'updateSettings',
  'getLocale',
  'diagnose',
  'getMfaPolicies',
  'enrolDevice',
  'copyText',
  'getHostState',
  'quitApp',
  'closeWindow',
  'fitWindow',
] as const satisfies readonly (keyof BridgeApi)[];

export type BridgeOperation = (typeof BRIDGE_OPERATIONS)[number];

/** Events the main process pushes to the windows. */
export interface BridgeEvents {
  /** Every profile's view, after any change of state or settings. */
  profiles: readonly ProfileView[];
  /** App settings changed (language, lead times). */
  settings: AppSettings;
}

/** What the preload exposes on `window.mfaTray`: the operations plus event subscriptions. */
export interface MfaTrayBridge extends BridgeApi {
  on<E extends keyof BridgeEvents>(event: E, listener: (payload: BridgeEvents[E]) => void): () => void;
}

/** The IPC channel of an operation. */
export function channelOf(operation: BridgeOperation): string {
  return `mfa-tray:${operation}`;
}

/** The IPC channel of an event. */
export function eventChannelOf(event: keyof BridgeEvents): string {
  return `mfa-tray:event:${event}`;
}
