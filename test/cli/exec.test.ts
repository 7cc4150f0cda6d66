/**
 * `mfa-tray exec`: a real child process gets the session in its environment, the terminal's
 * input, the signals, and gives back its exit status.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CliProcess, fakeSession, useCliSuite } from '../support/cli';
import { until } from '../support/until';

const cli = useCliSuite('exec');

/** A node one-liner for the child (node is on PATH wherever the tests run). */
const node = (script: string): string[] => [process.execPath, '-e', script];
const PRINT_ENV = `const k=['AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_SESSION_TOKEN','AWS_CREDENTIAL_EXPIRATION','AWS_REGION','AWS_DEFAULT_REGION','AWS_PROFILE','AWS_DEFAULT_PROFILE'];process.stdout.write(JSON.stringify(Object.fromEntries(k.map(n=>[n,process.env[n]??null]))))`;

async function withSession(name = 'dev'): Promise<ReturnType<typeof fakeSession>> {
  await cli.sandbox.addProfile(name, cli.user, ['--region', 'eu-central-1']);
  const session = fakeSession(Date.now() + 3600_000);
  await cli.sandbox.seedSession(name, session);
  return session;
}

describe('exec', () => {
  test('runs the command with the session and region set and AWS_PROFILE removed', async () => {
    const session = await withSession();
    const env = { ...cli.sandbox.env, AWS_PROFILE: 'other', AWS_DEFAULT_PROFILE: 'other' };
    const result = await cli.sandbox.run(['exec', 'dev', '--', ...node(PRINT_ENV)], { env });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.deepEqual(JSON.parse(result.stdout), {
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      // As `export` prints it (the AWS CLI's form).
      AWS_CREDENTIAL_EXPIRATION: /AWS_CREDENTIAL_EXPIRATION=(\S+)/.exec((await cli.sandbox.run(['export', 'dev'])).stdout)?.[1],
      AWS_REGION: 'eu-central-1',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_PROFILE: null,
      AWS_DEFAULT_PROFILE: null,
    });
  });

  test("passes the command's exit status and stdin through; takes the command without -- and the profile from --profile or AWS_PROFILE", async () => {
    await withSession();
    const exit7 = await cli.sandbox.run(['exec', 'dev', ...node('process.exit(7)')]);
    assert.equal(exit7.status, 7, exit7.stderr);
    const echoed = await cli.sandbox.run(['exec', '--profile', 'dev', ...node('process.stdin.pipe(process.stdout)')], { input: 'from the terminal\n' });
    assert.equal(echoed.status, 0, echoed.stderr);
    assert.equal(echoed.stdout, 'from the terminal\n');
    // The command's own options are its own, --help included.
    const own = await cli.sandbox.run(['exec', '--', ...node('process.stdout.write(process.argv.slice(1).join(" "))'), '--', '--help', '-h'], {
      env: { ...cli.sandbox.env, AWS_PROFILE: 'dev' },
    });
    assert.equal(own.status, 0, own.stderr);
    assert.equal(own.stdout, '--help -h');
  });

  test('a signal that ends the command gives 128 + its number; SIGTERM sent to mfa-tray reaches the command', async () => {
    await withSession();
    const killed = await cli.sandbox.run(['exec', 'dev', '--', ...node("process.kill(process.pid, 'SIGKILL')")]);
    assert.equal(killed.status, 128 + 9);
    const running = cli.stopAfterTest(
      new CliProcess(
        [
          'exec',
          'dev',
          '--',
          ...node("process.on('SIGTERM',()=>{console.log('child got SIGTERM');process.exit(42)});console.log('ready');setInterval(()=>{},1000)"),
        ],
        cli.sandbox.env,
      ),
    );
    await running.waitFor(/ready/);
    running.child.kill('SIGTERM');
    assert.deepEqual(await running.exited, { status: 42, signal: null });
    assert.match(running.stdout, /child got SIGTERM/);
  });

  test('without a command, starts the shell; an unknown command is one line and 127', async () => {
    const session = await withSession();
    const shell = await cli.sandbox.run(['exec', 'dev'], { env: { ...cli.sandbox.env, SHELL: '/bin/sh' }, input: 'echo "$AWS_ACCESS_KEY_ID"; exit 3\n' });
    assert.equal(shell.status, 3, shell.stderr);
    assert.equal(shell.stdout, `${session.accessKeyId}\n`);
    const missing = await cli.sandbox.run(['exec', 'dev', '--', 'no-such-command-mfa-tray']);
    assert.equal(missing.status, 127);
    assert.equal(missing.stderr, 'mfa-tray exec: no-such-command-mfa-tray: command not found\n');
  });

  test('says so when the environment already holds AWS credentials, and replaces them', async () => {
    const session = await withSession();
    const env = { ...cli.sandbox.env, AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLDOLD1', AWS_SESSION_TOKEN: 'old' };
    const result = await cli.sandbox.run(['exec', 'dev', '--', ...node(PRINT_ENV)], { env });
    assert.equal(result.status, 0);
    assert.equal(
      result.stderr,
      "mfa-tray exec: note: this environment already holds AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN; the command gets profile dev's session instead.\n",
    );
    assert.equal(JSON.parse(result.stdout).AWS_ACCESS_KEY_ID, session.accessKeyId);
    assert.ok(!result.stderr.includes(session.secretAccessKey));
  });

  test('refreshes first when there is no session (TOTP), then runs the command with the new one', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
    const result = await cli.sandbox.run(['exec', 'dev', '--', ...node(PRINT_ENV)]);
    assert.equal(result.status, 0, result.stderr);
    const issued = cli.sts.sessions.at(-1);
    assert.equal(JSON.parse(result.stdout).AWS_SESSION_TOKEN, issued?.sessionToken);
  });

  test('Ctrl-C while AWS answers the refresh first: one line saying the code may be used up, exit 130, the command not run', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
    cli.sts.setHang(true, 'GetSessionToken');
    const marker = `ran-${Date.now()}`;
    const process = cli.stopAfterTest(new CliProcess(['exec', 'dev', '--', 'echo', marker], cli.sandbox.env));
    await until(() => cli.requests('GetSessionToken').length > 0, 'the code sent to STS');
    process.child.kill('SIGINT');
    assert.deepEqual(await process.exited, { status: 130, signal: null });
    assert.match(process.stderr, /^mfa-tray exec: stopped \(Ctrl-C\) while AWS was answering for profile dev: its code may be used up /m);
    assert.doesNotMatch(process.stdout, new RegExp(marker));
  });

  test('without a session, a code or a terminal: one line, exit 4, the command not run', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const result = await cli.sandbox.run(['exec', 'dev', '--', ...node("require('fs').writeFileSync('ran','')")], { detached: true });
    assert.equal(result.status, 4, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^mfa-tray exec: Profile dev needs a new session and a code from MFA device \S+, but there is no terminal to ask on\./);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
