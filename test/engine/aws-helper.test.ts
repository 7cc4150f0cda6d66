/**
 * The AWS calls of `watch` and the tray app made in a helper process (main/engine/aws/aws-helper.ts):
 * the built helper (app/dist/aws-helper.cjs) against the loopback STS, killed, stopped and missing
 * for real. What each call does is the gateway's, tested both ways in sdk-aws-gateway.test.ts.
 *
 * Seen (benchmark, row 4): once `watch` or the tray app had refreshed one session, the AWS SDK stayed
 * loaded in it for good: ~4 MB of heap and ~3.5 MB of RSS held between refreshes hours apart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { MfaTrayError } from '../../main/common/errors';
import { AWS_HELPER_FILE, AWS_HELPER_GRACE_MS, HelperAwsGateway } from '../../main/engine/aws/aws-helper';
import type { GetSessionTokenRequest } from '../../main/engine/aws/sts-gateway';
import { ClockOffset } from '../../main/engine/clock/clock';
import { forkHelper, type HelperProcess, type StartHelper } from '../../main/engine/helper-process';
import { cliDist, ensureCliBuilt } from '../support/cli';
import { failure } from '../support/failure';
import { createHarness } from '../support/engine-harness';
import { useStsServer, type StsUser } from '../support/sts-server';
import { alive, until } from '../support/until';

const root = fileURLToPath(new URL('../..', import.meta.url));
const execFileAsync = promisify(execFile);
const loopback = useStsServer();
let dir: string;
let serial = 0;

before(async () => {
  await ensureCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'mfa-tray-aws-helper-'));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** A gateway over a helper of its own (the built helper linked under a name of its own), and the helpers it started. */
function gatewayWith(
  options: { timeoutMs?: number; script?: string; start?: StartHelper; clockOffset?: ClockOffset; abandonedMs?: number; idleMs?: number } = {},
) {
  serial += 1;
  const script = options.script ?? join(dir, `aws-helper-${serial}.cjs`);
  if (options.script === undefined) symlinkSync(join(cliDist(), AWS_HELPER_FILE), script);
  const started: HelperProcess[] = [];
  const start: StartHelper =
    options.start ??
    (async (path, events, name) => {
      const child = await forkHelper(path, events, name);
      started.push(child);
      return child;
    });
  const gateway = new HelperAwsGateway(
    script,
    {
      endpoint: loopback.sts.endpoint,
      iamEndpoint: loopback.sts.endpoint,
      timeoutMs: options.timeoutMs ?? 3000,
      clockOffset: options.clockOffset ?? new ClockOffset(),
    },
    { start, idleMs: options.idleMs ?? 60_000, ...(options.abandonedMs ? { abandonedMs: options.abandonedMs } : {}) },
  );
  return { gateway, started, script };
}

/** A gateway with a 500 ms time limit whose helper answered one call and was then stopped (SIGSTOP): resume or kill `pid`. */
async function stoppedAfterOneAnswer() {
  const user = loopback.sts.registerUser();
  const key = { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
  const made = gatewayWith({ timeoutMs: 500 });
  await made.gateway.getCallerIdentity(key, 'us-east-1');
  const pid = made.started[0]?.pid as number;
  process.kill(pid, 'SIGSTOP');
  return { ...made, user, key, pid };
}

/** Starts helpers whose channel refuses every call (as a closed one does), the first `refused` of them; counts the starts. */
function refusingSends(refused: number): { readonly start: StartHelper; readonly starts: number } {
  let starts = 0;
  const start: StartHelper = async (path, events, name) => {
    starts += 1;
    const child = await forkHelper(path, events, name);
    if (starts > refused) return child;
    return {
      get pid() {
        return child.pid;
      },
      send: () => {
        throw new Error('its channel is closed');
      },
      release: () => child.release(),
      kill: () => child.kill(),
      hold: (busy) => child.hold(busy),
    };
  };
  return {
    start,
    get starts() {
      return starts;
    },
  };
}

function requestFor(user: StsUser): GetSessionTokenRequest {
  return {
    key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    mfaSerial: user.mfaSerial as string,
    code: loopback.sts.currentCode(user),
    durationSeconds: 3600,
    region: 'us-east-1',
  };
}

describe('HelperAwsGateway: the engine of a long-running process', () => {
  test('a refresh in a long-running engine never loads the AWS SDK into its process', async () => {
    const harness = await createHarness({ sts: loopback.sts });
    try {
      await harness.addUser('work', { totp: true });
      // A process of its own, as watch is: this test's process has loaded the SDK long ago.
      const probe = `
        import { createRequire } from 'node:module';
        const require = createRequire(import.meta.url);
        const { Engine } = await import('./main/engine/engine.ts');
        const { longRunning } = await import('./main/engine/long-running.ts');
        const config = JSON.parse(process.argv[1]);
        // As the command (main/cli/run.ts) and watch do: the engine's own timers (a wait for the next
        // TOTP step) do not keep a process alive.
        const keepAlive = setInterval(() => undefined, 60_000);
        const engine = new Engine({ env: config.env, configDir: config.env.MFA_TRAY_CONFIG_DIR, stsEndpoint: config.endpoint, ...longRunning(config.dist, { prefix: config.prefix }) });
        const session = await engine.refresh('work', {});
        engine.stop();
        clearInterval(keepAlive);
        const sdk = Object.keys(require.cache).filter((path) => path.includes('@aws-sdk') || path.includes('@smithy'));
        process.stdout.write(JSON.stringify({ accessKeyId: session.accessKeyId, sdk: sdk.length }));
        process.exit(0);
      `;
      const config = { env: harness.env, endpoint: loopback.sts.endpoint, dist: cliDist(), prefix: harness.keychain.prefix };
      // Not spawnSync: the loopback STS answers from this process.
      const result = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, JSON.stringify(config)], {
        cwd: root,
        env: { ...process.env, ...harness.env },
        timeout: 60_000,
      });

      assert.notEqual(result.stdout, '', `no output; stderr: ${result.stderr}`);
      const { accessKeyId, sdk } = JSON.parse(result.stdout) as { accessKeyId: string; sdk: number };
      assert.equal(accessKeyId, loopback.sts.sessions.at(-1)?.accessKeyId);
      assert.match(readFileSync(harness.credentialsPath, 'utf8'), new RegExp(`aws_access_key_id = ${accessKeyId}`));
      assert.equal(sdk, 0, 'modules of the AWS SDK were loaded into the engine’s process');
    } finally {
      await harness.close();
    }
  });
});

describe('HelperAwsGateway: the helper process', () => {
  test('a session comes back, and the helper ends once idle', async () => {
    const user = loopback.sts.registerUser();
    serial += 1;
    const script = join(dir, `aws-helper-idle-${serial}.cjs`);
    symlinkSync(join(cliDist(), AWS_HELPER_FILE), script);
    const pids: number[] = [];
    const gateway = new HelperAwsGateway(
      script,
      { endpoint: loopback.sts.endpoint, timeoutMs: 3000, clockOffset: new ClockOffset() },
      {
        idleMs: 300,
        start: async (path, events, name) => {
          const child = await forkHelper(path, events, name);
          if (child.pid !== undefined) pids.push(child.pid);
          return child;
        },
      },
    );

    const session = await gateway.getSessionToken(requestFor(user));

    assert.equal(session.sessionToken, loopback.sts.sessions.at(-1)?.sessionToken);
    assert.equal(pids.length, 1);
    await until(() => !alive(pids[0] as number), 'the idle helper ends', 10_000);
  });

  test("the key and the code cross no helper's argv, and no failure's text", async () => {
    const user = loopback.sts.registerUser();
    loopback.sts.setHang(true);
    const { gateway, started } = gatewayWith({ timeoutMs: 1500 });
    const request = requestFor(user);
    try {
      const call = failure(gateway.getSessionToken(request));
      await until(() => started[0]?.pid !== undefined, 'the helper runs', 10_000);
      const argv = readFileSync(`/proc/${started[0]?.pid}/cmdline`, 'utf8');
      const error = await call;

      for (const secret of [request.key.secretAccessKey, request.code]) {
        assert.ok(!argv.includes(secret), 'a secret in the helper’s argv');
        assert.ok(!`${error.message}\n${String(error.cause)}`.includes(secret), 'a secret in the error');
      }
      assert.match(error.message, /did not answer within 2 s/);
    } finally {
      loopback.sts.setHang(false);
    }
  });

  test('a helper killed while STS is asked fails the call as sent (the code may be used up), and the next call starts another', async () => {
    const user = loopback.sts.registerUser();
    loopback.sts.setHang(true);
    const { gateway, started } = gatewayWith({ timeoutMs: 10_000 });
    const asked = loopback.sts.count('GetSessionToken');
    let error: MfaTrayError;
    try {
      const call = failure(gateway.getSessionToken(requestFor(user)));
      await until(() => loopback.sts.count('GetSessionToken') > asked, 'STS is asked', 10_000);
      started[0]?.kill();
      error = await call;
    } finally {
      loopback.sts.setHang(false);
    }

    assert.equal(error.code, 'sts-unavailable');
    assert.equal(error.retryable, true);
    assert.equal(error.notSent, false);
    assert.match(
      error.message,
      /^STS's answer was lost: the AWS helper was stopped by SIGKILL before it answered .*The request may have reached AWS\. Try again\.$/,
    );
    const session = await gateway.getCallerIdentity({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, 'us-east-1');
    assert.equal(session.arn, user.arn);
    assert.equal(started.length, 2);
  });

  test(`a helper that stops answering is given up on ${AWS_HELPER_GRACE_MS / 1000} s past the time limit; the next call starts another`, async () => {
    const { user, gateway, started, key, pid: stopped } = await stoppedAfterOneAnswer();
    try {
      const began = Date.now();
      const error = await failure(gateway.getSessionToken(requestFor(user)));

      const took = Date.now() - began;
      assert.ok(took >= 500 + AWS_HELPER_GRACE_MS - 100 && took < 500 + AWS_HELPER_GRACE_MS + 3000, `took ${took} ms`);
      assert.equal(error.code, 'sts-unavailable');
      assert.equal(error.retryable, true);
      assert.match(error.message, /^STS did not answer within 1 s \(the process that makes MFA Tray's AWS calls was given up on\)\./);
      const identity = await gateway.getCallerIdentity(key, 'us-east-1');
      assert.equal(identity.arn, user.arn);
      assert.equal(started.length, 2);
      // No call of it is waited for any more: it is killed, not left for minutes.
      await until(() => !alive(stopped), 'the helper given up on is killed', 2_000);
    } finally {
      if (alive(stopped)) process.kill(stopped, 'SIGKILL');
    }
  });

  test('a helper file that is missing fails at once: nothing was sent, reinstall', async () => {
    const user = loopback.sts.registerUser();
    const before = loopback.sts.count();
    const { gateway } = gatewayWith({ script: join(dir, 'nowhere', AWS_HELPER_FILE) });

    const error = await failure(gateway.getSessionToken(requestFor(user)));

    assert.equal(error.code, 'internal');
    assert.equal(error.notSent, true);
    assert.match(
      error.message,
      /^Nothing was sent to STS: the AWS helper \(.*nowhere.*\) ended with exit code 1 before it could load the AWS SDK .*Reinstall MFA Tray/,
    );
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.equal(loopback.sts.count(), before);
  });

  test('a helper that cannot be started fails as not sent, worth trying again', async () => {
    const user = loopback.sts.registerUser();
    const { gateway } = gatewayWith({
      start: (path, events, name) => forkHelper(path, events, name).then((child) => (child.kill(), child)),
    });

    const error = await failure(gateway.getSessionToken(requestFor(user)));

    assert.equal(error.code, 'sts-unavailable');
    assert.equal(error.notSent, true);
    assert.equal(error.retryable, true);
    assert.match(error.message, /^Nothing was sent to STS: the AWS helper \(.*\) was stopped by SIGKILL before it could load the AWS SDK/);
  });

  test('GetCallerIdentity given up on by its caller fails at once', async () => {
    const user = loopback.sts.registerUser();
    loopback.sts.setHang(true);
    const { gateway } = gatewayWith({ timeoutMs: 10_000 });
    try {
      const controller = new AbortController();
      const asked = loopback.sts.count('GetCallerIdentity');
      const call = failure(gateway.getCallerIdentity({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, 'us-east-1', controller.signal));
      await until(() => loopback.sts.count('GetCallerIdentity') > asked, 'STS is asked', 10_000);
      const began = Date.now();
      controller.abort();
      const error = await call;

      assert.ok(Date.now() - began < 500, `took ${Date.now() - began} ms`);
      assert.equal(error.code, 'sts-unavailable');
    } finally {
      loopback.sts.setHang(false);
    }
  });

  test("the offset an answer measured reaches this process's listeners (the clock memory)", async () => {
    const user = loopback.sts.registerUser();
    loopback.sts.setClockSkew(600_000);
    const clockOffset = new ClockOffset();
    const heard: number[] = [];
    clockOffset.onMeasured((offsetMs) => heard.push(offsetMs));
    try {
      const { gateway } = gatewayWith({ clockOffset });
      await gateway.getCallerIdentity({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, 'us-east-1');

      assert.ok(heard.length >= 1, 'nothing heard');
      assert.ok(Math.abs((heard.at(-1) as number) - 600_000) <= 1500, `heard ${heard[0]} ms`);
      assert.ok(clockOffset.answeredWithin(5_000));
      // The next call is signed in AWS time from the start: a code-carrying call (sent once) gets through
      // a skew past SigV4's 5 minutes.
      const before = loopback.sts.count('GetSessionToken');
      await gateway.getSessionToken({ ...requestFor(user), code: loopback.sts.currentCode(user) });
      assert.equal(loopback.sts.count('GetSessionToken'), before + 1);
    } finally {
      loopback.sts.setClockSkew(0);
    }
  });

  test('giving up on one call lets the other calls of that helper go on: a session asked for with a code is not lost', async () => {
    // Two gateways on one helper (one per script), with time limits of their own.
    const quick = await stoppedAfterOneAnswer();
    const { user, key, pid } = quick;
    const patient = new HelperAwsGateway(quick.script, { endpoint: loopback.sts.endpoint, timeoutMs: 30_000, clockOffset: new ClockOffset() });
    let stopped = true;
    try {
      const given = failure(quick.gateway.getCallerIdentity(key, 'us-east-1'));
      let sessionError: unknown;
      const session = patient.getSessionToken(requestFor(user)).catch((error: unknown) => {
        sessionError = error;
        return undefined;
      });
      const error = await given;
      assert.match(error.message, /was given up on/);
      // Past the given-up call's own time and grace again: the helper is still there for the other.
      await new Promise((resolve) => setTimeout(resolve, 500 + AWS_HELPER_GRACE_MS + 1_000));
      assert.equal(sessionError, undefined, 'the call with the code failed with the other');
      assert.ok(alive(pid), 'the helper was killed while a call of it was still waited for');

      process.kill(pid, 'SIGCONT');
      stopped = false;
      const got = await session;
      assert.equal(got?.sessionToken, loopback.sts.sessions.at(-1)?.sessionToken);
      await until(() => !alive(pid), 'the helper given up on is let go once its calls have ended', 10_000);
    } finally {
      if (stopped) process.kill(pid, 'SIGCONT');
    }
  });

  test('a call whose caller gave up is aborted in the helper, which then goes idle', async () => {
    const user = loopback.sts.registerUser();
    loopback.sts.setHang(true);
    const { gateway, started } = gatewayWith({ timeoutMs: 20_000, idleMs: 300 });
    try {
      const controller = new AbortController();
      const asked = loopback.sts.count('GetCallerIdentity');
      const call = failure(gateway.getCallerIdentity({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, 'us-east-1', controller.signal));
      await until(() => loopback.sts.count('GetCallerIdentity') > asked, 'STS is asked', 10_000);
      controller.abort();
      await call;
      const pid = started[0]?.pid as number;

      // Not after its 20 s: the helper dropped the request, answered, and ended once idle.
      await until(() => !alive(pid), 'the helper ends', 5_000);
    } finally {
      loopback.sts.setHang(false);
    }
  });

  for (const ready of [false, true]) {
    test(`a call given up on before it is sent (its helper ${ready ? 'ready' : 'starting'}) is never sent`, async () => {
      const user = loopback.sts.registerUser();
      const key = { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
      const { gateway } = gatewayWith({ timeoutMs: 5_000 });
      if (ready) await gateway.getCallerIdentity(key, 'us-east-1');
      const before = loopback.sts.count('GetCallerIdentity');
      const controller = new AbortController();
      controller.abort();
      const error = await failure(gateway.getCallerIdentity(key, 'us-east-1', controller.signal));

      assert.equal(error.code, 'sts-unavailable');
      assert.equal(error.notSent, true);
      // The helper has started by now: nothing reached STS.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(loopback.sts.count('GetCallerIdentity'), before);
    });
  }

  test('a call whose caller gave up is still bounded: a helper that stops answering is given up on and killed', async () => {
    const { gateway, key, pid } = await stoppedAfterOneAnswer();
    try {
      const controller = new AbortController();
      const call = failure(gateway.getCallerIdentity(key, 'us-east-1', controller.signal));
      // Sent (an abort before that sends nothing), then given up on by its caller.
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
      await call;

      await until(() => !alive(pid), 'the stopped helper is killed', 500 + AWS_HELPER_GRACE_MS + 3_000);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a call that never reached a helper is made once more, of a new one; then it fails as not sent', async () => {
    const user = loopback.sts.registerUser();
    const before = loopback.sts.count();
    const refusing = refusingSends(Infinity);
    const { gateway } = gatewayWith({ start: refusing.start });

    const error = await failure(gateway.getSessionToken(requestFor(user)));

    assert.equal(error.code, 'sts-unavailable');
    assert.equal(error.notSent, true);
    assert.match(error.message, /^Nothing was sent to STS: the AWS helper could not be reached: its channel is closed/);
    assert.equal(loopback.sts.count(), before);
    assert.equal(refusing.starts, 2, 'one helper for each attempt');
  });

  test('a call that never reached a helper (its channel refused once) gets its answer from a new one', async () => {
    const user = loopback.sts.registerUser();
    const refusing = refusingSends(1);
    const { gateway } = gatewayWith({ start: refusing.start });

    const session = await gateway.getSessionToken(requestFor(user));

    assert.equal(session.sessionToken, loopback.sts.sessions.at(-1)?.sessionToken);
    assert.equal(refusing.starts, 2);
  });

  test('options no gateway can work with are refused when it is made, as the in-process gateway refuses them', () => {
    assert.throws(() => new HelperAwsGateway(join(dir, 'unused.cjs'), { timeoutMs: 0, clockOffset: new ClockOffset() }), RangeError);
    assert.throws(() => new HelperAwsGateway(join(dir, 'unused.cjs'), { identityMaxAttempts: 1.5, clockOffset: new ClockOffset() }), RangeError);
    // Past 2^31 ms a timer fires at once: every call would be given up on.
    assert.throws(() => new HelperAwsGateway(join(dir, 'unused.cjs'), { timeoutMs: 2 ** 31, clockOffset: new ClockOffset() }), RangeError);
  });
});
