/**
 * A session state in words: a short label, a tone for its colour, and the time left.
 *
 * States come from the engine's events, but time passes between them: valid, expiring and expired
 * are derived again from the expiry and the window's clock (`deriveState`, the engine's own rule).
 */
import type { SessionState } from '../../main/common/model';
import { deriveState, failureKind, type FailureKind } from '../../main/common/session-state';
import { el, type Child } from './dom';
import type { I18n, MessageKey } from './i18n';
import { errorText, type ShownError } from './messages';

/** How a state is coloured. */
export type StateTone = 'ok' | 'warn' | 'bad' | 'none' | 'busy';

export interface StateView {
  readonly tone: StateTone;
  readonly label: string;
  /** Time left, or when it ended. */
  readonly detail?: string;
  /** When a session that has time left ends: shown after `detail` where there is room for it. */
  readonly until?: string;
  /** Why the last refresh failed. */
  readonly reason?: ShownError;
}

/** The windows' label of a failed state, by what it is (session-state.ts, failureKind). */
const FAILURE_LABELS: Readonly<Record<FailureKind, MessageKey>> = {
  'refresh-failed': 'state.failed',
  'not-in-file': 'state.notInFile',
  'keychain-locked': 'state.keychainLocked',
  'keychain-unavailable': 'state.keychainDown',
  'keychain-timeout': 'state.keychainDown',
  'keychain-entry-damaged': 'state.keychainEntryDamaged',
};

/**
 * Describes a state at `now`.
 *
 * @param expiringWithinMs how long before expiry a session counts as expiring (the configured notify lead).
 * @param lifetimeMs the profile's session length: the lead scales with it (the engine's leadTimeMs).
 */
export function describeState(i18n: I18n, state: SessionState, now: number, expiringWithinMs: number, lifetimeMs?: number): StateView {
  const left = (expiresAt: number): { detail: string; until: string } => ({
    detail: i18n.t('state.left', { left: i18n.formatSpan(expiresAt - now) }),
    until: i18n.t('state.until', { time: i18n.formatMoment(expiresAt, now) }),
  });
  switch (state.kind) {
    case 'none':
      return { tone: 'none', label: i18n.t('state.none') };
    case 'refreshing':
      return {
        tone: 'busy',
        label: i18n.t('state.refreshing'),
        ...(state.expiresAt !== undefined && state.expiresAt > now ? left(state.expiresAt) : {}),
      };
    case 'failed': {
      const reason = errorText(i18n, { code: state.code, message: state.reason });
      // Not a failed refresh: MFA Tray's session is valid, but the AWS tools that read the file do not have it.
      if (state.code === 'session-not-in-file' && state.expiresAt !== undefined && state.expiresAt > now) {
        return { tone: 'warn', label: i18n.t('state.notInFile'), reason, ...left(state.expiresAt) };
      }
      const detail =
        state.expiresAt !== undefined && state.expiresAt > now ? i18n.t('state.previousLeft', { left: i18n.formatSpan(state.expiresAt - now) }) : undefined;
      // Not always a refresh that failed (often none was tried): what kept it from the keychain.
      return { tone: 'bad', label: i18n.t(FAILURE_LABELS[failureKind(state.code)]), reason, ...(detail === undefined ? {} : { detail }) };
    }
    default: {
      const derived = deriveState(state.expiresAt, now, expiringWithinMs, lifetimeMs);
      if (derived.kind === 'expired')
        return { tone: 'bad', label: i18n.t('state.expired'), detail: i18n.t('state.expiredAt', { time: i18n.formatMoment(state.expiresAt, now) }) };
      if (derived.kind === 'expiring') return { tone: 'warn', label: i18n.t('state.expiring'), ...left(state.expiresAt) };
      return { tone: 'ok', label: i18n.t('state.valid'), ...left(state.expiresAt) };
    }
  }
}

/**
 * A state's time left and, when it has one, its end: the end in a span of its own that never breaks
 * inside, so that a row with no room for it on its line can drop it whole (a dense row does). The
 * space the language puts before the end (English has one, Japanese none) stays outside the span,
 * where the line may break.
 */
export function stateDetail(view: StateView): Child[] {
  if (view.until === undefined) return [view.detail];
  const [, space, end] = /^(\s*)(.*)$/su.exec(view.until) as unknown as [string, string, string];
  return [view.detail, space, el('span', { className: 'state-until' }, end)];
}

/** The same, as one line of text: for a title, where a dropped end can still be read. */
export function stateDetailText(view: StateView): string {
  return (view.detail ?? '') + (view.until ?? '');
}
