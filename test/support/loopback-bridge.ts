/**
 * The bridge over loopback HTTP, for running the real windows in Chromium against the real engine.
 *
 * One server on 127.0.0.1 serves the built windows (app/dist/renderer/) and the bridge:
 * - `POST /bridge/<operation>` with the JSON argument array → the handler table's result
 *   (`createBridgeHandlers`, the very table the IPC binds), as JSON;
 * - `GET /bridge/events`: Server-Sent Events fed by `bindBridgeEvents`.
 *
 * {@link LOOPBACK_CLIENT_SCRIPT} (also served at `/loopback-bridge.js`) defines `window.mfaTray` with
 * the `MfaTrayBridge` shape over fetch and EventSource. Tests inject it with Playwright's
 * `addInitScript`, which runs before the page's own scripts and leaves the pages' CSP as it is; the
 * CSP's `connect-src 'self'` lets it reach this server (the page's own origin).
 *
 * The pages are served from a snapshot of the build taken at start, so that a build running
 * meanwhile cannot pull them away. The engine can be swapped between tests ({@link LoopbackBridge.use}) so that one server and one
 * browser serve a whole test file while every test gets a fresh engine.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRIDGE_OPERATIONS, type BridgeEvents, type BridgeOperation, type BridgeResult } from '../../main/common/bridge';
import { bindBridgeEvents, createBridgeHandlers, type BridgeHandlers, type BridgeHost } from '../../main/bridge/handlers';
import type { Engine } from '../../main/engine/engine';

/** Where scripts/build.mjs puts the windows. */
export const RENDERER_DIST = fileURLToPath(new URL('../../app/dist/renderer/', import.meta.url));

/** The header naming the calling window (one id per page load), the transport's stand-in for the IPC sender. */
export const WINDOW_HEADER = 'x-mfa-tray-window';

/** One call as the server saw it (operation and window; never the arguments, which may hold secrets). */
export interface LoopbackCall {
  readonly operation: string;
  readonly windowId: string;
}

/** What a test may set of the app around the windows: a desktop without a tray icon, and Quit. */
export type LoopbackHost = Pick<BridgeHost, 'withoutTray' | 'quit'>;

export interface LoopbackBridge {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every bridge call, oldest first. */
  readonly calls: readonly LoopbackCall[];
  /** Window ids whose page called `closeWindow`, oldest first. */
  readonly closedWindows: readonly string[];
  /** The content heights pages asked their windows to fit (`fitWindow`), oldest first. */
  readonly fits: readonly { readonly windowId: string; readonly contentHeight: number }[];
  /** The URL of a window's page, e.g. `url('prompt.html?profile=work')`. */
  url(path: string): string;
  /**
   * Serves the bridge from this engine from now on (and forgets the calls and closed windows).
   * `host`: the app around the windows; by default it has a tray icon and cannot quit.
   */
  use(engine: Engine, host?: LoopbackHost): void;
  /** The OS locale the host reports (`getLocale`). */
  setLocale(locale: string): void;
  /** How many pages are listening for events. */
  eventClients(): number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The client side: `window.mfaTray` over fetch and EventSource, with the same shape as the preload's
 * (one function per operation, plus `on(event, listener)` returning an unsubscribe function). Plain
 * JavaScript text, so that nothing of the test's compiled code leaks into the page.
 */
export const LOOPBACK_CLIENT_SCRIPT = `(() => {
  if (!/^https?:$/.test(location.protocol) || Object.prototype.hasOwnProperty.call(window, 'mfaTray')) return;
  const operations = ${JSON.stringify(BRIDGE_OPERATIONS)};
  const windowId = crypto.randomUUID();
  // For the tests' stand-in of the main process, which sizes a page as the app sizes its window (fitWindow).
  Object.defineProperty(window, '__mfaTrayWindowId', { value: windowId });
  const lost = (why) => ({ ok: false, error: { code: 'internal', message: 'loopback bridge: ' + why } });
  const invoke = (operation) => async (...args) => {
    let response;
    try {
      response = await fetch('/bridge/' + operation, {
        method: 'POST',
        headers: { 'content-type': 'application/json', '${WINDOW_HEADER}': windowId },
        body: JSON.stringify(args),
      });
    } catch (error) {
      return lost(String(error));
    }
    if (!response.ok) return lost('HTTP ' + response.status);
    return response.json();
  };
  const listeners = { profiles: new Set(), settings: new Set() };
  let source;
  const connect = () => {
    if (source) return;
    source = new EventSource('/bridge/events');
    source.addEventListener('open', () => { window.__mfaTrayEventsOpen = true; });
    for (const event of Object.keys(listeners)) {
      source.addEventListener(event, (message) => {
        const payload = JSON.parse(message.data);
        for (const listener of [...listeners[event]]) listener(payload);
      });
    }
  };
  const api = {};
  for (const operation of operations) api[operation] = invoke(operation);
  api.on = (event, listener) => {
    if (!Object.prototype.hasOwnProperty.call(listeners, event)) throw new TypeError('unknown event ' + event);
    connect();
    listeners[event].add(listener);
    return () => { listeners[event].delete(listener); };
  };
  Object.defineProperty(window, 'mfaTray', { value: Object.freeze(api), enumerable: true });
})();`;

/** Starts the server; `use(engine)` before the first page loads. */
export async function startLoopbackBridge(
  options: { readonly engine?: Engine; readonly locale?: string; readonly root?: string } = {},
): Promise<LoopbackBridge> {
  const built = options.root ?? RENDERER_DIST;
  if (!existsSync(join(built, 'prompt.html'))) throw new Error(`the windows are not built (${built}); run: node scripts/build.mjs`);
  // Served from a snapshot: a build running meanwhile (it empties app/dist/ first) must not pull
  // the pages from under a test.
  const root = await mkdtemp(join(tmpdir(), 'mfa-tray-windows-'));
  await cp(built, root, { recursive: true });
  let locale = options.locale ?? 'en-US';
  let handlers: BridgeHandlers | undefined;
  let unbind: (() => void) | undefined;
  const calls: LoopbackCall[] = [];
  const closedWindows: string[] = [];
  const fits: { windowId: string; contentHeight: number }[] = [];
  const clients = new Set<ServerResponse>();

  const emit = <E extends keyof BridgeEvents>(event: E, payload: BridgeEvents[E]): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const client of clients) client.write(frame);
  };

  let current: Engine | undefined;
  // The engine's changes are pushed only while a page listens, as the tray app binds them only while
  // a window is open (tray-app.ts): a test seeding profiles with no page open pays for no pushes.
  const bindWhileListened = (): void => {
    if (clients.size > 0 && unbind === undefined && current !== undefined) unbind = bindBridgeEvents(current, emit);
    else if (clients.size === 0 && unbind !== undefined) {
      unbind();
      unbind = undefined;
    }
  };
  const use = (engine: Engine, host: LoopbackHost = {}): void => {
    unbind?.();
    unbind = undefined;
    current = engine;
    calls.length = 0;
    closedWindows.length = 0;
    fits.length = 0;
    handlers = createBridgeHandlers(engine, {
      ...host,
      closeWindow: (caller) => closedWindows.push(String(caller.windowId)),
      fitWindow: (caller, contentHeight) => fits.push({ windowId: String(caller.windowId), contentHeight }),
      locale: () => locale,
    });
    bindWhileListened();
  };
  if (options.engine) use(options.engine);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Only this origin: a page elsewhere (or a DNS-rebound name) gets nothing.
    if (req.headers.host !== hostHeader) {
      res.writeHead(421).end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/bridge/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 500\n\n');
      clients.add(res);
      bindWhileListened();
      req.on('close', () => {
        clients.delete(res);
        bindWhileListened();
      });
      return;
    }
    if (url.pathname.startsWith('/bridge/') && req.method === 'POST') {
      await serveOperation(url.pathname.slice('/bridge/'.length), req, res);
      return;
    }
    if (url.pathname === '/loopback-bridge.js' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.js'] as string, 'cache-control': 'no-store' }).end(LOOPBACK_CLIENT_SCRIPT);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      // Chromium asks every origin for one; the app's windows have none.
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET') {
      serveFile(url.pathname, res);
      return;
    }
    res.writeHead(405).end();
  }

  async function serveOperation(operation: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(BRIDGE_OPERATIONS as readonly string[]).includes(operation) || !handlers) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['content-type'] !== 'application/json') {
      res.writeHead(415).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let args: unknown;
    try {
      args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      args = undefined;
    }
    const windowId = String(req.headers[WINDOW_HEADER] ?? 'unknown');
    calls.push({ operation, windowId });
    const result: BridgeResult<unknown> = await handlers[operation as BridgeOperation](Array.isArray(args) ? args : [args], { windowId });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(result));
  }

  function serveFile(pathname: string, res: ServerResponse): void {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const path = normalize(join(root, decoded));
    const type = CONTENT_TYPES[extname(path)];
    if (!path.startsWith(root.endsWith(sep) ? root : root + sep) || type === undefined || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    createReadStream(path).pipe(res);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hostHeader = `127.0.0.1:${port}`;
  const origin = `http://${hostHeader}`;

  return {
    origin,
    calls,
    closedWindows,
    fits,
    url: (path) => `${origin}/${path.replace(/^\//, '')}`,
    use,
    setLocale(next) {
      locale = next;
    },
    eventClients: () => clients.size,
    async close() {
      unbind?.();
      for (const client of clients) client.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
