/**
 * Role profiles in the profile manager, in Chromium against the real engine, the loopback STS and
 * a real AWS config file: each role under its source's row with its ARN and session state, Refresh
 * with the source's session (no code), and with a code for the source typed in the role's line
 * when the source has no session and a person types its codes. No secret reaches the page.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { waitForText } from '../support/browser';
import type { StsRole, StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';

const w = useWindows();

const row = (page: Page, name: string): Locator => page.locator(`li.profile[data-profile="${name}"]`);
const roleRow = (page: Page, source: string, name: string): Locator => row(page, source).locator(`li.role[data-role="${name}"]`);

/** Writes role profiles with `work` as their source into the AWS config file. */
async function writeRoles(roles: readonly { readonly name: string; readonly role: StsRole; readonly durationSeconds?: number }[]): Promise<void> {
  await mkdir(dirname(w.h.configPath), { recursive: true });
  await writeFile(
    w.h.configPath,
    roles
      .map(
        ({ name, role, durationSeconds }) =>
          `[profile ${name}]\nrole_arn = ${role.arn}\nsource_profile = work\n${durationSeconds ? `duration_seconds = ${durationSeconds}\n` : ''}`,
      )
      .join('\n'),
  );
}

async function openManager(): Promise<Page> {
  const page = await w.open('profiles.html');
  await page.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  return page;
}

/** Asserts that neither the user's secret key nor any session's secret or token is in the page. */
async function assertNoSecrets(page: Page, user: StsUser): Promise<void> {
  const html = await page.content();
  assert.ok(!html.includes(user.secretAccessKey), "the user's secret access key is in the page");
  for (const session of w.sts.sessions) {
    assert.ok(!html.includes(session.secretAccessKey), 'a session secret is in the page');
    assert.ok(!html.includes(session.sessionToken), 'a session token is in the page');
  }
}

describe('role profiles in the profile manager', () => {
  it('lists each role under its source, with its ARN, state and the hour a chained role gets', async () => {
    const user = await w.h.addUser('work');
    const admin = w.sts.registerRole({ name: `Admin-${Date.now()}`, trusts: [user], requireMfa: true });
    const audit = w.sts.registerRole({ name: `Audit-${Date.now()}`, account: '210987654321', trusts: [user] });
    await writeRoles([
      { name: 'admin', role: admin },
      { name: 'audit', role: audit, durationSeconds: 7200 },
    ]);
    const page = await openManager();

    const adminRow = roleRow(page, 'work', 'admin');
    await waitForText(adminRow.locator('.role-name'), 'admin');
    assert.deepEqual(
      await row(page, 'work')
        .locator('li.role')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-role'))),
      ['admin', 'audit'],
    );
    assert.equal(await row(page, 'work').locator('.role-list').getAttribute('aria-label'), 'Role profiles of work');
    await waitForText(adminRow.locator('.badge'), 'No session');
    assert.equal(await adminRow.locator('.meta-role dd').textContent(), admin.arn);
    assert.equal(await adminRow.locator('.meta-role .ident').getAttribute('title'), admin.arn);
    assert.equal(await adminRow.locator('.meta-chained').count(), 0);
    await waitForText(roleRow(page, 'work', 'audit').locator('.meta-chained'), 'at most 1 hr when assumed with an MFA session (2 hr asked)');
    // The roles are not profiles of their own.
    assert.equal(await page.locator('li.profile').count(), 1);
  });

  it('refreshes a role with the source’s valid session, asking no code', async () => {
    const user = await w.h.addUser('work');
    const admin = w.sts.registerRole({ name: `Admin-${Date.now()}`, trusts: [user], requireMfa: true });
    await writeRoles([{ name: 'admin', role: admin, durationSeconds: 7200 }]);
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    const page = await openManager();
    const adminRow = roleRow(page, 'work', 'admin');
    await waitForText(adminRow.locator('.badge'), 'No session');
    const codesBefore = w.sts.count('GetSessionToken');
    const assumedBefore = w.sts.count('AssumeRole');

    await adminRow.getByRole('button', { name: 'Refresh' }).click();

    await waitForText(adminRow.locator('.row-message'), /^Done: the new session is in \[admin\] until .+\. Shortened to 1 hr \(2 hr asked\)/);
    await waitForText(adminRow.locator('.badge'), 'Valid');
    await waitForText(adminRow.locator('.state-detail'), /^(59 min|1 hr) left · until /);
    assert.equal(await adminRow.locator('.code-form').count(), 0, 'a code was asked for');
    assert.equal(w.sts.count('GetSessionToken'), codesBefore);
    assert.equal(w.sts.count('AssumeRole'), assumedBefore + 1);
    await assertNoSecrets(page, user);
  });

  it("asks for the source's code when the source has no session, then refreshes both", async () => {
    const user = await w.h.addUser('work');
    const admin = w.sts.registerRole({ name: `Admin-${Date.now()}`, trusts: [user], requireMfa: true });
    await writeRoles([{ name: 'admin', role: admin }]);
    const page = await openManager();
    const adminRow = roleRow(page, 'work', 'admin');
    const assumedBefore = w.sts.count('AssumeRole');

    await adminRow.getByRole('button', { name: 'Refresh' }).click();

    const code = adminRow.getByLabel('Code from the MFA device of work');
    await code.waitFor();
    await waitForText(adminRow.locator('.code-form .hint'), 'work has no current session');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'code');
    assert.equal(w.sts.count('AssumeRole'), assumedBefore);
    await w.sts.avoidStepEdge();
    await page.keyboard.type(w.sts.currentCode(user));

    await waitForText(adminRow.locator('.row-message'), /^Done: the new session is in \[admin\] until /);
    assert.equal(await adminRow.locator('.code-form').count(), 0);
    await waitForText(adminRow.locator('.badge'), 'Valid');
    await waitForText(row(page, 'work').locator('.badge').first(), 'Valid');
    assert.equal(w.sts.count('AssumeRole'), assumedBefore + 1);
    // The focus is back on the role's Refresh.
    assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('data-role')), 'admin');
    await assertNoSecrets(page, user);
  });

  it("says a refusal in the role's line", async () => {
    const user = await w.h.addUser('work');
    const stranger = w.sts.registerUser({ name: `stranger-${Date.now()}` });
    const locked = w.sts.registerRole({ name: `Locked-${Date.now()}`, trusts: [stranger] });
    await writeRoles([{ name: 'locked', role: locked }]);
    await w.sts.avoidStepEdge();
    await w.h.engine.refresh('work', { code: w.sts.currentCode(user) });
    const page = await openManager();
    const lockedRow = roleRow(page, 'work', 'locked');

    await lockedRow.getByRole('button', { name: 'Refresh' }).click();

    await lockedRow.locator('.row-message.message-error').waitFor();
    await waitForText(lockedRow.locator('.row-message'), locked.arn);
    assert.equal(await row(page, 'work').locator(':scope > .row-message').isVisible(), false, "the source's line says nothing");
  });
});
