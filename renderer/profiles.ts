/**
 * The profile manager: every profile with its session state and time left, kept live from the
 * engine's events, and the ways to add, import, edit, verify, refresh and remove them. The role
 * profiles of the AWS config file are listed under their source profile, each with its own state
 * and Refresh.
 *
 * Rows are updated in place (never rebuilt) so that an event arriving while the user types a code
 * in a row does not take the focus away.
 *
 * On a desktop that shows no tray icon (GNOME without the AppIndicator extension) this window is
 * the app: a notice at the top says why it opened, what closing it does, and offers Quit.
 */
import type { ProfileView, RefreshOutcome, RoleView } from '../main/common/bridge';
import { bridge, call } from './lib/bridge';
import { CodeEntry } from './lib/code-entry';
import { dialogOpen } from './lib/dialog';
import { el, replaceChildren, type Child } from './lib/dom';
import { clearMessage, showError, showMessage } from './lib/form';
import type { MessageKey } from './lib/i18n';
import { identifier } from './lib/identifier';
import { errorText } from './lib/messages';
import { closeWindow, startPage, type PageContext } from './lib/page';
import { describeState, stateDetail, stateDetailText, type StateView } from './lib/session-view';
import { openDiagnoseDialog } from './profiles/diagnose-dialog';
import { openImportDialog } from './profiles/import-dialog';
import { openPolicyDialog } from './profiles/policy-dialog';
import { openProfileDialog, type ProfileDialogOptions } from './profiles/profile-dialog';
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
  /** The role profiles whose source this is, under the row. */
  readonly roleList: HTMLUListElement;
  readonly roles: Map<string, RoleRow>;
  view: ProfileView;
  entry?: CodeEntry;
}

/** A role profile's line under its source's row. */
interface RoleRow {
  readonly item: HTMLLIElement;
  readonly title: HTMLElement;
  readonly badge: HTMLElement;
  readonly detail: HTMLElement;
  readonly reason: HTMLElement;
  readonly meta: HTMLElement;
  readonly actions: HTMLElement;
  readonly slot: HTMLElement;
  readonly message: HTMLElement;
  /** The source profile's name. */
  readonly source: string;
  view: RoleView;
  /** The source's code field, when the source needs a code typed first. */
  entry?: CodeEntry;
}

/** A role assumed with a session lasts at most an hour (AWS's role-chaining limit; the engine's ROLE_CHAIN_MAX_SECONDS). */
const ROLE_MAX_SECONDS = 3600;

/** The words of a profile's code source (the engine's), as it is refreshed by hand and unattended. */
const CODE_WORDS: Readonly<Record<Exclude<ProfileView['codeSource'], 'unknown'>, readonly [MessageKey, MessageKey]>> = {
  totp: ['meta.codesGenerated', 'meta.codesGeneratedAuto'],
  command: ['meta.codesCommand', 'meta.codesCommandAuto'],
  // Never unattended (refreshPlan): a touch may be wanted, and the key is not always plugged in.
  yubikey: ['meta.codesYubikey', 'meta.codesYubikey'],
  person: ['meta.codesTyped', 'meta.codesTyped'],
};

function codeWords(view: ProfileView): MessageKey {
  if (view.codeSource === 'unknown') return view.codeSourceUnreadable === 'keychain' ? 'meta.codesUnknownKeychain' : 'meta.codesUnknownConfig';
  return CODE_WORDS[view.codeSource][view.selfRefreshing ? 1 : 0];
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

/** The no-tray notice: its parts are kept and relabelled, so that a Quit under way keeps its state. */
const noTrayWhy = el('p', { className: 'no-tray-why' });
const noTrayClosing = el('p', { className: 'no-tray-closing' });
const quitButton = el('button', { className: 'quit', attrs: { type: 'button' }, on: { click: () => void quit() } });
const noTray = el(
  'div',
  { className: 'no-tray', attrs: { role: 'note', hidden: true } },
  el('div', { className: 'no-tray-text' }, noTrayWhy, noTrayClosing),
  quitButton,
);

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
  // Asked before anything shows, so that the notice does not push the list down once it is there.
  // Unknown (an error): no notice, as with a tray icon; the list says what went wrong.
  const host = await call((b) => b.getHostState());
  noTray.hidden = !host.ok || host.value.trayIcon;
  replaceChildren(root, noTray, header, status, list, empty);
  renderHeader();
  bridge().on('profiles', (next) => update(next));
  page.onLanguageChange(() => {
    renderHeader();
    for (const row of rows.values()) {
      renderRowStatic(row);
      row.entry?.relabel();
      for (const role of row.roles.values()) {
        renderRoleStatic(role);
        role.entry?.relabel();
      }
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
  noTrayWhy.textContent = i18n.t('noTray.why');
  noTrayClosing.textContent = i18n.t('noTray.closing');
  quitButton.textContent = i18n.t('noTray.quit');
  replaceChildren(
    header,
    el('h1', { id: 'profiles-heading' }, i18n.t('profiles.heading')),
    el(
      'div',
      { className: 'header-actions' },
      el(
        'button',
        { className: 'diagnose', attrs: { type: 'button' }, on: { click: () => openDiagnoseDialog({ i18n: page.i18n }) } },
        i18n.t('profiles.diagnose'),
      ),
      el('button', { className: 'policy', attrs: { type: 'button' }, on: { click: () => openPolicyDialog({ i18n: page.i18n }) } }, i18n.t('profiles.policy')),
      el(
        'button',
        {
          className: 'import',
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
          on: { click: () => openProfileDialog({ i18n: page.i18n, onSaved }) },
        },
        i18n.t('profiles.add'),
      ),
    ),
  );
  empty.textContent = i18n.t('profiles.empty');
}

/** Quits the app; this window goes with it. Only a refusal comes back, and is shown. */
async function quit(): Promise<void> {
  quitButton.disabled = true;
  clearMessage(status);
  const result = await call((b) => b.quitApp());
  if (result.ok) return;
  quitButton.disabled = false;
  quitButton.focus();
  showError(status, errorText(page.i18n, result.error));
}

async function afterChange(...message: Child[]): Promise<void> {
  await reload();
  showMessage(status, 'success', ...message);
}

/** After the add or edit dialog saved, or enrolled MFA Tray as the profile's device. */
const onSaved: ProfileDialogOptions['onSaved'] = (name, added, enrolment, forgotSession) => {
  const { i18n } = page;
  if (enrolment) void afterChange(...i18n.parts(added ? 'status.enrolledAdded' : 'status.enrolled', { name, serial: identifier(enrolment.serialNumber) }));
  else void afterChange(i18n.t(added ? 'status.added' : forgotSession ? 'status.savedForgotSession' : 'status.saved', { name }));
};

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
    updateRoles(row);
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
  const title = el('h2', { className: 'profile-name', attrs: { title: view.name } }, el('span', { className: 'name-text' }, view.name));
  const badge = el('span', { className: 'badge' });
  const detail = el('span', { className: 'state-detail' });
  const reason = el('p', { className: 'state-reason', attrs: { hidden: true } });
  const meta = el('dl', { className: 'meta' });
  const actions = el('div', { className: 'row-actions', attrs: { role: 'group' } });
  const slot = el('div', { className: 'row-slot' });
  const message = el('p', { className: 'message row-message', attrs: { 'aria-live': 'polite', hidden: true } });
  const roleList = el('ul', { className: 'role-list', attrs: { hidden: true } });
  const item = el(
    'li',
    { className: 'profile', attrs: { 'data-profile': view.name } },
    el('div', { className: 'row-head' }, title, el('span', { className: 'state' }, badge, detail)),
    reason,
    meta,
    actions,
    slot,
    message,
    roleList,
  );
  const row: Row = { item, title, badge, detail, reason, meta, actions, slot, message, roleList, roles: new Map(), view };
  renderRowStatic(row);
  return row;
}

/** The parts of a row that change with the language or the profile's settings. */
function renderRowStatic(row: Row): void {
  const { i18n } = page;
  const { view } = row;
  row.actions.setAttribute('aria-label', i18n.t('row.actionsFor', { name: view.name }));
  row.roleList.setAttribute('aria-label', i18n.t('roles.of', { name: view.name }));
  replaceChildren(
    row.actions,
    el('button', { className: 'refresh', attrs: { type: 'button' }, on: { click: () => void refresh(row) } }, i18n.t('row.refresh')),
    el('button', { className: 'verify', attrs: { type: 'button' }, on: { click: () => void verify(row) } }, i18n.t('row.verify')),
    el('button', { className: 'edit', attrs: { type: 'button' }, on: { click: () => edit(row) } }, i18n.t('row.edit')),
    el('button', { className: 'remove danger', attrs: { type: 'button' }, on: { click: () => remove(row) } }, i18n.t('row.remove')),
  );
}

/**
 * A state's badge, time left and reason, into a profile's or a role's row. The reason waits while
 * the row's code field is open: the field says the same failure (seen in review: twice in a row).
 */
function renderState(
  parts: { readonly badge: HTMLElement; readonly detail: HTMLElement; readonly reason: HTMLElement; readonly entry?: CodeEntry },
  state: StateView,
): void {
  parts.badge.className = `badge tone-${state.tone}`;
  parts.badge.textContent = state.label;
  replaceChildren(parts.detail, ...stateDetail(state));
  // The whole text on hover: a dense row drops the end when its line has no room for it.
  if (state.until === undefined) parts.detail.removeAttribute('title');
  else parts.detail.title = stateDetailText(state);
  if (state.reason) {
    parts.reason.hidden = parts.entry !== undefined;
    replaceChildren(
      parts.reason,
      state.reason.text,
      state.reason.detail ? el('span', { className: 'message-detail', attrs: { lang: 'en' } }, state.reason.detail) : null,
    );
  } else {
    parts.reason.hidden = true;
    parts.reason.replaceChildren();
  }
}

/** One detail of a row: a term and its value. */
function pair(kind: string, term: string, value: Child, className?: string): HTMLElement {
  return el('div', { className: `meta-${kind}` }, el('dt', {}, term), el('dd', className ? { className } : {}, value));
}

function renderRowState(row: Row): void {
  const { i18n } = page;
  const { view } = row;
  renderState(row, describeState(i18n, view.state, Date.now(), page.settings.notifyBeforeMinutes * 60_000, view.durationSeconds * 1000));
  const codes = i18n.t(codeWords(view));
  replaceChildren(
    row.meta,
    // A missing key first: it is what the user must act on (and a dense row shows only its first
    // details). Not known (null: the keychain cannot be read, which the row's state says) is not missing.
    view.hasLongLivedKey === false ? pair('key', i18n.t('meta.key'), i18n.t('meta.noKey'), 'warning-text') : null,
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
  // A typed code also when the config file, which may name another source, cannot be read: a typed
  // code needs no config file (with the keychain unreadable, no refresh can work: its error says so).
  if (row.view.codeSource === 'person' || row.view.codeSourceUnreadable === 'config-file') {
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
  mountCodeEntry(row, entry);
}

/** A line that can hold a code field: a profile's row, or a role's. */
interface EntryHolder {
  readonly actions: HTMLElement;
  readonly slot: HTMLElement;
  /** The state's reason: hidden while the field is open, which tells the same (see renderState). */
  readonly reason: HTMLElement;
  entry?: CodeEntry;
}

/** Puts the code field into its line and focuses it; Escape closes it. */
function mountCodeEntry(holder: EntryHolder, entry: CodeEntry): void {
  entry.element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !event.isComposing) {
      event.preventDefault();
      closeCodeEntry(holder);
    }
  });
  holder.entry = entry;
  holder.reason.hidden = true;
  holder.slot.replaceChildren(entry.element);
  entry.focus();
}

/** Closes the line's code field (not while it is sending), focus back on the line's Refresh. */
function closeCodeEntry(holder: EntryHolder): void {
  if (holder.entry?.busy) return;
  delete holder.entry;
  holder.reason.hidden = !holder.reason.hasChildNodes();
  holder.slot.replaceChildren();
  holder.actions.querySelector<HTMLButtonElement>('button.refresh')?.focus();
}

// ── Role profiles ───────────────────────────────────────────────────────────────────────────

/** Brings a profile's role lines in line with its view, in place (as {@link update} does for profiles). */
function updateRoles(row: Row): void {
  const next = row.view.roles;
  const names = new Set(next.map((r) => r.name));
  for (const [name, role] of row.roles) {
    if (!names.has(name)) {
      role.item.remove();
      row.roles.delete(name);
    }
  }
  next.forEach((view, index) => {
    let role = row.roles.get(view.name);
    if (!role) {
      role = createRoleRow(view, row.view.name);
      row.roles.set(view.name, role);
    }
    role.view = view;
    renderRoleState(role);
    const there = row.roleList.children[index];
    if (there !== role.item) row.roleList.insertBefore(role.item, there ?? null);
  });
  row.roleList.hidden = next.length === 0;
}

function createRoleRow(view: RoleView, source: string): RoleRow {
  const title = el('h3', { className: 'profile-name role-name', attrs: { title: view.name } }, el('span', { className: 'name-text' }, view.name));
  const badge = el('span', { className: 'badge' });
  const detail = el('span', { className: 'state-detail' });
  const reason = el('p', { className: 'state-reason', attrs: { hidden: true } });
  const meta = el('dl', { className: 'meta' });
  const actions = el('div', { className: 'row-actions', attrs: { role: 'group' } });
  const slot = el('div', { className: 'row-slot' });
  const message = el('p', { className: 'message row-message', attrs: { 'aria-live': 'polite', hidden: true } });
  const item = el(
    'li',
    { className: 'role', attrs: { 'data-role': view.name } },
    el('div', { className: 'row-head' }, title, el('span', { className: 'state' }, badge, detail)),
    reason,
    meta,
    actions,
    slot,
    message,
  );
  const role: RoleRow = { item, title, badge, detail, reason, meta, actions, slot, message, source, view };
  renderRoleStatic(role);
  return role;
}

function renderRoleStatic(role: RoleRow): void {
  const { i18n } = page;
  role.actions.setAttribute('aria-label', i18n.t('row.actionsFor', { name: role.view.name }));
  replaceChildren(
    role.actions,
    el('button', { className: 'refresh', attrs: { type: 'button' }, on: { click: () => void refreshRole(role) } }, i18n.t('row.refresh')),
  );
}

function renderRoleState(role: RoleRow): void {
  const { i18n } = page;
  const { view } = role;
  renderState(role, describeState(i18n, view.state, Date.now(), page.settings.notifyBeforeMinutes * 60_000, ROLE_MAX_SECONDS * 1000));
  replaceChildren(
    role.meta,
    pair('role', i18n.t('meta.role'), identifier(view.roleArn), 'mono serial'),
    view.askedDurationSeconds === undefined
      ? null
      : pair(
          'chained',
          i18n.t('meta.duration'),
          i18n.t('role.chained', { max: i18n.formatSeconds(ROLE_MAX_SECONDS), asked: i18n.formatSeconds(view.askedDurationSeconds) }),
        ),
  );
}

/**
 * Assumes the role anew. With no code first: the engine uses the source's session, or refreshes
 * the source from its code source. When a person must type the source's code, the row asks for it.
 */
async function refreshRole(role: RoleRow): Promise<void> {
  if (role.entry) {
    closeCodeEntry(role);
    return;
  }
  const { i18n } = page;
  const name = role.view.name;
  showMessage(role.message, 'progress', i18n.t('role.refreshing', { source: role.source }));
  const result = await call((b) => b.refreshRole(name, null));
  if (result.ok) {
    roleRefreshed(role, result.value);
  } else if (result.error.code === 'code-required') {
    openRoleEntry(role);
  } else {
    showError(role.message, errorText(page.i18n, result.error));
  }
}

/** The source's code field in the role's line: the code refreshes the source, then the role is assumed. */
function openRoleEntry(role: RoleRow): void {
  clearMessage(role.message);
  const name = role.view.name;
  const entry = new CodeEntry({
    profile: role.source,
    send: (code) => call((b) => b.refreshRole(name, code)),
    label: 'role.codeLabel',
    hint: 'role.codeHint',
    params: { source: role.source },
    i18n: () => page.i18n,
    compact: true,
    onRefreshed: (outcome) => {
      closeCodeEntry(role);
      roleRefreshed(role, outcome);
    },
  });
  mountCodeEntry(role, entry);
}

function roleRefreshed(role: RoleRow, outcome: RefreshOutcome): void {
  const { i18n } = page;
  showMessage(
    role.message,
    'success',
    i18n.t('code.done', { section: outcome.targetSection, time: i18n.formatMoment(outcome.expiresAt) }),
    outcome.shortenedFrom === undefined
      ? null
      : `${i18n.language === 'ja' ? '' : ' '}${i18n.t('role.shortened', { max: i18n.formatSeconds(ROLE_MAX_SECONDS), asked: i18n.formatSeconds(outcome.shortenedFrom) })}`,
  );
  // A role's new session comes with no event of its own: read the states again.
  void call((b) => b.listProfiles()).then((result) => {
    if (result.ok) update(result.value);
  });
}

async function verify(row: Row): Promise<void> {
  showMessage(row.message, 'progress', page.i18n.t('verify.checking'));
  const result = await call((b) => b.verifyProfile(row.view.name));
  if (result.ok)
    showMessage(row.message, 'success', ...page.i18n.parts('verify.identity', { arn: identifier(result.value.arn), account: result.value.account }));
  else showError(row.message, errorText(page.i18n, result.error));
}

function edit(row: Row): void {
  openProfileDialog({ i18n: page.i18n, profile: row.view, onSaved });
}

function remove(row: Row): void {
  const section = row.view.targetSection;
  openRemoveDialog({
    i18n: page.i18n,
    profile: row.view,
    onRemoved: (name, removal) =>
      void afterChange(
        removal.session !== 'not-ours'
          ? page.i18n.t('status.removed', { name })
          : removal.otherMaskedKeyId === null
            ? page.i18n.t('status.removedOtherSessionLeftUnnamed', { name, section })
            : page.i18n.t('status.removedOtherSessionLeft', { name, section, key: removal.otherMaskedKeyId }),
      ),
  });
}

void main();
