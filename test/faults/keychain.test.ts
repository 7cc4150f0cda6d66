/**
 * The keychain daemon dies in the middle of a run (or hangs): a private D-Bus bus and
 * gnome-keyring-daemon of the test's own, an engine in a child process using them, and the command.
 * Every operation that needs the keychain then fails with the plain keychain message (no plaintext
 * fallback), nothing is half-written (the credentials file holds a whole session, the settings file
 * no profile without its key), and once the keyring is back, everything is where it was.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { SessionCredentials } from '../../main/common/model';
import { cliBin, ensureCliBuilt } from '../support/cli';
import { EngineChild, type CallResult } from '../support/fault-engine';
import { sdkProfiles } from '../support/fault-ini';
import { sandboxFiles, startPrivateKeyring, type PrivateKeyring, type SandboxFiles } from '../support/fault-keyring';
import { uniqueServicePrefix } from '../support/keyring';
import { until } from '../support/until';
import { useStsServer, type StsUser } from '../support/sts-server';

let dir: string;
let keyring: PrivateKeyring;
let engine: EngineChild;
let user: StsUser;
/** Where this run's files are. */
let env: SandboxFiles;
const prefix = uniqueServicePrefix('faults-keychain');

const loopback = useStsServer(async (sts) => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-keychain-'));
  keyring = await startPrivateKeyring(dir);
  env = sandboxFiles(dir);
  engine = await EngineChild.start(
    { env, configDir: env.MFA_TRAY_CONFIG_DIR, keychainPrefix: prefix, stsEndpoint: sts.endpoint, stsTimeoutMs: 5000, keychainTimeoutMs: 1500 },
    keyring.env,
  );
  user = sts.registerUser();
});

after(async () => {
  await engine?.stop();
  await keyring?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Another MFA Tray process on this run's files and keyring. */
function startEngine(): Promise<EngineChild> {
  return EngineChild.start(
    { env, configDir: env.MFA_TRAY_CONFIG_DIR, keychainPrefix: prefix, stsEndpoint: loopback.sts.endpoint, stsTimeoutMs: 5000, keychainTimeoutMs: 1500 },
    keyring.env,
  );
}

function ok<T>(result: CallResult<T>, what: string): T {
  assert.ok(result.ok, `${what}: ${result.ok ? '' : `${result.error.code}: ${result.error.message}`}`);
  return result.value;
}

function keychainError(result: CallResult, what: string, code = 'keychain-unavailable'): string {
  assert.ok(!result.ok, `${what} succeeded without a keychain`);
  assert.equal(result.error.code, code, `${what}: ${result.error.message}`);
  assert.match(
    result.error.message,
    code === 'keychain-timeout'
      ? /keychain did not answer within 2 s/
      : /(no Secret Service is running|the Secret Service this process was using has stopped).*never falls back to a plaintext file/,
    what,
  );
  return result.error.message;
}

/** `mfa-tray <args>` on the private keyring. */
function cli(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin(), ...args], {
      env: { ...keyring.env, ...env, MFA_TRAY_KEYCHAIN_SERVICE: prefix, ...loopback.sts.env(), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the keychain daemon stopped in the middle of a run', () => {
  let old: SessionCredentials;
  let credentialsBefore: Buffer;
  let settingsBefore: Buffer;
  let newSession: { accessKeyId: string; sessionToken: string } | undefined;

  test('with the keyring up: a profile and a session', async () => {
    ok(
      await engine.call('addProfile', { name: 'work', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }),
      'add',
    );
    await loopback.sts.avoidStepEdge(8000);
    old = ok(await engine.call<SessionCredentials>('refresh', 'work', { code: loopback.sts.currentCode(user) }), 'refresh');
  });

  test('killed while STS is answering a refresh: a clear error; the file holds the whole new session, the cache the old one', async () => {
    loopback.sts.setLatency(3500); // the faults below must land while STS answers (the child waits 5 s for it)
    const sent = loopback.sts.count('GetSessionToken');
    const refresh = engine.call<SessionCredentials>('refresh', 'work', { code: loopback.sts.currentCode(user, 1) });
    await until(() => loopback.sts.count('GetSessionToken') > sent, 'the code sent to STS');
    await keyring.kill();
    const result = await refresh;
    loopback.sts.setLatency(0);

    keychainError(result, 'caching the new session');
    // The credentials file is written first: it holds the new session, whole, readable by the SDK.
    newSession = loopback.sts.sessions.at(-1);
    const profiles = await sdkProfiles(env.AWS_SHARED_CREDENTIALS_FILE);
    assert.equal(profiles.work?.aws_session_token, newSession?.sessionToken);
    assert.equal(profiles.work?.aws_access_key_id, newSession?.accessKeyId);
    credentialsBefore = await readFile(env.AWS_SHARED_CREDENTIALS_FILE);
    settingsBefore = await readFile(join(env.MFA_TRAY_CONFIG_DIR, 'settings.json'));
  });

  test('while it is gone, every operation says so plainly and changes nothing; no code is sent', async () => {
    const sent = loopback.sts.count();
    // status still lists the profiles (from the settings file), each failed with the keychain's error.
    const status = ok(await engine.call<Array<{ profile: { name: string }; state: { kind: string; code?: string } }>>('status'), 'status');
    assert.deepEqual(
      status.map((s) => [s.profile.name, s.state.kind, s.state.code]),
      [['work', 'failed', 'keychain-unavailable']],
    );
    keychainError(await engine.call('refresh', 'work', { code: loopback.sts.currentCode(user, 1) }), 'refresh');
    keychainError(await engine.call('exportSession', 'work', 'env'), 'export');
    keychainError(
      await engine.call('addProfile', {
        name: 'other',
        mfaSerial: user.mfaSerial,
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      }),
      'add',
    );
    keychainError(await engine.call('setTotpSecret', 'work', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), 'totp set');
    keychainError(await engine.call('removeProfile', 'work'), 'remove');

    assert.equal(loopback.sts.count(), sent, 'nothing sent to STS');
    assert.deepEqual(await readFile(env.AWS_SHARED_CREDENTIALS_FILE), credentialsBefore);
    assert.deepEqual(await readFile(join(env.MFA_TRAY_CONFIG_DIR, 'settings.json')), settingsBefore, 'no profile without its key, none removed');
  });

  test('the command: one line on stderr, exit 5; credential-process serves the session the file holds', async () => {
    await ensureCliBuilt();
    // Seen on landed main: exit 5 here, though the credentials file held the new session, whole.
    const served = await cli(['credential-process', 'work']);
    assert.equal(served.status, 0, served.stderr);
    assert.equal(served.stderr, '');
    assert.equal((JSON.parse(served.stdout) as { SessionToken: string }).SessionToken, newSession?.sessionToken, 'the new session, from the file');
    for (const args of [['status'], ['export', 'work'], ['refresh', 'work', '--code', '123456']]) {
      const result = await cli(args);
      assert.equal(result.status, 5, `${args.join(' ')}: ${result.stderr}`);
      // status lists the profiles from the settings file, then fails like the others.
      if (args[0] === 'status') assert.match(result.stdout, /^work\s+\[work\]\s+keychain unavailable\s/m);
      else assert.equal(result.stdout, '');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /keychain.*plaintext/);
    }
    assert.deepEqual(await readFile(env.AWS_SHARED_CREDENTIALS_FILE), credentialsBefore);
  });

  test('back up: a new process finds the key and the old cached session again', async (t) => {
    await keyring.restart();
    const fresh = await startEngine();
    t.after(() => fresh.stop());
    const cached = ok(await fresh.call<SessionCredentials>('lastSession', 'work'), 'the cached session');
    assert.equal(cached.sessionToken, old.sessionToken, 'the cache still holds the old session (the failed write left it alone)');
    // export gives the session the AWS tools use: the newer one the file got (seen in review: the older copy).
    const exported = ok(await fresh.call<string>('exportSession', 'work', 'env'), 'export');
    assert.ok(exported.includes(newSession?.sessionToken ?? 'the new session'), "export gives the file's newer session");
    const identity = ok(await fresh.call<{ arn: string }>('verify', 'work'), 'verify the stored key');
    assert.equal(identity.arn, user.arn, 'the long-lived key reads back whole and works');

    // A keyring that hangs (SIGSTOP) instead: bounded by the keychain timeout, with its message.
    keyring.pause(true);
    const started = Date.now();
    const hung = await fresh.call('exportSession', 'work', 'env');
    const took = Date.now() - started;
    keyring.pause(false);
    keychainError(hung, 'export on a hung keyring', 'keychain-timeout');
    assert.ok(took < 4000, `took ${took} ms`);
  });

  // libsecret keeps its connection to the daemon it first talked to (by its unique bus name), so a
  // running tray app does not see a restarted keyring (gnome-keyring after a crash, KeePassXC closed
  // and opened again): it should reconnect, or at least say that MFA Tray must be restarted, rather
  // than "no Secret Service is running" while one is.
  test('back up: the process that was running works again, or says to restart MFA Tray', async () => {
    const result = await engine.call('status');
    if (!result.ok) {
      assert.match(
        result.error.message,
        /restart|start MFA Tray again|quit/i,
        `the running engine cannot use the restarted keyring and says: ${result.error.message}`,
      );
    }
  });
});

describe('neither the credentials file nor the keychain can take the session AWS gave', () => {
  test('the error says the code was used up and the session lost; the file and the cache stay as they were, the record vouches for neither session', async (t) => {
    const child = await startEngine();
    const file = env.AWS_SHARED_CREDENTIALS_FILE;
    t.after(async () => {
      loopback.sts.setLatency(0);
      await chmod(file, 0o600).catch(() => undefined);
      await child.stop();
      await keyring.restart();
    });
    // A user and MFA device of its own: the codes of the tests above are spent.
    const solo = loopback.sts.registerUser();
    ok(
      await child.call('addProfile', { name: 'solo', mfaSerial: solo.mfaSerial, accessKeyId: solo.accessKeyId, secretAccessKey: solo.secretAccessKey }),
      'add',
    );
    await loopback.sts.avoidStepEdge(8000);
    const old = ok(await child.call<SessionCredentials>('refresh', 'solo', { code: loopback.sts.currentCode(solo) }), 'a session first');
    const before = await readFile(file);
    const record = await readFile(join(env.MFA_TRAY_CONFIG_DIR, 'written-sessions.json'), 'utf8');
    assert.match(record, new RegExp(old.accessKeyId));

    // While STS answers (the checks before the code was sent all passed): the file turns read-only, the keyring dies.
    loopback.sts.setLatency(3500); // the faults below must land while STS answers (the child waits 5 s for it)
    const sent = loopback.sts.count('GetSessionToken');
    const refresh = child.call<SessionCredentials>('refresh', 'solo', { code: loopback.sts.currentCode(solo, 1) });
    await until(() => loopback.sts.count('GetSessionToken') > sent, 'the code sent to STS');
    await chmod(file, 0o400);
    await keyring.kill();
    const result = await refresh;

    assert.ok(!result.ok, 'nothing could keep the session, yet the refresh succeeded');
    assert.equal(result.error.code, 'credentials-file', result.error.message);
    assert.match(
      result.error.message,
      /is read-only; it was left unchanged\. Make it writable \(chmod u\+w\) if MFA Tray should update it\. The code was used up, and the new session from AWS could not be kept in the keychain either\.$/,
    );
    assert.doesNotMatch(result.error.message, /is kept in the keychain/);
    const issued = loopback.sts.sessions.at(-1);
    assert.notEqual(issued?.accessKeyId, old.accessKeyId);
    assert.ok(!result.error.message.includes(issued?.sessionToken ?? '?'), 'no secret in the message');
    assert.deepEqual(await readFile(file), before, 'the file as it was');
    // The record no longer vouches for the file's session (credential-process reads the keychain's).
    assert.equal(JSON.parse(await readFile(join(env.MFA_TRAY_CONFIG_DIR, 'written-sessions.json'), 'utf8')).profiles.solo, undefined);

    await keyring.restart();
    const after = await startEngine();
    t.after(() => after.stop());
    const exported = ok(await after.call<string>('exportSession', 'solo', 'env'), 'export');
    assert.ok(exported.includes(old.sessionToken), 'the cache holds the old session, whole');
  });
});
