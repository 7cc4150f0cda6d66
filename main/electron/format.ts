/**
 * Words and times as the tray, its tooltip and the notifications show them.
 *
 * Pure: the time zone and locale are parameters, so tests pin them and the app passes the OS's.
 */
import type { SessionState } from '../common/model';
import { deriveState } from '../common/session-state';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** How times of day are written: the locale and, in tests, a fixed time zone. */
export interface TimeFormat {
  /** A BCP 47 locale ("en-US", "ja"); the OS's when undefined. */
  readonly locale?: string;
  /** An IANA time zone; the OS's when undefined. */
  readonly timeZone?: string;
}

/**
 * Time left, rounded down to the minute so that it never promises more than there is:
 * "11h 42m", "42m", "less than 1m".
 */
export function formatRemaining(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes < 1) return 'less than 1m';
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `${minutes}m` : `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * A local time of day, 24-hour ("05:12"); with the weekday ("Sun 05:12") when it is a day or more
 * away, so that the 36-hour sessions STS allows cannot be misread.
 */
export function formatClockTime(at: number, now: number, format: TimeFormat = {}): string {
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (format.timeZone !== undefined) options.timeZone = format.timeZone;
  if (Math.abs(at - now) >= DAY) options.weekday = 'short';
  return new Intl.DateTimeFormat(format.locale, options).format(new Date(at));
}

/**
 * A state as of `now`: a stored 'valid' state whose session has since run out reads 'expired', so
 * that labels never lag behind the clock between two state events.
 */
export function currentState(state: SessionState, now: number, expiringWithinMs: number, lifetimeMs?: number): SessionState {
  if (state.kind === 'valid' || state.kind === 'expiring' || state.kind === 'expired') {
    return deriveState(state.expiresAt, now, expiringWithinMs, lifetimeMs);
  }
  return state;
}

/** Shortens a text to `max` characters with an ellipsis (menu labels and tooltips have little room). */
export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A failure in the app's words. A few of the engine's messages end with the command that fixes the
 * problem (`mfa-tray add …`), which a notification or the menu should not ask of someone using the
 * tray; those are said here in terms of the app's own menu and windows, short enough for a menu
 * line. For a profile's notifications and menu lines only: their title or heading names the profile
 * (a dialog about the whole app keeps the engine's message, which names it). Every other message is
 * the engine's, as it is. (The windows have their own translated wording for every code.)
 */
export function inAppWords(code: string, message: string): string {
  switch (code) {
    case 'no-long-lived-key':
      return 'No access key is stored. Add it with Manage profiles in the tray menu.';
    case 'keychain-entry-corrupt':
      return 'A keychain entry is damaged. Refresh now, or store it again in Manage profiles.';
    case 'long-lived-section':
      return 'The target section holds a long-lived key. Choose another with Manage profiles.';
    case 'no-session':
      return 'There is no current session. Get one with Refresh now.';
    case 'keychain-locked':
      return 'The keychain is locked. Unlock it (Passwords and Keys), then Try again.';
    default:
      return message;
  }
}
