/**
 * Import a long-lived key from a section of the credentials file into the keychain, optionally
 * removing the plaintext key from the file afterwards.
 */
import type { ImportForm } from '../../main/common/bridge';
import { LIMITS, checkMfaSerial, checkProfileName, checkTargetSection } from '../../main/common/validation';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el, replaceChildren } from '../lib/dom';
import { buttonRow, clearMessage, field, showError, showIssues, showMessage, textInput, type Field } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { errorText, localIssue, type ShownIssue } from '../lib/messages';
import { createDevicePicker } from './device-picker';

export interface ImportDialogOptions {
  readonly i18n: I18n;
  /** After a successful import (the list reloads). */
  readonly onImported: (name: string, removedPlaintext: boolean) => void;
}

/** Opens the import dialog; it lists the sections once they are read. */
export function openImportDialog(options: ImportDialogOptions): DialogHandle {
  return openDialog({ title: options.i18n.t('import.title'), className: 'import-dialog', content: (handle) => buildImport(options, handle) });
}

function buildImport(options: ImportDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n } = options;
  const t = i18n.t.bind(i18n);
  const body = el(
    'div',
    { className: 'dialog-body' },
    el('p', { className: 'message message-progress' }, el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }), t('import.loading')),
  );
  const closeButton = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.cancel'));
  const actions = el('div', { className: 'actions dialog-actions' }, buttonRow(closeButton));
  const wrapper = el('div', {}, body, actions);
  queueMicrotask(() => closeButton.focus());

  void call((b) => b.listImportableSections()).then((sections) => {
    if (!sections.ok) {
      const box = el('p', { className: 'message', attrs: { role: 'alert' } });
      showError(box, errorText(i18n, sections.error));
      replaceChildren(body, box);
      return;
    }
    if (sections.value.length === 0) {
      replaceChildren(body, el('p', { className: 'message message-info' }, t('import.none')));
      closeButton.textContent = t('common.close');
      return;
    }
    const form = buildForm(options, handle, sections.value);
    wrapper.replaceChildren(form);
  });
  return [el('p', { className: 'intro' }, t('import.intro')), wrapper];
}

function buildForm(options: ImportDialogOptions, handle: DialogHandle, sections: readonly string[]): HTMLFormElement {
  const { i18n } = options;
  const t = i18n.t.bind(i18n);
  const sectionSelect = el('select', {}, ...sections.map((s) => el('option', { attrs: { value: s } }, `[${s}]`)));
  const fromSection = field({ name: 'fromSection', label: t('field.fromSection'), control: sectionSelect, hint: t('hint.fromSection') });
  const name = field({
    name: 'name',
    label: t('field.name'),
    control: textInput({ class: 'mono', maxlength: LIMITS.nameMaxLength * 2 }),
    hint: t('hint.importName'),
  });
  const mfaSerial = field({
    name: 'mfaSerial',
    label: t('field.mfaSerialOptional'),
    control: textInput({ class: 'mono', maxlength: 512, placeholder: t('import.serialPlaceholder') }),
    hint: t('hint.importSerial'),
  });
  const removePlaintext = field({
    name: 'removePlaintext',
    label: t('field.removePlaintext'),
    control: el('input', { attrs: { type: 'checkbox', checked: true } }),
    hint: t('hint.removePlaintext'),
  });
  const targetSection = field({
    name: 'targetSection',
    label: t('field.targetSectionOptional'),
    control: textInput({ class: 'mono', maxlength: LIMITS.nameMaxLength * 2 }),
    hint: t('hint.importTarget'),
  });
  const fields: Field[] = [fromSection, name, mfaSerial, removePlaintext, targetSection];
  // "Find my MFA devices": the devices of the user whose key the chosen section holds.
  const picker = createDevicePicker({
    i18n,
    field: mfaSerial,
    fields,
    lookup: () => ({ source: { fromSection: sectionSelect.value }, region: null }),
  });
  const formError = el('p', { className: 'message form-error', attrs: { role: 'alert', hidden: true } });
  const submitButton = el('button', { className: 'primary', attrs: { type: 'submit' } }, t('import.submit'));

  // The name follows the section until the user types one.
  let nameEdited = false;
  name.control.value = sections[0] ?? '';
  // The engine's default (Engine.planImport): sessions go to the section named like the profile.
  const effectiveTarget = (): string => targetSection.control.value || name.control.value;
  const updatePlaceholder = (): void => {
    targetSection.control.placeholder = effectiveTarget();
  };
  sectionSelect.addEventListener('change', () => {
    picker.reset();
    if (!nameEdited) name.control.value = sectionSelect.value;
    updatePlaceholder();
  });
  name.control.addEventListener('input', () => {
    nameEdited = true;
    updatePlaceholder();
  });
  removePlaintext.control.addEventListener('change', updatePlaceholder);
  updatePlaceholder();

  const submit = async (): Promise<void> => {
    clearMessage(formError);
    const issues: ShownIssue[] = [];
    const checkedName = checkProfileName(name.control.value);
    if (!checkedName.ok) issues.push(checkedName.issue);
    const serialText = mfaSerial.control.value.trim();
    const checkedSerial = serialText === '' ? undefined : checkMfaSerial(serialText);
    if (checkedSerial && !checkedSerial.ok) issues.push(checkedSerial.issue);
    const targetText = targetSection.control.value;
    const checkedTarget = targetText === '' ? undefined : checkTargetSection(targetText);
    if (checkedTarget && !checkedTarget.ok) issues.push(checkedTarget.issue);
    // The engine's rule, said before asking it: sessions cannot go where the plaintext key stays.
    if (issues.length === 0 && effectiveTarget() === sectionSelect.value && !removePlaintext.control.checked) {
      issues.push(localIssue('targetSection', t('import.targetConflict', { section: sectionSelect.value })));
    }
    const first = showIssues(i18n, fields, issues, formError);
    if (issues.length > 0) {
      (first ?? submitButton).focus();
      return;
    }
    const form: ImportForm = {
      name: checkedName.ok ? checkedName.value : name.control.value,
      fromSection: sectionSelect.value,
      removePlaintext: removePlaintext.control.checked,
      ...(checkedSerial?.ok ? { mfaSerial: checkedSerial.value } : {}),
      ...(checkedTarget?.ok ? { targetSection: checkedTarget.value } : {}),
    };
    handle.setBusy(true);
    submitButton.disabled = true;
    showMessage(formError, 'progress', t('import.importing'));
    const result = await call((b) => b.importProfile(form));
    handle.setBusy(false);
    submitButton.disabled = false;
    if (result.ok) {
      handle.close();
      options.onImported(result.value.name, form.removePlaintext === true);
      return;
    }
    const { error } = result;
    // No file names the device, and IAM gave no single one (several, none, only security keys):
    // said briefly at the field, and the user's devices listed under it, to pick from or with what
    // to do (the list says what the engine's message would: which devices, and why none).
    const undecided = error.code === 'invalid-input' && error.field === 'mfaSerial' && serialText === '';
    const fieldName = error.field === 'section' ? 'fromSection' : error.field;
    const target = fields.find((f) => f.name === fieldName);
    if (undecided) {
      clearMessage(formError);
      await picker.find();
      if (mfaSerial.control.value.trim() === '') mfaSerial.setError(t('import.noSerial', { section: form.fromSection }));
      (mfaSerial.row.querySelector<HTMLInputElement>('.device-list input:not(:disabled)') ?? mfaSerial.control).focus();
    } else if (target) {
      clearMessage(formError);
      const text = errorText(i18n, error, { name: form.name, mfaSerial: serialText, targetSection: targetText });
      target.setError([text.text, text.detail].filter(Boolean).join(' '));
      target.control.focus();
    } else {
      showError(formError, errorText(i18n, error));
      submitButton.focus();
    }
  };

  const form = el(
    'form',
    {
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          void submit();
        },
      },
    },
    el('div', { className: 'dialog-body' }, fromSection.row, name.row, mfaSerial.row, removePlaintext.row, targetSection.row),
    formError,
    el(
      'div',
      { className: 'actions dialog-actions' },
      buttonRow(el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.cancel')), submitButton),
    ),
  );
  queueMicrotask(() => sectionSelect.focus());
  return form;
}
