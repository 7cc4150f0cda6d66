/**
 * Errors users can act on.
 *
 * Every failure the engine reports is an {@link MfaTrayError} with a stable `code` (for the UI, the
 * command's exit path and tests) and a `message` in plain words that says what failed, why, and what
 * to do. A message never contains a secret: build it only from names, paths and public identifiers.
 */
import type { Profile } from './model';

/** Stable error codes. The UI and the command switch on these, never on message text. */
export type ErrorCode =
  /** A value the user gave is not allowed; `field` names it. */
  | 'invalid-input'
  /** A named profile or section does not exist. */
  | 'not-found'
  /** A profile with that name exists already. */
  | 'already-exists'
  /** No Secret Service / keychain could be reached. */
  | 'keychain-unavailable'
  /** The keychain is there but locked (after a login over SSH, or before the desktop unlocked it). */
  | 'keychain-locked'
  /** The keychain did not answer in time (for example a locked keyring waiting for a password). */
  | 'keychain-timeout'
  /** A keychain entry holds something MFA Tray did not write (changed outside it, or damaged). */
  | 'keychain-entry-corrupt'
  /** No long-lived key is stored for the profile. */
  | 'no-long-lived-key'
  /** The settings file cannot be used (corrupt, newer version, unreadable). It was left as it was. */
  | 'settings-file'
  /** The credentials or config file cannot be read or written. It was left as it was. */
  | 'credentials-file'
  /** The credentials file does not hold the session MFA Tray has (another tool rewrote it, or a refresh could not write it): AWS tools reading the file do not get it. */
  | 'session-not-in-file'
  /** The target section holds long-lived keys and the user did not ask to overwrite them. */
  | 'long-lived-section'
  /** Another process holds the credentials-file lock for too long. */
  | 'lock-timeout'
  /** STS: the code was wrong, or was already used. */
  | 'sts-invalid-code'
  /** AWS refused a code made from the registered TOTP secret: the secret is likely not the device's. */
  | 'totp-code-refused'
  /** STS: the MFA serial does not belong to this user. */
  | 'sts-wrong-device'
  /** STS: the stored key is temporary (ASIA...), not long-lived. */
  | 'sts-session-credentials'
  /** STS: the access key was deleted, deactivated or mistyped. */
  | 'sts-invalid-key'
  /** STS: the secret access key does not match the key id. */
  | 'sts-bad-signature'
  /** STS or TOTP: this computer's clock is off. */
  | 'clock-skew'
  /** STS: rate limited. */
  | 'sts-throttled'
  /** STS: a value out of range. */
  | 'sts-validation'
  /** STS: any other refusal. */
  | 'sts-denied'
  /** STS could not be reached, timed out, failed with 5xx or answered something unreadable. */
  | 'sts-unavailable'
  /** A code for this device's current time step was already sent: wait for the next one. */
  | 'code-reused'
  /** No code was given and none can be generated (no TOTP secret registered). */
  | 'code-required'
  /** The profile's code command (`mfa_process`) failed, timed out or printed no code. */
  | 'code-command'
  /** The profile's YubiKey code could not be read (ykman, the key or its account missing, no touch). */
  | 'yubikey'
  /** The TOTP secret or otpauth URI is not usable for AWS. */
  | 'invalid-totp-secret'
  /** No session is stored for the profile, or it has expired. */
  | 'no-session'
  /** Anything else; the message says what. */
  | 'internal';

/**
 * What the person can do about an error, as data: the command renders it as a command line
 * (main/cli/remedy.ts), the tray as a menu item or button and the windows as a link, in English or
 * Japanese (main/common/catalog/). The message states the facts; the remedy is never in its text.
 */
export type Remedy =
  /** Get a new session (the command: `mfa-tray refresh <p>`; the tray: "Refresh now"). */
  | { readonly action: 'refresh'; readonly profile: string }
  /** Get one with a code typed now, where nobody can be asked (`--code`). */
  | { readonly action: 'refresh-with-code'; readonly profile: string }
  /** Register the MFA device's TOTP secret, so that codes are generated. */
  | { readonly action: 'set-totp'; readonly profile: string }
  /** Forget a TOTP secret that cannot be used. */
  | { readonly action: 'remove-totp'; readonly profile: string }
  /**
   * Store the profile's long-lived access key again. `keep`: the settings of the profile as it is,
   * which the command line repeats (a replacement takes the defaults for what it is not given).
   */
  | { readonly action: 'add-key'; readonly profile: string; readonly keep?: KeptSettings }
  /** Import a long-lived key from a credentials-file section into the keychain (`keep`: as for add-key). */
  | { readonly action: 'import-key'; readonly profile: string; readonly section?: string; readonly keep?: KeptSettings }
  /** Choose another target section for the profile. */
  | { readonly action: 'edit-target'; readonly profile: string }
  /** Unlock the keychain, then try again. */
  | { readonly action: 'unlock-keychain' }
  /** Add a profile (there are none yet). */
  | { readonly action: 'add-profile' }
  /** Check the profile's key, device and surroundings (doctor's checks) once AWS can be reached. */
  | { readonly action: 'diagnose'; readonly profile: string };

/** The settings of an existing profile that storing its key again keeps. */
export type KeptSettings = Pick<Profile, 'mfaSerial' | 'targetSection' | 'region' | 'durationSeconds'>;

/** The actions of {@link Remedy}. */
export type RemedyAction = Remedy['action'];

/** An error with a stable code and a message a user can act on. Never carries a secret. */
export class MfaTrayError extends Error {
  override readonly name = 'MfaTrayError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      readonly field?: string;
      readonly retryable?: boolean;
      readonly cause?: unknown;
      /**
       * The request never left this computer (refused connection, DNS or TLS failure, refused
       * endpoint): a code it carried was not seen by AWS and may be used again.
       */
      readonly notSent?: boolean;
      /** What the person can do about it, first the likeliest. */
      readonly remedy?: Remedy | readonly Remedy[];
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The input field the error is about, when it is about one. */
  get field(): string | undefined {
    return this.options.field;
  }

  /** Whether trying again later (without the user changing anything) may succeed. */
  get retryable(): boolean {
    return this.options.retryable ?? false;
  }

  /** What the person can do about it (empty when only the message can say). */
  get remedies(): readonly Remedy[] {
    const { remedy } = this.options;
    return remedy === undefined ? [] : Array.isArray(remedy) ? (remedy as readonly Remedy[]) : [remedy as Remedy];
  }

  /** Whether the failed request certainly never reached AWS (see the constructor's `notSent`). */
  get notSent(): boolean {
    return this.options.notSent ?? false;
  }
}

/**
 * The same error as one of this copy's {@link MfaTrayError}s when it was made by another copy of
 * this module: the command's CommonJS fast path (main/cli/fast-entry.ts) is a bundle of its own,
 * and what it found is handed to the ES module bundle, where `instanceof` would not know it. Other
 * values are returned as they are.
 */
export function adoptError(error: unknown): unknown {
  if (error instanceof MfaTrayError || !(error instanceof Error) || error.name !== 'MfaTrayError') return error;
  const { code, message, options } = error as MfaTrayError;
  const adopted = new MfaTrayError(code, message, options);
  if (error.stack !== undefined) adopted.stack = error.stack;
  return adopted;
}

/** True for an {@link MfaTrayError}, optionally of one of the given codes. */
export function isMfaTrayError(error: unknown, ...codes: ErrorCode[]): error is MfaTrayError {
  return error instanceof MfaTrayError && (codes.length === 0 || codes.includes(error.code));
}

/** Errors that mean the keychain as a whole cannot be used right now (not one damaged entry). */
type KeychainDownCode = 'keychain-unavailable' | 'keychain-locked' | 'keychain-timeout';
const KEYCHAIN_DOWN: ReadonlySet<string> = new Set<KeychainDownCode>(['keychain-unavailable', 'keychain-locked', 'keychain-timeout']);

/** Whether an error code says the keychain as a whole cannot be used now: locked, absent or not answering. */
export function isKeychainDown(code: string): code is KeychainDownCode {
  return KEYCHAIN_DOWN.has(code);
}

/**
 * Whether an error code says AWS refused the long-lived key itself (deleted, deactivated, mistyped,
 * or its secret wrong): no code sent with it can work, and AWS refused it before reading any code.
 */
export function isKeyRefused(code: string): boolean {
  return code === 'sts-invalid-key' || code === 'sts-bad-signature';
}

/** An `invalid-input` error for one field: "<field>: <what is allowed>". */
export function invalidInput(field: string, allowed: string): MfaTrayError {
  return new MfaTrayError('invalid-input', `${field}: ${allowed}`, { field });
}
