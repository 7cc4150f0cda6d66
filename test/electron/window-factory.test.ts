/**
 * Every window comes from one factory with the same secure preferences, and every web contents and
 * the session deny what the windows never need.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserWindowConstructorOptions } from 'electron';
import { WINDOW_PAGES } from '../../main/electron/app-protocol';
import { fittedContentHeight, WINDOW_SIZES } from '../../main/common/window-sizes';
import {
  createSecureWindow,
  hardenSession,
  hardenWebContents,
  isAllowedRequest,
  type GuardedEvent,
  type SessionGuardTarget,
} from '../../main/electron/window-factory';

class FakeBrowserWindow {
  constructor(readonly options: BrowserWindowConstructorOptions) {}
}

describe('secure window factory', () => {
  for (const page of WINDOW_PAGES) {
    it(`gives the ${page} window isolation, the sandbox, no Node, web security and our preload`, () => {
      const window = createSecureWindow(FakeBrowserWindow, page, { preload: '/app/dist/preload.cjs', devTools: false });
      assert.deepEqual(window.options.webPreferences, {
        preload: '/app/dist/preload.cjs',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        enableWebSQL: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        safeDialogs: true,
        disableBlinkFeatures: 'Auxclick',
        devTools: false,
      });
      assert.equal(window.options.show, false, 'shown when ready, never blank');
      assert.match(window.options.title ?? '', / — MFA Tray$/);
    });
  }

  it('keeps the prompt small and fixed', () => {
    const { options } = createSecureWindow(FakeBrowserWindow, 'prompt', { preload: '/p', devTools: false });
    assert.equal(options.resizable, false);
    assert.equal(options.minimizable, false);
    assert.ok((options.width ?? 0) <= 420 && (options.height ?? 0) <= 360);
  });

  it("sizes every window by its page, not its frame (the windows' tests lay the pages out at these sizes)", () => {
    for (const page of WINDOW_PAGES)
      assert.equal(createSecureWindow(FakeBrowserWindow, page, { preload: '/p', devTools: false }).options.useContentSize, true, page);
  });

  it('fits the prompt and settings to a long message, within the screen, never below their size; leaves the profiles window to the user', () => {
    const prompt = WINDOW_SIZES.prompt.height;
    assert.equal(fittedContentHeight('prompt', 200, 1000), prompt, 'never smaller than its size');
    assert.equal(fittedContentHeight('prompt', 433.2, 1000), 434, 'the whole message');
    assert.equal(fittedContentHeight('prompt', 2000, 700), 700, 'no taller than the screen has room for');
    assert.equal(fittedContentHeight('settings', 640, 1000), 640);
    assert.equal(fittedContentHeight('settings', 100, 300), WINDOW_SIZES.settings.height, 'its own size even on a small screen');
    assert.equal(fittedContentHeight('profiles', 2000, 1000), undefined);
  });

  it('allows DevTools only when told (development)', () => {
    assert.equal(createSecureWindow(FakeBrowserWindow, 'profiles', { preload: '/p', devTools: true }).options.webPreferences?.devTools, true);
  });
});

describe('web contents guards', () => {
  function guarded() {
    const listeners = new Map<GuardedEvent, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    hardenWebContents({
      on: (event, listener) => listeners.set(event, listener),
      setWindowOpenHandler: (handler) => {
        openHandler = handler;
      },
    });
    return { listeners, open: (url: string) => openHandler?.({ url }) };
  }

  it('denies every navigation, redirect and webview a page starts', () => {
    const { listeners } = guarded();
    assert.deepEqual([...listeners.keys()].sort(), ['will-attach-webview', 'will-frame-navigate', 'will-navigate', 'will-redirect']);
    for (const [event, listener] of listeners) {
      let prevented = false;
      listener({ preventDefault: () => (prevented = true) });
      assert.ok(prevented, event);
    }
  });

  it('denies every new window', () => {
    const { open } = guarded();
    assert.deepEqual(open('https://example.com/'), { action: 'deny' });
    assert.deepEqual(open('app://mfa-tray/settings.html'), { action: 'deny' });
  });
});

describe('session guards', () => {
  function guardedSession() {
    const calls: Record<string, unknown> = {};
    const session: SessionGuardTarget = {
      setPermissionRequestHandler: (h) => (calls.request = h),
      setPermissionCheckHandler: (h) => (calls.check = h),
      setDevicePermissionHandler: (h) => (calls.device = h),
      setDisplayMediaRequestHandler: (h) => (calls.display = h),
      setSpellCheckerEnabled: (on) => (calls.spellcheck = on),
      on: (event, listener) => (calls[event] = listener),
      webRequest: { onBeforeRequest: (listener) => (calls.beforeRequest = listener) },
    };
    hardenSession(session);
    return calls;
  }

  it('denies every permission request, check and device', () => {
    const calls = guardedSession();
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      let granted: boolean | undefined;
      (calls.request as (wc: unknown, p: string, cb: (g: boolean) => void) => void)({}, permission, (g) => (granted = g));
      assert.equal(granted, false, permission);
    }
    assert.equal((calls.check as () => boolean)(), false);
    assert.equal((calls.device as () => boolean)(), false);
    let streams: unknown = 'unset';
    (calls.display as (r: unknown, cb: (s: unknown) => void) => void)({}, (s) => (streams = s));
    assert.equal(streams, null);
  });

  it('refuses downloads and turns the spellchecker (which downloads dictionaries) off', () => {
    const calls = guardedSession();
    let prevented = false;
    (calls['will-download'] as (e: { preventDefault(): void }) => void)({ preventDefault: () => (prevented = true) });
    assert.ok(prevented);
    assert.equal(calls.spellcheck, false);
  });

  it("cancels every request that is not for the app's own scheme", () => {
    const calls = guardedSession();
    const decide = (url: string) => {
      let response: { cancel?: boolean } | undefined;
      (calls.beforeRequest as (d: { url: string }, cb: (r: { cancel?: boolean }) => void) => void)({ url }, (r) => (response = r));
      return response?.cancel === true ? 'cancel' : 'allow';
    };
    assert.equal(decide('app://mfa-tray/prompt.js'), 'allow');
    assert.equal(decide('data:image/png;base64,AAAA'), 'allow');
    for (const url of ['https://sts.amazonaws.com/', 'http://169.254.169.254/', 'wss://example.com/', 'file:///etc/passwd', 'nonsense']) {
      assert.equal(decide(url), 'cancel', url);
    }
    assert.equal(isAllowedRequest('ftp://x/'), false);
  });
});
