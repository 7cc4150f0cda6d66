/**
 * The preload exposes exactly one function per bridge operation, plus `on`, and nothing else.
 * Run with a fake contextBridge and ipcRenderer: the preload's whole job is these two calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_OPERATIONS, channelOf, eventChannelOf, type MfaTrayBridge } from '../../main/common/bridge';
import { exposeBridge, type IpcRendererPort } from '../../main/preload/preload-bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererPort {
  readonly invoked: unknown[][] = [];
  readonly listeners = new Map<string, Listener[]>();

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, ...args]);
    return { ok: true, value: channel };
  }

  on(channel: string, listener: Listener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  }

  removeListener(channel: string, listener: Listener): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
    );
  }

  emit(channel: string, payload: unknown): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: 'the IPC event object' }, payload);
  }
}

function expose() {
  const exposed: Array<{ key: string; api: unknown }> = [];
  const ipc = new FakeIpcRenderer();
  exposeBridge({ exposeInMainWorld: (key, api) => exposed.push({ key, api }) }, ipc);
  assert.equal(exposed.length, 1, 'one exposure');
  return { ipc, key: exposed[0]?.key, bridge: exposed[0]?.api as MfaTrayBridge };
}

describe('preload', () => {
  it('exposes window.mfaTray with one function per operation plus on, and nothing else', () => {
    const { key, bridge } = expose();
    assert.equal(key, 'mfaTray');
    assert.deepEqual(Object.keys(bridge).sort(), [...BRIDGE_OPERATIONS, 'on'].sort());
    for (const name of Object.keys(bridge)) assert.equal(typeof (bridge as unknown as Record<string, unknown>)[name], 'function', name);
    assert.ok(Object.isFrozen(bridge));
  });

  it('invokes each operation on its own channel with exactly its arguments', async () => {
    const { ipc, bridge } = expose();
    await bridge.submitCode('work', '123 456');
    await bridge.addProfile({ name: 'work', mfaSerial: 'arn:aws:iam::123456789012:mfa/me' }, { accessKeyId: 'AKIA', secretAccessKey: 's' }, null);
    await bridge.listProfiles();
    await bridge.removeProfile('work', true, null);
    assert.deepEqual(ipc.invoked, [
      [channelOf('submitCode'), 'work', '123 456'],
      [channelOf('addProfile'), { name: 'work', mfaSerial: 'arn:aws:iam::123456789012:mfa/me' }, { accessKeyId: 'AKIA', secretAccessKey: 's' }, null],
      [channelOf('listProfiles')],
      [channelOf('removeProfile'), 'work', true, null],
    ]);
  });

  it("reaches every operation's channel", async () => {
    const { ipc, bridge } = expose();
    for (const operation of BRIDGE_OPERATIONS) await (bridge[operation] as (...a: unknown[]) => Promise<unknown>)();
    assert.deepEqual(
      ipc.invoked.map((call) => call[0]),
      BRIDGE_OPERATIONS.map((op) => channelOf(op)),
    );
  });

  it("passes events' payloads on, never the IPC event object, until unsubscribed", () => {
    const { ipc, bridge } = expose();
    const received: unknown[] = [];
    const unsubscribe = bridge.on('settings', (payload) => received.push(payload));
    ipc.emit(eventChannelOf('settings'), { language: 'ja' });
    unsubscribe();
    ipc.emit(eventChannelOf('settings'), { language: 'en' });
    assert.deepEqual(received, [{ language: 'ja' }]);
  });

  it("refuses to subscribe to anything but the bridge's events", () => {
    const { ipc, bridge } = expose();
    assert.throws(() => bridge.on('mfa-tray:submitCode' as 'profiles', () => undefined), TypeError);
    assert.throws(() => bridge.on('profiles', 'not a function' as unknown as () => void), TypeError);
    assert.equal(ipc.listeners.size, 0);
  });
});
