/**
 * The Secret Service listing (secret-service-listing.ts) against a real gnome-keyring: it must list
 * exactly what keytar lists, refuse a locked collection without a crash, say when it could not begin
 * (and only then be made through keytar), end when given up on, and leave the keyring running however
 * many processes list at once. Its key exchange is checked against OpenSSL's and RFC 5869's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createDiffieHellman, getDiffieHellman, randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  IETF_1024_PRIME,
  ListingNotStarted,
  findCredentials,
  hkdfSha256,
  keyExchange,
  sessionBusAddress,
} from '../../main/engine/keychain/secret-service-listing';
import { KeytarSecretStore, loadKeytar, type KeytarBackend } from '../../main/engine/keychain/keytar-secret-store';
import { startPrivateKeyring, type PrivateKeyring } from '../support/fault-keyring';
import { uniqueServicePrefix } from '../support/keyring';

const keytar = createRequire(import.meta.url)('keytar') as KeytarBackend;
const byAccount = (a: { account: string }, b: { account: string }): number => a.account.localeCompare(b.account);

describe('the Secret Service listing, against gnome-keyring', () => {
  const service = `${uniqueServicePrefix('listing')}: session`;
  const other = `${service} (another)`;
  // Lengths around AES's 16-byte block, text beyond ASCII, and a value of many blocks.
  const values = new Map<string, string>([
    ['a', 'x'],
    ['fifteen', 'f'.repeat(15)],
    ['sixteen', 's'.repeat(16)],
    ['seventeen', 'e'.repeat(17)],
    ['名前', '東京 é ü 🗝'],
    ['long', JSON.stringify({ sessionToken: 'z'.repeat(3000) })],
    ['with space, comma', 'v'],
  ]);
  for (let n = 0; n < 40; n += 1) values.set(`p${n}`, `value ${n}`);

  before(async () => {
    for (const [account, value] of values) await keytar.setPassword(service, account, value);
    await keytar.setPassword(other, 'a', 'not this one');
  });
  after(async () => {
    for (const account of values.keys()) await keytar.deletePassword(service, account);
    await keytar.deletePassword(other, 'a');
  });

  test('lists every entry of the service, with the values keytar stored and keytar lists', async () => {
    const listed = await findCredentials(service);
    assert.deepEqual([...listed].sort(byAccount), [...values].map(([account, password]) => ({ account, password })).sort(byAccount));
    assert.deepEqual([...listed].sort(byAccount), [...(await keytar.findCredentials(service))].sort(byAccount));
  });

  test('with a signal to give up by, a listing of many entries warns of nothing (no listener per call)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      assert.equal((await findCredentials(service, { signal: new AbortController().signal })).length, values.size);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test('a service with no entry: an empty list', async () => {
    assert.deepEqual(await findCredentials(`${service} (none)`), []);
  });

  test('the keychain store lists through it (its search seen on the bus): the same profiles and values', async () => {
    const prefix = service.slice(0, -': session'.length);
    const store = new KeytarSecretStore(prefix);
    const searches = await searchesDuring(async () => {
      assert.deepEqual(new Map([...(await store.getAll('session'))].sort()), new Map([...values].sort()));
    });
    assert.deepEqual(searches, [service]);
  });

  test('where it cannot begin, the store lists through keytar: the same entries, and no search of its own', async () => {
    const backend = await loadKeytar();
    const was = process.env.DBUS_SESSION_BUS_ADDRESS;
    // keytar (libsecret) keeps the bus it connected to at its first call; this client reads the
    // variable at each listing.
    await keytar.getPassword(service, 'a');
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=/nonexistent/mfa-tray-${process.pid}/bus`;
    try {
      const searches = await searchesDuring(async () => {
        assert.deepEqual(
          [...(await backend.findCredentials(service))].sort(byAccount),
          [...values].map(([account, password]) => ({ account, password })).sort(byAccount),
        );
      });
      assert.deepEqual(searches, []);
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = was;
    }
  });
});

/**
 * A keyring of the describe's own (a bus and a gnome-keyring-daemon the test owns), made ready by
 * `ready`, and closed (continued first, if paused) after it.
 */
function privateKeyring(label: string, ready?: (keyring: PrivateKeyring) => Promise<void> | void): () => PrivateKeyring {
  let dir: string;
  let keyring: PrivateKeyring | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `mfa-tray-listing-${label}-`));
    keyring = await startPrivateKeyring(dir);
    await ready?.(keyring);
  });
  after(async () => {
    keyring?.pause(false);
    await keyring?.close();
    await rm(dir, { recursive: true, force: true });
  });
  return () => {
    assert.ok(keyring, 'the private keyring started');
    return keyring;
  };
}

/** The services `fn` searched for on the bus through dbus-native (its diagnostics channel). */
async function searchesDuring(fn: () => Promise<void>): Promise<string[]> {
  const searches: string[] = [];
  const listener = (data: unknown): void => {
    const message = (data as { message: { member?: string; body?: unknown[] } }).message;
    if (message.member !== 'SearchItems') return;
    const service = (message.body?.[0] as Array<[string, string]>).find(([name]) => name === 'service');
    if (service) searches.push(service[1]);
  };
  subscribe('dbus:message:send', listener);
  try {
    await fn();
  } finally {
    unsubscribe('dbus:message:send', listener);
  }
  return searches;
}

describe('where the listing cannot begin', () => {
  test('no session bus address: it says so before asking anything', async () => {
    await assert.rejects(findCredentials('any', { env: { PATH: process.env.PATH } }), ListingNotStarted);
  });

  test('a bus address with nothing behind it: it says so, at once', async () => {
    const started = Date.now();
    await assert.rejects(
      findCredentials('any', { env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=/nonexistent/mfa-tray-${process.pid}/bus` } }),
      ListingNotStarted,
    );
    assert.ok(Date.now() - started < 5_000);
  });

  test('an address it does not dial (autolaunch:, unixexec:): it says so, and starts nothing', async () => {
    await assert.rejects(findCredentials('any', { env: { DBUS_SESSION_BUS_ADDRESS: 'autolaunch:' } }), ListingNotStarted);
    // dbus-native would start the program and leave its failure an uncaught error: the process would end.
    await assert.rejects(
      findCredentials('any', { env: { DBUS_SESSION_BUS_ADDRESS: `unixexec:path=/nonexistent/mfa-tray-${process.pid}` } }),
      ListingNotStarted,
    );
  });

  test('a bus that closes the connection before any answer: it says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-listing-closing-'));
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(join(dir, 'bus'), resolve));
    try {
      await assert.rejects(findCredentials('any', { env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'bus')}` } }), ListingNotStarted);
    } finally {
      // Not waited for: the server's half of a connection it ended may never report its close.
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the bus is found as GDBus finds it: the variable (its first address), else the user bus socket', () => {
    assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/a;unix:path=/b' }), 'unix:path=/a');
    assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: '/run/user/1000' }), 'unix:path=/run/user/1000/bus');
    assert.equal(sessionBusAddress({}), undefined);
  });
});

describe('a locked keyring', () => {
  const service = `${uniqueServicePrefix('listing-locked')}: session`;
  const keyring = privateKeyring('locked', async (started) => {
    // keytar in this process is bound to the test's own bus: store through a process on the private one.
    const script = `const k = require(${JSON.stringify(createRequire(import.meta.url).resolve('keytar'))});
k.setPassword(${JSON.stringify(service)}, 'dev', 'secret-value').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
    await promisify(execFile)(process.execPath, ['-e', script], { env: started.env });
    assert.deepEqual(await findCredentials(service, { env: started.env }), [{ account: 'dev', password: 'secret-value' }]);
    await started.kill();
    await started.restart({ locked: true });
  });

  test('it refuses, naming the locked collection, and the process lives on (keytar would crash it)', async () => {
    await assert.rejects(findCredentials(service, { env: keyring().env }), (error: Error) => {
      assert.ok(!(error instanceof ListingNotStarted));
      assert.match(error.message, /locked collection/);
      return true;
    });
  });
});

describe('many listings at once, from several processes', () => {
  const keyring = privateKeyring('many');

  // Seen: four processes listing over and over (a new connection each, its first call OpenSession)
  // aborted gnome-keyring-daemon within seconds; then the next caller found a new, locked keyring.
  test('the keyring lives on, and every listing finds what is there', async () => {
    const owner = (): Promise<string> =>
      promisify(execFile)(
        'dbus-send',
        [
          '--session',
          '--print-reply',
          '--dest=org.freedesktop.DBus',
          '/org/freedesktop/DBus',
          'org.freedesktop.DBus.GetNameOwner',
          'string:org.freedesktop.secrets',
        ],
        { env: keyring().env, encoding: 'utf8' },
      ).then(({ stdout }) => stdout.trim().split('\n').at(-1) ?? '');
    const before = await owner();
    const keytarPath = createRequire(import.meta.url).resolve('keytar');
    const listing = join(import.meta.dirname, '../../main/engine/keychain/secret-service-listing.ts');
    const script = `
      import { findCredentials } from ${JSON.stringify(listing)};
      import { createRequire } from 'node:module';
      const keytar = createRequire(import.meta.url)(${JSON.stringify(keytarPath)});
      const service = 'many ' + process.pid;
      await keytar.setPassword(service, 'dev', 'value');
      let wrong = 0;
      for (let n = 0; n < 250; n += 1) if ((await findCredentials(service)).length !== 1) wrong += 1;
      console.log(JSON.stringify({ wrong }));`;
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: keyring().env, encoding: 'utf8' }),
      ),
    );
    for (const run of runs) assert.deepEqual(JSON.parse(run.stdout), { wrong: 0 });
    assert.equal(await owner(), before, 'the Secret Service is still the daemon it was');
  });
});

describe('a Secret Service that does not answer', () => {
  const keyring = privateKeyring('stopped', (started) => started.pause(true));

  test('given up on (the store timed out): it ends at once, and is not made another way', async () => {
    const controller = new AbortController();
    const listing = findCredentials('any', { env: keyring().env, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(listing, (error: Error) => !(error instanceof ListingNotStarted));
    assert.ok(Date.now() - started < 2_000);
  });

  test("the store's backend: abandoned, its listing fails, and keytar (which would answer from another bus) is not asked", async () => {
    const backend = await loadKeytar();
    await keytar.getPassword('any', 'any'); // keytar's libsecret on the test's own bus, as above
    const was = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring().env.DBUS_SESSION_BUS_ADDRESS;
    try {
      const listing = backend.findCredentials(`${uniqueServicePrefix('listing-stopped')}: session`);
      setTimeout(() => backend.abandon?.(), 300);
      await assert.rejects(listing);
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = was;
    }
  });
});

describe("the session's key exchange", () => {
  test("the group is the one OpenSSL knows as modp2 (RFC 2409's second Oakley group)", () => {
    assert.deepEqual(IETF_1024_PRIME, getDiffieHellman('modp2').getPrime());
  });

  test('public value and shared secret as OpenSSL computes them, for any private exponent', () => {
    for (let n = 0; n < 5; n += 1) {
      const exponent = randomBytes(32);
      const ours = keyExchange(exponent);
      const reference = createDiffieHellman(IETF_1024_PRIME, 2);
      reference.setPrivateKey(exponent);
      reference.generateKeys();
      assert.deepEqual(ours.publicValue, reference.getPublicKey());
      const peer = getDiffieHellman('modp2');
      peer.generateKeys();
      const shared = peer.computeSecret(ours.publicValue);
      assert.deepEqual(ours.sessionKey(peer.getPublicKey()), hkdfSha256(Buffer.concat([Buffer.alloc(128 - shared.length), shared]), 16));
    }
  });

  test('a shared secret shorter than the prime is padded to its 128 bytes before the key is derived', () => {
    // 2^8 = 256: two bytes of secret, 126 of zeros before them.
    const padded = Buffer.alloc(128);
    padded.writeUInt16BE(256, 126);
    assert.deepEqual(keyExchange(Buffer.from([8])).sessionKey(Buffer.from([2])), hkdfSha256(padded, 16));
  });

  test('a public value outside the group is refused', () => {
    const exchange = keyExchange();
    for (const bad of [Buffer.from([1]), Buffer.alloc(0), IETF_1024_PRIME]) assert.throws(() => exchange.sessionKey(bad), /outside the group/);
  });

  test('HKDF-SHA256 as RFC 5869 has it (test case 3: no salt, no info)', () => {
    assert.equal(hkdfSha256(Buffer.alloc(22, 0x0b), 16).toString('hex'), '8da4e775a563c18f715f802a063c5a31');
  });
});
