/**
 * "MFA policy": the two policies that make MFA mandatory (`getMfaPolicies`, filled in for the
 * profiles' account), each with its summary, its JSON document to select or copy, what each
 * statement does and its notes, all in the window's language (the engine explains them in both).
 *
 * Copying: through the bridge's copyText (the main process's clipboard: the app's windows are
 * granted no clipboard permission), else Chromium's async clipboard in the click handler; when both
 * are refused, it selects the document so that Ctrl+C copies it, and says so.
 */
import type { MfaPoliciesView } from '../../main/common/bridge';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el, replaceChildren, uniqueId } from '../lib/dom';
import { buttonRow, showError, showMessage } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { errorText } from '../lib/messages';

export interface PolicyDialogOptions {
  readonly i18n: I18n;
}

/** Opens the dialog; the policies come in the window's language. */
export function openPolicyDialog(options: PolicyDialogOptions): DialogHandle {
  return openDialog({ title: options.i18n.t('policy.title'), className: 'policy-dialog', content: (handle) => build(options, handle) });
}

function build(options: PolicyDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n } = options;
  const t = i18n.t.bind(i18n);
  const intro = el('p', { className: 'intro', attrs: { hidden: true } });
  const loading = el('p', { className: 'message' });
  showMessage(loading, 'progress', t('policy.loading'));
  const body = el('div', { className: 'dialog-body' }, loading);
  const close = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.close'));
  queueMicrotask(() => close.focus());

  void call((b) => b.getMfaPolicies(null, i18n.language)).then((result) => {
    if (!result.ok) {
      const box = el('p', { className: 'message', attrs: { role: 'alert' } });
      showError(box, errorText(i18n, result.error));
      replaceChildren(body, box);
      return;
    }
    const view = result.value;
    intro.textContent = view.account === '*' ? t('policy.introAnyAccount') : t('policy.intro', { account: view.account });
    intro.hidden = false;
    replaceChildren(body, ...view.policies.map((policy) => section(i18n, policy)));
  });
  return [intro, el('div', {}, body, el('div', { className: 'actions dialog-actions' }, buttonRow(close)))];
}

function section(i18n: I18n, policy: MfaPoliciesView['policies'][number]): HTMLElement {
  const t = i18n.t.bind(i18n);
  const titleId = uniqueId('policy');
  const json = el(
    'pre',
    {
      className: 'policy-json mono',
      // Focusable: it scrolls, and its text can be selected from the keyboard.
      attrs: { tabindex: 0, 'aria-label': t('policy.document', { title: policy.title }), lang: 'en' },
    },
    policy.json,
  );
  const copied = el('p', { className: 'message copy-status', attrs: { 'aria-live': 'polite', hidden: true } });
  const copy = el(
    'button',
    {
      className: 'copy',
      attrs: { type: 'button', 'aria-describedby': titleId },
      on: { click: () => void copyJson(i18n, policy.json, json, copied) },
    },
    t('policy.copy'),
  );
  return el(
    'section',
    { className: 'mfa-policy', attrs: { 'data-policy': policy.id, 'aria-labelledby': titleId } },
    el('div', { className: 'policy-head' }, el('h3', { id: titleId }, policy.title), copy),
    el('p', { className: 'policy-summary' }, policy.summary),
    json,
    copied,
    el('h4', {}, t('policy.statements')),
    el('dl', { className: 'policy-statements' }, ...policy.statements.flatMap((s) => [el('dt', { className: 'mono' }, s.sid), el('dd', {}, s.explanation)])),
    policy.notes.length === 0 ? null : el('h4', {}, t('policy.notes')),
    policy.notes.length === 0 ? null : el('ul', { className: 'policy-notes' }, ...policy.notes.map((note) => el('li', {}, note))),
  );
}

/** Copies the document (inside the click's user activation); else selects it for Ctrl+C and says so. */
async function copyJson(i18n: I18n, text: string, block: HTMLElement, status: HTMLElement): Promise<void> {
  try {
    const copied = await call((b) => b.copyText(text));
    if (!copied.ok) await navigator.clipboard.writeText(text);
    showMessage(status, 'success', i18n.t('policy.copied'));
  } catch {
    block.focus();
    window.getSelection()?.selectAllChildren(block);
    showMessage(status, 'info', i18n.t('policy.copyFailed'));
  }
}
