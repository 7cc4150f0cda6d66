/**
 * The keychain helper's process (bundled to app/dist/keychain-helper.cjs; started by
 * keychain-helper.ts, which says why it exists). It loads keytar, says whether it could, then makes
 * each call it is sent and answers it. It prints nothing. Started by Node's `fork` it talks over
 * Node's IPC channel and ends when that closes (let go when idle, or its parent gone); started by
 * Electron's `utilityProcess` (the tray app) over `process.parentPort`, and is ended by its parent.
 */
import type { HelperMessage, HelperRequest } from './keychain-helper';
import { loadKeytar, type KeytarBackend } from './keytar-secret-store';

/** Electron's port to the parent of a utility process (not in Node's types). */
interface ParentPort {
  on(event: 'message', listener: (event: { readonly data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;

function send(message: HelperMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onRequest(listener: (request: HelperRequest) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as HelperRequest));
  else process.on('message', (request: HelperRequest) => listener(request));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function answer(keytar: KeytarBackend, request: HelperRequest): Promise<void> {
  const [a = '', b = '', c = ''] = request.args;
  try {
    let value: unknown;
    if (request.op === 'getPassword') value = await keytar.getPassword(a, b);
    else if (request.op === 'setPassword') value = await keytar.setPassword(a, b, c);
    else if (request.op === 'deletePassword') value = await keytar.deletePassword(a, b);
    else if (request.op === 'findCredentials') value = await keytar.findCredentials(a);
    else throw new Error(`unknown keychain call ${String(request.op)}`);
    send({ kind: 'answer', id: request.id, ok: true, value: value ?? null });
  } catch (error) {
    send({ kind: 'answer', id: request.id, ok: false, message: messageOf(error) });
  }
}

async function main(): Promise<void> {
  if (!parentPort && !process.send) {
    process.exitCode = 2; // started by hand: there is no one to answer
    return;
  }
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal is for the process it started: that one lets a call in progress finish.
  process.on('SIGINT', () => undefined);
  let keytar: KeytarBackend;
  try {
    keytar = await loadKeytar();
  } catch (error) {
    send({ kind: 'load-failed', message: messageOf(error) });
    return;
  }
  onRequest((request) => void answer(keytar, request));
  send({ kind: 'ready' });
}

void main();
