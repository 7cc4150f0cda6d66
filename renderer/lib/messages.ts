/**
 * What the windows say about refused fields and failed operations, in the window's language.
 *
 * English shows the engine's own message (validation.ts and the engine never put a secret in one),
 * except where it names a command-line flag that means nothing in a window. Japanese is built from
 * the stable `rule`/`params` of a field issue or the `code` of an error; where the engine's message
 * holds specifics no table can (a path, a device, seconds to wait), the English original follows as
 * a detail.
 */
import type { BridgeError } from '../../main/common/bridge';
import {
  checkAccessKeyId,
  checkAutoRefreshBeforeMinutes,
  checkClipboardClearSeconds,
  checkCode,
  checkDurationSeconds,
  checkMfaSerial,
  checkNotifyBeforeMinutes,
  checkProfileName,
  checkRegion,
  checkSecretAccessKey,
  checkTargetSection,
  type Checked,
  type FieldIssue,
} from '../../main/common/validation';
import {
  ERRORS_JA,
  FIELD_ALLOWED_JA,
  FIELD_ERRORS_JA,
  FIELD_LABELS_JA,
  RESERVED_OBJECT_MEMBER_JA,
  RULES_JA,
  RULES_WITHOUT_ALLOWED_JA,
} from './engine-messages-ja';
import { interpolate, type I18n, type MessageKey } from './i18n';

/** A refused field as a window shows it; `local` issues are the window's own, already in its language. */
export type ShownIssue = FieldIssue & { readonly local?: true };

/** An issue the window makes itself (not one of validation.ts's), in the window's language. */
export function localIssue(field: string, message: string): ShownIssue {
  return { field, rule: 'required', message, local: true };
}

/** IAM's resource types in an ARN (`…:user/alice`), as the Japanese IAM console names them. */
const RESOURCES_JA: Readonly<Record<string, string>> = {
  user: 'ユーザー',
  role: 'ロール',
  group: 'グループ',
  policy: 'ポリシー',
  'instance-profile': 'インスタンスプロファイル',
};

/** A refused field's message in the window's language. */
export function issueText(i18n: I18n, issue: ShownIssue): string {
  if (issue.local || i18n.language === 'en') return issue.message;
  const label = FIELD_LABELS_JA[issue.field] ?? issue.field;
  const template = RULES_JA[issue.rule];
  if (template === undefined) return issue.message;
  const params: Record<string, string | number> = { label, character: '', actual: '', min: '', max: '', ...issue.params };
  // The code's length counts digits, not characters.
  let text = interpolate(template, params);
  if (issue.field === 'code' && issue.rule === 'length') text = interpolate('{label}が {actual} 桁です。', params);
  if (issue.rule === 'characters' && issue.params?.character === undefined) text = interpolate('{label}に使えない文字が含まれています。', params);
  // A space shown between quotes reads as nothing: said in words.
  if (issue.rule === 'characters' && typeof issue.params?.character === 'string' && /^\s$/u.test(issue.params.character))
    text = interpolate('{label}にスペースは使えません。', params);
  if (issue.rule === 'reserved' && issue.params?.kind === 'object-member') text = RESERVED_OBJECT_MEMBER_JA;
  if (issue.rule === 'not-mfa-device')
    text = interpolate(template, { ...params, resource: RESOURCES_JA[String(issue.params?.resource)] ?? ` ${String(issue.params?.resource ?? '')} ` });
  const allowed = RULES_WITHOUT_ALLOWED_JA.has(issue.rule) ? undefined : FIELD_ALLOWED_JA[issue.field];
  return allowed === undefined ? text : `${text}${allowed}。`;
}

/** An error as shown: an optional short title, the message, and the engine's English words when they add something. */
export interface ShownError {
  readonly title?: string;
  readonly text: string;
  /** The engine's original (English) message, shown small under a Japanese one. */
  readonly detail?: string;
}

/** Codes whose English message names something specific (a path, a device, a wait) worth keeping under a translation. */
const DETAIL_CODES = new Set<string>([
  'not-found',
  'keychain-unavailable',
  'keychain-locked',
  'keychain-timeout',
  'keychain-entry-corrupt',
  'settings-file',
  'credentials-file',
  'session-not-in-file',
  'long-lived-section',
  'lock-timeout',
  'sts-wrong-device',
  'totp-code-refused',
  'sts-denied',
  'sts-unavailable',
  'clock-skew',
  'sts-validation',
  'invalid-totp-secret',
  'code-reused',
  'invalid-input',
  'bad-request',
]);

/** Engine messages that point at the command line; a window says what to do in a window. */
const WINDOW_WORDING: Readonly<Record<string, MessageKey>> = {
  'already-exists': 'error.alreadyExists',
  'no-long-lived-key': 'error.noLongLivedKey',
  'no-session': 'error.noSession',
};

/** A short headline for the errors the code prompt must tell apart at a glance. */
const TITLES: Readonly<Record<string, MessageKey>> = {
  'sts-invalid-code': 'errorTitle.wrongCode',
  'totp-code-refused': 'errorTitle.wrongCode',
  'code-reused': 'errorTitle.codeReused',
  'sts-unavailable': 'errorTitle.network',
  'clock-skew': 'errorTitle.clock',
  'sts-throttled': 'errorTitle.throttled',
  'sts-wrong-device': 'errorTitle.wrongDevice',
  'sts-invalid-key': 'errorTitle.badKey',
  'sts-bad-signature': 'errorTitle.badKey',
  'sts-session-credentials': 'errorTitle.badKey',
  'no-long-lived-key': 'errorTitle.badKey',
  'keychain-unavailable': 'errorTitle.keychain',
  'keychain-locked': 'errorTitle.keychain',
  'keychain-timeout': 'errorTitle.keychain',
};

/** An error from the bridge, or a failed state's code and reason. */
export type ErrorLike = Pick<BridgeError, 'message' | 'field'> & { readonly code: string };

/** Local checks by field, to translate an `invalid-input` the engine reported for a value the window sent. */
const CHECKS: Readonly<Record<string, (value: unknown) => Checked<unknown>>> = {
  name: checkProfileName,
  targetSection: checkTargetSection,
  mfaSerial: checkMfaSerial,
  durationSeconds: checkDurationSeconds,
  region: checkRegion,
  accessKeyId: checkAccessKeyId,
  secretAccessKey: checkSecretAccessKey,
  code: checkCode,
  notifyBeforeMinutes: checkNotifyBeforeMinutes,
  autoRefreshBeforeMinutes: checkAutoRefreshBeforeMinutes,
  clipboardClearSeconds: checkClipboardClearSeconds,
};

/**
 * An engine error in the window's language.
 *
 * @param sent the values the window sent, by field: an `invalid-input` about one of them is
 *   re-checked locally, which yields the rule and params for a translation.
 */
export function errorText(i18n: I18n, error: ErrorLike, sent: Readonly<Record<string, unknown>> = {}): ShownError {
  const titleKey = TITLES[error.code];
  const title = titleKey === undefined ? {} : { title: i18n.t(titleKey) };
  const wording = WINDOW_WORDING[error.code];
  if (wording !== undefined) return { ...title, text: i18n.t(wording) };
  if (i18n.language === 'en') return { ...title, text: error.message };

  if (error.code === 'invalid-input' && error.field !== undefined && Object.hasOwn(sent, error.field)) {
    const check = CHECKS[error.field];
    const checked = check?.(sent[error.field]);
    if (checked && !checked.ok) return { ...title, text: issueText(i18n, checked.issue) };
  }
  const text = FIELD_ERRORS_JA[`${error.code}:${error.field ?? ''}`] ?? (ERRORS_JA as Readonly<Record<string, string>>)[error.code] ?? ERRORS_JA.internal;
  return { ...title, text, ...(DETAIL_CODES.has(error.code) ? { detail: error.message } : {}) };
}
