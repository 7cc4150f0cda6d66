/**
 * The tray menu as data: a pure function of the tray's snapshot and a set of handlers, after
 * Signal's `createTemplate` (app/menu.std.ts). Only the Electron adapter turns it into a `Menu`,
 * so everything the user reads and clicks is tested in plain Node.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ExportFormat } from '../engine/exports';
import { PRODUCT_NAME } from '../engine/paths';
import { currentState, formatClockTime, formatRemaining, inAppWords, truncate, type TimeFormat } from './format';
import type { TrayProfile, TraySnapshot } from './tray-snapshot';
import { isUsable } from '../common/session-state';

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
export const EXPORT_CHOICES: readonly { readonly label: string; readonly format: ExportFormat }[] = [
  { label: 'bash/zsh', format: 'env' },
  { label: 'fish', format: 'fish' },
  { label: 'PowerShell', format: 'powershell' },
  { label: 'cmd', format: 'windows-cmd' },
  { label: '.env file', format: 'env-no-export' },
  { label: 'JSON', format: 'process' },
];

const SEPARATOR: MenuItemModel = { type: 'separator' };
const REASON_MAX = 80;

/** The profile's heading: "work — 11h 42m left, until 05:12". */
export function profileLabel(profile: TrayProfile, snapshot: Pick<TraySnapshot, 'expiringWithinMs'>, options: MenuOptions): string {
  const { now } = options;
  const state = currentState(profile.state, now, snapshot.expiringWithinMs, profile.lifetimeMs);
  const left = (expiresAt: number) => `${formatRemaining(expiresAt - now)} left, until ${formatClockTime(expiresAt, now, options)}`;
  switch (state.kind) {
    case 'none':
      return `${profile.name} — no session`;
    case 'valid':
    case 'expiring':
      return `${profile.name} — ${left(state.expiresAt)}`;
    case 'expired':
      return `${profile.name} — expired at ${formatClockTime(state.expiresAt, now, options)}`;
    case 'refreshing':
      return `${profile.name} — refreshing…`;
    case 'failed':
      return state.expiresAt !== undefined && state.expiresAt > now
        ? `${profile.name} — refresh failed; ${left(state.expiresAt)}`
        : `${profile.name} — refresh failed`;
  }
}

function profileSection(profile: TrayProfile, snapshot: TraySnapshot, handlers: MenuHandlers, options: MenuOptions): MenuItemModel[] {
  const { name } = profile;
  const state = currentState(profile.state, options.now, snapshot.expiringWithinMs, profile.lifetimeMs);
  const refreshing = state.kind === 'refreshing';
  const items: MenuItemModel[] = [{ id: `profile:${name}`, label: profileLabel(profile, snapshot, options), enabled: false }];
  if (state.kind === 'failed') {
    items.push({ id: `profile:${name}:reason`, label: truncate(inAppWords(state.code, state.reason), REASON_MAX), enabled: false });
  }
  items.push(
    { id: `profile:${name}:refresh`, label: 'Refresh now', enabled: !refreshing, click: () => handlers.refresh(name) },
    {
      id: `profile:${name}:copy`,
      label: 'Copy exports',
      type: 'submenu',
      enabled: isUsable(state, options.now),
      submenu: EXPORT_CHOICES.map(({ label, format }) => ({
        id: `profile:${name}:copy:${format}`,
        label,
        click: () => handlers.copyExports(name, format),
      })),
    },
    {
      id: `profile:${name}:forget`,
      label: 'Forget session',
      enabled: !refreshing && state.kind !== 'none' && state.expiresAt !== undefined,
      click: () => handlers.forgetSession(name),
    },
  );
  return items;
}

/** The whole tray menu. */
export function buildTrayMenu(snapshot: TraySnapshot, handlers: MenuHandlers, options: MenuOptions): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  if (snapshot.keychainProblem !== undefined) {
    const { code, message } = snapshot.keychainProblem;
    items.push(
      { id: 'keychain-problem', label: truncate(inAppWords(code, message), REASON_MAX), enabled: false },
      { id: 'keychain-retry', label: 'Try again', click: () => handlers.retryKeychain() },
      SEPARATOR,
    );
  }
  if (snapshot.problem !== undefined) {
    items.push({ id: 'problem', label: truncate(snapshot.problem, REASON_MAX), enabled: false }, SEPARATOR);
  } else if (snapshot.profiles.length === 0) {
    items.push({ id: 'no-profiles', label: 'No profiles yet: add one in Manage profiles…', enabled: false }, SEPARATOR);
  }
  for (const profile of snapshot.profiles) items.push(...profileSection(profile, snapshot, handlers, options), SEPARATOR);
  items.push(
    { id: 'refresh-all', label: 'Refresh all', enabled: snapshot.profiles.length > 0, click: () => handlers.refreshAll() },
    { id: 'manage-profiles', label: 'Manage profiles…', click: () => handlers.manageProfiles() },
    { id: 'settings', label: 'Settings…', click: () => handlers.settings() },
    SEPARATOR,
    {
      id: 'launch-at-login',
      label: 'Launch at login',
      type: 'checkbox',
      checked: snapshot.launchAtLogin,
      click: () => handlers.setLaunchAtLogin(!snapshot.launchAtLogin),
    },
  );
  if (options.offerCommandLineTool) {
    items.push({ id: 'install-cli', label: 'Install command line tool…', click: () => handlers.installCommandLineTool() });
  }
  items.push(
    { id: 'about', label: `About ${PRODUCT_NAME}`, click: () => handlers.about() },
    { id: 'quit', label: `Quit ${PRODUCT_NAME}`, click: () => handlers.quit() },
  );
  return items;
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
