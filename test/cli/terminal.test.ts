/**
 * Questions on a terminal, in a real pseudo-terminal (util-linux `script`): the secret access key
 * and the TOTP secret without echo, MFA codes for `refresh` (one profile, several of one device,
 * a mistyped code, Ctrl-C), and `credential-process` asking on /dev/tty while its stdout and
 * stderr go to files, as when an AWS SDK runs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { cliCommandLine, createCliSandbox, ensureCliBuilt, inTerminal, shellQuote, type CliProcess, type CliSandbox } from '../support/cli';
import { startStsServer, type StsServer, type StsUser } from '../support/sts-server';

let sts: StsServer;
let sandbox: CliSandbox;
let user: StsUser;
let running: CliProcess | undefined;

before(async () => {
  assert.equal(spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status, 0, 'these tests need util-linux `script` (Debian: apt-get install -y bsdutils)');
  await ensureCliBuilt();
  sts = await startStsServer();
});

after(async () => {
  await sts.close();
});

beforeEach(() => {
  sandbox = createCliSandbox(sts, 'tty');
  user = sts.registerUser();
});

afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
  await sandbox.cleanup();
});

function terminal(args: readonly string[]): CliProcess {
  running = inTerminal(cliCommandLine(args), sandbox.env);
  return running;
}

describe('secrets are asked for without echo', () => {
  test('add: the secret access key', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', user.mfaSerial as string, '--access-key-id', user.accessKeyId]);
    await tty.waitFor(/Secret access key for AKIA…\w{4} \(not shown\): $/);
    tty.type(`${user.secretAccessKey}\r`);
    assert.deepEqual(await tty.exited, { status: 0, signal: null }, tty.stdout);
    assert.match(tty.stdout, /Added profile dev/);
    assert.ok(!tty.stdout.includes(user.secretAccessKey), `the secret was echoed: ${JSON.stringify(tty.stdout)}`);
    assert.equal((await sandbox.secrets.getLongLivedKey('dev'))?.secretAccessKey, user.secretAccessKey);
  });

  test('add: backspace edits what was typed', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', user.mfaSerial as string, '--access-key-id', user.accessKeyId]);
    await tty.waitFor(/\(not shown\): $/);
    tty.type(`${user.secretAccessKey}xy\u007f\u007f\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.equal((await sandbox.secrets.getLongLivedKey('dev'))?.secretAccessKey, user.secretAccessKey);
  });

  test('totp set: the TOTP secret', async () => {
    await sandbox.addProfile('dev', user);
    const tty = terminal(['totp', 'set', 'dev']);
    await tty.waitFor(/TOTP secret or otpauth:\/\/ URI for profile dev \(not shown\): $/);
    tty.type(`${user.totpSecret as string}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.ok(!tty.stdout.includes(user.totpSecret as string), 'the secret was echoed');
    assert.equal(await sandbox.secrets.getTotpSecret('dev'), user.totpSecret);
  });

  test('Ctrl-C at the question: exit 130, nothing stored', async () => {
    const tty = terminal(['add', 'dev', '--mfa-serial', user.mfaSerial as string, '--access-key-id', user.accessKeyId]);
    await tty.waitFor(/\(not shown\): $/);
    tty.type('abc\u0003');
    assert.equal((await tty.exited).status, 130);
    assert.match(tty.stdout, /mfa-tray add: cancelled/);
    assert.equal(await sandbox.secrets.getLongLivedKey('dev'), undefined);
  });
});

describe('refresh asks for the code', () => {
  test('naming the profile and the MFA device', async () => {
    await sandbox.addProfile('dev', user);
    await sts.avoidStepEdge(8000);
    const tty = terminal(['refresh', 'dev']);
    await tty.waitFor(new RegExp(`MFA code for profile dev \\(device ${user.mfaSerial as string}\\): $`));
    tty.type(`${sts.currentCode(user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.match(tty.stdout, /dev: new session in \[dev\] of .*, expires .* local time \(11 h 59 min left\)/);
  });

  test('something that is not 6 digits is asked for again', async () => {
    await sandbox.addProfile('dev', user);
    await sts.avoidStepEdge(10_000);
    const tty = terminal(['refresh', 'dev']);
    await tty.waitFor(/MFA code for profile dev .*: $/);
    tty.type('12 34\r');
    await tty.waitFor(/MFA code: 4 digits; use the 6 digits your MFA device shows now\r?\n.*MFA code for profile dev .*: $/s);
    tty.type(`${sts.currentCode(user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
  });

  test('--all: two profiles of one device get two codes, the second after the device\'s next step', async () => {
    await sandbox.addProfile('a', user);
    await sandbox.addProfile('b', user, ['--target', 'b']);
    const firstRequest = sts.requests.length;
    const tty = terminal(['refresh', '--all']);
    await tty.waitFor(/MFA code for profile a .*: $/);
    await sts.avoidStepEdge(3000);
    tty.type(`${sts.currentCode(user)}\r`);
    await tty.waitFor(/a: new session/);
    await tty.waitFor(/Waiting \d+ s for the next code of MFA device \S+ \(AWS accepts each code once\)…/);
    await tty.waitFor(/MFA code for profile b .*: $/, { timeoutMs: 40_000 });
    tty.type(`${sts.currentCode(user)}\r`);
    assert.equal((await tty.exited).status, 0, tty.stdout);
    const [first, second] = sts.requests.slice(firstRequest).filter((r) => r.action === 'GetSessionToken');
    assert.equal(first?.outcome, 'ok');
    assert.equal(second?.outcome, 'ok');
    assert.ok((second?.timeStep ?? 0) > (first?.timeStep ?? Infinity));
  });
});

describe('credential-process asks on /dev/tty', () => {
  test('stdout has only the JSON and stderr nothing, while the question goes to the terminal', async () => {
    await sandbox.addProfile('dev', user);
    const out = join(sandbox.dir, 'out.json');
    const err = join(sandbox.dir, 'err.txt');
    await sts.avoidStepEdge(8000);
    running = inTerminal(`${cliCommandLine(['credential-process', 'dev'])} > ${shellQuote(out)} 2> ${shellQuote(err)} < /dev/null`, sandbox.env);
    await running.waitFor(/mfa-tray: profile dev needs a refresh \(it has no current session\)\.\r?\nMFA code for profile dev \(device \S+\): $/);
    running.type(`${sts.currentCode(user)}\r`);
    assert.equal((await running.exited).status, 0, running.stdout);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { Version: number; AccessKeyId: string };
    assert.equal(json.Version, 1);
    assert.equal(json.AccessKeyId, sts.sessions.at(-1)?.accessKeyId);
    assert.equal(readFileSync(err, 'utf8'), '');
  });
});
