/**
 * Codes from a command: `mfa_process` in the AWS config file (aws-vault's key). The command runs
 * for real in the shell; its output goes to the loopback STS, which checks the code.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { useCliSuite } from '../support/cli';

const cli = useCliSuite('code-command');

function configure(profile: string, mfaProcess: string): void {
  mkdirSync(dirname(cli.sandbox.configFile), { recursive: true });
  writeFileSync(cli.sandbox.configFile, `[profile ${profile}]\nregion = us-east-1\nmfa_process = ${mfaProcess}\n`);
}

describe('mfa_process', () => {
  test("refreshes with the command's code: no question, no TOTP secret, the code sent once", async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    // A password manager's CLI stands in here as a file the test fills with the device's code.
    const codeFile = join(dirname(cli.sandbox.configFile), 'code.txt');
    configure('dev', `cat '${codeFile}'`);
    await cli.sts.avoidStepEdge(3000);
    writeFileSync(codeFile, `${cli.sts.currentCode(cli.user)}\n`);
    const before = cli.sts.count('GetSessionToken');
    const result = await cli.sandbox.run(['refresh', 'dev'], { detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^dev: new session in \[dev\]/);
    assert.equal(cli.sts.count('GetSessionToken'), before + 1);
    assert.equal(cli.sts.requests.at(-1)?.tokenCode, readFileSync(codeFile, 'utf8').trim());
    // status says where its codes come from.
    const status = JSON.parse((await cli.sandbox.run(['status', '--json'])).stdout);
    assert.equal(status.profiles[0].codeSource, 'command');
  });

  test('a failing command: one line naming the program and its exit status (not its arguments), exit 4, nothing sent', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    configure('dev', "sh -c 'exit 3' JBSWY3DPEHPK3PXP");
    const before = cli.sts.count();
    const result = await cli.sandbox.run(['refresh', 'dev'], { detached: true });
    assert.equal(result.status, 4);
    assert.equal(
      result.stderr,
      'mfa-tray refresh: dev: The code command `sh …` (mfa_process of profile dev in the AWS config file) failed with exit status 3. Give the code: mfa-tray refresh dev --code <6 digits>\n',
    );
    assert.ok(!result.stderr.includes('JBSWY3DPEHPK3PXP'), 'the arguments may hold a secret');
    assert.equal(cli.sts.count(), before);
    assert.equal(existsSync(cli.sandbox.credentialsFile) && readFileSync(cli.sandbox.credentialsFile, 'utf8').includes('[dev]'), false);
  });

  test('output that is not a code is refused without being shown; a command that hangs ends at MFA_TRAY_CODE_TIMEOUT', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    configure('dev', 'echo not-a-code-SECRETWORD');
    const noCode = await cli.sandbox.run(['refresh', 'dev'], { detached: true });
    assert.equal(noCode.status, 4);
    assert.match(noCode.stderr, /The code command `echo …` .* did not print a 6-digit code \(and nothing else\)\./);
    assert.ok(!noCode.stderr.includes('SECRETWORD'));

    configure('dev', 'sleep 30');
    const started = Date.now();
    const hung = await cli.sandbox.run(['refresh', 'dev'], { detached: true, env: { ...cli.sandbox.env, MFA_TRAY_CODE_TIMEOUT: '1' } });
    assert.equal(hung.status, 4, hung.stderr);
    assert.match(hung.stderr, /The code command `sleep …` .* did not finish within 1 s\./);
    assert.ok(Date.now() - started < 15_000, 'bounded by the time limit');
  });
});
