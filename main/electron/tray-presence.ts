/**
 * Whether a tray icon can be seen at all. On Linux, Electron's tray icon is a StatusNotifierItem,
 * shown only by a desktop that runs a StatusNotifier watcher (KDE, XFCE and most others do; GNOME
 * only with the AppIndicator extension). Without one the icon never appears and nothing says so:
 * the app opens its profiles window instead (tray-app.ts). Asked on the session bus with GLib's
 * `gdbus` (no D-Bus library for Node is worth a dependency for one call; see also
 * engine/keychain/secret-service-lock.ts). macOS and Windows always have a place for the icon.
 */
import { execFile } from 'node:child_process';

/** The well-known name every StatusNotifier watcher owns (the AppIndicator extension's too). */
export const STATUS_NOTIFIER_WATCHER = 'org.kde.StatusNotifierWatcher';

/** D-Bus answers in milliseconds unless the bus itself is stuck. */
const PROBE_TIMEOUT_MS = 3_000;

/**
 * True when the tray icon can show: not Linux, or a watcher owns its name on the session bus. When
 * the bus cannot be asked (no session bus, no `gdbus`), true: the icon may still show (an XEmbed
 * tray), and a window forced open on every start would be worse than the rare invisible app.
 */
export function trayIconCanShow(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (platform !== 'linux') return Promise.resolve(true);
  const args = [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.DBus',
    '--object-path',
    '/org/freedesktop/DBus',
    '--method',
    'org.freedesktop.DBus.NameHasOwner',
    STATUS_NOTIFIER_WATCHER,
  ];
  return new Promise((resolve) => {
    execFile('gdbus', args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => {
      if (error) resolve(true);
      else resolve(stdout.trim() !== '(false,)');
    });
  });
}
