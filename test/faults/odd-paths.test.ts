/**
 * A credentials file that is not a file: a named pipe, a device (the user pointed
 * AWS_SHARED_CREDENTIALS_FILE at /dev/null, or linked ~/.aws/credentials to it), a folder. Reading
 * one used to hang for good (a pipe), fill the memory (/dev/zero), or, worse, be followed by a
 * write that put a world-readable file of session keys where the device was. Each is now refused
 * before anything is sent: exit 6, one line saying what the path is, the code still usable, and
 * the path left as it was. And a regular file MFA Tray does not edit: one whose lines end in a lone
 * CR, which botocore and the JS SDKs read differently.
 *
 * Devices are made with mknod in the test's own folder (never /dev itself), which needs root:
 * `sudo npm test`, as CI runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { useCliSuite, type CliResult } from '../support/cli';

const cli = useCliSuite('odd-paths');

function assertOneLine(result: CliResult, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit status; stderr: ${result.stderr}`);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

function mkfifo(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const made = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8' });
  assert.equal(made.status, 0, `mkfifo failed (apt-get install coreutils): ${made.stderr}`);
}

/** A character device like /dev/null (1, 3) in the test's folder. */
function mknodNull(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const made = spawnSync('mknod', ['-m', '666', path, 'c', '1', '3'], { encoding: 'utf8' });
  assert.equal(made.status, 0, `mknod failed: making a device needs root (run the tests as root, as CI does): ${made.stderr}`);
}

test('a named pipe: refresh, doctor and status end at once (exit 6, one line); nothing is sent, the code still works elsewhere', async () => {
  await cli.sandbox.addProfile('dev', cli.user);
  mkfifo(cli.sandbox.credentialsFile);
  await cli.sts.avoidStepEdge(8000);
  const code = cli.sts.currentCode(cli.user);

  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', code], { timeoutMs: 20_000 });
  assertOneLine(
    refresh,
    6,
    /^mfa-tray refresh: dev: Cannot read the credentials file .*credentials: it is a named pipe, not a regular file\. Nothing was changed\.$/,
  );
  assert.equal(cli.requests('GetSessionToken').length, 0, 'the code was not sent');

  const doctor = await cli.sandbox.run(['doctor'], { timeoutMs: 20_000 });
  assert.match(doctor.stdout, /Cannot read .*credentials: it is a named pipe, not a regular file\. The AWS CLI and SDKs cannot read it either\./);
  assert.doesNotMatch(doctor.stdout, /reads? cleanly/);

  // No cached session and a registered secret: credential-process would refresh, and refuses the same way.
  assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
  const process = await cli.sandbox.run(['credential-process', 'dev'], { timeoutMs: 20_000 });
  assert.equal(process.status, 6, process.stderr);
  assert.match(process.stderr, /it is a named pipe, not a regular file/);
  assert.equal(cli.requests('GetSessionToken').length, 0, 'no code was sent');

  const status = await cli.sandbox.run(['status'], { timeoutMs: 20_000 });
  assert.match(status.stdout, /^dev\b/m, status.stderr);
  assert.ok(status.status === 0 || status.status === 6, `status: ${status.status} ${status.stderr}`);

  assert.ok(statSync(cli.sandbox.credentialsFile).isFIFO(), 'the pipe is still a pipe');
  assert.deepEqual(
    readdirSync(dirname(cli.sandbox.credentialsFile)).filter((n) => n !== 'credentials'),
    [],
    'no lock or temp file beside it',
  );

  // The code was not spent: the same code works once the path is a file again.
  rmSync(cli.sandbox.credentialsFile);
  const again = await cli.sandbox.run(['refresh', 'dev', '--code', code]);
  assert.equal(again.status, 0, again.stderr);
});

test('a link to a device (as to /dev/null): refused before anything is sent, the device is not replaced by a file', async () => {
  await cli.sandbox.addProfile('dev', cli.user);
  const device = join(cli.sandbox.dir, 'devices', 'null');
  mknodNull(device);
  mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true });
  symlinkSync(device, cli.sandbox.credentialsFile);

  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)], { timeoutMs: 20_000 });
  assertOneLine(refresh, 6, /^mfa-tray refresh: dev: Cannot read the credentials file .*: it is a device, not a regular file\. Nothing was changed\.$/);
  assert.equal(cli.requests('GetSessionToken').length, 0, 'the code was not sent');
  assert.ok(statSync(device).isCharacterDevice(), 'the device is still a device');
  assert.ok(lstatSync(cli.sandbox.credentialsFile).isSymbolicLink(), 'the link is still a link');
  assert.deepEqual(readdirSync(dirname(device)), ['null'], 'no lock or temp file beside the device');
  // Seen on landed main: "can be read by other users (mode 666). Fix: chmod 600 …": through the
  // link, as root, that would change /dev/null for the whole system.
  const doctor = await cli.sandbox.run(['doctor'], { timeoutMs: 20_000 });
  assert.match(doctor.stdout, /it is a device, not a regular file/);
  assert.doesNotMatch(doctor.stdout, /chmod|other users/);
});

test('a folder: exit 6, one line, nothing sent', async () => {
  await cli.sandbox.addProfile('dev', cli.user);
  mkdirSync(cli.sandbox.credentialsFile, { recursive: true });
  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)], { timeoutMs: 20_000 });
  assertOneLine(refresh, 6, /^mfa-tray refresh: dev: Cannot read the credentials file .*: it is a folder, not a regular file\. Nothing was changed\.$/);
  assert.equal(cli.requests('GetSessionToken').length, 0, 'the code was not sent');
  assert.deepEqual(readdirSync(cli.sandbox.credentialsFile), []);
  // Seen on landed main: "mode 755 … chmod 600" for the folder.
  const doctor = await cli.sandbox.run(['doctor'], { timeoutMs: 20_000 });
  assert.match(doctor.stdout, /it is a folder, not a regular file/);
  assert.doesNotMatch(doctor.stdout, /chmod|other users/);
  // A session kept in the keychain is not where the AWS tools look: status says so, exit 6.
  const status = await cli.sandbox.run(['status'], { timeoutMs: 20_000 });
  assert.equal(status.status, 6, status.stderr);
});

test('a file whose lines end in a lone CR (old Mac): refused before anything is sent (exit 6, one line), the file byte for byte as it was', async () => {
  await cli.sandbox.addProfile('dev', cli.user);
  mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true });
  // botocore reads three sections here; the JS SDKs one line. An edit used to append a second [dev].
  const text = '[other]\raws_access_key_id = AKIAIOSFODNN7EXAMPLE\r[dev]\raws_session_token = old\r';
  writeFileSync(cli.sandbox.credentialsFile, text, { mode: 0o600 });
  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)], { timeoutMs: 20_000 });
  assertOneLine(
    refresh,
    6,
    /^mfa-tray refresh: dev: The credentials file .*credentials has a line ending of a lone CR \(line 1; an old Mac format\): the AWS CLI and the SDKs read such a file differently, so MFA Tray does not edit it\. Convert its line endings to LF \(mac2unix, from the dos2unix package\), then try again\. Nothing was changed\.$/,
  );
  assert.equal(cli.requests('GetSessionToken').length, 0, 'the code was not sent');
  assert.equal(readFileSync(cli.sandbox.credentialsFile, 'latin1'), text);
});

test('a folder that cannot be made (under /proc/self, where Node 20 retries its recursive mkdir for ever): one line, or nothing to say, at once', async () => {
  // No profile yet, and a config folder where nothing can be made: status ends as it would anywhere
  // (the command's code cache is simply not kept).
  const status = await cli.sandbox.run(['status'], { env: { MFA_TRAY_CONFIG_DIR: '/proc/self' }, timeoutMs: 20_000 });
  assert.equal(status.status, 0, status.stderr);
  assert.equal(status.stderr, '');

  // Adding a profile there: refused with the folder named, and no key left in the keychain.
  const add = await cli.sandbox.run(['add', 'dev', '--mfa-serial', cli.user.mfaSerial ?? '', '--access-key-id', cli.user.accessKeyId], {
    env: { MFA_TRAY_CONFIG_DIR: '/proc/self/mfa-tray' },
    input: `${cli.user.secretAccessKey}\n`,
    timeoutMs: 20_000,
  });
  // (The profile's lock, in the same folder, is the first thing made.)
  assertOneLine(
    add,
    6,
    /^mfa-tray add: Cannot create the folder \/proc\/self\/mfa-tray\/locks for the lock of the changes of profile dev: .* Nothing was changed\.$/,
  );
  assert.equal(await cli.sandbox.secrets.getLongLivedKey('dev'), undefined, 'no key left in the keychain');

  // A credentials file whose folder cannot be made: said in one line before the code is sent (it
  // is not spent; until 2026-12-06 it was, and AWS's session was kept in the keychain instead).
  await cli.sandbox.addProfile('dev', cli.user);
  const sent = cli.sts.count('GetSessionToken');
  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)], {
    env: { AWS_SHARED_CREDENTIALS_FILE: '/proc/self/aws/credentials' },
    timeoutMs: 20_000,
  });
  assertOneLine(
    refresh,
    6,
    /^mfa-tray refresh: dev: The folder \/proc\/self does not let you write in it, so the credentials file \/proc\/self\/aws\/credentials cannot be made; nothing was changed and no code was sent\./,
  );
  assert.equal(cli.sts.count('GetSessionToken'), sent, 'no code sent');
  assert.equal(await cli.sandbox.secrets.getSession('dev'), undefined);
});

test('`..` after a linked folder leads where the system and the AWS CLI take it, not where the text says', async () => {
  // ~/dots is a link to ~/vault/aws: the system reads `~/dots/../credentials` as ~/vault/credentials
  // (the link's parent), which is the file botocore opens. Resolving `..` by text alone gives
  // ~/credentials, a file no AWS tool reads.
  await cli.sandbox.addProfile('dev', cli.user);
  const vault = join(cli.sandbox.dir, 'vault');
  mkdirSync(join(vault, 'aws'), { recursive: true });
  symlinkSync(join(vault, 'aws'), join(cli.sandbox.dir, 'dots'));
  const given = `${cli.sandbox.dir}/dots/../credentials`;
  const real = join(vault, 'credentials');
  const byText = join(cli.sandbox.dir, 'credentials');
  writeFileSync(real, '[other]\nregion = eu-west-1\n', { mode: 0o600 });
  const env = { AWS_SHARED_CREDENTIALS_FILE: given };

  const refresh = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user)], { env, timeoutMs: 20_000 });
  assert.equal(refresh.status, 0, refresh.stderr);
  assert.match(readFileSync(real, 'utf8'), /^\[other\]\nregion = eu-west-1\n\n\[dev\]\naws_access_key_id = ASIA/);
  assert.throws(() => lstatSync(byText), { code: 'ENOENT' }, 'nothing made where the text alone leads');
  assert.deepEqual(readdirSync(vault).sort(), ['aws', 'credentials'], 'no lock or temp file left');

  // The AWS CLI reads the session there, and status finds it there too.
  const awsCli = ['/usr/bin/aws', 'aws'].find((file) => /^aws-cli\//.test(spawnSync(file, ['--version'], { encoding: 'utf8' }).stdout ?? ''));
  assert.ok(awsCli !== undefined, 'the AWS CLI is needed for this test: apt-get install -y awscli');
  const read = spawnSync(awsCli, ['configure', 'get', 'aws_session_token', '--profile', 'dev'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cli.sandbox.dir, ...env },
  });
  assert.equal(read.status, 0, read.stderr);
  assert.equal(read.stdout.trim(), /aws_session_token = (.*)/.exec(readFileSync(real, 'utf8'))?.[1]);
  const status = await cli.sandbox.run(['status'], { env, timeoutMs: 20_000 });
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^dev\b.*\bvalid\b/m);
});
