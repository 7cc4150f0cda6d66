/**
 * Fakes of the Electron objects behind the Electron layer's ports: the only fakes in these tests
 * (Electron cannot start here). Each records what the user would see: the tray's look, tooltip and
 * menu; the notifications shown and closed; the clipboard; the windows opened and focused.
 */
import type { ClipboardPort } from '../../main/electron/clipboard-service';
import type { IpcInvokeEventLike, IpcMainPort } from '../../main/electron/ipc';
import type { MenuHandlers, MenuItemModel } from '../../main/electron/menu-model';
import type { NotificationContent, NotificationFactory, NotificationHandle } from '../../main/electron/notification-service';
import type { TrayLook } from '../../main/electron/tray-look';
import type { TrayPort } from '../../main/electron/tray-service';
import type { WindowPage } from '../../main/electron/app-protocol';
import type { AppWindow, WindowOpener } from '../../main/electron/window-registry';
import type { ElectronPorts } from '../../main/electron/tray-app';

export class FakeTray implements TrayPort {
  look: TrayLook | undefined;
  tooltip: string | undefined;
  menu: readonly MenuItemModel[] = [];
  looks: TrayLook[] = [];
  menuBuilds = 0;

  setLook(look: TrayLook): void {
    this.look = look;
    this.looks.push(look);
  }

  setToolTip(text: string): void {
    this.tooltip = text;
  }

  title: string | undefined;

  setTitle(text: string): void {
    this.title = text;
  }

  setMenu(items: readonly MenuItemModel[]): void {
    this.menu = items;
    this.menuBuilds++;
  }

  /** A menu item by id, at any depth. */
  item(id: string): MenuItemModel {
    const found = findItem(this.menu, id);
    if (!found) throw new Error(`no menu item ${id} in: ${labels(this.menu).join(' | ')}`);
    return found;
  }

  /** Clicks a menu item, as the user would (refusing a disabled one). */
  click(id: string): void {
    const item = this.item(id);
    if (item.enabled === false) throw new Error(`menu item ${id} is disabled`);
    if (!item.click) throw new Error(`menu item ${id} does nothing`);
    item.click();
  }
}

export function findItem(items: readonly MenuItemModel[], id: string): MenuItemModel | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu && findItem(item.submenu, id);
    if (inner) return inner;
  }
  return undefined;
}

/** The labels in order, separators as '---'. */
export function labels(items: readonly MenuItemModel[]): string[] {
  return items.map((i) => (i.type === 'separator' ? '---' : (i.label ?? '')));
}

export class FakeNotification implements NotificationHandle {
  shown = false;
  closed = false;

  constructor(
    readonly content: NotificationContent,
    private readonly events: { readonly onClick: () => void; readonly onClose: () => void },
  ) {}

  show(): void {
    this.shown = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.onClose();
  }

  /** The user clicks it. */
  click(): void {
    this.events.onClick();
  }
}

export class FakeNotifications implements NotificationFactory {
  readonly created: FakeNotification[] = [];
  supported = true;

  isSupported(): boolean {
    return this.supported;
  }

  create(content: NotificationContent, events: { readonly onClick: () => void; readonly onClose: () => void }): FakeNotification {
    const notification = new FakeNotification(content, events);
    this.created.push(notification);
    return notification;
  }

  /** Notifications shown and not closed. */
  get live(): FakeNotification[] {
    return this.created.filter((n) => n.shown && !n.closed);
  }

  get titles(): string[] {
    return this.created.filter((n) => n.shown).map((n) => n.content.title);
  }
}

export class FakeClipboard implements ClipboardPort {
  text = '';
  clears = 0;

  async readText(): Promise<string> {
    return this.text;
  }

  async writeText(text: string): Promise<void> {
    this.text = text;
  }

  clear(): void {
    this.text = '';
    this.clears++;
  }
}

let nextWebContentsId = 100;

export class FakeWindow implements AppWindow {
  readonly webContentsId = nextWebContentsId++;
  focused = 0;
  destroyed = false;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  readonly #closed: Array<() => void> = [];

  constructor(
    readonly page: WindowPage,
    readonly url: string,
  ) {}

  focus(): void {
    this.focused++;
  }

  /** Heights asked for by fitContent, oldest first. */
  readonly fits: number[] = [];

  fitContent(contentHeight: number): void {
    this.fits.push(contentHeight);
  }

  close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const listener of this.#closed) listener();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }

  onClosed(listener: () => void): void {
    this.#closed.push(listener);
  }

  /** An IPC event as this window's main frame would send it. */
  event(url = this.url): IpcInvokeEventLike {
    return { sender: { id: this.webContentsId }, senderFrame: { url, parent: null } };
  }
}

export class FakeWindowOpener implements WindowOpener {
  readonly opened: FakeWindow[] = [];

  open(page: WindowPage, url: string): FakeWindow {
    const window = new FakeWindow(page, url);
    this.opened.push(window);
    return window;
  }

  get live(): FakeWindow[] {
    return this.opened.filter((w) => !w.destroyed);
  }
}

type InvokeListener = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export class FakeIpcMain implements IpcMainPort {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke(channel, ...args)` from `event`'s sender would get back. */
  invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
}

/** A tiny event emitter for app and powerMonitor events. */
export class FakeEmitter {
  readonly #listeners = new Map<string, Array<(event: { preventDefault(): void }) => void>>();

  on(event: string, listener: (event: { preventDefault(): void }) => void): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }

  /** Emits; @returns whether a listener called preventDefault. */
  emit(event: string): boolean {
    let prevented = false;
    for (const listener of this.#listeners.get(event) ?? []) listener({ preventDefault: () => (prevented = true) });
    return prevented;
  }

  listeners(event: string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}

export class FakeApp extends FakeEmitter {
  quits = 0;
  aboutShown = 0;
  locale = 'en-US';

  quit(): void {
    this.quits++;
  }

  getLocale(): string {
    return this.locale;
  }

  showAboutPanel(): void {
    this.aboutShown++;
  }
}

/** Every port, faked. */
export function fakeElectron() {
  const ports = {
    tray: new FakeTray(),
    notifications: new FakeNotifications(),
    clipboard: new FakeClipboard(),
    windows: new FakeWindowOpener(),
    ipcMain: new FakeIpcMain(),
    loginItems: {
      settings: [] as Array<{ openAtLogin: boolean }>,
      setLoginItemSettings(s: { openAtLogin: boolean }) {
        this.settings.push(s);
      },
    },
    powerMonitor: new FakeEmitter(),
    app: new FakeApp(),
    dialogs: {
      messages: [] as Array<{ type: string; message: string; detail: string }>,
      showMessage(m: { type: 'info' | 'error'; message: string; detail: string }) {
        this.messages.push(m);
      },
    },
  };
  return ports satisfies ElectronPorts;
}

/** Menu handlers that do nothing (tests that only read the menu). */
export const noopHandlers: MenuHandlers = {
  refresh: () => undefined,
  copyExports: () => undefined,
  forgetSession: () => undefined,
  refreshAll: () => undefined,
  retryKeychain: () => undefined,
  remedy: () => undefined,
  manageProfiles: () => undefined,
  settings: () => undefined,
  setLaunchAtLogin: () => undefined,
  installCommandLineTool: () => undefined,
  about: () => undefined,
  quit: () => undefined,
};
