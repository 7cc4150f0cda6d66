/**
 * The tray menu as data: a pure function of the tray's snapshot and a set of handlers, after
 * Signal Desktop's menu template. Only the Electron adapter turns it into a `Menu`,
 * so everything the user reads and clicks is tested in plain Node.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { type ExportFormat, PRODUCT_NAME } from '../engine';
import { REMEDY_WORDS } from '../common/catalog/remedies';
import type { Remedy } from '../common/errors';
import { currentState, formatClockTime, formatRemaining, inAppWords, trayWords, truncate, type TimeFormat } from './format';
import type { TrayProfile, TraySnapshot } from './tray-snapshot';
import { failureKind, isUsable } from '../common/session-state';

/** One menu item, a subset of Electron's `MenuItemConstructorOptions`. */
export interface MenuItemModel {
  /** Stable id for tests and the adapter: `profile:<name>:refresh`, `refresh-all`, ... */
  readonly id?: string;
  readonly type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  readonly label?: string;
  readonly enabled?: boolean;
  readonly checked?: boolean;
  readonly submenu?: readonly MenuItemModel[];
  readonly click?: () => void;
}

/** What the menu's items do. Every handler is fire-and-forget: it reports its own failures. */
export interface MenuHandlers {
  refresh(profile: string): void;
  copyExports(profile: string, format: ExportFormat): void;
  forgetSession(profile: string): void;
  refreshAll(): void;
  /** "Try again" when the keychain could not be read: start keeping sessions fresh now. */
  retryKeychain(): void;
  /** Does what a failure's remedy says (refresh, open the profile window, try the keychain again). */
  remedy(remedy: Remedy): void;
  manageProfiles(): void;
  settings(): void;
  setLaunchAtLogin(enabled: boolean): void;
  installCommandLineTool(): void;
  about(): void;
  quit(): void;
}

export interface MenuOptions extends TimeFormat {
  readonly now: number;
  /** Whether to offer "Install command line tool…" (a packaged app on macOS or Linux). */
  readonly offerCommandLineTool: boolean;
}

/**
 * The "Copy exports ▸" choices, in menu order: the shells of `aws configure export-credentials`, a
 * .env file, and `credential_process` JSON.
 */
export const EXPORT_CHOICES: readonly { readonly label: string | undefined; readonly format: ExportFormat }[] = [
  { label: 'bash/zsh', format: 'env' },
  { label: 'fish', format: 'fish' },
  { label: 'PowerShell', format: 'powershell' },
  { label: 'cmd', format: 'windows-cmd' },
  // Words, not a name: from the catalog.
  { label: undefined, format: 'env-no-export' },
  { label: 'JSON', format: 'process' },
];

const SEPARATOR: MenuItemModel = { type: 'separator' };
const REASON_MAX = 80;

/** The profile's heading: "work — 11h 42m left, until 05:12". */
export function profileLabel(profile: TrayProfile, snapshot: Pick<TraySnapshot, 'expiringWithinMs'>, options: MenuOptions): string {
  const { now } = options;
  const words = trayWords(options).menu;
  const state = currentState(profile.state, now, snapshot.expiringWithinMs, profile.lifetimeMs);
  const name = profile.roleOf === undefined ? profile.name : words.role(profile.name, profile.roleOf);
  const left = (expiresAt: number) => words.left(formatRemaining(expiresAt - now, options.language), formatClockTime(expiresAt, now, options));
  switch (state.kind) {
    case 'none':
      return `${name} — ${words.noSession}`;
    case 'valid':
    case 'expiring':
      return `${name} — ${left(state.expiresAt)}`;
    case 'expired':
      return `${name} — ${words.expiredAt(formatClockTime(state.expiresAt, now, options))}`;
    case 'refreshing':
      return `${name} — ${words.refreshing}`;
    case 'failed': {
      const kind = failureKind(state.code);
      if (state.expiresAt === undefined || state.expiresAt <= now) return `${name} — ${words.failed[kind]}`;
      return `${name} — ${words.failedLeft(kind, left(state.expiresAt))}`;
    }
  }
}

function profileSection(profile: TrayProfile, snapshot: TraySnapshot, handlers: MenuHandlers, options: MenuOptions): MenuItemModel[] {
  const { name } = profile;
  const state = currentState(profile.state, options.now, snapshot.expiringWithinMs, profile.lifetimeMs);
  const refreshing = state.kind === 'refreshing';
  const words = trayWords(options).menu;
  const language = options.language ?? 'en';
  const items: MenuItemModel[] = [{ id: `profile:${name}`, label: profileLabel(profile, snapshot, options), enabled: false }];
  if (state.kind === 'failed') {
    items.push({ id: `profile:${name}:reason`, label: truncate(inAppWords(state.code, state.reason, language), REASON_MAX), enabled: false });
    // The error's remedies, as items that do them; "Refresh now" follows anyway.
    for (const remedy of state.remedies ?? []) {
      if (remedy.action === 'refresh' || remedy.action === 'refresh-with-code') continue;
      items.push({ id: `profile:${name}:remedy:${remedy.action}`, label: REMEDY_WORDS[language][remedy.action].label, click: () => handlers.remedy(remedy) });
    }
  }
  items.push(
    { id: `profile:${name}:refresh`, label: words.refreshNow, enabled: !refreshing, click: () => handlers.refresh(name) },
    {
      id: `profile:${name}:copy`,
      label: words.copyExports,
      type: 'submenu',
      enabled: isUsable(state, options.now),
      submenu: EXPORT_CHOICES.map(({ label, format }) => ({
        id: `profile:${name}:copy:${format}`,
        label: label ?? words.envFile,
        click: () => handlers.copyExports(name, format),
      })),
    },
  );
  // A role's session is re-assumed from its source's; forgetting is the source's business.
  if (profile.roleOf === undefined) {
    items.push({
      id: `profile:${name}:forget`,
      label: words.forgetSession,
      enabled: !refreshing && state.kind !== 'none' && state.expiresAt !== undefined,
      click: () => handlers.forgetSession(name),
    });
  }
  return items;
}

/** The whole tray menu. */
export function buildTrayMenu(snapshot: TraySnapshot, handlers: MenuHandlers, options: MenuOptions): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  const words = trayWords(options).menu;
  const language = options.language ?? 'en';
  if (snapshot.keychainProblem !== undefined) {
    const { code, message } = snapshot.keychainProblem;
    items.push(
      { id: 'keychain-problem', label: truncate(inAppWords(code, message, language), REASON_MAX), enabled: false },
      { id: 'keychain-retry', label: REMEDY_WORDS[language]['unlock-keychain'].label, click: () => handlers.retryKeychain() },
      SEPARATOR,
    );
  }
  if (snapshot.problem !== undefined) {
    items.push({ id: 'problem', label: truncate(snapshot.problem, REASON_MAX), enabled: false }, SEPARATOR);
  } else if (snapshot.profiles.length === 0) {
    items.push({ id: 'no-profiles', label: words.noProfiles, enabled: false }, SEPARATOR);
  }
  for (const profile of snapshot.profiles) items.push(...profileSection(profile, snapshot, handlers, options), SEPARATOR);
  items.push(
    { id: 'refresh-all', label: words.refreshAll, enabled: snapshot.profiles.length > 0, click: () => handlers.refreshAll() },
    { id: 'manage-profiles', label: words.manageProfiles, click: () => handlers.manageProfiles() },
    { id: 'settings', label: words.settings, click: () => handlers.settings() },
    SEPARATOR,
    {
      id: 'launch-at-login',
      label: words.launchAtLogin,
      type: 'checkbox',
      checked: snapshot.launchAtLogin,
      click: () => handlers.setLaunchAtLogin(!snapshot.launchAtLogin),
    },
  );
  if (options.offerCommandLineTool) {
    items.push({ id: 'install-cli', label: words.installCommandLineTool, click: () => handlers.installCommandLineTool() });
  }
  items.push(
    { id: 'about', label: words.about(PRODUCT_NAME), click: () => handlers.about() },
    { id: 'quit', label: words.quit(PRODUCT_NAME), click: () => handlers.quit() },
  );
  return items;
}

/**
 * The menu while the engine starts, before its first snapshot: it exists at once (a keychain prompt
 * may hold the start up for as long as the person takes), and Quit works.
 */
export function buildLoadingMenu(handlers: MenuHandlers, options: MenuOptions): MenuItemModel[] {
  const words = trayWords(options).menu;
  return [{ id: 'loading', label: words.loading, enabled: false }, SEPARATOR, { id: 'quit', label: words.quit(PRODUCT_NAME), click: () => handlers.quit() }];
}

/** The model as Electron's template (the one step between data and `Menu.buildFromTemplate`). */
export function toMenuTemplate(items: readonly MenuItemModel[]): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const { click, submenu, ...rest } = item;
    return {
      ...rest,
      ...(click ? { click: () => click() } : {}),
      ...(submenu ? { submenu: toMenuTemplate(submenu) } : {}),
    };
  });
}
