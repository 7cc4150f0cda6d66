/**
 * Add or edit a profile: every field, the long-lived key (write-only), and the optional TOTP secret
 * (typed, pasted, or read from the QR code image). Every field is checked with the engine's own
 * validators before anything is sent.
 *
 * A user whose only MFA device is a passkey or security key cannot be added with it: the add
 * dialog's device picker then offers to enrol MFA Tray as a new virtual device (the profile is
 * created with it), and the Edit dialog offers the same for an existing profile, after a
 * confirmation. The new device's secret goes to the keychain only, never to the window.
 */
import type { BridgeError, EnrolmentView, KeyForm, ProfileForm, ProfileView } from '../../main/common/bridge';
import { PROFILE_DEFAULTS, type Profile } from '../../main/common/model';
import {
  LIMITS,
  checkAccessKeyId,
  checkDurationSeconds,
  checkPatchedProfile,
  checkProfileInput,
  checkProfileName,
  checkProfilePatch,
  checkRegion,
  checkSecretAccessKey,
  defaultRegionFor,
} from '../../main/common/validation';
import { call } from '../lib/bridge';
import { openDialog, type DialogHandle } from '../lib/dialog';
import { el, replaceChildren } from '../lib/dom';
import { buttonRow, clearMessage, field, secretInput, showError, showIssues, showMessage, textInput, type Field } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { identifier } from '../lib/identifier';
import { errorText, localIssue, type ShownIssue } from '../lib/messages';
import { readQrImage } from '../lib/qr';
import { createDevicePicker } from './device-picker';
import { openEnrolDialog } from './enrol-dialog';

/** The session lengths offered: 1, 8, 12 (the default) and 36 hours. */
export const DURATION_PRESETS: readonly number[] = [3600, 28_800, 43_200, 129_600];

/** The MFA device field's example, in its placeholder and its hint. */
const EXAMPLE_SERIAL = 'arn:aws:iam::123456789012:mfa/alice';

/** Regions offered as suggestions (any region code is accepted). */
const REGION_SUGGESTIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'ap-east-1',
  'me-central-1',
  'af-south-1',
  'cn-north-1',
  'cn-northwest-1',
  'us-gov-west-1',
  'us-gov-east-1',
];

export interface ProfileDialogOptions {
  readonly i18n: I18n;
  /** The profile to edit; undefined to add one. */
  readonly profile?: ProfileView;
  /**
   * After a successful save, or an enrolment of MFA Tray as the profile's device (the list reloads).
   * `forgotSession`: a new key took the place of the old one, whose session was forgotten.
   */
  readonly onSaved: (name: string, added: boolean, enrolment?: EnrolmentView, forgotSession?: boolean) => void;
}

type SecretMode = 'keep' | 'replace' | 'remove';

/** Opens the add/edit dialog. */
export function openProfileDialog(options: ProfileDialogOptions): DialogHandle {
  const { i18n, profile } = options;
  const editing = profile !== undefined;
  return openDialog({
    title: editing ? i18n.t('edit.title', { name: profile.name }) : i18n.t('add.title'),
    className: 'profile-dialog',
    content: (handle) => buildForm(options, handle),
  });
}

function buildForm(options: ProfileDialogOptions, handle: DialogHandle): HTMLElement[] {
  const { i18n, profile } = options;
  const editing = profile !== undefined;
  const t = i18n.t.bind(i18n);

  // ── Name ─────────────────────────────────────────────────────────────────────────────────
  const name = field({
    name: 'name',
    label: t('field.name'),
    control: textInput({ maxlength: LIMITS.nameMaxLength * 2, class: 'mono', required: true }),
    hint: t('hint.name'),
  });

  // ── Long-lived key ─────────────────────────────────────────────────────────────────────
  // Kept, and nothing offered, when the keychain cannot be read (null): whether there is one is not known.
  let keyMode: SecretMode = editing && profile.hasLongLivedKey !== false ? 'keep' : 'replace';
  const accessKeyId = field({
    name: 'accessKeyId',
    label: t('field.accessKeyId'),
    control: textInput({ class: 'mono', maxlength: 128, placeholder: 'AKIA…' }),
  });
  const secretAccessKey = field({
    name: 'secretAccessKey',
    label: t('field.secretAccessKey'),
    control: secretInput({ class: 'mono', maxlength: 256 }),
    hint: t('hint.secretAccessKey'),
  });
  const keyResult = el('p', { className: 'message', attrs: { 'aria-live': 'polite', hidden: true } });
  const verifyKeyButton = el('button', { attrs: { type: 'button' } }, t('key.verify'));
  const keyInputs = el(
    'div',
    { className: 'key-inputs' },
    accessKeyId.row,
    secretAccessKey.row,
    el('div', { className: 'inline-actions' }, verifyKeyButton),
    keyResult,
  );
  const keyStored = el('div', { className: 'stored' });
  const keyFieldset = el('fieldset', {}, el('legend', {}, t('key.legend')), keyStored, keyInputs);

  // ── Profile settings ────────────────────────────────────────────────────────────────────
  // Shown only with the button it names (a typed key: see renderKey).
  const findHint = el('span', { className: 'find-hint' }, t('hint.mfaSerialFind'), ' ');
  const mfaSerial = field({
    name: 'mfaSerial',
    label: t('field.mfaSerial'),
    control: textInput({ class: 'mono', maxlength: 512, placeholder: EXAMPLE_SERIAL }),
    hint: el('span', {}, findHint, ...i18n.parts('hint.mfaSerial', { example: identifier(EXAMPLE_SERIAL) })),
  });
  const durationSelect = el(
    'select',
    {},
    ...DURATION_PRESETS.map((seconds) =>
      el(
        'option',
        { attrs: { value: seconds } },
        seconds === PROFILE_DEFAULTS.durationSeconds ? t('duration.default', { span: i18n.formatSeconds(seconds) }) : i18n.formatSeconds(seconds),
      ),
    ),
    el('option', { attrs: { value: 'custom' } }, t('duration.custom')),
  );
  const duration = field({ name: 'durationPreset', label: t('field.durationSeconds'), control: durationSelect });
  const customHint = el('span', {});
  const customDuration = field({
    name: 'durationSeconds',
    label: t('field.customSeconds'),
    control: textInput({ inputmode: 'numeric', maxlength: 12, class: 'short' }),
    hint: customHint,
  });
  /** The session length chosen: a preset's seconds, or the custom field's text (checked by the caller). */
  const durationValue = (): unknown => (durationSelect.value === 'custom' ? customDuration.control.value : Number(durationSelect.value));
  const regionList = el(
    'datalist',
    { id: `regions-${Math.random().toString(36).slice(2)}` },
    ...REGION_SUGGESTIONS.map((r) => el('option', { attrs: { value: r } })),
  );
  const region = field({
    name: 'region',
    label: t('field.region'),
    control: textInput({ class: 'mono short', maxlength: 64, list: regionList.id }),
    hint: t('hint.region'),
  });
  const targetSection = field({
    name: 'targetSection',
    label: t('field.targetSection'),
    control: textInput({ class: 'mono', maxlength: LIMITS.nameMaxLength * 2 }),
    hint: t('hint.targetSection'),
  });
  const autoRefresh = field({
    name: 'autoRefresh',
    label: t('field.autoRefresh'),
    control: el('input', { attrs: { type: 'checkbox' } }),
    hint: t('hint.autoRefresh'),
  });

  // ── TOTP secret ─────────────────────────────────────────────────────────────────────────
  let totpMode: SecretMode = editing && profile.hasTotpSecret !== false ? 'keep' : 'replace';
  const totpSecret = field({
    name: 'totpSecret',
    label: t('field.totpSecret'),
    control: secretInput({ class: 'mono', maxlength: 2048 }),
    hint: t('hint.totpSecret'),
  });
  // The native file button speaks the browser's language, not the window's: it is hidden (still
  // focusable, and named by the field's label) behind a button of our own.
  const qrInput = el('input', { className: 'file-input', attrs: { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp,image/bmp' } });
  const qrButton = el('span', { className: 'file-button', attrs: { 'aria-hidden': 'true' }, on: { click: () => qrInput.click() } }, t('qr.choose'));
  const qr = field({ name: 'qrImage', label: t('field.qrImage'), control: qrInput, after: qrButton, hint: t('hint.qrImage') });
  const qrResult = el('p', { className: 'message', attrs: { 'aria-live': 'polite', hidden: true } });
  const totpInputs = el('div', { className: 'totp-inputs' }, totpSecret.row, qr.row, qrResult);
  const totpStored = el('div', { className: 'stored' });
  const totpFieldset = el(
    'fieldset',
    { className: 'totp' },
    el('legend', {}, t('totp.legend')),
    el('p', { className: 'warning' }, el('strong', {}, t('totp.riskTitle')), ' ', t('totp.risk')),
    totpStored,
    totpInputs,
  );

  const formError = el('p', { className: 'message form-error', attrs: { role: 'alert', hidden: true } });
  const saveButton = el('button', { className: 'primary', attrs: { type: 'submit' } }, editing ? t('common.save') : t('add.submit'));
  const cancelButton = el('button', { attrs: { type: 'button' }, on: { click: () => handle.close() } }, t('common.cancel'));

  const fields: Field[] = [name, accessKeyId, secretAccessKey, mfaSerial, duration, customDuration, region, targetSection, autoRefresh, totpSecret, qr];

  /** The typed key and region, checked, their issues shown at their fields; undefined when one is refused. */
  const checkedKey = (): { readonly key: KeyForm; readonly region: string | undefined } | undefined => {
    const issues: ShownIssue[] = [];
    const id = checkAccessKeyId(accessKeyId.control.value);
    const secret = checkSecretAccessKey(secretAccessKey.control.value);
    if (!id.ok) issues.push(id.issue);
    if (!secret.ok) issues.push(secret.issue);
    const regionText = region.control.value.trim();
    const checkedRegion = regionText === '' ? undefined : checkRegion(regionText);
    if (checkedRegion && !checkedRegion.ok) issues.push(checkedRegion.issue);
    const first = showIssues(i18n, fields, issues, formError);
    if (first || !id.ok || !secret.ok || (checkedRegion && !checkedRegion.ok)) {
      first?.focus();
      return undefined;
    }
    return { key: { accessKeyId: id.value, secretAccessKey: secret.value }, region: checkedRegion?.value };
  };

  // "Find my MFA devices": the typed key's user's devices (the region from the form when set).
  const picker = createDevicePicker({
    i18n,
    field: mfaSerial,
    fields,
    ready: () => keyMode === 'replace' && accessKeyId.control.value.trim() !== '' && secretAccessKey.control.value.trim() !== '',
    lookup: () => {
      const checked = checkedKey();
      if (checked === undefined) return undefined;
      const sent = { ...checked.key, ...(checked.region === undefined ? {} : { region: checked.region }) };
      return { source: { key: checked.key }, region: checked.region ?? null, sent };
    },
    // A new profile whose user has no device that gives codes: MFA Tray becomes one.
    ...(editing ? {} : { enrol: () => enrolNew() }),
  });
  // An existing profile: "Enrol MFA Tray as an MFA device", after a confirmation (with its stored key).
  const enrolAction =
    editing && profile.hasLongLivedKey
      ? el(
          'div',
          { className: 'enrol-action' },
          el('p', { className: 'hint' }, t('enrol.what')),
          el(
            'div',
            { className: 'inline-actions' },
            el(
              'button',
              {
                className: 'enrol',
                attrs: { type: 'button' },
                on: {
                  click: () =>
                    openEnrolDialog({
                      i18n,
                      profile,
                      onEnrolled: (enrolment) => {
                        handle.close();
                        options.onSaved(profile.name, false, enrolment);
                      },
                    }),
                },
              },
              t('enrol.action'),
            ),
          ),
        )
      : null;
  accessKeyId.control.addEventListener('input', () => picker.reset());
  secretAccessKey.control.addEventListener('input', () => picker.reset());

  // ── Initial values ──────────────────────────────────────────────────────────────────────
  const current: Profile | undefined = profile;
  if (current) {
    name.control.value = current.name;
    name.control.readOnly = true;
    name.row.hidden = true;
    mfaSerial.control.value = current.mfaSerial;
    region.control.value = current.region;
    targetSection.control.value = current.targetSection;
    autoRefresh.control.checked = current.autoRefresh;
  } else {
    autoRefresh.control.checked = PROFILE_DEFAULTS.autoRefresh;
  }
  const initialDuration = current?.durationSeconds ?? PROFILE_DEFAULTS.durationSeconds;
  if (DURATION_PRESETS.includes(initialDuration)) {
    durationSelect.value = String(initialDuration);
  } else {
    durationSelect.value = 'custom';
    customDuration.control.value = String(initialDuration);
  }

  // ── Behaviour ───────────────────────────────────────────────────────────────────────────
  const updateCustom = (): void => {
    customDuration.row.hidden = durationSelect.value !== 'custom';
    const checked = checkDurationSeconds(customDuration.control.value);
    customHint.textContent = checked.ok
      ? t('hint.customSecondsIs', { span: i18n.formatSeconds(checked.value) })
      : t('hint.customSeconds', { min: LIMITS.durationSeconds.min, max: LIMITS.durationSeconds.max });
  };
  durationSelect.addEventListener('change', () => {
    updateCustom();
    if (durationSelect.value === 'custom') customDuration.control.focus();
  });
  customDuration.control.addEventListener('input', updateCustom);
  updateCustom();

  const updatePlaceholders = (): void => {
    const serial = mfaSerial.control.value.trim();
    region.control.placeholder = defaultRegionFor(serial);
    targetSection.control.placeholder = name.control.value || t('hint.targetSectionPlaceholder');
  };
  name.control.addEventListener('input', updatePlaceholders);
  mfaSerial.control.addEventListener('input', updatePlaceholders);
  updatePlaceholders();

  const renderKey = (): void => {
    keyInputs.hidden = keyMode !== 'replace';
    // The devices are looked up with a typed key: the stored one never comes back to the window.
    picker.button.hidden = keyMode !== 'replace';
    findHint.hidden = picker.button.hidden;
    picker.reset();
    if (editing && profile.hasLongLivedKey === null) {
      keyStored.hidden = false;
      replaceChildren(keyStored, el('p', { className: 'stored-note' }, t('key.unknown')));
      return;
    }
    if (!editing || !profile.hasLongLivedKey) {
      keyStored.hidden = true;
      return;
    }
    keyStored.hidden = false;
    if (keyMode === 'keep') {
      replaceChildren(
        keyStored,
        el('p', { className: 'stored-note' }, t('key.stored')),
        el(
          'button',
          {
            attrs: { type: 'button' },
            on: {
              click: () => {
                keyMode = 'replace';
                renderKey();
                accessKeyId.control.focus();
              },
            },
          },
          t('key.replace'),
        ),
      );
    } else {
      replaceChildren(
        keyStored,
        el('p', { className: 'stored-note' }, t('key.replacing')),
        el(
          'button',
          {
            attrs: { type: 'button' },
            on: {
              click: () => {
                keyMode = 'keep';
                accessKeyId.control.value = '';
                secretAccessKey.control.value = '';
                renderKey();
              },
            },
          },
          t('key.keep'),
        ),
      );
    }
  };
  renderKey();

  const renderTotp = (): void => {
    totpInputs.hidden = totpMode !== 'replace';
    if (editing && profile.hasTotpSecret === null) {
      totpStored.hidden = false;
      replaceChildren(totpStored, el('p', { className: 'stored-note' }, t('totp.unknown')));
      return;
    }
    if (!editing || !profile.hasTotpSecret) {
      totpStored.hidden = true;
      return;
    }
    totpStored.hidden = false;
    const keep = el(
      'button',
      {
        attrs: { type: 'button' },
        on: {
          click: () => {
            totpMode = 'keep';
            clearTotp();
            renderTotp();
          },
        },
      },
      t('totp.keep'),
    );
    if (totpMode === 'keep') {
      replaceChildren(
        totpStored,
        el('p', { className: 'stored-note' }, t('totp.stored')),
        el(
          'div',
          { className: 'inline-actions' },
          el(
            'button',
            {
              attrs: { type: 'button' },
              on: {
                click: () => {
                  totpMode = 'replace';
                  renderTotp();
                  totpSecret.control.focus();
                },
              },
            },
            t('totp.replace'),
          ),
          el(
            'button',
            {
              className: 'danger',
              attrs: { type: 'button' },
              on: {
                click: () => {
                  totpMode = 'remove';
                  renderTotp();
                },
              },
            },
            t('totp.remove'),
          ),
        ),
      );
    } else if (totpMode === 'remove') {
      replaceChildren(totpStored, el('p', { className: 'stored-note warning-text' }, t('totp.willRemove')), keep);
      keep.focus();
    } else {
      replaceChildren(totpStored, el('p', { className: 'stored-note' }, t('totp.replacing')), keep);
    }
  };
  const clearTotp = (): void => {
    totpSecret.control.value = '';
    qrInput.value = '';
    clearMessage(qrResult);
  };
  renderTotp();

  qrInput.addEventListener('change', () => {
    const file = qrInput.files?.[0];
    if (!file) return;
    showMessage(qrResult, 'progress', t('qr.reading'));
    void readQrImage(file).then((reading) => {
      // Drop the picked file: the image holds the secret.
      qrInput.value = '';
      if (reading.kind === 'totp') {
        totpSecret.control.value = reading.uri;
        totpSecret.setError(undefined);
        showMessage(qrResult, 'success', t('qr.read', { label: reading.label }));
      } else {
        showError(qrResult, { text: t(reading.kind === 'not-image' ? 'qr.notImage' : reading.kind === 'no-code' ? 'qr.noCode' : 'qr.notTotp') });
      }
    });
  });

  verifyKeyButton.addEventListener('click', () => {
    const checked = checkedKey();
    if (checked === undefined) return;
    const { key } = checked;
    const regionValue = checked.region ?? region.control.placeholder;
    showMessage(keyResult, 'progress', t('verify.checking'));
    verifyKeyButton.disabled = true;
    void call((b) => b.verifyKey(key, regionValue)).then((result) => {
      verifyKeyButton.disabled = false;
      if (result.ok) showMessage(keyResult, 'success', ...i18n.parts('verify.identity', { arn: identifier(result.value.arn), account: result.value.account }));
      else showError(keyResult, errorText(i18n, result.error, { ...key, region: regionValue }));
    });
  });

  /** An engine error at its field when one shows, else under the form. */
  const showFailure = (error: BridgeError, sent: Readonly<Record<string, unknown>>): void => {
    const target = fields.find((f) => f.name === error.field && !f.row.hidden && !f.row.closest('[hidden]'));
    const text = errorText(i18n, error, sent);
    if (target) {
      clearMessage(formError);
      target.setError([text.title, text.text, text.detail].filter(Boolean).join(' '));
      target.control.focus();
    } else {
      showError(formError, text);
      saveButton.focus();
    }
  };

  // ── Enrolling MFA Tray as the device ────────────────────────────────────────────────────
  /** Adds the profile with a new virtual device made here, from the name, key and region typed. */
  const enrolNew = async (): Promise<void> => {
    clearMessage(formError);
    const checked = checkedKey();
    if (checked === undefined) return;
    const checkedName = checkProfileName(name.control.value);
    if (!checkedName.ok) {
      showIssues(i18n, fields, [checkedName.issue], formError)?.focus();
      return;
    }
    // The profile is made with the form's other settings too, checked as Add would check them.
    const targetText = targetSection.control.value;
    const settings = checkProfilePatch(checkedName.value, {
      durationSeconds: durationValue(),
      ...(targetText === '' ? {} : { targetSection: targetText }),
      autoRefresh: autoRefresh.control.checked,
    });
    if (!settings.ok) {
      showIssues(i18n, fields, settings.issues, formError)?.focus();
      return;
    }
    handle.setBusy(true);
    saveButton.disabled = true;
    showMessage(formError, 'progress', t('enrol.enrolling'));
    const { key } = checked;
    const { durationSeconds, targetSection: target, autoRefresh: auto } = settings.value;
    const result = await call((b) =>
      b.enrolDevice(checkedName.value, null, {
        key,
        region: checked.region ?? null,
        durationSeconds: durationSeconds ?? null,
        targetSection: target ?? null,
        autoRefresh: auto ?? null,
      }),
    );
    handle.setBusy(false);
    saveButton.disabled = false;
    if (!result.ok) {
      showFailure(result.error, { name: name.control.value, ...key, region: checked.region ?? '', ...settings.value });
      return;
    }
    accessKeyId.control.value = '';
    secretAccessKey.control.value = '';
    clearTotp();
    handle.close();
    options.onSaved(checkedName.value, true, result.value);
  };

  // ── Saving ──────────────────────────────────────────────────────────────────────────────
  // Once a new key has forgotten the old key's session, the "saved" line says so, even when a later
  // step (the TOTP secret) failed and the save was tried again with the same key.
  let forgotSession = false;
  const submit = async (): Promise<void> => {
    clearMessage(formError);
    const chosenDuration = durationValue();
    const regionText = region.control.value.trim();
    const targetText = targetSection.control.value;
    const issues: ShownIssue[] = [];
    let key: KeyForm | undefined;
    if (keyMode === 'replace') {
      const id = checkAccessKeyId(accessKeyId.control.value);
      const secret = checkSecretAccessKey(secretAccessKey.control.value);
      if (!id.ok) issues.push(id.issue);
      if (!secret.ok) issues.push(secret.issue);
      if (id.ok && secret.ok) key = { accessKeyId: id.value, secretAccessKey: secret.value };
    }
    const totpText = totpSecret.control.value.trim();
    if (editing && profile.hasTotpSecret && totpMode === 'replace' && totpText === '') issues.push(localIssue('totpSecret', t('totp.missing')));

    let profileForm: ProfileForm | undefined;
    let changes: Omit<ProfileForm, 'name'> | undefined;
    if (!current) {
      const checked = checkProfileInput({
        name: name.control.value,
        mfaSerial: mfaSerial.control.value,
        durationSeconds: chosenDuration,
        ...(regionText === '' ? {} : { region: regionText }),
        ...(targetText === '' ? {} : { targetSection: targetText }),
        autoRefresh: autoRefresh.control.checked,
      });
      if (checked.ok) profileForm = checked.value;
      else issues.push(...checked.issues);
    } else {
      const serial = mfaSerial.control.value.trim();
      const patch = {
        mfaSerial: mfaSerial.control.value,
        durationSeconds: chosenDuration,
        region: regionText === '' ? defaultRegionFor(serial) : regionText,
        targetSection: targetText === '' ? current.name : targetText,
        autoRefresh: autoRefresh.control.checked,
      };
      const checked = checkProfilePatch(current.name, patch);
      if (!checked.ok) {
        issues.push(...checked.issues);
      } else {
        const whole = checkPatchedProfile(current, checked.value);
        // The bridge's type wants the MFA serial in every update; it is always part of this form's patch.
        if (whole.ok) changes = { ...checked.value, mfaSerial: whole.value.mfaSerial };
        else issues.push(...whole.issues);
      }
    }
    // The duration's issue belongs to whichever duration control is showing.
    const shown = issues.map((issue) =>
      issue.field === 'durationSeconds' && durationSelect.value !== 'custom' ? { ...issue, field: 'durationPreset' } : issue,
    );
    const first = showIssues(i18n, fields, shown, formError);
    if (shown.length > 0) {
      (first ?? saveButton).focus();
      return;
    }

    handle.setBusy(true);
    saveButton.disabled = true;
    showMessage(formError, 'progress', t('common.saving'));
    const sent = {
      name: name.control.value,
      mfaSerial: mfaSerial.control.value,
      region: regionText,
      targetSection: targetText,
      durationSeconds: chosenDuration,
    };
    const fail = (error: BridgeError): void => {
      handle.setBusy(false);
      saveButton.disabled = false;
      showFailure(error, sent);
    };

    if (profileForm && key) {
      const added = await call((b) => b.addProfile(profileForm, key, totpText === '' ? null : totpText));
      if (!added.ok) return fail(added.error);
    } else if (current && changes) {
      const updated = await call((b) => b.updateProfile(current.name, changes));
      if (!updated.ok) return fail(updated.error);
      if (key) {
        const replaced = await call((b) => b.replaceLongLivedKey(current.name, key));
        if (!replaced.ok) return fail(replaced.error);
        forgotSession ||= replaced.value.forgotSession;
      }
      if (totpMode === 'replace' && totpText !== '') {
        const set = await call((b) => b.setTotpSecret(current.name, totpText));
        if (!set.ok) return fail(set.error);
      } else if (totpMode === 'remove') {
        const removed = await call((b) => b.removeTotpSecret(current.name));
        if (!removed.ok) return fail(removed.error);
      }
    }
    // The secrets leave the page with the dialog.
    accessKeyId.control.value = '';
    secretAccessKey.control.value = '';
    clearTotp();
    handle.setBusy(false);
    handle.close();
    options.onSaved(current?.name ?? profileForm?.name ?? '', !editing, undefined, forgotSession);
  };

  const form = el(
    'form',
    {
      className: 'profile-form',
      attrs: { novalidate: true },
      on: {
        submit: (event) => {
          event.preventDefault();
          void submit();
        },
      },
    },
    el(
      'div',
      { className: 'dialog-body' },
      name.row,
      keyFieldset,
      el(
        'fieldset',
        {},
        el('legend', {}, t('form.settingsLegend')),
        mfaSerial.row,
        enrolAction,
        el('div', { className: 'pair' }, duration.row, customDuration.row),
        region.row,
        regionList,
        targetSection.row,
        autoRefresh.row,
      ),
      totpFieldset,
    ),
    formError,
    el('div', { className: 'actions dialog-actions' }, buttonRow(cancelButton, saveButton)),
  );

  // Focus the first thing to fill in.
  queueMicrotask(() => (editing ? mfaSerial.control : name.control).focus());
  return [form];
}
