/**
 * The IPC binding over the real handler table and engine: a message counts only from the main
 * frame of one of our windows showing its own page, and a malformed payload reaches no handler.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BRIDGE_OPERATIONS, channelOf, eventChannelOf, type BridgeResult } from '../../main/common/bridge';
import { createBridgeHandlers } from '../../main/bridge/handlers';
import { bindBridgeIpc, broadcast, checkSender } from '../../main/electron/ipc';
import { WindowRegistry } from '../../main/electron/window-registry';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer } from '../support/sts-server';
import { FakeIpcMain, FakeWindowOpener, type FakeWindow } from './fakes';

const loopback = useStsServer();
let h: Harness;
let ipcMain: FakeIpcMain;
let windows: WindowRegistry;
let opener: FakeWindowOpener;
let unbind: () => void;
let succeeded: string[];
let rejected: string[];
let refreshes: number;

beforeEach(async () => {
  h = await createHarness({ sts: loopback.sts });
  ipcMain = new FakeIpcMain();
  opener = new FakeWindowOpener();
  windows = new WindowRegistry(opener);
  succeeded = [];
  rejected = [];
  refreshes = 0;
  // Count calls into the engine: a refused message must not reach it.
  const refresh = h.engine.refresh.bind(h.engine);
  h.engine.refresh = (...args) => {
    refreshes++;
    return refresh(...args);
  };
  const handlers = createBridgeHandlers(h.engine, {
    closeWindow: (caller) => windows.byWebContentsId(Number(caller.windowId))?.close(),
    locale: () => 'en-US',
  });
  unbind = bindBridgeIpc({
    ipcMain,
    handlers,
    trusted: (id) => windows.pageOf(id),
    afterSuccess: (operation) => succeeded.push(operation),
    onRejected: (operation, reason) => rejected.push(`${operation}: ${reason}`),
  });
});
afterEach(async () => {
  unbind();
  await h.close();
});

function invoke(operation: (typeof BRIDGE_OPERATIONS)[number], event: ReturnType<FakeWindow['event']>, ...args: unknown[]) {
  return ipcMain.invoke(channelOf(operation), event, ...args) as Promise<BridgeResult<unknown>>;
}

describe('IPC senders', () => {
  it('binds one handler per bridge operation, and unbinds them all', () => {
    assert.deepEqual([...ipcMain.handlers.keys()].sort(), BRIDGE_OPERATIONS.map((op) => channelOf(op)).sort());
    unbind();
    assert.equal(ipcMain.handlers.size, 0);
    unbind = () => undefined;
  });

  it('serves our window showing its own page', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    const user = await h.addUser('work');
    const context = await invoke('getPromptContext', prompt.event(), 'work');
    assert.deepEqual(context, { ok: true, value: { profile: 'work', mfaSerial: user.mfaSerial, durationSeconds: 43200, state: { kind: 'none' } } });
    assert.deepEqual(succeeded, ['getPromptContext']);
  });

  it('refuses a message whose frame is gone (null senderFrame)', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    const user = await h.addUser('work');
    const result = await invoke('submitCode', { sender: { id: prompt.webContentsId }, senderFrame: null }, 'work', loopback.sts.currentCode(user));
    assert.deepEqual(result, {
      ok: false,
      error: { code: 'forbidden', message: 'This window may not use MFA Tray. Close it and open the window again from the tray menu.' },
    });
    assert.equal(refreshes, 0);
    assert.equal(loopback.sts.count('GetSessionToken'), 0);
    assert.deepEqual(rejected, ['submitCode: no-frame']);
  });

  it('refuses our window once it shows a foreign URL', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    await h.addUser('work');
    const result = await invoke('removeProfile', prompt.event('https://evil.example/prompt.html'), 'work', true);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'forbidden');
    assert.equal((await h.engine.settings.listProfiles()).length, 1, 'the profile is still there');
    assert.deepEqual(rejected, ['removeProfile: foreign-url']);
  });

  it('refuses a page of ours in a window it was not opened in', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    const result = await invoke('getSettings', prompt.event('app://mfa-tray/settings.html'));
    assert.equal(!result.ok && result.error.code, 'forbidden');
  });

  it('refuses a web contents that is not one of our windows, and a subframe', async () => {
    const settings = windows.show({ page: 'settings' }) as FakeWindow;
    const stranger = await invoke('getSettings', { sender: { id: 4242 }, senderFrame: { url: 'app://mfa-tray/settings.html', parent: null } });
    const subframe = await invoke('getSettings', { sender: { id: settings.webContentsId }, senderFrame: { url: 'app://mfa-tray/settings.html', parent: {} } });
    assert.equal(!stranger.ok && stranger.error.code, 'forbidden');
    assert.equal(!subframe.ok && subframe.error.code, 'forbidden');
    assert.deepEqual(rejected, ['getSettings: unknown-window', 'getSettings: subframe']);
  });

  it('refuses a closed window', async () => {
    const settings = windows.show({ page: 'settings' }) as FakeWindow;
    settings.close();
    const result = await invoke('getSettings', settings.event());
    assert.equal(!result.ok && result.error.code, 'forbidden');
  });

  it('names the reasons', () => {
    assert.deepEqual(
      checkSender({ sender: { id: 1 }, senderFrame: null }, () => 'prompt'),
      { rejected: 'no-frame' },
    );
    assert.deepEqual(
      checkSender({ sender: { id: 1 }, senderFrame: { url: 'file:///x/prompt.html', parent: null } }, () => 'prompt'),
      { rejected: 'foreign-url' },
    );
    assert.deepEqual(
      checkSender({ sender: { id: 1 }, senderFrame: { url: 'app://mfa-tray/prompt.html?profile=a', parent: null } }, () => 'prompt'),
      { caller: { windowId: 1 } },
    );
  });
});

describe('IPC payloads', () => {
  it('answers bad arguments with bad-request, and no handler runs', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    await h.addUser('work');
    for (const args of [[], ['work'], ['work', 123456], [{ name: 'work' }, '123456'], ['work', '123456', 'extra']]) {
      const result = await invoke('submitCode', prompt.event(), ...args);
      assert.equal(!result.ok && result.error.code, 'bad-request', JSON.stringify(args));
    }
    assert.equal(refreshes, 0);
    assert.equal(loopback.sts.count(), 0);
    await assert.rejects(readFile(h.credentialsPath), { code: 'ENOENT' });
    assert.deepEqual(succeeded, []);
  });

  it('refuses unknown fields (a secret smuggled into a settings change) without echoing them', async () => {
    const profiles = windows.show({ page: 'profiles' }) as FakeWindow;
    const result = await invoke('updateSettings', profiles.event(), { clipboardClearSeconds: 30, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' });
    assert.equal(!result.ok && result.error.code, 'bad-request');
    assert.ok(!JSON.stringify(result).includes('wJalrXUtnFEMI'));
    assert.equal((await h.engine.settings.load()).settings.clipboardClearSeconds, 60);
  });

  it('closes the calling window, and only it', async () => {
    const prompt = windows.show({ page: 'prompt', profile: 'work' }) as FakeWindow;
    const settings = windows.show({ page: 'settings' }) as FakeWindow;
    assert.deepEqual(await invoke('closeWindow', prompt.event()), { ok: true, value: null });
    assert.equal(prompt.destroyed, true);
    assert.equal(settings.destroyed, false);
  });
});

describe('IPC events', () => {
  it('pushes an event to every open window on its channel, skipping one closed meanwhile', () => {
    const a = windows.show({ page: 'profiles' }) as FakeWindow;
    const b = windows.show({ page: 'settings' }) as FakeWindow;
    const listed = windows.all();
    b.close();
    broadcast(listed, 'profiles', []);
    assert.deepEqual(a.sent, [{ channel: eventChannelOf('profiles'), payload: [] }]);
    assert.deepEqual(b.sent, []);
  });
});
