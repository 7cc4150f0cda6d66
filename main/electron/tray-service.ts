/**
 * Keeps the tray icon, its tooltip and its menu current: rebuilt from a fresh snapshot on every
 * change the source signals, and once a minute so that "11h 42m left" counts down.
 *
 * The Electron `Tray` stays behind {@link TrayPort} (after Signal's `SystemTrayService`, which takes
 * a tray factory), so tests read what the user would see from a fake.
 */
import type { Clock, TimerHandle } from '../engine';
import { buildLoadingMenu, buildTrayMenu, type MenuHandlers, type MenuItemModel, type MenuOptions } from './menu-model';
import { trayLook, trayTitle, trayTooltip, type TrayLook } from './tray-look';
import type { TraySnapshot } from './tray-snapshot';

/** The tray icon as this service drives it. The adapter maps looks to images and models to a `Menu`. */
export interface TrayPort {
  setLook(look: TrayLook): void;
  setToolTip(text: string): void;
  setMenu(items: readonly MenuItemModel[]): void;
  /** The text beside the icon (macOS's menu bar; elsewhere a no-op). */
  setTitle(text: string): void;
}

/** Where snapshots come from (the engine, through `EngineTraySource`). */
export interface TraySource {
  snapshot(): Promise<TraySnapshot>;
  onChange(listener: () => void): () => void;
}

export interface TrayServiceOptions {
  readonly tray: TrayPort;
  readonly source: TraySource;
  readonly handlers: MenuHandlers;
  readonly clock: Clock;
  /** Menu options other than the time, read on every rebuild (the locale may change). */
  readonly menuOptions: () => Omit<MenuOptions, 'now'>;
  readonly onError?: (error: unknown) => void;
  /** Show the state as the icon's title (macOS: see {@link trayTitle}). */
  readonly showTitle?: boolean;
}

const MINUTE = 60_000;

export class TrayService {
  readonly #options: TrayServiceOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: TimerHandle | undefined;
  #look: TrayLook | undefined;
  #tooltip: string | undefined;
  #title: string | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: TrayServiceOptions) {
    this.#options = options;
  }

  /** The "Loading…" menu, before {@link start}: the menu exists while the engine starts. */
  showLoading(): void {
    const { tray, handlers, clock, menuOptions } = this.#options;
    tray.setMenu(buildLoadingMenu(handlers, { ...menuOptions(), now: clock.now() }));
  }

  /** Subscribes to changes, renders once, and starts the minute tick. */
  start(): Promise<void> {
    this.#unsubscribe = this.#options.source.onChange(() => void this.update());
    this.#arm();
    return this.update();
  }

  /**
   * Rebuilds from a fresh snapshot. Calls during a rebuild are coalesced into one more rebuild;
   * the promise settles when the tray shows the latest state.
   */
  update(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#render();
        } catch (error) {
          this.#options.onError?.(error);
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Settles once no rebuild is pending. */
  whenIdle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #render(): Promise<void> {
    const { tray, source, handlers, clock, menuOptions } = this.#options;
    const snapshot = await source.snapshot();
    if (this.#stopped) return;
    const now = clock.now();
    const options = menuOptions();
    const look = trayLook(snapshot, now);
    if (look !== this.#look) tray.setLook(look);
    this.#look = look;
    const tooltip = trayTooltip(snapshot, now, options);
    if (tooltip !== this.#tooltip) tray.setToolTip(tooltip);
    this.#tooltip = tooltip;
    if (this.#options.showTitle) {
      const title = trayTitle(snapshot, now, options);
      if (title !== this.#title) tray.setTitle(title);
      this.#title = title;
    }
    tray.setMenu(buildTrayMenu(snapshot, handlers, { ...options, now }));
  }

  #arm(): void {
    const { clock } = this.#options;
    // On the minute, so that every label changes together; Node's timers do not see a suspend,
    // which is why the app also calls update() on resume.
    const wait = MINUTE - (clock.now() % MINUTE);
    this.#timer = clock.setTimeout(() => {
      if (this.#stopped) return;
      this.#arm();
      void this.update();
    }, wait);
  }
}
