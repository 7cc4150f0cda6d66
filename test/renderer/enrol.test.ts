/**
 * "Enrol MFA Tray as an MFA device" in the profiles window, in Chromium against the real engine,
 * keychain and the loopback IAM: offered by the add dialog's device picker when the user has only a
 * security key, the profile then added with the new device; in the Edit dialog after a
 * confirmation; a policy that refuses it said in the dialog. The device's secret never reaches the page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForText } from '../support/browser';
import type { StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';

const w = useWindows();

const dialog = (page: Page): Locator => page.locator('dialog[open]').last();

/** A user whose only MFA device is a security key (a passkey): STS takes no code from it. */
function passkeyOnlyUser(account: string): StsUser {
  const user = w.sts.registerUser({ account, mfaSerial: null, name: `pk-${Date.now()}` });
  w.sts.addDevice(user, { kind: 'security-key' });
  return user;
}

async function openAdd(user: StsUser, labels = { add: 'Add profile', name: 'Profile name', id: 'Access key ID', secret: 'Secret access key' }): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  await page.getByRole('button', { name: labels.add }).click();
  await page.getByLabel(labels.name, { exact: true }).fill('work');
  await page.getByLabel(labels.id).fill(user.accessKeyId);
  await page.getByLabel(labels.secret).fill(user.secretAccessKey);
  return page;
}

function assertNoSecrets(html: string, user: StsUser): void {
  assert.ok(!html.includes(user.secretAccessKey), 'the secret access key is in the page');
  for (const device of w.sts.devicesOf(user)) if (device.totpSecret) assert.ok(!html.includes(device.totpSecret), 'a TOTP secret is in the page');
}

describe('enrolling MFA Tray as an MFA device', () => {
  it("is offered for a passkey-only user in the add dialog, and adds the profile with the new device and the form's settings", async () => {
    const user = passkeyOnlyUser('345678901234');
    const page = await openAdd(user);
    await page.getByLabel('Session length', { exact: true }).selectOption({ label: '8 hr' });
    await page.getByLabel('Target section', { exact: true }).fill('work-mfa');
    await page.getByLabel('Refresh automatically before the session expires').uncheck();
    const offer = dialog(page).locator('.enrol-offer');
    assert.equal(await offer.isVisible(), false, 'offered before the devices are known');

    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();

    await waitForText(dialog(page).locator('.device-status'), 'None of these devices gives a code MFA Tray can use.');
    await offer.waitFor();
    assert.match((await offer.textContent()) ?? '', /only MFA device is a passkey or security key/);
    assert.match((await offer.textContent()) ?? '', /both live on this computer/);
    assert.match((await offer.textContent()) ?? '', /OS keychain only; this window never shows it.*mfa-tray enrol in a terminal/);

    await offer.getByRole('button', { name: 'Enrol MFA Tray as an MFA device' }).click();

    await waitForText(
      page.locator('.page-status'),
      /^Profile work added, with MFA Tray as its MFA device arn:aws:iam::345678901234:mfa\/.+\. The device’s secret is in the OS keychain only\.$/,
    );
    assert.equal(await page.locator('dialog[open]').count(), 0, 'the dialog closed');
    await page.locator('li.profile[data-profile="work"]').waitFor();
    const enrolled = w.sts.devicesOf(user).filter((d) => d.kind === 'virtual');
    assert.equal(enrolled.length, 1);
    const profile = await w.h.engine.settings.getProfile('work');
    assert.equal(profile.mfaSerial, enrolled[0]?.serialNumber);
    assert.deepEqual([profile.durationSeconds, profile.targetSection, profile.autoRefresh], [28_800, 'work-mfa', false], "the form's settings were dropped");
    assert.equal((await w.h.engine.status()).find((s) => s.profile.name === 'work')?.plan.source, 'totp');
    assert.match((await page.locator('li.profile[data-profile="work"] .meta-codes').textContent()) ?? '', /generated here/);
    assertNoSecrets(await page.content(), user);
  });

  it('is offered in Japanese too', async () => {
    const user = passkeyOnlyUser('456789012345');
    await w.h.engine.updateSettings({ language: 'ja' });
    const page = await openAdd(user, { add: 'プロファイルを追加', name: 'プロファイル名', id: 'アクセスキー ID', secret: 'シークレットアクセスキー' });

    await dialog(page).getByRole('button', { name: 'MFA デバイスを探す' }).click();
    const offer = dialog(page).locator('.enrol-offer');
    await offer.waitFor();
    assert.match((await offer.textContent()) ?? '', /パスキーやセキュリティキーだけの方向け/);
    await offer.getByRole('button', { name: 'MFA Tray を MFA デバイスとして登録' }).click();

    await waitForText(page.locator('.page-status'), /^プロファイル work を追加しました。MFA デバイスは MFA Tray（arn:aws:iam::456789012345:mfa\/.+）です。/);
    assertNoSecrets(await page.content(), user);
  });

  it('says what is wrong with the form before enrolling, and makes no device', async () => {
    const user = passkeyOnlyUser('567890123456');
    const page = await openAdd(user);
    await page.getByLabel('Target section', { exact: true }).fill('work mfa');
    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();
    const offer = dialog(page).locator('.enrol-offer');
    await offer.waitFor();

    await offer.getByRole('button', { name: 'Enrol MFA Tray as an MFA device' }).click();

    // Said on the field, which has the focus.
    const fieldError = dialog(page)
      .locator('.field', { has: page.getByLabel('Target section', { exact: true }) })
      .locator('.field-error');
    await waitForText(fieldError, /./);
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value), 'work mfa');
    assert.equal(w.bridge.calls.filter((c) => c.operation === 'enrolDevice').length, 0, 'enrolled with a refused field');
    assert.equal(w.sts.devicesOf(user).filter((d) => d.kind === 'virtual').length, 0);
  });

  it('is not offered when a device gives codes', async () => {
    const user = w.sts.registerUser({ name: `phone-${Date.now()}` });
    const page = await openAdd(user);
    await dialog(page).getByRole('button', { name: 'Find my MFA devices' }).click();
    await waitForText(dialog(page).locator('.device-status'), 'Filled in the only device that gives codes.');
    assert.equal(await dialog(page).locator('.enrol-offer').isVisible(), false);
  });

  it('enrols an existing profile from its Edit dialog, after a confirmation', async () => {
    const user = await w.h.addUser('work');
    const page = await w.open('profiles.html');
    await page.locator('li.profile[data-profile="work"] button.edit').click();
    await dialog(page).getByRole('button', { name: 'Enrol MFA Tray as an MFA device' }).click();

    const confirm = page.locator('dialog[open].enrol-dialog');
    await waitForText(confirm.locator('.dialog-title'), 'Enrol MFA Tray as an MFA device of work?');
    assert.match((await confirm.textContent()) ?? '', /mfa-tray enrol work in a terminal shows it once/);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    assert.equal(w.bridge.calls.filter((c) => c.operation === 'enrolDevice').length, 0, 'enrolled before the confirmation');
    await confirm.getByRole('button', { name: 'Enrol', exact: true }).click();

    await waitForText(
      page.locator('.page-status'),
      /^MFA Tray is now the MFA device of work: arn:aws:iam::\d+:mfa\/.+\. The device’s secret is in the OS keychain only\.$/,
    );
    assert.equal(await page.locator('dialog[open]').count(), 0, 'both dialogs closed');
    const created = w.sts.devicesOf(user).find((d) => d.serialNumber !== user.mfaSerial);
    assert.ok(created);
    assert.equal((await w.h.engine.settings.getProfile('work')).mfaSerial, created.serialNumber);
    assertNoSecrets(await page.content(), user);
  });

  it('says so in the confirmation when the policy refuses it', async () => {
    const user = w.sts.registerUser({ name: `strict-${Date.now()}`, iamPolicy: 'mfa-required' });
    await w.h.engine.addProfile({ name: 'work', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    const page = await w.open('profiles.html');
    await page.locator('li.profile[data-profile="work"] button.edit').click();
    await dialog(page).getByRole('button', { name: 'Enrol MFA Tray as an MFA device' }).click();
    const confirm = page.locator('dialog[open].enrol-dialog');

    await confirm.getByRole('button', { name: 'Enrol', exact: true }).click();

    await waitForText(confirm.locator('.message-error'), "This IAM user's policy does not allow iam:CreateVirtualMFADevice");
    assert.equal(await confirm.isVisible(), true, 'the confirmation stays, with the error');
    assert.equal(w.sts.devicesOf(user).length, 1, 'no device was added');
    assert.equal((await w.h.engine.settings.getProfile('work')).mfaSerial, user.mfaSerial);
  });
});
