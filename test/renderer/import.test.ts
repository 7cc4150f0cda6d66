/**
 * Import from the credentials file in Chromium, against the real engine and real files: the
 * sections with long-lived keys listed, the plaintext key removed on request, the config file's
 * mfa_serial used (else the IAM user's only device), and the cases the engine refuses said in the
 * window's words.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForText } from '../support/browser';
import type { StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';

const w = useWindows();

const dialog = (page: Page): Locator => page.locator('dialog[open]');
const row = (page: Page, name: string): Locator => page.locator(`li.profile[data-profile="${name}"]`);

async function seed(credentials: string, config: string): Promise<void> {
  await mkdir(dirname(w.h.credentialsPath), { recursive: true });
  await writeFile(w.h.credentialsPath, credentials);
  await writeFile(w.h.configPath, config);
}

function legacySection(user: StsUser): string {
  return `[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`;
}

async function openImport(): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.getByRole('button', { name: 'Import from credentials file…' }).click();
  await dialog(page).waitFor();
  return page;
}

describe('import from the credentials file', () => {
  it('moves a long-lived key into the keychain and removes the plaintext key', async () => {
    const user = w.sts.registerUser({ name: `legacy-${Date.now()}` });
    const other = '# my other profile\n[sandbox]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n';
    await seed(`${legacySection(user)}\n${other}`, `[profile legacy]\nmfa_serial = ${user.mfaSerial}\nregion = ap-northeast-1\nduration_seconds = 3600\n`);
    const page = await openImport();

    const select = page.getByLabel('Section', { exact: true });
    await select.waitFor();
    assert.deepEqual(await select.locator('option').allTextContents(), ['[legacy]', '[sandbox]']);
    assert.equal(await page.getByLabel('Profile name', { exact: true }).inputValue(), 'legacy');
    assert.equal(await page.getByLabel('Remove the plaintext key from the credentials file').isChecked(), true);
    await dialog(page).getByRole('button', { name: 'Import' }).click();

    await waitForText(page.locator('.page-status'), 'Imported legacy and removed its plaintext key from the credentials file.');
    assert.deepEqual(await w.h.engine.secrets.getLongLivedKey('legacy'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    assert.equal(await readFile(w.h.credentialsPath, 'utf8'), `[legacy]\n\n${other}`);
    await waitForText(row(page, 'legacy').locator('.meta'), /\[legacy\].*ap-northeast-1.*1 hr/);
  });

  it("takes the IAM user's only device when no file names one", async () => {
    const user = w.sts.registerUser({ name: `legacy-${Date.now()}` });
    await seed(legacySection(user), '');
    const page = await openImport();
    await page.getByLabel('Section', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('MFA device (optional)').inputValue(), '');
    const listedBefore = w.sts.count('ListMFADevices');

    await dialog(page).getByRole('button', { name: 'Import' }).click();

    await waitForText(page.locator('.page-status'), 'Imported legacy');
    assert.equal((await w.h.engine.settings.getProfile('legacy')).mfaSerial, user.mfaSerial);
    assert.equal(w.sts.count('ListMFADevices'), listedBefore + 1);
  });

  it('will not aim sessions at the section whose plaintext key stays, and says why before asking the engine', async () => {
    const user = w.sts.registerUser({ name: `legacy-${Date.now()}` });
    await seed(legacySection(user), `[profile legacy]\nmfa_serial = ${user.mfaSerial}\n`);
    const page = await openImport();
    await page.getByLabel('Remove the plaintext key from the credentials file').uncheck();

    await dialog(page).getByRole('button', { name: 'Import' }).click();

    const target = dialog(page).locator('.field', { has: page.getByLabel('Target section (optional)') });
    await waitForText(target.locator('.field-error'), 'sessions cannot go to [legacy] while its plaintext key stays there');
    assert.deepEqual(
      w.bridge.calls.filter((c) => c.operation === 'importProfile'),
      [],
    );

    // Another profile name makes the sessions go to a section of their own; the plaintext key stays.
    await page.getByLabel('Profile name', { exact: true }).fill('legacy-mfa');
    await dialog(page).getByRole('button', { name: 'Import' }).click();
    await waitForText(page.locator('.page-status'), 'Imported legacy-mfa; its plaintext key is still in the credentials file.');
    assert.equal(await readFile(w.h.credentialsPath, 'utf8'), legacySection(user));
    assert.equal((await w.h.engine.settings.getProfile('legacy-mfa')).targetSection, 'legacy-mfa');
  });

  it('says so when no section holds a long-lived key', async () => {
    await seed('[session-only]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\naws_session_token = y\n', '');
    const page = await openImport();

    await waitForText(dialog(page), 'No section of the credentials file holds a long-lived key');
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });
  });
});
