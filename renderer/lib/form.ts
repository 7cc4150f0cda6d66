/**
 * Form fields with their label, hint and error wired for assistive technology (`for`,
 * `aria-describedby`, `aria-invalid`), and the display of refused fields and errors.
 */
import { el, replaceChildren, uniqueId, type Child } from './dom';
import type { I18n } from './i18n';
import { issueText, type ShownError, type ShownIssue } from './messages';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** One labelled control with its hint and error line. */
export interface Field<C extends Control = Control> {
  /** The machine name issues use (`name`, `mfaSerial`, ...). */
  readonly name: string;
  readonly control: C;
  /** The whole field, to show or hide it. */
  readonly row: HTMLElement;
  /** Shows a message under the control (or clears it with undefined). */
  setError(message: string | undefined): void;
}

export interface FieldOptions<C extends Control> {
  readonly name: string;
  readonly label: string;
  readonly control: C;
  readonly hint?: Child;
  /** Something placed right after the control (a button, a unit). */
  readonly after?: Child;
}

/** A labelled field: label above, control, hint and error below. Checkboxes get their label beside them. */
export function field<C extends Control>(options: FieldOptions<C>): Field<C> {
  const { control } = options;
  control.id ||= uniqueId(`f-${options.name}`);
  control.name ||= options.name;
  const hintId = `${control.id}-hint`;
  const errorId = `${control.id}-error`;
  const error = el('p', { id: errorId, className: 'field-error', attrs: { hidden: true } });
  const hint = options.hint === undefined ? null : el('p', { id: hintId, className: 'hint' }, options.hint);
  control.setAttribute('aria-describedby', [hint ? hintId : '', errorId].filter(Boolean).join(' '));
  const label = el('label', { attrs: { for: control.id } }, options.label);
  const isCheck = control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio');
  const row = isCheck
    ? el('div', { className: 'field check' }, el('div', { className: 'check-line' }, control, label), error, hint)
    : el('div', { className: 'field' }, label, options.after ? el('div', { className: 'control-line' }, control, options.after) : control, error, hint);
  return {
    name: options.name,
    control,
    row,
    setError(message) {
      if (message === undefined) {
        error.hidden = true;
        error.textContent = '';
        control.removeAttribute('aria-invalid');
      } else {
        error.hidden = false;
        error.textContent = message;
        control.setAttribute('aria-invalid', 'true');
      }
    },
  };
}

/**
 * The buttons that end a form (Cancel and the action), side by side at one size: the same height,
 * padding and font, and the width of the widest, so that neither outweighs the other in any
 * language ("キャンセル" is longer than "保存").
 */
export function buttonRow(...buttons: Child[]): HTMLElement {
  return el('div', { className: 'button-row' }, ...buttons);
}

/** A text input with the attributes every secret-free text field here wants. */
export function textInput(attrs: Readonly<Record<string, string | number | boolean | undefined>> = {}): HTMLInputElement {
  return el('input', { attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', ...attrs } });
}

/** A field for a secret: never echoed, never remembered by the browser. */
export function secretInput(attrs: Readonly<Record<string, string | number | boolean | undefined>> = {}): HTMLInputElement {
  return el('input', { attrs: { type: 'password', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', ...attrs } });
}

/**
 * Shows refused fields beside their controls, and those of no visible field in `formError`.
 *
 * @returns the first control with an issue, for focus.
 */
export function showIssues(i18n: I18n, fields: readonly Field[], issues: readonly ShownIssue[], formError: HTMLElement): Control | undefined {
  for (const f of fields) f.setError(undefined);
  const leftover: string[] = [];
  const refused = new Set<Field>();
  for (const issue of issues) {
    const target = fields.find((f) => f.name === issue.field && !f.row.hidden && !f.row.closest('[hidden]'));
    const text = issueText(i18n, issue);
    if (target) {
      target.setError(text);
      refused.add(target);
    } else {
      leftover.push(text);
    }
  }
  if (leftover.length > 0) showError(formError, { text: leftover.join(' ') });
  else clearMessage(formError);
  // The top-most refused field, in the form's order.
  return fields.find((f) => refused.has(f))?.control;
}

/** Renders an error (title, text, detail) into a message element. */
export function showError(target: HTMLElement, shown: ShownError): void {
  target.hidden = false;
  target.className = target.className.replace(/\bmessage-\w+\b/g, '').trim() + ' message-error';
  replaceChildren(
    target,
    shown.title ? el('strong', { className: 'message-title' }, shown.title) : null,
    el('span', { className: 'message-text' }, shown.text),
    shown.detail ? el('span', { className: 'message-detail', attrs: { lang: 'en' } }, shown.detail) : null,
  );
}

/** Renders a neutral, progress or success message. */
export function showMessage(target: HTMLElement, kind: 'info' | 'progress' | 'success', ...content: Child[]): void {
  target.hidden = false;
  target.className = target.className.replace(/\bmessage-\w+\b/g, '').trim() + ` message-${kind}`;
  replaceChildren(target, kind === 'progress' ? el('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }) : null, ...content);
}

/** Empties and hides a message element. */
export function clearMessage(target: HTMLElement): void {
  target.hidden = true;
  target.replaceChildren();
}
