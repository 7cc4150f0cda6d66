/**
 * Japanese for the engine's English messages.
 *
 * The engine and `main/common/validation.ts` speak English: each refused field carries a stable
 * `field` + `rule` + `params`, each error a stable `code`. In English the windows show the engine's
 * own message (the very words the command prints); in Japanese they build it from these tables.
 */
import type { ErrorCode } from '../../main/common/errors';
import type { ValidationRule } from '../../main/common/validation';

/** Field names as the Japanese messages call them. */
export const FIELD_LABELS_JA: Readonly<Record<string, string>> = {
  name: 'プロファイル名',
  targetSection: '書き込み先セクション',
  mfaSerial: 'MFA デバイス',
  durationSeconds: 'セッションの長さ',
  region: 'リージョン',
  autoRefresh: '自動更新',
  accessKeyId: 'アクセスキー ID',
  secretAccessKey: 'シークレットアクセスキー',
  code: 'MFA コード',
  totpSecret: 'TOTP シークレット',
  notifyBeforeMinutes: '期限前の通知（分）',
  autoRefreshBeforeMinutes: '期限前の自動更新（分）',
  clipboardClearSeconds: 'クリップボードの消去（秒）',
  launchAtLogin: 'ログイン時に起動',
  language: '言語',
  fromSection: 'インポート元セクション',
  section: 'セクション',
};

/** What each field allows, as the end of a message ("…を使ってください"). */
export const FIELD_ALLOWED_JA: Readonly<Record<string, string>> = {
  name: 'A–Z a–z 0–9 _ . @ + % : / - の文字を 1〜64 文字で入力してください',
  targetSection: 'A–Z a–z 0–9 _ . @ + % : / - の文字を 1〜64 文字で入力してください',
  mfaSerial:
    '仮想 MFA デバイスの ARN（arn:aws:iam::<12 桁のアカウント ID>:mfa/<名前>。パーティションは aws・aws-cn・aws-us-gov）か、' +
    'ハードウェアデバイスのシリアル番号（A–Z a–z 0–9 _ + = / : , . @ - の 9〜256 文字）を入力してください',
  durationSeconds: '900（15 分）〜129600（36 時間）の秒数を整数で、または 90m・12h・1h30m のように入力してください。ルートユーザーは最大 3600（1 時間）です',
  region: 'us-east-1、ap-northeast-1、cn-north-1、us-gov-west-1 のようなリージョンコードを入力してください',
  autoRefresh: 'オンかオフを選んでください',
  accessKeyId: 'IAM ユーザーの長期アクセスキー ID（AKIA で始まり A–Z 2–7 が続く 20 文字）を入力してください',
  secretAccessKey: 'キーの作成時に AWS が表示した 40 文字（A–Z a–z 0–9 / +）をそのまま入力してください',
  code: 'MFA デバイスに今表示されている 6 桁の数字を入力してください',
  notifyBeforeMinutes: '0（事前に通知しない）〜120 の分数を整数で入力してください',
  autoRefreshBeforeMinutes: '1〜120 の分数を整数で入力してください',
  clipboardClearSeconds: '0（消去しない）〜3600 の秒数を整数で入力してください',
  launchAtLogin: 'オンかオフを選んでください',
  language: '自動・English・日本語 から選んでください',
};

/** What is wrong, by rule. `{label}` is the field's name; other placeholders are the params. */
export const RULES_JA: Readonly<Record<ValidationRule, string>> = {
  required: '{label}が入力されていません。',
  type: '{label}の値の種類が正しくありません。',
  'control-character': '{label}から改行や制御文字を取り除いてください。',
  length: '{label}の長さが正しくありません（{actual} 文字）。',
  characters: '{label}に「{character}」は使えません。',
  format: '{label}の形式が正しくありません。',
  partition: '{label}のパーティション「{partition}」には対応していません。aws・aws-cn・aws-us-gov の ARN か、ハードウェアのシリアル番号を使ってください。',
  'security-key':
    'これはセキュリティキー（FIDO、…:u2f/…）です。セキュリティキーは STS が受け付けるコードを生成しません。仮想またはハードウェアの TOTP デバイスを使ってください。',
  'not-mfa-device':
    'これは MFA デバイスではなく{resource}の ARN です。デバイスの ARN（IAM > ユーザー > セキュリティ認証情報 > 多要素認証）、arn:aws:iam::<12 桁のアカウント ID>:mfa/<名前> を入力してください。',
  'temporary-key':
    'ASIA で始まるアクセスキー ID はセッションの一時的なキーで、長期キーではありません。AKIA で始まる IAM ユーザー自身のアクセスキー（IAM > ユーザー > セキュリティ認証情報 > アクセスキー）を使ってください。',
  integer: '{label}が整数ではありません。',
  range: '{label}が範囲（{min}〜{max}）の外です。',
  choice: '{label}の値が選択肢にありません。',
  'unknown-field': '「{label}」という項目はありません。',
  'partition-mismatch':
    'リージョンが MFA デバイスのパーティション {partition} に属していないため、その STS はこのキーを知りません。{example} など {partition} のリージョンを使ってください。',
  immutable: '{label}は変更できません。新しい名前でプロファイルを追加し、古いものを削除してください。',
  'in-use': '{label}はプロファイル「{profile}」がすでに使っています。',
  reserved: 'この名前は予約されています（botocore は [DEFAULT] をすべてのプロファイルに適用します）。別の名前を選んでください。',
};

/** The rule `reserved` for a name of a JavaScript object member (its `kind` param), not DEFAULT. */
export const RESERVED_OBJECT_MEMBER_JA =
  'この名前は予約されています（JS SDK は constructor や toString など JavaScript のオブジェクトのメンバー名を読み違えます）。別の名前を選んでください。';

/** Rules whose message is complete without the field's "what is allowed". */
export const RULES_WITHOUT_ALLOWED_JA: ReadonlySet<ValidationRule> = new Set<ValidationRule>([
  'partition',
  'security-key',
  'not-mfa-device',
  'temporary-key',
  'partition-mismatch',
  'immutable',
  'in-use',
  'reserved',
  'unknown-field',
]);

/** The engine's errors, by code. */
export const ERRORS_JA: Readonly<Record<ErrorCode | 'bad-request' | 'forbidden', string>> = {
  'invalid-input': '入力された値を受け付けられませんでした。',
  'not-found': '見つかりません。',
  'already-exists': '同じ名前のプロファイルがすでにあります。別の名前にするか、先にそのプロファイルを削除してください。',
  'keychain-unavailable':
    'OS のキーチェーンに接続できません。Linux では gnome-keyring や KeePassXC などの Secret Service が起動し、ロック解除されている必要があります。平文で保存する代わりの方法はありません。',
  'keychain-locked': 'OS のキーチェーンがロックされています。デスクトップでロックを解除してから、もう一度試してください。',
  'keychain-timeout': 'キーチェーンが時間内に応答しませんでした。ロック解除のダイアログが開いていないか確認して、もう一度試してください。',
  'keychain-entry-corrupt': 'キーチェーンの項目が MFA Tray の書いたものではありません（外部で変更されたか壊れています）。キーを保存し直してください。',
  'no-long-lived-key': 'このプロファイルにはアクセスキーが保存されていません。プロファイルを編集してキーを保存してください。',
  'settings-file': '設定ファイルを使えません（壊れている、新しいバージョンのもの、または読めません）。ファイルはそのままにしてあります。',
  'credentials-file': '認証情報ファイルを読み書きできませんでした。ファイルはそのままにしてあります。',
  'session-not-in-file':
    'MFA Tray が持っているセッションが認証情報ファイルにありません（別のツールがファイルを書き換えたか、更新時に書き込めませんでした）。ファイルを読む AWS ツールはこのセッションを使えません。もう一度更新すると、新しいセッションがファイルに書き込まれます。',
  'long-lived-section': '書き込み先のセクションには長期キーが入っているため、上書きしませんでした。別のセクションを選んでください。',
  'lock-timeout': '別のプロセスが認証情報ファイルを長くロックしています。しばらくしてからもう一度試してください。',
  'sts-invalid-code': 'AWS がこのコードを拒否しました（コードの誤りか、使用済みのコード）。MFA デバイスに次のコードが出たら、もう一度入力してください。',
  'totp-code-refused':
    'AWS は、登録された TOTP シークレットから作ったコードを拒否しました。シークレットがこの MFA デバイスのものではない可能性があります（別のデバイスのもの、またはデバイスが作り直された）。デバイスのシークレットを登録し直してください。',
  'sts-wrong-device':
    'AWS はこの MFA デバイスでコードを確認できませんでした。このデバイスはアクセスキーの IAM ユーザーに割り当てられていません。プロファイルの MFA デバイスを確認してください（IAM コンソール > ユーザー > セキュリティ認証情報 > 多要素認証）。',
  'sts-session-credentials':
    '保存されているアクセスキーはセッションの一時的なキーで、長期キーではありません。AKIA で始まる IAM ユーザーの長期アクセスキーを保存してください。',
  'sts-invalid-key':
    'AWS はこのアクセスキーを認識しません。削除・無効化されたか、入力を間違えています。IAM ユーザーの新しいアクセスキーを作成して（または有効に戻して）保存し直してください。',
  'sts-bad-signature':
    'AWS がリクエストの署名を拒否しました。保存されているシークレットアクセスキーがアクセスキー ID と対応していません。40 文字を正確にコピーして保存し直してください。',
  // One code, three cases (AWS refused a request's time; a generated code made before a clock jump;
  // this clock so far ahead that a new session would look expired here): the words fit all three,
  // and the engine's English message under them says which.
  'clock-skew': 'このコンピューターの時計が AWS の時刻とずれています。システム設定で日付と時刻の自動設定をオンにしてから、もう一度試してください。',
  'sts-throttled': 'AWS がこのアカウントの STS リクエストを制限しています（rate exceeded）。1 分ほど待ってからもう一度試してください。',
  'sts-validation': 'AWS が範囲外の値を拒否しました。プロファイルのセッションの長さと MFA デバイス、コードを確認してください。',
  'sts-denied': 'AWS がリクエストを拒否しました。IAM ユーザーのポリシーを確認してください。',
  'sts-unavailable':
    'AWS（STS）に接続できないか、正しい応答がありませんでした。ネットワーク（VPN・プロキシ・ファイアウォール、ホテルなどの Wi-Fi のログイン）を確認して、もう一度試してください。',
  'code-reused': 'このデバイスの今のコードはすでに使われました。MFA デバイスに次のコードが表示されるまで待ってください（最大 30 秒）。',
  'code-required': 'このプロファイルには TOTP シークレットが登録されていないため、MFA デバイスのコードの入力が必要です。',
  yubikey: 'YubiKey からコードを読めませんでした（ykman・キー・アカウントがない、またはタッチされませんでした）。コードを入力して更新してください。',
  'code-command': 'AWS 設定ファイルの mfa_process（コードを出すコマンド）が失敗したか、6 桁のコードを出しませんでした。コードを入力して更新してください。',
  'invalid-totp-secret':
    'この TOTP シークレットは AWS では使えません。仮想 MFA デバイスの設定時に AWS が表示した base32 のシークレット（「シークレットキーを表示」）か、その otpauth://totp/ URI を入力してください。AWS の仮想 MFA は SHA-1・6 桁・30 秒です。',
  'no-session': 'このプロファイルには現在のセッションがありません。先にセッションを更新してください。',
  internal: 'MFA Tray の内部で問題が起きました。何も変更されていません。もう一度試して、続くようなら報告してください。',
  'bad-request': 'ウィンドウから MFA Tray への要求が正しくありませんでした。ウィンドウを閉じて開き直してください。',
  forbidden: 'このウィンドウにはその操作が許可されていません。',
};

/**
 * Errors that say something else about one field, by `code:field` (looked up before
 * {@link ERRORS_JA}).
 */
export const FIELD_ERRORS_JA: Readonly<Record<string, string>> = {
  // settings-store.ts: no profile of the name asked for (the English under it names it, and those there are).
  'not-found:name': 'その名前のプロファイルはありません。',
  // engine/aws/mfa-devices.ts: the policy lets no key without MFA list its user's devices.
  'sts-denied:mfaSerial':
    'この IAM ユーザーのポリシーでは、MFA なしのキーで MFA デバイスを一覧できません（iam:ListMFADevices）。' +
    'デバイスの ARN かシリアル番号を入力してください。IAM コンソールの「ユーザー › 自分のユーザー › セキュリティ認証情報 › 多要素認証」にあります。',
};
