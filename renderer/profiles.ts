/**
 * The profile manager: every profile with its session state and time left, kept live from the
 * engine's events, and the ways to add, import, edit, verify, refresh and remove them.
 *
 * Rows are updated in place (never rebuilt) so that an event arriving while the user types a code
 * in a row does not take the focus away.
 */
import type { ProfileView } from '../main/common/bridge';
import { bridge, call } from './lib/bridge';
import { CodeEntry } from './lib/code-entry';
import { dialogOpen } from './lib/dialog';
import { el, replaceChildren, type Child } from './lib/dom';
import { clearMessage, showError, showMessage } from './lib/form';
import { identifier } from './lib/identifier';
import { errorText } from './lib/messages';
import { closeWindow, startPage, type PageContext } from './lib/page';
import { describeState } from './lib/session-view';
import { openImportDialog } from './profiles/import-dialog';
import { openProfileDialog } from './profiles/profile-dialog';
import { openRemoveDialog } from './profiles/remove-dialog';

const root = document.getElementById('app') as HTMLElement;

/** The parts of one row that change. */
interface Row {
  readonly item: HTMLLIElement;
  readonly title: HTMLElement;
  readonly badge: HTMLElement;
  readonly detail: HTMLElement;
  readonly reason: HTMLElement;
  readonly meta: HTMLElement;
  readonly actions: HTMLElement;
  readonly slot: HTMLElement;
  readonly message: HTMLElement;
  view: ProfileView;
  entry?: CodeEntry;
}

/** From this many profiles on, the list uses its dense rows. */
const DENSE_FROM = 6;

let page: PageContext;
let profiles: readonly ProfileView[] = [];
const rows = new Map<string, Row>();
const list = el('ul', { className: 'profile-list', attrs: { 'aria-labelledby': 'profiles-heading', hidden: true } });
const empty = el('p', { className: 'empty', attrs: { hidden: true } });
const status = el('p', { className: 'message page-status', attrs: { 'aria-live': 'polite', hidden: true } });
const header = el('header', { className: 'window-header' });

async function main(): Promise<void> {
  const started = await startPage('profiles.title');
  if (!started) return;
  page = started;
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing && !dialogOpen() && !event.defaultPrevented) {
      event.preventDefault();
      closeWindow();
    }
  });
  replaceChildren(root, header, status, list, empty);
  renderHeader();
  bridge().on('profiles', (next) => update(next));
  page.onLanguageChange(() => {
    renderHeader();
    for (const row of rows.values()) {
      renderRowStatic(row);
      row.entry?.relabel();
    }
    update(profiles);
  });
  setInterval(() => update(profiles), 30_000);
  await reload();
}

async function reload(): Promise<void> {
  const result = await call((b) => b.listProfiles());
  if (result.ok) update(result.value);
  else showError(status, errorText(page.i18n, result.error));
}

function renderHeader(): void {
  const { i18n } = page;
  replaceChildren(
    header,
    el('h1', { id: 'profiles-heading' }, i18n.t('profiles.heading')),
    el(
      'div',
      { className: 'header-actions' },
      el(
        'button',
        {
          attrs: { type: 'button' },
          on: {
            click: () =>
              openImportDialog({
                i18n: page.i18n,
                onImported: (name, removed) => void afterChange(page.i18n.t(removed ? 'status.importedRemoved' : 'status.imported', { name })),
              }),
          },
        },
        i18n.t('profiles.import'),
      ),
      el(
        'button',
        {
          className: 'primary',
          attrs: { type: 'button' },
          on: { click: () => openProfileDialog({ i18n: page.i18n, onSaved: (name) => void afterChange(page.i18n.t('status.added', { name })) }) },
        },
        i18n.t('profiles.add'),
      ),
    ),
  );
  empty.textContent = i18n.t('profiles.empty');
}

async function afterChange(message: string): Promise<void> {
  await reload();
  showMessage(status, 'success', message);
}

/** Brings the rows in line with `next`: adds, updates and removes rows, in the engine's order. */
function update(next: readonly ProfileView[]): void {
  profiles = next;
  const names = new Set(next.map((p) => p.name));
  for (const [name, row] of rows) {
    if (!names.has(name)) {
      row.item.remove();
      rows.delete(name);
    }
  }
  next.forEach((view, index) => {
    let row = rows.get(view.name);
    if (!row) {
      row = createRow(view);
      rows.set(view.name, row);
    }
    row.view = view;
    renderRowState(row);
    // Move a row only when it is out of place: moving a node takes the focus out of it.
    const there = list.children[index];
    if (there !== row.item) list.insertBefore(row.item, there ?? null);
  });
  empty.hidden = next.length > 0;
  list.hidden = next.length === 0;
  // Many profiles: denser rows (one line of details each, without session length and codes, which
  // the Edit dialog shows), so that a long list can be scanned.
  list.classList.toggle('dense', next.length >= DENSE_FROM);
}

function createRow(view: ProfileView): Row {
  const title = el('h2', { className: 'profile-name' }, view.name);
  const badge = el('span', { className: 'badge' });
  const detail = el('span', { className: 'state-detail' });
  const reason = el('p', { className: 'state-reason', attrs: { hidden: true } });
  const meta = el('dl', { className: 'meta' });
  const actions = el('div', { className: 'row-actions', attrs: { role: 'group' } });
  const slot = el('div', { className: 'row-slot' });
  const message = el('p', { className: 'message row-message', attrs: { 'aria-live': 'polite', hidden: true } });
  const item = el(
    'li',
    { className: 'profile', attrs: { 'data-profile': view.name } },
    el('div', { className: 'row-head' }, title, el('span', { className: 'state' }, badge, detail)),
    reason,
    meta,
    actions,
    slot,
    message,
  );
  const row: Row = { item, title, badge, detail, reason, meta, actions, slot, message, view };
  renderRowStatic(row);
  return row;
}

/** The parts of a row that change with the language or the profile's settings. */
function renderRowStatic(row: Row): void {
  const { i18n } = page;
  const { view } = row;
  row.actions.setAttribute('aria-label', i18n.t('row.actionsFor', { name: view.name }));
  replaceChildren(
    row.actions,
    el('button', { className: 'refresh', attrs: { type: 'button' }, on: { click: () => void refresh(row) } }, i18n.t('row.refresh')),
    el('button', { className: 'verify', attrs: { type: 'button' }, on: { click: () => void verify(row) } }, i18n.t('row.verify')),
    el('button', { className: 'edit', attrs: { type: 'button' }, on: { click: () => edit(row) } }, i18n.t('row.edit')),
    el('button', { className: 'remove danger', attrs: { type: 'button' }, on: { click: () => remove(row) } }, i18n.t('row.remove')),
  );
}

function renderRowState(row: Row): void {
  const { i18n } = page;
  const { view } = row;
  const state = describeState(i18n, view.state, Date.now(), page.settings.notifyBeforeMinutes * 60_000, view.durationSeconds * 1000);
  row.badge.className = `badge tone-${state.tone}`;
  row.badge.textContent = state.label;
  row.detail.textContent = state.detail ?? '';
  if (state.reason) {
    row.reason.hidden = false;
    replaceChildren(
      row.reason,
      state.reason.text,
      state.reason.detail ? el('span', { className: 'message-detail', attrs: { lang: 'en' } }, state.reason.detail) : null,
    );
  } else {
    row.reason.hidden = true;
    row.reason.replaceChildren();
  }
  const codes = view.hasTotpSecret ? i18n.t(view.autoRefresh ? 'meta.codesGeneratedAuto' : 'meta.codesGenerated') : i18n.t('meta.codesTyped');
  const pair = (kind: string, term: string, value: Child, className?: string): HTMLElement =>
    el('div', { className: `meta-${kind}` }, el('dt', {}, term), el('dd', className ? { className } : {}, value));
  replaceChildren(
    row.meta,
    // A missing key first: it is what the user must act on (and a dense row shows only its first details).
    view.hasLongLivedKey ? null : pair('key', i18n.t('meta.key'), i18n.t('meta.noKey'), 'warning-text'),
    pair('device', i18n.t('meta.device'), identifier(view.mfaSerial), 'mono serial'),
    pair('target', i18n.t('meta.target'), `[${view.targetSection}]`, 'mono'),
    pair('region', i18n.t('meta.region'), view.region, 'mono'),
    pair('duration', i18n.t('meta.duration'), i18n.formatSeconds(view.durationSeconds)),
    pair('codes', i18n.t('meta.codes'), codes),
  );
}

async function refresh(row: Row): Promise<void> {
  const { i18n } = page;
  const name = row.view.name;
  if (row.view.codeSource === 'person') {
    toggleCodeEntry(row);
    return;
  }
  showMessage(row.message, 'progress', i18n.t('row.refreshing'));
  const result = await call((b) => b.refreshNow(name));
  if (result.ok)
    showMessage(
      row.message,
      'success',
      page.i18n.t('code.done', { section: result.value.targetSection, time: page.i18n.formatMoment(result.value.expiresAt) }),
    );
  else showError(row.message, errorText(page.i18n, result.error));
}

/** Shows (or hides) the row's own code field, for profiles without a TOTP secret. */
function toggleCodeEntry(row: Row): void {
  if (row.entry) {
    closeCodeEntry(row);
    return;
  }
  clearMessage(row.message);
  const entry = new CodeEntry({
    profile: row.view.name,
    i18n: () => page.i18n,
    compact: true,
    onRefreshed: (outcome) => {
      closeCodeEntry(row);
      showMessage(row.message, 'success', page.i18n.t('code.done', { section: outcome.targetSection, time: page.i18n.formatMoment(outcome.expiresAt) }));
    },
  });
  entry.element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      closeCodeEntry(row);
    }
  });
  row.entry = entry;
  row.slot.replaceChildren(entry.element);
  entry.focus();
}

function closeCodeEntry(row: Row): void {
  if (row.entry?.busy) return;
  delete row.entry;
  row.slot.replaceChildren();
  row.actions.querySelector<HTMLButtonElement>('button.refresh')?.focus();
}

async function verify(row: Row): Promise<void> {
  showMessage(row.message, 'progress', page.i18n.t('verify.checking'));
  const result = await call((b) => b.verifyProfile(row.view.name));
  if (result.ok)
    showMessage(row.message, 'success', ...page.i18n.parts('verify.identity', { arn: identifier(result.value.arn), account: result.value.account }));
  else showError(row.message, errorText(page.i18n, result.error));
}

function edit(row: Row): void {
  openProfileDialog({ i18n: page.i18n, profile: row.view, onSaved: (name) => void afterChange(page.i18n.t('status.saved', { name })) });
}

function remove(row: Row): void {
  openRemoveDialog({ i18n: page.i18n, profile: row.view, onRemoved: (name) => void afterChange(page.i18n.t('status.removed', { name })) });
}

void main();
