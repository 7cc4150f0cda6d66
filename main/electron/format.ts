/**
 * Words and times as the tray, its tooltip and the notifications show them.
 *
 * Pure: the time zone and locale are parameters, so tests pin them and the app passes the OS's.
 */
import { TRAY_WORDS, type TrayWords } from '../common/catalog/tray';
import type { Language } from '../common/catalog/language';
import type { ErrorCode } from '../common/errors';
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
  /** The language of the words around the times; English when undefined. */
  readonly language?: Language;
}

/**
 * Time left, rounded down to the minute so that it never promises more than there is:
 * "11h 42m", "42m", "less than 1m".
 */
export function formatRemaining(ms: number, language: Language = 'en'): string {
  const words = TRAY_WORDS[language];
  const minutes = Math.floor(Math.max(0, ms) / MINUTE);
  if (minutes < 1) return words.lessThanAMinute;
  return words.remaining(Math.floor(minutes / 60), minutes % 60);
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

/** A failure in the app's words and language: the catalog's line for its code, else the engine's message (the facts). */
export function inAppWords(code: string, message: string, language: Language = 'en'): string {
  return TRAY_WORDS[language].failures[code as ErrorCode] ?? message;
}

/** The tray's words in the format's language. */
export function trayWords(format: TimeFormat = {}): TrayWords {
  return TRAY_WORDS[format.language ?? 'en'];
}
