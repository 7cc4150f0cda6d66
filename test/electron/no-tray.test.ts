/**
 * A desktop that shows no tray icon, and the menu while the engine starts. The StatusNotifier probe
 * runs for real against the private session bus `npm test` starts (a watcher stood in by
 * `dbus-test-tool`, which owns the name as GNOME's AppIndicator extension would); the tray app runs
 * with fakes for Electron's objects only, the real engine behind it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { channelOf, type BridgeResult } from '../../main/common/bridge';
import { TrayApp } from '../../main/electron/tray-app';
import { STATUS_NOTIFIER_WATCHER, trayIconCanShow } from '../../main/electron/tray-presence';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer } from '../support/sts-server';
import { until } from '../support/until';
import { fakeElectron, labels, type FakeWindow } from './fakes';

before(() => {
  for (const [tool, install] of [
    ['gdbus', 'apt-get install -y libglib2.0-bin'],
    ['dbus-test-tool', 'apt-get install -y dbus-tests'],
  ]) {
    assert.equal(spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status, 0, `these tests need ${tool} (Debian: ${install})`);
  }
  assert.ok(process.env.DBUS_SESSION_BUS_ADDRESS, 'these tests need the private session bus that npm test (scripts/test.mjs) starts');
});

describe('is there a tray to show the icon in?', () => {
  let watcher: ChildProcess | undefined;
  afterEach(() => {
    watcher?.kill();
    watcher = undefined;
  });

  it('Linux without a StatusNotifier watcher on the session bus: no', async () => {
    assert.equal(await trayIconCanShow('linux', process.env), false);
  });

  it('with a watcher (the AppIndicator extension, KDE, XFCE): yes', async () => {
    watcher = spawn('dbus-test-tool', ['black-hole', '--session', `--name=${STATUS_NOTIFIER_WATCHER}`], { stdio: 'ignore' });
    // The name is owned a moment after the tool starts.
    const deadline = Date.now() + 5_000;
    while (!(await trayIconCanShow('linux', process.env))) {
      assert.ok(Date.now() < deadline, 'the watcher never showed on the bus');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('no session bus to ask, or macOS and Windows: assumed yes (a window forced open at every start would be worse)', async () => {
    assert.equal(await trayIconCanShow('linux', { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' }), true);
    assert.equal(await trayIconCanShow('darwin', {}), true);
    assert.equal(await trayIconCanShow('win32', {}), true);
  });
});

describe('the tray app without a tray', () => {
  const loopback = useStsServer();
  let h: Harness;
  let electron: ReturnType<typeof fakeElectron>;
  let app: TrayApp | undefined;

  beforeEach(async () => {
    h = await createHarness({ sts: loopback.sts });
    electron = fakeElectron();
    app = undefined;
  });
  afterEach(async () => {
    await app?.shutdown();
    await h.close();
  });

  /** `trayIcon`: the tray check's answer, or the check itself. */
  function start(trayIcon: boolean | (() => Promise<boolean>)) {
    return TrayApp.start({
      engine: h.engine,
      electron,
      platform: 'linux',
      packaged: true,
      env: { HOME: h.dir },
      execPath: '/opt/MFA Tray/mfa-tray',
      commandLauncher: '/opt/MFA Tray/resources/bin/mfa-tray',
      timeZone: 'UTC',
      trayIconCanShow: typeof trayIcon === 'boolean' ? () => Promise.resolve(trayIcon) : trayIcon,
    });
  }

  it('opens the profiles window, which learns why and can quit the app; a second launch brings it back', async () => {
    await h.addUser('work');
    app = await start(false);
    assert.equal(app.withoutTray, true);
    assert.deepEqual(
      electron.windows.live.map((w) => w.page),
      ['profiles'],
    );
    const window = electron.windows.live[0] as FakeWindow;
    const state = (await electron.ipcMain.invoke(channelOf('getHostState'), window.event())) as BridgeResult<unknown>;
    assert.deepEqual(state, { ok: true, value: { trayIcon: false } });
    window.close();
    electron.app.emit('second-instance');
    await until(() => electron.windows.live.length === 1, 'the window again');
    const quit = (await electron.ipcMain.invoke(channelOf('quitApp'), (electron.windows.live[0] as FakeWindow).event())) as BridgeResult<unknown>;
    assert.deepEqual(quit, { ok: true, value: null });
    await until(() => electron.app.quits > 0, 'the quit');
  });

  it('a window opened while the tray check still runs (a second launch) learns the answer when it comes', async () => {
    await h.addUser('work');
    let answer: (shows: boolean) => void = () => undefined;
    const starting = start(() => new Promise<boolean>((resolve) => (answer = resolve)));
    // The second launch, once the app listens for one (the engine has started; the check still runs).
    await until(() => electron.app.listeners('second-instance') > 0, 'the app listening for a second launch');
    electron.app.emit('second-instance');
    await until(() => electron.windows.live.length === 1, 'the window of the second launch');
    const window = electron.windows.live[0] as FakeWindow;
    const asked = electron.ipcMain.invoke(channelOf('getHostState'), window.event()) as Promise<BridgeResult<unknown>>;
    answer(false);
    app = await starting;
    assert.deepEqual(await asked, { ok: true, value: { trayIcon: false } });
    assert.deepEqual(
      electron.windows.live.map((w) => w.page),
      ['profiles'],
      'one profiles window, not a second',
    );
  });

  it('with a tray icon, a profile and nothing to say: no window opens', async () => {
    await h.addUser('work');
    app = await start(true);
    assert.equal(app.withoutTray, false);
    assert.deepEqual(electron.windows.live, []);
    const window = app.windows.show({ page: 'settings' }) as FakeWindow;
    assert.deepEqual(await electron.ipcMain.invoke(channelOf('getHostState'), window.event()), { ok: true, value: { trayIcon: true } });
    // The windows copy a policy document through the main process (they are granted no clipboard permission).
    assert.deepEqual(await electron.ipcMain.invoke(channelOf('copyText'), window.event(), '{"Version":"2012-10-17"}'), { ok: true, value: null });
    assert.equal(electron.clipboard.text, '{"Version":"2012-10-17"}');
  });
});

describe('the menu while the engine starts', () => {
  const loopback = useStsServer();

  it('exists at once, says Loading… (in the language of the settings) with Quit, and becomes the full menu once the keychain answers', async () => {
    let answer: (state: 'unlocked') => void = () => undefined;
    let keychainAnswers: Promise<'unlocked'> | undefined;
    // The keychain's "is it locked?" waits once the app starts, as it does while the desktop's unlock prompt is open.
    const h = await createHarness({ sts: loopback.sts, keychain: { lockProbe: () => keychainAnswers ?? Promise.resolve('unlocked') } });
    const electron = fakeElectron();
    electron.app.locale = 'ja-JP';
    try {
      await h.addUser('work');
      keychainAnswers = new Promise((resolve) => (answer = resolve));
      const starting = TrayApp.start({
        engine: h.engine,
        electron,
        platform: 'linux',
        packaged: false,
        env: { HOME: h.dir, XDG_CONFIG_HOME: join(h.dir, 'xdg') },
        execPath: '/opt/MFA Tray/mfa-tray',
        commandLauncher: '/opt/MFA Tray/resources/bin/mfa-tray',
        timeZone: 'UTC',
        trayIconCanShow: () => Promise.resolve(true),
      });
      await until(() => electron.tray.menu.length > 0, 'a menu');
      assert.deepEqual(labels(electron.tray.menu), ['読み込み中…（キーチェーンがパスワードを求めているかもしれません）', '---', 'MFA Tray を終了']);
      assert.equal(electron.tray.item('loading').enabled, false);
      answer('unlocked');
      const app = await starting;
      await app.tray.whenIdle();
      assert.ok(
        labels(electron.tray.menu).some((label) => label.startsWith('work')),
        labels(electron.tray.menu).join(' | '),
      );
      await app.shutdown();
    } finally {
      answer('unlocked');
      await h.close();
    }
  });
});
