/**
 * An HTTPS-inspecting proxy whose certificate authority Node does not trust, as on many corporate
 * networks: STS reached over HTTPS through a server whose certificate a test CA signed
 * (test/fixtures/tls). Without AWS_CA_BUNDLE the refresh fails in one line that names it (the
 * packaged app cannot use NODE_EXTRA_CA_CERTS: its NODE_OPTIONS fuse closes it); with it, it works.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { useCliSuite } from '../support/cli';

const fixtures = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const cli = useCliSuite('ca-bundle');
let proxy: Server;
let endpoint: string;

before(async () => {
  // Forwards every request, headers untouched (the signature covers them), to the loopback STS.
  proxy = createServer({ key: readFileSync(`${fixtures}server.key`), cert: readFileSync(`${fixtures}server.pem`) }, (req, res) => {
    const target = new URL(cli.sts.endpoint);
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

describe('AWS_CA_BUNDLE', () => {
  test('without it: one line that says what to do, nothing sent; with it: the refresh goes through', async () => {
    await cli.sandbox.addProfile('work', cli.user);
    await cli.sts.avoidStepEdge();
    const env = { AWS_ENDPOINT_URL_STS: endpoint };
    const refused = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)], { env });
    assert.equal(refused.status, 8, refused.stderr);
    assert.match(
      refused.stderr,
      /^mfa-tray refresh: .*The secure connection to STS \(127\.0\.0\.1:\d+\) failed \(\w+\)\. A proxy that inspects HTTPS may be in the way: point AWS_CA_BUNDLE at its certificate/,
    );
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    assert.equal(cli.requests('GetSessionToken').length, 0, 'nothing reached STS');

    const served = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)], { env: { ...env, AWS_CA_BUNDLE: `${fixtures}ca.pem` } });
    assert.equal(served.status, 0, served.stderr);
    assert.equal(cli.requests('GetSessionToken').at(-1)?.outcome, 'ok');
  });

  test('a bundle that cannot be read, or holds no certificate: one line, nothing sent', async () => {
    await cli.sandbox.addProfile('work', cli.user);
    for (const [bundle, words] of [
      [`${fixtures}missing.pem`, 'which cannot be read'],
      [`${fixtures}README.md`, 'which holds no PEM certificate'],
    ] as const) {
      const result = await cli.sandbox.run(['refresh', 'work', '--code', '123456'], { env: { AWS_ENDPOINT_URL_STS: endpoint, AWS_CA_BUNDLE: bundle } });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`^mfa-tray refresh: .*AWS_CA_BUNDLE names .*, ${words}\\. Nothing was sent\\.`));
    }
    assert.equal(cli.requests('GetSessionToken').length, 0);
  });
});
