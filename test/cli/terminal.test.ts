/**
 * Questions on a terminal, in a real pseudo-terminal (util-linux `script`): the secret access key
 * and the TOTP secret without echo, MFA codes for `refresh` (one profile, several of one device,
 * a mistyped code, Ctrl-C), and `credential-process` asking on /dev/tty while its stdout and
 * stderr go to files, as when an AWS SDK runs it. And which streams count as a terminal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { before, describe, test } from 'node:test';
import { isTty } from '../../main/cli/terminal';
import { cliCommandLine, fakeSession, inTerminal, shellQuote, useCliSuite, type CliProcess } from '../support/cli';

// Without `script`, every test fails with this one line on how to install it.
before(() => {
  assert.equal(
    spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status,
    0,
    'these tests need util-linux `script` (Debian: apt-get install -y bsdutils)',
  );
});

const cli = useCliSuite('tty');

function terminal(args: readonly string[]): CliProcess {
  return cli.stopAfterTest(inTerminal(cliCommandLine(args), cli.sandbox.env));
}

describe('remove asks first on a terminal', () => {
  test('n (or Enter) keeps everything; y removes it', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const no = terminal(['remove', 'dev']);
    await no.waitFor(/The keychain holds the only copy of that key.*\n.*Remove profile dev\? \[y\/N\] $/s);
    no.type('n\r');
    assert.equal((await no.exited).status, 130, no.stdout);
    assert.match(no.stdout, /Nothing was removed/);
    assert.ok(await cli.sandbox.secrets.getLongLivedKey('dev'), 'the key stays');

    const yes = terminal(['remove', 'dev']);
    await yes.waitFor(/Remove profile dev\? \[y\/N\] $/);
    yes.type('y\r');
    assert.equal((await yes.exited).status, 0, yes.stdout);
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('dev'), undefined);
  });
});

describe('secrets are asked for without echo', () => {
  test('add: the secret access key', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', cli.user.mfaSerial as string, '--access-key-id', cli.user.accessKeyId]);
    await tty.waitFor(/Secret access key for AKIA…\w{4} \(not shown\): $/);
    tty.type(`${cli.user.secretAccessKey}\r`);
    assert.deepEqual(await tty.exited, { status: 0, signal: null }, tty.stdout);
    assert.match(tty.stdout, /Added profile dev/);
    assert.ok(!tty.stdout.includes(cli.user.secretAccessKey), `the secret was echoed: ${JSON.stringify(tty.stdout)}`);
    assert.equal((await cli.sandbox.secrets.getLongLivedKey('dev'))?.secretAccessKey, cli.user.secretAccessKey);
  });

  test('add: backspace edits what was typed', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', cli.user.mfaSerial as string, '--access-key-id', cli.user.accessKeyId]);
    await tty.waitFor(/\(not shown\): $/);
    tty.type(`${cli.user.secretAccessKey}xy\u007f\u007f\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.equal((await cli.sandbox.secrets.getLongLivedKey('dev'))?.secretAccessKey, cli.user.secretAccessKey);
  });

  test('totp set: the TOTP secret', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const tty = terminal(['totp', 'set', 'dev']);
    await tty.waitFor(/TOTP secret or otpauth:\/\/ URI for profile dev \(not shown\): $/);
    tty.type(`${cli.user.totpSecret as string}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.ok(!tty.stdout.includes(cli.user.totpSecret as string), 'the secret was echoed');
    assert.equal(await cli.sandbox.secrets.getTotpSecret('dev'), cli.user.totpSecret);
  });

  test('Ctrl-C at the question: exit 130, nothing stored', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', cli.user.mfaSerial as string, '--access-key-id', cli.user.accessKeyId]);
    await tty.waitFor(/\(not shown\): $/);
    tty.type('abc\u0003');
    assert.equal((await tty.exited).status, 130);
    assert.match(tty.stdout, /mfa-tray add: cancelled/);
    assert.equal(await cli.sandbox.secrets.getLongLivedKey('dev'), undefined);
  });
});

describe('refresh asks for the code', () => {
  test('naming the profile and the MFA device', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sts.avoidStepEdge(8000);
    const tty = terminal(['refresh', 'dev']);
    await tty.waitFor(new RegExp(`MFA code for profile dev \\(device ${cli.user.mfaSerial as string}\\): $`));
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.match(tty.stdout, /dev: new session in \[dev\] of .*, expires .* local time \(11 h 59 min left\)/);
  });

  test('something that is not 6 digits is asked for again', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sts.avoidStepEdge(10_000);
    const tty = terminal(['refresh', 'dev']);
    await tty.waitFor(/MFA code for profile dev .*: $/);
    tty.type('12 34\r');
    await tty.waitFor(/MFA code: 4 digits; use the 6 digits your MFA device shows now\r?\n.*MFA code for profile dev .*: $/s);
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
  });

  test("--all: two profiles of one device get two codes, the second after the device's next step", async () => {
    await cli.sandbox.addProfile('a', cli.user);
    await cli.sandbox.addProfile('b', cli.user, ['--target', 'b']);
    const firstRequest = cli.sts.requests.length;
    const tty = terminal(['refresh', '--all']);
    await tty.waitFor(/MFA code for profile a .*: $/);
    await cli.sts.avoidStepEdge(3000);
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    await tty.waitFor(/a: new session/);
    await tty.waitFor(/Waiting \d+ s for the next code of MFA device \S+ \(AWS accepts each code once\)…/);
    await tty.waitFor(/MFA code for profile b .*: $/, { timeoutMs: 40_000 });
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    const [first, second] = cli.sts.requests.slice(firstRequest).filter((r) => r.action === 'GetSessionToken');
    assert.equal(first?.outcome, 'ok');
    assert.equal(second?.outcome, 'ok');
    assert.ok((second?.timeStep ?? 0) > (first?.timeStep ?? Infinity));
  });

  test('--all: typed codes are asked one at a time, in order, after the generated ones; the lines in the order given', async () => {
    const second = cli.sts.registerUser();
    const generated = cli.sts.registerUser();
    await cli.sandbox.addProfile('t1', cli.user);
    await cli.sandbox.addProfile('g1', generated);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'g1'], { input: generated.totpSecret as string })).status, 0);
    await cli.sandbox.addProfile('t2', second);
    const firstRequest = cli.sts.requests.length;
    const sent = () => cli.sts.requests.slice(firstRequest).filter((r) => r.action === 'GetSessionToken');
    const tty = terminal(['refresh', '--all']);
    await tty.waitFor(/MFA code for profile t1 .*: $/);
    assert.deepEqual(
      sent().map((r) => [r.serialNumber, r.outcome]),
      [[generated.mfaSerial, 'ok']],
      'the generated code went first',
    );
    assert.doesNotMatch(tty.stdout, /profile t2/, 'one question at a time');
    await cli.sts.avoidStepEdge(3000);
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    await tty.waitFor(/MFA code for profile t2 .*: $/);
    tty.type(`${cli.sts.currentCode(second)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.deepEqual(
      [...tty.stdout.matchAll(/^(\S+): new session in/gm)].map((m) => m[1]),
      ['t1', 'g1', 't2'],
    );
    assert.deepEqual(
      sent().map((r) => r.outcome),
      ['ok', 'ok', 'ok'],
    );
  });
});

describe('waiting for the next time step on a terminal', () => {
  test('a generated code that must wait counts down on one line, then the session is written', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
    await cli.sts.avoidStepEdge(20_000);
    assert.equal((await cli.sandbox.run(['refresh', 'dev'])).status, 0);
    const tty = terminal(['refresh', 'dev']);
    const [, first] = await tty.waitFor(/Waiting (\d+) s for the next code of MFA device \S+ \(AWS accepts each code once\)…/);
    const [, later] = await tty.waitFor(new RegExp(`Waiting (?!${first} s)(\\d+) s for the next code`));
    assert.ok(Number(later) < Number(first), `${later} after ${first}`);
    assert.ok(tty.stdout.includes(`\r\u001b[2KWaiting ${later} s`), 'the count is rewritten on the same line');
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.match(tty.stdout, /dev: new session in \[dev\]/);
  });
});

describe('a countdown given up', () => {
  test("--all: a generated code's countdown stops when STS cannot be reached, and leaves the next profile's question in view", async () => {
    // Seen in review: work's countdown went on for ~20 s after work had failed, rewriting the line
    // of other's question and then erasing it: the command looked hung.
    const other = cli.sts.registerUser();
    await cli.sandbox.addProfile('work', cli.user);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'work'], { input: cli.user.totpSecret as string })).status, 0);
    await cli.sandbox.addProfile('other', other);
    await cli.sts.avoidStepEdge(20_000);
    assert.equal((await cli.sandbox.run(['refresh', 'work'])).status, 0, 'work must now wait for its next time step');
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['refresh', '--all']), { ...cli.sandbox.env, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' }));

    await tty.waitFor(/work: .*connection was refused/);
    await tty.waitFor(/MFA code for profile other .*: $/);
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const afterQuestion = tty.stdout.slice(tty.stdout.lastIndexOf('MFA code for profile other'));
    assert.ok(
      !afterQuestion.includes('\u001b[2K') && !afterQuestion.includes('Waiting'),
      `nothing written over the question: ${JSON.stringify(afterQuestion)}`,
    );
    tty.type('\u0003');
    await tty.exited;
  });
});

describe('credential-process asks on /dev/tty', () => {
  /** credential-process on a terminal, its stdout and stderr redirected to files as the SDKs capture them. */
  function credentialProcess(env: NodeJS.ProcessEnv): { tty: CliProcess; out: string; err: string } {
    const out = join(cli.sandbox.dir, 'out.json');
    const err = join(cli.sandbox.dir, 'err.txt');
    const tty = cli.stopAfterTest(inTerminal(`${cliCommandLine(['credential-process', 'dev'])} > ${shellQuote(out)} 2> ${shellQuote(err)} < /dev/null`, env));
    return { tty, out, err };
  }

  test('a question nobody answers ends after MFA_TRAY_CODE_TIMEOUT: one line, exit 4, nothing sent', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const { tty, out, err } = credentialProcess({ ...cli.sandbox.env, MFA_TRAY_CODE_TIMEOUT: '2' });
    await tty.waitFor(/MFA code for profile dev \(device \S+\): $/);
    assert.equal((await tty.exited).status, 4, tty.stdout);
    assert.equal(readFileSync(out, 'utf8'), '');
    assert.equal(
      readFileSync(err, 'utf8'),
      "mfa-tray credential-process: No code for profile dev was typed within 2 s. Run the AWS command again with the MFA device at hand. Register the device's secret: mfa-tray totp set dev\n",
    );
    assert.equal(cli.requests('GetSessionToken').length, 0);
  });

  test('a question nobody answers, with a session still valid: that session is printed, with a note', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const cached = fakeSession(Date.now() + 10 * 60_000);
    await cli.sandbox.seedSession('dev', cached);
    const { tty, out, err } = credentialProcess({ ...cli.sandbox.env, MFA_TRAY_CODE_TIMEOUT: '1' });
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { AccessKeyId: string }).AccessKeyId, cached.accessKeyId);
    assert.match(
      readFileSync(err, 'utf8'),
      /^mfa-tray credential-process: could not refresh profile dev \(No code for profile dev was typed within 1 s\. .*\); using its current session, \d+ min left\.\n$/,
    );
  });

  test('MFA_TRAY_CODE_TIMEOUT out of range: exit 2 naming it, before anything is asked', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const result = await cli.sandbox.run(['credential-process', 'dev'], { env: { MFA_TRAY_CODE_TIMEOUT: '0' } });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^mfa-tray credential-process: MFA_TRAY_CODE_TIMEOUT: use a whole number of seconds from 1 to 3600 \(default 180\)/);
  });

  test('stdout has only the JSON and stderr nothing, while the question goes to the terminal', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const out = join(cli.sandbox.dir, 'out.json');
    const err = join(cli.sandbox.dir, 'err.txt');
    await cli.sts.avoidStepEdge(8000);
    const tty = cli.stopAfterTest(
      inTerminal(`${cliCommandLine(['credential-process', 'dev'])} > ${shellQuote(out)} 2> ${shellQuote(err)} < /dev/null`, cli.sandbox.env),
    );
    await tty.waitFor(/mfa-tray: profile dev needs a refresh \(it has no current session\)\.\r?\nMFA code for profile dev \(device \S+\): $/);
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { Version: number; AccessKeyId: string };
    assert.equal(json.Version, 1);
    assert.equal(json.AccessKeyId, cli.sts.sessions.at(-1)?.accessKeyId);
    assert.equal(readFileSync(err, 'utf8'), '');
  });
});

describe('isTty', () => {
  test("a stream Node marks as a terminal's is one; a pipe, or a stream marked otherwise, is not", () => {
    const pipe = new PassThrough();
    assert.equal(isTty(pipe), false);
    // What Node's tty.ReadStream and tty.WriteStream set (only there, and only to true).
    assert.equal(isTty(Object.assign(new PassThrough(), { isTTY: true })), true);
    assert.equal(isTty(Object.assign(new PassThrough(), { isTTY: 'yes' })), false);
  });
});
