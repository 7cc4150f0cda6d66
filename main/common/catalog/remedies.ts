/**
 * The words of each remedy ({@link Remedy}), in every language the app speaks. The command puts
 * `phrase` before the command line it renders ("register the device's secret: mfa-tray totp set
 * dev"); the tray and the windows show `label` on the menu item or button that does it.
 */
import type { RemedyAction } from '../errors';
import type { Language } from './language';

export interface RemedyWords {
  /** What the command line does, lower case, to stand before it. */
  readonly phrase: string;
  /** The menu item or button that does it. */
  readonly label: string;
}

export const REMEDY_WORDS: Readonly<Record<Language, Readonly<Record<RemedyAction, RemedyWords>>>> = {
  en: {
    refresh: { phrase: 'get a new session', label: 'Refresh now' },
    'refresh-with-code': { phrase: 'give the code', label: 'Refresh now' },
    'set-totp': { phrase: "register the device's secret", label: 'Register the TOTP secret…' },
    'remove-totp': { phrase: 'forget the TOTP secret', label: 'Manage profiles…' },
    'add-key': { phrase: 'store the key again', label: 'Store the key again…' },
    'import-key': { phrase: 'import it from the credentials file', label: 'Manage profiles…' },
    'edit-target': { phrase: 'choose another target section', label: 'Edit the profile…' },
    'unlock-keychain': { phrase: 'unlock the keychain, then try again', label: 'Try again' },
    'add-profile': { phrase: 'add one', label: 'Add a profile…' },
    diagnose: { phrase: 'once AWS can be reached, check the profile', label: 'Manage profiles…' },
  },
  ja: {
    refresh: { phrase: '新しいセッションを取得する', label: '今すぐ更新' },
    'refresh-with-code': { phrase: 'コードを指定する', label: '今すぐ更新' },
    'set-totp': { phrase: 'デバイスのシークレットを登録する', label: 'TOTP シークレットを登録…' },
    'remove-totp': { phrase: 'TOTP シークレットを削除する', label: 'プロファイルの管理…' },
    'add-key': { phrase: 'キーを保存し直す', label: 'キーを保存し直す…' },
    'import-key': { phrase: '認証情報ファイルからインポートする', label: 'プロファイルの管理…' },
    'edit-target': { phrase: '別の書き込み先セクションを選ぶ', label: 'プロファイルを編集…' },
    'unlock-keychain': { phrase: 'キーチェーンのロックを解除してから再試行する', label: '再試行' },
    'add-profile': { phrase: 'プロファイルを追加する', label: 'プロファイルを追加…' },
    diagnose: { phrase: 'AWS に接続できるようになったらプロファイルを診断する', label: 'プロファイルの管理…' },
  },
};
