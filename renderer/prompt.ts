/**
 * The code prompt: names the profile and its MFA device, takes the six digits, and closes itself
 * once the new session is written. The profile comes from the query string (`?profile=<name>`).
 */
import type { PromptContext } from '../main/common/bridge';
import { isKeychainDown } from '../main/common/errors';
import type { SessionState } from '../main/common/model';
import { bridge, call } from './lib/bridge';
import { CodeEntry } from './lib/code-entry';
import { el, replaceChildren } from './lib/dom';
import { buttonRow, showError } from './lib/form';
import { identifier } from './lib/identifier';
import { errorText, type ShownError } from './lib/messages';
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

  // What a change of language renders again: the failure, or the prompt once it is open.
  let relabel = (): void => undefined;
  page.onLanguageChange(() => relabel());

  // One request at a time: a Try again drawn anew by a change of language while one is asked must
  // not ask again (seen in review: the prompt could be set up twice).
  let asking = false;
  const open = async (): Promise<void> => {
    if (asking) return;
    asking = true;
    const context = await call((b) => b.getPromptContext(profileName)).finally(() => {
      asking = false;
    });
    if (!context.ok) {
      const { error } = context;
      // A keychain that is locked (or not answering) can be unlocked while the window is open; its
      // message says to try again: the same request, from this button.
      const retry = isKeychainDown(error.code) ? open : undefined;
      relabel = () => renderFailure(page, errorText(page.i18n, error, { name: profileName }), retry);
      relabel();
      return;
    }
    relabel = showPrompt(page, context.value);
  };
  await open();
}

/** Renders the prompt for the profile, and keeps it up to date. @returns what renders it again in a new language. */
function showPrompt(page: PageContext, context: PromptContext): () => void {
  let state: SessionState = context.state;
  let lifetimeMs = context.durationSeconds * 1000;
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
  renderPrompt(page, context, entry, stateLine);
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
  setInterval(render, 30_000);
  // Back to the field whenever the window comes to the front (the tray may reuse it).
  window.addEventListener('focus', () => {
    if (document.activeElement === document.body || document.activeElement === null) entry.focus();
  });
  return () => {
    renderPrompt(page, context, entry, stateLine);
    cancel.textContent = page.i18n.t('common.cancel');
    render();
    entry.relabel();
    entry.focus();
  };
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

/** Says why the prompt cannot open, with Close; and, for a failure the person can fix, Try again (`retry`). */
function renderFailure(page: PageContext, message: ShownError, retry?: () => Promise<void>): void {
  const { i18n } = page;
  const box = el('p', { className: 'message', attrs: { role: 'alert' } });
  showError(box, message);
  const close = el('button', { attrs: { type: 'button' }, on: { click: closeWindow } }, i18n.t('common.close'));
  const again = retry && el('button', { className: 'primary', attrs: { type: 'button' } }, i18n.t('common.tryAgain'));
  again?.addEventListener('click', () => {
    // Asked once: what comes back replaces this view.
    again.disabled = true;
    void retry?.();
  });
  replaceChildren(
    root,
    el('header', { className: 'window-header' }, el('h1', {}, i18n.t('prompt.heading'))),
    el('dl', { className: 'facts' }, el('dt', {}, i18n.t('prompt.profile')), el('dd', { className: 'profile-name' }, profileName || '—')),
    box,
    el('div', { className: 'actions' }, again ? buttonRow(again, close) : close),
  );
  (again ?? close).focus();
}

void main();
