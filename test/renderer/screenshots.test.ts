/**
 * Screenshots of every window in English and Japanese, light and dark, against the real engine with
 * profiles in different states. Saved as test-results/screenshots/<window>-<language>-<theme>.png;
 * the best are copied to docs/screenshots/ for the README.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { screenshot, waitForText } from '../support/browser';
import { useWindows } from '../support/windows';

const w = useWindows();

const LANGUAGES = ['en', 'ja'] as const;
const THEMES = ['light', 'dark'] as const;

/** Four profiles: valid (typed codes), valid (generated codes), expiring soon, and no session yet. */
async function seedProfiles(): Promise<void> {
  // Two sections with long-lived keys, for the import dialog.
  await mkdir(dirname(w.h.credentialsPath), { recursive: true });
  await writeFile(
    w.h.credentialsPath,
    [
      '[old-laptop]',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '',
      '[ci-bot]',
      'aws_access_key_id = AKIAI44QH8DHBEXAMPLE',
      'aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
      '',
    ].join('\n'),
  );
  const work = await w.h.addUser('work');
  await w.h.addUser('prod-admin', { totp: true, durationSeconds: 3600, targetSection: 'prod' });
  const sandbox = await w.h.addUser('sandbox', { durationSeconds: 900 });
  await w.h.addUser('legacy-ci');
  await w.sts.avoidStepEdge();
  await w.h.engine.refresh('work', { code: w.sts.currentCode(work) });
  const short = await w.h.engine.refresh('sandbox', { code: w.sts.currentCode(sandbox) });
  // In the last quarter of its 900 s (the lead-time rule): "expiring soon".
  await w.h.engine.secrets.setSession('sandbox', { ...short, expiresAt: Date.now() + 3 * 60_000 });
  await w.h.engine.sessions.load();
  await w.h.engine.refresh('prod-admin', { generate: true });
}

describe('screenshots', () => {
  it('captures every window in both languages and both themes', async () => {
    await seedProfiles();
    // A different wrong code each time: the same one twice would be refused as already used.
    let wrong = 100_000;
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      for (const theme of THEMES) {
        const suffix = `${language}-${theme}`;

        const profiles = await w.open('profiles.html', { colorScheme: theme });
        await profiles.locator('li.profile').nth(3).waitFor();
        await waitForText(profiles.locator('li.profile[data-profile="sandbox"] .badge'), language === 'en' ? 'Expiring soon' : 'まもなく期限切れ');
        await screenshot(profiles, `profiles-${suffix}`);

        await profiles.locator('li.profile[data-profile="prod-admin"] button.edit').click();
        await profiles.locator('dialog[open]').waitFor();
        await screenshot(profiles, `profile-edit-${suffix}`);
        await profiles.keyboard.press('Escape');

        // The other dialogs and the error state, in two of the four combinations.
        const extras = suffix === 'en-light' || suffix === 'ja-dark';
        if (extras) {
          await profiles.locator('header button.primary').click();
          await profiles.locator('dialog[open]').waitFor();
          await profiles.locator('dialog[open] fieldset.totp').scrollIntoViewIfNeeded();
          await screenshot(profiles, `profile-add-totp-${suffix}`);
          await profiles.keyboard.press('Escape');

          await profiles.locator('li.profile[data-profile="work"] button.remove').click();
          await profiles.locator('dialog[open]').waitFor();
          await screenshot(profiles, `profile-remove-${suffix}`);
          await profiles.keyboard.press('Escape');

          await profiles.locator('header button:not(.primary)').click();
          await profiles.locator('dialog[open] select').waitFor();
          await screenshot(profiles, `profile-import-${suffix}`);
          await profiles.keyboard.press('Escape');
        }

        const prompt = await w.open('prompt.html?profile=legacy-ci', { colorScheme: theme });
        await prompt.locator('.code-input').waitFor();
        await screenshot(prompt, `prompt-${suffix}`);
        if (extras) {
          wrong += 111_111;
          await prompt.keyboard.type(String(wrong));
          await prompt.locator('.code-form .message-error').waitFor();
          await screenshot(prompt, `prompt-error-${suffix}`);
        }

        const settings = await w.open('settings.html', { colorScheme: theme });
        await settings.locator('form.settings-form').waitFor();
        await screenshot(settings, `settings-${suffix}`);
      }
    }
  });
});
