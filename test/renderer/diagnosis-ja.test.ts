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
  'settings-unreadable': [{ id: 'settings-unreadable' }, '設定'],
  'no-such-profile': [{ id: 'no-such-profile', profile: 'work' }, 'work'],
  'environment-shadowed': [{ id: 'environment-shadowed', names: ['AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN'] }, 'AWS_ACCESS_KEY_ID、AWS_SESSION_TOKEN'],
  'environment-clear': [{ id: 'environment-clear' }, '環境'],
  'aws-profile-set': [{ id: 'aws-profile-set', value: 'prod' }, 'AWS_PROFILE=prod'],
  'keychain-ok': [{ id: 'keychain-ok' }, 'キーチェーン'],
  'keychain-unreadable': [{ id: 'keychain-unreadable' }, 'キーチェーン'],
  'key-unreadable': [{ id: 'key-unreadable', commands: ['mfa-tray add work --force …', 'mfa-tray import work'] }, 'アクセスキー'],
  'key-missing': [{ id: 'key-missing', commands: ['mfa-tray add work --force …'] }, 'アクセスキー'],
  'key-not-long-lived': [{ id: 'key-not-long-lived', key: 'ASIA…WXYZ', command: 'mfa-tray add work --force …' }, 'ASIA…WXYZ'],
  'key-refused': [{ id: 'key-refused', key: 'AKIA…WXYZ', command: 'mfa-tray add work --force …' }, 'AKIA…WXYZ'],
  'key-unchecked': [{ id: 'key-unchecked', key: 'AKIA…WXYZ', temporary: true }, 'AKIA…WXYZ'],
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
  'clock-off': [{ id: 'clock-off', offsetMs: -420_000, refused: true }, '約 7 分進んでいます'],
  'file-cli-cannot-read': [{ id: 'file-cli-cannot-read', path: PATH, problem: { kind: 'key-twice', line: 7, section: 'work', key: 'region' } }, '7 行目'],
  'file-unreadable': [{ id: 'file-unreadable', path: PATH }, PATH],
  'credentials-readable-by-others': [{ id: 'credentials-readable-by-others', path: PATH, mode: '644' }, '644'],
  'credentials-unwritable': [{ id: 'credentials-unwritable' }, '認証情報ファイル'],
  'config-dir-not-own': [
    {
      id: 'config-dir-not-own',
      dir: '/home/u/.config/mfa-tray',
      entries: [
        { name: 'settings.json', owner: 'root' },
        { name: 'the folder itself', writableByOthers: true },
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
  'credential-process-missing': [{ id: 'credential-process-missing', section: 'profile work', path: CONFIG, program: 'mfa-tray' }, 'PATH'],
  'files-ok': [{ id: 'files-ok', credentialsPath: PATH, credentialsMissing: false, configPath: CONFIG, configMissing: true }, 'まだありません'],
  'session-valid': [{ id: 'session-valid', leftMs: 5 * 3600_000 + 12 * 60_000 }, '5'],
  'session-ending': [{ id: 'session-ending', leftMs: 9 * 60_000, profile: 'work', seeFiles: false }, '9'],
  'session-failed': [{ id: 'session-failed', profile: 'work', seeFiles: true }, '失敗'],
  'session-refreshing': [{ id: 'session-refreshing' }, '更新'],
  'session-expired': [{ id: 'session-expired', profile: 'work', seeFiles: false }, '期限'],
  'session-none': [{ id: 'session-none', profile: 'work', seeFiles: false }, 'セッション'],
  'session-unreadable': [{ id: 'session-unreadable' }, 'セッション'],
  'session-not-in-file': [{ id: 'session-not-in-file', profile: 'work', leftMs: 30 * 60_000, path: PATH, seeFiles: false }, PATH],
};

/** English prose: a few of its commonest words, as words (paths, ARNs and commands hold none of them here). */
const ENGLISH = /\b(the|is|are|and|of|not|to|it|with|run|make|see)\b/i;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/u;

describe("doctor's findings in Japanese", () => {
  const ja = new I18n('ja', 'ja-JP');
  for (const [id, [words, specific]] of Object.entries(SAMPLES)) {
    it(`${id}: in Japanese, with its specifics`, () => {
      const text = diagnosisJa(ja, words);
      assert.match(text.message, JAPANESE);
      assert.ok(text.message.includes(specific), `${text.message} holds ${specific}`);
      assert.doesNotMatch(text.message, ENGLISH);
      if (text.fix !== undefined) assert.doesNotMatch(text.fix.replace(/mfa-tray [^、。]*|unset [\w ]+|chmod [^、。]*|sudo [^、。]*/g, ''), ENGLISH);
    });
  }

  it('a refresh is the fix unless the files check has it', () => {
    assert.equal(diagnosisJa(ja, SAMPLES['session-ending'][0]).fix, 'mfa-tray refresh work');
    assert.match(diagnosisJa(ja, SAMPLES['session-failed'][0]).fix ?? '', /「AWS のファイル」のチェック/);
  });
});
