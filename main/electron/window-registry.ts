/**
 * The app's open windows: at most one of each (one code prompt per profile, one profile manager,
 * one settings window); asking for one that is open brings it to the front instead.
 *
 * The registry is also the IPC layer's record of who may call the bridge: a message counts only if
 * it comes from a web contents opened here, showing the page it was opened on.
 */
import { pageUrl, type WindowPage } from './app-protocol';

/** Which window: the prompt is per profile, the others are single. */
export type WindowKey = { readonly page: 'prompt'; readonly profile: string } | { readonly page: 'profiles' } | { readonly page: 'settings' };

/** A window as the registry drives it; the adapter wraps a `BrowserWindow`. */
export interface AppWindow {
  /** Its web contents' id: the IPC sender id of its messages. */
  readonly webContentsId: number;
  /** Restores, shows and focuses it, in front of other apps' windows. */
  focus(): void;
  close(): void;
  /** Sizes its page for content this high, as its kind of window allows (window-factory.ts, fittedContentHeight). */
  fitContent(contentHeight: number): void;
  isDestroyed(): boolean;
  /** Sends an event to its page (`webContents.send`). */
  send(channel: string, payload: unknown): void;
  onClosed(listener: () => void): void;
}

/** Opens a window on a page URL; the adapter is the secure window factory plus `loadURL`. */
export interface WindowOpener {
  open(page: WindowPage, url: string): AppWindow;
}

interface Entry {
  readonly key: string;
  readonly page: WindowPage;
  readonly window: AppWindow;
}

function keyOf(key: WindowKey): string {
  return key.page === 'prompt' ? `prompt:${key.profile}` : key.page;
}

export class WindowRegistry {
  readonly #opener: WindowOpener;
  readonly #byKey = new Map<string, Entry>();
  readonly #listeners = new Set<(open: number) => void>();

  constructor(opener: WindowOpener) {
    this.#opener = opener;
  }

  /** Shows the window for `key`: focuses the open one, or opens it. */
  show(key: WindowKey): AppWindow {
    const id = keyOf(key);
    const existing = this.#byKey.get(id);
    if (existing && !existing.window.isDestroyed()) {
      existing.window.focus();
      return existing.window;
    }
    const url = key.page === 'prompt' ? pageUrl('prompt', { profile: key.profile }) : pageUrl(key.page);
    const window = this.#opener.open(key.page, url);
    const entry: Entry = { key: id, page: key.page, window };
    this.#byKey.set(id, entry);
    window.onClosed(() => {
      if (this.#byKey.get(id) === entry) this.#byKey.delete(id);
      this.#notify();
    });
    this.#notify();
    return window;
  }

  /** The page a web contents of ours was opened on, or undefined when it is not ours. */
  pageOf(webContentsId: number): WindowPage | undefined {
    for (const entry of this.#byKey.values()) {
      if (entry.window.webContentsId === webContentsId && !entry.window.isDestroyed()) return entry.page;
    }
    return undefined;
  }

  /** Our window of a web contents. */
  byWebContentsId(webContentsId: number): AppWindow | undefined {
    for (const entry of this.#byKey.values()) {
      if (entry.window.webContentsId === webContentsId && !entry.window.isDestroyed()) return entry.window;
    }
    return undefined;
  }

  /** Every open window. */
  all(): AppWindow[] {
    return [...this.#byKey.values()].map((e) => e.window).filter((w) => !w.isDestroyed());
  }

  /** The open code prompt of a profile, if any. */
  prompt(profile: string): AppWindow | undefined {
    const entry = this.#byKey.get(keyOf({ page: 'prompt', profile }));
    return entry && !entry.window.isDestroyed() ? entry.window : undefined;
  }

  /** Subscribes to the number of open windows. @returns the unsubscribe function. */
  onCountChange(listener: (open: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  closeAll(): void {
    for (const window of this.all()) window.close();
  }

  #notify(): void {
    const open = this.all().length;
    for (const listener of this.#listeners) listener(open);
  }
}
