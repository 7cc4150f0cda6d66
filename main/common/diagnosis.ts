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

/** An entry of MFA Tray's own folder that is not the user's alone: another user's (`owner`: "root" or a uid), or writable by others. */
export type NotOwnEntry =
  | { readonly name: string; readonly owner: string }
  | { readonly name: string; readonly writableByOthers: true }
  | { readonly name: 'a folder above it'; readonly above: true };

/** Why the clock could not be compared with AWS's. */
export type ClockUnknownBecause = 'no-answer' | 'not-sent' | 'keychain' | 'no-key';

/**
 * What a check found. `seeFiles`: its fix is the files check's, not a refresh (a refresh would
 * stop before its code). Those holding an engine error's or a file's own reason are worded from
 * that English text (`Check.message`), which a translation shows as well.
 */
export type DiagnosisWords =
  // The settings, and the profile asked for.
  | { readonly id: 'settings-unreadable' }
  | { readonly id: 'no-such-profile'; readonly profile: string }
  // The environment.
  | { readonly id: 'environment-shadowed'; readonly names: readonly string[] }
  | { readonly id: 'environment-clear' }
  | { readonly id: 'aws-profile-set'; readonly value: string }
  // The keychain.
  | { readonly id: 'keychain-ok' }
  | { readonly id: 'keychain-unreadable' }
  // The stored key (`key`: its id, masked; `commands`, `command`: what stores one).
  | { readonly id: 'key-unreadable'; readonly commands: readonly string[] }
  | { readonly id: 'key-missing'; readonly commands: readonly string[] }
  | { readonly id: 'key-not-long-lived'; readonly key: string; readonly command: string }
  | { readonly id: 'key-refused'; readonly key: string; readonly command: string }
  | { readonly id: 'key-unchecked'; readonly key: string; readonly temporary: boolean }
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
  | { readonly id: 'clock-off'; readonly offsetMs: number; readonly refused: boolean; readonly agoMinutes?: number }
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
  | { readonly id: 'credential-process-missing'; readonly section: string; readonly path: string; readonly program: string }
  | {
      readonly id: 'files-ok';
      readonly credentialsPath: string;
      readonly credentialsMissing: boolean;
      readonly configPath: string;
      readonly configMissing: boolean;
    }
  // The session.
  | { readonly id: 'session-valid'; readonly leftMs: number }
  | { readonly id: 'session-ending'; readonly leftMs: number; readonly profile: string; readonly seeFiles: boolean }
  | { readonly id: 'session-failed'; readonly profile: string; readonly seeFiles: boolean }
  | { readonly id: 'session-refreshing' }
  | { readonly id: 'session-expired'; readonly profile: string; readonly seeFiles: boolean }
  | { readonly id: 'session-none'; readonly profile: string; readonly seeFiles: boolean }
  | { readonly id: 'session-unreadable' }
  | { readonly id: 'session-not-in-file'; readonly profile: string; readonly leftMs: number; readonly path: string; readonly seeFiles: boolean };
