/**
 * "Diagnose": doctor's checks (`diagnose`), one line each with its verdict as a mark and a word (never
 * colour alone), the engine's message and its fix, under a summary line; "Check again" runs them anew.
 * The checks that need attention come first (problems, then warnings), in doctor's order otherwise.
 *
 * In English the messages and fixes are the engine's words, as `mfa-tray doctor` prints them. In
 * Japanese they are worded from what each check found (`words`, lib/diagnosis-ja.ts); where that
 * leaves out specifics (a file's own reason, an engine error's that names a path), the English
 * follows, small and marked `lang="en"`, as a fix no table can word does.
 */
import type { DiagnosisView } from '../../main/common/bridge';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el, replaceChildren } from '../lib/dom';
import { buttonRow, showError, showMessage } from '../lib/form';
import { diagnosisJa } from '../lib/diagnosis-ja';
import type { I18n, MessageKey } from '../lib/i18n';
import { errorText } from '../lib/messages';

export interface DiagnoseDialogOptions {
  readonly i18n: I18n;
}

/** The verdicts' marks and words: the mark is for the eye, the word for everyone. */
const VERDICTS: Readonly<Record<DiagnosisView['verdict'], { readonly mark: string; readonly word: MessageKey; readonly tone: string }>> = {
  pass: { mark: '✓', word: 'diagnose.pass', tone: 'ok' },
  warn: { mark: '!', word: 'diagnose.warn', tone: 'warn' },
  fail: { mark: '✕', word: 'diagnose.fail', tone: 'bad' },
};

/** doctor's check names, as the window calls them (an unknown one shows as the engine names it). */
const CHECK_NAMES: Readonly<Record<string, MessageKey>> = {
  environment: 'check.environment',
  settings: 'check.settings',
  profile: 'check.profile',
  keychain: 'check.keychain',
  key: 'check.key',
  device: 'check.device',
  clock: 'check.clock',
  files: 'check.files',
  credential_process: 'check.credential_process',
  session: 'check.session',
};

/** Opens the dialog and runs the checks. */
export function openDiagnoseDialog(options: DiagnoseDialogOptions): DialogHandle {
  return openDialog({ title: options.i18n.t('diagnose.title'), className: 'diagnose-dialog', content: (handle) => build(options, handle) });
}

function build(options: DiagnoseDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n } = options;
  const t = i18n.t.bind(i18n);
  const summary = el('p', { className: 'message diagnosis-summary', attrs: { 'aria-live': 'polite' } });
  const list = el('ul', { className: 'check-list', attrs: { 'aria-label': t('diagnose.list'), hidden: true } });
  const close = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.close'));
  const again = el('button', { className: 'primary', attrs: { type: 'button' }, on: { click: () => void run() } }, t('diagnose.again'));

  const run = async (): Promise<void> => {
    again.disabled = true;
    showMessage(summary, 'progress', t('diagnose.running'));
    const result = await call((b) => b.diagnose(null));
    again.disabled = false;
    if (!result.ok) {
      list.hidden = true;
      showError(summary, errorText(i18n, result.error));
      return;
    }
    const checks = result.value;
    const attention = checks.filter((c) => c.verdict !== 'pass').length;
    if (attention === 0) {
      showMessage(summary, 'success', t('diagnose.allPass'));
    } else {
      const text = attention === 1 ? t('diagnose.attentionOne') : t('diagnose.attention', { count: attention });
      showError(summary, { text });
      // Warnings alone are not an error: the summary takes their tone.
      if (!checks.some((c) => c.verdict === 'fail')) summary.classList.replace('message-error', 'message-warning');
    }
    // What needs attention first (problems, then warnings), each kind in doctor's order.
    const order = (c: DiagnosisView): number => ['fail', 'warn', 'pass'].indexOf(c.verdict);
    replaceChildren(list, ...[...checks].sort((a, b) => order(a) - order(b)).map((c) => row(i18n, c)));
    list.hidden = false;
  };

  queueMicrotask(() => {
    again.focus();
    void run();
  });
  return [
    el('p', { className: 'intro' }, t('diagnose.intro')),
    el('div', {}, el('div', { className: 'dialog-body' }, summary, list), el('div', { className: 'actions dialog-actions' }, buttonRow(close, again))),
  ];
}

/** One check: its verdict (mark and word), what was checked (and for which profile), the message and the fix. */
function row(i18n: I18n, check: DiagnosisView): HTMLElement {
  const verdict = VERDICTS[check.verdict];
  const nameKey = CHECK_NAMES[check.check];
  const ja = i18n.language === 'ja' ? diagnosisJa(i18n, check.words, check.message) : undefined;
  // The fix in the window's language; else the engine's English one, marked so.
  const fix = ja?.fix !== undefined ? { text: ja.fix } : check.fix === null ? undefined : { text: check.fix, lang: 'en' };
  return el(
    'li',
    { className: `check verdict-${check.verdict}`, attrs: { 'data-check': check.check, 'data-verdict': check.verdict } },
    el(
      'span',
      { className: `verdict tone-${verdict.tone}` },
      el('span', { className: 'verdict-mark', attrs: { 'aria-hidden': 'true' } }, verdict.mark),
      i18n.t(verdict.word),
    ),
    el(
      'div',
      { className: 'check-text' },
      el(
        'p',
        { className: 'check-name' },
        nameKey === undefined ? el('span', { className: 'mono' }, check.check) : i18n.t(nameKey),
        check.profile === null ? null : el('span', { className: 'check-profile mono' }, check.profile),
      ),
      ...(ja === undefined
        ? [el('p', { className: 'check-message', attrs: { lang: 'en' } }, check.message)]
        : [
            el('p', { className: 'check-message' }, ja.message),
            ja.detail === undefined ? null : el('p', { className: 'check-detail', attrs: { lang: 'en' } }, ja.detail),
          ]),
      fix === undefined
        ? null
        : el(
            'p',
            { className: 'check-fix' },
            el('span', { className: 'check-fix-label' }, i18n.t('diagnose.fix')),
            ' ',
            el('span', fix.lang === undefined ? {} : { attrs: { lang: fix.lang } }, fix.text),
          ),
    ),
  );
}
