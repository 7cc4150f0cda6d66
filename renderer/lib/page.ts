/**
 * What every window does first: find the bridge, learn the language and settings, label the
 * document, and follow changes of the language setting while it is open.
 */
import type { AppSettings } from '../../main/common/model';
import { APP_SETTINGS_DEFAULTS } from '../../main/common/model';
import { call, findBridge } from './bridge';
import { el, replaceChildren } from './dom';
import { I18n, type MessageKey } from './i18n';

/** A window's shared state: its language, the app settings, and the OS locale. */
export class PageContext {
  #i18n: I18n;
  #settings: AppSettings;
  readonly osLocale: string;
  readonly #titleKey: MessageKey;
  readonly #listeners = new Set<() => void>();

  constructor(osLocale: string, settings: AppSettings, titleKey: MessageKey) {
    this.osLocale = osLocale;
    this.#settings = settings;
    this.#titleKey = titleKey;
    this.#i18n = I18n.for(settings.language, osLocale);
    this.#label();
  }

  get i18n(): I18n {
    return this.#i18n;
  }

  get settings(): AppSettings {
    return this.#settings;
  }

  /** Takes new settings; when the language or locale changes, relabels the page and tells the listeners. */
  setSettings(settings: AppSettings): void {
    this.#settings = settings;
    const next = I18n.for(settings.language, this.osLocale);
    const changed = next.language !== this.#i18n.language || next.locale !== this.#i18n.locale;
    this.#i18n = next;
    this.#label();
    if (changed) for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` after the language changed (to render again). */
  onLanguageChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  #label(): void {
    document.documentElement.lang = this.#i18n.language;
    document.title = this.#i18n.t(this.#titleKey);
  }
}

/**
 * Starts a window: returns its context, or undefined (after saying so in the page) when there is no
 * bridge, which happens only when a page is opened outside MFA Tray.
 */
export async function startPage(titleKey: MessageKey): Promise<PageContext | undefined> {
  const api = findBridge();
  if (api === undefined) {
    // No language is known yet: say it in both.
    const root = document.getElementById('app') ?? document.body;
    replaceChildren(
      root,
      el(
        'p',
        { className: 'message message-error', attrs: { role: 'alert' } },
        el('span', { attrs: { lang: 'en' } }, 'This window works only inside MFA Tray.'),
        ' ',
        el('span', { attrs: { lang: 'ja' } }, 'このウィンドウは MFA Tray の中でのみ動作します。'),
      ),
    );
    return undefined;
  }
  const [locale, settings] = await Promise.all([call((b) => b.getLocale()), call((b) => b.getSettings())]);
  const osLocale = locale.ok ? locale.value : navigator.language;
  const context = new PageContext(osLocale, settings.ok ? settings.value : APP_SETTINGS_DEFAULTS, titleKey);
  api.on('settings', (next) => context.setSettings(next));
  return context;
}

/**
 * Keeps a window the user cannot resize (the code prompt, settings) fitted to `content`: whenever
 * its height changes (a long message comes or goes), the main process is asked to size the window
 * for it (`fitWindow`: it grows up to the screen, and never below its own size).
 */
export function fitWindowToContent(content: HTMLElement): void {
  let asked = -1;
  let scheduled = false;
  const ask = (): void => {
    scheduled = false;
    const height = Math.ceil(content.getBoundingClientRect().height);
    if (height === asked) return;
    asked = height;
    void call((b) => b.fitWindow(height));
  };
  new ResizeObserver(() => {
    // Once a frame at most, after the layout settled.
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(ask);
  }).observe(content);
}

/** Closes the window through the main process (Esc, Cancel). */
export function closeWindow(): void {
  void call((b) => b.closeWindow());
}
