/**
 * `mfa-tray export`: every format against the forms the AWS CLI documents for
 * `aws configure export-credentials --format …` (awscli/customizations/configure/exportcreds.py):
 *
 *   env            export AWS_ACCESS_KEY_ID=EXAMPLE
 *   env-no-export  AWS_ACCESS_KEY_ID=EXAMPLE
 *   powershell     $Env:AWS_ACCESS_KEY_ID="EXAMPLE"
 *   windows-cmd    set AWS_ACCESS_KEY_ID=EXAMPLE
 *   fish           set -gx AWS_ACCESS_KEY_ID "EXAMPLE"
 *   process        json.dumps({Version: 1, AccessKeyId, SecretAccessKey, SessionToken, Expiration}, indent=2) + "\n"
 *
 * one line per variable in the order key id, secret, token, expiration, with the expiration as
 * Python's `datetime.isoformat()` of a UTC time (`2026-11-28T05:12:00+00:00`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { cliBin, fakeSession, useCliSuite, type CliResult } from '../support/cli';
import type { IssuedSession } from '../support/sts-server';

const cli = useCliSuite('export');

function assertOneLineFailure(result: CliResult, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit status; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0] as string, pattern);
}

/** Refreshes profile dev (TOTP) and returns the session STS issued. */
async function refreshed(): Promise<IssuedSession> {
  await cli.sandbox.addProfile('dev', cli.user);
  assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
  const result = await cli.sandbox.run(['refresh', 'dev']);
  assert.equal(result.status, 0, result.stderr);
  const session = cli.sts.sessions.at(-1);
  assert.ok(session && session.user.accessKeyId === cli.user.accessKeyId);
  return session;
}

/** The AWS CLI's expiration text: `datetime.isoformat()` of an aware UTC datetime. */
function pythonIsoFormat(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, '+00:00');
}

function lines(template: (name: string, value: string) => string, session: IssuedSession): string {
  return [
    template('AWS_ACCESS_KEY_ID', session.accessKeyId),
    template('AWS_SECRET_ACCESS_KEY', session.secretAccessKey),
    template('AWS_SESSION_TOKEN', session.sessionToken),
    template('AWS_CREDENTIAL_EXPIRATION', pythonIsoFormat(session.expiresAt)),
  ]
    .map((line) => `${line}\n`)
    .join('');
}

describe('export formats match the AWS CLI', () => {
  const forms: [string, (name: string, value: string) => string][] = [
    ['env', (n, v) => `export ${n}=${v}`],
    ['env-no-export', (n, v) => `${n}=${v}`],
    ['powershell', (n, v) => `$Env:${n}="${v}"`],
    ['windows-cmd', (n, v) => `set ${n}=${v}`],
    ['fish', (n, v) => `set -gx ${n} "${v}"`],
  ];

  test('every format, byte for byte', async () => {
    const session = await refreshed();
    for (const [format, template] of forms) {
      const result = await cli.sandbox.run(['export', 'dev', '--format', format]);
      assert.equal(result.status, 0, `${format}: ${result.stderr}`);
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, lines(template, session), format);
    }
    const json = await cli.sandbox.run(['export', 'dev', '--format', 'process']);
    assert.equal(json.status, 0);
    const expected = {
      Version: 1,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: pythonIsoFormat(session.expiresAt),
    };
    // Python's json.dumps(indent=2, separators=(',', ': ')) + "\n".
    assert.equal(
      json.stdout,
      `{\n  "Version": 1,\n  "AccessKeyId": "${expected.AccessKeyId}",\n  "SecretAccessKey": "${expected.SecretAccessKey}",\n  "SessionToken": "${expected.SessionToken}",\n  "Expiration": "${expected.Expiration}"\n}\n`,
    );
    assert.deepEqual(JSON.parse(json.stdout), expected);
  });

  test('the default format is env, and a POSIX shell can eval it', async () => {
    const session = await refreshed();
    const result = await cli.sandbox.run(['export', 'dev']);
    assert.equal(
      result.stdout,
      lines((n, v) => `export ${n}=${v}`, session),
    );
    const shell = spawnSync(
      'sh',
      ['-c', `eval "$("${process.execPath}" "${cliBin()}" export dev)" && printf '%s|%s' "$AWS_ACCESS_KEY_ID" "$AWS_SESSION_TOKEN"`],
      { env: cli.sandbox.env, encoding: 'utf8' },
    );
    assert.equal(shell.status, 0, shell.stderr);
    assert.equal(shell.stdout, `${session.accessKeyId}|${session.sessionToken}`);
  });
});

describe('export without a usable session', () => {
  test('no session: exit 4 with the command that fixes it', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assertOneLineFailure(
      await cli.sandbox.run(['export', 'dev']),
      4,
      /^mfa-tray export: Profile "dev" has no current session\. Get a new session: mfa-tray refresh dev$/,
    );
  });

  test('an expired session: exit 4, says when it expired and what to run', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sandbox.seedSession('dev', fakeSession(Date.UTC(2020, 4, 6, 7, 8)));
    assertOneLineFailure(
      await cli.sandbox.run(['export', 'dev', '--format', 'process']),
      4,
      /^mfa-tray export: The session of profile dev expired at 2020-05-06 07:08 local time\. Get a new session: mfa-tray refresh dev$/,
    );
  });

  test('an unknown profile: exit 3', async () => {
    assertOneLineFailure(await cli.sandbox.run(['export', 'ghost']), 3, /^mfa-tray export: There is no profile named "ghost"/);
  });
});

describe('the profile as aws-vault and the AWS CLI take it', () => {
  test('--profile <p> and AWS_PROFILE name the profile; an argument and --profile together are refused', async () => {
    const session = await refreshed();
    const env = lines((n, v) => `export ${n}=${v}`, session);
    const byOption = await cli.sandbox.run(['export', '--profile', 'dev']);
    assert.equal(byOption.status, 0, byOption.stderr);
    assert.equal(byOption.stdout, env);
    const byEnv = await cli.sandbox.run(['export'], { env: { ...cli.sandbox.env, AWS_PROFILE: 'dev' } });
    assert.equal(byEnv.status, 0, byEnv.stderr);
    assert.equal(byEnv.stdout, env);
    // The argument wins over AWS_PROFILE, as the AWS CLI's --profile does.
    const named = await cli.sandbox.run(['export', 'nope'], { env: { ...cli.sandbox.env, AWS_PROFILE: 'dev' } });
    assert.equal(named.status, 3);
    assertOneLineFailure(
      await cli.sandbox.run(['export', 'dev', '--profile', 'dev']),
      2,
      /^mfa-tray export: give the profile once: as an argument or with --profile/,
    );
  });

  test('refresh takes the code as -t / --token too, and the profile from AWS_PROFILE', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sts.avoidStepEdge(3000);
    const result = await cli.sandbox.run(['refresh', '-t', cli.sts.currentCode(cli.user)], { env: { ...cli.sandbox.env, AWS_PROFILE: 'dev' } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^dev: new session in \[dev\]/);
    assertOneLineFailure(
      await cli.sandbox.run(['refresh', 'dev', '--code', '123456', '--token', '123456']),
      2,
      /^mfa-tray refresh: --code and --token are the same option/,
    );
  });
});
