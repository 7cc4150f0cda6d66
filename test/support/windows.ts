/**
 * The fixture of the window tests: one loopback STS, one loopback bridge and one Chromium per test
 * file; a fresh real engine (keychain, temp files) per test, served to the same pages.
 *
 * ```ts
 * const w = useWindows();
 * it('…', async () => {
 *   const page = await w.open('prompt.html?profile=work');
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Page } from 'playwright-core';
import { clearProblems, launchBrowser, pageProblems, screenshot, type TestBrowser } from './browser';
import { createHarness, type Harness } from './engine-harness';
import { LOOPBACK_CLIENT_SCRIPT, startLoopbackBridge, type LoopbackBridge } from './loopback-bridge';
import { useStsServer, type StsServer } from './sts-server';

/** Window sizes as the tray app opens them (main/electron/window-factory.ts), and as the screenshots show them. */
export const WINDOW_SIZES = {
  prompt: { width: 400, height: 320 },
  profiles: { width: 780, height: 640 },
  settings: { width: 540, height: 560 },
} as const;

export interface Windows {
  readonly sts: StsServer;
  readonly bridge: LoopbackBridge;
  readonly browser: TestBrowser;
  /** This test's engine. */
  readonly h: Harness;
  /**
   * Opens a window's page (reusing one tab per window kind) and waits until it has rendered. Any
   * script error, console error or CSP violation in it fails the test.
   */
  open(path: string, options?: { readonly colorScheme?: 'light' | 'dark'; readonly fresh?: boolean }): Promise<Page>;
}

/** Registers the hooks and returns the fixture (its fields are set once the hooks ran). */
export function useWindows(options: { readonly locale?: string } = {}): Windows {
  const pages = new Map<string, Page>();
  const opened = new Set<Page>();
  const loopback = useStsServer();
  const state = {} as { bridge: LoopbackBridge; browser: TestBrowser; h: Harness };

  before(async () => {
    state.bridge = await startLoopbackBridge({ locale: options.locale ?? 'en-US' });
    state.browser = await launchBrowser({ initScript: LOOPBACK_CLIENT_SCRIPT });
  });
  after(async () => {
    await state.browser?.close();
    await state.bridge?.close();
  });
  beforeEach(async () => {
    state.h = await createHarness({ sts: loopback.sts });
    state.bridge.use(state.h.engine);
    state.bridge.setLocale(options.locale ?? 'en-US');
  });
  afterEach(async (t) => {
    if (process.env.MFA_TRAY_SHOTS) {
      // Debugging aid: the last state of every page this test used.
      for (const page of opened)
        await screenshot(page, `last/${t.name.replace(/\W+/g, '-').slice(0, 60)}-${new URL(page.url()).pathname.slice(1)}`).catch(() => undefined);
    }
    const problems = [...opened].flatMap((page) => pageProblems(page).map((p) => `${page.url()}: ${p}`));
    // A page kept for the next test leaves this test's engine: it would otherwise go on listening,
    // and asking the next test's engine for its lists while that test seeds its profiles.
    for (const page of pages.values()) await page.goto('about:blank').catch(() => undefined);
    for (const page of [...opened, ...pages.values()]) clearProblems(page);
    opened.clear();
    await state.h?.close();
    assert.deepEqual(problems, [], 'the pages reported problems');
  });

  return {
    get sts() {
      return loopback.sts;
    },
    get bridge() {
      return state.bridge;
    },
    get browser() {
      return state.browser;
    },
    get h() {
      return state.h;
    },
    async open(path, openOptions = {}) {
      const kind = path.replace(/\.html.*$/, '') as keyof typeof WINDOW_SIZES;
      let page = openOptions.fresh ? undefined : pages.get(kind);
      if (!page) {
        page = await state.browser.newPage(WINDOW_SIZES[kind] ?? {});
        if (!openOptions.fresh) pages.set(kind, page);
      }
      opened.add(page);
      // Chromium runs a tab's animation frames only while it is the one shown, and Playwright waits
      // for two of them before a click ("stable") or a screenshot: an action on a tab behind another
      // waited ~2 s for each (measured), which made the window tests take three times as long.
      await page.bringToFront();
      await page.emulateMedia({ colorScheme: openOptions.colorScheme ?? 'light' });
      const callsBefore = state.bridge.calls.length;
      await page.goto(state.bridge.url(path));
      // Rendered: the window's heading is there (the page's script wrote it).
      await page
        .locator('h1')
        .first()
        .waitFor()
        .catch(async (error: Error) => {
          const calls = state.bridge.calls.slice(callsBefore).map((c) => c.operation);
          const body = await page.evaluate(() => document.body.innerText).catch(() => '(unreadable)');
          throw new Error(
            `${path} did not render: ${error.message.split('\n')[0]}; bridge calls: ${calls.join(', ') || 'none'}; ` +
              `problems: ${pageProblems(page).join('; ') || 'none'}; text: ${JSON.stringify(body)}`,
          );
        });
      return page;
    },
  };
}
