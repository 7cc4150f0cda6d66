/**
 * Headless Chromium for the window tests: Debian's `chromium` driven by playwright-core, with the
 * flags that keep it from dialling out (DESIGN.md, "How it is tested here") and a fresh, empty
 * profile folder. One browser per test file; pages are reused.
 *
 * Every page is watched for what a user would never see but a test must: script errors, console
 * errors and CSP violations ({@link pageProblems}).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags from DESIGN.md; `--headless` is added by Playwright's `headless: true`. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the tests save screenshots (git-ignored); the best are copied to docs/screenshots/ by hand. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export interface TestBrowser {
  readonly context: BrowserContext;
  /** A new page (a tab), watched for problems. */
  newPage(options?: { readonly width?: number; readonly height?: number }): Promise<Page>;
  close(): Promise<void>;
}

const problems = new WeakMap<Page, string[]>();

/**
 * Launches Chromium with a fresh profile, running `initScript` in every page before its own
 * scripts (the loopback bridge). Fails with the install command when Chromium is missing.
 */
export async function launchBrowser(options: { readonly initScript?: string; readonly locale?: string } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing (${CHROMIUM_PATH}); install with: apt-get install -y chromium`);
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'mfa-tray-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    locale: options.locale ?? 'en-US',
    viewport: { width: 800, height: 640 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    timeout: 30_000,
  });
  // Generous: these tests share the machine with others, and a loaded machine is slow, not broken.
  context.setDefaultTimeout(20_000);
  if (options.initScript) await context.addInitScript({ content: options.initScript });
  // The persistent context opens with one blank tab; close it so that every page is one of ours.
  for (const page of context.pages()) await page.close();
  return {
    context,
    async newPage(size = {}) {
      const page = await context.newPage();
      await page.setViewportSize({ width: size.width ?? 800, height: size.height ?? 640 });
      watch(page);
      return page;
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

function watch(page: Page): void {
  const list: string[] = [];
  problems.set(page, list);
  page.on('pageerror', (error) => list.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) list.push(`console ${message.type()}: ${message.text()}`);
  });
}

/** What went wrong in a page since it was opened (or since the last {@link clearProblems}). */
export function pageProblems(page: Page): readonly string[] {
  return [...(problems.get(page) ?? [])];
}

export function clearProblems(page: Page): void {
  problems.get(page)?.splice(0);
}

/** Waits until the locator's text matches (Playwright's own waiting, without @playwright/test's expect). */
export async function waitForText(locator: Locator, pattern: RegExp | string, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = '';
  let failure = '';
  for (;;) {
    const text = await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch((error: Error) => {
      failure = error.message.split('\n')[0] ?? '';
      return null;
    });
    if (text !== null) last = text;
    if (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${String(pattern)}; the text is: ${JSON.stringify(last)}${failure ? ` (${failure})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the page is listening for the bridge's events (so that a test can cause one). */
export async function waitForEvents(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __mfaTrayEventsOpen?: boolean }).__mfaTrayEventsOpen === true);
}

/** Saves a screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  // The tab shown (see useWindows' open: a tab behind another gets no animation frames), fonts
  // settled, and the caret out of the picture.
  await page.bringToFront();
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path, caret: 'hide', animations: 'disabled' });
  return path;
}
