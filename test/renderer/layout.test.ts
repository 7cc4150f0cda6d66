/**
 * The windows' layout as rendered in Chromium, in English and Japanese: ARNs break only after `:`
 * or `/` (never at a hyphen, whatever the language's line breaking), an identifier too long for
 * its line is cut inside its box with the whole value in its title, the buttons of a row are of
 * one size, dialogs open whole inside the window, four profiles fit the window, a list of
 * twenty stays readable: dense rows, every one reachable below the heading that stays in view, and
 * role profiles sit under their source, indented and smaller, one line each in dense rows; a long
 * name is cut in its bounded column, whole in its title. The notice of a desktop without a tray
 * icon keeps all of that.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { screenshot, waitForText } from '../support/browser';
import { PROFILES_MIN_SIZE, WINDOW_SIZES } from '../../main/common/window-sizes';
import { useWindows } from '../support/windows';
import type { StsUser } from '../support/sts-server';
import { FOUR_PROFILES, TWENTY_PROFILES, forUser, seedCredentialsFile, seedProfiles, seedRoles } from './seed-profiles';

const w = useWindows();

const LANGUAGES = ['en', 'ja'] as const;

/** Profile `work` of user alice, whose MFA device is `serial`. */
async function profileWithDevice(serial: string): Promise<void> {
  const user = w.sts.registerUser({ name: 'alice', mfaSerial: serial });
  await w.h.engine.addProfile({ name: 'work', mfaSerial: serial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
}

/** The code prompt of `work`, open in `language`. */
async function openPromptIn(language: (typeof LANGUAGES)[number]): Promise<Page> {
  await w.h.engine.updateSettings({ language });
  const prompt = await w.open('prompt.html?profile=work');
  await prompt.locator('.code-input').waitFor();
  return prompt;
}

/** Waits until the last of {@link TWENTY_PROFILES} is in the list. */
async function lastOfTwentyShown(profiles: Page): Promise<void> {
  await profiles
    .locator('li.profile')
    .nth(TWENTY_PROFILES.length - 1)
    .waitFor();
}

/** Waits until the twenty are listed, in dense rows. */
async function twentyShownDense(profiles: Page): Promise<void> {
  await lastOfTwentyShown(profiles);
  assert.equal(await profiles.locator('.profile-list.dense').count(), 1);
}

/** The text of each rendered line of an element, read from where each character is drawn. */
async function renderedLines(locator: Locator): Promise<string[]> {
  return locator.evaluate((element) => {
    const lines: { top: number; text: string }[] = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) continue;
        const last = lines[lines.length - 1];
        if (last && Math.abs(rect.top - last.top) < 4) last.text += text[i];
        else lines.push({ top: rect.top, text: text[i] as string });
      }
    }
    return lines.map((line) => line.text);
  });
}

/** Asserts that `lines` are `value` broken only after ':' or '/', and into at least `atLeast` lines. */
function assertBreaksAtSeparators(lines: readonly string[], value: string, atLeast: number, where: string): void {
  assert.equal(lines.join(''), value, `${where}: the lines make up the value`);
  assert.ok(lines.length >= atLeast, `${where}: expected at least ${atLeast} lines, got ${JSON.stringify(lines)}`);
  for (const line of lines.slice(0, -1)) assert.match(line, /[:/]$/, `${where}: a line ends inside a piece: ${JSON.stringify(lines)}`);
}

interface Box {
  readonly width: number;
  readonly height: number;
  readonly font: string;
  readonly padding: string;
}

/** Size, font and padding of every button in `scope` matched by `selector`. */
async function buttonBoxes(scope: Locator, selector = 'button'): Promise<Box[]> {
  return scope.locator(selector).evaluateAll((buttons) =>
    buttons.map((button) => {
      const rect = button.getBoundingClientRect();
      const style = getComputedStyle(button);
      return {
        width: Math.round(rect.width * 10) / 10,
        height: Math.round(rect.height * 10) / 10,
        font: `${style.fontFamily} ${style.fontSize} ${style.fontWeight} ${style.lineHeight}`,
        padding: style.padding,
      };
    }),
  );
}

/** Asserts that the buttons are of one size: height, font and padding (and width, for Cancel and its action). */
function assertOneSize(boxes: readonly Box[], where: string, options: { readonly sameWidth: boolean; readonly count?: number }): void {
  if (options.count !== undefined) assert.equal(boxes.length, options.count, `${where}: buttons`);
  assert.ok(boxes.length >= 1, `${where}: no buttons`);
  const [first] = boxes as [Box];
  for (const box of boxes) {
    assert.ok(Math.abs(box.height - first.height) < 0.5, `${where}: heights differ: ${JSON.stringify(boxes)}`);
    assert.equal(box.font, first.font, `${where}: fonts differ`);
    assert.equal(box.padding, first.padding, `${where}: paddings differ`);
    if (options.sameWidth) assert.ok(Math.abs(box.width - first.width) < 0.5, `${where}: widths differ: ${JSON.stringify(boxes)}`);
  }
}

/** Asserts that the open dialog lies whole inside the window, and opened at the top of its form. */
async function assertDialogWhole(page: Page, where: string): Promise<void> {
  const { box, viewport, scrolled } = await page.locator('dialog[open]').evaluate((dialog) => {
    const rect = dialog.getBoundingClientRect();
    return {
      box: { top: rect.top, left: rect.left, bottom: rect.bottom, right: rect.right },
      viewport: { width: window.innerWidth, height: window.innerHeight },
      scrolled: [...dialog.querySelectorAll('.dialog-body')].map((body) => body.scrollTop),
    };
  });
  assert.ok(box.top >= 0 && box.left >= 0 && box.bottom <= viewport.height && box.right <= viewport.width, `${where}: the dialog leaves the window`);
  assert.deepEqual(
    scrolled,
    scrolled.map(() => 0),
    `${where}: the dialog opened scrolled`,
  );
  // Its buttons are in view, in the dialog's footer.
  const actions = await page.locator('dialog[open] .dialog-actions').boundingBox();
  assert.ok(actions && actions.y + actions.height <= box.bottom + 0.5, `${where}: the dialog's buttons are cut off: ${JSON.stringify({ actions, box })}`);
}

/**
 * Scrolled with the mouse wheel to its end, a dialog keeps its title and buttons in view: only its
 * body scrolls. (Seen in review: the add dialog itself scrolled, title, fields and buttons away,
 * and left an empty white box.)
 */
async function assertDialogScrollsItsBodyOnly(page: Page, where: string): Promise<void> {
  const dialog = page.locator('dialog[open]');
  const box = await dialog.boundingBox();
  assert.ok(box, `${where}: no dialog`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 6; i += 1) await page.mouse.wheel(0, 600);
  await page.waitForTimeout(150);
  const { scrollTop, title, actions, top, bottom } = await dialog.evaluate((d) => {
    const rect = d.getBoundingClientRect();
    return {
      scrollTop: d.scrollTop,
      title: d.querySelector('.dialog-title')?.getBoundingClientRect().top ?? -1,
      actions: d.querySelector('.dialog-actions')?.getBoundingClientRect().bottom ?? Infinity,
      top: rect.top,
      bottom: rect.bottom,
    };
  });
  assert.equal(scrollTop, 0, `${where}: the dialog itself scrolled`);
  assert.ok(
    title >= top - 0.5 && actions <= bottom + 0.5,
    `${where}: the title or the buttons left the dialog: ${JSON.stringify({ title, actions, top, bottom })}`,
  );
}

async function openProfiles(page?: Page): Promise<Page> {
  const profiles = page ?? (await w.open('profiles.html'));
  await profiles.locator('.profile-list:not([hidden]), .empty:not([hidden])').first().waitFor();
  return profiles;
}

describe('the windows as rendered', () => {
  it('break an ARN only after ":" or "/", in both languages', async () => {
    // A long device name with hyphens: where Japanese line breaking (and English, at a hyphen) would break.
    const serial = 'arn:aws:iam::123456789012:mfa/alice-phone-backup-2024';
    await profileWithDevice(serial);
    for (const language of LANGUAGES) {
      const prompt = await openPromptIn(language);
      const promptSerial = prompt.locator('.serial .ident');
      assertBreaksAtSeparators(await renderedLines(promptSerial), serial, 2, `prompt (${language})`);
      assert.equal(await promptSerial.getAttribute('title'), serial);
      // The separators are the only places the markup lets a line break.
      assert.equal(await promptSerial.locator('wbr').count(), 5);

      // The list, in a window narrowed until the device wraps too.
      const profiles = await w.open('profiles.html', { fresh: true });
      await profiles.setViewportSize({ width: 420, height: 700 });
      await openProfiles(profiles);
      const listSerial = profiles.locator('li.profile[data-profile="work"] .meta .serial .ident');
      assertBreaksAtSeparators(await renderedLines(listSerial), serial, 2, `list (${language})`);
      await profiles.close();
    }
  });

  it('cuts an identifier too long for its line inside its box, and keeps it whole in the title and the text', async () => {
    const serial = `arn:aws:iam::123456789012:mfa/${'alice-phone-'.repeat(5)}backup`;
    await profileWithDevice(serial);
    for (const language of LANGUAGES) {
      const prompt = await openPromptIn(language);
      const dd = prompt.locator('dd.serial');
      assert.equal(await dd.textContent(), serial);
      assert.equal(await dd.locator('.ident').getAttribute('title'), serial);
      const fits = await dd.evaluate((element) => {
        const box = element.getBoundingClientRect();
        // What cuts it: the dd, or (the prompt's device, cut in its middle) a part of it.
        const cutters = [element, ...element.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth);
        return {
          cut: cutters.length > 0,
          inside: box.right <= window.innerWidth,
          ellipsis: cutters.every((e) => getComputedStyle(e).textOverflow === 'ellipsis'),
        };
      });
      assert.deepEqual(fits, { cut: true, inside: true, ellipsis: true }, `prompt (${language})`);
      // Still never broken at a hyphen: the device name's piece is on one line of its own.
      const lines = await renderedLines(dd.locator('.ident'));
      for (const line of lines.slice(0, -1)) assert.match(line, /[:/]$/, `prompt (${language}): ${JSON.stringify(lines)}`);
    }
  });

  it('shows how a device name too long for its line begins and ends in the code prompt, cut in its middle, in both languages', async () => {
    // Seen in review: "…mfa/alice-phone-alice-phone-alice-phone-ali…", the end that tells this
    // device from the user's others ("backup") cut away.
    const name = `${'alice-phone-'.repeat(5)}backup`;
    const serial = `arn:aws:iam::123456789012:mfa/${name}`;
    await profileWithDevice(serial);
    for (const language of LANGUAGES) {
      const prompt = await openPromptIn(language);
      await w.fit(prompt);
      const dd = prompt.locator('dd.serial');
      // Which characters of the device name are drawn: inside every box that clips them, up to the dd.
      // (No functions declared in here: the test's transpiler would name them with a helper the page lacks.)
      const drawn = await dd.evaluate((element) => {
        const pieces = element.querySelectorAll('.ident-piece');
        const last = pieces[pieces.length - 1] as HTMLElement;
        const walker = document.createTreeWalker(last, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let shown = '';
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? '';
          for (let i = 0; i < text.length; i++) {
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getBoundingClientRect();
            let inside = rect.width > 0 && rect.right <= window.innerWidth + 0.5;
            for (let box = node.parentElement; box && inside; box = box === element ? null : box.parentElement) {
              if (getComputedStyle(box).overflowX === 'visible') continue;
              const clip = box.getBoundingClientRect();
              if (rect.left < clip.left - 0.5 || rect.right > clip.right + 0.5) inside = false;
            }
            shown += inside ? text[i] : '_';
          }
        }
        const cutters = [element, ...element.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth + 0.5);
        return { shown, ellipses: cutters.map((e) => getComputedStyle(e).textOverflow), right: element.getBoundingClientRect().right };
      });
      const where = `prompt (${language}): ${JSON.stringify(drawn.shown)}`;
      assert.equal(drawn.shown.length, name.length, where);
      assert.ok(drawn.shown.startsWith('alice-phone-'), `${where}: how the name begins is not in view`);
      assert.ok(drawn.shown.endsWith('-phone-backup'), `${where}: how the name ends is not in view`);
      assert.match(drawn.shown, /_/, `${where}: nothing cut`);
      assert.ok(drawn.ellipses.length > 0 && drawn.ellipses.every((e) => e === 'ellipsis'), `${where}: cut without an ellipsis: ${drawn.ellipses.join()}`);
      assert.ok(drawn.right <= WINDOW_SIZES.prompt.width, `${where}: the device leaves the window`);
      // The text and the title are the whole value; the lines still break only after ':' or '/'.
      assert.equal(await dd.textContent(), serial);
      assert.equal(await dd.locator('.ident').getAttribute('title'), serial);
      const lines = await renderedLines(dd.locator('.ident'));
      assert.equal(lines.at(-1), name, `prompt (${language}): the device name is not a line of its own: ${JSON.stringify(lines)}`);
      for (const line of lines.slice(0, -1)) assert.match(line, /[:/]$/, `prompt (${language}): ${JSON.stringify(lines)}`);
      await screenshot(prompt, `prompt-long-device-${language}`);
    }
  });

  it('shows four profiles whole, gives the buttons of a row one size, and opens dialogs whole, in both languages', async () => {
    await seedCredentialsFile(w);
    await seedProfiles(w, FOUR_PROFILES);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await openProfiles(await w.open('profiles.html'));
      await profiles
        .locator('li.profile')
        .nth(FOUR_PROFILES.length - 1)
        .waitFor();
      // Four profiles: whole in the window, in full rows.
      const { scrollHeight, height } = await profiles.evaluate(() => ({ scrollHeight: document.documentElement.scrollHeight, height: window.innerHeight }));
      assert.ok(scrollHeight <= height, `(${language}) the list is cut off: ${scrollHeight} > ${height}`);
      assert.equal(await profiles.locator('.profile-list.dense').count(), 0, 'four profiles get the full rows');

      assertOneSize(await buttonBoxes(profiles.locator('.window-header')), `header (${language})`, { sameWidth: false, count: 4 });
      // The heading and its four buttons on one line: their middles level.
      const middles = await profiles
        .locator('.window-header h1, .window-header button')
        .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect()).map((rect) => rect.top + rect.height / 2));
      assert.ok(Math.max(...middles) - Math.min(...middles) < 6, `header (${language}) takes more than a line: ${JSON.stringify(middles)}`);
      for (const row of await profiles.locator('li.profile .row-actions').all())
        assertOneSize(await buttonBoxes(row), `row actions (${language})`, { sameWidth: false, count: 4 });

      const dialogs: { name: string; opener: string; ready: string; settled?: RegExp; buttons?: number }[] = [
        { name: 'add', opener: 'header button.primary', ready: '.dialog-actions' },
        { name: 'edit', opener: 'li.profile[data-profile="prod-admin"] button.edit', ready: '.dialog-actions' },
        // Once the engine has said which key it would delete, the dialog is at its full height.
        { name: 'remove', opener: 'li.profile[data-profile="work"] button.remove', ready: '.deleted-list', settled: /AKIA/ },
        { name: 'import', opener: 'header button.import', ready: 'select' },
        // Once the checks are in (they ask AWS), and once the policies are.
        { name: 'diagnose', opener: 'header button.diagnose', ready: '.check-list:not([hidden])' },
        { name: 'policy', opener: 'header button.policy', ready: '.policy-json', buttons: 1 },
      ];
      for (const dialog of dialogs) {
        await profiles.locator(dialog.opener).click();
        await profiles.locator(`dialog[open] ${dialog.ready}`).first().waitFor();
        if (dialog.settled) await waitForText(profiles.locator(`dialog[open] ${dialog.ready}`), dialog.settled);
        const where = `${dialog.name} dialog (${language})`;
        assertOneSize(await buttonBoxes(profiles.locator('dialog[open] .dialog-actions')), where, { sameWidth: true, count: dialog.buttons ?? 2 });
        await assertDialogWhole(profiles, where);
        await assertDialogScrollsItsBodyOnly(profiles, where);
        await profiles.keyboard.press('Escape');
        await profiles.locator('dialog[open]').waitFor({ state: 'detached' });
      }

      const prompt = await w.open('prompt.html?profile=billing');
      await prompt.locator('.code-input').waitFor();
      assertOneSize(await buttonBoxes(prompt.locator('.code-form .control-line')), `prompt (${language})`, { sameWidth: true, count: 2 });
      // Side by side, on the line of the code field.
      const [refresh, cancel] = await prompt
        .locator('.code-form .control-line button')
        .evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().top));
      const input = await prompt.locator('.code-input').evaluate((e) => e.getBoundingClientRect().top);
      assert.ok(
        Math.abs((refresh as number) - input) < 1 && Math.abs((cancel as number) - input) < 1,
        `prompt (${language}): the buttons left the field's line`,
      );
      assert.ok(await prompt.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight), `prompt (${language}) scrolls`);

      const settings = await w.open('settings.html');
      await settings.locator('form.settings-form').waitFor();
      assertOneSize(await buttonBoxes(settings.locator('form.settings-form .actions')), `settings (${language})`, { sameWidth: true, count: 2 });
      assert.ok(await settings.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight), `settings (${language}) scrolls`);
    }
  });

  it('keeps a list of twenty profiles readable: dense rows, each reachable below the heading', async () => {
    await seedProfiles(w, TWENTY_PROFILES);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await openProfiles();
      await twentyShownDense(profiles);
      const rows = await profiles.locator('li.profile').evaluateAll((items) =>
        items.map((item) => {
          // (No functions declared in here: the test's transpiler would name them with a helper the page lacks.)
          const meta = item.querySelector('.meta') as HTMLElement;
          return {
            name: item.getAttribute('data-profile'),
            height: item.getBoundingClientRect().height,
            // Name, state and actions share the first line: their middles.
            firstLine: ['.profile-name', '.badge', '.row-actions']
              .map((selector) => (item.querySelector(selector) as HTMLElement).getBoundingClientRect())
              .map((rect) => rect.top + rect.height / 2),
            metaLines: Math.round(meta.getBoundingClientRect().height / parseFloat(getComputedStyle(meta).lineHeight)),
          };
        }),
      );
      assert.deepEqual(
        rows.map((r) => r.name),
        TWENTY_PROFILES.map((p) => p.name),
      );
      for (const row of rows) {
        assert.ok(row.height <= 72, `(${language}) ${row.name}: a row of ${row.height}px`);
        const [name, badge, actions] = row.firstLine as [number, number, number];
        assert.ok(Math.abs(name - badge) < 6 && Math.abs(name - actions) < 6, `(${language}) ${row.name}: name, state and actions are not on one line`);
        assert.equal(row.metaLines, 1, `(${language}) ${row.name}: the details take more than a line`);
      }
      // A state too long for its line (work's ends on another day, so it names a date) keeps the time
      // left and shows when the session ends whole or not at all, and its title has the whole text.
      const workState = await profiles.locator('li.profile[data-profile="work"] .state-detail').evaluate((detail) => {
        const box = detail.getBoundingClientRect();
        const end = detail.querySelector('.state-until') as HTMLElement;
        const until = end.getBoundingClientRect();
        return {
          text: detail.textContent,
          title: detail.getAttribute('title'),
          end: end.textContent,
          whole: until.top >= box.top - 0.5 && until.bottom <= box.bottom + 0.5 && until.right <= box.right + 0.5,
          dropped: until.top >= box.bottom - 0.5,
        };
      });
      assert.equal(workState.title, workState.text, `(${language}) work: the state's title is not its text`);
      assert.match(workState.end ?? '', language === 'en' ? /^· until \w{3}, \w{3} \d+, / : /^（\d+月\d+日/, `(${language}) work: its end names no date`);
      assert.ok(workState.whole || workState.dropped, `(${language}) work: the end of its state is cut: ${JSON.stringify(workState)}`);
      // At least a third of the list in view at once.
      const inView = await profiles
        .locator('li.profile')
        .evaluateAll((items) => items.filter((item) => item.getBoundingClientRect().bottom <= window.innerHeight).length);
      assert.ok(inView >= 7, `(${language}) only ${inView} rows in view`);

      // Every row can be brought into view, below the heading, which stays at the top with its buttons.
      for (const name of [TWENTY_PROFILES[10]?.name, TWENTY_PROFILES[TWENTY_PROFILES.length - 1]?.name]) {
        const row = profiles.locator(`li.profile[data-profile="${name}"]`);
        await row.locator('button.refresh').focus();
        const header = await profiles.locator('.window-header').boundingBox();
        const box = await row.boundingBox();
        assert.ok(header && box, 'rendered');
        assert.ok(Math.abs(header.y) < 1, `(${language}) the heading scrolled away`);
        assert.ok(box.y >= header.y + header.height - 0.5, `(${language}) ${name} is under the heading`);
        assert.ok(box.y + box.height <= WINDOW_SIZES.profiles.height + 0.5, `(${language}) ${name} is below the window`);
        assert.ok(await profiles.locator('header button.primary').isVisible());
      }
      await profiles.evaluate(() => window.scrollTo(0, 0));
    }
  });

  it('keeps four profiles whole under the no-tray notice, and the heading in view over twenty, in both languages', async () => {
    w.bridge.use(w.h.engine, { withoutTray: () => true, quit: () => undefined });
    await seedProfiles(w, forUser(FOUR_PROFILES, 'erin'));
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await openProfiles();
      await profiles
        .locator('li.profile')
        .nth(FOUR_PROFILES.length - 1)
        .waitFor();
      await profiles.locator('.no-tray:not([hidden])').waitFor();
      const { scrollHeight, height } = await profiles.evaluate(() => ({ scrollHeight: document.documentElement.scrollHeight, height: window.innerHeight }));
      assert.ok(scrollHeight <= height, `(${language}) the list is cut off under the notice: ${scrollHeight} > ${height}`);
      // Quit is a button of the header's size, on the notice's middle line.
      assertOneSize(await buttonBoxes(profiles.locator('#app'), '.no-tray button, .window-header button'), `notice and header (${language})`, {
        sameWidth: false,
        count: 5,
      });
    }

    // Twenty (no sessions needed for the layout): the notice scrolls away, the heading stays.
    await seedProfiles(
      w,
      forUser(TWENTY_PROFILES, 'frank')
        .filter((p) => !FOUR_PROFILES.some((four) => four.name === p.name))
        .map((p) => ({ ...p, session: 'none' as const })),
    );
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await openProfiles();
      await lastOfTwentyShown(profiles);
      await profiles.locator('.no-tray:not([hidden])').waitFor();
      const last = profiles.locator('li.profile').last();
      await last.locator('button.refresh').focus();
      const header = await profiles.locator('.window-header').boundingBox();
      const box = await last.boundingBox();
      assert.ok(header && box, 'rendered');
      assert.ok(Math.abs(header.y) < 1, `(${language}) the heading scrolled away`);
      assert.ok(box.y >= header.y + header.height - 0.5, `(${language}) the last row is under the heading`);
      assert.ok(box.y + box.height <= WINDOW_SIZES.profiles.height + 0.5, `(${language}) the last row is below the window`);
      await profiles.evaluate(() => window.scrollTo(0, 0));
    }
  });

  it('keeps a long state inside its cell in a window just wide enough for the actions beside it, in both languages', async () => {
    // A long name widens the name column; a 36-hour session's state names a date.
    await seedProfiles(w, [
      { name: 'shared-services-audit', user: 'dave', device: 'dave-audit', durationSeconds: 129_600, session: 'valid' },
      { name: 'work', user: 'dave', device: 'dave-phone', session: 'valid' },
    ]);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { fresh: true });
      await profiles.setViewportSize({ width: 660, height: 700 });
      await openProfiles(profiles);
      await profiles.locator('li.profile[data-profile="shared-services-audit"] .state-until').waitFor();
      const cells = await profiles.locator('li.profile').evaluateAll((items) =>
        items.map((item) => {
          const detail = item.querySelector('.state-detail') as HTMLElement;
          const state = (item.querySelector('.state') as HTMLElement).getBoundingClientRect();
          const actions = (item.querySelector(':scope > .row-actions') as HTMLElement).getBoundingClientRect();
          return {
            name: item.getAttribute('data-profile'),
            overflow: detail.scrollWidth - detail.clientWidth,
            stateRight: state.right,
            actionsLeft: actions.left,
            sameLine: Math.abs(state.top - actions.top) < 24,
          };
        }),
      );
      for (const cell of cells) {
        assert.ok(cell.overflow <= 1, `(${language}) ${cell.name}: the state overflows its box by ${cell.overflow}px`);
        if (cell.sameLine) assert.ok(cell.stateRight <= cell.actionsLeft + 0.5, `(${language}) ${cell.name}: the state runs under the buttons`);
      }
      await profiles.close();
    }
  });

  it('keeps a long profile or role name to one line of a bounded column, cut inside its box with the whole name in its title, in both languages', async () => {
    // Seen in review: one long name took the name column to its widest for every row, and wrapped
    // over four lines in its own.
    const longName = 'shared-services-audit-readonly-eu-central-1-production';
    const longRole = 'organization-account-access-readonly-for-auditors';
    await seedProfiles(w, [...forUser(FOUR_PROFILES, 'gina'), { name: longName, user: 'gina', device: 'gina-audit' }]);
    await mkdir(dirname(w.h.configPath), { recursive: true });
    await writeFile(w.h.configPath, `[profile ${longRole}]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = work\n`);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      for (const width of [WINDOW_SIZES.profiles.width, PROFILES_MIN_SIZE.width]) {
        const where = `(${language}, ${width} px)`;
        const profiles = await w.open('profiles.html', { fresh: true });
        await profiles.setViewportSize({ width, height: 900 });
        await openProfiles(profiles);
        await profiles.locator(`li.role[data-role="${longRole}"]`).waitFor();
        const rows = await profiles.locator('li.profile, li.role').evaluateAll((items) =>
          items.map((item) => {
            const name = item.querySelector('.profile-name') as HTMLElement;
            const box = name.getBoundingClientRect();
            const cutters = [name, ...name.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth);
            return {
              name: item.getAttribute('data-role') ?? item.getAttribute('data-profile'),
              text: name.textContent,
              title: name.getAttribute('title'),
              width: box.width,
              lines: Math.round(box.height / parseFloat(getComputedStyle(name).lineHeight)),
              right: box.right,
              stateLeft: (item.querySelector(':scope > .row-head > .state') as HTMLElement).getBoundingClientRect().left,
              cut: cutters.length > 0,
              ellipsis: cutters.every((e) => getComputedStyle(e).textOverflow === 'ellipsis'),
            };
          }),
        );
        const bound = 13 * (await profiles.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize)));
        for (const row of rows) {
          assert.equal(row.text, row.name, `${where} ${row.name}: the text is not the name`);
          assert.equal(row.title, row.name, `${where} ${row.name}: the title is not the name`);
          assert.equal(row.lines, 1, `${where} ${row.name}: the name takes ${row.lines} lines`);
          assert.ok(row.width <= bound + 0.5, `${where} ${row.name}: a name ${row.width}px wide, beyond ${bound}px`);
          assert.ok(row.right <= row.stateLeft + 0.5, `${where} ${row.name}: the name runs under the state`);
          assert.equal(row.cut, row.name === longName || row.name === longRole, `${where} ${row.name}: cut or not`);
          assert.ok(row.ellipsis, `${where} ${row.name}: cut without an ellipsis`);
        }
        await screenshot(profiles, `profiles-long-name-${width}-${language}`);
        await profiles.close();
      }
    }
  });

  it("shows every detail of a dense row whole at the window's minimum width, in both languages", async () => {
    // Seen in review: at 600 px the one line of details ended in "Regi…", "us-ea…" or "リ…" on most rows.
    await seedProfiles(
      w,
      forUser(TWENTY_PROFILES, 'hana').map((p) => ({ ...p, session: 'none' as const })),
    );
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { fresh: true });
      await profiles.setViewportSize(PROFILES_MIN_SIZE);
      await openProfiles(profiles);
      await twentyShownDense(profiles);
      const rows = await profiles.locator('li.profile').evaluateAll((items) =>
        items.map((item) => {
          const meta = item.querySelector(':scope > .meta') as HTMLElement;
          const box = meta.getBoundingClientRect();
          const shown = [...meta.children].filter((pair) => pair.getClientRects().length > 0);
          return {
            name: item.getAttribute('data-profile'),
            region: item.querySelector('.meta-region dd')?.textContent,
            // Every detail shown, and drawn inside the row's box, uncut.
            pairs: shown.map((pair) => pair.className),
            cut: [meta, ...meta.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth + 0.5).map((e) => e.className || e.tagName),
            outside: shown.filter((pair) => pair.getBoundingClientRect().right > box.right + 0.5).map((pair) => pair.className),
            lines: Math.round(box.height / parseFloat(getComputedStyle(meta).lineHeight)),
          };
        }),
      );
      for (const row of rows) {
        const where = `(${language}) ${row.name}`;
        assert.deepEqual(row.pairs, ['meta-device', 'meta-target', 'meta-region'], `${where}: the details shown`);
        assert.match(row.region ?? '', /^[a-z]{2}-[a-z]+-\d$/, `${where}: no region`);
        assert.deepEqual(row.cut, [], `${where}: a detail is cut`);
        assert.deepEqual(row.outside, [], `${where}: a detail leaves the row`);
        assert.ok(row.lines <= 2, `${where}: the details take ${row.lines} lines`);
      }
      await screenshot(profiles, `profiles-dense-min-width-${language}`);
      await profiles.close();
    }
  });

  it('breaks a role ARN only after ":" or "/", under its source, in both languages', async () => {
    const arn = 'arn:aws:iam::123456789012:role/platform-team/OrganizationAccountAccessRole';
    await w.h.addUser('work');
    await mkdir(dirname(w.h.configPath), { recursive: true });
    await writeFile(w.h.configPath, `[profile org-admin]\nrole_arn = ${arn}\nsource_profile = work\n`);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await w.open('profiles.html', { fresh: true });
      await profiles.setViewportSize({ width: 420, height: 700 });
      await openProfiles(profiles);
      const ident = profiles.locator('li.profile[data-profile="work"] li.role[data-role="org-admin"] .meta-role .ident');
      assertBreaksAtSeparators(await renderedLines(ident), arn, 2, `role (${language})`);
      assert.equal(await ident.getAttribute('title'), arn);
      await profiles.close();
    }
  });

  it('shows role profiles under their source, indented and smaller, and keeps dense rows one line each', async () => {
    const users = await seedProfiles(w, forUser(TWENTY_PROFILES, 'carol'));
    await seedRoles(w, 'work', users.get('work') as StsUser);
    for (const language of LANGUAGES) {
      await w.h.engine.updateSettings({ language });
      const profiles = await openProfiles();
      await profiles.locator('li.role').nth(1).waitFor();
      assert.equal(await profiles.locator('.profile-list.dense').count(), 1);
      const work = profiles.locator('li.profile[data-profile="work"]');
      // (No functions declared in here: the test's transpiler would name them with a helper the page lacks.)
      const measured = await work.evaluate((item) => {
        const source = item.querySelector('.profile-name') as HTMLElement;
        const sourceMeta = item.querySelector(':scope > .meta') as HTMLElement;
        return {
          source: {
            left: source.getBoundingClientRect().left,
            fontSize: parseFloat(getComputedStyle(source).fontSize),
            firstLine: [source, item.querySelector('.badge'), item.querySelector(':scope > .row-actions')]
              .map((element) => (element as HTMLElement).getBoundingClientRect())
              .map((rect) => rect.top + rect.height / 2),
            metaLines: Math.round(sourceMeta.getBoundingClientRect().height / parseFloat(getComputedStyle(sourceMeta).lineHeight)),
          },
          roles: [...item.querySelectorAll('li.role')].map((role) => {
            const name = role.querySelector('.role-name') as HTMLElement;
            const meta = role.querySelector('.meta') as HTMLElement;
            return {
              name: role.getAttribute('data-role'),
              left: name.getBoundingClientRect().left,
              fontSize: parseFloat(getComputedStyle(name).fontSize),
              height: role.getBoundingClientRect().height,
              firstLine: [name, role.querySelector('.badge'), role.querySelector('.row-actions')]
                .map((element) => (element as HTMLElement).getBoundingClientRect())
                .map((rect) => rect.top + rect.height / 2),
              stateLeft: (role.querySelector('.state') as HTMLElement).getBoundingClientRect().left,
              metaLines: Math.round(meta.getBoundingClientRect().height / parseFloat(getComputedStyle(meta).lineHeight)),
            };
          }),
          sourceStateLeft: (item.querySelector('.state') as HTMLElement).getBoundingClientRect().left,
        };
      });
      const { source, roles } = measured;
      assert.deepEqual(
        roles.map((r) => r.name),
        ['admin', 'org-readonly'],
      );
      const [sourceName, sourceBadge, sourceActions] = source.firstLine as [number, number, number];
      assert.ok(Math.abs(sourceName - sourceBadge) < 6 && Math.abs(sourceName - sourceActions) < 6, `(${language}) work: its first line broke`);
      assert.equal(source.metaLines, 1, `(${language}) work: the details take more than a line`);
      for (const role of roles) {
        const where = `(${language}) ${role.name}`;
        assert.ok(role.left >= source.left + 12, `${where}: not indented under its source`);
        assert.ok(role.fontSize < source.fontSize, `${where}: not smaller than its source`);
        const [name, badge, actions] = role.firstLine as [number, number, number];
        assert.ok(Math.abs(name - badge) < 6 && Math.abs(name - actions) < 6, `${where}: name, state and Refresh are not on one line`);
        assert.equal(role.metaLines, 1, `${where}: the ARN and note take more than a line`);
        assert.ok(role.height <= 56, `${where}: a role line of ${role.height}px`);
        // On the list's columns: the state where the profiles' states are.
        assert.ok(Math.abs(role.stateLeft - measured.sourceStateLeft) < 1, `${where}: the state is off the list's column`);
      }
      // The role's Refresh is of the size of its source's buttons.
      assertOneSize(await buttonBoxes(work, ':scope > .row-actions button, li.role .row-actions button'), `work and its roles (${language})`, {
        sameWidth: false,
        count: 6,
      });
      // The other rows keep their dense height.
      const heights = await profiles
        .locator('li.profile:not([data-profile="work"])')
        .evaluateAll((items) => items.map((i) => i.getBoundingClientRect().height));
      for (const height of heights) assert.ok(height <= 72, `(${language}) a row of ${height}px`);
    }
  });
});
