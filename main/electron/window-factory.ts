/**
 * The one secure window factory, and the guards every web contents and the session get (after
 * Electron Fiddle's window setup): context isolation and the sandbox on, Node off, web security on,
 * a strict CSP (set on every response by `app-protocol.ts`), navigation and new windows denied,
 * every permission request denied, no downloads, no network but our own scheme.
 *
 * Electron objects come in through small interfaces (the BrowserWindow class itself is a
 * parameter), so the tests check the exact options every window gets.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { PRODUCT_NAME } from '../engine';
import { APP_SCHEME, type WindowPage } from './app-protocol';
import { PROFILES_MIN_SIZE, WINDOW_SIZES } from '../common/window-sizes';

/** Size (of the page: `useContentSize`, see main/common/window-sizes.ts) and chrome of each window. */
export const WINDOW_SHAPES: Readonly<Record<WindowPage, BrowserWindowConstructorOptions>> = {
  // Small and focused: one field, one button.
  prompt: { ...WINDOW_SIZES.prompt, useContentSize: true, resizable: false, minimizable: false, maximizable: false, fullscreenable: false },
  profiles: { ...WINDOW_SIZES.profiles, minWidth: PROFILES_MIN_SIZE.width, minHeight: PROFILES_MIN_SIZE.height, useContentSize: true, fullscreenable: false },
  settings: { ...WINDOW_SIZES.settings, useContentSize: true, resizable: false, maximizable: false, fullscreenable: false },
};

const TITLES: Readonly<Record<WindowPage, string>> = {
  prompt: 'Enter MFA code',
  profiles: 'Profiles',
  settings: 'Settings',
};

export interface SecureWindowOptions {
  /** Absolute path of the bundled preload (`app/dist/preload.cjs`). */
  readonly preload: string;
  /** DevTools only in development builds. */
  readonly devTools: boolean;
}

/** Creates a window with the only web preferences this app uses. */
export function createSecureWindow<W>(BrowserWindow: new (options: BrowserWindowConstructorOptions) => W, page: WindowPage, options: SecureWindowOptions): W {
  // One literal, so that the security scan (and a reader) sees every preference where it is set.
  return new BrowserWindow({
    ...WINDOW_SHAPES[page],
    title: `${TITLES[page]} — ${PRODUCT_NAME}`,
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      enableWebSQL: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // A middle click would otherwise ask for a new window (denied anyway by the open handler).
      disableBlinkFeatures: 'Auxclick',
      devTools: options.devTools,
    },
  });
}

/** The events the guards listen to; every one is denied. */
export type GuardedEvent = 'will-navigate' | 'will-frame-navigate' | 'will-redirect' | 'will-attach-webview';

/** A web contents as the guards see it. */
export interface WebContentsGuardTarget {
  on(event: GuardedEvent, listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
}

/**
 * Denies every navigation, redirect, webview and new window a page starts. Our pages never
 * navigate: main opens each window on its page, and links to elsewhere have no place in them.
 * Applied to every web contents the app creates (`web-contents-created`), not only our windows'.
 */
export function hardenWebContents(contents: WebContentsGuardTarget): void {
  const deny = (event: { preventDefault(): void }) => event.preventDefault();
  contents.on('will-navigate', deny);
  contents.on('will-frame-navigate', deny);
  contents.on('will-redirect', deny);
  contents.on('will-attach-webview', deny);
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The session as the guards see it. */
export interface SessionGuardTarget {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: () => boolean): void;
  setDevicePermissionHandler(handler: () => boolean): void;
  setDisplayMediaRequestHandler(handler: (request: unknown, callback: (streams: null) => void) => void): void;
  setSpellCheckerEnabled(enabled: boolean): void;
  on(event: 'will-download', listener: (event: { preventDefault(): void }) => void): unknown;
  readonly webRequest: {
    onBeforeRequest(listener: (details: { readonly url: string }, callback: (response: { cancel?: boolean }) => void) => void): void;
  };
}

/** Schemes a page may load from: our own, and the inline kinds the CSP still governs. */
const ALLOWED_SCHEMES = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

/** Whether a request from a page may go out: only to our own scheme (the CSP says the same). */
export function isAllowedRequest(url: string): boolean {
  try {
    return ALLOWED_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Denies every permission (camera, notifications, clipboard reads, ...), device, screen capture and
 * download, turns off the spellchecker (it downloads dictionaries), and cancels any request that
 * is not for the app's own scheme.
 */
export function hardenSession(session: SessionGuardTarget): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback(null));
  session.setSpellCheckerEnabled(false);
  session.on('will-download', (event) => event.preventDefault());
  session.webRequest.onBeforeRequest((details, callback) => callback(isAllowedRequest(details.url) ? {} : { cancel: true }));
}
