/**
 * The settings file damaged (corrupt, truncated, empty, not UTF-8) or from a newer MFA Tray, met by
 * every operation of the engine and of the command: each refuses with a clear error that names the
 * file, and nothing is overwritten: not the settings file, not the credentials file, not the
 * keychain, and no code goes to STS.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMfaTrayError } from '../../main/common/errors';
import type { Engine } from '../../main/engine/engine';
import { createCliSandbox, ensureCliBuilt, fakeSession, type CliSandbox } from '../support/cli';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer, type StsUser } from '../support/sts-server';

const loopback = useStsServer();

/** Ways a settings file goes wrong, made from the good one. */
const DAMAGE: ReadonlyArray<readonly [string, (good: Buffer) => Buffer, RegExp]> = [
  ['truncated in the middle', (good) => good.subarray(0, Math.floor(good.length / 2)), /not valid JSON.*truncated|not valid JSON/],
  ['empty', () => Buffer.alloc(0), /not valid JSON \(it is empty\)/],
  ['corrupt (a stray brace)', (good) => Buffer.concat([good.subarray(0, 20), Buffer.from('}{'), good.subarray(20)]), /not valid JSON \(error at line/],
  ['not UTF-8', (good) => Buffer.concat([good.subarray(0, 30), Buffer.from([0xff, 0xfe, 0xc3]), good.subarray(30)]), /not UTF-8/],
  ['from a newer MFA Tray', (good) => Buffer.from(good.toString('utf8').replace(/"version": 1/, '"version": 7')), /newer MFA Tray \(version 7/],
];

/** Everything an operation could have touched. */
async function snapshot(h: Harness): Promise<{ settings: Buffer; credentials: Buffer; keychain: string[]; sent: number }> {
  const keychain: string[] = [];
  for (const kind of ['long-lived-key', 'totp-secret', 'session'] as const) {
    for (const profile of await h.keychain.store.listProfiles(kind)) keychain.push(`${kind}/${profile}=${await h.keychain.store.get(kind, profile)}`);
  }
  return {
    settings: await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json')),
    credentials: await readFile(h.credentialsPath),
    keychain,
    sent: loopback.sts.count(),
  };
}

describe('the engine with a damaged settings file', () => {
  let h: Harness;
  let user: StsUser;
  let good: Buffer;
  before(async () => {
    h = await createHarness({ sts: loopback.sts });
    user = await h.addUser('work');
    const old = fakeSession(Date.now() + 3_600_000);
    await h.engine.credentials.writeSession('work', old);
    await h.engine.secrets.setSession('work', old);
    good = await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json'));
  });
  after(() => h.close());

  const operations: ReadonlyArray<readonly [string, (engine: Engine) => Promise<unknown>]> = [
    ['refresh with a typed code', (engine) => engine.refresh('work', { code: loopback.sts.currentCode(user) })],
    ['refresh with a generated code', (engine) => engine.refresh('work', { generate: true })],
    ['status', (engine) => engine.status()],
    ['export', (engine) => engine.exportSession('work', 'env')],
    [
      'add a profile',
      (engine) =>
        engine.addProfile({
          name: 'other',
          mfaSerial: user.mfaSerial,
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        }),
    ],
    ['update a profile', (engine) => engine.updateProfile('work', { durationSeconds: 7200 })],
    ['register a TOTP secret', (engine) => engine.setTotpSecret('work', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')],
    ['update the settings', (engine) => engine.updateSettings({ notifyBeforeMinutes: 5 })],
    ['remove the profile', (engine) => engine.removeProfile('work', { forgetSession: true })],
    ['start', (engine) => engine.start()],
  ];

  for (const [damage, make, message] of DAMAGE) {
    test(`${damage}: every operation refuses, naming the file, and nothing is overwritten`, async () => {
      const file = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
      await writeFile(file, make(good));
      const before = await snapshot(h);
      for (const [name, run] of operations) {
        const error = await run(h.engine).then(
          () => assert.fail(`${name} succeeded`),
          (e: unknown) => e,
        );
        assert.ok(isMfaTrayError(error, 'settings-file'), `${name}: expected settings-file, got ${String(error)}`);
        assert.ok(error.message.includes(file), `${name}: names the file`);
        assert.match(error.message, message, name);
        assert.match(error.message, /left unchanged/, name);
      }
      assert.deepEqual(await snapshot(h), before, 'settings, credentials file and keychain as they were; nothing sent to STS');
      h.engine.stop();
      await writeFile(file, good);
    });
  }
});

describe('the command with a damaged settings file', () => {
  let sandbox: CliSandbox;
  let user: StsUser;
  let good: Buffer;
  before(async () => {
    await ensureCliBuilt();
    sandbox = createCliSandbox(loopback.sts, 'faults-settings');
    user = loopback.sts.registerUser();
    await sandbox.addProfile('work', user);
    good = await readFile(join(sandbox.configDir, 'settings.json'));
  });
  after(() => sandbox.cleanup());

  // Two kinds of damage (each command is a process start; the engine tests above cover all five).
  for (const [damage, make, message] of DAMAGE.filter(([damage]) => damage.startsWith('truncated') || damage.includes('newer'))) {
    test(`${damage}: every command exits 6 with one line naming the file, nothing is overwritten`, async () => {
      const file = join(sandbox.configDir, 'settings.json');
      const bad = make(good);
      await writeFile(file, bad);
      const sent = loopback.sts.count();
      const commands: ReadonlyArray<readonly [string[], string?]> = [
        [['status']],
        [['status', '--json']],
        [['refresh', 'work', '--code', loopback.sts.currentCode(user)]],
        [['refresh', '--all']],
        [['export', 'work']],
        [['credential-process', 'work']],
        [['add', 'other', '--mfa-serial', user.mfaSerial as string, '--access-key-id', 'AKIAIOSFODNN7EXAMPLE'], 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n'],
        [['totp', 'set', 'work'], 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n'],
        [['remove', 'work', '--yes']],
      ];
      for (const [args, input] of commands) {
        const result = await sandbox.run(args, input === undefined ? {} : { input });
        const lines = result.stderr.split('\n').filter((l) => l !== '');
        assert.equal(result.status, 6, `${args.join(' ')}: exit ${result.status}, stderr: ${result.stderr}`);
        assert.equal(lines.length, 1, `${args.join(' ')}: one line: ${result.stderr}`);
        assert.ok(lines[0]?.includes(file), `${args.join(' ')} names the file`);
        assert.match(lines[0] ?? '', message, args.join(' '));
        assert.equal(result.stdout, '', args.join(' '));
      }
      assert.deepEqual(await readFile(file), bad, 'the settings file is as it was');
      assert.equal(await readFile(sandbox.credentialsFile).catch(() => undefined), undefined, 'no credentials file was written');
      assert.equal(loopback.sts.count(), sent, 'nothing was sent to STS');
      assert.deepEqual(await sandbox.keychain.store.listProfiles('totp-secret'), []);
      assert.deepEqual(await sandbox.keychain.store.listProfiles('long-lived-key'), ['work']);
      await writeFile(file, good);
    });
  }
});
