/**
 * The windows' content comes from the app's own files only, served under a custom scheme
 * (`app://mfa-tray/<window>.html`) rather than `file://`, as Electron's security checklist advises
 * (item "Avoid usage of the file:// protocol"): a `file://` page may read any local file it can
 * name, and a custom scheme lets every response carry our headers, the CSP first of all, whatever
 * the page itself declares.
 *
 * Pure apart from reading the file: the adapter hands `protocol.handle` a function over
 * {@link serveAppFile}, which tests call with real files.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

/** The scheme and host of the windows' pages. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'mfa-tray';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The scheme's privileges for `protocol.registerSchemesAsPrivileged`: a standard, secure origin
 * (relative URLs and same-origin module scripts work), nothing more. Not `corsEnabled`, not
 * `bypassCSP`, no service workers.
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  stream: false,
  codeCache: false,
} as const;

/** The app's windows, each one page `renderer/<page>.html`. */
export const WINDOW_PAGES = ['prompt', 'profiles', 'settings'] as const;
export type WindowPage = (typeof WINDOW_PAGES)[number];

/**
 * The windows' Content Security Policy. Scripts, styles, fonts and images from the app only (images
 * also as `data:`/`blob:`, for a QR code drawn or read in the page); no inline script or style, no
 * network, no frames, no forms posting anywhere, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "child-src 'none'",
  "manifest-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response of the scheme. */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** What may be served, by extension. Module scripts need a JavaScript type (strict MIME checking). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The URL of a window's page, with its query (the prompt's `?profile=work`). */
export function pageUrl(page: WindowPage, query: Readonly<Record<string, string>> = {}): string {
  const url = new URL(`${APP_ORIGIN}/${page}.html`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

/** The window page a URL is (ignoring query and fragment), or undefined for anything else. */
export function pageOf(url: string): WindowPage | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username !== '' || parsed.password !== '') return undefined;
  return WINDOW_PAGES.find((page) => parsed.pathname === `/${page}.html`);
}

/**
 * The file a URL of the scheme names inside `root`, or undefined when it names anything else: another
 * host, a path out of `root`, an encoded separator, a type we do not serve.
 */
export function resolveAppFile(url: string, root: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  // URL parsing already resolved "..": what is left must be plain segments.
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
  if (!(extname(path).toLowerCase() in CONTENT_TYPES)) return undefined;
  const file = join(root, ...path.split('/').filter(Boolean));
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return undefined;
  return file;
}

/** Answers one request of the scheme: the file with our headers, or 404. Only GET (and HEAD). */
export async function serveAppFile(url: string, root: string, method = 'GET'): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405, headers: { ...RESPONSE_HEADERS, Allow: 'GET, HEAD' } });
  const file = resolveAppFile(url, root);
  if (file === undefined) return notFound();
  try {
    if (!(await stat(file)).isFile()) return notFound();
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] as string;
    return new Response(method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: { ...RESPONSE_HEADERS, 'Content-Type': type } });
  } catch {
    return notFound();
  }
}

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { ...RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}
