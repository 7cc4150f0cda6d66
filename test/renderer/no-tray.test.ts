/**
 * The profile manager on a desktop that shows no tray icon (GNOME without the AppIndicator
 * extension), where it is the app: a notice at the top says why it opened and what closing it
 * does, in the window's language, and its Quit button quits the app. With a tray icon, no notice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitForEvents, waitForText } from '../support/browser';
import { useWindows } from '../support/windows';

const w = useWindows();

const EN_WHY =
  'This desktop shows no tray icons, so MFA Tray has no icon and opens this window instead. On GNOME, the “AppIndicator and KStatusNotifierItem Support” extension adds them.';
const EN_CLOSING = 'Closing this window keeps your sessions fresh in the background; starting MFA Tray again brings it back.';
const JA_WHY =
  'このデスクトップにはトレイアイコンが表示されないため、MFA Tray はアイコンの代わりにこのウィンドウを開いています。GNOME では拡張機能「AppIndicator and KStatusNotifierItem Support」を入れると表示されます。';
const JA_CLOSING = 'ウィンドウを閉じても、セッションはバックグラウンドで更新され続けます。MFA Tray をもう一度起動すると、このウィンドウがまた開きます。';

async function openManager(): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  return page;
}

/** The notice's two lines and its button, as shown. */
async function noticeText(page: Page): Promise<{ why: string; closing: string; button: string }> {
  const notice = page.getByRole('note');
  return {
    why: (await notice.locator('.no-tray-why').textContent()) ?? '',
    closing: (await notice.locator('.no-tray-closing').textContent()) ?? '',
    button: (await notice.getByRole('button').textContent()) ?? '',
  };
}

describe('the profile manager without a tray icon', () => {
  it('says why it opened, what closing it does, and offers Quit, at the top of the window', async () => {
    w.bridge.use(w.h.engine, { withoutTray: () => true, quit: () => undefined });
    await w.h.addUser('work');
    const page = await openManager();

    const notice = page.getByRole('note');
    await notice.waitFor();
    assert.deepEqual(await noticeText(page), { why: EN_WHY, closing: EN_CLOSING, button: 'Quit MFA Tray' });
    assert.ok(await page.getByRole('button', { name: 'Quit MFA Tray' }).isEnabled());
    // First in the window: above the heading and the list.
    const [noticeBox, headingBox] = [await notice.boundingBox(), await page.getByRole('heading', { name: 'Profiles', level: 1 }).boundingBox()];
    assert.ok(noticeBox && headingBox && noticeBox.y + noticeBox.height <= headingBox.y, 'the notice is not above the heading');
    assert.equal(await page.locator('#app > :first-child').getAttribute('class'), 'no-tray');
  });

  it('says it in Japanese, and follows a change of language while open', async () => {
    w.bridge.use(w.h.engine, { withoutTray: () => true, quit: () => undefined });
    await w.h.engine.updateSettings({ language: 'ja' });
    const page = await openManager();
    await page.getByRole('note').waitFor();
    assert.deepEqual(await noticeText(page), { why: JA_WHY, closing: JA_CLOSING, button: 'MFA Tray を終了' });

    await waitForEvents(page);
    await w.h.engine.updateSettings({ language: 'en' });
    await waitForText(page.getByRole('note').locator('.no-tray-why'), EN_WHY);
    assert.deepEqual(await noticeText(page), { why: EN_WHY, closing: EN_CLOSING, button: 'Quit MFA Tray' });
  });

  it('quits the app with its Quit button', async () => {
    let quits = 0;
    w.bridge.use(w.h.engine, { withoutTray: () => true, quit: () => (quits += 1) });
    const page = await openManager();
    const quit = page.getByRole('button', { name: 'Quit MFA Tray' });
    await quit.click();

    // Once: the button waits for the app to go (quitting finishes its work first).
    await quit.and(page.locator(':disabled')).waitFor();
    assert.equal(quits, 1);
    assert.deepEqual(w.bridge.calls.filter((c) => c.operation === 'quitApp').length, 1);
    assert.ok(await page.locator('.page-status').isHidden(), 'a message was shown');
  });

  it('shows why when the app cannot quit, and lets the person try again', async () => {
    // A host without quit refuses it.
    w.bridge.use(w.h.engine, { withoutTray: () => true });
    const page = await openManager();
    const quit = page.getByRole('button', { name: 'Quit MFA Tray' });
    await quit.click();

    await waitForText(page.locator('.page-status.message-error'), 'Quitting is not available here.');
    assert.ok(await quit.isEnabled());
    assert.ok(await quit.evaluate((button) => document.activeElement === button), 'the focus left the button');
  });
});

describe('the profile manager with a tray icon', () => {
  for (const [what, host] of [
    ['the default host', undefined],
    ['a host that has one', { withoutTray: () => false, quit: () => undefined }],
  ] as const) {
    it(`shows no notice and no Quit (${what})`, async () => {
      w.bridge.use(w.h.engine, host);
      await w.h.addUser('work');
      const page = await openManager();
      await page.locator('li.profile[data-profile="work"]').waitFor();

      // It asked, and was told there is one.
      assert.ok(w.bridge.calls.some((c) => c.operation === 'getHostState'));
      assert.equal(await page.getByRole('note').count(), 0);
      assert.equal(await page.getByRole('button', { name: 'Quit MFA Tray' }).count(), 0);
      assert.ok(await page.locator('.no-tray').isHidden());
      assert.equal(await page.locator('#app > :not([hidden])').first().getAttribute('class'), 'window-header');
    });
  }
});
