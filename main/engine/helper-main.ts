/**
 * A helper's own side (helper-process.ts says why helpers exist): it loads what it needs, says
 * whether it could, then makes each call it is sent and answers it. It prints nothing. Started by
 * Node's `fork` it talks over Node's IPC channel and ends when that closes (let go when idle, or its
 * parent gone); started by Electron's `utilityProcess` (the tray app) over `process.parentPort`, and
 * is ended by its parent.
 */
import type { HelperMessage, HelperRequest } from './helper-process';

/**
 * Makes one call: its answer must survive JSON (the IPC channel's serialization). `signal`: the
 * caller no longer needs the answer (abort what can be aborted; the call is still answered).
 */
export type HelperHandler = (op: string, args: readonly unknown[], signal: AbortSignal) => Promise<unknown>;

/** Electron's port to the parent of a utility process (not in Node's types). */
interface ParentPort {
  on(event: 'message', listener: (event: { readonly data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serves calls with the handler `load` gives; a call that throws is answered with its message. */
export function serveHelper(load: () => Promise<HelperHandler>): void {
  const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  const send = (message: HelperMessage): void => {
    if (parentPort) parentPort.postMessage(message);
    else process.send?.(message);
  };
  /** The calls under way, to abort when their callers give up. */
  const calls = new Map<number, AbortController>();
  const answer = async (handler: HelperHandler, request: HelperRequest): Promise<void> => {
    if ('cancel' in request) {
      calls.get(request.id)?.abort();
      return;
    }
    const controller = new AbortController();
    calls.set(request.id, controller);
    try {
      const value = await handler(request.op, request.args, controller.signal);
      send({ kind: 'answer', id: request.id, ok: true, value: value ?? null });
    } catch (error) {
      send({ kind: 'answer', id: request.id, ok: false, message: messageOf(error) });
    } finally {
      calls.delete(request.id);
    }
  };
  const main = async (): Promise<void> => {
    if (!parentPort && !process.send) {
      process.exitCode = 2; // started by hand: there is no one to answer
      return;
    }
    process.on('disconnect', () => process.exit(0));
    // Ctrl-C in a terminal is for the process it started: that one lets a call in progress finish.
    process.on('SIGINT', () => undefined);
    let handler: HelperHandler;
    try {
      handler = await load();
    } catch (error) {
      send({ kind: 'load-failed', message: messageOf(error) });
      return;
    }
    const onRequest = (request: HelperRequest): void => void answer(handler, request);
    if (parentPort) parentPort.on('message', (event) => onRequest(event.data as HelperRequest));
    else process.on('message', onRequest);
    send({ kind: 'ready' });
  };
  void main();
}
