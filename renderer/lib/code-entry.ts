/**
 * The code field: one input that takes typing and pasting, sends on the sixth digit or Enter, shows
 * progress, and shows the engine's answer in place. A refused code clears the field and keeps the
 * focus there, ready for the next code.
 *
 * Used by the code prompt and by the profile list's inline "Refresh with a code".
 */
import type { BridgeResult, RefreshOutcome } from '../../main/common/bridge';
import { checkCode } from '../../main/common/validation';
import { call } from './bridge';
import { readCodeEntry } from './code';
import { el, uniqueId } from './dom';
import { buttonRow, clearMessage, showError, showMessage } from './form';
import type { I18n, MessageKey, MessageParams } from './i18n';
import { errorText, issueText } from './messages';

export interface CodeEntryOptions {
  /** The profile to refresh. */
  readonly profile: string;
  /**
   * What a code is sent with (default: `submitCode` for the profile); a role row sends its source's
   * code with `refreshRole`.
   */
  readonly send?: (code: string) => Promise<BridgeResult<RefreshOutcome>>;
  /** The window's current language (it may change while the field is open). */
  readonly i18n: () => I18n;
  /** Called after a successful refresh. */
  readonly onRefreshed?: (outcome: RefreshOutcome) => void;
  /** A smaller layout, for inside a list row. */
  readonly compact?: boolean;
  /** The field's label (default `code.label`). */
  readonly label?: MessageKey;
  /** The hint under the field (default `code.hint`). */
  readonly hint?: MessageKey;
  /** Placeholders of the label and the hint. */
  readonly params?: MessageParams;
  /** A button placed after Refresh (the prompt's Cancel). */
  readonly extra?: HTMLButtonElement;
}

/** The code form. */
export class CodeEntry {
  readonly element: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly #button: HTMLButtonElement;
  readonly #label: HTMLLabelElement;
  readonly #hint: HTMLElement;
  readonly #status: HTMLElement;
  readonly #options: CodeEntryOptions;
  #busy = false;
  #done = false;
  #composing = false;

  constructor(options: CodeEntryOptions) {
    this.#options = options;
    const id = uniqueId('code');
    this.input = el('input', {
      id,
      className: 'code-input',
      attrs: {
        type: 'text',
        name: 'code',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        spellcheck: 'false',
        autocapitalize: 'off',
        'aria-describedby': `${id}-hint ${id}-status`,
      },
      on: {
        input: () => this.#onInput(),
        compositionstart: () => {
          this.#composing = true;
        },
        compositionend: () => {
          this.#composing = false;
          this.#onInput();
        },
      },
    });
    this.#label = el('label', { attrs: { for: id } });
    this.#button = el('button', { className: 'primary', attrs: { type: 'submit' } });
    this.#hint = el('p', { id: `${id}-hint`, className: 'hint' });
    this.#status = el('p', { id: `${id}-status`, className: 'message', attrs: { 'aria-live': 'polite', hidden: true } });
    this.element = el(
      'form',
      {
        className: options.compact ? 'code-form compact' : 'code-form',
        attrs: { novalidate: true },
        on: {
          submit: (event) => {
            event.preventDefault();
            this.#onSubmit();
          },
        },
      },
      el(
        'div',
        { className: 'field' },
        this.#label,
        el('div', { className: 'control-line' }, this.input, options.extra ? buttonRow(this.#button, options.extra) : this.#button),
        this.#hint,
      ),
      this.#status,
    );
    this.relabel();
  }

  /** Sets the texts in the current language. */
  relabel(): void {
    const i18n = this.#options.i18n();
    const { label, hint, params } = this.#options;
    this.#label.textContent = i18n.t(label ?? 'code.label', params);
    this.#button.textContent = i18n.t('code.submit');
    this.#hint.textContent = i18n.t(hint ?? 'code.hint', params);
  }

  focus(): void {
    this.input.focus();
  }

  /** Whether a code is being sent. */
  get busy(): boolean {
    return this.#busy;
  }

  #onInput(): void {
    if (this.#busy || this.#composing) return;
    const entry = readCodeEntry(this.input.value);
    if (entry.text !== this.input.value) this.input.value = entry.text;
    if (entry.issue) {
      showError(this.#status, { text: issueText(this.#options.i18n(), entry.issue) });
      this.input.setAttribute('aria-invalid', 'true');
      return;
    }
    this.input.removeAttribute('aria-invalid');
    if (!this.#done) clearMessage(this.#status);
    if (entry.code !== undefined) void this.#send(entry.code);
  }

  #onSubmit(): void {
    if (this.#busy) return;
    const entry = readCodeEntry(this.input.value);
    if (entry.code !== undefined) {
      void this.#send(entry.code);
      return;
    }
    const checked = checkCode(entry.text);
    const issue = entry.issue ?? (checked.ok ? undefined : checked.issue);
    if (issue) {
      showError(this.#status, { text: issueText(this.#options.i18n(), issue) });
      this.input.setAttribute('aria-invalid', 'true');
    }
    this.input.focus();
  }

  async #send(code: string): Promise<void> {
    const i18n = this.#options.i18n();
    this.#busy = true;
    this.#done = false;
    this.input.readOnly = true;
    this.#button.disabled = true;
    this.element.setAttribute('aria-busy', 'true');
    showMessage(this.#status, 'progress', i18n.t('code.sending'));
    const { send, profile } = this.#options;
    const result = send ? await send(code) : await call((b) => b.submitCode(profile, code));
    this.#busy = false;
    this.input.readOnly = false;
    this.#button.disabled = false;
    this.element.removeAttribute('aria-busy');
    const now = this.#options.i18n();
    if (result.ok) {
      this.#done = true;
      this.input.value = '';
      showMessage(this.#status, 'success', now.t('code.done', { section: result.value.targetSection, time: now.formatMoment(result.value.expiresAt) }));
      this.#options.onRefreshed?.(result.value);
      return;
    }
    // Whatever went wrong, this code is spent or useless: clear it, keep the focus for the next one.
    this.input.value = '';
    this.input.setAttribute('aria-invalid', 'true');
    showError(this.#status, errorText(now, result.error, { code }));
    this.input.focus();
  }
}
