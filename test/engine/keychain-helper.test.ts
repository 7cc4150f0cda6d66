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
import type { MfaTrayError } from '../../main/common/errors';
import { forkHelper, type StartHelper } from '../../main/engine/helper-process';
import { HELPER_FILE, keychainHelper } from '../../main/engine/keychain/keychain-helper';
import { KeytarSecretStore } from '../../main/engine/keychain/keytar-secret-store';
import { cliDist, ensureCliBuilt } from '../support/cli';
import { failure } from '../support/failure';
import { uniqueServicePrefix } from '../support/keyring';
import { alive, until } from '../support/until';

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
function storeWith(options: { idleMs?: number; timeoutMs?: number; script?: string; maxCalls?: number; abandonedMs?: number } = {}) {
  serial += 1;
  const script = options.script ?? join(dir, `helper-${serial}.cjs`);
  if (options.script === undefined) symlinkSync(join(cliDist(), HELPER_FILE), script);
  const helper = keychainHelper(script, {
    idleMs: options.idleMs ?? 60_000,
    ...(options.maxCalls ? { maxCalls: options.maxCalls } : {}),
    ...(options.abandonedMs ? { abandonedMs: options.abandonedMs } : {}),
  });
  const store = new KeytarSecretStore(prefix, { loadBackend: helper.load, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  return { store, helper, script };
}

describe('the keychain helper', () => {
  test('set, get, list and delete go through it; it ends when idle, and the next call starts another', async () => {
    const { store, helper, script } = storeWith({ idleMs: 300 });
    // One loader per script: every store of a process shares the store's queue, keyed by it.
    assert.equal(keychainHelper(script).load, helper.load);
    await store.set('session', 'dev', 'session-value-through-the-helper');
    const first = helper.pid;
    assert.ok(first !== undefined && alive(first), 'a helper runs');
    // The secret went over the channel, never the command line.
    assert.doesNotMatch(readFileSync(`/proc/${first}/cmdline`, 'latin1'), /session-value/);
    assert.equal(await store.get('session', 'dev'), 'session-value-through-the-helper');
    assert.deepEqual([...(await store.getAll('session'))], [['dev', 'session-value-through-the-helper']]);
    assert.equal(helper.pid, first, 'the same helper while busy');

    await until(() => !alive(first), 'the idle helper has ended', 10_000);
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
    await until(() => !alive(first), 'it has ended', 10_000);
    assert.equal(await store.delete('session', 'busy'), true);
    assert.notEqual(helper.pid, first);
  });

  test('a helper that stops answering (SIGSTOP): keychain-timeout; the next call, queued behind it, gets a new helper', async () => {
    const { store, helper } = storeWith({ timeoutMs: 1500, abandonedMs: 2000 });
    await store.set('session', 'slow', 'a-value');
    const stuck = helper.pid as number;
    process.kill(stuck, 'SIGSTOP');
    // Two calls at once, as status makes them: the second waits in the queue behind the first.
    const [first, second] = await Promise.allSettled([store.get('session', 'slow'), store.get('session', 'slow')]);
    assert.equal(first.status, 'rejected');
    const error = first.reason as MfaTrayError;
    assert.equal(error.code, 'keychain-timeout');
    assert.match(error.message, /did not answer within 2 s \(to read the cached session of profile "slow"\)/);
    assert.deepEqual(second, { status: 'fulfilled', value: 'a-value' }, 'not sent to the stuck helper');
    assert.notEqual(helper.pid, stuck);
    // Left to its call for a while (an unlock prompt would close with it), then killed.
    assert.ok(alive(stuck), 'not killed at once');
    await until(() => !alive(stuck), 'the stuck helper was killed', 10_000);
    assert.equal(await store.get('session', 'slow'), 'a-value');
    await store.delete('session', 'slow');
  });

  test('a helper given up on is let go once its call ends', async () => {
    const { store, helper } = storeWith({ timeoutMs: 1500, abandonedMs: 60_000 });
    await store.set('session', 'late', 'late-value');
    const late = helper.pid as number;
    process.kill(late, 'SIGSTOP');
    assert.equal((await failure(store.get('session', 'late'))).code, 'keychain-timeout');
    process.kill(late, 'SIGCONT'); // its call ends now
    await until(() => !alive(late), 'it was let go', 10_000);
    assert.equal(await store.get('session', 'late'), 'late-value');
    await store.delete('session', 'late');
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
    assert.equal(
      error.message,
      'Cannot read the cached session of profile "killed": the keychain helper was stopped by SIGKILL before it answered (the process that makes MFA Tray\'s keychain calls; the next call starts another). Try again.',
    );
    assert.equal(await store.get('session', 'killed'), 'another-value');
    await store.delete('session', 'killed');
  });

  // Seen: Ctrl-C in watch's terminal went to the helper too, and the keychain write watch was
  // letting finish failed.
  test("Ctrl-C is not the helper's: a process group of its own, and it ignores SIGINT", async () => {
    const { store, helper } = storeWith();
    await store.set('session', 'ctrl-c', 'ctrl-c-value');
    const pid = helper.pid as number;
    const group = (p: number | string): string => {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] as string;
    };
    assert.notEqual(group(pid), group('self'));
    process.kill(pid, 'SIGINT');
    assert.equal(await store.get('session', 'ctrl-c'), 'ctrl-c-value');
    assert.equal(helper.pid, pid, 'the same helper');
    await store.delete('session', 'ctrl-c');
  });

  test('a helper that does not start in time: keychain-timeout in one line; one that starts late is not used', async () => {
    const script = join(dir, 'late-start.cjs');
    symlinkSync(join(cliDist(), HELPER_FILE), script);
    let startedLate: number | undefined;
    let starts = 0;
    const slowFirst: StartHelper = async (path, events, name) => {
      starts += 1;
      if (starts === 1) await new Promise((resolve) => setTimeout(resolve, 1500)); // a busy machine
      const started = await forkHelper(path, events, name);
      if (starts === 1) startedLate = started.pid;
      return started;
    };
    const helper = keychainHelper(script, { start: slowFirst, startMs: 1000, idleMs: 60_000 });
    const store = new KeytarSecretStore(prefix, { loadBackend: helper.load });
    const error = await failure(store.get('session', 'nobody'));
    assert.equal(error.code, 'keychain-timeout');
    assert.match(
      error.message,
      /^Cannot read the cached session of profile "nobody": the keychain helper \(the process that makes MFA Tray's keychain calls\) did not start within 1 s; the computer may be very busy\. Try again\.$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(startedLate !== undefined, 'the late one did start');
    await until(() => !alive(startedLate as number), 'the late one was killed', 10_000);
    assert.equal(await store.get('session', 'nobody'), undefined, 'the next call starts another');
    assert.equal(starts, 2);
  });

  test('a helper that cannot be started (Node gone from its path under a long watch): a retryable one-line error at once', async () => {
    const { store } = storeWith();
    const execPath = process.execPath;
    process.execPath = join(dir, 'no-node-here');
    let error: MfaTrayError;
    const started = Date.now();
    try {
      error = await failure(store.get('session', 'dev'));
    } finally {
      process.execPath = execPath;
    }
    assert.ok(Date.now() - started < 5000, 'not after the start timeout');
    assert.equal(error.code, 'keychain-unavailable');
    assert.equal(error.retryable, true);
    assert.match(
      error.message,
      /^Cannot read the cached session of profile "dev": the keychain helper \(.*\) could not be started \(spawn .*no-node-here ENOENT\) before it could load keytar \(the process that makes MFA Tray's keychain calls; the next call starts another\)\. Try again\.$/,
    );
    assert.equal(await store.get('session', 'dev'), undefined, 'the next call, Node back, works');
  });

  test('a helper killed before it is ready: retryable, not a broken install', async () => {
    const script = join(dir, 'killed-early.cjs');
    symlinkSync(join(cliDist(), HELPER_FILE), script);
    let starts = 0;
    const killedFirst: StartHelper = async (path, events, name) => {
      starts += 1;
      const started = await forkHelper(path, events, name);
      if (starts === 1) process.kill(started.pid as number, 'SIGKILL');
      return started;
    };
    const store = new KeytarSecretStore(prefix, { loadBackend: keychainHelper(script, { start: killedFirst }).load });
    const error = await failure(store.get('session', 'dev'));
    assert.equal(error.code, 'keychain-unavailable');
    assert.equal(error.retryable, true);
    assert.match(
      error.message,
      /was stopped by SIGKILL before it could load keytar \(the process that makes MFA Tray's keychain calls; the next call starts another\)\. Try again\.$/,
    );
    assert.doesNotMatch(error.message, /Reinstall/);
    assert.equal(await store.get('session', 'dev'), undefined);
  });

  test('at most two helpers given up on are left to their calls: a third timeout ends the oldest', async () => {
    const script = join(dir, 'stuck.cjs');
    symlinkSync(join(cliDist(), HELPER_FILE), script);
    const pids: number[] = [];
    // Each helper stops as soon as it is ready: its first call never gets an answer.
    const stuckOnReady: StartHelper = async (path, events, name) => {
      const self: { pid?: number | undefined } = {};
      const started = await forkHelper(
        path,
        {
          message: (message) => {
            if (message.kind === 'ready' && self.pid !== undefined) process.kill(self.pid, 'SIGSTOP');
            events.message(message);
          },
          exit: (how, broken) => events.exit(how, broken),
        },
        name,
      );
      self.pid = started.pid;
      if (started.pid !== undefined) pids.push(started.pid);
      return started;
    };
    const helper = keychainHelper(script, { start: stuckOnReady, abandonedMs: 60_000 });
    const store = new KeytarSecretStore(prefix, { loadBackend: helper.load, timeoutMs: 800 });
    try {
      for (let n = 0; n < 3; n += 1) assert.equal((await failure(store.get('session', 'dev'))).code, 'keychain-timeout');
      assert.equal(pids.length, 3);
      await until(() => !alive(pids[0] as number), 'the oldest was ended', 10_000);
      assert.deepEqual(pids.slice(1).map(alive), [true, true]);
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
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
