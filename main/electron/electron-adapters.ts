/**
 * The real Electron objects behind the ports the services take. Each adapter is a few lines of
 * plumbing with no decisions in it; the decisions live in the services, which are tested with
 * fakes of these ports. `tsc` checks these against Electron's own type definitions.
 */
import { BrowserWindow as ElectronBrowserWindow, Menu, Notification, Tray, nativeImage, screen, type App, type NativeImage, type WebContents } from 'electron';
import type { WindowPage } from './app-protocol';
import { toMenuTemplate } from './menu-model';
import type { NotificationFactory } from './notification-service';
import { trayIconFile } from './tray-icons';
import { TRAY_LOOKS, type TrayLook } from './tray-look';
import type { TrayPort } from './tray-service';
import { createSecureWindow, type GuardedEvent, type WebContentsGuardTarget } from './window-factory';
import { fittedContentHeight } from '../common/window-sizes';
import type { AppWindow, WindowOpener } from './window-registry';

/** The tray icon, with an image per look. */
export function createElectronTray(options: { readonly trayDir: string; readonly platform: NodeJS.Platform }): {
  readonly tray: Tray;
  readonly port: TrayPort;
} {
  const images = Object.fromEntries(
    TRAY_LOOKS.map((look) => [look, nativeImage.createFromPath(trayIconFile(options.trayDir, options.platform, look))]),
  ) as Record<TrayLook, NativeImage>;
  if (options.platform === 'darwin') for (const image of Object.values(images)) image.setTemplateImage(true);
  const tray = new Tray(images.ok);
  // Windows opens a tray icon's menu on right click only; users click it with the left button too.
  if (options.platform === 'win32') tray.on('click', () => tray.popUpContextMenu());
  return {
    tray,
    port: {
      setLook: (look) => tray.setImage(images[look]),
      setToolTip: (text) => tray.setToolTip(text),
      // macOS only (Electron ignores it elsewhere).
      setTitle: (text) => tray.setTitle(text),
      setMenu: (items) => tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(items))),
    },
  };
}

/** OS notifications. */
export const electronNotifications: NotificationFactory = {
  isSupported: () => Notification.isSupported(),
  create: (content, events) => {
    const notification = new Notification({ title: content.title, body: content.body });
    notification.on('click', events.onClick);
    notification.on('close', events.onClose);
    return { show: () => notification.show(), close: () => notification.close() };
  },
};

/** Opens our windows through the secure factory, on our scheme's page URLs only. */
export function electronWindowOpener(options: {
  readonly app: App;
  readonly preload: string;
  readonly devTools: boolean;
  readonly platform: NodeJS.Platform;
}): WindowOpener {
  const bringToFront = (window: ElectronBrowserWindow) => {
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    // A tray-only app is never the active one on macOS: take focus, or the prompt opens behind.
    if (options.platform === 'darwin') options.app.focus({ steal: true });
  };
  return {
    open(page: WindowPage, url: string): AppWindow {
      const window = createSecureWindow(ElectronBrowserWindow, page, { preload: options.preload, devTools: options.devTools });
      const webContentsId = window.webContents.id;
      window.removeMenu();
      window.once('ready-to-show', () => bringToFront(window));
      void window.loadURL(url);
      return {
        webContentsId,
        focus: () => bringToFront(window),
        close: () => window.close(),
        fitContent: (contentHeight) => {
          const [width = 0, current = 0] = window.getContentSize();
          // The room under the frame on the screen the window is on.
          const frame = (window.getSize()[1] ?? current) - current;
          const { workArea } = screen.getDisplayMatching(window.getBounds());
          const height = fittedContentHeight(page, contentHeight, workArea.height - frame);
          if (height === undefined || height === current) return;
          window.setContentSize(width, height);
          // Grown at its bottom edge: moved up as far as needed to keep its buttons on the screen.
          const bounds = window.getBounds();
          const bottom = workArea.y + workArea.height;
          if (bounds.y + bounds.height > bottom) window.setPosition(bounds.x, Math.max(workArea.y, bottom - bounds.height));
        },
        isDestroyed: () => window.isDestroyed(),
        send: (channel, payload) => window.webContents.send(channel, payload),
        onClosed: (listener) => window.on('closed', listener),
      };
    },
  };
}

/** A web contents as the navigation guards see it. */
export function guardTargetOf(contents: WebContents): WebContentsGuardTarget {
  return {
    on: (event: GuardedEvent, listener) => contents.on(event as 'will-attach-webview', listener),
    setWindowOpenHandler: (handler) => contents.setWindowOpenHandler(handler),
  };
}
