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
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromProcess } from '@aws-sdk/credential-provider-process';
import { CliProcess, cliBin, cliDist, fakeSession, useCliSuite, type CliResult } from '../support/cli';
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

/** The URLs of the tray app's chunks (main.mjs's: the engine and commands cli.cjs holds too) whose text matches `pattern` (esbuild marks each module's source path). */
function chunksMatching(pattern: RegExp): Set<string> {
  const dir = join(cliDist(), 'chunks');
  const found = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.mjs'))) {
    if (pattern.test(readFileSync(join(dir, name), 'utf8'))) found.add(pathToFileURL(join(dir, name)).href);
  }
  return found;
}

/**
 * Node options that log every file of ours the process loads to `logFile`: ES modules through a
 * module-loader hook, CommonJS files (the launcher's fast path, app/dist/cli-fast.cjs) through a
 * preload that wraps Node's CommonJS loader, and the command's bundle (app/dist/cli.cjs, compiled by
 * its loader with node:vm) through a wrapped `vm.Script`.
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
};
const vm = require('node:vm');
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) { if (options && options.filename) appendFileSync(${JSON.stringify(logFile)}, pathToFileURL(options.filename).href + '\\n'); super(code, options); }
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
    // Answered by the CommonJS fast path alone: not the whole command (cli.cjs), nor an ES module.
    const dist = pathToFileURL(cliDist()).href;
    assert.deepEqual(
      loaded.filter((url) => url.startsWith(dist) && (url.endsWith('.mjs') || url.endsWith('/cli.cjs'))),
      [],
      'the whole command was loaded',
    );
    // And the fast path holds nothing only a refresh or another command needs: the AWS SDK, TOTP,
    // file locking, the engine, the other commands, the keychain listing.
    const fastText = readFileSync(fast, 'utf8');
    const heavy = [
      ['the AWS SDK', /^\/\/ \S*node_modules\/@(aws-sdk|smithy)\//m],
      ['otplib', /^\/\/ \S*node_modules\/(otplib|@noble)\//m],
      ['proper-lockfile', /^\/\/ \S*node_modules\/proper-lockfile\//m],
      ['the engine', /^\/\/ main\/engine\/engine\.ts$/m],
      ['the other commands', /^\/\/ main\/cli\/commands\/refresh\.ts$/m],
      ['the Secret Service listing and its D-Bus client', /^\/\/ \S*node_modules\/dbus-native\//m],
    ] as const;
    for (const [what, pattern] of heavy) {
      assert.ok(chunksMatching(pattern).size > 0, `the bundle has a chunk with ${what}`);
      assert.doesNotMatch(fastText, pattern, `the fast path holds ${what}`);
    }
  });

  test('control: a refresh does load the whole command, which holds the AWS SDK', async () => {
    await withTotp('dev');
    const log = join(cli.sandbox.dir, 'loaded.txt');
    writeFileSync(log, '');
    parseOutput(await cli.sandbox.run(['credential-process', 'dev'], { nodeArgs: loadLogger(log) }));
    assert.ok(
      readFileSync(log, 'utf8')
        .split('\n')
        .includes(pathToFileURL(join(cliDist(), 'cli.cjs')).href),
    );
    assert.ok(readFileSync(join(cliDist(), 'cli.cjs'), 'utf8').includes('GetSessionTokenCommand'), 'the command holds the SDK (its class names are kept)');
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
        const filler = await fillUp(aws);
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
          /\ndev: The session MFA Tray has for dev \(11 h 59 min left\) is not in the credentials file .*: it has no \[dev\] section, since the file could not take the session AWS gave last \(the tray app or mfa-tray watch, while it runs, writes it there once the file can\)\./,
        );
        // A file that is read-only besides: why first, then what a refresh needs.
        chmodSync(cli.sandbox.credentialsFile, 0o400);
        assert.match(
          (await cli.sandbox.run(['status'])).stdout,
          /it has no \[dev\] section, since the file could not take the session AWS gave last \(.*\), and a refresh cannot put it there while the credentials file \S+ is read-only: make it writable \(chmod u\+w\) if MFA Tray should update it\. AWS tools/,
        );
        chmodSync(cli.sandbox.credentialsFile, 0o600);

        // Room on the disk again: watch writes the kept session into the file as it starts, and says so.
        rmSync(filler);
        const watching = cli.stopAfterTest(new CliProcess(['watch'], cli.sandbox.env));
        await watching.waitFor(
          /dev: the session AWS gave before, kept in the keychain, is in the credentials file now \(no code used\); expires .* \(11 h 59 min left\)/,
        );
        assert.match(readFileSync(cli.sandbox.credentialsFile, 'utf8'), new RegExp(`\\[dev\\]\naws_access_key_id = ${issued?.accessKeyId}\n`));
        assert.match(readFileSync(cli.sandbox.credentialsFile, 'utf8'), /^\[default\]\nregion = eu-west-1\n/, 'the rest as it was');
        assert.equal(cli.requests('GetSessionToken').length, 1, 'still one code');
        watching.child.kill('SIGTERM');
        await watching.exited;
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

  describe('while STS fails, the next AWS commands are not held up trying again', () => {
    const failedFile = (): string => join(cli.sandbox.configDir, 'failed-refreshes.json');
    /** Moves the recorded failure of `profile` `ms` into the past, as if that long had passed. */
    const age = (profile: string, ms: number): void => {
      const record = JSON.parse(readFileSync(failedFile(), 'utf8')) as { profiles: Record<string, { at: number }> };
      const entry = record.profiles[profile];
      assert.ok(entry, `a failure recorded for ${profile}`);
      entry.at -= ms;
      writeFileSync(failedFile(), JSON.stringify(record));
    };

    test('served at once from the still-valid session, STS not asked, until the next try is due', async () => {
      // Seen (helper report): with STS failing, every AWS command waited for a refresh of its own
      // (43–60 s each when STS hangs) while a valid session was there to serve.
      await withTotp('dev');
      const cached = fakeSession(Date.now() + 10 * 60_000);
      await cli.sandbox.seedSession('dev', cached);
      cli.sts.failNext(1000, 503);
      const first = await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(parseOutput(first).AccessKeyId, cached.accessKeyId);
      assert.match(
        first.stderr,
        /could not refresh profile dev \(.*\); using its current session, (9|10) min left\. Not tried again before \d\d:\d\d:\d\d\.\n$/,
      );
      const asked = cli.requests().length;
      assert.ok(asked > 0);
      // status says why the session is served as it is, and until when; --json too.
      const json = JSON.parse((await cli.sandbox.run(['status', '--json'])).stdout) as {
        profiles: Array<{ backoff: { failedAt: string; until: string; code: string; message: string } | null }>;
      };
      const backoff = json.profiles[0]?.backoff;
      assert.ok(backoff, 'status --json has the backoff');
      assert.deepEqual(Object.keys(backoff), ['failedAt', 'until', 'code', 'message']);
      assert.equal(backoff.code, 'sts-unavailable');
      assert.equal(Date.parse(backoff.until) - Date.parse(backoff.failedAt), 30_000);
      assert.match(backoff.message, /HTTP 503/);
      assert.match(
        (await cli.sandbox.run(['status'])).stdout,
        /\ndev: its last refresh, at \d\d:\d\d:\d\d, failed: .*HTTP 503.* credential-process and exec use its current session without trying again until \d\d:\d\d:\d\d; mfa-tray refresh dev tries now\.\n/,
      );

      const second = await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(parseOutput(second).AccessKeyId, cached.accessKeyId);
      assert.equal(cli.requests().length, asked, 'STS not asked again');
      assert.match(
        second.stderr,
        /^mfa-tray credential-process: using the current session of profile dev \((9|10) min left\): its refresh failed at \d\d:\d\d:\d\d \(.*\), and is not tried again before \d\d:\d\d:\d\d \(mfa-tray refresh dev tries now\)\.\n$/,
      );

      // Several at once (an AWS tool starting many): none asks STS.
      const many = await Promise.all([1, 2, 3].map(() => cli.sandbox.run(['credential-process', 'dev'])));
      for (const result of many) assert.equal(parseOutput(result).AccessKeyId, cached.accessKeyId);
      assert.equal(cli.requests().length, asked, 'STS not asked by any of them');

      // The time has come: tried again (and failed again: the next wait is longer).
      age('dev', 31_000);
      const third = await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(parseOutput(third).AccessKeyId, cached.accessKeyId);
      assert.ok(cli.requests().length > asked, 'tried again');
      const retried = cli.requests().length;
      age('dev', 31_000);
      await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(cli.requests().length, retried, 'the second wait is a minute');

      // STS is back: a new session forgets the failure, and is served. (A typed code of the next time
      // step: the 503s may have used this one's, and the generator would wait up to 30 s for it.)
      cli.sts.clearFaults();
      const back = await cli.sandbox.run(['refresh', 'dev', '--code', cli.sts.currentCode(cli.user, 1)]);
      assert.equal(back.status, 0, back.stderr);
      assert.deepEqual((JSON.parse(readFileSync(failedFile(), 'utf8')) as { profiles: object }).profiles, {});
      const served = await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(parseOutput(served).AccessKeyId, cli.sts.sessions.at(-1)?.accessKeyId);
      assert.equal(served.stderr, '');
    });

    test('a refresh asked for by name tries at once, and exec waits as credential-process does', async () => {
      await withTotp('dev');
      const cached = fakeSession(Date.now() + 10 * 60_000);
      await cli.sandbox.seedSession('dev', cached);
      cli.sts.failNext(1000, 503);
      await cli.sandbox.run(['credential-process', 'dev']);
      const asked = cli.requests().length;
      const exec = await cli.sandbox.run(['exec', 'dev', '--', process.execPath, '-e', 'process.stdout.write(process.env.AWS_ACCESS_KEY_ID)']);
      assert.equal(exec.status, 0, exec.stderr);
      assert.equal(exec.stdout, cached.accessKeyId);
      assert.match(exec.stderr, /^mfa-tray exec: using the current session of profile dev /);
      assert.equal(cli.requests().length, asked, 'exec did not ask STS');

      const refresh = await cli.sandbox.run(['refresh', 'dev']);
      assert.notEqual(refresh.status, 0);
      assert.ok(cli.requests().length > asked, 'refresh asked STS');
    });

    test('a newer session only the file got (the keychain locked as AWS answered), near its end: refreshed, not served as if renewed', async () => {
      // Seen in review: the lookup handed over held the keychain's older copy, so the file's newer
      // one looked like a session another process had just got, and was served down to its last minute.
      await withTotp('dev');
      await cli.sandbox.seedSession('dev', fakeSession(Date.now() + 5 * 60_000, 'K'));
      const inFile = fakeSession(Math.floor((Date.now() + 10 * 60_000) / 1000) * 1000, 'F');
      writeFileSync(
        cli.sandbox.credentialsFile,
        `[dev]\naws_access_key_id = ${inFile.accessKeyId}\naws_secret_access_key = ${inFile.secretAccessKey}\naws_session_token = ${inFile.sessionToken}\nx_security_token_expires = ${new Date(inFile.expiresAt).toISOString().replace('.000Z', 'Z')}\n`,
        { mode: 0o600 },
      );
      writeFileSync(
        join(cli.sandbox.configDir, 'written-sessions.json'),
        JSON.stringify({
          version: 1,
          profiles: { dev: { path: cli.sandbox.credentialsFile, section: 'dev', accessKeyId: inFile.accessKeyId, expiresAt: inFile.expiresAt } },
        }),
        { mode: 0o600 },
      );
      const served = await cli.sandbox.run(['credential-process', 'dev']);
      assert.equal(parseOutput(served).AccessKeyId, cli.sts.sessions.at(-1)?.accessKeyId, 'a new session');
      assert.equal(cli.requests('GetSessionToken').length, 1);
    });

    test('with no session to serve, it tries at once', async () => {
      await withTotp('dev');
      cli.sts.failNext(1000, 503);
      const first = await cli.sandbox.run(['credential-process', 'dev']);
      assert.notEqual(first.status, 0);
      const asked = cli.requests().length;
      const second = await cli.sandbox.run(['credential-process', 'dev']);
      assert.notEqual(second.status, 0);
      assert.ok(cli.requests().length > asked, 'tried again: nothing else to give');
    });
  });
});

describe("the session in the profile's section of the credentials file", () => {
  /**
   * Profile dev with TOTP, refreshed once: its session in the file, the record of it, and the
   * keychain's copy. A user (and MFA device) of its own each time: no waiting for a time step.
   */
  async function refreshed(extra: readonly string[] = []): Promise<{ readonly accessKeyId: string }> {
    const user = cli.sts.registerUser();
    await cli.sandbox.addProfile('dev', user, extra);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: user.totpSecret as string })).status, 0);
    const result = await cli.sandbox.run(['refresh', 'dev']);
    assert.equal(result.status, 0, result.stderr);
    const issued = cli.sts.sessions.at(-1);
    assert.ok(issued);
    return issued;
  }

  /** credential-process dev: what it printed, and whether it read the keychain (keytar loaded) to do so. */
  async function serve(env?: NodeJS.ProcessEnv): Promise<{ readonly json: ProcessJson; readonly from: 'file' | 'keychain'; readonly stderr: string }> {
    const log = join(cli.sandbox.dir, 'loaded.txt');
    writeFileSync(log, '');
    const result = await cli.sandbox.run(['credential-process', 'dev'], { nodeArgs: loadLogger(log), timeoutMs: 20_000, ...(env ? { env } : {}) });
    const json = parseOutput(result);
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((url) => url.endsWith('/cli-fast.cjs')),
      'the load log works',
    );
    return { json, from: loaded.some((url) => /keytar/.test(url)) ? 'keychain' : 'file', stderr: result.stderr };
  }

  test('a fresh one that MFA Tray wrote is served from the file, keytar never loaded', async () => {
    const issued = await refreshed();
    const sent = cli.requests('GetSessionToken').length;
    const served = await serve();
    assert.equal(served.from, 'file');
    assert.equal(served.json.AccessKeyId, issued.accessKeyId);
    assert.equal(served.stderr, '');
    assert.equal(cli.requests('GetSessionToken').length, sent, 'no STS call');
  });

  test('with no keychain to ask (no D-Bus session bus), that session is still served', async () => {
    const issued = await refreshed();
    const served = await serve(envWithoutSecretService(cli.sandbox.env));
    assert.equal(served.json.AccessKeyId, issued.accessKeyId);
  });

  test('the section the profile targets is the one read, not the one of its name', async () => {
    const issued = await refreshed(['--target', 'dev-session']);
    writeFileSync(
      cli.sandbox.credentialsFile,
      `[dev]\naws_access_key_id = ASIADECOYDECOYDECOY1\naws_secret_access_key = ${'d'.repeat(40)}\naws_session_token = decoy\nx_security_token_expires = 2099-01-01T00:00:00Z\n\n${readFileSync(cli.sandbox.credentialsFile, 'utf8')}`,
    );
    const served = await serve();
    assert.equal(served.from, 'file');
    assert.equal(served.json.AccessKeyId, issued.accessKeyId);
  });

  test("a file others could have written, a section every tool would not read alike, or a session that is not the one MFA Tray wrote: the keychain's copy", async () => {
    const aws = (): string => dirname(cli.sandbox.credentialsFile);
    const rewrite = (edit: (text: string) => string) => () =>
      writeFileSync(cli.sandbox.credentialsFile, edit(readFileSync(cli.sandbox.credentialsFile, 'latin1')), 'latin1');
    const cases: Array<[string, () => void]> = [
      ['group-writable file', () => chmodSync(cli.sandbox.credentialsFile, 0o620)],
      ['world-writable file', () => chmodSync(cli.sandbox.credentialsFile, 0o602)],
      ['world-writable folder', () => chmodSync(aws(), 0o777)],
      ['world-writable folder above it', () => chmodSync(cli.sandbox.dir, 0o777)],
      ['the section twice', rewrite((text) => `${text}\n${text}`)],
      ['a key twice in the section', rewrite((text) => `${text}aws_session_token = another\n`)],
      ['a lone-CR line ending', rewrite((text) => `${text}region = eu-west-1\rcli_pager = less\n`)],
      ['a byte-order mark (botocore cannot read the file)', rewrite((text) => `\xEF\xBB\xBF${text}`)],
      ['no expiry', rewrite((text) => text.replace(/x_security_token_expires.*\n/, ''))],
      [
        'a named pipe',
        () => {
          rmSync(cli.sandbox.credentialsFile);
          execFileSync('mkfifo', ['-m', '600', cli.sandbox.credentialsFile]);
        },
      ],
      ['another tool rewrote the keys, not the expiry', rewrite((text) => text.replace(/aws_access_key_id = \S+/, 'aws_access_key_id = ASIAOTHERTOOLOTHER01'))],
      ['another expiry', rewrite((text) => text.replace(/(x_security_token_expires = )\S+/, '$12099-01-01T00:00:00Z'))],
      [
        'AWS_SHARED_CREDENTIALS_FILE names a copy',
        () => {
          const copy = join(cli.sandbox.dir, 'copy-credentials');
          copyFileSync(cli.sandbox.credentialsFile, copy);
          chmodSync(copy, 0o600);
          serveEnv = { ...cli.sandbox.env, AWS_SHARED_CREDENTIALS_FILE: copy };
        },
      ],
      [
        'a link in a folder others can write to',
        () => {
          const open = join(cli.sandbox.dir, 'open');
          mkdirSync(open, { mode: 0o777 });
          chmodSync(open, 0o777);
          const link = join(open, 'credentials');
          symlinkSync(cli.sandbox.credentialsFile, link);
          serveEnv = { ...cli.sandbox.env, AWS_SHARED_CREDENTIALS_FILE: link };
        },
      ],
    ];
    // Owned by another user (as root, which CI is: a file's owner is not ours to change otherwise).
    if (process.getuid?.() === 0) {
      cases.push(['a file owned by another user', () => chownSync(cli.sandbox.credentialsFile, 65534, 65534)]);
      cases.push(['a folder owned by another user', () => chownSync(aws(), 65534, 65534)]);
    }
    let serveEnv: NodeJS.ProcessEnv | undefined;
    const fromFile: string[] = [];
    for (const [what, prepare] of cases) {
      serveEnv = undefined;
      const issued = await refreshed();
      prepare();
      const served = await serve(serveEnv);
      if (served.from === 'file') fromFile.push(what);
      assert.equal(served.json.AccessKeyId, issued.accessKeyId, `${what}: the keychain's copy`);
      chmodSync(cli.sandbox.dir, 0o700);
      rmSync(aws(), { recursive: true, force: true });
      assert.equal((await cli.sandbox.run(['remove', 'dev', '--yes'])).status, 0);
    }
    assert.deepEqual(fromFile, [], 'served from the file');
  });

  test('a profile removed and added again under its name: the old session in the file is not its own', async () => {
    const old = await refreshed();
    assert.equal((await cli.sandbox.run(['remove', 'dev', '--yes'])).status, 0);
    assert.match(readFileSync(cli.sandbox.credentialsFile, 'utf8'), new RegExp(old.accessKeyId), 'the session stays in the file');
    const other = cli.sts.registerUser();
    await cli.sandbox.addProfile('dev', other);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: other.totpSecret as string })).status, 0);
    const served = await serve();
    assert.equal(served.from, 'keychain');
    assert.notEqual(served.json.AccessKeyId, old.accessKeyId, "the removed profile's session was served");
    assert.equal(served.json.AccessKeyId, cli.sts.sessions.at(-1)?.accessKeyId, 'a new session of the new profile');
  });

  test('CRLF line endings, a sticky world-writable folder (as /tmp), or the file through a link: served from the file', async () => {
    const cases: Array<[string, () => void]> = [
      ['CRLF', () => writeFileSync(cli.sandbox.credentialsFile, readFileSync(cli.sandbox.credentialsFile, 'utf8').replace(/\n/g, '\r\n'))],
      ['sticky folder', () => chmodSync(dirname(cli.sandbox.credentialsFile), 0o1777)],
      [
        'a link',
        () => {
          const real = join(cli.sandbox.dir, 'real-credentials');
          renameSync(cli.sandbox.credentialsFile, real);
          symlinkSync(real, cli.sandbox.credentialsFile);
        },
      ],
    ];
    for (const [what, prepare] of cases) {
      const issued = await refreshed();
      prepare();
      const served = await serve();
      assert.equal(served.from, 'file', what);
      assert.equal(served.json.AccessKeyId, issued.accessKeyId, what);
      rmSync(dirname(cli.sandbox.credentialsFile), { recursive: true, force: true });
      assert.equal((await cli.sandbox.run(['remove', 'dev', '--yes'])).status, 0);
    }
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
    // Near a step's end the generator waits for the next step and says so on stderr: one line is wanted.
    await cli.sts.avoidStepEdge(5000);
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
