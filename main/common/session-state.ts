/**
 * Session states derived from an expiry and the clock: one definition for the tray, the windows
 * and `mfa-tray status`.
 */
import type { SessionState } from './model';

/**
 * A lead time is at most this fraction of the session's length: a 15-minute lead on a 15-minute
 * session would make every new session "expiring" at once, and `watch` ask for a code again and again.
 */
export const MAX_LEAD_SHARE = 1 / 4;

/**
 * A session with at least this much left still serves a call made now (an AWS command, MFA Tray's
 * own IAM calls): `credential-process` and `exec` use it when a refresh cannot happen, and
 * `unenrol` uses it instead of asking for a code.
 */
export const LASTS_A_CALL_MS = 60_000;

/**
 * The one rule for every "before expiry" lead time (the notice, the unattended refresh, and
 * `credential-process` serving a cached session as it is): the configured lead, but never more
 * than a quarter of the session's length. Sessions of an hour or more get the configured lead
 * (15 minutes is a quarter of an hour); a 900 s session is refreshed or announced 3 min 45 s
 * before it ends, so once per session.
 *
 * @param leadMs the configured lead time.
 * @param lifetimeMs the session's length (the profile's duration), when known.
 */
export function leadTimeMs(leadMs: number, lifetimeMs?: number): number {
  if (lifetimeMs === undefined || !(lifetimeMs > 0)) return leadMs;
  return Math.min(leadMs, Math.floor(lifetimeMs * MAX_LEAD_SHARE));
}

/**
 * The state of a stored session at `now`: valid, expiring (within the lead time of
 * {@link leadTimeMs}) or expired.
 *
 * @param expiringWithinMs the configured notify lead time.
 * @param lifetimeMs the session's length (the profile's duration), when known.
 */
export function deriveState(expiresAt: number | undefined, now: number, expiringWithinMs: number, lifetimeMs?: number): SessionState {
  if (expiresAt === undefined) return { kind: 'none' };
  if (expiresAt <= now) return { kind: 'expired', expiresAt };
  if (expiresAt - now <= leadTimeMs(expiringWithinMs, lifetimeMs)) return { kind: 'expiring', expiresAt };
  return { kind: 'valid', expiresAt };
}

/** The expiry a state knows of, if any. */
export function expiryOf(state: SessionState): number | undefined {
  return state.kind === 'none' ? undefined : state.expiresAt;
}

/** Whether a state still has usable credentials behind it. */
export function isUsable(state: SessionState, now: number): boolean {
  const expiresAt = expiryOf(state);
  return expiresAt !== undefined && expiresAt > now;
}

/**
 * What a failed state is, whatever the words: a refresh that failed, or what kept one from being
 * tried (the keychain), or a session the credentials file does not hold. The one rule the command,
 * the windows and the tray name a failed state by (each in its own words).
 */
export type FailureKind = 'refresh-failed' | 'not-in-file' | 'keychain-locked' | 'keychain-unavailable' | 'keychain-timeout' | 'keychain-entry-damaged';

/** The {@link FailureKind} of a failed state's error code. */
export function failureKind(code: string): FailureKind {
  switch (code) {
    case 'keychain-locked':
    case 'keychain-unavailable':
    case 'keychain-timeout':
      return code;
    case 'keychain-entry-corrupt':
      return 'keychain-entry-damaged';
    case 'session-not-in-file':
      return 'not-in-file';
    default:
      return 'refresh-failed';
  }
}
