/**
 * The Diagnose dialog of the profiles window, in Chromium against the real engine, the real
 * keychain and files and the loopback STS and IAM: doctor's checks one line each, with a verdict
 * mark and word, the message and fix (the engine's in English, worded from what was found in
 * Japanese, with the engine's English under a finding that is an error's own words), a summary
 * line, and "Check again" after the problem is fixed.
 */
import assert from 'node:assert/strict';
import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForText } from '../support/browser';
import { useWindows } from '../support/windows';

const w = useWindows();

const dialog = (page: Page): Locator => page.locator('dialog[open].diagnose-dialog');

/** A profile with a fresh session, a credentials file only the user can read: every check passes. */
async function cleanWorld(): Promise<void> {
  const user = await w.h.addUser('work');
  await w.sts.avoidStepEdge();
  await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
  await chmod(w.h.credentialsPath, 0o600);
}

/** The same section twice in the credentials file (the AWS CLI cannot read it); @returns the file as it was. */
async function duplicateSection(): Promise<string> {
  const before = await readFile(w.h.credentialsPath, 'utf8');
  await appendFile(w.h.credentialsPath, '\n[shared]\nregion = us-east-1\n\n[shared]\noutput = json\n');
  return before;
}

async function openDiagnose(name: string): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('li.profile').first().waitFor();
  await page.getByRole('button', { name, exact: true }).click();
  await dialog(page).locator('.check-list:not([hidden])').waitFor();
  return page;
}

describe('the Diagnose dialog', () => {
  it('shows every check passing, one line each with its mark, and says so at the top', async () => {
    await cleanWorld();
    const page = await openDiagnose('Diagnose');

    await waitForText(dialog(page).locator('.diagnosis-summary'), 'All checks pass.');
    const rows = await dialog(page)
      .locator('li.check')
      .evaluateAll((items) =>
        items.map((item) => ({
          check: item.getAttribute('data-check'),
          verdict: (item.querySelector('.verdict') as HTMLElement).textContent,
          message: (item.querySelector('.check-message') as HTMLElement).textContent,
          lang: (item.querySelector('.check-message') as HTMLElement).lang,
          fix: item.querySelector('.check-fix') !== null,
        })),
      );
    assert.deepEqual([...new Set(rows.map((r) => r.check))], ['environment', 'keychain', 'key', 'device', 'clock', 'files', 'session']);
    for (const row of rows) {
      assert.equal(row.verdict, '✓OK', JSON.stringify(row));
      assert.equal(row.lang, 'en');
      assert.equal(row.fix, false, 'a passing check has no fix');
    }
    assert.match(await dialog(page).locator('li.check[data-check="key"] .check-name').innerText(), /Access key\s*work/);
    assert.equal(await dialog(page).getByRole('button', { name: 'Check again' }).isEnabled(), true);
  });

  it('shows a problem with its mark, message and fix, and passes again once it is fixed', async () => {
    await cleanWorld();
    const clean = await duplicateSection();
    const page = await openDiagnose('Diagnose');

    await waitForText(dialog(page).locator('.diagnosis-summary'), '1 check needs attention.');
    assert.match((await dialog(page).locator('.diagnosis-summary').getAttribute('class')) ?? '', /message-error/);
    const problem = dialog(page).locator('li.check[data-verdict="fail"]');
    assert.equal(await problem.count(), 1);
    assert.equal(await problem.getAttribute('data-check'), 'files');
    assert.equal(await problem.locator('.verdict').textContent(), '✕Problem');
    assert.equal(await problem.locator('.check-name').textContent(), 'AWS files');
    assert.equal(
      await problem.locator('.check-message').textContent(),
      `[shared] appears 2 times in ${w.h.credentialsPath}: the AWS CLI cannot read a file like that.`,
    );
    assert.equal(await problem.locator('.check-fix').textContent(), 'To fix: merge the [shared] sections into one');

    await writeFile(w.h.credentialsPath, clean);
    await dialog(page).getByRole('button', { name: 'Check again' }).click();

    await waitForText(dialog(page).locator('.diagnosis-summary'), 'All checks pass.');
    assert.equal(await dialog(page).locator('li.check[data-verdict="fail"]').count(), 0);
    assert.equal(await dialog(page).locator('li.check[data-check="files"] .verdict').textContent(), '✓OK');
  });

  it('speaks Japanese, the checks’ findings too', async () => {
    await cleanWorld();
    await w.h.engine.updateSettings({ language: 'ja' });
    const page = await openDiagnose('診断');
    await waitForText(dialog(page).locator('.diagnosis-summary'), 'すべてのチェックに合格しました。');
    assert.equal(await dialog(page).locator('.dialog-title').textContent(), '診断');
    assert.equal(await dialog(page).locator('li.check[data-check="keychain"] .verdict').textContent(), '✓OK');
    assert.equal(await dialog(page).locator('li.check[data-check="keychain"] .check-name').textContent(), 'キーチェーン');
    // Seen on landed main: every check's message and fix in English in the Japanese window.
    const keychain = dialog(page).locator('li.check[data-check="keychain"] .check-message');
    assert.equal(await keychain.textContent(), 'キーチェーンは応答し、ロックも解除されています。');
    assert.equal(await keychain.getAttribute('lang'), null, "in the window's language");
    assert.match(
      (await dialog(page).locator('li.check[data-check="key"] .check-message').textContent()) ?? '',
      /^AKIA…\w{4} は有効な長期アクセスキーです: arn:aws:iam::/,
    );
    assert.match((await dialog(page).locator('li.check[data-check="session"] .check-message').textContent()) ?? '', /^セッションの残りは .+ です。$/);
    assert.equal(await dialog(page).locator('.check-detail').count(), 0, 'nothing to add in English when all pass');
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'detached' });

    await duplicateSection();
    await page.getByRole('button', { name: '診断', exact: true }).click();
    await waitForText(dialog(page).locator('.diagnosis-summary'), '1 件のチェックで対応が必要です。');
    const problem = dialog(page).locator('li.check[data-verdict="fail"]');
    assert.equal(await problem.locator('.verdict').textContent(), '✕問題');
    assert.equal(await problem.locator('.check-name').textContent(), 'AWS のファイル');
    assert.equal(
      await problem.locator('.check-message').textContent(),
      `${w.h.credentialsPath} に [shared] が 2 回あります。AWS CLI はこのファイルを読めません。`,
    );
    assert.equal(await problem.locator('.check-fix').textContent(), '対処: [shared] のセクションを 1 つにまとめてください。');
    assert.equal(await problem.locator('[lang="en"]').count(), 0);
    assert.equal(await dialog(page).getByRole('button', { name: '再チェック' }).isEnabled(), true);
  });

  it('in Japanese, a finding that is a file’s own reason is followed by the engine’s English words', async () => {
    await cleanWorld();
    await w.h.engine.updateSettings({ language: 'ja' });
    await chmod(w.h.credentialsPath, 0o400);
    const page = await openDiagnose('診断');

    await waitForText(dialog(page).locator('.diagnosis-summary'), '1 件のチェックで対応が必要です。');
    const problem = dialog(page).locator('li.check[data-verdict="fail"]');
    assert.equal(
      await problem.locator('.check-message').textContent(),
      '認証情報ファイルにセッションを書き込めません。更新は MFA コードを送る前に中断されます。',
    );
    const detail = problem.locator('.check-detail');
    assert.equal(await detail.getAttribute('lang'), 'en');
    assert.match((await detail.textContent()) ?? '', new RegExp(`^The credentials file ${w.h.credentialsPath} is read-only`));
    assert.match((await problem.locator('.check-fix [lang="en"]').textContent()) ?? '', /chmod u\+w/);
  });
});
