/**
 * When no MFA device is named, `add` and `import` look the user's devices up
 * (`iam:ListMFADevices` on the loopback server, SigV4 for service iam): the only one that gives
 * codes is taken, among several the person picks on the terminal, security keys are shown as
 * unusable, and a policy that hides the devices is said in one line. Nothing is stored on failure.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { cliCommandLine, inTerminal, useCliSuite, type CliResult } from '../support/cli';

const cli = useCliSuite('devices', { userName: (n) => `dana${n}` });

function addArgs(name = 'work'): string[] {
  return ['add', name, '--access-key-id', cli.user.accessKeyId];
}

function assertOneLine(result: CliResult, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit status; stdout: ${result.stdout}; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.ok(!result.stderr.includes(cli.user.secretAccessKey) && !result.stdout.includes(cli.user.secretAccessKey), 'the secret was printed');
}

async function storedDevice(name = 'work'): Promise<string | undefined> {
  const settings = `${cli.sandbox.configDir}/settings.json`;
  if (!existsSync(settings)) return undefined;
  const result = await cli.sandbox.run(['status', '--json']);
  const parsed = JSON.parse(result.stdout) as { profiles: { name: string; mfaSerial: string }[] };
  return parsed.profiles.find((p) => p.name === name)?.mfaSerial;
}

describe('add without --mfa-serial', () => {
  test('takes the only device that gives codes, says so, and a refresh with it works', async () => {
    cli.sts.addDevice(cli.user, { kind: 'security-key', name: 'yubikey' });
    const result = await cli.sandbox.run(addArgs(), { input: cli.user.secretAccessKey, detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^MFA device arn:aws:iam::123456789012:mfa\/dana\d+: the IAM user's only device that gives codes\.\n/);
    assert.equal(cli.requests('ListMFADevices').length, 1);
    assert.equal(cli.requests('ListMFADevices')[0]?.outcome, 'ok');
    assert.equal(await storedDevice(), cli.user.mfaSerial);
    const refreshed = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)]);
    assert.equal(refreshed.status, 0, refreshed.stderr);
  });

  test('several devices and no terminal: one line lists them, and nothing is stored', async () => {
    const phone = cli.sts.addDevice(cli.user, { kind: 'virtual', name: 'phone' });
    cli.sts.addDevice(cli.user, { kind: 'security-key', name: 'yubikey' });
    const result = await cli.sandbox.run(addArgs(), { input: cli.user.secretAccessKey, detached: true });
    assertOneLine(
      result,
      2,
      new RegExp(
        `^mfa-tray add: MFA device: this IAM user has 2 devices that give codes \\(${cli.user.mfaSerial}, ${phone.serialNumber.replaceAll('/', '\\/')}\\); name the one to use`,
      ),
    );
    assert.ok(!existsSync(`${cli.sandbox.configDir}/settings.json`), 'no profile stored');
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('work'), undefined);
  });

  test('several devices on a terminal: the person picks by number; security keys are shown, not offered', async () => {
    const phone = cli.sts.addDevice(cli.user, { kind: 'virtual', name: 'phone' });
    const key = cli.sts.addDevice(cli.user, { kind: 'security-key', name: 'yubikey' });
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(addArgs()), cli.sandbox.env));
    await tty.waitFor(/\(not shown\): $/);
    tty.type(`${cli.user.secretAccessKey}\r`);
    const listing = await tty.waitFor(/This IAM user has 2 MFA devices that give codes:\r?\n(.*)Which one \(1-2\)\? $/s);
    const lines = (listing[1] as string).trimEnd().split(/\r?\n/);
    assert.equal(lines.length, 3, listing[1]);
    assert.match(lines[0] as string, new RegExp(`^ {2}1 {2}${cli.user.mfaSerial} {2}\\(virtual \\(authenticator app\\), enabled \\d{4}-\\d{2}-\\d{2}\\)`));
    assert.match(lines[1] as string, new RegExp(`^ {2}2 {2}${phone.serialNumber} `));
    assert.equal(
      (lines[2] as string).trim(),
      `-  ${key.serialNumber}  (security key: gives no code STS accepts, enabled ${new Date(key.enabledAt).toISOString().slice(0, 10)})`,
    );
    tty.type('7\r');
    await tty.waitFor(/"7" is not one of 1-2\.\r?\nWhich one \(1-2\)\? $/);
    tty.type('2\r');
    assert.deepEqual(await tty.exited, { status: 0, signal: null }, tty.stdout);
    assert.equal(await storedDevice(), phone.serialNumber);
    // The picked device's codes are the ones that work.
    const refreshed = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(phone)]);
    assert.equal(refreshed.status, 0, refreshed.stderr);
  });

  test('a user whose only device is a security key: one line says why it cannot be used and what to do', async () => {
    const user = cli.sts.registerUser({ name: `passkey-only-${Date.now()}`, mfaSerial: null });
    const key = cli.sts.addDevice(user, { kind: 'security-key', name: 'passkey' });
    const result = await cli.sandbox.run(['add', 'work', '--access-key-id', user.accessKeyId], { input: user.secretAccessKey, detached: true });
    assertOneLine(
      result,
      2,
      new RegExp(
        `^mfa-tray add: MFA device: this IAM user's only device is a security key \\(FIDO: ${key.serialNumber}\\)\\. AWS takes no security key for sts:GetSessionToken.*Assign a virtual \\(authenticator app\\) MFA device as well`,
      ),
    );
    assert.ok(!existsSync(`${cli.sandbox.configDir}/settings.json`));
  });

  test('a user with no device at all', async () => {
    const user = cli.sts.registerUser({ name: `no-device-${Date.now()}`, mfaSerial: null });
    const result = await cli.sandbox.run(['add', 'work', '--access-key-id', user.accessKeyId], { input: user.secretAccessKey, detached: true });
    assertOneLine(result, 2, /^mfa-tray add: MFA device: this IAM user has none\. Assign a virtual \(authenticator app\) MFA device/);
  });

  test('a policy that denies IAM without MFA: one line names the action, and nothing is stored', async () => {
    const user = cli.sts.registerUser({ name: `strict-${Date.now()}`, iamPolicy: 'mfa-required' });
    const result = await cli.sandbox.run(['add', 'work', '--access-key-id', user.accessKeyId], { input: user.secretAccessKey, detached: true });
    assert.equal(cli.requests('ListMFADevices').at(-1)?.outcome, 'AccessDenied');
    assertOneLine(result, 7, /does not let a key without MFA list its MFA devices \(iam:ListMFADevices\).*Give the MFA device's ARN or serial yourself/);
    assert.ok(!existsSync(`${cli.sandbox.configDir}/settings.json`));
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('work'), undefined);
  });

  test('IAM unreachable: one line that says IAM, and nothing is stored', async () => {
    const result = await cli.sandbox.run(addArgs(), {
      input: cli.user.secretAccessKey,
      detached: true,
      env: { AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9' },
    });
    assertOneLine(result, 8, /^mfa-tray add: Could not reach IAM at 127\.0\.0\.1(:9)?: the connection was refused\..*AWS_ENDPOINT_URL_IAM/);
    assert.ok(!existsSync(`${cli.sandbox.configDir}/settings.json`));
  });
});

describe('import without a device in any file', () => {
  test("aws-mfa's layout with no aws_mfa_device: the device comes from IAM, and the output says so", async () => {
    const file = cli.sandbox.credentialsFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `[work-long-term]\naws_access_key_id = ${cli.user.accessKeyId}\naws_secret_access_key = ${cli.user.secretAccessKey}\n`);
    const result = await cli.sandbox.run(['import', 'work'], { detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`MFA device {6}${cli.user.mfaSerial} \\(from the IAM user's MFA devices \\(iam:ListMFADevices\\)\\)`));
    assert.equal(await storedDevice(), cli.user.mfaSerial);
  });

  test('several devices and no terminal: the error lists them and nothing is imported', async () => {
    cli.sts.addDevice(cli.user, { kind: 'hardware' });
    const file = cli.sandbox.credentialsFile;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `[work-long-term]\naws_access_key_id = ${cli.user.accessKeyId}\naws_secret_access_key = ${cli.user.secretAccessKey}\n`);
    const result = await cli.sandbox.run(['import', 'work'], { detached: true });
    assertOneLine(result, 2, /^mfa-tray import: MFA device: this IAM user has 2 devices that give codes \(.*, GAKT\d{8}\); name the one to use/);
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('work'), undefined);
  });
});
