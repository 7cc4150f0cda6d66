/**
 * `mfa-tray doctor`: each problem it names, in a world built for it (real keychain, real files,
 * the loopback STS and IAM), and a clean world where every check passes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, useCliSuite, type CliResult } from '../support/cli';
import { envWithoutSecretService } from '../support/keyring';

const cli = useCliSuite('doctor');

interface CheckJson {
  check: string;
  profile: string | null;
  verdict: 'pass' | 'warn' | 'fail';
  message: string;
  fix: string | null;
}

function writeFile(path: string, text: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

async function doctor(args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ result: CliResult; checks: CheckJson[] }> {
  const result = await cli.sandbox.run(['doctor', ...args, '--json'], { env });
  assert.equal(result.stderr, '', 'no failure line: doctor reports, it does not fail');
  return { result, checks: JSON.parse(result.stdout) as CheckJson[] };
}

function find(checks: CheckJson[], check: string, verdict: CheckJson['verdict'], pattern: RegExp): CheckJson {
  const found = checks.find((c) => c.check === check && c.verdict === verdict && pattern.test(c.message));
  assert.ok(found, `no ${verdict} ${check} matching ${pattern} in:\n${checks.map((c) => `${c.verdict} ${c.check}: ${c.message}`).join('\n')}`);
  return found;
}

/** A profile with a session, clean files: everything passes. */
async function cleanWorld(): Promise<void> {
  await cli.sandbox.addProfile('work', cli.user);
  writeFile(cli.sandbox.configFile, `[profile work]\nregion = us-east-1\nmfa_serial = ${cli.user.mfaSerial}\n`);
  await cli.sts.avoidStepEdge();
  const refreshed = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)]);
  assert.equal(refreshed.status, 0, refreshed.stderr);
  chmodSync(cli.sandbox.credentialsFile, 0o600);
}

describe('doctor', () => {
  test('a clean world: every check passes, exit 0, one line each', async () => {
    await cleanWorld();
    const { result, checks } = await doctor();
    assert.equal(result.status, 0, result.stdout);
    assert.deepEqual(
      checks.filter((c) => c.verdict !== 'pass'),
      [],
    );
    assert.deepEqual([...new Set(checks.map((c) => c.check))], ['environment', 'keychain', 'key', 'device', 'clock', 'files', 'session']);
    const text = await cli.sandbox.run(['doctor']);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /^ok {4}key \(work\): AKIA…\w{4} is long-lived and active: arn:aws:iam::123456789012:user\/\S+\.$/m);
    assert.match(text.stdout, /^ok {4}session \(work\): A session with 1[12] h \d+ min left\.$/m);
    // Seen on landed main: "… and …/config read cleanly." for a config file that is not there.
    assert.match(checks.find((c) => c.check === 'files')?.message ?? '', /credentials reads cleanly; .*config reads cleanly\.$/);
    rmSync(cli.sandbox.configFile);
    const withoutConfig = await doctor();
    assert.match(withoutConfig.checks.find((c) => c.check === 'files')?.message ?? '', /credentials reads cleanly; .*config does not exist \(yet\)\.$/);
  });

  test('AWS credentials or AWS_PROFILE in the environment: named, with the fix; exit 9', async () => {
    await cleanWorld();
    const { result, checks } = await doctor([], { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SESSION_TOKEN: 'x', AWS_PROFILE: 'other' });
    assert.equal(result.status, 9);
    assert.equal(
      find(checks, 'environment', 'fail', /AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN are set in this environment/).fix,
      'unset AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN',
    );
    find(checks, 'environment', 'warn', /AWS_PROFILE=other/);
  });

  test('no Secret Service to reach: the keychain check fails with the reason; no crash', async () => {
    await cleanWorld();
    const { result, checks } = await doctor([], envWithoutSecretService(cli.sandbox.env));
    assert.equal(result.status, 9);
    find(checks, 'keychain', 'fail', /./);
  });

  test("a key AWS does not know, a device of another account, a device not among the user's", async () => {
    await cleanWorld();
    const stranger = cli.sts.registerUser();
    await cli.sandbox.addProfile('gone', stranger);
    await cli.sandbox.secrets.setLongLivedKey('gone', { accessKeyId: 'AKIAZZZZZZZZZZZZZZZZ', secretAccessKey: stranger.secretAccessKey });
    await cli.sandbox.addProfile('elsewhere', cli.sts.registerUser(), ['--force']);
    const editedOther = await cli.sandbox.run(['edit', 'elsewhere', '--mfa-serial', 'arn:aws:iam::999999999999:mfa/someone']);
    assert.equal(editedOther.status, 0, editedOther.stderr);
    await cli.sandbox.addProfile('unlisted', cli.sts.registerUser());
    const editedUnlisted = await cli.sandbox.run(['edit', 'unlisted', '--mfa-serial', 'arn:aws:iam::123456789012:mfa/not-theirs']);
    assert.equal(editedUnlisted.status, 0, editedUnlisted.stderr);
    const { result, checks } = await doctor();
    assert.equal(result.status, 9);
    const gone = find(checks, 'key', 'fail', /AWS does not recognise access key/);
    assert.equal(gone.profile, 'gone');
    // A command that runs as given (seen in review: "mfa-tray add gone --force" alone is refused, missing its options).
    assert.match(
      gone.fix ?? '',
      /^mfa-tray add gone --force --access-key-id <id> --mfa-serial arn:aws:iam::\d+:mfa\/\S+ --target gone --region us-east-1 --duration \d+, with a working key$/,
    );
    assert.equal(find(checks, 'device', 'fail', /is in account 999999999999, the key's user in 123456789012/).profile, 'elsewhere');
    assert.equal(find(checks, 'device', 'fail', /arn:aws:iam::123456789012:mfa\/not-theirs is not among this user's MFA devices/).profile, 'unlisted');
    // `doctor <profile>`: that profile's checks alone.
    const one = await doctor(['work']);
    assert.equal(one.result.status, 0, one.result.stdout);
  });

  test('one damaged keychain entry fails its own profile only (all keys are read in one keychain call)', async () => {
    await cleanWorld();
    await cli.sandbox.addProfile('damaged', cli.sts.registerUser());
    await cli.sandbox.keychain.store.set('long-lived-key', 'damaged', 'not what MFA Tray writes');
    const { result, checks } = await doctor();
    assert.equal(result.status, 9);
    const damaged = find(checks, 'key', 'fail', /./);
    assert.equal(damaged.profile, 'damaged');
    assert.equal(checks.find((c) => c.check === 'key' && c.profile === 'work')?.verdict, 'pass');
    // Seen in review: the fix was `mfa-tray add damaged --force`, which would set the profile's
    // section, region and duration back to their defaults; it repeats them now.
    assert.match(
      damaged.fix ?? '',
      /^mfa-tray add damaged --force --access-key-id <id> --mfa-serial arn:\S+ --target damaged --region us-east-1 --duration 43200, or mfa-tray import damaged --from <section> --force --mfa-serial arn:\S+ --target damaged --region us-east-1 --duration 43200$/,
    );
  });

  test("this computer's clock against AWS's: within a minute passes, two minutes warns, ten fails", async () => {
    await cleanWorld();
    cli.sts.setClockSkew(2 * 60_000);
    find((await doctor()).checks, 'clock', 'warn', /clock is about 2 minutes behind AWS's: MFA Tray allows for it/);
    cli.sts.setClockSkew(10 * 60_000);
    const far = await doctor();
    find(far.checks, 'clock', 'fail', /about 10 minutes behind AWS's: AWS refuses requests signed that far off/);
  });

  test('the files: readable by others, a duplicate section, a long-lived key where sessions go, a differing mfa_serial, a credential_process that cannot run', async () => {
    await cleanWorld();
    await cli.sandbox.addProfile('legacy', cli.sts.registerUser());
    writeFile(
      cli.sandbox.credentialsFile,
      `[legacy]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n[dup]\nregion = x\n[dup]\nregion = y\n`,
      0o644,
    );
    writeFile(
      cli.sandbox.configFile,
      `[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/old-phone\n\n[profile work-mfa]\ncredential_process = mfa-tray-not-installed credential-process work\n\n[profile work-abs]\ncredential_process = ${join(ROOT, 'bin', 'mfa-tray.js')} credential-process work\n` +
        // Seen (exploratory tester): "ok" for a line naming a removed profile, and "not on PATH" for a full path.
        `\n[profile withcp]\ncredential_process = ${join(ROOT, 'bin', 'mfa-tray.js')} credential-process p3\n\n[profile nowhere]\ncredential_process = /nonexistent/mfa-tray credential-process work\n` +
        `\n[profile unnamed]\ncredential_process = ${join(ROOT, 'bin', 'mfa-tray.js')} credential-process\n`,
    );
    const { result, checks } = await doctor();
    assert.equal(result.status, 9);
    find(checks, 'files', 'warn', /can be read by other users \(mode 644\)/);
    find(checks, 'files', 'fail', /\[dup\] appears 2 times in .*: the AWS CLI cannot read a file like that/);
    assert.equal(find(checks, 'files', 'fail', /\[legacy\] in .* holds a long-lived key, and profile legacy's sessions go there/).profile, 'legacy');
    find(checks, 'files', 'warn', /\[profile work\] in .* says mfa_serial = arn:aws:iam::123456789012:mfa\/old-phone; MFA Tray's profile uses/);
    find(checks, 'credential_process', 'fail', /\[profile work-mfa\] in .* runs "mfa-tray-not-installed", which is not on PATH/);
    find(checks, 'credential_process', 'pass', /\[profile work-abs\] runs /);
    find(
      checks,
      'credential_process',
      'fail',
      /\[profile withcp\] in .* runs mfa-tray credential-process p3, but MFA Tray has no profile p3: every AWS command/,
    );
    find(checks, 'credential_process', 'fail', /\[profile nowhere\] in .* runs "\/nonexistent\/mfa-tray", which does not exist or cannot be run/);
    find(
      checks,
      'credential_process',
      'fail',
      /\[profile unnamed\] in .* runs mfa-tray credential-process without a profile: the AWS CLI does not pass its profile/,
    );
  });

  test('a settings file that cannot be read: the settings check fails, and no credential_process line is said to name a missing profile', async () => {
    // Seen in review: with no profiles read, every `mfa-tray credential-process work` line failed, with "add it" as the fix.
    await cleanWorld();
    writeFile(cli.sandbox.configFile, `[profile work-mfa]\ncredential_process = ${join(ROOT, 'bin', 'mfa-tray.js')} credential-process work\n`);
    writeFile(join(cli.sandbox.configDir, 'settings.json'), '{ not json');
    const { checks } = await doctor();
    find(checks, 'settings', 'fail', /settings/i);
    assert.ok(!checks.some((c) => c.check === 'credential_process' && c.verdict === 'fail'), JSON.stringify(checks));
  });

  test('files the AWS CLI cannot parse: a BOM, a line that is no key, a key set twice, a lone CR; each named with its line, and the AWS CLI agrees', async () => {
    // Seen in review: "reads cleanly" (and status "valid") for files every aws command refused with
    // "Unable to parse config file"; for a lone CR, the fix offered was a refresh, which refuses it.
    await cleanWorld();
    const session = readFileSync(cli.sandbox.credentialsFile, 'utf8');
    const config = readFileSync(cli.sandbox.configFile, 'utf8');
    const awsCli = ['/usr/bin/aws', 'aws'].find((file) => /^aws-cli\//.test(spawnSync(file, ['--version'], { encoding: 'utf8' }).stdout ?? ''));
    assert.ok(awsCli !== undefined, 'the AWS CLI is needed for this test: apt-get install -y awscli');
    const cases = [
      { file: 'credentials', text: `\uFEFF${session}`, message: /^.*credentials begins with a byte-order mark \(BOM\): the AWS CLI cannot read it\.$/ },
      {
        file: 'config',
        text: `${config}this line has no equals\n`,
        message: /^Line 4 of .*config is neither a \[section\], a key = value nor a comment: the AWS CLI cannot read it\.$/,
      },
      {
        file: 'credentials',
        text: `${session}\n[other]\nregion = a\nRegion = b\n`,
        message: /^\[other\] in .*credentials sets region twice \(line \d+; keys are compared without case\): the AWS CLI cannot read it\.$/,
      },
      { file: 'config', text: `region = eu-west-1\n${config}`, message: /^Line 1 of .*config comes before any \[section\]: the AWS CLI cannot read it\.$/ },
    ];
    for (const { file, text, message } of cases) {
      const path = file === 'config' ? cli.sandbox.configFile : cli.sandbox.credentialsFile;
      writeFile(path, text);
      try {
        const aws = spawnSync(awsCli, ['configure', 'get', 'region', '--profile', 'work'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ...cli.sandbox.env },
        });
        assert.match(aws.stderr, /Unable to parse config file/, `the AWS CLI reads it: ${aws.stdout}${aws.stderr}`);
        const { result, checks } = await doctor();
        assert.equal(result.status, 9, message.source);
        find(checks, 'files', 'fail', message);
        assert.equal(
          checks.find((c) => c.check === 'files' && c.verdict === 'pass'),
          undefined,
          'no "reads cleanly" beside it',
        );
      } finally {
        writeFile(cli.sandbox.credentialsFile, session);
        writeFile(cli.sandbox.configFile, config);
      }
    }
    // A lone CR: the AWS CLI reads it, but a refresh stops before its code: said here, with the fix.
    writeFile(cli.sandbox.credentialsFile, session.replace(/\n$/, '\r# note\n'));
    const { checks } = await doctor();
    const loneCr = find(checks, 'files', 'fail', /has a line ending of a lone CR \(line \d+; an old Mac format\): a refresh stops before sending its code\.$/);
    assert.match(loneCr.fix ?? '', /mac2unix/);
    // …and the session check does not offer that refresh (seen in review).
    assert.ok(
      checks.every((c) => !/mfa-tray refresh/.test(c.fix ?? '')),
      JSON.stringify(checks.map((c) => c.fix)),
    );
  });

  test("a config profile of the target's name that gets its credentials another way (a role, SSO): the files check fails, and the AWS CLI agrees", async () => {
    // Seen in review: status "valid" and every doctor check ok, while `aws --profile work` assumed
    // the role of [profile work] (or looked for an SSO token) and never used the session in [work].
    await cleanWorld();
    const config = readFileSync(cli.sandbox.configFile, 'utf8');
    const awsCli = ['/usr/bin/aws', 'aws'].find((file) => /^aws-cli\//.test(spawnSync(file, ['--version'], { encoding: 'utf8' }).stdout ?? ''));
    assert.ok(awsCli !== undefined, 'the AWS CLI is needed for this test: apt-get install -y awscli');
    for (const [key, extra, refusal] of [
      ['role_arn', 'role_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n', /source_profile "base"/],
      [
        'sso_account_id',
        'sso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
        /Error loading SSO Token/,
      ],
      // Incomplete, or empty: the AWS CLI goes by the key being there (seen in review: passed here).
      ['sso_role_name', 'sso_role_name = Admin\n', /missing required configuration/],
      ['role_arn', 'role_arn =\n', /Partial credentials found in assume-role/],
    ] as const) {
      writeFile(cli.sandbox.configFile, `${config}${extra}`);
      try {
        // The AWS CLI goes that way (and fails before asking AWS), not to the session in [work].
        const aws = spawnSync(awsCli, ['sts', 'get-caller-identity', '--profile', 'work'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ...cli.sandbox.env },
        });
        assert.notEqual(aws.status, 0, aws.stdout);
        assert.match(aws.stderr, refusal);
        const { result, checks } = await doctor();
        assert.equal(result.status, 9);
        const failed = find(
          checks,
          'files',
          'fail',
          new RegExp(
            `^\\[profile work\\] in \\S+ sets ${key}: the AWS CLI then gets --profile work's credentials that way, and never uses the session MFA Tray writes into \\[work\\]`,
          ),
        );
        assert.equal(failed.profile, 'work');
      } finally {
        writeFile(cli.sandbox.configFile, config);
      }
    }
    const clean = await doctor();
    assert.equal(clean.result.status, 0, 'no such key: no such failure');
  });

  const ownFilesFix = (dir: string) => `sudo chown -R "$USER" '${dir}' && chmod -R go-w '${dir}'`;

  test("MFA Tray's own files that others may write: the files check names each, with the fix; not a lock under way, nor a file not MFA Tray's", async () => {
    await cleanWorld();
    const dir = cli.sandbox.configDir;
    chmodSync(join(dir, 'written-sessions.json'), 0o664);
    // A lock held as doctor looks (proper-lockfile makes it by the umask: 0775 under umask 002),
    // and a file of Electron's in the same folder (the tray app's userData): neither is reported.
    mkdirSync(join(dir, 'locks', 'refresh-work.lock'), { recursive: true });
    chmodSync(join(dir, 'locks', 'refresh-work.lock'), 0o775);
    writeFile(join(dir, 'Preferences'), '{}', 0o664);
    const { checks } = await doctor();
    const found = find(checks, 'files', 'warn', /not yours alone/);
    assert.match(found.message, /: written-sessions\.json \(writable by group or others\)\. MFA Tray cannot always update them/);
    assert.ok(!/lock|Preferences|settings\.json/.test(found.message), found.message);
    assert.equal(found.fix, ownFilesFix(dir));
  });

  test(
    "MFA Tray's own files another user owns (a `sudo mfa-tray …` leaves root's): named with their owner",
    { skip: process.getuid?.() !== 0 && 'needs root to give a file to another user' },
    async () => {
      await cleanWorld();
      const dir = cli.sandbox.configDir;
      // Found in review: the record of failed refreshes made root's by a `sudo mfa-tray refresh`
      // was neither trusted nor replaced, so the back-off after an outage was off, and nothing said so.
      writeFile(join(dir, 'failed-refreshes.json'), '{"version":1,"entries":{}}\n');
      chownSync(join(dir, 'failed-refreshes.json'), 65534, 65534);
      const { checks } = await doctor();
      const found = find(checks, 'files', 'warn', /not yours alone/);
      assert.match(found.message, /: failed-refreshes\.json \(user 65534's\)\. /);
      assert.equal(found.fix, ownFilesFix(dir));
    },
  );

  test('a credentials file a refresh could not write: the files check fails (as the refresh would, before its code)', async () => {
    // Seen on landed main: "reads cleanly", then a session check whose fix (refresh) failed the same way.
    await cleanWorld();
    chmodSync(cli.sandbox.credentialsFile, 0o400);
    const { result, checks } = await doctor();
    assert.equal(result.status, 9);
    const failed = find(checks, 'files', 'fail', /^The credentials file .* is read-only: a refresh stops before sending its code\.$/);
    assert.equal(failed.fix, 'make it writable (chmod u+w) if MFA Tray should update it');
    assert.equal(
      checks.find((c) => c.check === 'files' && c.verdict === 'pass'),
      undefined,
      'no "reads cleanly" beside it',
    );
  });

  test('a credentials file that is a link to a missing file: the files check fails (as a refresh would, before its code)', async () => {
    await cleanWorld();
    await cli.sandbox.addProfile('other', cli.user);
    const target = join(cli.sandbox.dir, 'vault', 'credentials');
    rmSync(cli.sandbox.credentialsFile);
    symlinkSync(target, cli.sandbox.credentialsFile);
    const { result, checks } = await doctor();
    // Seen on landed main: "No session yet. Fix: mfa-tray refresh other", a refresh that stops at the link.
    assert.equal(find(checks, 'session', 'warn', /^No session yet\.$/).fix, 'see the files check');
    assert.equal(find(checks, 'session', 'fail', /not in the credentials file|does not hold|no \[work\]/).fix, 'see the files check');
    assert.equal(result.status, 9);
    const failed = find(
      checks,
      'files',
      'fail',
      /^The credentials file .* is a link to .*vault\/credentials, which does not exist: a refresh stops before sending its code\.$/,
    );
    assert.equal(failed.fix, `mount or restore ${target} (or create it, if it should be new), or replace the link with a file`);
  });

  test('an AWS config file the SDK cannot read: the files check fails; the key is not blamed, nor AWS for not answering', async () => {
    await cleanWorld();
    rmSync(cli.sandbox.configFile);
    mkdirSync(cli.sandbox.configFile); // a folder where the file should be
    rmSync(join(cli.sandbox.configDir, 'clock-offset.json')); // no measurement of another process's to fall back on
    try {
      const { result, checks } = await doctor();
      assert.equal(result.status, 9);
      find(checks, 'files', 'fail', /Cannot read .*config: it is a folder, not a regular file/);
      const key = find(checks, 'key', 'warn', /could not be checked: Cannot read the AWS file .*config: it is a folder/);
      assert.doesNotMatch(key.fix ?? '', /mfa-tray add/, 'a working key is not to be replaced');
      const clock = find(checks, 'clock', 'warn', /could not be compared/);
      assert.doesNotMatch(clock.message, /did not answer/);
      assert.match(clock.message, /nothing could be sent to AWS \(the key check says why\)/);
    } finally {
      rmSync(cli.sandbox.configFile, { recursive: true, force: true });
    }
  });

  test('an AWS_CA_BUNDLE that cannot be used: the key check fails with why (no key to replace); the clock check says nothing was sent', async () => {
    await cleanWorld();
    rmSync(join(cli.sandbox.configDir, 'clock-offset.json'));
    const bundle = join(cli.sandbox.dir, 'no-such-ca.pem');
    const { result, checks } = await doctor([], { AWS_CA_BUNDLE: bundle });
    assert.equal(result.status, 9);
    const key = find(checks, 'key', 'fail', /could not be checked: .*AWS_CA_BUNDLE/);
    assert.doesNotMatch(key.fix ?? '', /mfa-tray add/);
    find(checks, 'clock', 'warn', /could not be compared with AWS's: nothing could be sent to AWS/);
  });

  test('sessions: none yet is a warning with the refresh to run', async () => {
    await cli.sandbox.addProfile('fresh', cli.user);
    const { checks } = await doctor();
    assert.equal(find(checks, 'session', 'warn', /No session yet/).fix, 'mfa-tray refresh fresh');
  });

  // Seen: the credentials file was rewritten by another tool (its [work] gone, or holding another
  // key); `doctor` said "A session with 11 h left" and exit 0 while every AWS command failed.
  test("sessions: a session that is not in the credentials file's section fails, with what the section holds", async () => {
    await cleanWorld();
    const written = readFileSync(cli.sandbox.credentialsFile, 'utf8');
    for (const [file, pattern] of [
      [
        '[other]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n',
        /^The session MFA Tray has for work \(1[12] h \d+ min left\) is not in the credentials file \S+: it has no \[work\] section\. AWS tools that read the file with profile work do not get it\.$/,
      ],
      [
        written.replace(/aws_access_key_id = \S+/, 'aws_access_key_id = ASIAOTHERKEYEXAMPLE1'),
        /is not in the credentials file \S+: its \[work\] holds another key \(ASIA…PLE1\)\. AWS tools/,
      ],
    ] as const) {
      writeFile(cli.sandbox.credentialsFile, file);
      const { result, checks } = await doctor();
      assert.equal(result.status, 9);
      const failed = find(checks, 'session', 'fail', pattern);
      assert.equal(failed.fix, 'mfa-tray refresh work');
      assert.equal(readFileSync(cli.sandbox.credentialsFile, 'utf8'), file, 'doctor changes nothing');
    }
    // A repeated section (one that holds the session, then another key): the AWS CLI cannot read the
    // file at all, and a refresh would not write it, so the fix is the files check's.
    writeFile(cli.sandbox.credentialsFile, `${written}${written.replace(/aws_access_key_id = \S+/, 'aws_access_key_id = ASIAOTHERKEYEXAMPLE2')}`);
    const repeated = find((await doctor()).checks, 'session', 'fail', /: \[work\] appears 2 times in it, which the AWS CLI cannot read: merge them into one\./);
    assert.equal(repeated.fix, 'see the files check');
    // Seen (review): a credentials file deleted altogether still passed.
    rmSync(cli.sandbox.credentialsFile);
    const { result, checks } = await doctor();
    assert.equal(result.status, 9);
    find(checks, 'session', 'fail', /is not in the credentials file \S+: the file does not exist\./);
    assert.equal(existsSync(cli.sandbox.credentialsFile), false, 'doctor creates nothing');
  });
});
