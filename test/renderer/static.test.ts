/**
 * The windows' rules that need no browser: both catalogs complete and alike, text never set as
 * markup, a strict CSP in every page, and the pure helpers (code entry, language, QR label,
 * Japanese messages).
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../main/common/errors';
import { checkCode, checkMfaSerial, checkProfileName, type ValidationRule } from '../../main/common/validation';
import { EN } from '../../renderer/lib/catalog-en';
import { JA } from '../../renderer/lib/catalog-ja';
import { readCodeEntry } from '../../renderer/lib/code';
import { ERRORS_JA, RULES_JA } from '../../renderer/lib/engine-messages-ja';
import { I18n } from '../../renderer/lib/i18n';
import { formatLocale, resolveLanguage } from '../../renderer/lib/locale';
import { errorText, issueText } from '../../renderer/lib/messages';
import { otpauthLabel } from '../../renderer/lib/qr';

const RENDERER = fileURLToPath(new URL('../../renderer/', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sources(path)));
    else if (/\.(ts|html)$/.test(entry.name)) found.push(path);
  }
  return found;
}

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();

describe('the catalogs', () => {
  it('have the same keys, and every string in both', () => {
    assert.deepEqual(Object.keys(JA).sort(), Object.keys(EN).sort());
    for (const [key, text] of [...Object.entries(EN), ...Object.entries(JA)]) assert.ok(text.trim() !== '', `${key} is empty`);
  });

  it('write command options as a terminal takes them: ASCII hyphens, no look-alike dashes', () => {
    // Seen in review: "‑‑profile" (U+2011, non-breaking hyphens) in a hint, copied into a terminal, is no option.
    for (const [language, catalog] of [
      ['en', EN],
      ['ja', JA],
    ] as const)
      for (const [key, text] of Object.entries(catalog)) assert.doesNotMatch(text, /[\u2010-\u2015\u2212\u2060]+-*[a-z]/, `${language} ${key}`);
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(EN) as (keyof typeof EN)[]) assert.deepEqual(placeholders(JA[key]), placeholders(EN[key]), key);
  });

  it('translate every validation rule and every error code', () => {
    const rules: ValidationRule[] = [
      'required',
      'type',
      'control-character',
      'length',
      'characters',
      'format',
      'partition',
      'security-key',
      'not-mfa-device',
      'temporary-key',
      'integer',
      'range',
      'choice',
      'unknown-field',
      'partition-mismatch',
      'immutable',
      'in-use',
      'reserved',
    ];
    assert.deepEqual(Object.keys(RULES_JA).sort(), [...rules].sort());
    const codes: ErrorCode[] = [
      'invalid-input',
      'not-found',
      'already-exists',
      'keychain-unavailable',
      'keychain-locked',
      'keychain-timeout',
      'keychain-entry-corrupt',
      'no-long-lived-key',
      'settings-file',
      'credentials-file',
      'session-not-in-file',
      'long-lived-section',
      'lock-timeout',
      'sts-invalid-code',
      'totp-code-refused',
      'sts-wrong-device',
      'sts-session-credentials',
      'sts-invalid-key',
      'sts-bad-signature',
      'clock-skew',
      'sts-throttled',
      'sts-validation',
      'sts-denied',
      'sts-unavailable',
      'code-reused',
      'code-required',
      'invalid-totp-secret',
      'no-session',
      'internal',
    ];
    for (const code of codes) assert.ok(ERRORS_JA[code], code);
  });
});

describe('markup', () => {
  it('is never how the windows set text', async () => {
    for (const file of await sources(RENDERER)) {
      // Code only: comments may name what the code avoids.
      const text = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\/|<!--[\s\S]*?-->/g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const sink of [
        'innerHTML',
        'outerHTML',
        'insertAdjacentHTML',
        'document.write',
        'createContextualFragment',
        'DOMParser',
        'setHTML',
        'eval(',
        'new Function',
      ]) {
        assert.ok(!text.includes(sink), `${file} uses ${sink}`);
      }
    }
  });

  it('every page has the strict CSP and nothing inline', async () => {
    const pages = (await readdir(RENDERER)).filter((f) => f.endsWith('.html'));
    assert.deepEqual(pages.sort(), ['profiles.html', 'prompt.html', 'settings.html']);
    for (const page of pages) {
      const html = await readFile(join(RENDERER, page), 'utf8');
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
      assert.equal(
        csp,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        page,
      );
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${page} has an inline script`);
      assert.doesNotMatch(html, /<style|\sstyle=|\son\w+=/i, `${page} has inline style or handlers`);
    }
  });
});

describe('the code field', () => {
  it('strips spaces and dashes and folds full-width digits', () => {
    assert.deepEqual(readCodeEntry('123 456'), { text: '123456', code: '123456' });
    assert.deepEqual(readCodeEntry(' 123-456 '), { text: '123456', code: '123456' });
    assert.deepEqual(readCodeEntry('１２３４５６'), { text: '123456', code: '123456' });
    assert.deepEqual(readCodeEntry('123–456'), { text: '123456', code: '123456' });
  });

  it('waits while digits are still coming, and refuses what more typing cannot fix', () => {
    assert.deepEqual(readCodeEntry('123'), { text: '123' });
    assert.equal(readCodeEntry('12a').issue?.rule, 'characters');
    assert.equal(readCodeEntry('1234567').issue?.rule, 'length');
  });
});

describe('language and locale', () => {
  it('follows the OS unless chosen', () => {
    assert.equal(resolveLanguage('auto', 'ja-JP'), 'ja');
    assert.equal(resolveLanguage('auto', 'ja'), 'ja');
    assert.equal(resolveLanguage('auto', 'de-DE'), 'en');
    assert.equal(resolveLanguage('en', 'ja-JP'), 'en');
    assert.equal(resolveLanguage('ja', 'en-US'), 'ja');
  });

  it('keeps the OS locale for formats when it is of the same language', () => {
    assert.equal(formatLocale('en', 'en_GB'), 'en-GB');
    assert.equal(formatLocale('en', 'ja-JP'), 'en-US');
    assert.equal(formatLocale('ja', 'en-US'), 'ja-JP');
    assert.equal(formatLocale('en', 'not a locale!'), 'en-US');
  });

  it('formats spans of time in hours and minutes', () => {
    const en = new I18n('en', 'en-US');
    const ja = new I18n('ja', 'ja-JP');
    assert.equal(en.formatSpan(11 * 3600_000 + 59 * 60_000), '11 hr 59 min');
    assert.equal(ja.formatSpan(11 * 3600_000 + 59 * 60_000), '11 時間 59 分');
    assert.equal(en.formatSpan(30_000), 'less than a minute');
    assert.equal(en.formatSeconds(129_600), '36 hr');
    assert.equal(en.formatSeconds(5400), '1 hr 30 min');
  });
});

describe('messages', () => {
  const ja = new I18n('ja', 'ja-JP');
  const en = new I18n('en', 'en-US');

  it("are the engine's own in English", () => {
    const checked = checkProfileName('<b>');
    assert.ok(!checked.ok);
    assert.equal(issueText(en, checked.issue), checked.issue.message);
  });

  it('are built from the rule and its params in Japanese', () => {
    const name = checkProfileName('<b>');
    assert.ok(!name.ok);
    assert.equal(issueText(ja, name.issue), 'プロファイル名に「<」は使えません。A–Z a–z 0–9 _ . @ + % : / - の文字を 1〜64 文字で入力してください。');
    const code = checkCode('1234');
    assert.ok(!code.ok);
    assert.equal(issueText(ja, code.issue), 'MFA コードが 4 桁です。MFA デバイスに今表示されている 6 桁の数字を入力してください。');
    const serial = checkMfaSerial('arn:aws:iam::123456789012:user/alice');
    assert.ok(!serial.ok);
    // Seen in review: "user" left in English, a space shown as 「 」, a missing profile as just 見つかりません.
    assert.match(issueText(ja, serial.issue), /^これは MFA デバイスではなくユーザーの ARN です。/);
    for (const [reserved, why] of [
      ['DEFAULT', /\[DEFAULT\]/],
      ['constructor', /constructor や toString/],
    ] as const) {
      const refused = checkProfileName(reserved);
      assert.ok(!refused.ok);
      assert.match(issueText(ja, refused.issue), why);
    }
    const spaced = checkProfileName('my work');
    assert.ok(!spaced.ok);
    assert.match(issueText(ja, spaced.issue), /^プロファイル名にスペースは使えません。/);
    const missing = errorText(ja, { code: 'not-found', field: 'name', message: 'There is no profile named "nobody"; the profiles are work.' });
    assert.equal(missing.text, 'その名前のプロファイルはありません。');
    assert.equal(missing.detail, 'There is no profile named "nobody"; the profiles are work.');
  });

  it("keep the engine's specifics under a Japanese error, and re-check a refused field locally", () => {
    const shown = errorText(ja, { code: 'sts-unavailable', message: 'STS (127.0.0.1:1) failed with HTTP 503.' });
    assert.equal(shown.title, 'ネットワークの問題です。');
    assert.equal(shown.detail, 'STS (127.0.0.1:1) failed with HTTP 503.');
    const refused = errorText(ja, { code: 'invalid-input', field: 'region', message: 'region: "x" is not a region code' }, { region: 'x' });
    assert.match(refused.text, /^リージョンの形式が正しくありません。/);
  });

  it('a clock far ahead in Japanese: the fix first, and no claim that AWS refused or that trying again works', () => {
    // The engine's words when this clock is 12 hours ahead (session-service.ts #refuseClockFarAhead).
    const message =
      "This computer's clock is about 12 hours ahead of AWS's: a session of about 12 hours from AWS would look expired here (or nearly), and AWS tools on this computer would not use it. Turn on automatic date and time in your system settings, then try again. No code was sent.";
    const shown = errorText(ja, { code: 'clock-skew', message });
    // Seen on landed main: 「AWS がリクエストを拒否しました … もう一度試すと通るはずです」 above these English words.
    assert.doesNotMatch(shown.text, /拒否|通るはず/);
    assert.match(shown.text, /日付と時刻の自動設定をオンにしてから、もう一度試してください。/);
    assert.equal(shown.detail, message, 'the English message says which case it is');
  });

  it('say what to do in a window, not on the command line', () => {
    const shown = errorText(en, { code: 'already-exists', message: 'A profile named "work" exists already. Remove it first, or replace it (--force).' });
    assert.doesNotMatch(shown.text, /--force/);
  });
});

describe('the QR code label', () => {
  it('names the account of an AWS otpauth URI, and nothing else', () => {
    assert.equal(
      otpauthLabel('otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services'),
      'Amazon Web Services: alice@123456789012',
    );
    assert.equal(otpauthLabel('otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP'), 'alice');
    assert.equal(otpauthLabel('otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=1'), undefined);
    assert.equal(otpauthLabel('https://example.com'), undefined);
  });
});
