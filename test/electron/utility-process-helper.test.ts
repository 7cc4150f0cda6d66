/**
 * The tray app's helpers (the keychain's and AWS's) as Electron utility processes
 * (main/electron/utility-process-helper.ts).
 * Electron cannot start here, so `utilityProcess` is stood in for at the Electron boundary: Node's
 * `fork` of the real built helper, with Electron's `process.parentPort` given to it (and Node's
 * `process.send` taken away) by a preload, as a utility process has them. The keychain behind it is
 * the real gnome-keyring of the test session.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { utilityProcess } from 'electron';
import { AWS_HELPER_FILE, HelperAwsGateway } from '../../main/engine/aws/aws-helper';
import { ClockOffset } from '../../main/engine/clock/clock';
import { HELPER_FILE, keychainHelper } from '../../main/engine/keychain/keychain-helper';
import { KeytarSecretStore } from '../../main/engine/keychain/keytar-secret-store';
import { utilityProcessHelper } from '../../main/electron/utility-process-helper';
import { cliDist, ensureCliBuilt } from '../support/cli';
import { uniqueServicePrefix } from '../support/keyring';
import { startStsServer } from '../support/sts-server';

let dir: string;
const prefix = uniqueServicePrefix('utility');

before(async () => {
  await ensureCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'mfa-tray-utility-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `utilityProcess.fork` as Electron gives it, over Node's fork; `forks` lists what it was asked. */
function standInUtilityProcess(): {
  readonly utility: Pick<typeof utilityProcess, 'fork'>;
  readonly forks: { script: string; options: unknown; emitter: EventEmitter }[];
} {
  const preload = join(dir, 'parent-port.cjs');
  writeFileSync(
    preload,
    `const send = process.send.bind(process);
const listeners = [];
process.on('message', (data) => { for (const listener of listeners) listener({ data }); });
process.parentPort = { on(event, listener) { if (event === 'message') listeners.push(listener); }, postMessage: (message) => send(message) };
delete process.send;
`,
  );
  const forks: { script: string; options: unknown; emitter: EventEmitter }[] = [];
  const utility = {
    fork(script: string, args: string[] = [], options: unknown = {}) {
      const child = fork(script, args, { execArgv: ['--require', preload], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      const emitter = new EventEmitter();
      forks.push({ script, options, emitter });
      child.on('message', (message) => emitter.emit('message', message));
      child.on('exit', (code) => emitter.emit('exit', code ?? 1));
      return Object.assign(emitter, {
        get pid() {
          return child.pid;
        },
        postMessage: (message: unknown) => child.send(message as object),
        kill: () => child.kill(),
      });
    },
  } as unknown as Pick<typeof utilityProcess, 'fork'>;
  return { utility, forks };
}

test('the helper as a utility process: started once the app is ready, over parentPort, ended when idle', async () => {
  const { utility, forks } = standInUtilityProcess();
  let ready: () => void = () => undefined;
  const whenReady = new Promise<void>((resolve) => (ready = resolve));
  const script = join(dir, 'helper.cjs');
  symlinkSync(join(cliDist(), HELPER_FILE), script);
  const helper = keychainHelper(script, { start: utilityProcessHelper({ whenReady: () => whenReady }, utility), idleMs: 300 });
  const store = new KeytarSecretStore(prefix, { loadBackend: helper.load });

  const written = store.set('session', 'tray', 'a-session-through-parent-port');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(forks.length, 0, 'nothing started before the app is ready');
  ready();
  await written;
  assert.deepEqual(
    forks.map(({ script: path, options }) => ({ path, options })),
    [{ path: script, options: { stdio: 'ignore', serviceName: 'MFA Tray keychain helper' } }],
  );
  // Electron reports a fatal error in it as 'error' (then 'exit'): heard, so that it cannot throw in the app.
  assert.doesNotThrow(() => forks[0]?.emitter.emit('error', 'FatalError', 'here', ''));
  assert.equal(await store.get('session', 'tray'), 'a-session-through-parent-port');
  assert.deepEqual([...(await store.getAll('session'))], [['tray', 'a-session-through-parent-port']]);
  const pid = helper.pid as number;

  const end = Date.now() + 10_000;
  while (helper.pid !== undefined && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.equal(helper.pid, undefined, 'let go when idle');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.throws(() => process.kill(pid, 0), 'and ended');
  assert.equal(await store.delete('session', 'tray'), true);
  assert.equal(forks.length, 2, 'the next call started another');
  assert.equal(await store.get('session', 'tray'), undefined);
});

test('the AWS helper as a utility process: a session from the loopback STS, over parentPort', async () => {
  const sts = await startStsServer();
  try {
    const { utility, forks } = standInUtilityProcess();
    const script = join(dir, 'aws-helper.cjs');
    symlinkSync(join(cliDist(), AWS_HELPER_FILE), script);
    const gateway = new HelperAwsGateway(
      script,
      { endpoint: sts.endpoint, timeoutMs: 3000, clockOffset: new ClockOffset() },
      { start: utilityProcessHelper({ whenReady: () => Promise.resolve() }, utility), idleMs: 300 },
    );
    const user = sts.registerUser();

    const session = await gateway.getSessionToken({
      key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      mfaSerial: user.mfaSerial as string,
      code: sts.currentCode(user),
      durationSeconds: 3600,
      region: 'us-east-1',
    });

    assert.equal(session.sessionToken, sts.sessions.at(-1)?.sessionToken);
    assert.deepEqual(
      forks.map(({ script: path, options }) => ({ path, options })),
      [{ path: script, options: { stdio: 'ignore', serviceName: 'MFA Tray AWS helper' } }],
    );
  } finally {
    await sts.close();
  }
});
