/**
 * keytar in a helper process (main/engine/keychain/keychain-helper.ts), as `watch` uses it on Linux:
 * the built helper (app/dist/keychain-helper.cjs) against the real gnome-keyring of the test
 * session, stopped, killed and missing for real.
 *
 * Seen (benchmark rows 4 and 4b): every keychain read of a long-running process on Linux keeps
 * memory for good (libsecret's lookup ~1–3 KB, keytar's listing ~5 KB an entry), so `watch` and the
 * tray app grew for as long as they ran. A helper that ends when idle takes that memory with it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMfaTrayError, type MfaTrayError } from '../../main/common/errors';
import { HELPER_FILE, keychainHelper } from '../../main/engine/keychain/keychain-helper';
import { KeytarSecretStore } from '../../main/engine/keychain/keytar-secret-store';
import { cliDist, ensureCliBuilt } from '../support/cli';
import { uniqueServicePrefix } from '../support/keyring';

const prefix = uniqueServicePrefix('helper');
let dir: string;
let serial = 0;

before(async () => {
  await ensureCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'mfa-tray-helper-'));
});

after(async () => {
  // Whatever a test left, through a helper of its own.
  const store = storeWith().store;
  for (const kind of ['long-lived-key', 'totp-secret', 'session'] as const) {
    for (const profile of await store.listProfiles(kind)) await store.delete(kind, profile);
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A store over a helper of its own (one helper per script path in a process: each test links the
 * built helper under a name of its own, so that its options hold).
 */
function storeWith(options: { idleMs?: number; timeoutMs?: number; script?: string; maxCalls?: number } = {}) {
  serial += 1;
  const script = options.script ?? join(dir, `helper-${serial}.cjs`);
  if (options.script === undefined) symlinkSync(join(cliDist(), HELPER_FILE), script);
  const helper = keychainHelper(script, { idleMs: options.idleMs ?? 60_000, ...(options.maxCalls ? { maxCalls: options.maxCalls } : {}) });
  const store = new KeytarSecretStore(prefix, { loadBackend: helper.load, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  return { store, helper };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function failure(promise: Promise<unknown>): Promise<MfaTrayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isMfaTrayError(error), `an MfaTrayError, not ${String(error)}`);
    return error;
  }
  return assert.fail('it did not fail');
}

describe('the keychain helper', () => {
  test('set, get, list and delete go through it; it ends when idle, and the next call starts another', async () => {
    const { store, helper } = storeWith({ idleMs: 300 });
    await store.set('session', 'dev', 'session-value-through-the-helper');
    const first = helper.pid;
    assert.ok(first !== undefined && alive(first), 'a helper runs');
    // The secret went over the channel, never the command line.
    assert.doesNotMatch(readFileSync(`/proc/${first}/cmdline`, 'latin1'), /session-value/);
    assert.equal(await store.get('session', 'dev'), 'session-value-through-the-helper');
    assert.deepEqual([...(await store.getAll('session'))], [['dev', 'session-value-through-the-helper']]);
    assert.equal(helper.pid, first, 'the same helper while busy');

    await until('the idle helper has ended', () => !alive(first));
    assert.equal(helper.pid, undefined);
    assert.equal(await store.delete('session', 'dev'), true);
    assert.ok(helper.pid !== undefined && helper.pid !== first, 'a new helper for the next call');
    assert.equal(await store.get('session', 'dev'), undefined);
  });

  test('a helper kept busy is let go after so many calls, at its next pause: what its reads keep stays bounded', async () => {
    const { store, helper } = storeWith({ maxCalls: 3 });
    await store.set('session', 'busy', 'busy-value');
    const first = helper.pid as number;
    assert.equal(await store.get('session', 'busy'), 'busy-value');
    assert.equal(helper.pid, first);
    assert.equal(await store.get('session', 'busy'), 'busy-value'); // the third call
    assert.equal(helper.pid, undefined, 'let go at once, not when idle');
    await until('it has ended', () => !alive(first));
    assert.equal(await store.delete('session', 'busy'), true);
    assert.notEqual(helper.pid, first);
  });

  test('a helper that stops answering (SIGSTOP): keychain-timeout, it is killed, and the next call works', async () => {
    const { store, helper } = storeWith({ timeoutMs: 1500 });
    await store.set('session', 'slow', 'a-value');
    const stuck = helper.pid as number;
    process.kill(stuck, 'SIGSTOP');
    const error = await failure(store.get('session', 'slow'));
    assert.equal(error.code, 'keychain-timeout');
    assert.match(error.message, /did not answer within 2 s \(to read the cached session of profile "slow"\)/);
    await until('the stuck helper was killed', () => !alive(stuck));
    assert.equal(await store.get('session', 'slow'), 'a-value');
    assert.notEqual(helper.pid, stuck);
    await store.delete('session', 'slow');
  });

  test('a helper killed while a call waits on it: that call fails in one line, nothing else does', async () => {
    const { store, helper } = storeWith();
    await store.set('session', 'killed', 'another-value');
    const pid = helper.pid as number;
    process.kill(pid, 'SIGSTOP'); // the call below waits on it...
    const waiting = failure(store.get('session', 'killed'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(pid, 'SIGKILL'); // ...and it dies
    const error = await waiting;
    assert.equal(error.code, 'keychain-unavailable');
    assert.match(
      error.message,
      /^Cannot read the cached session of profile "killed" in the keychain: .*the keychain helper was stopped by SIGKILL before it answered/,
    );
    assert.doesNotMatch(error.message, /another-value|\n/);
    assert.equal(await store.get('session', 'killed'), 'another-value');
    await store.delete('session', 'killed');
  });

  test('a helper file that is missing: keychain-unavailable, said to be a broken install, in one line', async () => {
    const { store } = storeWith({ script: join(dir, 'nowhere', HELPER_FILE) });
    const error = await failure(store.get('session', 'dev'));
    assert.equal(error.code, 'keychain-unavailable');
    assert.match(
      error.message,
      /^The keychain module \(keytar, a native module\) could not be loaded: the keychain helper \(.*nowhere.*\) ended with exit code 1 before it could load keytar\. Reinstall MFA Tray/,
    );
    assert.doesNotMatch(error.message, /\n/);
  });
});
