/**
 * The command's exit statuses: a small, documented set that scripts can switch on, derived from the
 * engine's stable error codes (never from message text).
 *
 * | status | meaning | error codes |
 * | --- | --- | --- |
 * | 0 | success | |
 * | 1 | unexpected failure (a bug: please report it) | `internal`, anything that is not an MfaTrayError |
 * | 2 | bad command line or bad value | usage errors, `invalid-input`, `invalid-totp-secret` |
 * | 3 | no such profile or section / already exists | `not-found`, `already-exists` (also: another `watch` is running) |
 * | 4 | needs you first: a session, a code or a key | `no-session`, `code-required`, `no-long-lived-key` |
 * | 5 | keychain unavailable, locked or damaged | `keychain-unavailable`, `keychain-locked`, `keychain-timeout`, `keychain-entry-corrupt` |
 * | 6 | a file cannot be used | `settings-file`, `credentials-file`, `session-not-in-file`, `long-lived-section`, `lock-timeout` |
 * | 7 | AWS refused: fix the code, key, device or clock | `sts-invalid-code`, `totp-code-refused`, `sts-wrong-device`, `sts-session-credentials`, `sts-invalid-key`, `sts-bad-signature`, `sts-validation`, `sts-denied`, `clock-skew` |
 * | 8 | temporary: try again later | `sts-unavailable`, `sts-throttled`, `code-reused` |
 * | 9 | `doctor`: a check did not pass | |
 * | 130 | cancelled at a prompt (Ctrl-C), or a refresh stopped with Ctrl-C (interrupt.ts) | |
 */
import type { ErrorCode } from '../common/errors';

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  needsAction: 4,
  keychain: 5,
  file: 6,
  stsRefused: 7,
  temporary: 8,
  checksFailed: 9,
  cancelled: 130,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** Every error code's exit status. A Record, so that a new error code cannot be forgotten here. */
export const BY_ERROR_CODE: Readonly<Record<ErrorCode, ExitStatus>> = {
  'invalid-input': EXIT.usage,
  'invalid-totp-secret': EXIT.usage,
  'not-found': EXIT.notFound,
  'already-exists': EXIT.notFound,
  'no-session': EXIT.needsAction,
  'code-required': EXIT.needsAction,
  'code-command': EXIT.needsAction,
  yubikey: EXIT.needsAction,
  'no-long-lived-key': EXIT.needsAction,
  'keychain-unavailable': EXIT.keychain,
  'keychain-locked': EXIT.keychain,
  'keychain-timeout': EXIT.keychain,
  'keychain-entry-corrupt': EXIT.keychain,
  'settings-file': EXIT.file,
  'credentials-file': EXIT.file,
  'session-not-in-file': EXIT.file,
  'long-lived-section': EXIT.file,
  'lock-timeout': EXIT.file,
  'sts-invalid-code': EXIT.stsRefused,
  'totp-code-refused': EXIT.stsRefused,
  'sts-wrong-device': EXIT.stsRefused,
  'sts-session-credentials': EXIT.stsRefused,
  'sts-invalid-key': EXIT.stsRefused,
  'sts-bad-signature': EXIT.stsRefused,
  'sts-validation': EXIT.stsRefused,
  'sts-denied': EXIT.stsRefused,
  'clock-skew': EXIT.stsRefused,
  'sts-unavailable': EXIT.temporary,
  'sts-throttled': EXIT.temporary,
  'code-reused': EXIT.temporary,
  internal: EXIT.internal,
};

/** The exit status for an engine error code. */
export function exitStatusOf(code: ErrorCode): ExitStatus {
  return BY_ERROR_CODE[code] ?? EXIT.internal;
}
