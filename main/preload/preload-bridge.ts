/**
 * What the preload exposes on `window.mfaTray`: one named function per bridge operation, each a
 * plain `ipcRenderer.invoke` on its own channel, plus `on` for the bridge's events. Nothing else:
 * never `ipcRenderer` itself, never an event object (its `sender` would reach into Electron).
 *
 * Electron comes in as two small interfaces, so the test runs this with fakes; `preload.ts` passes
 * the real `contextBridge` and `ipcRenderer`.
 */
import { channelOf, eventChannelOf, type BridgeApi, type BridgeEvents, type BridgeOperation, type MfaTrayBridge } from '../common/bridge';

/** `ipcRenderer`, as far as the bridge uses it. */
export interface IpcRendererPort {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** `contextBridge`, as far as the bridge uses it. */
export interface ContextBridgePort {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

/** The global the windows find the bridge under. */
export const BRIDGE_GLOBAL = 'mfaTray';

/** The events a window may subscribe to. */
export const BRIDGE_EVENTS = ['profiles', 'settings'] as const satisfies readonly (keyof BridgeEvents)[];

/** The bridge over an `ipcRenderer`. */
export function createBridge(ipc: IpcRendererPort): MfaTrayBridge {
  const call = <O extends BridgeOperation>(operation: O, ...args: Parameters<BridgeApi[O]>) =>
    ipc.invoke(channelOf(operation), ...args) as ReturnType<BridgeApi[O]>;

  const bridge: MfaTrayBridge = {
    listProfiles: () => call('listProfiles'),
    getPromptContext: (profile) => call('getPromptContext', profile),
    submitCode: (profile, code) => call('submitCode', profile, code),
    refreshNow: (profile) => call('refreshNow', profile),
    addProfile: (profile, key, totpSecret) => call('addProfile', profile, key, totpSecret),
    updateProfile: (name, changes) => call('updateProfile', name, changes),
    replaceLongLivedKey: (name, key) => call('replaceLongLivedKey', name, key),
    setTotpSecret: (name, secret) => call('setTotpSecret', name, secret),
    removeTotpSecret: (name) => call('removeTotpSecret', name),
    listImportableSections: () => call('listImportableSections'),
    importProfile: (form) => call('importProfile', form),
    verifyProfile: (name) => call('verifyProfile', name),
    verifyKey: (key, region) => call('verifyKey', key, region),
    listMfaDevices: (source, region) => call('listMfaDevices', source, region),
    refreshRole: (role, code) => call('refreshRole', role, code),
    getRemovalImpact: (name) => call('getRemovalImpact', name),
    removeProfile: (name, forgetSession, restoreKeyTo) => call('removeProfile', name, forgetSession, restoreKeyTo),
    getSettings: () => call('getSettings'),
    updateSettings: (changes) => call('updateSettings', changes),
    getLocale: () => call('getLocale'),
    diagnose: (profile) => call('diagnose', profile),
    getMfaPolicies: (profile, language) => call('getMfaPolicies', profile, language),
    enrolDevice: (profile, deviceName, newProfile) => call('enrolDevice', profile, deviceName, newProfile),
    copyText: (text) => call('copyText', text),
    getHostState: () => call('getHostState'),
    quitApp: () => call('quitApp'),
    closeWindow: () => call('closeWindow'),
    fitWindow: (contentHeight) => call('fitWindow', contentHeight),
    on: (event, listener) => {
      if (!(BRIDGE_EVENTS as readonly string[]).includes(event) || typeof listener !== 'function') {
        throw new TypeError(`mfaTray.on: unknown event "${String(event)}" or no listener`);
      }
      const channel = eventChannelOf(event);
      // Only the payload crosses: the IPC event object stays in the preload.
      const forward = (_event: unknown, payload: unknown) => listener(payload as never);
      ipc.on(channel, forward);
      return () => {
        ipc.removeListener(channel, forward);
      };
    },
  };
  return Object.freeze(bridge);
}

/** Exposes the bridge to the page's world. */
export function exposeBridge(contextBridge: ContextBridgePort, ipc: IpcRendererPort): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createBridge(ipc));
}
