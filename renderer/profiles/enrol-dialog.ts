/**
 * The confirmation before enrolling MFA Tray as a new virtual MFA device of an existing profile's
 * IAM user (`enrolDevice(name, null, null)`), opened from the Edit dialog. It says what happens and
 * where the secret goes: to the keychain only, never to this window (`mfa-tray enrol` in a
 * terminal shows it once, for a phone app). Cancel has the focus, so Enter alone changes nothing.
 */
import type { EnrolmentView, ProfileView } from '../../main/common/bridge';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el } from '../lib/dom';
import { buttonRow, showError, showMessage } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { errorText } from '../lib/messages';

export interface EnrolDialogOptions {
  readonly i18n: I18n;
  readonly profile: ProfileView;
  /** After the device is enrolled and the profile uses it (this dialog has closed). */
  readonly onEnrolled: (enrolment: EnrolmentView) => void;
}

/** Opens the confirmation. */
export function openEnrolDialog(options: EnrolDialogOptions): DialogHandle {
  const { i18n, profile } = options;
  return openDialog({
    title: i18n.t('enrol.confirmTitle', { name: profile.name }),
    className: 'enrol-dialog',
    content: (handle) => build(options, handle),
  });
}

function build(options: EnrolDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n, profile } = options;
  const t = i18n.t.bind(i18n);
  const message = el('p', { className: 'message form-error', attrs: { role: 'alert', hidden: true } });
  const cancel = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.cancel'));
  const confirm = el('button', { className: 'primary', attrs: { type: 'submit' } }, t('enrol.confirm'));
  const enrol = async (): Promise<void> => {
    handle.setBusy(true);
    confirm.disabled = true;
    cancel.disabled = true;
    showMessage(message, 'progress', t('enrol.enrolling'));
    const result = await call((b) => b.enrolDevice(profile.name, null, null));
    handle.setBusy(false);
    confirm.disabled = false;
    cancel.disabled = false;
    if (result.ok) {
      handle.close();
      options.onEnrolled(result.value);
      return;
    }
    showError(message, errorText(i18n, result.error));
    cancel.focus();
  };
  const form = el(
    'form',
    {
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          void enrol();
        },
      },
    },
    el(
      'div',
      { className: 'dialog-body' },
      el('p', {}, t('enrol.confirmWhat', { name: profile.name })),
      el('p', { className: 'warning' }, t('enrol.sameComputer')),
      el('p', { className: 'hint' }, t('enrol.confirmSecret', { name: profile.name })),
      el('p', { className: 'hint' }, t('enrol.confirmUnsaved')),
    ),
    message,
    el('div', { className: 'actions dialog-actions' }, buttonRow(cancel, confirm)),
  );
  queueMicrotask(() => cancel.focus());
  return [form];
}
