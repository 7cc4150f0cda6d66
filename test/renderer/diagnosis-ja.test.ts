/**
 * doctor's findings in Japanese (renderer/lib/diagnosis-ja.ts): one of every kind, each worded in
 * Japanese with its specifics in place, and no English sentence left in it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosisWords } from '../../main/common/diagnosis';
import { diagnosisJa } from '../../renderer/lib/diagnosis-ja';
import { I18n } from '../../renderer/lib/i18n';

const PATH = '/home/u/.aws/credentials';
const CONFIG = '/home/u/.aws/config';
const ARN = 'arn:aws:iam::123456789012:user/alice';
const DEVICE = 'arn:aws:iam::123456789012:mfa/alice';

/** One finding of every id (the type makes a missing id an error), and a specific its words must hold. */
const SAMPLES: { readonly [K in DiagnosisWords['id']]: readonly [Extract<DiagnosisWords, { id: K }>, string] } = {
  'settings-unreadable': [{ id: 'settings-unreadable', error: { code: 'settings-file', message: 'The settings file … is damaged.' } }, '設定ファイル'],
  'no-such-profile': [{ id: 'no-such-profile', profile: 'work' }, 'work'],
  'environment-shadowed': [{ id: 'environment-shadowed', names: ['AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN'] }, 'AWS_ACCESS_KEY_ID、AWS_SESSION_TOKEN'],
  'environment-clear': [{ id: 'environment-clear' }, '環境'],
  'aws-profile-set': [{ id: 'aws-profile-set', value: 'prod' }, 'AWS_PROFILE=prod'],
  'aws-profile-ours': [{ id: 'aws-profile-ours', value: 'work-mfa', profile: 'work' }, 'MFA Tray のプロファイル work を得ます'],
  'keychain-ok': [{ id: 'keychain-ok' }, 'キーチェーン'],
  'keychain-unreadable': [{ id: 'keychain-unreadable', error: { code: 'keychain-locked', message: 'The keychain is locked.' } }, 'ロックされています'],
  'key-unreadable': [
    {
      id: 'key-unreadable',
      commands: ['mfa-tray add work --force …', 'mfa-tray import work'],
      error: { code: 'internal', message: 'The key could not be read.' },
    },
    'アクセスキー',
  ],
  'key-missing': [{ id: 'key-missing', commands: ['mfa-tray add work --force …'] }, 'アクセスキー'],
  'key-not-long-lived': [{ id: 'key-not-long-lived', key: 'ASIA…WXYZ', command: 'mfa-tray add work --force …' }, 'ASIA…WXYZ'],
  'key-refused': [
    { id: 'key-refused', key: 'AKIA…WXYZ', command: 'mfa-tray add work --force …', error: { code: 'sts-invalid-key', message: 'AWS does not know this key.' } },
    'AKIA…WXYZ: AWS はこのアクセスキーを認識しません',
  ],
  'key-unchecked': [
    { id: 'key-unchecked', key: 'AKIA…WXYZ', temporary: true, error: { code: 'sts-unavailable', message: 'STS could not be reached.' } },
    'AKIA…WXYZ を確かめられませんでした: AWS（STS）に接続できない',
  ],
  'key-ok': [{ id: 'key-ok', key: 'AKIA…WXYZ', arn: ARN }, ARN],
  'device-other-account': [
    {
      id: 'device-other-account',
      device: 'arn:aws:iam::999999999999:mfa/x',
      deviceAccount: '999999999999',
      keyAccount: '123456789012',
      arn: ARN,
      profile: 'work',
    },
    '999999999999',
  ],
  'device-ok': [{ id: 'device-ok', device: DEVICE }, DEVICE],
  'device-not-listed': [{ id: 'device-not-listed', device: DEVICE, devices: [], profile: 'work' }, 'なし'],
  'device-not-checked': [{ id: 'device-not-checked', device: DEVICE }, DEVICE],
  'clock-unknown': [{ id: 'clock-unknown', because: 'keychain' }, 'キーチェーン'],
  'clock-ok': [{ id: 'clock-ok', withinSeconds: 2, agoMinutes: 3 }, '2 秒以内'],
  'clock-off': [{ id: 'clock-off', ahead: true, by: { amount: 7, unit: 'min' }, refused: true }, '約 7 分進んでいます'],
  'file-cli-cannot-read': [{ id: 'file-cli-cannot-read', path: PATH, problem: { kind: 'key-twice', line: 7, section: 'work', key: 'region' } }, '7 行目'],
  'file-unreadable': [{ id: 'file-unreadable', path: PATH }, PATH],
  'credentials-readable-by-others': [{ id: 'credentials-readable-by-others', path: PATH, mode: '644' }, '644'],
  'credentials-unwritable': [{ id: 'credentials-unwritable' }, '認証情報ファイル'],
  'config-dir-not-own': [
    {
      id: 'config-dir-not-own',
      dir: '/home/u/.config/mfa-tray',
      entries: [
        { kind: 'another-users', name: 'settings.json', uid: 0 },
        { kind: 'writable-by-others', name: null },
      ],
      command: 'sudo chown -R "$USER" …',
    },
    'settings.json（root のもの）、フォルダー自体',
  ],
  'section-twice': [{ id: 'section-twice', section: 'shared', count: 2, path: PATH }, '[shared] が 2 回'],
  'long-lived-in-target': [
    {
      id: 'long-lived-in-target',
      section: 'work',
      path: PATH,
      withToken: true,
      profile: 'work',
      command: 'mfa-tray import work --from work --remove-plaintext --force',
    },
    '[work] に長期アクセスキーがあります（セッショントークンも一緒にあります）',
  ],
  'config-serial-differs': [{ id: 'config-serial-differs', profile: 'work', path: CONFIG, serial: 'GAHT12345678', ours: DEVICE }, 'GAHT12345678'],
  'credentials-elsewhere': [
    { id: 'credentials-elsewhere', section: 'profile work', path: CONFIG, key: 'role_arn', target: 'work', credentialsPath: PATH, profile: 'work' },
    'role_arn',
  ],
  'credential-process-ok': [{ id: 'credential-process-ok', section: 'profile work', program: '/usr/bin/mfa-tray' }, '/usr/bin/mfa-tray'],
  'credential-process-missing': [{ id: 'credential-process-missing', section: 'profile work', path: CONFIG, program: 'mfa-tray', onPath: true }, 'PATH'],
  'credential-process-unnamed': [{ id: 'credential-process-unnamed', section: 'profile work', path: CONFIG }, 'プロファイルを指定せずに'],
  'credential-process-no-profile': [
    { id: 'credential-process-no-profile', section: 'profile work', path: CONFIG, profile: 'gone' },
    'プロファイル gone はありません',
  ],
  'files-ok': [{ id: 'files-ok', credentialsPath: PATH, credentialsMissing: false, configPath: CONFIG, configMissing: true }, 'まだありません'],
  'session-valid': [{ id: 'session-valid', leftMs: 5 * 3600_000 + 12 * 60_000 }, '5'],
  'session-ending': [{ id: 'session-ending', leftMs: 9 * 60_000, refresh: 'mfa-tray refresh work' }, '9'],
  'session-failed': [
    { id: 'session-failed', error: { code: 'code-reused', message: 'The code was used.' }, refresh: null },
    '前回の更新に失敗しました: このデバイスの今のコードはすでに使われました',
  ],
  'session-refreshing': [{ id: 'session-refreshing' }, '更新'],
  'session-expired': [{ id: 'session-expired', refresh: 'mfa-tray refresh work' }, '期限'],
  'session-none': [{ id: 'session-none', refresh: 'mfa-tray refresh work' }, 'セッション'],
  'session-unreadable': [{ id: 'session-unreadable', error: { code: 'keychain-entry-corrupt', message: 'The entry was changed.' } }, 'キーチェーンの項目'],
  'session-not-in-file': [
    { id: 'session-not-in-file', profile: 'work', target: 'work-session', leftMs: 30 * 60_000, path: PATH, refresh: 'mfa-tray refresh work' },
    'プロファイル work-session でこのファイルを読む',
  ],
};

/** English prose: a few of its commonest words, as words (paths, ARNs and commands hold none of them here). */
const ENGLISH = /\b(the|is|are|and|of|not|to|it|with|run|make|see)\b/i;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/u;
/** A fix with its commands taken out: what is left must be Japanese. */
const withoutCommands = (fix: string): string => fix.replace(/mfa-tray [^、。]*|unset [\w ]+|chmod [^、。]*|sudo [^、。]*/g, '');

describe("doctor's findings in Japanese", () => {
  const ja = new I18n('ja', 'ja-JP');
  for (const [id, [words, specific]] of Object.entries(SAMPLES)) {
    it(`${id}: in Japanese, with its specifics`, () => {
      const text = diagnosisJa(ja, words, 'The English message.');
      assert.match(text.message, JAPANESE);
      assert.ok(text.message.includes(specific), `${text.message} holds ${specific}`);
      assert.doesNotMatch(text.message, ENGLISH);
      if (text.fix !== undefined) assert.doesNotMatch(withoutCommands(text.fix), ENGLISH);
    });
  }

  it('a refresh is the fix unless the files check has it', () => {
    assert.equal(diagnosisJa(ja, SAMPLES['session-ending'][0], '').fix, 'mfa-tray refresh work');
    assert.match(diagnosisJa(ja, SAMPLES['session-failed'][0], '').fix ?? '', /「AWS のファイル」のチェック/);
  });

  it('an engine error found is worded as the windows word it, its English under it where that names specifics', () => {
    const failed = diagnosisJa(ja, SAMPLES['session-failed'][0], 'The last refresh failed: The code was used.');
    assert.equal(failed.detail, 'The code was used.', 'code-reused names the wait: its English follows');
    assert.equal(diagnosisJa(ja, SAMPLES['key-refused'][0], '').detail, undefined, 'sts-invalid-key says it all in Japanese');
    const unexpected = diagnosisJa(ja, SAMPLES['key-unreadable'][0], '');
    assert.equal(unexpected.message, '保存されたアクセスキーを読めませんでした。');
    assert.equal(unexpected.detail, 'The key could not be read.');
  });

  it('a clock behind by hours, and the other reasons the clock is unknown', () => {
    assert.match(diagnosisJa(ja, { id: 'clock-off', ahead: false, by: { amount: 3, unit: 'h' }, refused: true }, '').message, /約 3 時間遅れています。/);
    for (const because of ['no-answer', 'not-sent', 'no-key'] as const) {
      const text = diagnosisJa(ja, { id: 'clock-unknown', because }, '');
      assert.match(text.message, /^このコンピューターの時計を AWS の時計と比べられませんでした。/);
      assert.match(text.fix ?? '', /再チェック/);
    }
  });

  it("every line the AWS CLI cannot read, and every entry of MFA Tray's folder that is not the user's", () => {
    const kinds = [
      { kind: 'not-utf8' },
      { kind: 'bom' },
      { kind: 'before-section', line: 1 },
      { kind: 'not-a-key', line: 2 },
      { kind: 'nested-not-a-key', line: 3 },
    ] as const;
    for (const problem of kinds) {
      const text = diagnosisJa(ja, { id: 'file-cli-cannot-read', path: PATH, problem }, '');
      assert.match(text.message, /AWS CLI はこのファイルを読めません。$/);
      assert.doesNotMatch(text.message, ENGLISH);
      assert.doesNotMatch(withoutCommands(text.fix ?? ''), ENGLISH);
    }
    const folder = diagnosisJa(
      ja,
      { id: 'config-dir-not-own', dir: '/d', entries: [{ kind: 'another-users', name: null, uid: 1001 }, { kind: 'folder-above' }], command: 'sudo …' },
      '',
    );
    assert.match(folder.message, /フォルダー自体（ユーザー 1001 のもの）、上位のフォルダー/);
  });
});
