/**
 * The only user of `ipcMain` (after Electron Fiddle's IPC module): binds the bridge's handler table
 * (`main/bridge/handlers.ts`) to one channel per operation, and pushes the bridge's events
 * to our windows.
 *
 * Every message is checked before its payload is looked at (after GitHub Desktop's
 * `trusted-ipc-sender.ts`): it must come from the main frame of a web contents this app opened,
 * still showing the page it was opened on. A null `senderFrame` (the frame navigated away or was
 * destroyed while the message was in flight) is rejected too. Then the handler table checks the
 * arguments against its schema: a malformed payload is a `bad-request`, and no handler runs.
 */
import { BRIDGE_OPERATIONS, channelOf, eventChannelOf, type BridgeError, type BridgeEvents, type BridgeOperation, type BridgeResult } from '../common/bridge';
import type { BridgeCaller, BridgeHandlers } from '../bridge/handlers';
import { pageOf, type WindowPage } from './app-protocol';

/** The parts of Electron's `IpcMainInvokeEvent` the check reads. */
export interface IpcInvokeEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** `ipcMain`, as far as this module uses it. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Which page, if any, a web contents of ours shows (the window registry). */
export type TrustedPages = (webContentsId: number) => WindowPage | undefined;

/** Why a sender was refused, for the log. */
export type SenderRejection = 'no-frame' | 'subframe' | 'unknown-window' | 'foreign-url';

/** The caller of a trusted message, or why it is not trusted. */
export function checkSender(event: IpcInvokeEventLike, trusted: TrustedPages): { readonly caller: BridgeCaller } | { readonly rejected: SenderRejection } {
  const frame = event.senderFrame;
  if (frame === null) return { rejected: 'no-frame' };
  if (frame.parent !== null) return { rejected: 'subframe' };
  const page = trusted(event.sender.id);
  if (page === undefined) return { rejected: 'unknown-window' };
  if (pageOf(frame.url) !== page) return { rejected: 'foreign-url' };
  return { caller: { windowId: event.sender.id } };
}

const FORBIDDEN: BridgeError = {
  code: 'forbidden',
  message: 'This window may not use MFA Tray. Close it and open the window again from the tray menu.',
};

export interface BindIpcOptions {
  readonly ipcMain: IpcMainPort;
  readonly handlers: BridgeHandlers;
  readonly trusted: TrustedPages;
  /** After an operation succeeded (the tray updates, settings apply). */
  readonly afterSuccess?: (operation: BridgeOperation, value: unknown) => void;
  readonly onRejected?: (operation: BridgeOperation, reason: SenderRejection) => void;
}

/** Binds every operation to its channel. @returns the function that unbinds them. */
export function bindBridgeIpc(options: BindIpcOptions): () => void {
  const { ipcMain, handlers, trusted, afterSuccess, onRejected } = options;
  for (const operation of BRIDGE_OPERATIONS) {
    ipcMain.handle(channelOf(operation), async (event, ...args): Promise<BridgeResult<unknown>> => {
      const checked = checkSender(event, trusted);
      if ('rejected' in checked) {
        onRejected?.(operation, checked.rejected);
        return { ok: false, error: FORBIDDEN };
      }
      const result = await handlers[operation](args, checked.caller);
      if (result.ok) afterSuccess?.(operation, result.value);
      return result;
    });
  }
  return () => {
    for (const operation of BRIDGE_OPERATIONS) ipcMain.removeHandler(channelOf(operation));
  };
}

/** A window events can be pushed to. */
export interface EventReceiver {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/** Pushes a bridge event to every given window. */
export function broadcast<E extends keyof BridgeEvents>(windows: readonly EventReceiver[], event: E, payload: BridgeEvents[E]): void {
  for (const window of windows) {
    if (!window.isDestroyed()) window.send(eventChannelOf(event), payload);
  }
}
