/**
 * `mfa-tray credential-process` as the AWS SDK uses it: the SDK's own `credential_process` provider
 * (@aws-sdk/credential-provider-process) runs the command named in a config file, and the
 * credentials it returns work against (the loopback) STS. Also: a cached session is served without
 * STS and without loading the AWS SDK; near expiry it refreshes with TOTP; without a way to get a
 * code it serves what is still valid, or fails with one line. (The /dev/tty question is in
 * terminal.test.ts.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { cliBin, cliDist, fakeSession, useCliSuite, type CliResult } from '../support/cli';
import { fillUp, mountTmpfs, whyNoMount } from '../support/fault-mount';
import { envWithoutSecretService } from '../support/keyring';

const cli = useCliSuite('credproc');

interface ProcessJson {
  readonly Version: number;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
}

/** stdout must be exactly the Version 1 JSON: nothing else, ever. */
function parseOutput(result: CliResult): ProcessJson {
  assert.equal(result.status, 0, result.stderr);
  const json = JSON.parse(result.stdout) as ProcessJson;
  assert.deepEqual(Object.keys(json), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
  assert.equal(json.Version, 1);
  return json;
}

async function withTotp(name: string): Promise<void> {
  await cli.sandbox.addProfile(name, cli.user);
  assert.equal((await cli.sandbox.run(['totp', 'set', name], { input: cli.user.totpSecret as string })).status, 0);
}

/** The URLs of the bundle's chunks whose text matches `pattern` (esbuild marks each module's source path). */
function chunksMatching(pattern: RegExp): Set<string> {
  const dir = join(cliDist(), 'chunks');
  const found = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.mjs'))) {
    if (pattern.test(readFileSync(join(dir, name), 'utf8'))) found.add(pathToFileURL(join(dir, name)).href);
  }
  return found;
}

/** The bundle's chunks that hold the AWS SDK (client-sts and the @smithy runtime). */
function sdkChunks(): Set<string> {
  return chunksMatching(/^\/\/ \S*node_modules\/@(aws-sdk|smithy)\//m);
}

/**
 * Node options that log every file of ours the process loads to `logFile`: ES modules through a
 * module-loader hook, CommonJS files (the launcher's fast path, app/dist/cli-fast.cjs) through a
 * preload that wraps Node's CommonJS loader.
 */
function loadLogger(logFile: string): string[] {
  const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(logFile)}, url + '\\n');
  return next(url, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const preload = join(dirname(logFile), 'log-require.cjs');
  writeFileSync(
    preload,
    `const Module = require('node:module'); const { appendFileSync } = require('node:fs'); const { pathToFileURL } = require('node:url');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try { const file = Module._resolveFilename(request, parent, isMain); if (file.startsWith('/')) appendFileSync(${JSON.stringify(logFile)}, pathToFileURL(file).href + '\\n'); } catch {}
  return load.apply(this, arguments);
};\n`,
  );
  return ['--require', preload, '--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

describe("the AWS SDK's credential_process provider", () => {
  const saved: Record<string, string | undefined> = {};
  const names = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'MFA_TRAY_CONFIG_DIR', 'MFA_TRAY_KEYCHAIN_SERVICE', 'AWS_ENDPOINT_URL_STS', 'TZ'];

  beforeEach(() => {
    // The provider runs the command with this process's environment, as the AWS CLI would.
    for (const name of names) {
      saved[name] = process.env[name];
      process.env[name] = cli.sandbox.env[name];
    }
  });

  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  function writeConfig(profile: string): void {
    mkdirSync(dirname(cli.sandbox.configFile), { recursive: true });
    writeFileSync(
      cli.sandbox.configFile,
      `[profile work]\nregion = us-east-1\ncredential_process = "${process.execPath}" "${cliBin()}" credential-process ${profile}\n`,
    );
  }

  test('reads the session, and the credentials work against STS', async () => {
    await withTotp('dev');
    writeConfig('dev');
    const provider = fromProcess({ profile: 'work', filepath: cli.sandbox.credentialsFile, configFilepath: cli.sandbox.configFile });
    const credentials = await provider();
    const issued = cli.sts.sessions.at(-1);
    assert.ok(issued && issued.user.accessKeyId === cli.user.accessKeyId, 'the command refreshed first (no session yet)');
    assert.equal(credentials.accessKeyId, issued.accessKeyId);
    assert.equal(credentials.secretAccessKey, issued.secretAccessKey);
    assert.equal(credentials.sessionToken, issued.sessionToken);
    assert.equal(credentials.expiration?.getTime(), issued.expiresAt);

    const client = new STSClient({ region: 'us-east-1', endpoint: cli.sts.endpoint, credentials: provider });
    try {
      const identity = await client.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, cli.user.arn);
    } finally {
      client.destroy();
    }
  });

  test('a failure reaches the SDK as an error carrying the one line', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    writeConfig('dev');
    const provider = fromProcess({ profile: 'work', filepath: cli.sandbox.credentialsFile, configFilepath: cli.sandbox.configFile });
    // The SDK runs the command without a terminal here (the tests have none): no code can be asked for.
    await assert.rejects(provider(), (error: Error) =>
      /mfa-tray credential-process: Profile dev needs a new session and a code from MFA device/.test(error.message),
    );
  });
});

describe('serving the cached session', () => {
  test('more than 15 minutes left: printed as it is, no STS call, by the fast path alone', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const cached = fakeSession(Date.UTC(2099, 0, 1, 0, 0, 0));
    await cli.sandbox.seedSession('dev', cached);
    const log = join(cli.sandbox.dir, 'loaded.txt');
    writeFileSync(log, '');
    const result = await cli.sandbox.run(['credential-process', 'dev'], { nodeArgs: loadLogger(log) });
    const json = parseOutput(result);
    assert.equal(result.stderr, '');
    assert.deepEqual(json, {
      Version: 1,
      AccessKeyId: cached.accessKeyId,
      SecretAccessKey: cached.secretAccessKey,
      SessionToken: cached.sessionToken,
      Expiration: '2099-01-01T00:00:00+00:00',
    });
    assert.equal(cli.requests().length, 0);

    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const fast = join(cliDist(), 'cli-fast.cjs');
    assert.ok(loaded.includes(pathToFileURL(fast).href), 'the load log works');
    // Answered by the CommonJS fast path alone: not one ES module of the bundle (cli.mjs, a chunk).
    const dist = pathToFileURL(cliDist()).href;
    assert.deepEqual(
      loaded.filter((url) => url.startsWith(dist) && url.endsWith('.mjs')),
      [],
      'an ES module of the command was loaded',
    );
    // And the fast path holds nothing only a refresh or another command needs: the AWS SDK, TOTP,
    // file locking, the engine, the other commands.
    const fastText = readFileSync(fast, 'utf8');
    const heavy = [
      ['the AWS SDK', /^\/\/ \S*node_modules\/@(aws-sdk|smithy)\//m],
      ['otplib', /^\/\/ \S*node_modules\/(otplib|@noble)\//m],
      ['proper-lockfile', /^\/\/ \S*node_modules\/proper-lockfile\//m],
      ['the engine', /^\/\/ main\/engine\/engine\.ts$/m],
      ['the other commands', /^\/\/ main\/cli\/commands\/refresh\.ts$/m],
    ] as const;
    for (const [what, pattern] of heavy) {
      assert.ok(chunksMatching(pattern).size > 0, `the bundle has a chunk with ${what}`);
      assert.doesNotMatch(fastText, pattern, `the fast path holds ${what}`);
    }
  });

  test('control: a refresh does load the AWS SDK chunks', async () => {
    await withTotp('dev');
    const log = join(cli.sandbox.dir, 'loaded.txt');
    writeFileSync(log, '');
    parseOutput(await cli.sandbox.run(['credential-process', 'dev'], { nodeArgs: loadLogger(log) }));
    const sdk = sdkChunks();
    assert.ok(
      readFileSync(log, 'utf8')
        .split('\n')
        .some((url) => sdk.has(url)),
    );
  });

  test('15 minutes or less left, with TOTP: refreshes first and prints the new session', async () => {
    await withTotp('dev');
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() + 14 * 60_000));
    const json = parseOutput(await cli.sandbox.run(['credential-process', 'dev']));
    const issued = cli.sts.sessions.at(-1);
    assert.equal(json.AccessKeyId, issued?.accessKeyId);
    assert.equal(cli.requests('GetSessionToken').length, 1);
    assert.ok(readFileSync(cli.sandbox.credentialsFile, 'utf8').includes(issued?.sessionToken ?? '?'), 'the credentials file has it too');
  });

  test('a 900 s profile: its new session is served as it is, not refreshed on every call; refreshed once in its last quarter', async () => {
    await cli.sandbox.addProfile('short', cli.user, ['--duration', '900']);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'short'], { input: cli.user.totpSecret as string })).status, 0);
    const first = parseOutput(await cli.sandbox.run(['credential-process', 'short']));
    assert.equal(cli.requests('GetSessionToken').length, 1);
    for (let i = 0; i < 3; i++) assert.equal(parseOutput(await cli.sandbox.run(['credential-process', 'short'])).AccessKeyId, first.AccessKeyId);
    assert.equal(cli.requests('GetSessionToken').length, 1, 'one code per 900 s session, not one per AWS command');
    // In its last quarter (225 s), the next call refreshes.
    await cli.sandbox.seedSession('short', fakeSession(Date.now() + 200_000));
    const renewed = parseOutput(await cli.sandbox.run(['credential-process', 'short']));
    assert.equal(cli.requests('GetSessionToken').length, 2);
    assert.equal(renewed.AccessKeyId, cli.sts.sessions.at(-1)?.accessKeyId);
  });

  test(
    'the credentials file cannot take the new session (a full disk): served from the keychain with one note; the next call spends no code',
    { skip: whyNoMount() },
    async () => {
      await withTotp('dev');
      const aws = dirname(cli.sandbox.credentialsFile);
      mkdirSync(aws, { recursive: true });
      const unmount = mountTmpfs(aws, 64);
      try {
        writeFileSync(cli.sandbox.credentialsFile, '[default]\nregion = eu-west-1\n', { mode: 0o600 });
        await fillUp(aws);
        const before = readFileSync(cli.sandbox.credentialsFile);

        // Seen on landed main: exit 6, and the session AWS gave for the code was thrown away.
        const result = await cli.sandbox.run(['credential-process', 'dev']);
        const json = parseOutput(result);
        const issued = cli.sts.sessions.at(-1);
        assert.equal(json.AccessKeyId, issued?.accessKeyId);
        assert.match(
          result.stderr,
          /^mfa-tray credential-process: Cannot write the credentials file .*: the disk is full\. The file was left as it was\. The new session from AWS \(about 12 hours left\) is kept in the keychain: .*\n$/,
        );
        assert.deepEqual(readFileSync(cli.sandbox.credentialsFile), before);

        const again = await cli.sandbox.run(['credential-process', 'dev']);
        assert.equal(parseOutput(again).AccessKeyId, issued?.accessKeyId);
        assert.equal(again.stderr, '');
        assert.equal(cli.requests('GetSessionToken').length, 1, 'one code, one session');
        // status says where the session is not.
        const status = await cli.sandbox.run(['status']);
        assert.match(status.stdout, /^dev +\[dev\] +not in file +/m);
        assert.match(
          status.stdout,
          /\ndev: The session MFA Tray has for dev \(11 h 59 min left\) is not in the credentials file .*: it has no \[dev\] section\./,
        );
      } finally {
        unmount(); // before the sandbox folder is removed
      }
    },
  );

  test('no way to get a code but still valid: served, with one note on stderr', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    const cached = fakeSession(Date.now() + 10 * 60_000);
    await cli.sandbox.seedSession('dev', cached);
    const result = await cli.sandbox.run(['credential-process', 'dev'], { detached: true });
    assert.equal(parseOutput(result).AccessKeyId, cached.accessKeyId);
    assert.match(
      result.stderr,
      /^mfa-tray credential-process: could not refresh profile dev \(Profile dev needs a new session and a code .*\); using its current session, (9|10) min left\.\n$/,
    );
  });

  test('STS down near expiry: the still-valid session is served', async () => {
    await withTotp('dev');
    const cached = fakeSession(Date.now() + 5 * 60_000);
    await cli.sandbox.seedSession('dev', cached);
    const result = await cli.sandbox.run(['credential-process', 'dev'], { env: { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' } });
    assert.equal(parseOutput(result).AccessKeyId, cached.accessKeyId);
    assert.match(result.stderr, /could not refresh profile dev \(Could not reach STS/);
  });
});

describe("the session in the profile's section of the credentials file", () => {
  const inFile = fakeSession(Date.UTC(2099, 0, 1, 0, 0, 0), 'F');
  const inKeychain = fakeSession(Date.UTC(2098, 0, 1, 0, 0, 0), 'K');

  /** The section as a refresh writes it. */
  function section(name: string, session = inFile): string {
    const expires = new Date(session.expiresAt).toISOString().replace(/\.000Z$/, 'Z');
    return `[${name}]\naws_access_key_id = ${session.accessKeyId}\naws_secret_access_key = ${session.secretAccessKey}\naws_session_token = ${session.sessionToken}\nx_security_token_expires = ${expires}\n`;
  }

  /** Profile dev, its session F in the credentials file (`text`, 0600) and K in the keychain; which one credential-process served. */
  async function served(text: string, prepare?: () => void): Promise<'file' | 'keychain'> {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sandbox.seedSession('dev', inKeychain);
    mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true, mode: 0o700 });
    writeFileSync(cli.sandbox.credentialsFile, text, { mode: 0o600 });
    prepare?.();
    const json = parseOutput(await cli.sandbox.run(['credential-process', 'dev'], { timeoutMs: 20_000 }));
    assert.equal(cli.requests().length, 0, 'no STS call');
    if (json.AccessKeyId === inFile.accessKeyId) return 'file';
    assert.equal(json.AccessKeyId, inKeychain.accessKeyId);
    return 'keychain';
  }

  test('a fresh one is served from the file, and keytar is never loaded', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true, mode: 0o700 });
    writeFileSync(cli.sandbox.credentialsFile, `[default]\nregion = eu-west-1\n\n${section('dev')}`, { mode: 0o600 });
    const log = join(cli.sandbox.dir, 'loaded.txt');
    writeFileSync(log, '');
    const result = await cli.sandbox.run(['credential-process', 'dev'], { nodeArgs: loadLogger(log) });
    assert.deepEqual(parseOutput(result), {
      Version: 1,
      AccessKeyId: inFile.accessKeyId,
      SecretAccessKey: inFile.secretAccessKey,
      SessionToken: inFile.sessionToken,
      Expiration: '2099-01-01T00:00:00+00:00',
    });
    assert.equal(result.stderr, '');
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((url) => url.endsWith('/cli-fast.cjs')),
      'the load log works',
    );
    assert.deepEqual(
      loaded.filter((url) => /keytar/.test(url)),
      [],
      'keytar was loaded',
    );
  });

  test('with no keychain to ask (no D-Bus session bus), a fresh session in the file is still served', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true, mode: 0o700 });
    writeFileSync(cli.sandbox.credentialsFile, section('dev'), { mode: 0o600 });
    const json = parseOutput(await cli.sandbox.run(['credential-process', 'dev'], { env: envWithoutSecretService(cli.sandbox.env) }));
    assert.equal(json.AccessKeyId, inFile.accessKeyId);
  });

  test('a section the profile targets by another name is the one read', async () => {
    await cli.sandbox.addProfile('dev', cli.user, ['--target', 'dev-session']);
    await cli.sandbox.seedSession('dev', inKeychain);
    mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true, mode: 0o700 });
    writeFileSync(cli.sandbox.credentialsFile, `${section('dev', fakeSession(Date.UTC(2097, 0, 1), 'X'))}\n${section('dev-session')}`, { mode: 0o600 });
    assert.equal(parseOutput(await cli.sandbox.run(['credential-process', 'dev'])).AccessKeyId, inFile.accessKeyId);
  });

  test("a file others could have written, or one every AWS tool would not read alike: the keychain's copy instead", async () => {
    const aws = (): string => dirname(cli.sandbox.credentialsFile);
    const cases: Array<[string, string, (() => void)?]> = [
      ['group-writable file', section('dev'), () => chmodSync(cli.sandbox.credentialsFile, 0o620)],
      ['world-writable file', section('dev'), () => chmodSync(cli.sandbox.credentialsFile, 0o602)],
      ['world-writable folder', section('dev'), () => chmodSync(aws(), 0o777)],
      ['world-writable folder above it', section('dev'), () => chmodSync(cli.sandbox.dir, 0o777)],
      ['the section twice', `${section('dev')}\n${section('dev')}`],
      ['a lone-CR line ending', section('dev').replace('\n', '\r')],
      ['a byte-order mark (botocore cannot read the file)', `\uFEFF${section('dev')}`],
      ['no expiry', section('dev').replace(/x_security_token_expires.*\n/, '')],
      ['an expiry without a time zone', section('dev').replace(/(x_security_token_expires = \S+)Z/, '$1')],
      ['no session token', section('dev').replace(/aws_session_token.*\n/, '')],
      ['10 minutes left', section('dev', { ...inFile, expiresAt: Math.floor((Date.now() + 10 * 60_000) / 1000) * 1000 })],
      ['an expired session', section('dev', { ...inFile, expiresAt: Date.UTC(2020, 0, 1) })],
      ['the session in another section', section('other')],
      [
        'a named pipe',
        '',
        () => {
          rmSync(cli.sandbox.credentialsFile);
          execFileSync('mkfifo', ['-m', '600', cli.sandbox.credentialsFile]);
        },
      ],
    ];
    // Owned by another user (as root, which CI is: a file's owner is not ours to change otherwise).
    if (process.getuid?.() === 0) {
      cases.push(['a file owned by another user', section('dev'), () => chownSync(cli.sandbox.credentialsFile, 65534, 65534)]);
      cases.push(['a folder owned by another user', section('dev'), () => chownSync(aws(), 65534, 65534)]);
    }
    const fromFile: string[] = [];
    for (const [what, text, prepare] of cases) {
      if ((await served(text, prepare)) === 'file') fromFile.push(what);
      await cli.sandbox.secrets.deleteSession('dev');
      chmodSync(cli.sandbox.dir, 0o700);
      rmSync(aws(), { recursive: true, force: true });
      assert.equal((await cli.sandbox.run(['remove', 'dev', '--yes'])).status, 0);
    }
    assert.deepEqual(fromFile, [], 'served from the file');
  });

  test('the same file with CRLF line endings, in a sticky world-writable folder (as /tmp), or through a symlink: served from the file', async () => {
    assert.equal(await served(section('dev').replace(/\n/g, '\r\n'), () => chmodSync(dirname(cli.sandbox.credentialsFile), 0o1777)), 'file');
    await cli.sandbox.secrets.deleteSession('dev');
    assert.equal((await cli.sandbox.run(['remove', 'dev', '--yes'])).status, 0);
    const real = join(cli.sandbox.dir, 'real-credentials');
    assert.equal(
      await served(section('dev'), () => {
        renameSync(cli.sandbox.credentialsFile, real);
        symlinkSync(real, cli.sandbox.credentialsFile);
      }),
      'file',
    );
  });
});

describe('failures: nothing on stdout, one line on stderr', () => {
  function assertFailure(result: CliResult, status: number, pattern: RegExp): void {
    assert.equal(result.status, status, result.stderr);
    assert.equal(result.stdout, '');
    const lines = result.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] as string, pattern);
  }

  test('no session, no TOTP, no terminal: exit 4 with what to run', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assertFailure(
      await cli.sandbox.run(['credential-process', 'dev'], { detached: true }),
      4,
      /^mfa-tray credential-process: Profile dev needs a new session and a code from MFA device \S+, but there is no terminal to ask on\. Get a new session: mfa-tray refresh dev; or register the device's secret: mfa-tray totp set dev$/,
    );
  });

  test('an expired session and STS refusing: exit 7', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() - 60_000));
    await cli.sandbox.secrets.setTotpSecret('dev', 'JBSWY3DPEHPK3PXP'); // not this device's secret
    assertFailure(
      await cli.sandbox.run(['credential-process', 'dev']),
      7,
      /^mfa-tray credential-process: AWS refused the code made from the TOTP secret registered for profile "dev": the secret is likely not the one of MFA device .* Register the device's secret: mfa-tray totp set dev$/,
    );
  });

  test('an unknown profile: exit 3', async () => {
    assertFailure(await cli.sandbox.run(['credential-process', 'ghost']), 3, /^mfa-tray credential-process: There is no profile named "ghost"/);
  });

  test('keychain unavailable: exit 5', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assertFailure(
      await cli.sandbox.run(['credential-process', 'dev'], { env: envWithoutSecretService(cli.sandbox.env) }),
      5,
      /^mfa-tray credential-process: Cannot read the cached session of profile "dev" in the keychain/,
    );
  });
});
