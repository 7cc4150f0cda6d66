/**
 * Settings: notice and auto-refresh lead times, clipboard clearing, launch at login, language.
 */
import { LIMITS, checkSettingsPatch } from '../main/common/validation';
import { call } from './lib/bridge';
import { el, replaceChildren } from './lib/dom';
import { buttonRow, clearMessage, field, showError, showIssues, showMessage, textInput, type Field } from './lib/form';
import { I18n } from './lib/i18n';
import { errorText } from './lib/messages';
import { closeWindow, fitWindowToContent, startPage, type PageContext } from './lib/page';

const root = document.getElementById('app') as HTMLElement;

async function main(): Promise<void> {
  const page = await startPage('settings.title');
  if (!page) return;
  fitWindowToContent(root);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      closeWindow();
    }
  });
  page.onLanguageChange(() => renderForm(page, false));
  renderForm(page, true);
}

function renderForm(page: PageContext, initial: boolean): void {
  const { i18n, settings } = page;
  const t = i18n.t.bind(i18n);
  const minutes = (value: number): HTMLInputElement => {
    const input = textInput({ inputmode: 'numeric', maxlength: 6, class: 'short' });
    input.value = String(value);
    return input;
  };
  const notify = field({
    name: 'notifyBeforeMinutes',
    label: t('settings.notify'),
    control: minutes(settings.notifyBeforeMinutes),
    after: t('unit.minutes'),
    hint: t('settings.notifyHint', { min: LIMITS.notifyBeforeMinutes.min, max: LIMITS.notifyBeforeMinutes.max }),
  });
  const autoRefresh = field({
    name: 'autoRefreshBeforeMinutes',
    label: t('settings.autoRefresh'),
    control: minutes(settings.autoRefreshBeforeMinutes),
    after: t('unit.minutes'),
    hint: t('settings.autoRefreshHint', { min: LIMITS.autoRefreshBeforeMinutes.min, max: LIMITS.autoRefreshBeforeMinutes.max }),
  });
  const clipboard = field({
    name: 'clipboardClearSeconds',
    label: t('settings.clipboard'),
    control: minutes(settings.clipboardClearSeconds),
    after: t('unit.seconds'),
    hint: t('settings.clipboardHint', { min: LIMITS.clipboardClearSeconds.min, max: LIMITS.clipboardClearSeconds.max }),
  });
  const launch = field({
    name: 'launchAtLogin',
    label: t('settings.launchAtLogin'),
    control: el('input', { attrs: { type: 'checkbox' } }),
    hint: t('settings.launchAtLoginHint'),
  });
  launch.control.checked = settings.launchAtLogin;
  const system = I18n.for('auto', page.osLocale);
  const languageSelect = el(
    'select',
    {},
    el('option', { attrs: { value: 'auto' } }, t('settings.languageAuto', { language: system.language === 'ja' ? '日本語' : 'English' })),
    el('option', { attrs: { value: 'en', lang: 'en' } }, 'English'),
    el('option', { attrs: { value: 'ja', lang: 'ja' } }, '日本語'),
  );
  languageSelect.value = settings.language;
  const language = field({ name: 'language', label: t('settings.language'), control: languageSelect, hint: t('settings.languageHint') });
  const fields: Field[] = [notify, autoRefresh, clipboard, launch, language];
  const status = el('p', { className: 'message form-status', attrs: { 'aria-live': 'polite', hidden: true } });
  const save = el('button', { className: 'primary', attrs: { type: 'submit' } }, t('common.save'));

  const submit = async (): Promise<void> => {
    clearMessage(status);
    const patch = {
      notifyBeforeMinutes: notify.control.value,
      autoRefreshBeforeMinutes: autoRefresh.control.value,
      clipboardClearSeconds: clipboard.control.value,
      launchAtLogin: launch.control.checked,
      language: languageSelect.value,
    };
    const checked = checkSettingsPatch(patch);
    if (!checked.ok) {
      showIssues(i18n, fields, checked.issues, status)?.focus();
      return;
    }
    for (const f of fields) f.setError(undefined);
    save.disabled = true;
    showMessage(status, 'progress', t('common.saving'));
    const result = await call((b) => b.updateSettings(checked.value));
    save.disabled = false;
    if (!result.ok) {
      const target = fields.find((f) => f.name === result.error.field);
      const text = errorText(i18n, result.error, patch);
      if (target) {
        clearMessage(status);
        target.setError(text.text);
        target.control.focus();
      } else {
        showError(status, text);
      }
      return;
    }
    // A new language renders the page again (here, or already through the settings event): the
    // confirmation goes into the page as it is now, in its language.
    page.setSettings(result.value);
    const live = root.querySelector<HTMLElement>('.form-status');
    if (live) showMessage(live, 'success', page.i18n.t('settings.saved'));
  };

  replaceChildren(
    root,
    el('header', { className: 'window-header' }, el('h1', {}, t('settings.heading'))),
    el(
      'form',
      {
        className: 'settings-form',
        attrs: { novalidate: true },
        on: {
          submit: (event) => {
            event.preventDefault();
            void submit();
          },
        },
      },
      el('fieldset', {}, el('legend', {}, t('settings.sessions')), notify.row, autoRefresh.row),
      el('fieldset', {}, el('legend', {}, t('settings.app')), clipboard.row, launch.row, language.row),
      status,
      el('div', { className: 'actions' }, buttonRow(el('button', { attrs: { type: 'button' }, on: { click: closeWindow } }, t('common.close')), save)),
    ),
  );
  // First the first field; after a change of language, where the user was: on Save.
  (initial ? notify.control : save).focus();
}

void main();
