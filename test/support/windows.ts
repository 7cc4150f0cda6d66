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
import { fittedContentHeight, WINDOW_SIZES, type SizedWindow } from '../../main/common/window-sizes';

/** The height a window's page may grow to on the tests' screen (1080 px, less a frame and a panel). */
const SCREEN_ROOM = 1000;

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
  /**
   * Does what the app's main process does when a page asks to fit its window (`fitWindow`): once
   * the page's requests have settled, sizes it for the last content height it asked for, as the
   * tray app does on a 1080-px screen. @returns the page's height now.
   */
  fit(page: Page): Promise<number>;
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
      // At its own size, as the app opens a window (a kept tab may have been fitted or resized).
      if (kind in WINDOW_SIZES) await page.setViewportSize(WINDOW_SIZES[kind]);
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
    async fit(page) {
      const kind = new URL(page.url()).pathname.replace(/^\/|\.html$/g, '') as SizedWindow;
      const windowId = await page.evaluate(() => (window as unknown as { readonly __mfaTrayWindowId: string }).__mfaTrayWindowId);
      const asked = () => state.bridge.fits.filter((f) => f.windowId === windowId);
      // Settled: no new request for 200 ms (the page asks once a frame at most).
      const settled = async (): Promise<number | undefined> => {
        let count = -1;
        for (let waited = 0; waited < 5_000 && count !== asked().length; waited += 200) {
          count = asked().length;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        return asked().at(-1)?.contentHeight;
      };
      const contentHeight = await settled();
      assert.ok(contentHeight !== undefined, `${kind}: the page never asked to fit its window`);
      const height = fittedContentHeight(kind, contentHeight, SCREEN_ROOM) ?? page.viewportSize()?.height ?? 0;
      await page.setViewportSize({ width: page.viewportSize()?.width ?? WINDOW_SIZES[kind].width, height });
      await settled();
      return height;
    },
  };
}
