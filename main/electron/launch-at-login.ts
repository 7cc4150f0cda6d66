/**
 * "Launch at login", through the OS's own mechanism: login items on macOS and Windows
 * (`app.setLoginItemSettings`), an XDG autostart entry on Linux (`~/.config/autostart`), which
 * every freedesktop session (GNOME, KDE, Xfce, ...) honours and Electron does not write itself.
 *
 * The setting in settings.json is the source of truth; the app applies it at start and on every
 * change. Only a packaged app registers itself: an unpackaged `electron app/` would register the
 * bare Electron binary.
 */
import { rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeFolders, PRODUCT_NAME } from '../engine';

/** `app.setLoginItemSettings`, as far as this module uses it. */
export interface LoginItemPort {
  setLoginItemSettings(settings: { readonly openAtLogin: boolean }): void;
}

export interface LaunchAtLoginOptions {
  readonly platform: NodeJS.Platform;
  readonly loginItems: LoginItemPort;
  /** The environment: `XDG_CONFIG_HOME`, `HOME`, and `APPIMAGE` (the AppImage's own path). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The app's executable (`process.execPath`). */
  readonly execPath: string;
}

/** The autostart entry's file name. */
export const AUTOSTART_FILE = 'mfa-tray.desktop';

/** `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`. */
export function autostartDir(env: LaunchAtLoginOptions['env']): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'autostart');
}

/**
 * One argument of a desktop entry's `Exec` key, quoted per the Desktop Entry Specification: inside
 * double quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash; `%` is doubled (field
 * codes); and, the value being a string, each backslash is escaped once more.
 */
export function quoteExecArgument(argument: string): string {
  const quoted = `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/%/g, '%%').replace(/\\/g, '\\\\');
}

/** The autostart entry that starts `exec`. */
export function autostartEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${PRODUCT_NAME}`,
    'Comment=Keeps AWS MFA sessions fresh',
    `Exec=${quoteExecArgument(exec)}`,
    'Icon=mfa-tray',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Registers or unregisters the app to start with the user's session. */
export async function applyLaunchAtLogin(enabled: boolean, options: LaunchAtLoginOptions): Promise<void> {
  if (options.platform === 'darwin' || options.platform === 'win32') {
    options.loginItems.setLoginItemSettings({ openAtLogin: enabled });
    return;
  }
  const dir = autostartDir(options.env);
  const file = join(dir, AUTOSTART_FILE);
  if (!enabled) {
    await rm(file, { force: true });
    return;
  }
  // An AppImage runs from a temporary mount: the entry must start the image file, not the mount.
  const exec = options.env.APPIMAGE || options.execPath;
  await makeFolders(dir, 0o777);
  await writeFile(file, autostartEntry(exec), { mode: 0o644 });
}
