/**
 * The tray icon's look and tooltip, from the same snapshot as the menu. Pure.
 */
import { PRODUCT_NAME } from '../engine';
import { failureKind } from '../common/session-state';
import { currentState, formatRemaining, trayWords, type TimeFormat } from './format';
import type { TraySnapshot } from './tray-snapshot';

/** The icon's three looks: all fine; one expiring soon; one expired, failed or not in the credentials file. */
export type TrayLook = 'ok' | 'expiring' | 'problem';

export const TRAY_LOOKS: readonly TrayLook[] = ['ok', 'expiring', 'problem'];

/**
 * The worst look over all profiles. A profile without a session counts as fine: it is either new
 * or deliberately forgotten, and the menu says "no session" anyway.
 */
export function trayLook(snapshot: TraySnapshot, now: number): TrayLook {
  if (snapshot.problem !== undefined) return 'problem';
  let look: TrayLook = 'ok';
  for (const profile of snapshot.profiles) {
    const state = currentState(profile.state, now, snapshot.expiringWithinMs, profile.lifetimeMs);
    if (state.kind === 'expired' || state.kind === 'failed') return 'problem';
    if (state.kind === 'expiring') look = 'expiring';
  }
  return look;
}

/** Windows cuts tray tooltips at 127 characters (NOTIFYICONDATA's szTip). */
export const TOOLTIP_MAX = 127;

/** "work: 3h 12m left · personal: expired". */
export function trayTooltip(snapshot: TraySnapshot, now: number, format: TimeFormat = {}): string {
  const words = trayWords(format).tooltip;
  if (snapshot.problem !== undefined) return clip(`${PRODUCT_NAME}: ${snapshot.problem}`);
  if (snapshot.profiles.length === 0) return words.noProfiles(PRODUCT_NAME);
  const parts = snapshot.profiles.map(({ name, state: stored, lifetimeMs }) => {
    const state = currentState(stored, now, snapshot.expiringWithinMs, lifetimeMs);
    switch (state.kind) {
      case 'none':
        return `${name}: ${words.noSession}`;
      case 'valid':
      case 'expiring':
        return `${name}: ${words.left(formatRemaining(state.expiresAt - now, format.language))}`;
      case 'expired':
        return `${name}: ${words.expired}`;
      case 'refreshing':
        return `${name}: ${words.refreshing}`;
      case 'failed':
        return `${name}: ${words.failed[failureKind(state.code)]}`;
    }
  });
  return clip(parts.join(' · '));
}

/**
 * The title beside the icon in the macOS menu bar: the soonest session end ("3h 12m"), else the
 * problem ("expired"), else nothing. On macOS a person may not have allowed notifications (no API
 * tells whether), so the state is always in view there.
 */
export function trayTitle(snapshot: TraySnapshot, now: number, format: TimeFormat = {}): string {
  const words = trayWords(format).tooltip;
  if (snapshot.problem !== undefined) return words.failed['refresh-failed'];
  let soonest: number | undefined;
  for (const { state: stored, lifetimeMs } of snapshot.profiles) {
    const state = currentState(stored, now, snapshot.expiringWithinMs, lifetimeMs);
    if (state.kind === 'expired') return words.expired;
    if (state.kind === 'failed') return words.failed[failureKind(state.code)];
    if ((state.kind === 'valid' || state.kind === 'expiring') && (soonest === undefined || state.expiresAt < soonest)) soonest = state.expiresAt;
  }
  return soonest === undefined ? '' : formatRemaining(soonest - now, format.language);
}

function clip(text: string): string {
  return text.length <= TOOLTIP_MAX ? text : `${text.slice(0, TOOLTIP_MAX - 1)}…`;
}
