/**
 * Settings in Chromium, against the real engine: values checked with the engine's messages, saved,
 * and the switch to Japanese, which every open window follows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { checkNotifyBeforeMinutes } from '../../main/common/validation';
import { waitForEvents, waitForText } from '../support/browser';
import type { StsServer, StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';

const w = useWindows();

async function openSettings(): Promise<Page> {
  const page = await w.open('settings.html');
  await page.locator('form.settings-form').waitFor();
  return page;
}

function wrongCode(sts: StsServer, user: StsUser): string {
  const near = new Set([-1, 0, 1].map((step) => sts.currentCode(user, step)));
  return ['111111', '222222', '333333', '444444'].find((c) => !near.has(c)) as string;
}

describe('settings', () => {
  it('shows the current settings, with the first field focused', async () => {
    await w.h.engine.updateSettings({ notifyBeforeMinutes: 20, clipboardClearSeconds: 0, launchAtLogin: true });
    const page = await openSettings();

    assert.equal(await page.getByLabel('Notify before a session expires').inputValue(), '20');
    assert.equal(await page.getByLabel('Refresh automatically before expiry').inputValue(), '10');
    assert.equal(await page.getByLabel('Clear copied credentials after').inputValue(), '0');
    assert.equal(await page.getByLabel('Launch MFA Tray at login').isChecked(), true);
    assert.equal(await page.getByLabel('Language').inputValue(), 'auto');
    assert.equal(await page.locator('#app select option[value="auto"]').textContent(), 'Automatic (English)');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'notifyBeforeMinutes');
  });

  it("checks the values with the engine's messages, then saves them", async () => {
    const page = await openSettings();
    const notify = page.getByLabel('Notify before a session expires');

    await notify.fill('500');
    await page.keyboard.press('Enter');
    const error = page.locator('.field', { has: notify }).locator('.field-error');
    await waitForText(error, (checkNotifyBeforeMinutes('500') as { issue: { message: string } }).issue.message);
    assert.deepEqual(
      w.bridge.calls.filter((c) => c.operation === 'updateSettings'),
      [],
    );

    await notify.fill('30');
    await page.getByLabel('Clear copied credentials after').fill('120');
    await page.getByLabel('Launch MFA Tray at login').check();
    await page.getByRole('button', { name: 'Save' }).click();

    await waitForText(page.locator('.form-status'), 'Settings saved.');
    const { settings } = await w.h.engine.settings.load();
    assert.deepEqual(settings, { notifyBeforeMinutes: 30, autoRefreshBeforeMinutes: 10, clipboardClearSeconds: 120, launchAtLogin: true, language: 'auto' });
    assert.equal(await error.isVisible(), false);
  });

  it('grows to keep Save and Close in view under refused values, in both languages', async () => {
    // Seen in review: three refused values pushed the buttons off the bottom of its fixed 560 px.
    for (const language of ['en', 'ja'] as const) {
      await w.h.engine.updateSettings({ language });
      const page = await openSettings();
      const base = await page.evaluate(() => window.innerHeight);
      const inputs = page.locator('form.settings-form input:not([type=checkbox])');
      for (const [k, value] of ['999', '1.5', '-3'].entries()) await inputs.nth(k).fill(value);
      await page.locator('form.settings-form button[type=submit]').click();
      await page.locator('.field-error:visible').nth(2).waitFor();
      const grown = await w.fit(page);
      assert.ok(grown > base, `(${language}) the window grew: ${grown} > ${base}`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight), `(${language}) nothing below the edge`);
      for (const button of await page.locator('form.settings-form .actions button').all()) {
        const box = await button.boundingBox();
        assert.ok(box !== null && box.y + box.height <= grown, `(${language}) a button is below the edge`);
      }
    }
  });

  it('switches every open window to Japanese', async () => {
    const user = await w.h.addUser('work');
    const profiles = await w.open('profiles.html');
    await profiles.locator('li.profile').waitFor();
    await waitForEvents(profiles);
    const page = await openSettings();

    await page.getByLabel('Language').selectOption('ja');
    await page.getByRole('button', { name: 'Save' }).click();

    await waitForText(page.locator('h1'), '設定');
    await waitForText(page.locator('.form-status'), '設定を保存しました。');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    assert.equal(await page.title(), '設定 — MFA Tray');
    assert.equal(await page.getByLabel('言語').inputValue(), 'ja');
    assert.equal((await w.h.engine.settings.load()).settings.language, 'ja');

    // The profile manager, open meanwhile, follows through the engine's settings event.
    await waitForText(profiles.locator('h1'), 'プロファイル');
    await waitForText(profiles.locator('li.profile .badge'), 'セッションなし');
    await waitForText(profiles.locator('li.profile .row-actions'), '更新キーを確認編集削除');

    // A code prompt opened now speaks Japanese, errors included.
    const prompt = await w.open('prompt.html?profile=work');
    await waitForText(prompt.locator('h1'), 'MFA コードを入力');
    await prompt.keyboard.type(wrongCode(w.sts, user));
    const text = await waitForText(prompt.locator('.code-form .message'), /コードが違います。/);
    assert.match(text, /MFA デバイスに次のコードが出たら、もう一度入力してください/);
    await prompt.keyboard.type('12a');
    await waitForText(
      prompt.locator('.code-form .message'),
      'MFA コードに使えない文字が含まれています。MFA デバイスに今表示されている 6 桁の数字を入力してください。',
    );
  });

  it('follows the OS language when set to automatic, with dates for the locale', async () => {
    const user = await w.h.addUser('work');
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    w.bridge.setLocale('ja-JP');

    const profiles = await w.open('profiles.html');

    await waitForText(profiles.locator('h1'), 'プロファイル');
    const detail = await waitForText(profiles.locator('li.profile .state-detail'), /^残り (11 時間 59 分|12 時間)（.*まで）$/);
    assert.match(detail, /\d{1,2}:\d{2}/);
    const settings = await openSettings();
    assert.equal(await settings.locator('#app select option[value="auto"]').textContent(), '自動（日本語）');
  });
});
