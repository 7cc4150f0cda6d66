/**
 * The code prompt: names the profile and its MFA device, takes the six digits, and closes itself
 * once the new session is written. The profile comes from the query string (`?profile=<name>`).
 */
import type { PromptContext } from '../main/common/bridge';
import type { SessionState } from '../main/common/model';
import { bridge, call } from './lib/bridge';
import { CodeEntry } from './lib/code-entry';
import { el, replaceChildren } from './lib/dom';
import { showError } from './lib/form';
import { identifier } from './lib/identifier';
import { errorText } from './lib/messages';
import { closeWindow, fitWindowToContent, startPage, type PageContext } from './lib/page';
import { describeState, stateDetail } from './lib/session-view';

/** How long the success message stays before the window closes itself. */
const CLOSE_AFTER_SUCCESS_MS = 1500;

const root = document.getElementById('app') as HTMLElement;
const profileName = new URLSearchParams(location.search).get('profile') ?? '';

async function main(): Promise<void> {
  const page = await startPage('prompt.title');
  if (!page) return;
  fitWindowToContent(root);

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      closeWindow();
    }
  });

  const context = await call((b) => b.getPromptContext(profileName));
  if (!context.ok) {
    renderFailure(page, () => errorText(page.i18n, context.error, { name: profileName }));
    page.onLanguageChange(() => renderFailure(page, () => errorText(page.i18n, context.error, { name: profileName })));
    return;
  }
  let state: SessionState = context.value.state;
  let lifetimeMs = context.value.durationSeconds * 1000;
  const cancel = el('button', { className: 'cancel', attrs: { type: 'button' }, on: { click: closeWindow } });
  const entry = new CodeEntry({
    profile: profileName,
    i18n: () => page.i18n,
    hint: 'prompt.hint',
    extra: cancel,
    onRefreshed: () => {
      setTimeout(closeWindow, CLOSE_AFTER_SUCCESS_MS);
    },
  });
  const stateLine = el('dd', { className: 'state-line' });
  const render = (): void => {
    const view = describeState(page.i18n, state, Date.now(), page.settings.notifyBeforeMinutes * 60_000, lifetimeMs);
    replaceChildren(stateLine, el('span', { className: `badge tone-${view.tone}` }, view.label), view.detail ? ' ' : null, ...stateDetail(view));
  };
  renderPrompt(page, context.value, entry, stateLine);
  cancel.textContent = page.i18n.t('common.cancel');
  render();
  entry.focus();

  bridge().on('profiles', (profiles) => {
    const mine = profiles.find((p) => p.name === profileName);
    if (mine) {
      state = mine.state;
      lifetimeMs = mine.durationSeconds * 1000;
      render();
    }
  });
  page.onLanguageChange(() => {
    renderPrompt(page, context.value, entry, stateLine);
    cancel.textContent = page.i18n.t('common.cancel');
    render();
    entry.relabel();
    entry.focus();
  });
  setInterval(render, 30_000);
  // Back to the field whenever the window comes to the front (the tray may reuse it).
  window.addEventListener('focus', () => {
    if (document.activeElement === document.body || document.activeElement === null) entry.focus();
  });
}

function renderPrompt(page: PageContext, context: PromptContext, entry: CodeEntry, stateLine: HTMLElement): void {
  const { i18n } = page;
  replaceChildren(
    root,
    el('header', { className: 'window-header' }, el('h1', {}, i18n.t('prompt.heading'))),
    el(
      'dl',
      { className: 'facts' },
      el('dt', {}, i18n.t('prompt.profile')),
      el('dd', { className: 'profile-name' }, context.profile),
      el('dt', {}, i18n.t('prompt.device')),
      el('dd', { className: 'mono serial' }, identifier(context.mfaSerial)),
      el('dt', {}, i18n.t('prompt.session')),
      stateLine,
    ),
    entry.element,
  );
}

function renderFailure(page: PageContext, message: () => ReturnType<typeof errorText>): void {
  const box = el('p', { className: 'message', attrs: { role: 'alert' } });
  showError(box, message());
  const close = el('button', { attrs: { type: 'button' }, on: { click: closeWindow } }, page.i18n.t('common.close'));
  replaceChildren(
    root,
    el('header', { className: 'window-header' }, el('h1', {}, page.i18n.t('prompt.heading'))),
    el('dl', { className: 'facts' }, el('dt', {}, page.i18n.t('prompt.profile')), el('dd', { className: 'profile-name' }, profileName || '—')),
    box,
    el('div', { className: 'actions' }, close),
  );
  close.focus();
}

void main();
