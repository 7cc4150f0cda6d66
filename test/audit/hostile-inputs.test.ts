/**
 * Names and values built to break out of their place: a profile or section name that closes the
 * INI section and opens another (`]`, a newline, `[default]`), an ARN with a newline, markup, control
 * and Unicode line-separator characters, prototype names. Through the engine, the bridge and the
 * command, each is refused with `invalid-input` (the command: exit 2, one line), and nothing is
 * written: not the settings file, not the credentials file, not the keychain.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMfaTrayError } from '../../main/common/errors';
import { createBridgeHandlers } from '../../main/bridge/handlers';
import { createCliSandbox, ensureCliBuilt, type CliSandbox } from '../support/cli';
import { createHarness, type Harness } from '../support/engine-harness';
import { botocoreProfiles, sdkProfiles } from '../support/fault-ini';
import { useStsServer, type StsUser } from '../support/sts-server';
import { filesUnder } from './canaries';

const NAMES = [
  'work]\n[default',
  'work]',
  '[work',
  'work\nregion = eu-west-1',
  'work\r\naws_access_key_id = AKIAIOSFODNN7EXAMPLE',
  'work\u2028x',
  'work\u0000x',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'a"b',
  "a'b",
  'work space',
  'DEFAULT',
  '__proto__',
  'constructor',
  'x'.repeat(65),
  '',
];

const SERIALS = [
  'arn:aws:iam::123456789012:mfa/work\n[default]',
  'arn:aws:iam::123456789012:mfa/<b>work</b>',
  'arn:aws:iam::123456789012:mfa/work\u2028',
  'GAHT12345678\r\n',
];

const REGIONS = ['us-east-1\n', 'us-east-1]\n[x', '<b>us-east-1</b>', 'us-east-1; rm -rf ~'];

let user: StsUser;
const loopback = useStsServer((sts) => {
  user = sts.registerUser();
});

/** What must stay untouched. */
async function state(configDir: string, credentials: string, keychain: { listProfiles(kind: 'long-lived-key'): Promise<string[]> }) {
  return {
    settings: await readFile(join(configDir, 'settings.json'), 'utf8').catch(() => 'absent'),
    credentials: await readFile(credentials, 'latin1').catch(() => 'absent'),
    keys: await keychain.listProfiles('long-lived-key'),
  };
}

describe('the engine and the bridge', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ sts: loopback.sts });
    await h.addUser('existing');
  });
  after(() => h.close());

  const key = () => ({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });

  test('hostile profile names, target sections, serials and regions are refused as invalid input', async () => {
    const before = await state(h.env.MFA_TRAY_CONFIG_DIR, h.credentialsPath, h.keychain.store);
    const attempts: Array<[string, () => Promise<unknown>]> = [];
    for (const name of NAMES) {
      attempts.push([`name ${JSON.stringify(name)}`, () => h.engine.addProfile({ name, mfaSerial: user.mfaSerial, ...key() })]);
      attempts.push([
        `target ${JSON.stringify(name)}`,
        () => h.engine.addProfile({ name: 'ok-name', targetSection: name, mfaSerial: user.mfaSerial, ...key() }),
      ]);
      attempts.push([`update target ${JSON.stringify(name)}`, () => h.engine.updateProfile('existing', { targetSection: name })]);
      attempts.push([`refresh ${JSON.stringify(name)}`, () => h.engine.refresh(name, { code: '123456' })]);
      attempts.push([
        `import from ${JSON.stringify(name)}`,
        () => h.engine.importProfile('ok-name', { fromSection: name, mfaSerial: user.mfaSerial as string }),
      ]);
      attempts.push([
        `write session to ${JSON.stringify(name)}`,
        () =>
          h.engine.credentials.writeSession(name, {
            accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
            secretAccessKey: 'a'.repeat(40),
            sessionToken: 'token',
            expiresAt: Date.now() + 3_600_000,
          }),
      ]);
    }
    for (const mfaSerial of SERIALS)
      attempts.push([`serial ${JSON.stringify(mfaSerial)}`, () => h.engine.addProfile({ name: 'ok-name', mfaSerial, ...key() })]);
    for (const region of REGIONS)
      attempts.push([`region ${JSON.stringify(region)}`, () => h.engine.addProfile({ name: 'ok-name', mfaSerial: user.mfaSerial, region, ...key() })]);
    attempts.push([
      'a session value with a newline',
      () =>
        h.engine.credentials.writeSession('ok-name', {
          accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
          secretAccessKey: 'a'.repeat(40),
          sessionToken: 'token\n[default]\naws_access_key_id = AKIAEVIL',
          expiresAt: Date.now() + 3_600_000,
        }),
    ]);

    for (const [what, attempt] of attempts) {
      const error = await attempt().then(
        () => assert.fail(`${what} was accepted`),
        (e: unknown) => e,
      );
      assert.ok(isMfaTrayError(error, 'invalid-input', 'not-found'), `${what}: ${String(error)}`);
      assert.ok(!/[\n\r\u2028]/.test(error.message) && !error.message.includes('\u0000'), `${what}: the message is one clean line`);
    }
    assert.deepEqual(await state(h.env.MFA_TRAY_CONFIG_DIR, h.credentialsPath, h.keychain.store), before, 'nothing was written');
  });

  test('through the bridge: refused as data, never thrown, nothing written', async () => {
    const bridge = createBridgeHandlers(h.engine, { closeWindow: () => undefined, locale: () => 'en' });
    const before = await state(h.env.MFA_TRAY_CONFIG_DIR, h.credentialsPath, h.keychain.store);
    const caller = { windowId: 1 };
    for (const name of NAMES) {
      for (const result of [
        await bridge.addProfile([{ name, mfaSerial: user.mfaSerial }, key(), null], caller),
        await bridge.addProfile([{ name: 'ok-name', mfaSerial: user.mfaSerial, targetSection: name }, key(), null], caller),
        await bridge.updateProfile(['existing', { targetSection: name }], caller),
        await bridge.importProfile([{ name: 'ok-name', fromSection: name, mfaSerial: user.mfaSerial as string }], caller),
        await bridge.submitCode([name, '123456'], caller),
      ]) {
        assert.equal(result.ok, false, `${JSON.stringify(name)} accepted`);
        if (!result.ok) assert.ok(['invalid-input', 'not-found', 'bad-request'].includes(result.error.code), JSON.stringify(result.error));
      }
    }
    for (const mfaSerial of SERIALS) {
      const result = await bridge.addProfile([{ name: 'ok-name', mfaSerial }, key(), null], caller);
      assert.ok(!result.ok && result.error.code === 'invalid-input', JSON.stringify(result));
    }
    assert.deepEqual(await state(h.env.MFA_TRAY_CONFIG_DIR, h.credentialsPath, h.keychain.store), before);
  });
});

describe('a name that looks like a path', () => {
  test('is only a name: stored, written as a section both readers agree on, and no file is made from it', async (t) => {
    const h = await createHarness({ sts: loopback.sts });
    t.after(() => h.close());
    const pathy = '../../etc/passwd';
    const other = loopback.sts.registerUser();
    await h.engine.addProfile({ name: pathy, mfaSerial: other.mfaSerial, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    await loopback.sts.avoidStepEdge(8000);
    const session = await h.engine.refresh(pathy, { code: loopback.sts.currentCode(other) });

    const [boto] = botocoreProfiles([h.credentialsPath]);
    assert.equal(boto?.profiles?.[pathy]?.aws_session_token, session.sessionToken);
    assert.equal((await sdkProfiles(h.credentialsPath))[pathy]?.aws_session_token, session.sessionToken);
    const files = (await filesUnder(h.dir)).map((f) => f.where.slice(h.dir.length)).sort();
    // The names of MFA Tray's own files only (the keychain-changes record and the record of written
    // sessions hold the name as data).
    assert.deepEqual(files, [
      '/aws/credentials',
      '/config/clock-offset.json',
      '/config/keychain-changes.log',
      '/config/settings.json',
      '/config/used-codes.json',
      '/config/written-sessions.json',
    ]);
    assert.ok(
      Object.keys((JSON.parse(await readFile(join(h.dir, 'config', 'written-sessions.json'), 'utf8')) as { profiles: object }).profiles).includes(pathy),
    );
  });
});

describe('the command', () => {
  let sandbox: CliSandbox;
  before(async () => {
    await ensureCliBuilt();
    sandbox = createCliSandbox(loopback.sts, 'hostile');
  });
  after(() => sandbox.cleanup());

  test('hostile names, sections, serials and regions: exit 2, one line on stderr, nothing written', async () => {
    const attempts: string[][] = [];
    const serial = user.mfaSerial as string;
    // A NUL cannot be passed in an argument at all.
    const names = NAMES.filter((n) => !n.includes('\u0000'));
    for (const name of names) {
      attempts.push(['add', name, '--mfa-serial', serial, '--access-key-id', user.accessKeyId]);
    }
    for (const name of names.slice(0, 4)) {
      attempts.push(['add', 'ok-name', '--target', name, '--mfa-serial', serial, '--access-key-id', user.accessKeyId]);
    }
    for (const name of names.slice(0, 2)) {
      attempts.push(
        ['import', 'ok-name', '--from', name, '--mfa-serial', serial],
        ['refresh', name, '--code', '123456'],
        ['credential-process', name],
        ['export', name],
      );
    }
    for (const bad of SERIALS.slice(0, 2)) attempts.push(['add', 'ok-name', '--mfa-serial', bad, '--access-key-id', user.accessKeyId]);
    for (const region of REGIONS.slice(0, 2))
      attempts.push(['add', 'ok-name', '--region', region, '--mfa-serial', serial, '--access-key-id', user.accessKeyId]);

    // Four at a time: 30 processes on 2 cores.
    const results: Array<{ args: string[]; result: Awaited<ReturnType<CliSandbox['run']>> }> = [];
    for (let i = 0; i < attempts.length; i += 4) {
      results.push(
        ...(await Promise.all(
          attempts.slice(i, i + 4).map(async (args) => ({ args, result: await sandbox.run(args, { input: `${user.secretAccessKey}\n` }) })),
        )),
      );
    }
    for (const { args, result } of results) {
      const what = JSON.stringify(args);
      assert.ok(result.status === 2 || result.status === 3, `${what}: exit ${result.status}: ${result.stderr}`);
      assert.equal(result.stdout, '', what);
      assert.equal(result.stderr.split('\n').filter((l) => l !== '').length, 1, `${what}: one line: ${JSON.stringify(result.stderr)}`);
      assert.doesNotMatch(result.stderr.trimEnd(), /[\r\u2028]/, what);
    }
    assert.equal(await readFile(join(sandbox.configDir, 'settings.json'), 'utf8').catch(() => 'absent'), 'absent');
    assert.equal(await readFile(sandbox.credentialsFile, 'utf8').catch(() => 'absent'), 'absent');
    assert.deepEqual(await sandbox.keychain.store.listProfiles('long-lived-key'), []);
  });
});
