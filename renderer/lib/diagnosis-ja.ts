/**
 * doctor's findings in Japanese, from the data each check carries (`main/common/diagnosis.ts`); the
 * engine's English words for the same findings are `engine/doctor.ts`'s. Paths, key ids, ARNs and
 * commands are put in as they are.
 */
import type { AwsCliReadProblem, DiagnosisWords, NotOwnEntry } from '../../main/common/diagnosis';
import type { I18n } from './i18n';

/** A finding as a Japanese window says it. */
export interface DiagnosisText {
  readonly message: string;
  /** What to do; undefined when there is nothing, or when it is the engine's English fix (a file's own remedy, which no table can translate). */
  readonly fix?: string;
  /** The finding is an engine error's or a file's own reason: the English message is shown under this one. */
  readonly detail?: true;
}

const AGAIN = 'その後、もう一度チェックしてください。';
const SEE_FILES = '「AWS のファイル」のチェックを見てください。';
const CANNOT_READ = 'AWS CLI はこのファイルを読めません。';

/** The finding in Japanese. */
export function diagnosisJa(i18n: I18n, words: DiagnosisWords): DiagnosisText {
  const refresh = (w: { readonly profile: string; readonly seeFiles: boolean }): string => (w.seeFiles ? SEE_FILES : `mfa-tray refresh ${w.profile}`);
  switch (words.id) {
    case 'settings-unreadable':
      return { message: 'MFA Tray の設定ファイルを読めませんでした。', detail: true };
    case 'no-such-profile':
      return { message: `プロファイル「${words.profile}」はありません。`, fix: 'mfa-tray list でプロファイルの一覧を確かめてください。' };
    case 'environment-shadowed':
      return {
        message:
          `この環境で ${words.names.join('、')} が設定されています。AWS CLI と SDK はどのプロファイルよりも先にこれを使うため、` +
          'MFA セッションは使われません（更新後に「AccessDenied」となるよくある原因です）。',
        fix: `unset ${words.names.join(' ')}`,
      };
    case 'environment-clear':
      return { message: 'プロファイルより優先される AWS の認証情報は、この環境にありません。' };
    case 'aws-profile-set':
      return {
        message: `AWS_PROFILE=${words.value} により、このシェルのすべての AWS コマンドがこのプロファイルを使います。`,
        fix: '意図したものでなければ unset AWS_PROFILE を実行してください。',
      };
    case 'keychain-ok':
      return { message: 'キーチェーンは応答し、ロックも解除されています。' };
    case 'keychain-unreadable':
      return {
        message: 'キーチェーンを読めませんでした。',
        detail: true,
        fix: `キーチェーンのロックを解除して（またはそのサービスを起動して）ください。${AGAIN}`,
      };
    case 'key-unreadable':
      return { message: '保存されたアクセスキーを読めませんでした。', detail: true, fix: `キーを保存し直してください: ${words.commands.join('、または ')}` };
    case 'key-missing':
      return { message: 'アクセスキーが保存されていません。', fix: `キーを保存してください: ${words.commands.join('、または ')}` };
    case 'key-not-long-lived':
      return {
        message: `保存されたキー ${words.key} は IAM ユーザーの長期アクセスキー（AKIA…）ではありません。`,
        fix: `IAM ユーザー自身のアクセスキー（AKIA…）で実行してください: ${words.command}`,
      };
    case 'key-refused':
      return { message: `${words.key}: AWS がこのキーを受け付けませんでした。`, detail: true, fix: `使えるキーで実行してください: ${words.command}` };
    case 'key-unchecked':
      return {
        message: `${words.key} を確かめられませんでした。`,
        detail: true,
        ...(words.temporary ? { fix: 'AWS に接続できるようになったら、もう一度チェックしてください。' } : {}),
      };
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
        message: `${words.device} はこのユーザーの MFA デバイス（${words.devices.length === 0 ? 'なし' : words.devices.join('、')}）の中にありません。`,
        fix: `そのいずれかを指定してください: mfa-tray edit ${words.profile} --mfa-serial <デバイス>`,
      };
    case 'device-not-checked':
      return { message: `${words.device} を確かめられませんでした。ポリシーが MFA なしでの MFA デバイスの一覧を許していません。` };
    case 'clock-unknown':
      return clockUnknown(words.because);
    case 'clock-ok':
      return { message: `このコンピューターの時計と AWS の時計の差は ${words.withinSeconds} 秒以内です${measured(words.agoMinutes)}。` };
    case 'clock-off':
      return {
        message:
          `このコンピューターの時計は AWS の時計より${offsetJa(words.offsetMs)}${measured(words.agoMinutes)}。` +
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
        detail: true,
        fix: `${words.path} を読める通常のファイルにするか、AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE でほかのファイルを指定してください。`,
      };
    case 'credentials-readable-by-others':
      return { message: `${words.path} はほかのユーザーも読めます（モード ${words.mode}）。`, fix: `chmod 600 ${words.path}` };
    case 'credentials-unwritable':
      return { message: '認証情報ファイルにセッションを書き込めません。更新はコードを送る前に止まります。', detail: true };
    case 'config-dir-not-own':
      return {
        message:
          `${words.dir} に、あなただけのものではないファイルやフォルダーがあります: ${words.entries.map(notOwnJa).join('、')}。` +
          'MFA Tray はそれらを更新できないことがあり、その中の記録は使いません（たとえば更新の失敗の記録を使わないため、障害の後の待ち時間が働きません）。',
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
        message: `${words.path} の [${words.section}] が実行する「${words.program}」が PATH にありません。そのプロファイルを使う AWS コマンドはすべて失敗します。`,
        fix: 'mfa-tray を PATH に追加するか（README を参照）、credential_process にフルパスを書いてください。',
      };
    case 'files-ok':
      return { message: `${fileOk(words.credentialsPath, words.credentialsMissing)}。${fileOk(words.configPath, words.configMissing)}。` };
    case 'session-valid':
      return { message: `セッションはあと ${i18n.formatSpan(words.leftMs)} 有効です。` };
    case 'session-ending':
      return { message: `セッションはあと ${i18n.formatSpan(words.leftMs)} で期限切れになります。`, fix: refresh(words) };
    case 'session-failed':
      return { message: '前回の更新に失敗しました。', detail: true, fix: refresh(words) };
    case 'session-refreshing':
      return { message: '更新しています。' };
    case 'session-expired':
      return { message: 'セッションの期限が切れています。', fix: refresh(words) };
    case 'session-none':
      return { message: 'セッションはまだありません。', fix: refresh(words) };
    case 'session-unreadable':
      return { message: 'セッションを読めませんでした。', detail: true };
    case 'session-not-in-file':
      return {
        message:
          `MFA Tray が持つ ${words.profile} のセッション（残り ${i18n.formatSpan(words.leftMs)}）が認証情報ファイル ${words.path} にありません。` +
          'このファイルを読む AWS ツールはこのセッションを使えません。',
        detail: true,
        fix: refresh(words),
      };
  }
}

function clockUnknown(because: Extract<DiagnosisWords, { id: 'clock-unknown' }>['because']): DiagnosisText {
  const unknown = 'このコンピューターの時計を AWS の時計と比べられませんでした';
  switch (because) {
    case 'no-answer':
      return { message: `${unknown}。AWS が応答しませんでした。`, fix: 'AWS に接続できるようになったら、もう一度チェックしてください。' };
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

/** " (measured by MFA Tray N min ago)", or nothing. */
function measured(agoMinutes: number | undefined): string {
  return agoMinutes === undefined ? '' : `（${agoMinutes} 分前に MFA Tray が測定）`;
}

/** How far off the clock is, as the end of a sentence: "約 90 秒進んでいます". `offsetMs`: AWS's time minus this computer's. */
function offsetJa(offsetMs: number): string {
  const s = Math.round(Math.abs(offsetMs) / 1000);
  const min = Math.round(s / 60);
  // The engine's steps (describeDuration in clock.ts): seconds under 2 minutes, minutes under 2 hours.
  const size = s < 120 ? `約 ${s} 秒` : min < 120 ? `約 ${min} 分` : `約 ${Math.round(min / 60)} 時間`;
  return `${size}${offsetMs < 0 ? '進んでいます' : '遅れています'}`;
}

function fileOk(path: string, missing: boolean): string {
  return missing ? `${path} はまだありません` : `${path} は問題なく読めます`;
}

function notOwnJa(entry: NotOwnEntry): string {
  if ('above' in entry) return '上位のフォルダー（ほかのユーザーが中身を変えられます）';
  const name = entry.name === 'the folder itself' ? 'フォルダー自体' : entry.name;
  if ('owner' in entry) return `${name}（${entry.owner === 'root' ? 'root' : entry.owner.replace(/^user /, 'ユーザー ')} のもの）`;
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
        message: `${path} の [${problem.section}] は ${problem.key} を 2 回設定しています（${problem.line} 行目。キーは大文字と小文字を区別せずに比べられます）。${CANNOT_READ}`,
        fix: `[${problem.section}] の ${problem.key} の行を 1 つにしてください。`,
      };
  }
}
