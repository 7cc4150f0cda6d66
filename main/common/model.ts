/**
 * The engine's plain, readonly data models, shared by the engine, the command, the Electron layer
 * and (type-only or pure) the renderer.
 */
import type { Remedy } from './errors';

/** A profile's non-secret settings, as kept in the settings file. */
export interface Profile {
  /** The profile's name, as the user calls it (`[A-Za-z0-9_.@+%:/-]`, at most 64). */
  readonly name: string;
  /** The MFA device: a virtual-device ARN or a hardware serial. */
  readonly mfaSerial: string;
  /** Requested session lifetime in seconds, 900..129600. */
  readonly durationSeconds: number;
  /** The region whose STS endpoint is used. */
  readonly region: string;
  /** The credentials-file section that receives the session (default: the name). */
  readonly targetSection: string;
  /** Refresh unattended before expiry when a TOTP secret is registered. */
  readonly autoRefresh: boolean;
}

/** Defaults for a new profile's optional fields. */
export const PROFILE_DEFAULTS = {
  durationSeconds: 43200,
  region: 'us-east-1',
  autoRefresh: true,
} as const;

/** A long-lived IAM user access key. Secret: lives only in the keychain. */
export interface LongLivedKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Temporary credentials from `sts:GetSessionToken`. The secret parts are secret. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Expiry, as milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * What a listing of cached sessions gives (`ProfileSecrets.readSessions`): which session and until
 * when, never its secret parts (checked when read, then dropped), since a long-running process keeps
 * its last listing.
 */
export type SessionSummary = Pick<SessionCredentials, 'accessKeyId' | 'expiresAt'>;

/** App-wide settings (non-secret). */
export interface AppSettings {
  /** Minutes before expiry to notify. */
  readonly notifyBeforeMinutes: number;
  /** Minutes before expiry to refresh unattended (profiles with a TOTP secret and autoRefresh). */
  readonly autoRefreshBeforeMinutes: number;
  /** Seconds after which copied exports are cleared from the clipboard (0: never). */
  readonly clipboardClearSeconds: number;
  /** Start with the OS session. */
  readonly launchAtLogin: boolean;
  /** UI language: 'auto' follows the OS locale. */
  readonly language: 'auto' | 'en' | 'ja';
}

export const APP_SETTINGS_DEFAULTS: AppSettings = {
  notifyBeforeMinutes: 15,
  autoRefreshBeforeMinutes: 10,
  clipboardClearSeconds: 60,
  launchAtLogin: false,
  language: 'auto',
};

/** A session's state, as shown in the tray, the windows and `mfa-tray status`. */
export type SessionState =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly expiresAt: number }
  | { readonly kind: 'expiring'; readonly expiresAt: number }
  | { readonly kind: 'expired'; readonly expiresAt: number }
  | { readonly kind: 'refreshing'; readonly expiresAt?: number }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly code: string;
      readonly expiresAt?: number;
      /** What the person can do about it (the error's remedies). */
      readonly remedies?: readonly Remedy[];
    };
