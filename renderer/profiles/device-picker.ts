/**
 * "Find my MFA devices" beside the MFA device field of the add and import dialogs: the IAM user's
 * devices (`listMfaDevices`, `iam:ListMFADevices`) as a list of choices under the field. A device
 * that gives codes can be picked, and the pick fills the field; the only one is filled in at once.
 * Security keys are listed, disabled, with why and what to do instead. Which devices are usable is
 * the engine's word (`usable`), never decided here.
 *
 * When no device gives a code (only security keys, or none at all) and the dialog can enrol, the
 * picker offers to make MFA Tray itself a virtual MFA device of the user (`enrolDevice`), with
 * what that means; the dialog does the enrolment.
 */
import type { BridgeError, MfaDeviceSource, MfaDeviceView } from '../../main/common/bridge';
import { call } from '../lib/bridge';
import { el, replaceChildren, uniqueId } from '../lib/dom';
import { clearMessage, showMessage, type Field } from '../lib/form';
import type { I18n } from '../lib/i18n';
import { identifier } from '../lib/identifier';
import { errorText } from '../lib/messages';

/** Whose devices to list, as the dialog's form says. */
export interface DeviceLookup {
  readonly source: MfaDeviceSource;
  readonly region: string | null;
  /** The values sent, by field, for the translation of a refused one (see `errorText`). */
  readonly sent?: Readonly<Record<string, unknown>>;
}

export interface DevicePickerOptions {
  readonly i18n: I18n;
  /** The MFA device field: the pick fills it, and errors are shown at it. */
  readonly field: Field<HTMLInputElement>;
  /** The dialog's other fields, for an error about one of them (a malformed key, say). */
  readonly fields: readonly Field[];
  /** Whose devices; undefined when the form cannot say (it has then shown why at its fields). */
  readonly lookup: () => DeviceLookup | undefined;
  /** Whether the form has what a lookup needs (the button is disabled until then); default: always. */
  readonly ready?: () => boolean;
  /**
   * Offered when no device gives a code: enrols MFA Tray as a device of the user (the dialog
   * checks its form, calls the bridge and shows the outcome). Without it, nothing is offered.
   */
  readonly enrol?: () => Promise<void>;
}

export interface DevicePicker {
  /** The "Find my MFA devices" button (beside the field's control). */
  readonly button: HTMLButtonElement;
  /** Asks for the devices and shows them (what the button does). */
  find(): Promise<void>;
  /** Forgets the list: the key or the section it came from changed. */
  reset(): void;
}

/** Adds the picker to the field (its button beside the control, its list under it) and returns it. */
export function createDevicePicker(options: DevicePickerOptions): DevicePicker {
  const { i18n, field } = options;
  const t = i18n.t.bind(i18n);
  const status = el('p', { className: 'message device-status', attrs: { 'aria-live': 'polite', hidden: true } });
  const choices = el('div', { className: 'device-choices' });
  const legendId = uniqueId('devices');
  const list = el(
    'fieldset',
    { className: 'device-list', attrs: { hidden: true, 'aria-describedby': `${legendId}-note` } },
    el('legend', { id: legendId }, t('devices.legend')),
    choices,
    el('p', { id: `${legendId}-note`, className: 'hint device-note', attrs: { hidden: true } }, t('devices.securityKeyNote')),
  );
  const enrolButton = el('button', { className: 'enrol', attrs: { type: 'button' }, on: { click: () => void enrol() } }, t('enrol.action'));
  const enrolOffer = el(
    'div',
    { className: 'enrol-offer', attrs: { hidden: true } },
    el('p', { className: 'enrol-what' }, t('enrol.what')),
    el('p', { className: 'hint enrol-secret' }, t('enrol.secret')),
    el('div', { className: 'inline-actions' }, enrolButton),
  );
  const button = el('button', { className: 'find-devices', attrs: { type: 'button' }, on: { click: () => void find() } }, t('devices.find'));
  // The button beside the control, the list right under it (before the field's hint).
  const line = el('div', { className: 'control-line' });
  field.control.replaceWith(line);
  line.append(field.control, button);
  field.row.insertBefore(el('div', { className: 'device-picker' }, status, list, options.enrol ? enrolOffer : null), field.row.querySelector(':scope > .hint'));
  const radioName = uniqueId('mfa-device');
  let generation = 0;
  let busy = false;
  const sync = (): void => {
    button.disabled = busy || !(options.ready?.() ?? true);
  };

  const fill = (serial: string): void => {
    field.control.value = serial;
    field.setError(undefined);
    // The dialog's own listeners (the region's placeholder follows the device's partition).
    field.control.dispatchEvent(new Event('input', { bubbles: true }));
  };

  // Typing in the field keeps the list's choice in step with it.
  field.control.addEventListener('input', () => {
    for (const radio of choices.querySelectorAll<HTMLInputElement>('input[type="radio"]')) radio.checked = radio.value === field.control.value.trim();
  });

  const reset = (): void => {
    generation += 1;
    busy = false;
    sync();
    clearMessage(status);
    list.hidden = true;
    enrolOffer.hidden = true;
    choices.replaceChildren();
  };

  const enrol = async (): Promise<void> => {
    if (!options.enrol) return;
    enrolButton.disabled = true;
    try {
      await options.enrol();
    } finally {
      enrolButton.disabled = false;
    }
  };

  const showFailure = (error: BridgeError, sent: Readonly<Record<string, unknown>>): void => {
    const target = options.fields.find((f) => f.name === error.field && !f.row.hidden && !f.row.closest('[hidden]')) ?? field;
    const text = errorText(i18n, error, sent);
    target.setError([text.title, text.text, text.detail].filter(Boolean).join(' '));
    target.control.focus();
  };

  const render = (devices: readonly MfaDeviceView[]): void => {
    const usable = devices.filter((device) => device.usable);
    const current = field.control.value.trim();
    replaceChildren(choices, ...devices.map((device) => choice(device, current)));
    (list.querySelector('.device-note') as HTMLElement).hidden = !devices.some((device) => device.kind === 'security-key');
    list.hidden = devices.length === 0;
    enrolOffer.hidden = options.enrol === undefined || usable.length > 0;
    const [only] = usable;
    if (devices.length === 0) {
      showMessage(status, 'info', t('devices.none'));
    } else if (only !== undefined && usable.length === 1) {
      fill(only.serialNumber);
      showMessage(status, 'success', t('devices.filledOnly'));
    } else if (usable.length > 1) {
      showMessage(status, 'info', t('devices.pick'));
      (choices.querySelector<HTMLInputElement>('input:checked') ?? choices.querySelector<HTMLInputElement>('input:not(:disabled)'))?.focus();
    } else {
      showMessage(status, 'info', t('devices.noneUsable'));
    }
  };

  const choice = (device: MfaDeviceView, current: string): HTMLElement => {
    const radio = el('input', {
      id: uniqueId('mfa-device'),
      attrs: {
        type: 'radio',
        name: radioName,
        value: device.serialNumber,
        disabled: !device.usable,
        checked: device.usable && device.serialNumber === current,
      },
      on: {
        change: () => {
          if (radio.checked) fill(device.serialNumber);
        },
      },
    });
    const kind = device.kind === 'security-key' ? t('devices.securityKey') : device.kind === 'virtual' ? t('devices.virtual') : t('devices.hardware');
    const facts = [kind, device.usable || device.kind === 'security-key' ? null : t('devices.notUsable')];
    if (device.enabledAt !== undefined) facts.push(t('devices.enabled', { date: i18n.formatDate(device.enabledAt) }));
    return el(
      'div',
      { className: `device check-line${device.usable ? '' : ' device-unusable'}`, attrs: { 'data-kind': device.kind } },
      radio,
      el(
        'label',
        { attrs: { for: radio.id } },
        el('span', { className: 'device-serial mono' }, identifier(device.serialNumber)),
        el('span', { className: 'device-kind' }, facts.filter(Boolean).join(' · ')),
      ),
    );
  };

  const find = async (): Promise<void> => {
    const lookup = options.lookup();
    if (lookup === undefined) return;
    generation += 1;
    const mine = generation;
    field.setError(undefined);
    list.hidden = true;
    enrolOffer.hidden = true;
    busy = true;
    sync();
    showMessage(status, 'progress', t('devices.finding'));
    const result = await call((b) => b.listMfaDevices(lookup.source, lookup.region));
    // A newer lookup, or a changed key or section, made this answer stale.
    if (mine !== generation) return;
    busy = false;
    sync();
    if (result.ok) {
      render(result.value);
      return;
    }
    clearMessage(status);
    showFailure(result.error, lookup.sent ?? {});
  };

  sync();
  return { button, find, reset };
}
