/**
 * The profile manager in Chromium, against the real engine: add with every field, the list kept live
 * from the engine's events, validation with the engine's own messages, edit with a write-only key,
 * verify, inline refresh, remove with a confirmation, and data shown as text, never as markup.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { checkAccessKeyId, checkDurationSeconds, checkMfaSerial, checkProfileName, checkRegion, checkSecretAccessKey } from '../../main/common/validation';
import { screenshot, waitForEvents, waitForText } from '../support/browser';
import { createHarness } from '../support/engine-harness';
import { useWindows } from '../support/windows';

const w = useWindows();

const row = (page: Page, name: string): Locator => page.locator(`li.profile[data-profile="${name}"]`);
const dialog = (page: Page): Locator => page.locator('dialog[open]');
const fieldError = (page: Page, label: string | RegExp): Locator =>
  dialog(page)
    .locator('.field', { has: page.getByLabel(label, { exact: typeof label === 'string' }) })
    .locator('.field-error');

function messageOf(checked: { ok: boolean; issue?: { message: string } }): string {
  assert.equal(checked.ok, false);
  return checked.issue?.message ?? '';
}

/** Gives a profile a session of 6 hours, in its section and the keychain, as a refresh leaves it. */
async function seedSession(name: string): Promise<void> {
  const session = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40), sessionToken: `token-${name}`, expiresAt: Date.now() + 6 * 3600_000 };
  await w.h.engine.credentials.writeSession(name, session);
  await w.h.engine.secrets.setSession(name, session);
}

/** What the status line says after a new key forgot the old key's session. */
const SAVED_FORGOT_SESSION =
  "Profile work saved. The old key's session was forgotten (it is no longer in the keychain or the credentials file); refresh to get one with the new key.";

async function openManager(): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  return page;
}

describe('the profile manager', () => {
  it('adds a profile with every field, and follows a refresh made in the code prompt', async () => {
    const user = w.sts.registerUser({ name: `add-${Date.now()}` });
    const page = await openManager();
    await waitForText(page.locator('.empty'), /No profiles yet/);

    await page.getByRole('button', { name: 'Add profile' }).click();
    await page.getByLabel('Profile name', { exact: true }).fill('work');
    await page.getByLabel('Access key ID').fill(user.accessKeyId);
    await page.getByLabel('Secret access key').fill(user.secretAccessKey);
    await page.getByLabel('MFA device (ARN or serial number)').fill(user.mfaSerial as string);
    await page.getByLabel('Session length', { exact: true }).selectOption({ label: '8 hr' });
    await page.getByLabel('Region').fill('eu-west-1');
    await page.getByLabel('Target section').fill('work-session');
    await page.getByLabel('Refresh automatically before the session expires').uncheck();
    // The key can be checked with AWS before it is stored.
    await dialog(page).getByRole('button', { name: 'Check this key with AWS' }).click();
    await waitForText(dialog(page).locator('.key-inputs .message'), `The key belongs to ${user.arn} (account ${user.account}).`);
    await dialog(page).getByRole('button', { name: 'Add profile' }).click();

    await waitForText(page.locator('.page-status'), 'Profile work added.');
    assert.equal(await dialog(page).count(), 0);
    assert.deepEqual(await w.h.engine.settings.getProfile('work'), {
      name: 'work',
      mfaSerial: user.mfaSerial,
      durationSeconds: 28_800,
      region: 'eu-west-1',
      targetSection: 'work-session',
      autoRefresh: false,
    });
    assert.deepEqual(await w.h.engine.secrets.getLongLivedKey('work'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    const work = row(page, 'work');
    await waitForText(work.locator('.badge'), 'No session');
    await waitForText(work.locator('.meta'), /\[work-session\].*eu-west-1.*8 hr.*typed by you/);
    assert.ok(!(await page.content()).includes(user.secretAccessKey), 'the secret left the page');

    // A refresh in the code prompt shows up in the list by itself (the engine's events).
    await waitForEvents(page);
    const prompt = await w.open('prompt.html?profile=work');
    await w.sts.avoidStepEdge();
    await prompt.keyboard.type(w.sts.currentCode(user));
    await waitForText(prompt.locator('.code-form .message'), /Done/);

    await waitForText(work.locator('.badge'), 'Valid');
    await waitForText(work.locator('.state-detail'), /^(7 hr 59 min|8 hr) left · until /);
    const file = await readFile(w.h.credentialsPath, 'utf8');
    assert.match(file, /\[work-session\]\naws_access_key_id = ASIA/);
  });

  it('a session the credentials file no longer holds: "Not in the credentials file", with the reason, in both languages', async () => {
    const user = w.sts.registerUser();
    await w.h.engine.addProfile({ name: 'work', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    // Another tool rewrote [work] with a session of its own.
    const text = await readFile(w.h.credentialsPath, 'utf8');
    await writeFile(w.h.credentialsPath, text.replace(/(aws_access_key_id = )ASIA\w+/, '$1ASIAOTHERTOOLXXXQ7RZ'));
    for (const [language, label, why] of [
      ['en', 'Not in the credentials file', /is not in the credentials file .*its \[work\] holds another key \(ASIA…Q7RZ\)/],
      ['ja', '認証情報ファイルにない', /認証情報ファイルにありません/],
    ] as const) {
      await w.h.engine.updateSettings({ language });
      const page = await w.open('profiles.html');
      // Seen on landed main: "Valid", while the AWS tools reading the file had another session.
      await waitForText(row(page, 'work').locator('.badge'), label);
      await waitForText(row(page, 'work').locator('.state-reason'), why);
      await screenshot(page, `profiles-not-in-file-${language}`);
    }
  });

  it('says where each profile gets its codes: a TOTP secret, an mfa_process command, a YubiKey, or typed, in both languages', async () => {
    const users = { typed: w.sts.registerUser(), generated: w.sts.registerUser(), command: w.sts.registerUser(), yubikey: w.sts.registerUser() };
    for (const [name, user] of Object.entries(users)) {
      await w.h.engine.addProfile(
        { name, mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
        name === 'generated' ? { totpSecret: user.totpSecret as string } : {},
      );
    }
    await mkdir(dirname(w.h.configPath), { recursive: true });
    await writeFile(
      w.h.configPath,
      '[profile command]\nmfa_process = pass otp aws/command\n\n[profile yubikey]\nyubikey_oath_account = Amazon Web Services:alice\n',
    );
    for (const [language, expected] of [
      [
        'en',
        {
          typed: /typed by you/,
          generated: /generated here, refreshed automatically/,
          command: /from its mfa_process command, refreshed automatically/,
          yubikey: /read from its YubiKey/,
        },
      ],
      [
        'ja',
        {
          typed: /手入力/,
          generated: /このコンピューターで生成し、自動で更新/,
          command: /mfa_process のコマンドから取得し、自動で更新/,
          yubikey: /YubiKey から読み取り/,
        },
      ],
    ] as const) {
      await w.h.engine.updateSettings({ language });
      const page = await openManager();
      // Seen on landed main: "typed by you" for a profile whose codes come from its mfa_process
      // command or its YubiKey (the engine told the window so; the window looked at the TOTP secret alone).
      for (const [name, words] of Object.entries(expected)) await waitForText(row(page, name).locator('.meta'), words);
      await screenshot(page, `profiles-code-sources-${language}`);
    }
    // A config file that cannot be read (a folder in its place): where codes come from is not known,
    // except from a TOTP secret, which the keychain holds.
    await rm(w.h.configPath);
    await mkdir(w.h.configPath);
    await w.h.engine.updateSettings({ language: 'en' });
    const page = await openManager();
    for (const name of ['typed', 'command', 'yubikey'])
      await waitForText(row(page, name).locator('.meta'), /Codesnot known: the AWS config file cannot be read/);
    await waitForText(row(page, 'generated').locator('.meta'), /generated here, refreshed automatically/);
    await screenshot(page, 'profiles-code-sources-unknown-en');
    // A code typed in the row needs no config file: Refresh still offers the field, and the refresh works.
    await row(page, 'typed').getByRole('button', { name: 'Refresh' }).click();
    await w.sts.avoidStepEdge();
    await page.keyboard.type(w.sts.currentCode(users.typed));
    await waitForText(row(page, 'typed').locator('.row-message'), /Done: the new session is in \[typed\]/);
  });

  it('checks every field as the engine does, with its messages, before sending anything', async () => {
    const page = await openManager();
    await page.getByRole('button', { name: 'Add profile' }).click();
    const values = {
      name: '<b>bold</b>',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      secret: 'too-short',
      serial: 'arn:aws:iam::123456789012:user/alice',
      duration: '100',
      region: '<img src=x onerror="window.__pwned=1">',
    };
    await page.getByLabel('Profile name', { exact: true }).fill(values.name);
    await page.getByLabel('Access key ID').fill(values.accessKeyId);
    await page.getByLabel('Secret access key').fill(values.secret);
    await page.getByLabel('MFA device (ARN or serial number)').fill(values.serial);
    await page.getByLabel('Session length', { exact: true }).selectOption('custom');
    await page.getByLabel('Custom length in seconds').fill(values.duration);
    await page.getByLabel('Region').fill(values.region);
    await page.keyboard.press('Enter');

    assert.equal(await fieldError(page, 'Profile name').textContent(), messageOf(checkProfileName(values.name)));
    assert.equal(await fieldError(page, 'Access key ID').textContent(), messageOf(checkAccessKeyId(values.accessKeyId)));
    assert.equal(await fieldError(page, 'Secret access key').textContent(), messageOf(checkSecretAccessKey(values.secret)));
    assert.equal(await fieldError(page, 'MFA device (ARN or serial number)').textContent(), messageOf(checkMfaSerial(values.serial)));
    assert.equal(await fieldError(page, 'Custom length in seconds').textContent(), messageOf(checkDurationSeconds(values.duration)));
    assert.equal(await fieldError(page, 'Region').textContent(), messageOf(checkRegion(values.region)));
    // The first refused field has the focus; nothing went to the main process.
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'name');
    assert.deepEqual(
      w.bridge.calls.filter((c) => c.operation === 'addProfile'),
      [],
    );
  });

  it('shows markup in data as the text it is', async () => {
    const page = await openManager();
    await page.getByRole('button', { name: 'Add profile' }).click();
    await page.getByLabel('Profile name', { exact: true }).fill('<b>bold</b>');
    await page.getByLabel('Region').fill('<img src=x onerror="window.__pwned=1">');
    await dialog(page).getByRole('button', { name: 'Add profile' }).click();

    // The name's message quotes the "<" literally; the region's does not echo a value that could be
    // something pasted into the wrong field (a key), so the markup is never shown at all.
    await waitForText(fieldError(page, 'Profile name'), 'profile name: "<" is not allowed');
    await waitForText(fieldError(page, 'Region'), 'region: the value given is not a region code');
    assert.equal(await page.locator('dialog b, dialog img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await page.keyboard.press('Escape');

    // A name with every punctuation profile names allow, shown exactly as typed (not URL-decoded).
    const odd = 'a.b@c+d%3Cb%3E:e/f-g_h';
    const user = w.sts.registerUser({ name: `odd-${Date.now()}` });
    await w.h.engine.addProfile({ name: odd, mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    await page.reload();
    await waitForText(row(page, odd).locator('h2'), odd);
    assert.equal(await row(page, odd).locator('h2').textContent(), odd);
    const prompt = await w.open(`prompt.html?profile=${encodeURIComponent(odd)}`);
    assert.equal(await prompt.locator('.profile-name').textContent(), odd);
  });

  it("edits a profile: the key is write-only, shown only as stored, and can be replaced, which says the old key's session was forgotten", async () => {
    await w.h.addUser('work');
    // The profile has a session, which belongs to the key about to be replaced.
    await seedSession('work');
    const other = w.sts.registerUser({ name: `other-${Date.now()}` });
    const page = await openManager();

    await row(page, 'work').getByRole('button', { name: 'Edit' }).click();
    await waitForText(dialog(page).locator('.dialog-title'), 'Edit profile work');
    await waitForText(dialog(page), 'A key is stored in the OS keychain. It cannot be shown.');
    assert.equal(await page.getByLabel('Secret access key').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'mfaSerial');

    await dialog(page).getByRole('button', { name: 'Replace key…' }).click();
    await page.getByLabel('Access key ID').fill(other.accessKeyId);
    await page.getByLabel('Secret access key').fill(other.secretAccessKey);
    await page.getByLabel('Session length', { exact: true }).selectOption('custom');
    await page.getByLabel('Custom length in seconds').fill('5400');
    await waitForText(
      dialog(page)
        .locator('.field', { has: page.getByLabel('Custom length in seconds') })
        .locator('.hint'),
      '= 1 hr 30 min',
    );
    await dialog(page).getByRole('button', { name: 'Save' }).click();

    // Seen on landed main: "Profile work saved." alone, while the session the row had showed was gone.
    await waitForText(page.locator('.page-status'), 'Profile work saved.');
    assert.equal(await page.locator('.page-status').textContent(), SAVED_FORGOT_SESSION);
    assert.equal(await w.h.engine.secrets.getSession('work'), undefined);
    assert.deepEqual(await w.h.engine.secrets.getLongLivedKey('work'), { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    assert.equal((await w.h.engine.settings.getProfile('work')).durationSeconds, 5400);
    await waitForText(row(page, 'work').locator('.meta'), /1 hr 30 min/);
    assert.ok(!(await page.content()).includes(other.secretAccessKey));
  });

  it("keeps the note that the old key's session was forgotten when a later step failed and the save is tried again", async () => {
    await w.h.addUser('work');
    await seedSession('work');
    const other = w.sts.registerUser({ name: `other-${Date.now()}` });
    const page = await openManager();
    await row(page, 'work').getByRole('button', { name: 'Edit' }).click();
    await dialog(page).getByRole('button', { name: 'Replace key…' }).click();
    await page.getByLabel('Access key ID').fill(other.accessKeyId);
    await page.getByLabel('Secret access key').fill(other.secretAccessKey);
    await page.getByLabel('Secret key (base32) or otpauth:// URI').fill(other.totpSecret as string);
    // The window's call that stores the TOTP secret fails once (the keychain does not answer, say),
    // after the new key went in and forgot the old key's session.
    await page.route(
      '**/bridge/setTotpSecret',
      (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ ok: false, error: { code: 'keychain-unavailable', message: 'The OS keychain did not answer.' } }),
        }),
      { times: 1 },
    );
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await waitForText(dialog(page), 'The OS keychain did not answer.');
    assert.equal(await w.h.engine.secrets.getSession('work'), undefined, 'the old session is gone already');
    // Saved again: the same key now (nothing more to forget), and the TOTP secret goes in.
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await waitForText(page.locator('.page-status'), 'Profile work saved.');
    assert.equal(await page.locator('.page-status').textContent(), SAVED_FORGOT_SESSION);
    assert.equal(await w.h.engine.secrets.getTotpSecret('work'), other.totpSecret);
  });

  // The keyring shared by the tests cannot be locked and unlocked in place (no prompter): the
  // Secret Service's "is it locked?" answer is the test's, keytar and the keyring are real (as in
  // tray-app.test.ts; locked-keychain.test.ts locks a keyring of its own for the command).
  it('edits a profile while the keychain is locked: the key and TOTP secret not known, nothing offered for them, the settings saved, in both languages', async () => {
    let locked = false;
    const h = await createHarness({ sts: w.sts, keychain: { lockProbe: () => Promise.resolve(locked ? 'locked' : 'unlocked') } });
    try {
      w.bridge.use(h.engine);
      const user = await h.addUser('work', { totp: true });
      await h.addUser('plain');
      locked = true;
      for (const [language, words] of [
        [
          'en',
          {
            key: /Whether a key is stored is not known: the OS keychain cannot be read/,
            totp: /Whether a TOTP secret is stored is not known/,
            codes: /Codesnot known: the OS keychain cannot be read/,
            badge: 'Keychain locked',
          },
        ],
        [
          'ja',
          {
            key: /キーが保存されているかどうか分かりません/,
            totp: /TOTP シークレットが保存されているかどうか分かりません/,
            codes: /不明: OS のキーチェーンを読めません/,
            badge: 'キーチェーンがロック中',
          },
        ],
      ] as const) {
        await h.engine.updateSettings({ language });
        const page = await openManager();
        // Seen on landed main: "Access key: none stored: edit the profile to store one", for a key the locked keychain holds.
        await waitForText(row(page, 'work').locator('.meta'), words.codes);
        assert.equal(await row(page, 'work').locator('.meta-key').count(), 0, 'no word of a missing key');
        // Seen in review: "Refresh failed" on every row, though nothing was refreshed: the keychain is locked.
        for (const name of ['work', 'plain']) await waitForText(row(page, name).locator('.badge'), words.badge);
        await row(page, 'work')
          .getByRole('button', { name: language === 'en' ? 'Edit' : '編集' })
          .click();
        // Seen on landed main: the dialog asked for a key as if none were stored (and would not save
        // without one), and offered to set a TOTP secret, with no word of the keychain.
        await waitForText(dialog(page).locator('.stored-note').first(), words.key);
        await waitForText(dialog(page).locator('.stored-note').nth(1), words.totp);
        assert.equal(await dialog(page).locator('.key-inputs').isVisible(), false, 'no key asked for');
        assert.equal(await dialog(page).locator('.totp-inputs').isVisible(), false, 'no TOTP secret asked for');
        assert.equal(await dialog(page).locator('.stored button').count(), 0, 'nothing offered for what is not known');
        await screenshot(page, `profile-edit-keychain-locked-${language}`);
        await page.keyboard.press('Escape');
      }
      await h.engine.updateSettings({ language: 'en' });
      const page = await openManager();
      await row(page, 'work').getByRole('button', { name: 'Edit' }).click();
      await page.getByLabel('Session length', { exact: true }).selectOption({ label: '8 hr' });
      await dialog(page).getByRole('button', { name: 'Save' }).click();
      await waitForText(page.locator('.page-status'), 'Profile work saved.');
      assert.equal(await page.locator('.page-status').textContent(), 'Profile work saved.', 'no key replaced: nothing forgotten');
      assert.equal((await h.engine.settings.getProfile('work')).durationSeconds, 28_800);
      // Removing it would delete its key and secret if they are there: the confirmation lists them.
      await row(page, 'work').getByRole('button', { name: 'Remove' }).click();
      await waitForText(dialog(page).locator('.deleted-list'), /its long-lived access key.*its TOTP secret/s);
      await dialog(page).getByRole('button', { name: 'Cancel' }).click();
      // An entry the locked keychain answers "absent" for (plain has no TOTP secret) is asked about:
      // the removal would fail, and the confirmation says so before it is asked for.
      await row(page, 'plain').getByRole('button', { name: 'Remove' }).click();
      await waitForText(dialog(page).locator('.message'), /keychain is locked/);
      await dialog(page).getByRole('button', { name: 'Cancel' }).click();
      // An edit to another device, which needs the keychain, is refused whole: locked-keychain.test.ts
      // (a keyring really locked; here only the probe's answer is).
      locked = false;
      assert.equal(await h.engine.secrets.getTotpSecret('work'), user.totpSecret);
      assert.deepEqual(await h.engine.secrets.getLongLivedKey('work'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    } finally {
      locked = false;
      await h.close();
    }
  });

  it("verifies a profile's key and shows the identity ARN", async () => {
    const user = await w.h.addUser('work');
    const page = await openManager();

    await row(page, 'work').getByRole('button', { name: 'Verify key' }).click();

    await waitForText(row(page, 'work').locator('.row-message'), `The key belongs to ${user.arn} (account ${user.account}).`);
  });

  it('refreshes from the list with a code typed in the row', async () => {
    const user = await w.h.addUser('work');
    const page = await openManager();

    await row(page, 'work').getByRole('button', { name: 'Refresh' }).click();
    await w.sts.avoidStepEdge();
    await page.keyboard.type(w.sts.currentCode(user));

    await waitForText(row(page, 'work').locator('.row-message'), /Done: the new session is in \[work\]/);
    await waitForText(row(page, 'work').locator('.badge'), 'Valid');
    // Focus is back on the row's Refresh button.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Refresh');
  });

  it("says a wrong code typed in the row once, in the code field, and the state's reason again once the field is closed", async () => {
    // Seen in review: the same failure under the badge and in the field, one above the other.
    const user = await w.h.addUser('work');
    const page = await openManager();
    await row(page, 'work').getByRole('button', { name: 'Refresh' }).click();
    const near = new Set([-1, 0, 1].map((step) => w.sts.currentCode(user, step)));
    await page.keyboard.type(['111111', '222222', '333333'].find((c) => !near.has(c)) as string);

    await waitForText(row(page, 'work').locator('.badge'), 'Refresh failed');
    await waitForText(row(page, 'work').locator('.code-form .message'), /AWS rejected the MFA code/);
    assert.equal(await row(page, 'work').locator('.state-reason').isVisible(), false, 'said once, in the field');

    await page.keyboard.press('Escape');
    await waitForText(row(page, 'work').locator('.state-reason'), /AWS rejected the MFA code/);
    assert.equal(await row(page, 'work').locator('.state-reason').isVisible(), true);
  });

  it('removes a profile after a confirmation that says what is deleted', async () => {
    const user = await w.h.addUser('work', { totp: true });
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    const before = await readFile(w.h.credentialsPath, 'utf8');
    assert.match(before, /\[work\]/);
    const page = await openManager();

    await row(page, 'work').getByRole('button', { name: 'Remove' }).click();
    const confirm = dialog(page);
    await waitForText(confirm.locator('.dialog-title'), 'Remove profile work?');
    // The engine's answer: the masked key, and that the keychain holds its only copy.
    await waitForText(confirm.locator('.warning'), 'The keychain holds the only copy of this access key');
    const listed = await confirm.locator('.deleted-list li').allTextContents();
    assert.deepEqual(listed, [
      'the profile’s settings in MFA Tray (MFA device, region, session length, target section)',
      `its long-lived access key ${user.accessKeyId.slice(0, 4)}…${user.accessKeyId.slice(-4)} in the OS keychain`,
      'its TOTP secret in the OS keychain',
      'its cached session in the OS keychain',
    ]);
    await waitForText(confirm, 'Your IAM user and its access key in AWS are not changed');
    // Cancel has the focus: Enter alone deletes nothing.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    await page.getByLabel('Also remove the session from [work] in the credentials file').check();
    await confirm.getByRole('button', { name: 'Remove profile' }).click();

    await waitForText(page.locator('.page-status'), 'Profile work removed.');
    assert.equal(await row(page, 'work').count(), 0);
    assert.deepEqual(await w.h.engine.settings.listProfiles(), []);
    assert.equal(await w.h.engine.secrets.getLongLivedKey('work'), undefined);
    assert.equal(await w.h.engine.secrets.hasTotpSecret('work'), false);
    assert.doesNotMatch(await readFile(w.h.credentialsPath, 'utf8'), /aws_session_token/);
  });

  it("removing with the session, when the section holds another tool's session: that one stays, and the status says so", async () => {
    // Seen in review: the window said "Profile work removed." and nothing of the session it left.
    const user = await w.h.addUser('work');
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    const other = 'ASIAOTHERTOOL0000XYZ';
    await writeFile(w.h.credentialsPath, (await readFile(w.h.credentialsPath, 'utf8')).replace(/aws_access_key_id = ASIA\w+/, `aws_access_key_id = ${other}`));
    const page = await openManager();
    await row(page, 'work').getByRole('button', { name: 'Remove' }).click();
    const confirm = dialog(page);
    await page.getByLabel('Also remove the session from [work] in the credentials file').check();
    await confirm.getByRole('button', { name: 'Remove profile' }).click();
    await waitForText(page.locator('.page-status'), "Profile work removed. [work] holds another tool's session (ASIA…0XYZ): it was left as it is.");
    assert.match(await readFile(w.h.credentialsPath, 'utf8'), new RegExp(`aws_access_key_id = ${other}`));
  });

  it('can write the key back into the credentials file before removing the profile', async () => {
    const user = await w.h.addUser('work');
    const page = await openManager();
    await row(page, 'work').getByRole('button', { name: 'Remove' }).click();
    const confirm = dialog(page);
    await waitForText(confirm.locator('.warning'), 'The keychain holds the only copy of this access key');
    await page.getByLabel('First write the access key back into [work-long-term] in the credentials file').check();
    await confirm.getByRole('button', { name: 'Remove profile' }).click();
    await waitForText(page.locator('.page-status'), 'Profile work removed.');
    assert.equal(await w.h.engine.secrets.getLongLivedKey('work'), undefined);
    const text = await readFile(w.h.credentialsPath, 'utf8');
    assert.ok(text.endsWith(`[work-long-term]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`), text);
    // The secret never reached the page.
    assert.ok(!(await page.content()).includes(user.secretAccessKey));
  });

  it('works with the keyboard alone: add, then Esc closes the dialog and returns the focus', async () => {
    const page = await openManager();
    // Tab order starts at the header's buttons.
    for (const name of ['Diagnose', 'MFA policy', 'Import from credentials file…']) {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), name);
    }
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Add profile');
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'name');
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Add profile');
    assert.deepEqual(w.bridge.closedWindows, []);
  });

  it('keeps a session section that holds long-lived keys safe, saying which section', async () => {
    const user = await w.h.addUser('work');
    await mkdir(dirname(w.h.credentialsPath), { recursive: true });
    await writeFile(
      w.h.credentialsPath,
      '[work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    );
    const page = await openManager();

    await row(page, 'work').getByRole('button', { name: 'Refresh' }).click();
    await w.sts.avoidStepEdge();
    await page.keyboard.type(w.sts.currentCode(user));

    await waitForText(row(page, 'work').locator('.code-form .message'), /\[work\]/);
  });
});
