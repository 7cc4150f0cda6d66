/** The languages of the app, and which one a locale or setting means. */
export type Language = 'en' | 'ja';

export const LANGUAGES: readonly Language[] = ['en', 'ja'];

/**
 * The language for a setting ('auto', 'en', 'ja') and the OS locale ("ja-JP", "en-US", "ja_JP.UTF-8"):
 * the setting when it names one, else the locale's, else English.
 */
export function languageOf(setting: string | undefined, osLocale: string | undefined): Language {
  if (setting === 'en' || setting === 'ja') return setting;
  return /^ja\b|^ja[-_]/i.test(osLocale ?? '') ? 'ja' : 'en';
}
