/**
 * Before 'ready': the app's name and data folder, its Windows identity, the single-instance lock,
 * and a tray app's way of living with no window open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_ID, prepareApp, type AppPreparationPort } from '../../main/electron/app-lifecycle';

function fakeApp(locked: boolean) {
  const calls: string[] = [];
  const listeners = new Map<string, () => unknown>();
  const app: AppPreparationPort = {
    setName: (name) => void calls.push(`setName ${name}`),
    setPath: (name, path) => void calls.push(`setPath ${name} ${path}`),
    setAppUserModelId: (id) => void calls.push(`setAppUserModelId ${id}`),
    requestSingleInstanceLock: () => {
      calls.push('requestSingleInstanceLock');
      return locked;
    },
    quit: () => void calls.push('quit'),
    on: (event, listener) => listeners.set(event, listener),
    dock: { hide: () => void calls.push('dock.hide') },
  };
  return { app, calls, listeners };
}

describe('app preparation', () => {
  it("names the app, points userData at the engine's config folder, then takes the lock", () => {
    const { app, calls } = fakeApp(true);
    assert.equal(prepareApp(app, { platform: 'linux', configDir: '/home/me/.config/MFA Tray' }), true);
    assert.deepEqual(calls, ['setName MFA Tray', 'setPath userData /home/me/.config/MFA Tray', 'requestSingleInstanceLock']);
  });

  it('quits when another instance holds the lock', () => {
    const { app, calls, listeners } = fakeApp(false);
    assert.equal(prepareApp(app, { platform: 'linux', configDir: '/c' }), false);
    assert.equal(calls.at(-1), 'quit');
    assert.equal(listeners.size, 0);
  });

  it('stays alive with every window closed', () => {
    const { app, listeners, calls } = fakeApp(true);
    prepareApp(app, { platform: 'linux', configDir: '/c' });
    const onAllClosed = listeners.get('window-all-closed') as (() => void) | undefined;
    assert.ok(onAllClosed, 'a window-all-closed listener is registered');
    onAllClosed();
    assert.ok(!calls.includes('quit'), 'closing the last window does not quit a tray app');
  });

  it('hides the Dock icon on macOS only', () => {
    const mac = fakeApp(true);
    prepareApp(mac.app, { platform: 'darwin', configDir: '/c' });
    assert.ok(mac.calls.includes('dock.hide'));
    const linux = fakeApp(true);
    prepareApp(linux.app, { platform: 'linux', configDir: '/c' });
    assert.ok(!linux.calls.includes('dock.hide'));
  });

  it('sets the AppUserModelID on Windows (toasts need it) before the lock', () => {
    const { app, calls } = fakeApp(true);
    prepareApp(app, { platform: 'win32', configDir: 'C:\\c' });
    assert.ok(calls.includes(`setAppUserModelId ${APP_ID}`), 'the id is set');
    assert.ok(calls.indexOf(`setAppUserModelId ${APP_ID}`) < calls.indexOf('requestSingleInstanceLock'));
    const linux = fakeApp(true);
    prepareApp(linux.app, { platform: 'linux', configDir: '/c' });
    assert.ok(!linux.calls.some((c) => c.startsWith('setAppUserModelId')));
  });
});
