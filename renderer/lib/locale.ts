/**
 * Which language the windows speak and which locale formats their dates: pure functions, so that
 * they are tested in plain Node.
 */
import type { AppSettings } from '../../main/common/model';

/** The languages the windows have catalogs for. */
export type Language = 'en' | 'ja';

/** The language for a setting: the chosen one, or the OS locale's when `auto` (English unless Japanese). */
export function resolveLanguage(setting: AppSettings['language'] | undefined, osLocale: string): Language {
  if (setting === 'en' || setting === 'ja') return setting;
  return primaryLanguage(osLocale) === 'ja' ? 'ja' : 'en';
}

/**
 * The locale for dates, times and numbers: the OS locale when it is of the same language (so that
 * en-GB keeps its day-month order), else the language's usual locale.
 */
export function formatLocale(language: Language, osLocale: string): string {
  const canonical = canonicalLocale(osLocale);
  if (canonical !== undefined && primaryLanguage(canonical) === language) return canonical;
  return language === 'ja' ? 'ja-JP' : 'en-US';
}

function primaryLanguage(locale: string): string {
  return locale.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

function canonicalLocale(locale: string): string | undefined {
  try {
    // Electron's app.getLocale() may say "en_US" on some systems.
    return Intl.getCanonicalLocales(locale.trim().replace(/_/g, '-'))[0];
  } catch {
    return undefined;
  }
}
