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
import { useWindows } from '../support/windows';
import { FOUR_PROFILES, TWENTY_PROFILES, seedCredentialsFile, seedProfiles } from './seed-profiles';

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

        await openDialog(profiles, 'header button:not(.primary)', 'select');
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
});
