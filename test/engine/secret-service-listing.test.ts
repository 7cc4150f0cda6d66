/**
 * The Secret Service listing (secret-service-listing.ts) against a real gnome-keyring: it must list
 * exactly what keytar lists, refuse a locked collection without a crash, and say when it could not
 * begin before asking anything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ListingNotStarted, findCredentials, publicValue, sessionBusAddress, withPublicValue } from '../../main/engine/keychain/secret-service-listing';
import { KeytarSecretStore, type KeytarBackend } from '../../main/engine/keychain/keytar-secret-store';
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

  test('a service with no entry: an empty list', async () => {
    assert.deepEqual(await findCredentials(`${service} (none)`), []);
  });

  test('the keychain store lists through it: the same profiles and values', async () => {
    const prefix = service.slice(0, -': session'.length);
    const store = new KeytarSecretStore(prefix);
    assert.deepEqual(new Map([...(await store.getAll('session'))].sort()), new Map([...values].sort()));
  });
});

describe('where the listing cannot begin', () => {
  test('no session bus address: it says so before asking anything', async () => {
    await assert.rejects(findCredentials('any', { PATH: process.env.PATH }), ListingNotStarted);
  });

  test('a bus address with nothing behind it: it says so, at once', async () => {
    const started = Date.now();
    await assert.rejects(findCredentials('any', { DBUS_SESSION_BUS_ADDRESS: `unix:path=/nonexistent/mfa-tray-${process.pid}/bus` }), ListingNotStarted);
    assert.ok(Date.now() - started < 5_000);
  });

  test('the bus is found as GDBus finds it: the variable (its first address), else the user bus socket', () => {
    assert.equal(sessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/a;unix:path=/b' }), 'unix:path=/a');
    assert.equal(sessionBusAddress({ XDG_RUNTIME_DIR: '/run/user/1000' }), 'unix:path=/run/user/1000/bus');
    assert.equal(sessionBusAddress({}), undefined);
  });
});

describe('a locked keyring', () => {
  let dir: string;
  let keyring: PrivateKeyring;
  const service = `${uniqueServicePrefix('listing-locked')}: session`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfa-tray-listing-locked-'));
    keyring = await startPrivateKeyring(dir);
    // keytar in this process is bound to the test's own bus: store through a process on the private one.
    const script = `const k = require(${JSON.stringify(createRequire(import.meta.url).resolve('keytar'))});
k.setPassword(${JSON.stringify(service)}, 'dev', 'secret-value').then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
    await promisify(execFile)(process.execPath, ['-e', script], { env: keyring.env });
    assert.deepEqual(await findCredentials(service, keyring.env), [{ account: 'dev', password: 'secret-value' }]);
    await keyring.kill();
    await keyring.restart({ locked: true });
  });
  after(async () => {
    await keyring?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('it refuses, naming the locked collection, and the process lives on (keytar would crash it)', async () => {
    await assert.rejects(findCredentials(service, keyring.env), (error: Error) => {
      assert.ok(!(error instanceof ListingNotStarted));
      assert.match(error.message, /locked collection/);
      assert.doesNotMatch(error.message, /secret-value/);
      return true;
    });
  });
});

describe('many listings at once, from several processes', () => {
  let dir: string;
  let keyring: PrivateKeyring;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mfa-tray-listing-many-'));
    keyring = await startPrivateKeyring(dir);
  });
  after(async () => {
    await keyring?.close();
    await rm(dir, { recursive: true, force: true });
  });

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
        { env: keyring.env, encoding: 'utf8' },
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
        promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: keyring.env, encoding: 'utf8' }),
      ),
    );
    for (const run of runs) assert.deepEqual(JSON.parse(run.stdout), { wrong: 0 });
    assert.equal(await owner(), before, 'the Secret Service is still the daemon it was');
  });
});

describe('the DH public key as the Secret Service trades it', () => {
  test('y read out of our key and put back gives the same key, whatever its leading byte', () => {
    const generate = generateKeyPairSync as unknown as (type: 'dh', options: { group: string }) => { publicKey: KeyObject };
    let highBit = 0;
    for (let n = 0; n < 40; n += 1) {
      const spki = generate('dh', { group: 'modp2' }).publicKey.export({ type: 'spki', format: 'der' });
      const y = publicValue(spki);
      assert.ok(y.length <= 128 && y[0] !== 0);
      if ((y[0] as number) & 0x80) highBit += 1;
      assert.deepEqual(withPublicValue(spki, y), spki);
      // A peer's value with a leading zero byte is the same number.
      assert.deepEqual(withPublicValue(spki, Buffer.concat([Buffer.from([0]), y])), spki);
    }
    assert.ok(highBit > 0, 'no key with its high bit set among 40: the DER sign byte went untested');
  });
});
