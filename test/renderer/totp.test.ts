/**
 * The TOTP secret in the profile manager: registered from the QR code image AWS shows (the test
 * makes the PNG with `qrcode`), decoded in the window, sent once and never shown again; pasted as
 * base32; removed; and the images that are not a usable QR code.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { waitForText } from '../support/browser';
import { useWindows } from '../support/windows';

const w = useWindows();
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-qr-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const row = (page: Page, name: string): Locator => page.locator(`li.profile[data-profile="${name}"]`);
const dialog = (page: Page): Locator => page.locator('dialog[open]');

/** A PNG of a QR code, as a screenshot of the AWS console's would be. */
async function qrImage(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await QRCode.toFile(path, text, { type: 'png', width: 240, margin: 4 });
  return path;
}

/** The URI AWS's QR code holds for a virtual MFA device. */
function awsUri(account: string, user: string, secret: string): string {
  return `otpauth://totp/Amazon%20Web%20Services:${encodeURIComponent(`${user}@${account}`)}?secret=${secret}&issuer=Amazon%20Web%20Services`;
}

async function openEdit(name: string): Promise<Page> {
  const page = await w.open('profiles.html');
  await row(page, name).getByRole('button', { name: 'Edit' }).click();
  await dialog(page).waitFor();
  return page;
}

describe('the TOTP secret', () => {
  it('is registered from the QR code image, and then the profile refreshes without a code', async () => {
    const user = await w.h.addUser('work');
    const image = await qrImage('aws.png', awsUri(user.account, 'alice', user.totpSecret as string));
    const page = await openEdit('work');
    // Labelled for what it is, with the risk spelled out.
    await waitForText(dialog(page).locator('fieldset.totp legend'), 'TOTP secret (optional)');
    await waitForText(dialog(page).locator('fieldset.totp .warning'), 'two factors become one device');

    await page.getByLabel('…or load the QR code image').setInputFiles(image);

    await waitForText(
      dialog(page).locator('fieldset.totp .message'),
      'Read the QR code of Amazon Web Services: alice@123456789012. The secret is stored when you save.',
    );
    // The file input was emptied: the image is not kept.
    assert.equal(await page.getByLabel('…or load the QR code image').inputValue(), '');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await waitForText(page.locator('.page-status'), 'Profile work saved.');

    assert.equal(await w.h.engine.secrets.getTotpSecret('work'), user.totpSecret);
    assert.equal(w.bridge.calls.filter((c) => c.operation === 'setTotpSecret').length, 1);
    await waitForText(row(page, 'work').locator('.meta'), 'generated here, refreshed automatically');
    assert.ok(!(await page.content()).includes(user.totpSecret as string), 'the secret is still in the page');

    await row(page, 'work').getByRole('button', { name: 'Refresh' }).click();
    await waitForText(row(page, 'work').locator('.row-message'), /Done: the new session is in \[work\]/);
    await waitForText(row(page, 'work').locator('.badge'), 'Valid');
  });

  it('shows only that a secret is stored, and removes it on request', async () => {
    await w.h.addUser('work', { totp: true });
    const page = await openEdit('work');
    await waitForText(dialog(page), 'A TOTP secret is stored in the OS keychain');
    assert.equal(await page.getByLabel('Secret key (base32) or otpauth:// URI').isVisible(), false);

    await dialog(page).getByRole('button', { name: 'Remove secret' }).click();
    await waitForText(dialog(page), 'The stored TOTP secret is removed when you save');
    await dialog(page).getByRole('button', { name: 'Save' }).click();

    await waitForText(page.locator('.page-status'), 'Profile work saved.');
    assert.equal(await w.h.engine.secrets.hasTotpSecret('work'), false);
    await waitForText(row(page, 'work').locator('.meta'), 'typed by you');
  });

  it('takes a pasted base32 secret when a profile is added, and refuses one AWS cannot use', async () => {
    const user = w.sts.registerUser({ name: `paste-${Date.now()}` });
    const page = await w.open('profiles.html');
    await page.getByRole('button', { name: 'Add profile' }).click();
    await page.getByLabel('Profile name', { exact: true }).fill('auto');
    await page.getByLabel('Access key ID').fill(user.accessKeyId);
    await page.getByLabel('Secret access key').fill(user.secretAccessKey);
    await page.getByLabel('MFA device (ARN or serial number)').fill(user.mfaSerial as string);
    const secretField = page.getByLabel('Secret key (base32) or otpauth:// URI');

    await secretField.fill('not base32 at all!');
    await dialog(page).getByRole('button', { name: 'Add profile' }).click();
    const error = dialog(page).locator('.field', { has: secretField }).locator('.field-error');
    await waitForText(error, /TOTP secret/);
    assert.equal(await w.h.engine.settings.listProfiles().then((p) => p.length), 0);

    // Lower case with spaces, as people copy it.
    const spaced = (user.totpSecret as string)
      .toLowerCase()
      .replace(/(.{4})/g, '$1 ')
      .trim();
    await secretField.fill(spaced);
    await dialog(page).getByRole('button', { name: 'Add profile' }).click();
    await waitForText(page.locator('.page-status'), 'Profile auto added.');
    assert.equal(await w.h.engine.secrets.getTotpSecret('auto'), user.totpSecret);
  });

  it('says so when the image holds no QR code, or a QR code without a TOTP secret', async () => {
    await w.h.addUser('work');
    const notTotp = await qrImage('link.png', 'https://example.com/not-a-secret');
    const blank = join(dir, 'blank.png');
    // A 1×1 white PNG.
    await writeFile(blank, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64'));
    const text = join(dir, 'note.png');
    await writeFile(text, 'this is not an image');
    const page = await openEdit('work');
    const picker = page.getByLabel('…or load the QR code image');
    const result = dialog(page).locator('fieldset.totp .message');

    await picker.setInputFiles(notTotp);
    await waitForText(result, 'That QR code holds no TOTP secret');
    await picker.setInputFiles(blank);
    await waitForText(result, 'No QR code was found in that image');
    await picker.setInputFiles(text);
    await waitForText(result, 'not an image this window can read');
    assert.equal(await page.getByLabel('Secret key (base32) or otpauth:// URI').inputValue(), '');
  });
});
