/**
 * Text output of the command: times in local time, time left, state names, tables. Pure functions.
 */
import { formatDuration } from '../common/duration';
import type { SessionState } from '../common/model';
import { failureKind, type FailureKind } from '../common/session-state';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-05-01 18:04` in this computer's time zone (honours `TZ`). */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** `18:04:05` in this computer's time zone: the prefix of `watch`'s lines. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export { formatDuration };

/** Time left until `expiresAt`: `12 h 0 min left`, or `expired 5 min ago`. */
export function formatTimeLeft(expiresAt: number, now: number): string {
  return expiresAt > now ? `${formatDuration(expiresAt - now)} left` : `expired ${formatDuration(now - expiresAt)} ago`;
}

/** `expires 2026-05-01 18:04 (12 h 0 min left)`: the expiry line of `refresh` and `watch`. */
export function describeExpiry(expiresAt: number, now: number): string {
  return expiresAt > now
    ? `expires ${formatLocalTime(expiresAt)} local time (${formatTimeLeft(expiresAt, now)})`
    : `expired ${formatLocalTime(expiresAt)} local time (${formatDuration(now - expiresAt)} ago)`;
}

/** A state's name as `status` shows it (and as `status --json` has it in `state`). */
export function stateName(state: SessionState): 'none' | 'valid' | 'expiring' | 'expired' | 'refreshing' | 'failed' {
  return state.kind;
}

/** A state as the status table shows it: a keychain that cannot be read, or a damaged entry, is named as such, not "failed". */
export function stateWords(state: SessionState): string {
  if (state.kind !== 'failed') return stateName(state);
  const kind = failureKind(state.code);
  return kind === 'refresh-failed' ? stateName(state) : FAILURE_WORDS[kind];
}

/** The command's words for what kept a refresh from being tried (session-state.ts, failureKind). */
const FAILURE_WORDS: Readonly<Record<Exclude<FailureKind, 'refresh-failed'>, string>> = {
  'keychain-locked': 'keychain locked',
  'keychain-unavailable': 'keychain unavailable',
  'keychain-timeout': 'keychain not answering',
  'keychain-entry-damaged': 'keychain entry damaged',
  'not-in-file': 'not in file',
};

export { maskKeyId } from '../common/key-id';

/** A plain-text table: left-aligned columns two spaces apart, no trailing spaces. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Makes a message one line: the command's failures are one line on stderr. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
