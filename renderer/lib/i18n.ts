/**
 * Strings and formats for the windows, in English and Japanese.
 *
 * Every string lives in both catalogs (the Japanese one is typed by the English one's keys, so a
 * missing string does not compile; test/renderer/i18n.test.ts checks placeholders match). Dates,
 * times and durations go through Intl for the locale.
 */
import { EN, type MessageKey } from './catalog-en';
import { JA } from './catalog-ja';
import { formatLocale, resolveLanguage, type Language } from './locale';
import type { AppSettings } from '../../main/common/model';

export type { MessageKey } from './catalog-en';
export type { Language } from './locale';

/** Values for a message's `{placeholders}`. */
export type MessageParams = Readonly<Record<string, string | number>>;

export const CATALOGS: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { en: EN, ja: JA };

/** Fills `{name}` placeholders; an unknown one stays as it is (visible in tests, harmless to users). */
export function interpolate(template: string, params: MessageParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** One language's strings and formats. */
export class I18n {
  readonly language: Language;
  /** The BCP 47 locale for Intl (dates, numbers). */
  readonly locale: string;
  readonly #catalog: Readonly<Record<MessageKey, string>>;
  readonly #time: Intl.DateTimeFormat;
  readonly #dateTime: Intl.DateTimeFormat;
  readonly #date: Intl.DateTimeFormat;
  readonly #list: Intl.ListFormat;

  constructor(language: Language, locale: string) {
    this.language = language;
    this.locale = locale;
    this.#catalog = CATALOGS[language];
    this.#time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
    // Sessions last at most 36 hours: the weekday and day say which day; the year would be noise.
    this.#dateTime = new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    this.#date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    // "11 hr 59 min"; in Japanese the narrow list runs the units together ("11 時間59 分").
    this.#list = new Intl.ListFormat(locale, { style: language === 'ja' ? 'short' : 'narrow', type: 'unit' });
  }

  /** The windows' language and locale for a language setting and the OS (or host) locale. */
  static for(setting: AppSettings['language'] | undefined, osLocale: string): I18n {
    const language = resolveLanguage(setting, osLocale);
    return new I18n(language, formatLocale(language, osLocale));
  }

  /** A message with its placeholders filled in. */
  t(key: MessageKey, params?: MessageParams): string {
    return interpolate(this.#catalog[key], params);
  }

  /**
   * A message as text and nodes, for placeholders that are elements (an ARN that must wrap only at
   * its separators, say): strings stay text, nodes are placed where their placeholder was.
   */
  parts(key: MessageKey, params: Readonly<Record<string, string | number | Node>>): (string | Node)[] {
    const out: (string | Node)[] = [];
    const template = this.#catalog[key];
    let last = 0;
    for (const match of template.matchAll(/\{(\w+)\}/g)) {
      const name = match[1] as string;
      if (!Object.hasOwn(params, name)) continue;
      const value = params[name] as string | number | Node;
      out.push(template.slice(last, match.index));
      out.push(typeof value === 'object' ? value : String(value));
      last = match.index + match[0].length;
    }
    out.push(template.slice(last));
    return out.filter((part) => part !== '');
  }

  /** A point in time: the time alone when it is today, else date and time. */
  formatMoment(ms: number, now: number = Date.now()): string {
    const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
    return (sameDay ? this.#time : this.#dateTime).format(ms);
  }

  /** A calendar day ("Mar 2, 2026", "2026/03/02"): when an MFA device was enabled, say. */
  formatDate(ms: number): string {
    return this.#date.format(ms);
  }

  /** A span of time as hours and minutes ("5 hr 12 min", "5時間12分"); under a minute says so. */
  formatSpan(ms: number): string {
    if (ms < MINUTE) return this.t('time.underMinute');
    const parts: string[] = [];
    const days = Math.floor(ms / DAY);
    const hours = Math.floor((ms % DAY) / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    // Sessions last up to 36 hours: show them in hours ("36 hr"), days only beyond that.
    const totalHours = days * 24 + hours;
    if (totalHours > 36) {
      parts.push(this.#unit(days, 'day'));
      if (hours > 0) parts.push(this.#unit(hours, 'hour'));
    } else {
      if (totalHours > 0) parts.push(this.#unit(totalHours, 'hour'));
      if (minutes > 0) parts.push(this.#unit(minutes, 'minute'));
    }
    return this.#list.format(parts);
  }

  /** A duration in seconds, as hours and minutes (or seconds under a minute). */
  formatSeconds(seconds: number): string {
    if (seconds < 60) return this.#unit(seconds, 'second');
    return this.formatSpan(seconds * 1000);
  }

  #unit(value: number, unit: 'day' | 'hour' | 'minute' | 'second'): string {
    return new Intl.NumberFormat(this.locale, { style: 'unit', unit, unitDisplay: 'short' }).format(value);
  }
}
