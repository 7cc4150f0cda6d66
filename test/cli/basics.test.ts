/**
 * `mfa-tray` as a whole: help for every command, the launcher, and usage errors (one line on
 * stderr, exit status 2, nothing touched).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EXIT } from '../../main/cli/exit-codes';
import { COMMAND_NAMES, loadCommands } from '../../main/cli/run';
import { REPO_BIN, ROOT, useCliSuite, type CliResult } from '../support/cli';

// One sandbox for the file: these tests only read, and a keychain per test would cost time.
const cli = useCliSuite('basics', { scope: 'file' });

/** One line on stderr, nothing on stdout, the given exit status. */
function assertFailure(result: CliResult, status: number, pattern: RegExp): void {
  assert.equal(result.status, status, `exit status; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr, got: ${result.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

describe('help', () => {
  test('mfa-tray --help lists every command and the exit statuses', async () => {
    const result = await cli.sandbox.run(['--help']);
    assert.equal(result.status, 0);
    for (const name of COMMAND_NAMES) assert.match(result.stdout, new RegExp(`^  ${name} `, 'm'));
    assert.match(result.stdout, /Exit status: 0 success/);
    // Every status the command can end with is explained (9, doctor's, was missing).
    const statuses = result.stdout.slice(result.stdout.indexOf('Exit status:'), result.stdout.indexOf('Environment:'));
    for (const status of Object.values(EXIT)) assert.match(statuses, new RegExp(`(^|[:;]\\s+)${status} [A-Za-z]`), `exit ${status}`);
    assert.equal(result.stderr, '');
  });

  test('each command is loaded from the module its words name (only the command that runs is loaded)', async () => {
    assert.deepEqual(
      (await loadCommands()).map((c) => c.name),
      COMMAND_NAMES,
    );
  });

  for (const name of COMMAND_NAMES) {
    test(`mfa-tray ${name} --help prints its usage and exits 0 without touching anything`, async () => {
      const result = await cli.sandbox.run([...name.split(' '), '--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: mfa-tray ${name}`));
      assert.match(result.stdout, /-h, --help/);
      assert.equal(result.stderr, '');
      assert.equal(existsSync(cli.sandbox.configDir), false, 'no settings folder created');
    });
  }

  test('-h works too, also after other options', async () => {
    const result = await cli.sandbox.run(['refresh', '--all', '-h']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage: mfa-tray refresh/);
  });

  test("mfa-tray help <command> is the command's help", async () => {
    const result = await cli.sandbox.run(['help', 'export']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage: mfa-tray export/);
  });

  test('mfa-tray totp --help shows both totp commands', async () => {
    const result = await cli.sandbox.run(['totp', '--help']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^Usage: mfa-tray totp set <profile>\n[\s\S]*\nUsage: mfa-tray totp remove <profile>\n/);
  });

  test('--version prints the package version', async () => {
    const result = await cli.sandbox.run(['--version']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

describe('usage errors: one line, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /^mfa-tray: no command given; the commands are add, import/],
    ['an unknown command', ['frobnicate'], /^mfa-tray: unknown command "frobnicate"/],
    ['totp without subcommand', ['totp'], /^mfa-tray: totp needs a subcommand/],
    ['an unknown totp subcommand', ['totp', 'show', 'dev'], /^mfa-tray: unknown totp subcommand "show"/],
    ['an unknown option', ['status', '--colour'], /^mfa-tray status: unknown option --colour; see mfa-tray status --help$/],
    ['an option without its value', ['refresh', 'dev', '--code'], /^mfa-tray refresh: --code needs a value/],
    // Seen on landed main: "--duration needs a value", with the value right there.
    [
      'a value starting with a dash',
      ['add', 'dev', '--duration', '-900'],
      /^mfa-tray add: --duration needs a value; to give one that starts with "-", write --duration=<value>/,
    ],
    // Seen (exploratory tester): the dash advice, when the word after --code is another option.
    [
      'another option where the value goes',
      ['refresh', '--code', '--all'],
      /^mfa-tray refresh: --code needs a value; --all is another option; see mfa-tray refresh --help$/,
    ],
    ['a value for a flag', ['status', '--json=yes'], /^mfa-tray status: --json takes no value/],
    ['a missing profile', ['export'], /^mfa-tray export: missing <profile>/],
    ['an extra argument', ['export', 'a', 'b'], /^mfa-tray export: takes one <profile>; unexpected extra argument/],
    ['arguments to status', ['status', 'dev'], /^mfa-tray status: takes no arguments/],
    ['add without --access-key-id', ['add', 'dev', '--mfa-serial', 'arn:aws:iam::123456789012:mfa/dev'], /^mfa-tray add: missing --access-key-id <id>/],
    ['edit without a change', ['edit', 'dev'], /^mfa-tray edit: nothing to change/],
    ['refresh without profiles', ['refresh'], /^mfa-tray refresh: missing <profile> \(or --all, --profile <p>, AWS_PROFILE\)/],
    ['refresh with profiles and --all', ['refresh', 'dev', '--all'], /^mfa-tray refresh: give profile names or --all, not both/],
    ['refresh --code with two profiles', ['refresh', 'a', 'b', '--code', '123456'], /^mfa-tray refresh: --code goes with exactly one profile/],
    ['refresh --code with --all', ['refresh', '--all', '--code', '123456'], /^mfa-tray refresh: --code goes with exactly one profile/],
    // Seen: the last of two values was taken without a word (a serial pasted twice, a code typed twice).
    [
      'an option given twice',
      [
        'add',
        'dev',
        '--access-key-id',
        'AKIAIOSFODNN7EXAMPLE',
        '--mfa-serial',
        'arn:aws:iam::123456789012:mfa/a',
        '--mfa-serial=arn:aws:iam::123456789012:mfa/b',
      ],
      /^mfa-tray add: --mfa-serial is given twice; give it once; see mfa-tray add --help$/,
    ],
    ['a code given twice', ['refresh', 'dev', '--code', '123456', '--code=654321'], /^mfa-tray refresh: --code is given twice; give it once/],
    ['--profile given twice', ['export', '--profile', 'a', '--profile', 'b'], /^mfa-tray export: --profile is given twice; give it once/],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      assertFailure(await cli.sandbox.run(args), 2, pattern);
      assert.equal(existsSync(cli.sandbox.configDir), false, 'nothing created');
    });
  }

  test('a secret on the command line is refused without echoing it', async () => {
    const result = await cli.sandbox.run(['add', 'dev', '--secret-access-key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    assertFailure(result, 2, /--secret-access-key is not accepted: a secret on the command line ends up in your shell history/);
    assert.doesNotMatch(result.stderr, /wJalrXUtnFEMI/);
  });
});

describe("bad values: one line naming the value's rule, exit 2", () => {
  const serial = 'arn:aws:iam::123456789012:mfa/dev';
  const key = 'AKIAIOSFODNN7EXAMPLE';
  const cases: [string, string[], RegExp][] = [
    ['a profile name with a space', ['export', 'my profile'], /profile name: a space is not allowed/],
    [
      'a user ARN as MFA serial',
      ['add', 'dev', '--mfa-serial', 'arn:aws:iam::123456789012:user/dev', '--access-key-id', key],
      /MFA device: this is the ARN of a user, not of an MFA device/,
    ],
    ['a security key as MFA serial', ['add', 'dev', '--mfa-serial', 'arn:aws:iam::123456789012:u2f/user/dev/k-ABC', '--access-key-id', key], /security key/],
    [
      'a temporary key id',
      ['add', 'dev', '--mfa-serial', serial, '--access-key-id', 'ASIAIOSFODNN7EXAMPLE'],
      /access key ID: an access key ID starting with ASIA is temporary/,
    ],
    ['a duration out of range', ['add', 'dev', '--mfa-serial', serial, '--access-key-id', key, '--duration', '60'], /session duration: 60 is out of range/],
    ['a region that is not one', ['add', 'dev', '--mfa-serial', serial, '--access-key-id', key, '--region', 'moon-1'], /region: "moon-1" is not a region code/],
    ['a bad target section', ['add', 'dev', '--mfa-serial', serial, '--access-key-id', key, '--target', 'a]b'], /target section: "]" is not allowed/],
    ['a code that is not 6 digits', ['refresh', 'dev', '--code', '12345'], /MFA code: 5 digits; use the 6 digits/],
    [
      'an unknown export format',
      ['export', 'dev', '--format', 'yaml'],
      /--format: "yaml" is not a format; use one of env, env-no-export, fish, powershell, windows-cmd, process/,
    ],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      assertFailure(await cli.sandbox.run(args), 2, pattern);
    });
  }
});

describe('a relative MFA_TRAY_CONFIG_DIR: one line, exit 2, nothing made', () => {
  // Seen on landed main: taken from the current folder, so `credential_process` (run from wherever
  // the AWS command was) found no profiles, and `add` made a config folder where the user stood.
  for (const args of [
    ['status'],
    ['add', 'dev', '--mfa-serial', 'arn:aws:iam::123456789012:mfa/dev', '--access-key-id', 'AKIAIOSFODNN7EXAMPLE'],
    ['credential-process', 'dev'],
  ]) {
    test(args[0] as string, async () => {
      const folder = `relative-config-${process.pid}`;
      const result = await cli.sandbox.run(args, { env: { MFA_TRAY_CONFIG_DIR: folder }, input: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' });
      assertFailure(
        result,
        2,
        new RegExp(
          `^mfa-tray ${args[0]}: MFA_TRAY_CONFIG_DIR is "${folder}", a relative path: set it to an absolute path \\(or unset it for the default folder\\)\\.$`,
        ),
      );
      assert.equal(existsSync(join(ROOT, folder)), false, 'no folder made in the current one');
    });
  }
});

describe('the launcher', () => {
  test('without a build it says to run npm run build, in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-nobuild-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(REPO_BIN, join(dir, 'bin', 'mfa-tray.js'));
      const result = await runWith(join(dir, 'bin', 'mfa-tray.js'));
      assertFailure(result, 1, /^mfa-tray: the command is not built yet .*run: npm run build$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('npx mfa-tray --help works in the repository (package.json "bin")', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync('npx', ['--no-install', 'mfa-tray', '--help'], {
      cwd: join(REPO_BIN, '..', '..'),
      // No registry: npm's update check would otherwise go online (with a fresh HOME, every time).
      // No scripts: npx runs the package's `prepare` (the build) first, which empties app/dist/
      // while other test files are reading it (seen: "app/dist/cli.cjs is missing" in a full run).
      env: { ...cli.sandbox.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_ignore_scripts: 'true' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, `npx: ${result.error?.message ?? ''} ${result.stderr}`);
    assert.match(result.stdout, /^mfa-tray: AWS sessions from an MFA code/);
  });
});

async function runWith(script: string): Promise<CliResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, '--help'], { env: cli.sandbox.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
