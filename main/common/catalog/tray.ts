/**
 * Every word the tray app shows outside its windows (the menu, the icon's tooltip, notifications,
 * dialogs), in English and Japanese. The windows have their own catalogs (renderer/lib/); the
 * remedies' words are shared by all surfaces (remedies.ts). A test renders every surface in Japanese
 * and fails on an English word left over.
 */
import type { ErrorCode } from '../errors';
import type { Language } from './language';
import type { FailureKind } from '../session-state';

export interface TrayWords {
  /** Time left, rounded down: "11h 42m", "42m", "less than 1m". */
  readonly remaining: (hours: number, minutes: number) => string;
  readonly lessThanAMinute: string;
  readonly menu: {
    readonly noSession: string;
    /** A role profile's heading: its name and its source. */
    readonly role: (name: string, source: string) => string;
    readonly left: (remaining: string, until: string) => string;
    readonly expiredAt: (time: string) => string;
    readonly refreshing: string;
    /** A failed state by what it is (session-state.ts, failureKind); `not-in-file`: a session MFA Tray has that the credentials file does not hold. */
    readonly failed: Readonly<Record<FailureKind, string>>;
    /** A failed state with the time a session still has: the one before a refresh that failed, or (not-in-file) the one the file lacks. */
    readonly failedLeft: (kind: FailureKind, left: string) => string;
    readonly refreshNow: string;
    readonly copyExports: string;
    readonly envFile: string;
    readonly forgetSession: string;
    readonly refreshAll: string;
    readonly manageProfiles: string;
    readonly settings: string;
    readonly launchAtLogin: string;
    readonly installCommandLineTool: string;
    readonly about: (product: string) => string;
    readonly quit: (product: string) => string;
    readonly noProfiles: string;
    /** While the engine starts (a keychain prompt may be waiting for the person). */
    readonly loading: string;
  };
  readonly tooltip: {
    readonly noProfiles: (product: string) => string;
    readonly noSession: string;
    readonly left: (remaining: string) => string;
    readonly expired: string;
    readonly refreshing: string;
    readonly failed: Readonly<Record<FailureKind, string>>;
  };
  readonly notification: {
    readonly expiringTitle: (profile: string, remaining: string) => string;
    readonly expiringBody: (time: string) => string;
    readonly expiredTitle: (profile: string) => string;
    readonly expiredBody: (time: string) => string;
    readonly failedTitle: (profile: string) => string;
    readonly failedBody: (reason: string) => string;
    readonly failedBodyWithRemedy: (reason: string, remedy: string) => string;
    readonly nothingCopied: (profile: string) => string;
    readonly notForgotten: (profile: string) => string;
    /** Forget session left the section's session: another tool's (`keyId`: its access key ID, masked). */
    readonly otherSessionLeft: (profile: string) => string;
    readonly otherSessionLeftBody: (section: string, keyId: string | undefined) => string;
    readonly touchYubikey: (profile: string) => string;
    readonly touchYubikeyBody: string;
  };
  readonly dialog: {
    readonly cannotKeepFresh: (product: string) => string;
    readonly settingNotChanged: string;
    readonly commandNotInstalled: string;
    readonly launchAtLoginNotChanged: string;
    readonly installed: (command: string) => string;
    readonly installedAlready: (command: string) => string;
    readonly installedAt: (path: string) => string;
    readonly tryIt: (command: string) => string;
    readonly notOnPath: (folder: string) => string;
  };
  /** A failure nobody foresaw (its text could hold anything, so it is not shown). */
  readonly unexpected: string;
  /**
   * Failures in this language, by the engine's code; the English ones are the engine's own messages
   * (the facts), so English has none here. Short: they go on a menu line under the profile's name.
   */
  readonly failures: Partial<Readonly<Record<ErrorCode, string>>>;
}

const EN_FAILED: Readonly<Record<FailureKind, string>> = {
  'refresh-failed': 'refresh failed',
  'not-in-file': 'not in the credentials file',
  'keychain-locked': 'keychain locked',
  'keychain-unavailable': 'keychain unavailable',
  'keychain-timeout': 'keychain not answering',
  'keychain-entry-damaged': 'keychain entry damaged',
};

const JA_FAILED: Readonly<Record<FailureKind, string>> = {
  'refresh-failed': '更新に失敗',
  'not-in-file': '認証情報ファイルにない',
  'keychain-locked': 'キーチェーンがロック中',
  'keychain-unavailable': 'キーチェーンを使えない',
  'keychain-timeout': 'キーチェーンが応答しない',
  'keychain-entry-damaged': 'キーチェーンの項目が壊れている',
};

const en: TrayWords = {
  remaining: (hours, minutes) => (hours === 0 ? `${minutes}m` : `${hours}h ${String(minutes).padStart(2, '0')}m`),
  lessThanAMinute: 'less than 1m',
  menu: {
    noSession: 'no session',
    role: (name, source) => `${name} (role, from ${source})`,
    left: (remaining, until) => `${remaining} left, until ${until}`,
    expiredAt: (time) => `expired at ${time}`,
    refreshing: 'refreshing…',
    failed: EN_FAILED,
    failedLeft: (kind, left) => `${EN_FAILED[kind]}; ${left}`,
    refreshNow: 'Refresh now',
    copyExports: 'Copy exports',
    envFile: '.env file',
    forgetSession: 'Forget session',
    refreshAll: 'Refresh all',
    manageProfiles: 'Manage profiles…',
    settings: 'Settings…',
    launchAtLogin: 'Launch at login',
    installCommandLineTool: 'Install command line tool…',
    about: (product) => `About ${product}`,
    quit: (product) => `Quit ${product}`,
    loading: 'Loading… (the keychain may be asking for your password)',
    noProfiles: 'No profiles yet: add one in Manage profiles…',
  },
  tooltip: {
    noProfiles: (product) => `${product}: no profiles yet`,
    noSession: 'no session',
    left: (remaining) => `${remaining} left`,
    expired: 'expired',
    refreshing: 'refreshing',
    failed: EN_FAILED,
  },
  notification: {
    expiringTitle: (profile, remaining) => `${profile}: session expires in ${remaining}`,
    expiringBody: (time) => `Its credentials run out at ${time}. Click to refresh.`,
    expiredTitle: (profile) => `${profile}: session expired`,
    expiredBody: (time) => `Its credentials ran out at ${time}; AWS tools using it now fail. Click to refresh.`,
    failedTitle: (profile) => `${profile}: refresh failed`,
    failedBody: (reason) => `${reason} Click to try again.`,
    failedBodyWithRemedy: (reason, remedy) => `${reason} Click: ${remedy}`,
    nothingCopied: (profile) => `${profile}: nothing was copied`,
    notForgotten: (profile) => `${profile}: the session was not forgotten`,
    otherSessionLeft: (profile) => `${profile}: another tool's session was left in the credentials file`,
    otherSessionLeftBody: (section, keyId) =>
      `MFA Tray's own session is forgotten. [${section}] holds another tool's session${keyId ? ` (${keyId})` : ''}, left as it is.`,
    touchYubikey: (profile) => `${profile}: touch your YubiKey`,
    touchYubikeyBody: 'It is waiting to give the MFA code.',
  },
  dialog: {
    cannotKeepFresh: (product) => `${product} cannot keep sessions fresh right now.`,
    settingNotChanged: 'The setting was not changed.',
    commandNotInstalled: 'The command line tool was not installed.',
    launchAtLoginNotChanged: 'Launch at login could not be changed.',
    installed: (command) => `Installed the command ${command}.`,
    installedAlready: (command) => `The command ${command} is installed already.`,
    installedAt: (path) => `It is ${path}.`,
    tryIt: (command) => `Try: ${command} status`,
    notOnPath: (folder) => `Its folder is not on your PATH yet: add ${folder} to PATH in your shell's profile, then open a new terminal.`,
  },
  unexpected: 'Something went wrong in MFA Tray; nothing was changed. Try again, and report it if it keeps happening.',
  failures: {
    'keychain-locked': 'The keychain is locked.',
    'long-lived-section': 'The target section holds a long-lived key, which MFA Tray does not overwrite.',
    // The engine's message names the file's path and what the section holds: too long for a menu line.
    'session-not-in-file': 'AWS tools that read the credentials file do not get this session.',
  },
};

const ja: TrayWords = {
  remaining: (hours, minutes) => (hours === 0 ? `${minutes} 分` : `${hours} 時間 ${String(minutes).padStart(2, '0')} 分`),
  lessThanAMinute: '1 分未満',
  menu: {
    noSession: 'セッションなし',
    role: (name, source) => `${name}（${source} のロール）`,
    left: (remaining, until) => `残り ${remaining}（${until} まで）`,
    expiredAt: (time) => `${time} に期限切れ`,
    refreshing: '更新中…',
    failed: JA_FAILED,
    failedLeft: (kind, left) => (kind === 'not-in-file' ? `${JA_FAILED[kind]}。${left}` : `${JA_FAILED[kind]}。前のセッションは${left}`),
    refreshNow: '今すぐ更新',
    copyExports: 'export 行をコピー',
    envFile: '.env ファイル',
    forgetSession: 'セッションを破棄',
    refreshAll: 'すべて更新',
    manageProfiles: 'プロファイルの管理…',
    settings: '設定…',
    launchAtLogin: 'ログイン時に起動',
    installCommandLineTool: 'コマンドラインツールをインストール…',
    about: (product) => `${product} について`,
    quit: (product) => `${product} を終了`,
    loading: '読み込み中…（キーチェーンがパスワードを求めているかもしれません）',
    noProfiles: 'プロファイルはまだありません。「プロファイルの管理…」で追加してください',
  },
  tooltip: {
    noProfiles: (product) => `${product}: プロファイルなし`,
    noSession: 'セッションなし',
    left: (remaining) => `残り ${remaining}`,
    expired: '期限切れ',
    refreshing: '更新中',
    failed: JA_FAILED,
  },
  notification: {
    expiringTitle: (profile, remaining) => `${profile}: セッションの残りは ${remaining}`,
    expiringBody: (time) => `認証情報は ${time} に切れます。クリックすると更新します。`,
    expiredTitle: (profile) => `${profile}: セッションの期限が切れました`,
    expiredBody: (time) => `認証情報は ${time} に切れました。これを使う AWS のツールは失敗します。クリックすると更新します。`,
    failedTitle: (profile) => `${profile}: 更新に失敗しました`,
    failedBody: (reason) => `${reason} クリックすると再試行します。`,
    failedBodyWithRemedy: (reason, remedy) => `${reason} クリック: ${remedy}`,
    nothingCopied: (profile) => `${profile}: コピーしませんでした`,
    notForgotten: (profile) => `${profile}: セッションを破棄できませんでした`,
    otherSessionLeft: (profile) => `${profile}: 別のツールのセッションを認証情報ファイルに残しました`,
    otherSessionLeftBody: (section, keyId) =>
      `MFA Tray のセッションは破棄しました。[${section}] には別のツールのセッション${keyId ? `（${keyId}）` : ''}があり、そのまま残しています。`,
    touchYubikey: (profile) => `${profile}: YubiKey にタッチしてください`,
    touchYubikeyBody: 'MFA コードを出すために待っています。',
  },
  dialog: {
    cannotKeepFresh: (product) => `${product} は今セッションを更新し続けられません。`,
    settingNotChanged: '設定は変更されませんでした。',
    commandNotInstalled: 'コマンドラインツールはインストールされませんでした。',
    launchAtLoginNotChanged: 'ログイン時の起動を変更できませんでした。',
    installed: (command) => `コマンド ${command} をインストールしました。`,
    installedAlready: (command) => `コマンド ${command} はインストール済みです。`,
    installedAt: (path) => `場所: ${path}。`,
    tryIt: (command) => `試すには: ${command} status`,
    notOnPath: (folder) => `そのフォルダーはまだ PATH にありません。シェルの設定で ${folder} を PATH に加え、新しいターミナルを開いてください。`,
  },
  unexpected: 'MFA Tray で問題が起きました。何も変更されていません。もう一度試し、続くようなら報告してください。',
  failures: {
    'invalid-input': '入力された値は使えません。',
    'not-found': 'プロファイルかセクションが見つかりません。',
    'already-exists': '同じ名前のプロファイルがすでにあります。',
    'keychain-unavailable': 'キーチェーンに接続できません。',
    'keychain-locked': 'キーチェーンがロックされています。',
    'keychain-timeout': 'キーチェーンが応答しません。',
    'keychain-entry-corrupt': 'キーチェーンの項目が壊れています。',
    'no-long-lived-key': 'アクセスキーが保存されていません。',
    'settings-file': '設定ファイルを使えません。変更はしていません。',
    'credentials-file': '認証情報ファイルを読み書きできません。変更はしていません。',
    'session-not-in-file': 'このセッションは認証情報ファイルにありません。ファイルを読む AWS ツールは使えません。',
    'long-lived-section': '書き込み先セクションに長期キーがあります。',
    'lock-timeout': '別の MFA Tray がファイルを使用中です。しばらくして再試行してください。',
    'sts-invalid-code': 'コードが違うか、使用済みです。MFA デバイスの次のコードを入力してください。',
    'totp-code-refused': '登録された TOTP シークレットから作ったコードが拒否されました。デバイスのシークレットを登録し直してください。',
    'sts-wrong-device': 'MFA デバイスがこのユーザーのものではありません。',
    'sts-session-credentials': '保存されたキーは一時キー（ASIA…）です。長期キーが必要です。',
    'sts-invalid-key': 'アクセスキーが無効です（削除・無効化・入力ミス）。',
    'sts-bad-signature': 'シークレットアクセスキーがキー ID と合いません。',
    'clock-skew': 'このコンピューターの時計がずれています。',
    'sts-throttled': 'STS が混み合っています。自動で再試行します。',
    'sts-validation': 'STS が値を受け付けませんでした（セッションの長さなど）。',
    'sts-denied': 'STS に拒否されました。',
    'sts-unavailable': 'STS に接続できません。ネットワークを確認してください。',
    'code-reused': 'このコードは送信済みです。次のコードを待ってください。',
    'code-required': 'MFA コードが必要です。',
    'code-command': 'コードを出すコマンド（mfa_process）が失敗しました。',
    yubikey: 'YubiKey からコードを読めませんでした。',
    'invalid-totp-secret': 'TOTP シークレットが使えません。',
    'no-session': '現在のセッションがありません。',
    internal: 'MFA Tray で問題が起きました。何も変更されていません。',
  },
};

export const TRAY_WORDS: Readonly<Record<Language, TrayWords>> = { en, ja };
