/**
 * Screenshots of every window in English and Japanese, light and dark, against the real engine with
 * profiles in different states, as a user sees them: realistic names and devices (seed-profiles.ts),
 * the whole window at the size the app opens it, dialogs as they open (never scrolled into the middle).
 * Saved as test-results/screenshots/<window>-<language>-<theme>.png; the best are copied to
 * docs/screenshots/ for the README.
 */
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot, waitForText } from '../support/browser';
import type { StsUser } from '../support/sts-server';
import { useWindows } from '../support/windows';
import { FOUR_PROFILES, TWENTY_PROFILES, forUser, seedCredentialsFile, seedProfiles, seedRoles } from './seed-profiles';

const w = useWindows();

const LANGUAGES = ['en', 'ja'] as const;
const THEMES = ['light', 'dark'] as const;
const COMBINATIONS = LANGUAGES.flatMap((language) => THEMES.map((theme) => ({ language, theme, suffix: `${language}-${theme}` })));
/** The other dialogs and the error state, in two of the four combinations. */
const EXTRAS = new Set(['en-light', 'ja-dark']);

/** Opens a dialog and waits until it has its content (the import dialog reads the file first). */
async function openDialog(page: Page, opener: string, ready: string): Promise<void> {
  await page.locator(opener).click();
  await page.locator(`dialog[open] ${ready}`).first().waitFor();
}

describe('screenshots', () => {
  it('captures every window in both languages and both themes', async () => {
    await seedCredentialsFile(w);
    await seedProfiles(w, FOUR_PROFILES);

    // The profile manager and its dialogs first: the prompt's wrong codes below change billing's state.
    for (const { language, theme, suffix } of COMBINATIONS) {
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles
        .locator('li.profile')
        .nth(FOUR_PROFILES.length - 1)
        .waitFor();
      await waitForText(profiles.locator('li.profile[data-profile="sandbox"] .badge'), language === 'en' ? 'Expiring soon' : 'まもなく期限切れ');
      await screenshot(profiles, `profiles-${suffix}`);

      await openDialog(profiles, 'li.profile[data-profile="prod-admin"] button.edit', '.dialog-actions');
      await screenshot(profiles, `profile-edit-${suffix}`);
      await profiles.keyboard.press('Escape');

      if (EXTRAS.has(suffix)) {
        await openDialog(profiles, 'header button.primary', '.dialog-actions');
        await screenshot(profiles, `profile-add-${suffix}`);
        await profiles.keyboard.press('Escape');

        await openDialog(profiles, 'li.profile[data-profile="work"] button.remove', '.deleted-list');
        // The dialog names the key it would delete once the engine has said which.
        await waitForText(profiles.locator('dialog[open] .deleted-list'), /AKIA/);
        await screenshot(profiles, `profile-remove-${suffix}`);
        await profiles.keyboard.press('Escape');

        await openDialog(profiles, 'header button.import', 'select');
        await screenshot(profiles, `profile-import-${suffix}`);
        await profiles.keyboard.press('Escape');
      }
      await profiles.locator('dialog[open]').waitFor({ state: 'detached' });
    }

    // The code prompt, for the profile without a session; then after a wrong code.
    for (const { language, theme, suffix } of COMBINATIONS) {
      await w.h.engine.updateSettings({ language });
      const prompt = await w.open('prompt.html?profile=billing', { colorScheme: theme });
      await prompt.locator('.code-input').waitFor();
      await screenshot(prompt, `prompt-${suffix}`);
    }
    // A different wrong code each time: the same one twice would be refused as already used.
    let wrong = 100_000;
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const prompt = await w.open('prompt.html?profile=billing', { colorScheme: theme });
      await prompt.locator('.code-input').waitFor();
      wrong += 111_111;
      await prompt.keyboard.type(String(wrong));
      await prompt.locator('.code-form .message-error').waitFor();
      await screenshot(prompt, `prompt-error-${suffix}`);
    }

    for (const { language, theme, suffix } of COMBINATIONS) {
      await w.h.engine.updateSettings({ language });
      const settings = await w.open('settings.html', { colorScheme: theme });
      await settings.locator('form.settings-form').waitFor();
      await screenshot(settings, `settings-${suffix}`);
    }
  });

  it('captures a list of twenty profiles', async () => {
    await seedProfiles(w, TWENTY_PROFILES);
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles
        .locator('li.profile')
        .nth(TWENTY_PROFILES.length - 1)
        .waitFor();
      await waitForText(profiles.locator('li.profile[data-profile="staging"] .badge'), language === 'en' ? 'Expiring soon' : 'まもなく期限切れ');
      await screenshot(profiles, `profiles-many-${suffix}`);
      // Scrolled to the end: the heading and its buttons stay in view.
      await profiles.locator('li.profile').last().scrollIntoViewIfNeeded();
      await screenshot(profiles, `profiles-many-end-${suffix}`);
      await profiles.evaluate(() => window.scrollTo(0, 0));
    }
  });

  it('captures the profile manager on a desktop without a tray icon, where it is the app', async () => {
    w.bridge.use(w.h.engine, { withoutTray: () => true, quit: () => undefined });
    await seedProfiles(w, forUser(FOUR_PROFILES, 'erin'));
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles
        .locator('li.profile')
        .nth(FOUR_PROFILES.length - 1)
        .waitFor();
      await profiles.locator('.no-tray:not([hidden])').waitFor();
      await waitForText(profiles.locator('li.profile[data-profile="sandbox"] .badge'), language === 'en' ? 'Expiring soon' : 'まもなく期限切れ');
      await screenshot(profiles, `profiles-no-tray-${suffix}`);
    }
  });

  it('captures the Diagnose dialog over four profiles', async () => {
    // Four profiles: an expiring session and one without a session are two checks to attend to.
    await seedProfiles(w, forUser(FOUR_PROFILES, 'gina'));
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles
        .locator('li.profile')
        .nth(FOUR_PROFILES.length - 1)
        .waitFor();
      await openDialog(profiles, 'header button.diagnose', '.check-list:not([hidden])');
      await screenshot(profiles, `diagnose-${suffix}`);
      await profiles.keyboard.press('Escape');
      await profiles.locator('dialog[open]').waitFor({ state: 'detached' });
    }
  });

  it('captures the MFA policy dialog, filled in for the only profile’s account', async () => {
    await seedProfiles(w, [{ name: 'work', user: 'hana', device: 'hana-phone', session: 'valid' }]);
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles.locator('li.profile').first().waitFor();
      await openDialog(profiles, 'header button.policy', '.policy-json');
      await screenshot(profiles, `policy-${suffix}`);
      await profiles.keyboard.press('Escape');
      await profiles.locator('dialog[open]').waitFor({ state: 'detached' });
    }
  });

  it('captures role profiles under their source, and the device picker of the add dialog', async () => {
    const users = await seedProfiles(w, forUser(FOUR_PROFILES, 'dana'));
    await seedRoles(w, 'work', users.get('work') as StsUser);
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await profiles.locator('li.role').last().waitFor();
      await waitForText(profiles.locator('li.role[data-role="admin"] .badge'), language === 'en' ? 'Valid' : '有効');
      await screenshot(profiles, `profiles-roles-${suffix}`);
    }

    // Alice's three devices: her phone, a hardware token, and a security key STS takes no code from.
    const alice = w.sts.registerUser({ name: 'alice', mfaSerial: 'arn:aws:iam::123456789012:mfa/alice-phone' });
    w.sts.addDevice(alice, { kind: 'hardware' });
    w.sts.addDevice(alice, { kind: 'security-key', name: 'alice-yubikey' });
    for (const { language, theme, suffix } of COMBINATIONS) {
      if (!EXTRAS.has(suffix)) continue;
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { colorScheme: theme });
      await openDialog(profiles, 'header button.primary', '.dialog-actions');
      await profiles.locator('dialog[open] input[name="name"]').fill('alice');
      await profiles.locator('dialog[open] input[name="accessKeyId"]').fill(alice.accessKeyId);
      await profiles.locator('dialog[open] input[name="secretAccessKey"]').fill(alice.secretAccessKey);
      await profiles.locator('dialog[open] button.find-devices').click();
      await profiles.locator('dialog[open] .device-list:not([hidden])').waitFor();
      await profiles.locator('dialog[open] .device-list input:not(:disabled)').first().check();
      // The picker in view: the device field's label at the top of the dialog's body.
      await profiles.locator('dialog[open] .field', { has: profiles.locator('.device-picker') }).evaluate((field) => {
        const body = field.closest('.dialog-body') as HTMLElement;
        body.scrollTop += field.getBoundingClientRect().top - body.getBoundingClientRect().top - 8;
      });
      await screenshot(profiles, `profile-add-devices-${suffix}`);
      await profiles.keyboard.press('Escape');
      await profiles.locator('dialog[open]').waitFor({ state: 'detached' });
    }
  });
});
