/**
 * The tray app, wired: engine, tray, notifications, clipboard, windows, IPC, launch at login and
 * power events. Electron itself stays behind the small ports in {@link ElectronPorts}; `main.ts`
 * passes the real objects, the tests pass fakes and drive the whole layer against the real engine.
 */
import { isMfaTrayError, type Remedy } from '../common/errors';
import type { AppSettings } from '../common/model';
import { PRODUCT_NAME, type Clock, type Engine, type ExportFormat, type RefreshInput } from '../engine';
import { bindBridgeEvents, createBridgeHandlers } from '../bridge/handlers';
import { ClipboardService, type ClipboardPort } from './clipboard-service';
import { describeInstall, installCommandLineTool, offersCommandLineTool } from './command-line-tool';
import { EngineTraySource } from './engine-tray-source';
import { inAppWords, type TimeFormat } from './format';
import { languageOf, type Language } from '../common/catalog/language';
import { TRAY_WORDS } from '../common/catalog/tray';
import { bindBridgeIpc, broadcast, type IpcMainPort } from './ipc';
import { applyLaunchAtLogin, type LoginItemPort } from './launch-at-login';
import type { MenuHandlers } from './menu-model';
import { NotificationService, type NotificationFactory } from './notification-service';
import { TrayService, type TrayPort } from './tray-service';
import { trayIconCanShow } from './tray-presence';
import { WindowRegistry, type WindowOpener } from './window-registry';

/** The Electron objects the app drives, each behind the interface of the service that uses it. */
export interface ElectronPorts {
  readonly tray: TrayPort;
  readonly notifications: NotificationFactory;
  readonly clipboard: ClipboardPort;
  readonly windows: WindowOpener;
  readonly ipcMain: IpcMainPort;
  readonly loginItems: LoginItemPort;
  readonly powerMonitor: { on(event: 'resume', listener: () => void): unknown };
  readonly app: {
    on(event: 'second-instance' | 'activate' | 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
    quit(): void;
    getLocale(): string;
    showAboutPanel(): void;
  };
  readonly dialogs: {
    showMessage(options: { readonly type: 'info' | 'error'; readonly message: string; readonly detail: string }): void;
  };
}

export interface TrayAppOptions {
  readonly engine: Engine;
  readonly electron: ElectronPorts;
  readonly platform: NodeJS.Platform;
  readonly packaged: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `process.execPath`: what an autostart entry starts. */
  readonly execPath: string;
  /** The command's launcher in the packaged app (`<resources>/bin/mfa-tray`). */
  readonly commandLauncher: string;
  /**
   * Whether the tray icon can be seen (default: {@link trayIconCanShow}, which asks the session bus
   * on Linux). When it cannot, the profiles window opens instead, saying why, with a Quit button.
   */
  readonly trayIconCanShow?: () => Promise<boolean>;
  /** Time zone for labels; the OS's when undefined (tests pin it). */
  readonly timeZone?: string;
  readonly log?: (message: string) => void;
}

/** A failure for a notification or dialog: the engine's plain message in the app's words and language, or a generic one. */
function plainMessage(error: unknown, language: Language): string {
  return isMfaTrayError(error) ? inAppWords(error.code, error.message, language) : TRAY_WORDS[language].unexpected;
}

/** An error for the log: the engine's code and plain message, else only the error's name (its text could hold anything). */
function loggable(error: unknown): string {
  if (isMfaTrayError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.name : typeof error;
}

/** "Asked": the code prompt is open, and the refresh continues there. */
class PromptOpened extends Error {}

/** The running tray app. */
export class TrayApp {
  readonly engine: Engine;
  readonly windows: WindowRegistry;
  readonly notifications: NotificationService;
  readonly clipboard: ClipboardService;
  readonly tray: TrayService;
  readonly source: EngineTraySource;
  /** What the menu's items do (also what the tests click). */
  readonly handlers: MenuHandlers;
  readonly #options: TrayAppOptions;
  readonly #clock: Clock;
  readonly #cleanup: Array<() => void> = [];
  #settings: AppSettings | undefined;
  #appliedLaunchAtLogin: boolean | undefined;
  #stopped: Promise<void> | undefined;
  /** Set once known: no tray icon can show (a Linux desktop without a StatusNotifier watcher). */
  #withoutTray = false;
  /**
   * The tray check's answer, for the windows: one opened while the check still runs (by a second
   * launch) waits for it, so that it too says why it is the app.
   */
  #trayCheck: Promise<boolean> = Promise.resolve(false);

  private constructor(options: TrayAppOptions) {
    this.#options = options;
    const { engine, electron } = options;
    this.engine = engine;
    this.#clock = engine.clock;
    const log = options.log ?? (() => undefined);
    this.windows = new WindowRegistry(electron.windows);
    this.clipboard = new ClipboardService(electron.clipboard, this.#clock);
    this.notifications = new NotificationService({
      factory: electron.notifications,
      clock: this.#clock,
      timeFormat: () => this.#timeFormat(),
      activate: (profile) => void this.refresh(profile),
      applyRemedy: (remedy) => this.applyRemedy(remedy),
      onError: (error) => log(`notification failed: ${loggable(error)}`),
    });
    this.source = new EngineTraySource(engine);
    this.handlers = {
      refresh: (profile) => void this.refresh(profile),
      copyExports: (profile, format) => void this.copyExports(profile, format),
      forgetSession: (profile) => void this.forgetSession(profile),
      refreshAll: () => void this.refreshAll(),
      retryKeychain: () => void engine.start().catch((error: unknown) => log(`engine start failed: ${loggable(error)}`)),
      remedy: (remedy) => this.applyRemedy(remedy),
      manageProfiles: () => void this.windows.show({ page: 'profiles' }),
      settings: () => void this.windows.show({ page: 'settings' }),
      setLaunchAtLogin: (enabled) => void this.updateSettings({ launchAtLogin: enabled }),
      installCommandLineTool: () => void this.installCommandLineTool(),
      about: () => electron.app.showAboutPanel(),
      quit: () => this.quit(),
    };
    this.tray = new TrayService({
      tray: electron.tray,
      source: this.source,
      handlers: this.handlers,
      clock: this.#clock,
      menuOptions: () => ({
        ...this.#timeFormat(),
        offerCommandLineTool: offersCommandLineTool(options.platform, options.packaged, options.env),
      }),
      onError: (error) => log(`tray update failed: ${loggable(error)}`),
      showTitle: options.platform === 'darwin',
    });
  }

  /** Starts the engine's keeper and every service; the tray shows the state at once. */
  static async start(options: TrayAppOptions): Promise<TrayApp> {
    const app = new TrayApp(options);
    await app.#start();
    return app;
  }

  async #start(): Promise<void> {
    const { engine, electron } = this.#options;
    // Listening first: what is already due when the keeper starts (an "expires soon") is announced
    // during start, and must not be missed.
    this.#cleanup.push(engine.onNotice((notice) => void this.notifications.handle(notice)));
    // The menu exists at once, while the engine starts (a keychain prompt may be waiting).
    this.tray.showLoading();
    // Whether a tray icon can show is asked now, answered while the engine starts.
    this.#trayCheck = (this.#options.trayIconCanShow ?? (() => trayIconCanShow(this.#options.platform, { ...this.#options.env })))()
      .catch(() => true)
      .then((shows) => !shows);
    try {
      await engine.start();
    } catch (error) {
      // The tray still comes up: its menu names the problem (an unusable settings file, say).
      this.#log(`engine start failed: ${loggable(error)}`);
      electron.dialogs.showMessage({
        type: 'error',
        message: this.#words().dialog.cannotKeepFresh(PRODUCT_NAME),
        detail: isMfaTrayError(error) ? error.message : plainMessage(error, this.#language()),
      });
    }
    this.#settings = await engine.loadSettings().then(
      (d) => d.settings,
      () => undefined,
    );

    // Changes from the windows, the menu or another process (the keeper reads profiles again). The windows get theirs from
    // bindBridgeEvents while any is open.
    this.#cleanup.push(engine.onChange((what) => (what === 'settings' ? void this.#settingsChanged() : this.source.changed())));
    this.#cleanup.push(this.#bindIpc());
    this.#cleanup.push(this.#bindEventsWhileWindowsOpen());
    electron.powerMonitor.on('resume', () => void this.onResume());
    electron.app.on('second-instance', () => void this.windows.show({ page: 'profiles' }));
    electron.app.on('activate', () => void this.windows.show({ page: 'profiles' }));
    electron.app.on('before-quit', (event) => {
      if (this.#stopped) return;
      // Finish first (the clipboard is read before it is cleared), then quit for real.
      event.preventDefault();
      void this.shutdown().finally(() => electron.app.quit());
    });

    await this.tray.start();
    if (this.#settings) await this.#applyLaunchAtLogin(this.#settings.launchAtLogin);
    this.#withoutTray = await this.#trayCheck;
    if (this.#withoutTray) {
      // Nothing would ever show: the profiles window is the app (it says why, and has Quit); a
      // second launch brings it back ('second-instance' above).
      this.#log('no StatusNotifier watcher on the session bus: no tray icon can show; opening the profiles window');
      this.windows.show({ page: 'profiles' });
      return;
    }
    // First start: nothing to show yet, so show where to begin.
    const profiles = await engine.profiles().catch(() => undefined);
    if (profiles !== undefined && profiles.length === 0) this.windows.show({ page: 'profiles' });
  }

  /** Whether the app runs without a visible tray icon (then its profiles window says so). */
  get withoutTray(): boolean {
    return this.#withoutTray;
  }

  /**
   * "Refresh now": at once with a registered TOTP secret, else the profile's code prompt comes to
   * the front (one per profile; a second click focuses it). Failures become a notification.
   */
  async refresh(profile: string): Promise<void> {
    try {
      // A role profile: assumed anew with its source's session; when the source needs a code, its
      // prompt opens (then "Refresh now" on the role again).
      const role = await this.engine.roleProfile(profile).catch(() => undefined);
      if (role) {
        await this.engine.refreshRole(profile, {
          ask: () => {
            this.windows.show({ page: 'prompt', profile: role.sourceProfile });
            throw new PromptOpened();
          },
        });
        return;
      }
      await this.engine.refresh(profile, this.#refreshInput(profile));
    } catch (error) {
      this.#refreshFailed(profile, error);
    }
  }

  /**
   * What a refresh from the tray is given: the keeper picks the code source; a person is asked in
   * the profile's code prompt, which refreshes through the bridge when the code is typed (so this
   * refresh ends there).
   */
  #refreshInput(profile: string): RefreshInput {
    return {
      onTouch: () => this.notifications.problem(this.#words().notification.touchYubikey(profile), profile, this.#words().notification.touchYubikeyBody),
      ask: () => {
        this.windows.show({ page: 'prompt', profile });
        throw new PromptOpened();
      },
    };
  }

  /** A refresh that failed becomes a notification (a prompt opened instead is no failure). */
  #refreshFailed(profile: string, error: unknown): void {
    if (error instanceof PromptOpened) return;
    this.notifications.refreshFailed(profile, plainMessage(error, this.#language()), isMfaTrayError(error) ? error.remedies : []);
  }

  /** Does what an error's remedy says: the menu item or notification that carries it. */
  applyRemedy(remedy: Remedy): void {
    switch (remedy.action) {
      case 'refresh':
      case 'refresh-with-code':
        void this.refresh(remedy.profile);
        return;
      case 'unlock-keychain':
        this.handlers.retryKeychain();
        return;
      case 'set-totp':
      case 'remove-totp':
      case 'add-key':
      case 'import-key':
      case 'edit-target':
      case 'add-profile':
      case 'diagnose':
        // The profile window holds every one of these (edit, TOTP, key, import, add, diagnose).
        this.windows.show({ page: 'profiles' });
        return;
    }
  }

  /**
   * "Refresh all": every profile, side by side as the engine allows (generated codes at once, one
   * device's profiles one after another), then the code prompts of those whose codes are typed.
   */
  async refreshAll(): Promise<void> {
    const profiles = await this.engine.profiles().catch(() => []);
    await this.engine
      .refreshMany(profiles, {
        inputFor: (profile) => this.#refreshInput(profile.name),
        onEnded: (outcome) => {
          if (outcome.kind === 'failed') this.#refreshFailed(outcome.profile.name, outcome.error);
        },
      })
      .catch((error: unknown) => {
        // A failure before any refresh began: each profile says so, as its refresh would.
        for (const profile of profiles) this.#refreshFailed(profile.name, error);
      });
  }

  /** "Copy exports ▸": the session in a format, cleared from the clipboard after the configured time. */
  async copyExports(profile: string, format: ExportFormat): Promise<void> {
    try {
      const text = await this.engine.exportSession(profile, format);
      const { settings } = await this.engine.loadSettings();
      await this.clipboard.copy(text, settings.clipboardClearSeconds);
    } catch (error) {
      this.notifications.problem(this.#words().notification.nothingCopied(profile), profile, plainMessage(error, this.#language()));
    }
  }

  /** "Forget session": removes the session from the credentials file and the keychain. */
  async forgetSession(profile: string): Promise<void> {
    try {
      const { targetSection } = await this.engine.profile(profile);
      const outcome = await this.engine.forgetSession(profile);
      this.notifications.dismiss(profile);
      // Another tool's session stays in the section (the engine removes only MFA Tray's): say so,
      // as `mfa-tray remove` does, since the menu would otherwise seem to claim it gone.
      if (outcome.session === 'not-ours') {
        const words = this.#words().notification;
        this.notifications.problem(words.otherSessionLeft(profile), profile, words.otherSessionLeftBody(targetSection, outcome.otherMaskedKeyId));
      }
    } catch (error) {
      this.notifications.problem(this.#words().notification.notForgotten(profile), profile, plainMessage(error, this.#language()));
    }
  }

  /** Changes app settings (the menu's "Launch at login"; the settings window goes through the bridge). */
  async updateSettings(patch: Partial<AppSettings>): Promise<void> {
    try {
      await this.engine.updateSettings(patch); // applied through engine.onChange
    } catch (error) {
      this.#options.electron.dialogs.showMessage({
        type: 'error',
        message: this.#words().dialog.settingNotChanged,
        detail: plainMessage(error, this.#language()),
      });
      this.source.changed();
    }
  }

  /** "Install command line tool…". */
  async installCommandLineTool(): Promise<void> {
    const { electron, platform, env, commandLauncher } = this.#options;
    try {
      const outcome = await installCommandLineTool({ platform, env, launcher: commandLauncher });
      electron.dialogs.showMessage({ type: 'info', ...describeInstall(outcome, this.#language()) });
    } catch (error) {
      electron.dialogs.showMessage({
        type: 'error',
        message: this.#words().dialog.commandNotInstalled,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** After a wake-up: the engine catches up (expired sessions, due refreshes), then the tray and the clipboard. */
  async onResume(): Promise<void> {
    void this.clipboard.recheck();
    try {
      await this.engine.recheck();
    } catch (error) {
      this.#log(`recheck after resume failed: ${loggable(error)}`);
    }
    await this.tray.update();
  }

  /** Quit: stops everything, then the app. */
  quit(): void {
    void this.shutdown().finally(() => this.#options.electron.app.quit());
  }

  /**
   * Stops the scheduler and pending retries, the tray's clock and the IPC handlers, closes the
   * windows and notifications, and clears our text from the clipboard. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#stopped ??= (async () => {
      this.engine.stop();
      this.tray.stop();
      this.notifications.closeAll();
      for (const cleanup of this.#cleanup.splice(0)) cleanup();
      this.source.dispose();
      this.windows.closeAll();
      await this.clipboard.dispose();
    })();
    return this.#stopped;
  }

  #bindIpc(): () => void {
    const { electron } = this.#options;
    const handlers = createBridgeHandlers(this.engine, {
      closeWindow: (caller) => this.windows.byWebContentsId(Number(caller.windowId))?.close(),
      fitWindow: (caller, contentHeight) => this.windows.byWebContentsId(Number(caller.windowId))?.fitContent(contentHeight),
      // The OS's: the windows apply the language setting themselves (and name the OS language
      // beside "Automatic"), so answering with the setting would hide the OS locale from them.
      locale: () => electron.app.getLocale(),
      withoutTray: () => this.#trayCheck,
      // Not through the clipboard service: a policy document is no secret, and is not cleared later.
      copyText: (text) => electron.clipboard.writeText(text),
      quit: () => this.quit(),
    });
    return bindBridgeIpc({
      ipcMain: electron.ipcMain,
      handlers,
      trusted: (webContentsId) => this.windows.pageOf(webContentsId),
      onRejected: (operation, reason) => this.#log(`refused ${operation} from an untrusted sender (${reason})`),
    });
  }

  /** The bridge's 'profiles' events, pushed only while a window is open to receive them. */
  #bindEventsWhileWindowsOpen(): () => void {
    let unbind: (() => void) | undefined;
    const stopWatching = this.windows.onCountChange((open) => {
      if (open > 0 && unbind === undefined) {
        unbind = bindBridgeEvents(this.engine, (event, payload) => broadcast(this.windows.all(), event, payload));
      } else if (open === 0 && unbind !== undefined) {
        unbind();
        unbind = undefined;
      }
    });
    return () => {
      stopWatching();
      unbind?.();
    };
  }

  async #settingsChanged(): Promise<void> {
    const settings = await this.engine.loadSettings().then(
      (d) => d.settings,
      () => undefined,
    );
    if (settings) {
      this.#settings = settings;
      await this.#applyLaunchAtLogin(settings.launchAtLogin);
    }
    this.source.changed();
  }

  async #applyLaunchAtLogin(enabled: boolean): Promise<void> {
    const { packaged, platform, electron, env, execPath } = this.#options;
    if (this.#appliedLaunchAtLogin === enabled) return;
    if (!packaged) {
      this.#log(`launch at login ${enabled ? 'on' : 'off'}: not registered with the OS (unpackaged app)`);
      this.#appliedLaunchAtLogin = enabled;
      return;
    }
    try {
      await applyLaunchAtLogin(enabled, { platform, loginItems: electron.loginItems, env, execPath });
      this.#appliedLaunchAtLogin = enabled;
    } catch (error) {
      electron.dialogs.showMessage({
        type: 'error',
        message: this.#words().dialog.launchAtLoginNotChanged,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** The app's language: the setting, else the OS's (its locale). */
  #language(): Language {
    return languageOf(this.#settings?.language, this.#options.electron.app.getLocale());
  }

  #words(): (typeof TRAY_WORDS)[Language] {
    return TRAY_WORDS[this.#language()];
  }

  #timeFormat(): TimeFormat {
    const setting = this.#settings?.language ?? 'auto';
    const locale = setting === 'auto' ? this.#options.electron.app.getLocale() : setting;
    return { locale, language: this.#language(), ...(this.#options.timeZone ? { timeZone: this.#options.timeZone } : {}) };
  }

  #log(message: string): void {
    this.#options.log?.(message);
  }
}
