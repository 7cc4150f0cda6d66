/**
 * The keytar adapter against the real gnome-keyring of the test session (scripts/test.mjs), plus the
 * two things a working keyring cannot show: a keychain that never answers (an injected backend) and
 * no Secret Service at all (a child process whose session bus does not exist).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isMfaTrayError } from '../../main/common/errors';
import { KeytarSecretStore, type KeytarBackend } from '../../main/engine/keychain/keytar-secret-store';
import { createTestKeychain, envWithoutSecretService } from '../support/keyring';

const root = fileURLToPath(new URL('../..', import.meta.url));
const storeModule = pathToFileURL(fileURLToPath(new URL('../../main/engine/keychain/keytar-secret-store.ts', import.meta.url))).href;

async function realKeytar(): Promise<KeytarBackend> {
  const module = (await import('keytar')) as unknown as KeytarBackend & { default?: KeytarBackend };
  return module.default ?? module;
}

/** Runs one `get` in a fresh Node process with the given environment; returns what it threw. */
async function getInChildProcess(env: NodeJS.ProcessEnv): Promise<{ code?: string; message?: string; ok?: boolean }> {
  const script = `
    const { KeytarSecretStore } = await import(${JSON.stringify(storeModule)});
    try {
      await new KeytarSecretStore('MFA Tray probe', { timeoutMs: 5000 }).get('session', 'probe');
      console.log(JSON.stringify({ ok: true }));
    } catch (error) {
      console.log(JSON.stringify({ code: error.code, message: error.message }));
    }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { code?: string; message?: string };
}

describe('KeytarSecretStore against gnome-keyring', () => {
  const keychain = createTestKeychain('store');
  const { store } = keychain;
  after(() => keychain.cleanup());

  it('reads back what it stored', async () => {
    await store.set('long-lived-key', 'dev', '{"accessKeyId":"AKIAEXAMPLE"}');

    assert.equal(await store.get('long-lived-key', 'dev'), '{"accessKeyId":"AKIAEXAMPLE"}');
  });

  it('answers undefined for an entry that does not exist', async () => {
    assert.equal(await store.get('session', 'never-stored'), undefined);
  });

  it('replaces an entry on a second set', async () => {
    await store.set('session', 'replaced', 'first');
    await store.set('session', 'replaced', 'second');

    assert.equal(await store.get('session', 'replaced'), 'second');
  });

  it('keeps the kinds of one profile in separate entries', async () => {
    await store.set('long-lived-key', 'kinds', 'key');
    await store.set('totp-secret', 'kinds', 'totp');

    assert.equal(await store.get('long-lived-key', 'kinds'), 'key');
    assert.equal(await store.get('totp-secret', 'kinds'), 'totp');
    assert.equal(await store.get('session', 'kinds'), undefined);
  });

  it('reports whether delete removed an entry, and removes only that one', async () => {
    await store.set('totp-secret', 'deleted', 'x1234');
    await store.set('session', 'deleted', 'keep');

    assert.equal(await store.delete('totp-secret', 'deleted'), true);
    assert.equal(await store.delete('totp-secret', 'deleted'), false);
    assert.equal(await store.get('totp-secret', 'deleted'), undefined);
    assert.equal(await store.get('session', 'deleted'), 'keep');
  });

  it('does not see the entries of another service prefix', async () => {
    const other = createTestKeychain('other');
    try {
      await other.store.set('session', 'shared-name', 'theirs');

      assert.equal(await store.get('session', 'shared-name'), undefined);
    } finally {
      await other.cleanup();
    }
  });

  it('names its keychain service "<prefix>: <kind>" and uses the profile as the account', async () => {
    await store.set('session', 'named', 'value');

    const raw = await (await realKeytar()).getPassword(`${keychain.prefix}: session`, 'named');
    assert.equal(raw, 'value');
    assert.equal(store.service('session'), `${keychain.prefix}: session`);
  });

  it('stores long and non-ASCII values unchanged', async () => {
    const value = `${'tökén/+='.repeat(400)}✓`;
    await store.set('session', 'long', value);

    assert.equal(await store.get('session', 'long'), value);
  });

  it('lists the profiles that have an entry of a kind', async () => {
    const listing = createTestKeychain('list');
    try {
      await listing.store.set('long-lived-key', 'b-profile', 'k');
      await listing.store.set('long-lived-key', 'a-profile', 'k');
      await listing.store.set('session', 'c-profile', 's');

      assert.deepEqual(await listing.store.listProfiles('long-lived-key'), ['a-profile', 'b-profile']);
    } finally {
      await listing.cleanup();
    }
  });

  it('refuses an empty profile name without calling the keychain', async () => {
    await assert.rejects(store.get('session', ''), (error) => isMfaTrayError(error, 'invalid-input'));
  });

  it('refuses an empty value', async () => {
    await assert.rejects(store.set('session', 'empty', ''), (error) => isMfaTrayError(error, 'invalid-input'));
  });

  it('completes many parallel calls, one at a time', async () => {
    const keytar = await realKeytar();
    let inFlight = 0;
    let maxInFlight = 0;
    const counted =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await fn(...args);
        } finally {
          inFlight -= 1;
        }
      };
    const backend: KeytarBackend = {
      getPassword: counted(keytar.getPassword.bind(keytar)),
      setPassword: counted(keytar.setPassword.bind(keytar)),
      deletePassword: counted(keytar.deletePassword.bind(keytar)),
      findCredentials: counted(keytar.findCredentials.bind(keytar)),
    };
    const parallel = createTestKeychain('parallel', { loadBackend: async () => backend });
    try {
      const names = Array.from({ length: 25 }, (_, i) => `p${i}`);

      await Promise.all(names.map((name) => parallel.store.set('session', name, `value-${name}`)));
      const values = await Promise.all(names.map((name) => parallel.store.get('session', name)));

      assert.deepEqual(
        values,
        names.map((name) => `value-${name}`),
      );
      assert.equal(maxInFlight, 1);
    } finally {
      await parallel.cleanup();
    }
  });
});

describe('KeytarSecretStore.prefetch (credential-process starts its read before loading the rest)', () => {
  /** The real keytar, counting getPassword calls. */
  async function countingKeychain(label: string): Promise<{ readonly kc: ReturnType<typeof createTestKeychain>; readonly reads: () => number }> {
    const keytar = await realKeytar();
    let reads = 0;
    const backend: KeytarBackend = {
      getPassword: (service, account) => {
        reads += 1;
        return keytar.getPassword(service, account);
      },
      setPassword: keytar.setPassword.bind(keytar),
      deletePassword: keytar.deletePassword.bind(keytar),
      findCredentials: keytar.findCredentials.bind(keytar),
    };
    return { kc: createTestKeychain(label, { loadBackend: async () => backend }), reads: () => reads };
  }

  it('the next get takes the read already made: one keychain call', async () => {
    const { kc, reads } = await countingKeychain('prefetch');
    try {
      await kc.store.set('session', 'work', 'the session');
      kc.store.prefetch('session', 'work');
      assert.equal(await kc.store.get('session', 'work'), 'the session');
      assert.equal(reads(), 1);
      // Taken once: a later get reads again.
      assert.equal(await kc.store.get('session', 'work'), 'the session');
      assert.equal(reads(), 2);
    } finally {
      await kc.cleanup();
    }
  });

  it('a write after the prefetch makes the get read again (never the old value)', async () => {
    const { kc, reads } = await countingKeychain('prefetch-stale');
    try {
      await kc.store.set('session', 'work', 'old');
      kc.store.prefetch('session', 'work');
      await kc.store.set('session', 'work', 'new');
      assert.equal(await kc.store.get('session', 'work'), 'new');
      assert.equal(reads(), 2);
    } finally {
      await kc.cleanup();
    }
  });

  it("a prefetched read's failure is the get's, and is never an unhandled rejection", async () => {
    const backend: KeytarBackend = {
      getPassword: () => Promise.reject(new Error('the bus went away')),
      setPassword: () => Promise.resolve(),
      deletePassword: () => Promise.resolve(false),
      findCredentials: () => Promise.resolve([]),
    };
    const store = new KeytarSecretStore('MFA Tray prefetch failure', { loadBackend: async () => backend, platform: 'darwin' });
    store.prefetch('session', 'work');
    // Let the read fail before anyone asks for it.
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(store.get('session', 'work'), (error) => isMfaTrayError(error, 'keychain-unavailable'));
  });
});

describe('KeytarSecretStore when the keychain cannot be used', () => {
  it('says what is missing and how to fix it when the D-Bus session bus does not exist', async () => {
    const result = await getInChildProcess(envWithoutSecretService());

    assert.equal(result.code, 'keychain-unavailable');
    assert.match(result.message ?? '', /no D-Bus session bus/);
    assert.match(result.message ?? '', /gnome-keyring or KeePassXC must be running and unlocked/);
    assert.match(result.message ?? '', /dbus-run-session/);
    assert.match(result.message ?? '', /gnome-keyring-daemon --unlock/);
    assert.match(result.message ?? '', /libsecret-1-0/);
    assert.match(result.message ?? '', /never falls back to a plaintext file/);
  });

  it('says the same when there is no bus address and no display to autolaunch one', async () => {
    const env = envWithoutSecretService();
    delete env.DBUS_SESSION_BUS_ADDRESS;

    const result = await getInChildProcess(env);

    assert.equal(result.code, 'keychain-unavailable');
    assert.match(result.message ?? '', /no D-Bus session bus/);
    assert.match(result.message ?? '', /Cannot autolaunch D-Bus/);
  });

  it('times out a call that never answers, and goes on with the next one', async () => {
    let calls = 0;
    const backend: KeytarBackend = {
      getPassword: () => (++calls === 1 ? new Promise<never>(() => undefined) : Promise.resolve('answered')),
      setPassword: () => Promise.resolve(),
      deletePassword: () => Promise.resolve(true),
      findCredentials: () => Promise.resolve([]),
    };
    const store = new KeytarSecretStore('MFA Tray timeout', { timeoutMs: 50, loadBackend: async () => backend });

    const hung = store.get('session', 'first');
    const next = store.get('session', 'second');

    await assert.rejects(hung, (error) => isMfaTrayError(error, 'keychain-timeout') && /did not answer within 1 s/.test(error.message) && error.retryable);
    assert.equal(await next, 'answered');
  });

  it('turns a keytar that cannot be loaded into a keychain-unavailable error', async () => {
    const store = new KeytarSecretStore('MFA Tray load', {
      loadBackend: () => Promise.reject(new Error("Cannot find module '../build/Release/keytar.node'")),
    });

    await assert.rejects(
      store.get('session', 'x'),
      (error) => isMfaTrayError(error, 'keychain-unavailable') && /keytar/.test(error.message) && /npm ci/.test(error.message),
    );
  });

  it('never puts the stored value in an error message, even when the backend does', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const backend: KeytarBackend = {
      getPassword: () => Promise.resolve(null),
      setPassword: (_service, _account, password) => Promise.reject(new Error(`could not store ${password}`)),
      deletePassword: () => Promise.resolve(true),
      findCredentials: () => Promise.resolve([]),
    };
    const store = new KeytarSecretStore('MFA Tray redact', { loadBackend: async () => backend, platform: 'linux' });

    await assert.rejects(
      store.set('long-lived-key', 'dev', secret),
      (error) => isMfaTrayError(error, 'keychain-unavailable') && !error.message.includes(secret) && error.message.includes('[redacted]'),
    );
  });

  it("refuses nothing for its size: a value over an entry's limit is kept as several entries, read back whole", async () => {
    // Windows Credential Manager holds 2,560 bytes per entry: the store for Windows splits, here
    // against gnome-keyring with the same limit (platform 'win32' sets it).
    const windows = createTestKeychain('store-win', { platform: 'win32' });
    try {
      const session = JSON.stringify({ accessKeyId: 'ASIAEXAMPLE', sessionToken: `IQoJb3JpZ2luX2VjE${'Zm9vYmFy'.repeat(700)}`, expiresAt: 1 });
      assert.ok(Buffer.byteLength(session) > 5000);
      await windows.store.set('session', 'admin', session);
      assert.equal(await windows.store.get('session', 'admin'), session);
      assert.equal((await windows.store.getAll('session')).get('admin'), session);
      assert.deepEqual(await windows.store.listProfiles('session'), ['admin']);
      // Each entry within the limit, as Credential Manager would demand.
      const backend = await realKeytar();
      const entries = await backend.findCredentials(windows.store.service('session'));
      assert.deepEqual(entries.map((e) => e.account).sort(), ['admin', 'admin#part2', 'admin#part3']);
      for (const entry of entries) assert.ok(Buffer.byteLength(entry.password) <= 2560, `${entry.account}: ${Buffer.byteLength(entry.password)} bytes`);

      // A shorter value leaves no part behind; deleting removes every part.
      await windows.store.set('session', 'admin', '{"short":true}');
      assert.deepEqual(
        (await backend.findCredentials(windows.store.service('session'))).map((e) => e.account),
        ['admin'],
      );
      await windows.store.set('session', 'admin', session);
      await windows.store.delete('session', 'admin');
      assert.deepEqual(await backend.findCredentials(windows.store.service('session')), []);

      // A part gone missing (damage, a write cut short): the entry reads as what it is, not as a wrong value.
      await windows.store.set('session', 'admin', session);
      await backend.deletePassword(windows.store.service('session'), 'admin#part3');
      assert.match((await windows.store.get('session', 'admin')) ?? '', /^mfa-tray-parts:3:/);
    } finally {
      await windows.cleanup();
      const backend = await realKeytar();
      for (const entry of await backend.findCredentials(windows.store.service('session')))
        await backend.deletePassword(windows.store.service('session'), entry.account);
    }
  });
});
