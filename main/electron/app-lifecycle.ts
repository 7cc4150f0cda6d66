/**
 * What must happen before the app is ready: its name and data folder (the engine's config folder,
 * so that the app and the command share one `settings.json`), its Windows identity (toasts need
 * it), the single-instance lock, and staying alive with no window open (a tray app).
 */
import { PRODUCT_NAME } from '../engine';

/** The app id: electron-builder's `appId`, the Windows AppUserModelID and the macOS bundle id. */
export const APP_ID = 'dev.mfatray.app';

/** Electron's `app`, as far as this module uses it. */
export interface AppPreparationPort {
  setName(name: string): void;
  setPath(name: 'userData', path: string): void;
  setAppUserModelId(id: string): void;
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'window-all-closed', listener: () => void): unknown;
  readonly dock?: { hide(): void } | undefined;
}

export interface PrepareOptions {
  readonly platform: NodeJS.Platform;
  /** The engine's config folder (`configDir()`), which becomes Electron's `userData`. */
  readonly configDir: string;
}

/**
 * Prepares the app. @returns false when another instance runs already: this one quits, and the
 * other gets 'second-instance' (and opens its profile manager).
 */
export function prepareApp(app: AppPreparationPort, options: PrepareOptions): boolean {
  // Before the lock: the lock file lives in userData, and an unpackaged `electron app/` would
  // otherwise name its folder after the root package.json.
  app.setName(PRODUCT_NAME);
  app.setPath('userData', options.configDir);
  if (options.platform === 'win32') app.setAppUserModelId(APP_ID);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  // A tray app lives on with every window closed: listening replaces Electron's default quit.
  app.on('window-all-closed', () => undefined);
  // Tray-only on macOS: the packaged app says so in Info.plist (LSUIElement); this covers `npm start`.
  if (options.platform === 'darwin') app.dock?.hide();
  return true;
}
