/**
 * The MFA policy dialog of the profiles window, in Chromium against the real engine: both policies
 * in the window's language (as the engine explains them), each document valid JSON filled in for
 * the profile's account, selectable, and copied by Copy.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { explainedPolicies } from '../../main/common/mfa-policy';
import { waitForText } from '../support/browser';
import { useWindows } from '../support/windows';

const w = useWindows();

const dialog = (page: Page): Locator => page.locator('dialog[open].policy-dialog');

async function openPolicy(name: string): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('li.profile').first().waitFor();
  await page.getByRole('button', { name, exact: true }).click();
  await dialog(page).locator('section.mfa-policy').nth(1).waitFor();
  return page;
}

/** Each policy as the dialog shows it. */
async function shown(page: Page): Promise<{ id: string | null; title: string; summary: string; json: string; statements: string[]; notes: string[] }[]> {
  return dialog(page)
    .locator('section.mfa-policy')
    .evaluateAll((sections) =>
      sections.map((section) => ({
        id: section.getAttribute('data-policy'),
        title: (section.querySelector('h3') as HTMLElement).textContent ?? '',
        summary: (section.querySelector('.policy-summary') as HTMLElement).textContent ?? '',
        json: (section.querySelector('pre.policy-json') as HTMLElement).textContent ?? '',
        statements: [...section.querySelectorAll('.policy-statements dt, .policy-statements dd')].map((e) => e.textContent ?? ''),
        notes: [...section.querySelectorAll('.policy-notes li')].map((e) => e.textContent ?? ''),
      })),
    );
}

describe('the MFA policy dialog', () => {
  for (const language of ['en', 'ja'] as const) {
    it(`shows both policies explained in ${language === 'en' ? 'English' : 'Japanese'}, filled in for the profile's account`, async () => {
      await w.h.addUser('work');
      await w.h.engine.updateSettings({ language });
      const page = await openPolicy(language === 'en' ? 'MFA policy' : 'MFA ポリシー');

      const expected = explainedPolicies(language, { account: '123456789012', partition: 'aws' });
      const policies = await shown(page);
      assert.deepEqual(
        policies.map((p) => p.id),
        ['minimal', 'self-service'],
      );
      for (const [i, policy] of policies.entries()) {
        const want = expected[i];
        assert.ok(want);
        assert.equal(policy.title, want.title);
        assert.equal(policy.summary, want.summary);
        assert.deepEqual(JSON.parse(policy.json), want.document);
        assert.deepEqual(
          policy.statements,
          want.statements.flatMap((s) => [s.sid, s.explanation]),
        );
        assert.deepEqual(policy.notes, want.notes);
      }
      assert.match(policies[1]?.json ?? '', /arn:aws:iam::123456789012:mfa\//);
      await waitForText(dialog(page).locator('.intro'), '123456789012');
      // The document is text to select, in a monospace block.
      const block = dialog(page).locator('section.mfa-policy[data-policy="minimal"] pre.policy-json');
      const style = await block.evaluate((pre) => ({ userSelect: getComputedStyle(pre).userSelect, font: getComputedStyle(pre).fontFamily }));
      assert.notEqual(style.userSelect, 'none');
      assert.match(style.font, /mono/i);
      assert.equal(
        await dialog(page).locator('.dialog-title').textContent(),
        language === 'en' ? 'Policies that make MFA mandatory' : 'MFA を必須にするポリシー',
      );
    });
  }

  it('copies a document with Copy', async () => {
    await w.h.addUser('work');
    // The test browser's clipboard, readable by the page once granted (the app's windows only write).
    await w.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: w.bridge.origin });
    const page = await openPolicy('MFA policy');
    const section = dialog(page).locator('section.mfa-policy[data-policy="self-service"]');

    await section.getByRole('button', { name: 'Copy' }).click();

    await waitForText(section.locator('.copy-status'), 'Copied to the clipboard.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, await section.locator('pre.policy-json').textContent());
    assert.ok(JSON.parse(copied).Statement.length > 1);
  });

  it('selects the document for Ctrl+C when the clipboard is refused', async () => {
    await w.h.addUser('work');
    const page = await openPolicy('MFA policy');
    // As in the app, whose windows are denied every permission: writing to the clipboard fails.
    // (A string: functions declared in an evaluated function get a helper of the test's transpiler the page lacks.)
    await page.evaluate(
      "Object.defineProperty(navigator.clipboard, 'writeText', { value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) })",
    );
    const section = dialog(page).locator('section.mfa-policy[data-policy="minimal"]');

    await section.getByRole('button', { name: 'Copy' }).click();

    await waitForText(section.locator('.copy-status'), 'press Ctrl+C');
    const selected = await page.evaluate(() => window.getSelection()?.toString());
    assert.equal(selected, await section.locator('pre.policy-json').textContent());
  });
});
