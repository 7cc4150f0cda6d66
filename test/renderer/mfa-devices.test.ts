/**
 * "Find my MFA devices" in the add and import dialogs, in Chromium against the real engine and the
 * loopback IAM: the only usable device filled in, a pick among several saved with the profile,
 * security keys listed but not offered, a policy that denies iam:ListMFADevices said at the field,
 * and the import dialog's lookup with the chosen section's key.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForText } from '../support/browser';
import type { StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';

const w = useWindows();

const dialog = (page: Page): Locator => page.locator('dialog[open]');
const serialField = (page: Page, label: string): Locator => dialog(page).locator('.field', { has: page.getByLabel(label, { exact: true }) });
const ADD_SERIAL = 'MFA device (ARN or serial number)';
const IMPORT_SERIAL = 'MFA device (optional)';

async function openAdd(user: StsUser): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  await page.getByRole('button', { name: 'Add profile' }).click();
  await page.getByLabel('Access key ID').fill(user.accessKeyId);
  await page.getByLabel('Secret access key').fill(user.secretAccessKey);
  return page;
}

async function openImport(user: StsUser): Promise<Page> {
  await mkdir(dirname(w.h.credentialsPath), { recursive: true });
  await writeFile(w.h.credentialsPath, `[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`);
  await writeFile(w.h.configPath, '');
  const page = await w.open('profiles.html');
  await page.getByRole('button', { name: 'Import from credentials file…' }).click();
  await page.getByLabel('Section', { exact: true }).waitFor();
  return page;
}

function assertNoSecret(html: string, user: StsUser): void {
  assert.ok(!html.includes(user.secretAccessKey), 'the secret access key is in the page');
}

describe('the MFA device picker', () => {
  it('is usable once the key is typed, and fills in the only device', async () => {
    const user = w.sts.registerUser({ name: `one-${Date.now()}` });
    const page = await w.open('profiles.html');
    await page.getByRole('button', { name: 'Add profile' }).click();
    const find = dialog(page).getByRole('button', { name: 'Find my MFA devices' });
    assert.equal(await find.isDisabled(), true, 'usable before a key is typed');
    await page.getByLabel('Access key ID').fill(user.accessKeyId);
    assert.equal(await find.isDisabled(), true, 'usable with half a key');
    await page.getByLabel('Secret access key').fill(user.secretAccessKey);
    const listedBefore = w.sts.count('ListMFADevices');

    await find.click();

    await waitForText(serialField(page, ADD_SERIAL).locator('.device-status'), 'Filled in the only device that gives codes.');
    assert.equal(await page.getByLabel(ADD_SERIAL, { exact: true }).inputValue(), user.mfaSerial);
    assert.equal(
      await serialField(page, ADD_SERIAL)
        .getByRole('radio', { name: user.mfaSerial as string })
        .isChecked(),
      true,
    );
    assert.equal(w.sts.count('ListMFADevices'), listedBefore + 1);
    assertNoSecret(await page.content(), user);
  });

  it('is named in the hint only where it is: not in the edit dialog of a stored key, until the key is replaced', async () => {
    // Seen in review: the edit dialog's hint said "Find my MFA devices" lists them, with no such button.
    await w.h.addUser('work');
    const page = await w.open('profiles.html');
    await page.locator('li.profile[data-profile="work"] button.edit').click();
    const hint = serialField(page, ADD_SERIAL).locator('p.hint:not(.device-note):not(.enrol-secret)');
    const find = dialog(page).getByRole('button', { name: 'Find my MFA devices' });
    await hint.waitFor();
    assert.equal(await find.isVisible(), false);
    assert.doesNotMatch(await hint.innerText(), /Find my MFA devices/);

    await dialog(page).getByRole('button', { name: 'Replace key…' }).click();

    assert.equal(await find.isVisible(), true);
    assert.match(await hint.innerText(), /^“Find my MFA devices” lists them once the access key is filled in\. A virtual device/);
  });

  it('lists several devices to pick from, and the profile is added with the one picked', async () => {
    const user = w.sts.registerUser({ name: `several-${Date.now()}` });
    const token = w.sts.addDevice(user, { kind: 'hardware' });
    w.sts.addDevice(user, { kind: 'virtual', name: `${user.name}-tablet` });
    const page = await openAdd(user);
    await page.getByLabel('Profile name', { exact: true }).fill('work');

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    const picker = serialField(page, ADD_SERIAL);
    await waitForText(picker.locator('.device-status'), 'Pick the device to use.');
    const radios = picker.getByRole('radio');
    assert.equal(await radios.count(), 3);
    assert.equal(await page.getByLabel(ADD_SERIAL, { exact: true }).inputValue(), '', 'filled in before a pick');
    assert.match((await picker.locator('.device', { has: page.getByRole('radio', { name: token.serialNumber }) }).textContent()) ?? '', /hardware token/);
    await picker.getByRole('radio', { name: token.serialNumber }).check();
    assert.equal(await page.getByLabel(ADD_SERIAL, { exact: true }).inputValue(), token.serialNumber);
    await dialog(page).getByRole('button', { name: 'Add profile' }).click();

    await waitForText(page.locator('.page-status'), 'Profile work added.');
    assert.equal((await w.h.engine.settings.getProfile('work')).mfaSerial, token.serialNumber);
    assertNoSecret(await page.content(), user);
  });

  it('shows a security key but does not offer it, and says why', async () => {
    const user = w.sts.registerUser({ name: `fido-${Date.now()}` });
    const key = w.sts.addDevice(user, { kind: 'security-key', name: 'yubikey' });
    const page = await openAdd(user);

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    const picker = serialField(page, ADD_SERIAL);
    await waitForText(picker.locator('.device-status'), 'Filled in the only device that gives codes.');
    const keyRadio = picker.getByRole('radio', { name: key.serialNumber });
    assert.equal(await keyRadio.isDisabled(), true);
    assert.match((await picker.locator('.device[data-kind="security-key"]').textContent()) ?? '', /security key \(FIDO\)/);
    await waitForText(
      picker.locator('.device-note'),
      'AWS accepts no code from a security key on the command line. You can assign a virtual (authenticator app) device in addition: a user may have up to 8.',
    );
    assert.equal(await picker.locator('.device-note').isVisible(), true);
    assert.equal(await page.getByLabel(ADD_SERIAL, { exact: true }).inputValue(), user.mfaSerial);
  });

  it('says at the field when the policy denies listing the devices', async () => {
    const user = w.sts.registerUser({ name: `denied-${Date.now()}`, iamPolicy: 'mfa-required' });
    const page = await openAdd(user);

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    const error = serialField(page, ADD_SERIAL).locator('.field-error');
    await waitForText(error, "This IAM user's policy does not let a key without MFA list its MFA devices (iam:ListMFADevices)");
    assert.equal(await page.getByLabel(ADD_SERIAL, { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await serialField(page, ADD_SERIAL).locator('.device-list').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'mfaSerial');
    assertNoSecret(await page.content(), user);
  });

  it('says the denial in Japanese, with the engine’s words under it', async () => {
    const user = w.sts.registerUser({ name: `denied-ja-${Date.now()}`, iamPolicy: 'mfa-required' });
    await w.h.engine.updateSettings({ language: 'ja' });
    const page = await w.open('profiles.html');
    await page.getByRole('button', { name: 'プロファイルを追加' }).click();
    await page.getByLabel('アクセスキー ID').fill(user.accessKeyId);
    await page.getByLabel('シークレットアクセスキー').fill(user.secretAccessKey);

    await dialog(page).getByRole('button', { name: 'MFA デバイスを探す' }).click();

    const error = serialField(page, 'MFA デバイス（ARN またはシリアル番号）').locator('.field-error');
    await waitForText(error, 'この IAM ユーザーのポリシーでは、MFA なしのキーで MFA デバイスを一覧できません（iam:ListMFADevices）。');
    await waitForText(error, 'iam:ListMFADevices), so they cannot be looked up');
  });

  it('checks the key as the engine does before asking AWS', async () => {
    const page = await w.open('profiles.html');
    await page.getByRole('button', { name: 'Add profile' }).click();
    await page.getByLabel('Access key ID').fill('ASIAIOSFODNN7EXAMPLE');
    await page.getByLabel('Secret access key').fill('too-short');

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    await waitForText(
      dialog(page)
        .locator('.field', { has: page.getByLabel('Access key ID') })
        .locator('.field-error'),
      /ASIA/,
    );
    assert.equal(w.bridge.calls.filter((c) => c.operation === 'listMfaDevices').length, 0);
  });

  it("lists the devices of the chosen section's key in the import dialog", async () => {
    const user = w.sts.registerUser({ name: `import-${Date.now()}` });
    const tablet = w.sts.addDevice(user, { kind: 'virtual', name: `${user.name}-tablet` });
    const page = await openImport(user);

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    const picker = serialField(page, IMPORT_SERIAL);
    await waitForText(picker.locator('.device-status'), 'Pick the device to use.');
    assert.equal(await picker.getByRole('radio').count(), 2);
    await picker.getByRole('radio', { name: tablet.serialNumber }).check();
    assert.equal(await page.getByLabel(IMPORT_SERIAL, { exact: true }).inputValue(), tablet.serialNumber);
    await dialog(page).getByRole('button', { name: 'Import' }).click();

    await waitForText(page.locator('.page-status'), 'Imported legacy');
    assert.equal((await w.h.engine.settings.getProfile('legacy')).mfaSerial, tablet.serialNumber);
    assertNoSecret(await page.content(), user);
  });

  it('lists the devices to pick from when an import finds several and no file names one', async () => {
    const user = w.sts.registerUser({ name: `import-two-${Date.now()}` });
    const tablet = w.sts.addDevice(user, { kind: 'virtual', name: `${user.name}-tablet` });
    const page = await openImport(user);

    await dialog(page).getByRole('button', { name: 'Import' }).click();

    const picker = serialField(page, IMPORT_SERIAL);
    await waitForText(
      picker.locator('.field-error'),
      'MFA device: neither ~/.aws/config nor [legacy] names one, and IAM lists no single device that gives codes (see below)',
    );
    await waitForText(picker.locator('.device-status'), 'Pick the device to use.');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), 'radio');
    await picker.getByRole('radio', { name: tablet.serialNumber }).check();
    assert.equal(await picker.locator('.field-error').isVisible(), false, 'the pick clears the error');
    await dialog(page).getByRole('button', { name: 'Import' }).click();
    await waitForText(page.locator('.page-status'), 'Imported legacy');
    assert.equal((await w.h.engine.settings.getProfile('legacy')).mfaSerial, tablet.serialNumber);
  });
});
