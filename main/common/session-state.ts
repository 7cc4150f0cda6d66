/**
 * Session states derived from an expiry and the clock: one definition for the tray, the windows
 * and `mfa-tray status`.
 */
import type { SessionState } from './model';

/** The state of a stored session at `now`: valid, expiring (within `expiringWithinMs`) or expired. */
export function deriveState(expiresAt: number | undefined, now: number, expiringWithinMs: number): SessionState {
  if (expiresAt === undefined) return { kind: 'none' };
  if (expiresAt <= now) return { kind: 'expired', expiresAt };
  if (expiresAt - now <= expiringWithinMs) return { kind: 'expiring', expiresAt };
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
