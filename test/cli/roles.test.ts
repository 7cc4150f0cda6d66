/**
 * Role profiles: `role_arn` + `source_profile` in the AWS config file, assumed with the source's MFA
 * session (one code for every role of that user), against the loopback STS's AssumeRole (trust,
 * MFA, external id, durations, AWS's error words). Then the AWS CLI v2 itself (Debian's awscli)
 * runs `sts get-caller-identity --profile <role>` both ways users configure it.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { CliProcess, cliCommandLine, fakeSession, useCliSuite } from '../support/cli';
import { until } from '../support/until';

const cli = useCliSuite('roles');
const execFileAsync = promisify(execFile);

function configure(text: string): void {
  mkdirSync(dirname(cli.sandbox.configFile), { recursive: true });
  writeFileSync(cli.sandbox.configFile, text);
}

async function withRoles(): Promise<{ admin: string; readonly: string }> {
  await cli.sandbox.addProfile('work', cli.user);
  const admin = cli.sts.registerRole({ name: `admin-${Date.now()}`, trusts: [cli.user], requireMfa: true }).arn;
  const readonly = cli.sts.registerRole({ name: `readonly-${Date.now()}`, trusts: [cli.user], externalId: 'ext-1234' }).arn;
  configure(
    `[profile work]\nregion = us-east-1\n\n[profile admin]\nregion = us-east-1\nrole_arn = ${admin}\nsource_profile = work\nrole_session_name = alice\n\n` +
      `[profile readonly]\nregion = us-east-1\nrole_arn = ${readonly}\nsource_profile = work\nexternal_id = ext-1234\nduration_seconds = 7200\n`,
  );
  return { admin, readonly };
}

/**
 * The roles, the source with a session, [admin] with one of 10 minutes, and AssumeRole failing
 * (503) from now on: @returns admin's session and the first `credential-process admin` after it.
 */
async function roleWhileAssumeRoleFails(): Promise<{
  readonly cached: ReturnType<typeof fakeSession>;
  readonly first: Awaited<ReturnType<typeof cli.sandbox.run>>;
}> {
  await withRoles();
  await cli.sts.avoidStepEdge(5000);
  assert.equal((await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)])).status, 0, 'the source has a session');
  const cached = fakeSession(Date.now() + 10 * 60_000);
  await cli.sandbox.seedSession('admin', cached);
  cli.sts.failNext(1000, 503, 'AssumeRole');
  return { cached, first: await cli.sandbox.run(['credential-process', 'admin'], { detached: true }) };
}

/** `args` run while STS never answers AssumeRole, then Ctrl-C (SIGINT) once AssumeRole is at STS: exit 130, and its stderr. */
async function stoppedWhileAssuming(args: readonly string[]): Promise<string> {
  cli.sts.setHang(true, 'AssumeRole');
  const process = cli.stopAfterTest(new CliProcess(args, cli.sandbox.env));
  await until(() => cli.requests('AssumeRole').length > 0, 'AssumeRole at STS');
  process.child.kill('SIGINT');
  assert.deepEqual(await process.exited, { status: 130, signal: null });
  return process.stderr;
}

describe('role profiles', () => {
  test('one code for every role: the first role refreshes the source (one code), the second needs none', async () => {
    const { admin, readonly } = await withRoles();
    await cli.sts.avoidStepEdge(3000);
    const first = await cli.sandbox.run(['refresh', 'admin', '--code', cli.sts.currentCode(cli.user)], { detached: true });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^admin: new role session \\(${admin.replace(/[/.]/g, '\\$&')}, from profile work's MFA session\\) in \\[admin\\]`));
    const codes = cli.sts.count('GetSessionToken');
    const second = await cli.sandbox.run(['refresh', 'readonly'], { detached: true });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /; a role assumed with a session lasts at most 1 hour, so the 7200 s of duration_seconds were shortened to 3600\n$/);
    assert.equal(cli.sts.count('GetSessionToken'), codes, 'no second code');
    const credentials = readFileSync(cli.sandbox.credentialsFile, 'utf8');
    for (const section of ['work', 'admin', 'readonly']) assert.match(credentials, new RegExp(`^\\[${section}\\]$`, 'm'));
    const issued = cli.sts.sessions.filter((s) => s.role);
    assert.deepEqual(
      issued.map((s) => [s.role?.role.arn, s.role?.sessionName, s.mfa]),
      [
        [admin, 'alice', true],
        [readonly, 'mfa-tray-work', true],
      ],
    );
    // credential-process serves the cached role session; list shows the roles under their source.
    const served = JSON.parse((await cli.sandbox.run(['credential-process', 'admin'])).stdout);
    assert.equal(served.AccessKeyId, issued[0]?.accessKeyId);
    assert.match((await cli.sandbox.run(['list'])).stdout, /^admin\s+role, from work\s+arn:aws:iam::\d+:role\/admin-\d+\s+\d+ min left\s+\[admin\]$/m);
    // status and export take roles too.
    assert.match((await cli.sandbox.run(['status'])).stdout, /^admin\s+\[admin\]\s+valid\s+\S+ \S+\s+\d+ min\s+role of work$/m);
    const json = JSON.parse((await cli.sandbox.run(['status', '--json'])).stdout);
    assert.deepEqual(
      json.roles.map((r: { name: string; sourceProfile: string; state: string }) => [r.name, r.sourceProfile, r.state]),
      [
        ['admin', 'work', 'valid'],
        ['readonly', 'work', 'valid'],
      ],
    );
    const exported = await cli.sandbox.run(['export', 'admin']);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`^export AWS_ACCESS_KEY_ID=${issued[0]?.accessKeyId}\n`));
  });

  test("a role's session near its end and no way to assume the role again: still served, with one note on stderr, as a profile's is", async () => {
    await withRoles();
    // Five minutes left: under a role session's lead time, so credential-process tries to assume it again.
    const cached = fakeSession(Date.now() + 5 * 60_000);
    await cli.sandbox.seedSession('admin', cached);
    // The source has no session and there is no terminal to ask for a code on.
    // Seen on landed main: exit 4 ("Profile work needs a code from MFA device …, and there is no terminal or window to ask for it in.") while the role's session had 5 min left.
    const assumed = cli.sts.count('AssumeRole');
    const result = await cli.sandbox.run(['credential-process', 'admin'], { detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).AccessKeyId, cached.accessKeyId);
    assert.match(
      result.stderr,
      /^mfa-tray credential-process: could not refresh profile admin \(Profile work needs a code from MFA device \S+, and there is no terminal or window to ask for it in\.\); using its current session, [45] min left\.\n$/,
    );
    assert.equal(cli.sts.count('AssumeRole'), assumed);

    // Under a minute left: not served; the error is the answer.
    await cli.sandbox.seedSession('admin', fakeSession(Date.now() + 30_000, 'B'));
    const late = await cli.sandbox.run(['credential-process', 'admin'], { detached: true });
    assert.equal(late.status, 4, late.stderr);
    assert.equal(late.stdout, '');
  });

  test("a role's session near its end while AssumeRole fails (503): the next calls serve it at once, without asking AWS, as a profile's", async () => {
    // Seen in review: role profiles never backed off, and their note said "Not tried again before …".
    const { cached, first } = await roleWhileAssumeRoleFails();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).AccessKeyId, cached.accessKeyId);
    assert.match(
      first.stderr,
      /could not refresh profile admin \(.*503.*\); using its current session, (9|10) min left\. Not tried again before \d\d:\d\d:\d\d\.\n$/,
    );
    const assumed = cli.sts.count('AssumeRole');
    const second = await cli.sandbox.run(['credential-process', 'admin'], { detached: true });
    assert.equal(JSON.parse(second.stdout).AccessKeyId, cached.accessKeyId);
    assert.match(second.stderr, /^mfa-tray credential-process: using the current session of profile admin \((9|10) min left\): its refresh failed at /);
    assert.equal(cli.sts.count('AssumeRole'), assumed, 'AWS not asked again');
    // status says so for the role too (seen in review: profiles only).
    assert.match(
      (await cli.sandbox.run(['status'])).stdout,
      /\nadmin: its last refresh, at \d\d:\d\d:\d\d, failed: .*503.* until \d\d:\d\d:\d\d; mfa-tray refresh admin tries now\.\n/,
    );
    cli.sts.clearFaults();
  });

  test("a role's wait after AWS could not be reached is forgotten when its source profile changes, as the source's own is", async () => {
    // Seen in review: editing the source's region forgot the source's wait, and left its roles' (up to the longest wait).
    const { cached, first } = await roleWhileAssumeRoleFails();
    assert.match(first.stderr, /Not tried again before \d\d:\d\d:\d\d\.\n$/);
    cli.sts.clearFaults();
    const assumed = cli.sts.count('AssumeRole');

    const edited = await cli.sandbox.run(['edit', 'work', '--region', 'us-west-2']);
    assert.equal(edited.status, 0, edited.stderr);

    const next = await cli.sandbox.run(['credential-process', 'admin'], { detached: true });
    assert.equal(next.status, 0, next.stderr);
    assert.ok(cli.sts.count('AssumeRole') > assumed, 'tried at once');
    assert.notEqual(JSON.parse(next.stdout).AccessKeyId, cached.accessKeyId, 'and served the new session');
    assert.doesNotMatch((await cli.sandbox.run(['status'])).stdout, /\nadmin: its last refresh/);
  });

  test("a role profile: doctor checks its source; edit refuses its section as another profile's target", async () => {
    // Seen (exploratory tester): `doctor admin` said "There is no profile admin" (refresh, export and
    // list accept it), and `edit … --target admin` was accepted, the two then overwriting each other.
    await withRoles();
    const doctor = await cli.sandbox.run(['doctor', 'admin', '--json']);
    const checks = JSON.parse(doctor.stdout) as Array<{ check: string; profile: string | null }>;
    assert.ok(!checks.some((c) => c.check === 'profile'), doctor.stdout);
    assert.ok(
      checks.some((c) => c.check === 'key' && c.profile === 'work'),
      doctor.stdout,
    );

    await cli.sandbox.addProfile('bob', cli.sts.registerUser());
    const edit = await cli.sandbox.run(['edit', 'bob', '--target', 'admin']);
    assert.equal(edit.status, 2, edit.stderr);
    assert.match(edit.stderr, /^mfa-tray edit: target section: \[admin\] is where role profile admin \(assumed from profile work\) writes its session/);
    // And as a new profile's target.
    const carol = cli.sts.registerUser();
    const add = await cli.sandbox.run(['add', 'carol', '--mfa-serial', carol.mfaSerial as string, '--access-key-id', carol.accessKeyId, '--target', 'admin'], {
      input: `${carol.secretAccessKey}\n`,
    });
    assert.equal(add.status, 2, add.stderr);
    assert.match(add.stderr, /^mfa-tray add: target section: \[admin\] is where role profile admin/);
  });

  test('Ctrl-C while AWS assumes the role: one line saying no code is spent on that, exit 130', async () => {
    await withRoles();
    await cli.sts.avoidStepEdge(5000);
    assert.equal((await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)])).status, 0, 'the source has a session');
    assert.equal(
      await stoppedWhileAssuming(['refresh', 'admin']),
      'mfa-tray refresh: stopped (Ctrl-C) while AWS was assuming role profile admin (no code is spent on that); nothing was written.\n',
    );
  });

  test('Ctrl-C while AWS assumes the role, its source refreshed first: the line says the source got its session', async () => {
    // Seen in review: "nothing was written", though [work] had just got a new session for its code.
    await withRoles();
    await cli.sts.avoidStepEdge(5000);
    assert.equal(
      await stoppedWhileAssuming(['refresh', 'admin', '--code', cli.sts.currentCode(cli.user)]),
      'mfa-tray refresh: stopped (Ctrl-C) while AWS was assuming role profile admin (no code is spent on that); nothing was written for it; profile work got its new session first (its code used).\n',
    );
    assert.match(readFileSync(cli.sandbox.credentialsFile, 'utf8'), /\[work\]\naws_access_key_id = ASIA/);
  });

  test("a role that does not trust the user, or wants another external id: one line in the role's words, exit 7", async () => {
    await cli.sandbox.addProfile('work', cli.user);
    const stranger = cli.sts.registerUser();
    const other = cli.sts.registerRole({ name: `other-${Date.now()}`, trusts: [stranger] }).arn;
    configure(`[profile other]\nrole_arn = ${other}\nsource_profile = work\n`);
    await cli.sts.avoidStepEdge(3000);
    const result = await cli.sandbox.run(['refresh', 'other', '--code', cli.sts.currentCode(cli.user)], { detached: true });
    assert.equal(result.status, 7, result.stderr);
    assert.equal(
      result.stderr,
      `mfa-tray refresh: other: The role ${other} (role profile other) refused the session of profile work: its trust policy does not name this IAM user, or it wants an external id (external_id in the role profile). The session has MFA, so a trust policy that wants MFA is met.\n`,
    );
    assert.doesNotMatch(readFileSync(cli.sandbox.credentialsFile, 'utf8'), /^\[other\]$/m);
  });

  test("a role profile's value AWS refuses (role_session_name, role_arn): one line naming that setting of the config file, exit 7", async () => {
    await cli.sandbox.addProfile('work', cli.user);
    const admin = cli.sts.registerRole({ name: `admin-${Date.now()}`, trusts: [cli.user] }).arn;
    configure(
      `[profile named]\nrole_arn = ${admin}\nsource_profile = work\nrole_session_name = bad name\n\n[profile arn]\nrole_arn = not-an-arn\nsource_profile = work\n`,
    );
    await cli.sts.avoidStepEdge(3000);
    // Seen on landed main: "AWS refused a value in the request as out of range. Check the profile's
    // duration and MFA device, and the code." (an AssumeRole with a session sends neither).
    const named = await cli.sandbox.run(['refresh', 'named', '--code', cli.sts.currentCode(cli.user)], { detached: true });
    assert.equal(named.status, 7, named.stderr);
    assert.equal(
      named.stderr,
      'mfa-tray refresh: named: AWS refused the role session name: it must be 2 to 64 of the characters A–Z a–z 0–9 and +=,.@-_ (role_session_name in the AWS config file).\n',
    );
    const arn = await cli.sandbox.run(['refresh', 'arn'], { detached: true });
    assert.equal(arn.status, 7, arn.stderr);
    assert.equal(
      arn.stderr,
      "mfa-tray refresh: arn: AWS refused the role's ARN: it must be an IAM role's, arn:aws:iam::<12-digit account>:role/<name> (role_arn in the AWS config file).\n",
    );
  });

  test('a config file that cannot be read: status and list still show the profiles, then one line says why the roles are missing, exit 6', async () => {
    await cli.sandbox.addProfile('work', cli.user);
    const generated = cli.sts.registerUser();
    await cli.sandbox.addProfile('gen', generated);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'gen'], { input: generated.totpSecret as string })).status, 0);
    // A folder where the file should be: unreadable even as root (CI runs as root, so no chmod).
    mkdirSync(cli.sandbox.configFile, { recursive: true });
    for (const argv of [['status'], ['status', '--json'], ['list']]) {
      const result = await cli.sandbox.run(argv);
      assert.equal(result.status, 6, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, argv.includes('--json') ? /"name": "work"/ : /^work\s/m, argv.join(' '));
      // Seen on landed main: list said "typed" and status --json "person" for work, whose
      // mfa_process (if any) is in the file that could not be read. A TOTP secret is still known.
      if (argv[0] === 'list') {
        assert.match(result.stdout, /^work\s+unknown\s/m, result.stdout);
        assert.match(result.stdout, /^gen\s+TOTP secret, auto\s/m, result.stdout);
      }
      if (argv.includes('--json')) {
        const { profiles } = JSON.parse(result.stdout) as { profiles: Array<{ name: string; codeSource: string; selfRefreshing: boolean }> };
        assert.deepEqual(
          profiles.map((p) => [p.name, p.codeSource, p.selfRefreshing]),
          [
            ['work', 'unknown', false],
            ['gen', 'totp', true],
          ],
        );
      }
      const lines = result.stderr.split('\n').filter((line) => line !== '');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', new RegExp(`^mfa-tray ${argv[0]}: .*${cli.sandbox.configFile.replace(/[/.]/g, '\\$&')}.* Role profiles are not shown\\.$`));
    }
  });
});

describe('role chains', () => {
  test('a role assumed from another role: refresh, credential-process, exec and export say it is a chain and who assumes it, exit 3, nothing sent', async () => {
    const { admin } = await withRoles();
    const deep = cli.sts.registerRole({ name: `deep-${Date.now()}`, trusts: [cli.user] }).arn;
    configure(
      `${readFileSync(cli.sandbox.configFile, 'utf8')}\n[profile deep]\nrole_arn = ${deep}\nsource_profile = admin\n\n` +
        `[profile loop]\nrole_arn = ${admin}\nsource_profile = loop\n\n[profile stray]\nrole_arn = ${admin}\nsource_profile = nobody\n`,
    );
    const sent = cli.sts.requests.length;
    for (const argv of [
      ['refresh', 'deep', '--code', '123456'],
      ['credential-process', 'deep'],
      ['exec', 'deep', '--', 'true'],
      ['export', 'deep'],
    ]) {
      const result = await cli.sandbox.run(argv);
      assert.equal(result.status, 3, `${argv.join(' ')}: ${result.stderr}`);
      // Seen on landed main: "There is no profile named "deep"; the profiles are: work."
      assert.equal(
        result.stderr,
        `mfa-tray ${argv[0]}: Profile "deep" in ${cli.sandbox.configFile} is a role assumed from another role profile, "admin" (a role chain): ` +
          `MFA Tray assumes only roles whose source_profile is one of its profiles. The AWS CLI and SDKs assume it themselves (aws --profile deep …), ` +
          'starting from the role session MFA Tray writes into [admin]: get it with mfa-tray refresh admin\n',
      );
    }
    // A role whose source is nothing MFA Tray knows, or itself: no profile of that name, as before.
    for (const name of ['loop', 'stray']) {
      const result = await cli.sandbox.run(['refresh', name, '--code', '123456']);
      assert.equal(result.status, 3, result.stderr);
      assert.match(result.stderr, new RegExp(`^mfa-tray refresh: There is no profile named "${name}"; `));
    }
    assert.equal(cli.sts.requests.length, sent, 'nothing sent to AWS');
  });
});

describe('the AWS CLI v2 with role profiles', () => {
  test('get-caller-identity runs as each assumed role through credential_process, after a single code', async () => {
    // Debian's awscli package (v2) is /usr/bin/aws; another aws earlier on PATH may be v1.
    const awsCli = ['/usr/bin/aws', 'aws'].find((file) => /^aws-cli\/2\./.test(spawnSync(file, ['--version'], { encoding: 'utf8' }).stdout ?? ''));
    assert.ok(awsCli !== undefined, 'the AWS CLI v2 is needed for this test: apt-get install -y awscli');
    const { admin, readonly } = await withRoles();
    writeFileSync(
      cli.sandbox.configFile,
      `${readFileSync(cli.sandbox.configFile, 'utf8')}\n[profile admin-mfa-tray]\nregion = us-east-1\ncredential_process = ${cliCommandLine(['credential-process', 'admin'])}\n` +
        `\n[profile readonly-mfa-tray]\nregion = us-east-1\ncredential_process = ${cliCommandLine(['credential-process', 'readonly'])}\n`,
    );
    await cli.sts.avoidStepEdge(3000);
    assert.equal((await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)])).status, 0);
    const codes = cli.sts.count('GetSessionToken');
    // Asynchronously: the loopback STS answers from this very process.
    const whoAmI = async (profile: string): Promise<string> => {
      const run = await execFileAsync(awsCli, ['sts', 'get-caller-identity', '--profile', profile, '--endpoint-url', cli.sts.endpoint, '--output', 'json'], {
        encoding: 'utf8',
        env: { ...cli.sandbox.env, AWS_PAGER: '' },
        timeout: 60_000,
      }).catch((error: { stderr?: string; stdout?: string; message?: string }) =>
        assert.fail(`aws --profile ${profile}: ${error.message ?? ''} ${error.stderr ?? ''} ${error.stdout ?? ''}`),
      );
      return (JSON.parse(run.stdout) as { Arn: string }).Arn;
    };
    const roleName = (arn: string): string => arn.split('/').pop() as string;
    assert.match(await whoAmI('admin-mfa-tray'), new RegExp(`:assumed-role/${roleName(admin)}/alice$`));
    assert.match(await whoAmI('readonly-mfa-tray'), new RegExp(`:assumed-role/${roleName(readonly)}/mfa-tray-work$`));
    // (`--profile admin` itself, with role_arn in its section, makes the AWS CLI assume the role on its
    // own from [work]'s session; the CLI 2.9 of Debian cannot point that call at a test endpoint.)
    assert.equal(cli.sts.count('GetSessionToken'), codes, 'one code in all');
  });
});

describe('exec with a role profile', () => {
  test("runs the command with the role's session and region", async () => {
    await withRoles();
    await cli.sts.avoidStepEdge(3000);
    assert.equal((await cli.sandbox.run(['refresh', 'admin', '--code', cli.sts.currentCode(cli.user)])).status, 0);
    const result = await cli.sandbox.run([
      'exec',
      'admin',
      '--',
      process.execPath,
      '-e',
      'process.stdout.write(process.env.AWS_ACCESS_KEY_ID + " " + process.env.AWS_REGION)',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const role = cli.sts.sessions.filter((s) => s.role).at(-1);
    assert.equal(result.stdout, `${role?.accessKeyId} us-east-1`);
  });
});
