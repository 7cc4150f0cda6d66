/**
 * `enrol` / `unenrol` against the loopback server's IAM (CreateVirtualMFADevice, EnableMFADevice,
 * ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice, with AWS's self-service and the
 * MFA-required policy), the real keychain and real child processes: a user whose only device is a
 * passkey gets MFA Tray as a device, and STS then takes its codes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import { cliCommandLine, inTerminal, useCliSuite, type CliResult } from '../support/cli';
import type { StsUser } from '../support/sts-server';

const cli = useCliSuite('enrol');
const host =
  hostname()
    .split('.')[0]
    ?.replace(/[^\w+=,.@-]/g, '-') ?? '';

/** A user whose only MFA device is a passkey, in an account of its own (device names are per account). */
function passkeyUser(): StsUser {
  const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
  const user = cli.sts.registerUser({ account, mfaSerial: null, name: `pk-${Date.now()}` });
  cli.sts.addDevice(user, { kind: 'security-key', name: 'passkey' });
  return user;
}

function enrolNew(user: StsUser, extra: readonly string[] = []): Promise<CliResult> {
  return cli.sandbox.run(['enrol', 'work', '--access-key-id', user.accessKeyId, '--yes', ...extra], { input: user.secretAccessKey, detached: true });
}

function assertOneLine(result: CliResult, status: number, pattern: RegExp, ...secrets: string[]): void {
  assert.equal(result.status, status, `stdout: ${result.stdout}; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] as string, pattern);
  for (const secret of secrets) assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'a secret was printed');
}

describe('enrol', () => {
  test('a passkey-only user: the device is created and enabled, the profile created with it, and STS takes its generated codes', async () => {
    const user = passkeyUser();
    const result = await enrolNew(user);
    assert.equal(result.status, 0, result.stderr);
    const serial = `arn:aws:iam::${user.account}:mfa/mfa-tray-${host}`;
    assert.equal(
      result.stdout,
      `Enrolled ${serial} as an MFA device of IAM user ${user.name}.\n` +
        'Added profile work with it; its secret is in the keychain, so sessions are refreshed without a code.\n' +
        'Its secret was not shown (no terminal): it is only in the keychain.\n',
    );
    const device = cli.sts.devicesOf(user).find((d) => d.serialNumber === serial);
    assert.ok(device?.totpSecret, 'the device is assigned to the user');
    assert.equal(await cli.sandbox.secrets.getTotpSecret('work'), device.totpSecret);
    assert.ok(!result.stdout.includes(device.totpSecret) && !result.stderr.includes(device.totpSecret));
    // The secret is in the keychain only: in no file MFA Tray writes.
    for (const file of [`${cli.sandbox.configDir}/settings.json`, cli.sandbox.credentialsFile]) {
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      assert.ok(!text.includes(device.totpSecret), `${file} holds the TOTP secret`);
    }
    assert.deepEqual(
      cli.sts.pendingDevices().filter((serial) => serial.includes(`::${user.account}:`)),
      [],
    );
    // No code typed: generated from the enrolled secret, and STS takes it.
    const refreshed = await cli.sandbox.run(['refresh', 'work'], { detached: true });
    assert.equal(refreshed.status, 0, refreshed.stderr);
    assert.equal(cli.requests('GetSessionToken').at(-1)?.outcome, 'ok');

    // unenrol: with the profile's MFA session, deactivated and deleted; the secret forgotten.
    const removed = await cli.sandbox.run(['unenrol', 'work', '--yes'], { detached: true });
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, new RegExp(`^Removed ${serial} from the IAM user and forgot its secret\\.\\nProfile work has no working MFA device now`));
    assert.equal(
      cli.sts.devicesOf(user).some((d) => d.serialNumber === serial),
      false,
    );
    assert.deepEqual(
      cli.sts.pendingDevices().filter((serial) => serial.includes(`::${user.account}:`)),
      [],
      'deleted, not just deactivated',
    );
    assert.equal(await cli.sandbox.secrets.getTotpSecret('work'), undefined);
    assert.deepEqual(
      cli
        .requests()
        .filter((r) => r.action?.endsWith('MFADevice'))
        .map((r) => [r.action, r.outcome]),
      [
        ['CreateVirtualMFADevice', 'ok'],
        ['EnableMFADevice', 'ok'],
        ['DeactivateMFADevice', 'ok'],
        ['DeleteVirtualMFADevice', 'ok'],
      ],
    );
  });

  test('on a terminal: asks first, says what it means, and shows the secret once as a QR code and as text', async () => {
    const user = passkeyUser();
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['enrol', 'work', '--access-key-id', user.accessKeyId, '--name', 'laptop']), cli.sandbox.env));
    await tty.waitFor(/whoever can use your account on this computer has both factors.*\r?\nEnrol MFA Tray as an MFA device\? \[y\/N\] $/s);
    tty.type('y\r');
    await tty.waitFor(/\(not shown\): $/);
    tty.type(`${user.secretAccessKey}\r`);
    assert.deepEqual(await tty.exited, { status: 0, signal: null }, tty.stdout);
    const device = cli.sts.devicesOf(user).find((d) => d.serialNumber === `arn:aws:iam::${user.account}:mfa/laptop`);
    assert.ok(device?.totpSecret);
    assert.match(tty.stdout, /scan it now:[\s\S]*[█▀▄][\s\S]*Or type it: ([A-Z2-7]+)/);
    assert.equal(/Or type it: ([A-Z2-7]+)/.exec(tty.stdout)?.[1], device.totpSecret);
    assert.match(tty.stdout, /Added profile work with it;/);
    assert.ok(!tty.stdout.includes(user.secretAccessKey), 'the access key secret is not echoed');
  });

  test('no: nothing is created; and a profile that exists already is enrolled without a key (it keeps its own)', async () => {
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['enrol', 'work']), cli.sandbox.env));
    await tty.waitFor(/There is no profile "work"\. To create it with its new device, give its key/);
    await tty.exited;
    await cli.sandbox.addProfile('work', cli.user);
    const refused = await cli.sandbox.run(['enrol', 'work', '--access-key-id', cli.user.accessKeyId], { detached: true });
    assertOneLine(refused, 2, /^mfa-tray enrol: profile work exists already and has its key: leave out --access-key-id/);
    const asked = cli.stopAfterTest(inTerminal(cliCommandLine(['enrol', 'work']), cli.sandbox.env));
    await asked.waitFor(/\[y\/N\] $/);
    asked.type('\r');
    assert.equal((await asked.exited).status, 130);
    assert.equal(cli.requests('CreateVirtualMFADevice').length, 0);
  });

  test('a policy that denies IAM without MFA: one line that names what it must allow; nothing created, no profile', async () => {
    const user = cli.sts.registerUser({ account: '210987654321', mfaSerial: null, name: `strict-${Date.now()}`, iamPolicy: 'mfa-required' });
    const result = await enrolNew(user);
    assertOneLine(
      result,
      7,
      /^mfa-tray enrol: This IAM user's policy does not allow iam:CreateVirtualMFADevice, iam:EnableMFADevice, iam:ListMFADevices, iam:ResyncMFADevice without MFA, which this needs\. AWS's self-service MFA policy allows them/,
      user.secretAccessKey,
    );
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('work'), undefined);
    assert.equal(cli.sts.devicesOf(user).length, 0);
  });

  test('names: a taken default name moves on to -2; a name given and taken is one line', async () => {
    const first = passkeyUser();
    const second = cli.sts.registerUser({ account: first.account, mfaSerial: null, name: `pk2-${Date.now()}` });
    assert.equal((await enrolNew(first)).status, 0);
    await cli.sandbox.cleanup().catch(() => undefined);
    const again = await cli.sandbox.run(['enrol', 'other', '--access-key-id', second.accessKeyId, '--yes'], { input: second.secretAccessKey, detached: true });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^Enrolled arn:aws:iam::${first.account}:mfa/mfa-tray-${host}-2 `));
    const third = cli.sts.registerUser({ account: first.account, mfaSerial: null, name: `pk3-${Date.now()}` });
    const taken = await cli.sandbox.run(['enrol', 'third', '--access-key-id', third.accessKeyId, '--yes', '--name', `mfa-tray-${host}`], {
      input: third.secretAccessKey,
      detached: true,
    });
    assertOneLine(taken, 3, /^mfa-tray enrol: An MFA device of that name exists already in this account .*choose another name/);
  });

  test('the 8-device limit: one line, and the unassigned device it could not delete without MFA is named', async () => {
    const user = passkeyUser();
    for (let n = 0; n < 7; n += 1) cli.sts.addDevice(user, { kind: 'security-key', name: `key${n}` });
    const result = await enrolNew(user);
    assertOneLine(
      result,
      7,
      /this IAM user has 8 MFA devices already, AWS's limit\. Remove one first\. The unassigned virtual device arn:aws:iam::\d+:mfa\/mfa-tray-\S+ was left/,
    );
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('work'), undefined);
    assert.equal(cli.sts.pendingDevices().filter((serial) => serial.includes(`::${user.account}:`)).length, 1);
  });

  test("no answer to EnableMFADevice and no device list: one line, exit 8; the secret kept, and doctor then says the device is the user's", async () => {
    const user = passkeyUser();
    cli.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    cli.sts.failNext(10, 503, 'ListMFADevices');
    const result = await enrolNew(user);
    const device = cli.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.ok(device?.totpSecret, 'AWS enabled it');
    assertOneLine(
      result,
      8,
      new RegExp(
        `^mfa-tray enrol: Whether AWS enabled the MFA device ${device.serialNumber} is not known \\(.+[^.]\\), and the user's device list, which would say, could not be read either\\. Its secret is kept in the keychain and profile "work" uses the device\\. Once AWS can be reached, check the profile: mfa-tray doctor work$`,
      ),
      user.secretAccessKey,
      device.totpSecret,
    );
    assert.equal(await cli.sandbox.secrets.getTotpSecret('work'), device.totpSecret);
    cli.sts.clearFaults();
    const doctor = await cli.sandbox.run(['doctor', 'work'], { detached: true });
    assert.match(doctor.stdout, new RegExp(`${device.serialNumber.replace(/[/]/g, '\\/')} is one of this user's MFA devices`));
  });

  test('--resync sends two consecutive codes of the stored secret', async () => {
    const user = passkeyUser();
    assert.equal((await enrolNew(user)).status, 0);
    const result = await cli.sandbox.run(['enrol', 'work', '--resync'], { detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^AWS took two consecutive codes of arn:aws:iam::\d+:mfa\/mfa-tray-/);
    assert.equal(cli.requests('ResyncMFADevice').at(-1)?.outcome, 'ok');
  });
});
