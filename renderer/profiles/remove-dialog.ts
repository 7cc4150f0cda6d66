/**
 * Remove a profile, after a confirmation that lists exactly what is deleted and what stays.
 */
import type { ProfileView, RemovalView } from '../../main/common/bridge';
import { isKeychainDown } from '../../main/common/errors';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el } from '../lib/dom';
import { buttonRow, field, showError, showMessage } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { errorText } from '../lib/messages';

export interface RemoveDialogOptions {
  readonly i18n: I18n;
  readonly profile: ProfileView;
  /** `removal`: what became of the session in its section (another tool's is left: the status says so). */
  readonly onRemoved: (name: string, removal: RemovalView) => void;
}

/** Opens the confirmation; Cancel has the focus, so Enter alone deletes nothing. */
export function openRemoveDialog(options: RemoveDialogOptions): DialogHandle {
  const { i18n, profile } = options;
  return openDialog({
    title: i18n.t('remove.title', { name: profile.name }),
    className: 'remove-dialog',
    content: (handle) => build(options, handle),
  });
}

function build(options: RemoveDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n, profile } = options;
  const t = i18n.t.bind(i18n);
  const keyItem = el('li', {}, t('remove.key'));
  const totpItem = el('li', { attrs: { hidden: profile.hasTotpSecret === false } }, t('remove.totp'));
  const copies = el('p', { className: 'warning', attrs: { hidden: true } });
  const restoreSection = `${profile.name}-long-term`;
  const restore = field({
    name: 'restoreKey',
    label: t('remove.restore', { section: restoreSection }),
    control: el('input', { attrs: { type: 'checkbox' } }),
    hint: t('remove.restoreHint'),
  });
  restore.row.hidden = true;
  // What would be lost, from the engine (the same answer the command gives): the masked key id and
  // whether another copy exists. Until it arrives the dialog shows the general list.
  void call((b) => b.getRemovalImpact(profile.name)).then((result) => {
    if (!result.ok) {
      // The keychain cannot be read (locked, say): the removal would fail the same way; said before it is asked for.
      if (isKeychainDown(result.error.code)) showError(message, errorText(i18n, result.error));
      return;
    }
    totpItem.hidden = !result.value.hasTotpSecret;
    keyItem.hidden = result.value.maskedKeyId === null;
    if (result.value.maskedKeyId === null) return;
    keyItem.textContent = t('remove.keyMasked', { key: result.value.maskedKeyId });
    copies.textContent =
      result.value.keyCopies.length > 0 ? t('remove.otherCopy', { sections: result.value.keyCopies.map((s) => `[${s}]`).join(', ') }) : t('remove.onlyCopy');
    copies.hidden = false;
    restore.row.hidden = false;
  });
  const deleted = el(
    'ul',
    { className: 'deleted-list' },
    el('li', {}, t('remove.settings')),
    // Not known (the keychain cannot be read): listed, as what the removal would delete if it is there.
    profile.hasLongLivedKey !== false ? keyItem : null,
    totpItem,
    el('li', {}, t('remove.cache')),
  );
  const forget = field({
    name: 'forgetSession',
    label: t('remove.forgetSession', { section: profile.targetSection }),
    control: el('input', { attrs: { type: 'checkbox' } }),
    hint: t('remove.forgetSessionHint', { section: profile.targetSection }),
  });
  const message = el('p', { className: 'message', attrs: { role: 'alert', hidden: true } });
  const cancel = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.cancel'));
  const confirm = el('button', { className: 'danger', attrs: { type: 'submit' } }, t('remove.confirm'));
  const form = el(
    'form',
    {
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          handle.setBusy(true);
          confirm.disabled = true;
          showMessage(message, 'progress', t('remove.removing'));
          void call((b) => b.removeProfile(profile.name, forget.control.checked, restore.control.checked ? restoreSection : null)).then((result) => {
            handle.setBusy(false);
            confirm.disabled = false;
            if (result.ok) {
              handle.close();
              options.onRemoved(profile.name, result.value);
            } else {
              showError(message, errorText(i18n, result.error));
              cancel.focus();
            }
          });
        },
      },
    },
    el(
      'div',
      { className: 'dialog-body' },
      el('p', {}, t('remove.intro')),
      deleted,
      copies,
      restore.row,
      forget.row,
      el('p', { className: 'hint' }, t('remove.staysInAws')),
    ),
    message,
    el('div', { className: 'actions dialog-actions' }, buttonRow(cancel, confirm)),
  );
  queueMicrotask(() => cancel.focus());
  return [form];
}
