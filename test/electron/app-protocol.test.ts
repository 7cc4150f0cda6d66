/**
 * The windows' scheme serves the app's own files, with the CSP on every response, and nothing else.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APP_SCHEME_PRIVILEGES, CONTENT_SECURITY_POLICY, pageOf, pageUrl, resolveAppFile, serveAppFile } from '../../main/electron/app-protocol';

let dir: string;
let root: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-protocol-'));
  root = join(dir, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'prompt.html'), '<!doctype html><title>prompt</title>');
  await writeFile(join(root, 'prompt.js'), 'export {};');
  await writeFile(join(root, 'assets', 'logo.svg'), '<svg/>');
  await writeFile(join(root, 'notes.txt'), 'not served');
  await writeFile(join(dir, 'secret.js'), 'outside the root');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('app scheme', () => {
  it('serves a window page with the CSP and nosniff', async () => {
    const response = await serveAppFile('app://mfa-tray/prompt.html?profile=work', root);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await response.text(), '<!doctype html><title>prompt</title>');
  });

  it('serves module scripts as JavaScript (strict MIME checking) and files in subfolders', async () => {
    assert.equal((await serveAppFile('app://mfa-tray/prompt.js', root)).headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal((await serveAppFile('app://mfa-tray/assets/logo.svg', root)).status, 200);
  });

  it('serves nothing outside its folder, of another host, or of a type it does not know', async () => {
    for (const url of [
      'app://mfa-tray/../secret.js',
      'app://mfa-tray/%2e%2e/secret.js',
      'app://mfa-tray/..%2fsecret.js',
      'app://mfa-tray/assets%5c..%5c..%5csecret.js',
      'app://other/prompt.html',
      'app://mfa-tray/notes.txt',
      'app://mfa-tray/missing.html',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const response = await serveAppFile(url, root);
      assert.equal(response.status, 404, url);
      assert.equal(response.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, url);
    }
    // URL parsing removes dot segments before we see the path: ".." cannot climb out of the root.
    assert.equal(resolveAppFile('app://mfa-tray/../secret.js', root), join(root, 'secret.js'));
    assert.equal(resolveAppFile('app://mfa-tray/%2e%2e/secret.js', root), join(root, 'secret.js'));
    assert.equal(resolveAppFile('app://mfa-tray/..%2fsecret.js', root), undefined, 'an encoded separator');
  });

  it('answers only GET and HEAD', async () => {
    assert.equal((await serveAppFile('app://mfa-tray/prompt.html', root, 'POST')).status, 405);
    const head = await serveAppFile('app://mfa-tray/prompt.html', root, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('has a CSP without inline code, remote sources or plugins', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives['default-src'], "'none'");
    assert.equal(directives['script-src'], "'self'");
    assert.equal(directives['style-src'], "'self'");
    assert.equal(directives['connect-src'], "'none'");
    assert.equal(directives['object-src'], "'none'");
    assert.equal(directives['frame-ancestors'], "'none'");
    assert.ok(!CONTENT_SECURITY_POLICY.includes('unsafe'));
  });

  it('registers a standard, secure scheme that bypasses nothing', () => {
    assert.equal(APP_SCHEME_PRIVILEGES.standard, true);
    assert.equal(APP_SCHEME_PRIVILEGES.secure, true);
    assert.equal(APP_SCHEME_PRIVILEGES.bypassCSP, false);
    assert.equal(APP_SCHEME_PRIVILEGES.corsEnabled, false);
    assert.equal(APP_SCHEME_PRIVILEGES.allowServiceWorkers, false);
  });

  it('knows its pages by URL, with any query, and nothing else', () => {
    assert.equal(pageUrl('prompt', { profile: 'work/dev' }), 'app://mfa-tray/prompt.html?profile=work%2Fdev');
    assert.equal(pageOf('app://mfa-tray/prompt.html?profile=work'), 'prompt');
    assert.equal(pageOf('app://mfa-tray/profiles.html#x'), 'profiles');
    assert.equal(pageOf('app://mfa-tray/settings.html'), 'settings');
    for (const url of [
      'app://mfa-tray/other.html',
      'app://evil/prompt.html',
      'file:///app/dist/renderer/prompt.html',
      'https://mfa-tray/prompt.html',
      'app://user:pw@mfa-tray/prompt.html',
      '',
    ]) {
      assert.equal(pageOf(url), undefined, url);
    }
  });
});
