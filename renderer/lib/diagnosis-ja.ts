/**
 * doctor's findings in Japanese, from the data each check carries (`main/common/diagnosis.ts`); the
 * engine's English words for the same findings are `engine/doctor.ts`'s. Paths, key ids, ARNs and
 * commands are put in as they are; an engine error found is worded as the windows word it
 * (`errorText`), with its English message under it where that names specifics.
 */
import type { AwsCliReadProblem, DiagnosisWords, FoundError, NotOwnEntry, RoundedSpan } from '../../main/common/diagnosis';
import type { I18n } from './i18n';
import { errorText } from './messages';

/** A finding as a Japanese window says it. */
export interface DiagnosisText {
  readonly message: string;
  /** What to do; undefined when there is nothing, or when it is the engine's English fix (a file's own remedy, which no table can word). */
  readonly fix?: string;
  /** English words shown under the message: the specifics (a path, a file's own reason) it leaves out. */
  readonly detail?: string;
}

const AGAIN = 'その後、「再チェック」を押してください。';
const WHEN_REACHABLE = 'AWS に接続できるようになったら、「再チェック」を押してください。';
const SEE_FILES = '「AWS のファイル」のチェックを見てください。';
const CANNOT_READ = 'AWS CLI はこのファイルを読めません。';

/**
 * The finding in Japanese. `english`: the check's English message, shown under findings whose own
 * reason (a file's, an engine error's that names specifics) no table can word.
 */
export function diagnosisJa(i18n: I18n, words: DiagnosisWords, english: string): DiagnosisText {
  const refresh = (command: string | null): string => command ?? SEE_FILES;
  /** An engine error as the windows word it; `unexpected`: what to say of one that is no MfaTrayError. */
  const failure = (error: FoundError, unexpected: string): { readonly text: string; readonly detail?: string } => {
    if (error.code === 'internal') return { text: unexpected, detail: error.message };
    const shown = errorText(i18n, error);
    return shown.detail === undefined ? { text: shown.text } : { text: shown.text, detail: shown.detail };
  };
  switch (words.id) {
    case 'settings-unreadable':
      return withDetail(failure(words.error, 'MFA Tray の設定ファイルを読めませんでした。'));
    case 'no-such-profile':
      return { message: `プロファイル「${words.profile}」はありません。`, fix: 'mfa-tray list でプロファイルの一覧を確かめてください。' };
    case 'environment-shadowed': {
      const them = words.names.length === 1 ? 'これ' : 'これら';
      return {
        message:
          `この環境で ${words.names.join('、')} が設定されています。AWS CLI と SDK はどのプロファイルよりも先に${them}を使うため、` +
          'MFA セッションは使われません（更新後に「AccessDenied」となるよくある原因です）。',
        fix: `unset ${words.names.join(' ')}`,
      };
    }
    case 'environment-clear':
      return { message: 'プロファイルより優先される AWS の認証情報は、この環境にありません。' };
    case 'aws-profile-set':
      return {
        message: `AWS_PROFILE=${words.value} により、このシェルのすべての AWS コマンドがこのプロファイルを使います。`,
        fix: '意図したものでなければ unset AWS_PROFILE を実行してください。',
      };
    case 'aws-profile-ours':
      return {
        message:
          words.profile === words.value
            ? `AWS_PROFILE=${words.value}: このシェルの AWS コマンドは MFA Tray のプロファイル ${words.value} を使います。`
            : `AWS_PROFILE=${words.value}: このシェルの AWS コマンドはプロファイル ${words.value} を使い、credential_process で MFA Tray のプロファイル ${words.profile} を得ます。`,
      };
    case 'keychain-ok':
      return { message: 'キーチェーンは応答し、ロックも解除されています。' };
    case 'keychain-unreadable':
      return {
        ...withDetail(failure(words.error, 'キーチェーンを読めませんでした。')),
        fix: `キーチェーンのロックを解除して（またはそのサービスを起動して）ください。${AGAIN}`,
      };
    case 'key-unreadable':
      return {
        ...withDetail(failure(words.error, '保存されたアクセスキーを読めませんでした。')),
        fix: `キーを保存し直してください: ${words.commands.join('、または ')}`,
      };
    case 'key-missing':
      return { message: 'アクセスキーが保存されていません。', fix: `キーを保存してください: ${words.commands.join('、または ')}` };
    case 'key-not-long-lived':
      return {
        message: `保存されたキー ${words.key} は IAM ユーザーの長期アクセスキー（AKIA…）ではありません。`,
        fix: `IAM ユーザー自身のアクセスキー（AKIA…）で実行してください: ${words.command}`,
      };
    case 'key-refused': {
      const { text, detail } = failure(words.error, 'AWS がこのキーを受け付けませんでした。');
      return { message: `${words.key}: ${text}`, ...(detail === undefined ? {} : { detail }), fix: `使えるキーで実行してください: ${words.command}` };
    }
    case 'key-unchecked': {
      const { text, detail } = failure(words.error, 'AWS に問い合わせられませんでした。');
      return {
        message: `${words.key} を確かめられませんでした: ${text}`,
        ...(detail === undefined ? {} : { detail }),
        ...(words.temporary ? { fix: WHEN_REACHABLE } : {}),
      };
    }
    case 'key-ok':
      return { message: `${words.key} は有効な長期アクセスキーです: ${words.arn}` };
    case 'device-other-account':
      return {
        message:
          `MFA デバイス ${words.device} はアカウント ${words.deviceAccount} のもので、キーのユーザーはアカウント ${words.keyAccount} にいます。` +
          'STS はどのコードも拒否します。',
        fix: `${words.arn} の MFA デバイスを指定してください: mfa-tray edit ${words.profile} --mfa-serial <デバイス>`,
      };
    case 'device-ok':
      return { message: `${words.device} はこのユーザーの MFA デバイスです。` };
    case 'device-not-listed':
      return {
        message: `${words.device} はこのユーザーの MFA デバイスではありません（登録済み: ${words.devices.length === 0 ? 'なし' : words.devices.join('、')}）。`,
        fix: `そのいずれかを指定してください: mfa-tray edit ${words.profile} --mfa-serial <デバイス>`,
      };
    case 'device-not-checked':
      return { message: `${words.device} を確かめられませんでした。ポリシーで、MFA なしでの MFA デバイスの一覧取得が許可されていません。` };
    case 'clock-unknown':
      return clockUnknown(words.because);
    case 'clock-ok':
      return { message: `このコンピューターの時計と AWS の時計の差は ${words.withinSeconds} 秒以内です${measured(words.agoMinutes)}。` };
    case 'clock-off':
      return {
        message:
          `このコンピューターの時計は AWS の時計より${spanJa(words.by)}${words.ahead ? '進んでいます' : '遅れています'}${measured(words.agoMinutes)}。` +
          (words.refused
            ? 'これほどずれた時刻で署名したリクエストを AWS は拒否します。'
            : 'MFA Tray はこのずれを補正しますが、ほかのツールは補正しないことがあります。'),
        fix: 'システム設定で日付と時刻の自動設定をオンにしてください。',
      };
    case 'file-cli-cannot-read':
      return cliCannotRead(words.path, words.problem);
    case 'file-unreadable':
      return {
        message: `${words.path} を読めませんでした。AWS CLI と SDK も読めません。`,
        detail: english,
        fix: `${words.path} を読める通常のファイルにするか、AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE でほかのファイルを指定してください。`,
      };
    case 'credentials-readable-by-others':
      return { message: `${words.path} はほかのユーザーも読めます（モード ${words.mode}）。`, fix: `chmod 600 ${words.path}` };
    case 'credentials-unwritable':
      return { message: '認証情報ファイルにセッションを書き込めません。更新は MFA コードを送る前に中断されます。', detail: english };
    case 'config-dir-not-own':
      return {
        message:
          `${words.dir} に、あなただけのものではないファイルやフォルダーがあります: ${words.entries.map(notOwnJa).join('、')}。` +
          'MFA Tray はそれらを更新できないことがあり、その中の MFA Tray の記録も無視します（たとえば更新失敗の記録が無視されると、障害後の待機が効かなくなります）。',
        fix: words.command,
      };
    case 'section-twice':
      return {
        message: `${words.path} に [${words.section}] が ${words.count} 回あります。${CANNOT_READ}`,
        fix: `[${words.section}] のセクションを 1 つにまとめてください。`,
      };
    case 'long-lived-in-target':
      return {
        message:
          `${words.path} の [${words.section}] に長期アクセスキーがあります${words.withToken ? '（セッショントークンも一緒にあります）' : ''}。` +
          `プロファイル ${words.profile} のセッションはこのセクションに書き込まれます。`,
        fix: `${words.command} を実行するか、プロファイルに別の書き込み先セクション（--target）を指定してください。`,
      };
    case 'config-serial-differs':
      return {
        message: `${words.path} の [profile ${words.profile}] は mfa_serial = ${words.serial} ですが、MFA Tray のプロファイルは ${words.ours} を使います。`,
        fix: `どちらかに揃えてください（mfa-tray edit ${words.profile} --mfa-serial …、または config ファイルを編集）。`,
      };
    case 'credentials-elsewhere':
      return {
        message:
          `${words.path} の [${words.section}] に ${words.key} があります。AWS CLI は --profile ${words.target} の認証情報をその方法で得るため、` +
          `MFA Tray が ${words.credentialsPath} の [${words.target}] に書き込むセッションは使われません。`,
        fix:
          `[${words.section}] から ${words.key}（とそれに伴う設定）を削除するか、` +
          `プロファイル ${words.profile} に別の書き込み先セクションを指定してください（mfa-tray edit ${words.profile} --target …）。`,
      };
    case 'credential-process-ok':
      return { message: `[${words.section}] は ${words.program} を実行します。` };
    case 'credential-process-missing':
      return {
        message:
          `${words.path} の [${words.section}] が実行する「${words.program}」${words.onPath ? 'が PATH にありません' : 'は存在しないか、実行できません'}。` +
          'そのプロファイルを使う AWS コマンドはすべて失敗します。',
        fix: 'mfa-tray を PATH に追加するか（README を参照）、credential_process にフルパスを書いてください。',
      };
    case 'credential-process-unnamed':
      return {
        message:
          `${words.path} の [${words.section}] はプロファイルを指定せずに mfa-tray credential-process を実行します。` +
          'AWS CLI はプロファイルをこのコマンドに渡さないため、AWS_PROFILE が MFA Tray のプロファイルを指していなければ失敗します。',
        fix: 'その行にプロファイルを指定してください（mfa-tray credential-process <プロファイル>）。',
      };
    case 'credential-process-no-profile':
      return {
        message:
          `${words.path} の [${words.section}] は mfa-tray credential-process ${words.profile} を実行しますが、MFA Tray にプロファイル ${words.profile} はありません。` +
          'そのプロファイルを使う AWS コマンドはすべて失敗します。',
        fix: `プロファイルを追加するか（mfa-tray add ${words.profile} …）、その行に MFA Tray のプロファイル（mfa-tray list）を指定してください。`,
      };
    case 'files-ok':
      return { message: `${fileOk(words.credentialsPath, words.credentialsMissing)}。${fileOk(words.configPath, words.configMissing)}。` };
    case 'session-valid':
      return { message: `セッションの残りは ${i18n.formatSpan(words.leftMs)} です。` };
    case 'session-ending':
      return { message: `セッションの残りは ${i18n.formatSpan(words.leftMs)} で、まもなく期限切れになります。`, fix: refresh(words.refresh) };
    case 'session-failed': {
      const { text, detail } = failure(words.error, '前回の更新に失敗しました。');
      return { message: `前回の更新に失敗しました: ${text}`, ...(detail === undefined ? {} : { detail }), fix: refresh(words.refresh) };
    }
    case 'session-refreshing':
      return { message: '更新中です。' };
    case 'session-expired':
      return { message: 'セッションの期限が切れています。', fix: refresh(words.refresh) };
    case 'session-none':
      return { message: 'セッションはまだありません。', fix: refresh(words.refresh) };
    case 'session-unreadable':
      return withDetail(failure(words.error, 'セッションを読めませんでした。'));
    case 'session-not-in-file':
      return {
        message:
          `MFA Tray が持つ ${words.profile} のセッション（残り ${i18n.formatSpan(words.leftMs)}）が認証情報ファイル ${words.path} にありません。` +
          `プロファイル ${words.target} でこのファイルを読む AWS ツールは、このセッションを使えません。`,
        detail: english,
        fix: refresh(words.refresh),
      };
  }
}

function withDetail(shown: { readonly text: string; readonly detail?: string }): DiagnosisText {
  return shown.detail === undefined ? { message: shown.text } : { message: shown.text, detail: shown.detail };
}

function clockUnknown(because: Extract<DiagnosisWords, { id: 'clock-unknown' }>['because']): DiagnosisText {
  const unknown = 'このコンピューターの時計を AWS の時計と比べられませんでした';
  switch (because) {
    case 'no-answer':
      return { message: `${unknown}。AWS が応答しませんでした。`, fix: WHEN_REACHABLE };
    case 'not-sent':
      return {
        message: `${unknown}。AWS に何も送れませんでした（理由はアクセスキーのチェックにあります）。`,
        fix: `アクセスキーのチェックを見てください。${AGAIN}`,
      };
    case 'keychain':
      return {
        message: `${unknown}。キーチェーンを読めないため、保存されたキーで AWS に問い合わせられません。`,
        fix: `キーチェーンのロックを解除してください。${AGAIN}`,
      };
    case 'no-key':
      return { message: `${unknown}。AWS に問い合わせるためのキーが保存されていません。`, fix: `プロファイルを追加してください。${AGAIN}` };
  }
}

/** "（N 分前に MFA Tray が測定）", or nothing. */
function measured(agoMinutes: number | undefined): string {
  return agoMinutes === undefined ? '' : `（${agoMinutes} 分前に MFA Tray が測定）`;
}

/** "約 90 秒", "約 7 分", "約 3 時間". */
function spanJa({ amount, unit }: RoundedSpan): string {
  return `約 ${amount} ${unit === 's' ? '秒' : unit === 'min' ? '分' : '時間'}`;
}

function fileOk(path: string, missing: boolean): string {
  return missing ? `${path} はまだありません` : `${path} は問題なく読めます`;
}

function notOwnJa(entry: NotOwnEntry): string {
  if (entry.kind === 'folder-above') return '上位のフォルダー（ほかのユーザーが中身を変えられます）';
  const name = entry.name ?? 'フォルダー自体';
  if (entry.kind === 'another-users') return `${name}（${entry.uid === 0 ? 'root' : `ユーザー ${entry.uid}`} のもの）`;
  return `${name}（グループやほかのユーザーが書き込めます）`;
}

function cliCannotRead(path: string, problem: AwsCliReadProblem): DiagnosisText {
  switch (problem.kind) {
    case 'not-utf8':
      return {
        message: `${path} に UTF-8 でないバイトがあります。${CANNOT_READ}`,
        fix: 'UTF-8 で保存し直してください（Latin-1 で書かれたファイルなら iconv -f latin1 -t utf-8）。',
      };
    case 'nested-not-a-key':
      return {
        message: `${path} の ${problem.line} 行目は値のないキー（s3 = など）の下で字下げされていますが、キー = 値の形ではありません。${CANNOT_READ}`,
        fix: 'キー = 値の形にするか、コメント（#）にしてください。',
      };
    case 'bom':
      return {
        message: `${path} はバイトオーダーマーク（BOM）で始まっています。${CANNOT_READ}`,
        fix: `BOM なしの UTF-8 で保存し直してください（sed -i '1s/^\\xEF\\xBB\\xBF//' ${path}）。`,
      };
    case 'before-section':
      return {
        message: `${path} の ${problem.line} 行目はどの [セクション] よりも前にあります。${CANNOT_READ}`,
        fix: 'その [セクション] の下に移すか、コメント（#）にしてください。',
      };
    case 'not-a-key':
      return {
        message: `${path} の ${problem.line} 行目は [セクション]、キー = 値、コメントのどれでもありません。${CANNOT_READ}`,
        fix: 'キー = 値の形に書き終えるか、コメント（#）にしてください。',
      };
    case 'key-twice':
      return {
        message: `${path} の [${problem.section}] は ${problem.key} を 2 回設定しています（${problem.line} 行目。キーの大文字と小文字は区別されません）。${CANNOT_READ}`,
        fix: `[${problem.section}] の ${problem.key} の行を 1 つにしてください。`,
      };
  }
}
