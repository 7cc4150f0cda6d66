/**
 * What each of doctor's checks found, as data: the engine says it in English (`engine/doctor.ts`,
 * the words `mfa-tray doctor` prints), and a window in Japanese says it from the same data
 * (`renderer/lib/diagnosis-ja.ts`). Every check carries one; an id names what was found, the other
 * fields are its specifics (paths, key ids, commands), never a secret.
 */

/** A line of a file the AWS CLI cannot read, and why (engine/files/ini-edit.ts finds them). */
export type AwsCliReadProblem =
  | { readonly kind: 'not-utf8' }
  | { readonly kind: 'bom' }
  | { readonly kind: 'before-section'; readonly line: number }
  | { readonly kind: 'not-a-key'; readonly line: number }
  | { readonly kind: 'nested-not-a-key'; readonly line: number }
  | { readonly kind: 'key-twice'; readonly line: number; readonly section: string; readonly key: string };

/**
 * An entry of MFA Tray's own folder that is not the user's alone: another user's, or writable by
 * others (`name` null: the folder itself); or a folder above it that others could change.
 */
export type NotOwnEntry =
  | { readonly kind: 'another-users'; readonly name: string | null; readonly uid: number }
  | { readonly kind: 'writable-by-others'; readonly name: string | null }
  | { readonly kind: 'folder-above' };

/** A span as the engine rounds it for people (engine/clock/clock.ts): seconds under 2 minutes, minutes under 2 hours, else hours. */
export interface RoundedSpan {
  readonly amount: number;
  readonly unit: 's' | 'min' | 'h';
}

/** An engine error a finding is about: its stable code (an `ErrorCode`; `internal` for an unexpected error), and its own (English) message. */
export interface FoundError {
  readonly code: string;
  readonly message: string;
}

/** Why the clock could not be compared with AWS's. */
export type ClockUnknownBecause = 'no-answer' | 'not-sent' | 'keychain' | 'no-key';

/**
 * What a check found. `refresh`: the command that fixes the session, or null when the fix is the
 * files check's (a refresh would stop before its code). `error`: the engine error found, worded by
 * its code. Those holding a file's own reason are worded from that English text (`Check.message`),
 * which a translation shows as well.
 */
export type DiagnosisWords =
  // The settings, and the profile asked for.
  | { readonly id: 'settings-unreadable'; readonly error: FoundError }
  | { readonly id: 'no-such-profile'; readonly profile: string }
  // The environment.
  | { readonly id: 'environment-shadowed'; readonly names: readonly string[] }
  | { readonly id: 'environment-clear' }
  | { readonly id: 'aws-profile-set'; readonly value: string }
  | { readonly id: 'aws-profile-ours'; readonly value: string; readonly profile: string }
  // The keychain.
  | { readonly id: 'keychain-ok' }
  | { readonly id: 'keychain-unreadable'; readonly error: FoundError }
  // The stored key (`key`: its id, masked; `commands`, `command`: what stores one).
  | { readonly id: 'key-unreadable'; readonly commands: readonly string[]; readonly error: FoundError }
  | { readonly id: 'key-missing'; readonly commands: readonly string[] }
  | { readonly id: 'key-not-long-lived'; readonly key: string; readonly command: string }
  | { readonly id: 'key-refused'; readonly key: string; readonly command: string; readonly error: FoundError }
  | { readonly id: 'key-unchecked'; readonly key: string; readonly temporary: boolean; readonly error: FoundError }
  | { readonly id: 'key-ok'; readonly key: string; readonly arn: string }
  // The MFA device.
  | {
      readonly id: 'device-other-account';
      readonly device: string;
      readonly deviceAccount: string;
      readonly keyAccount: string;
      readonly arn: string;
      readonly profile: string;
    }
  | { readonly id: 'device-ok'; readonly device: string }
  | { readonly id: 'device-not-listed'; readonly device: string; readonly devices: readonly string[]; readonly profile: string }
  | { readonly id: 'device-not-checked'; readonly device: string }
  // The clock (`agoMinutes`: measured by another MFA Tray process that long ago).
  | { readonly id: 'clock-unknown'; readonly because: ClockUnknownBecause }
  | { readonly id: 'clock-ok'; readonly withinSeconds: number; readonly agoMinutes?: number }
  | { readonly id: 'clock-off'; readonly ahead: boolean; readonly by: RoundedSpan; readonly refused: boolean; readonly agoMinutes?: number }
  // The AWS files.
  | { readonly id: 'file-cli-cannot-read'; readonly path: string; readonly problem: AwsCliReadProblem }
  | { readonly id: 'file-unreadable'; readonly path: string }
  | { readonly id: 'credentials-readable-by-others'; readonly path: string; readonly mode: string }
  | { readonly id: 'credentials-unwritable' }
  | { readonly id: 'config-dir-not-own'; readonly dir: string; readonly entries: readonly NotOwnEntry[]; readonly command: string }
  | { readonly id: 'section-twice'; readonly section: string; readonly count: number; readonly path: string }
  | {
      readonly id: 'long-lived-in-target';
      readonly section: string;
      readonly path: string;
      readonly withToken: boolean;
      readonly profile: string;
      readonly command: string;
    }
  | { readonly id: 'config-serial-differs'; readonly profile: string; readonly path: string; readonly serial: string; readonly ours: string }
  | {
      readonly id: 'credentials-elsewhere';
      readonly section: string;
      readonly path: string;
      readonly key: string;
      readonly target: string;
      readonly credentialsPath: string;
      readonly profile: string;
    }
  | { readonly id: 'credential-process-ok'; readonly section: string; readonly program: string }
  | { readonly id: 'credential-process-missing'; readonly section: string; readonly path: string; readonly program: string; readonly onPath: boolean }
  | { readonly id: 'credential-process-no-profile'; readonly section: string; readonly path: string; readonly profile: string }
  | { readonly id: 'credential-process-unnamed'; readonly section: string; readonly path: string }
  | {
      readonly id: 'files-ok';
      readonly credentialsPath: string;
      readonly credentialsMissing: boolean;
      readonly configPath: string;
      readonly configMissing: boolean;
    }
  // The session.
  | { readonly id: 'session-valid'; readonly leftMs: number }
  | { readonly id: 'session-ending'; readonly leftMs: number; readonly refresh: string | null }
  | { readonly id: 'session-failed'; readonly error: FoundError; readonly refresh: string | null }
  | { readonly id: 'session-refreshing' }
  | { readonly id: 'session-expired'; readonly refresh: string | null }
  | { readonly id: 'session-none'; readonly refresh: string | null }
  | { readonly id: 'session-unreadable'; readonly error: FoundError }
  | {
      readonly id: 'session-not-in-file';
      readonly profile: string;
      readonly target: string;
      readonly leftMs: number;
      readonly path: string;
      readonly refresh: string | null;
    };
