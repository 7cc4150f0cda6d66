/**
 * SdkAwsGateway against the loopback STS (test/support/sts-server.ts), reached through the SDK's own
 * endpoint setting (AWS_ENDPOINT_URL_STS): real SDK, real HTTP, real SigV4 and TOTP checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMfaTrayError, type ErrorCode, type MfaTrayError } from '../../main/common/errors';
import { ClockOffset } from '../../main/engine/clock/clock';
import { SdkAwsGateway, type SdkAwsGatewayOptions } from '../../main/engine/aws/sdk-aws-gateway';
import { AWS_HELPER_FILE, HelperAwsGateway } from '../../main/engine/aws/aws-helper';
import { forkHelper, type StartHelper } from '../../main/engine/helper-process';
import type { IamGateway } from '../../main/engine/aws/iam-gateway';
import type { GetSessionTokenRequest, StsGateway } from '../../main/engine/aws/sts-gateway';
import { cliDist, ensureCliBuilt } from '../support/cli';
import { startStsServer, useStsServer, type StsUser } from '../support/sts-server';

const root = fileURLToPath(new URL('../..', import.meta.url));

const savedEnv = { sts: process.env.AWS_ENDPOINT_URL_STS, iam: process.env.AWS_ENDPOINT_URL_IAM, generic: process.env.AWS_ENDPOINT_URL };

const loopback = useStsServer((sts) => {
  process.env.AWS_ENDPOINT_URL_STS = sts.endpoint;
  process.env.AWS_ENDPOINT_URL_IAM = sts.endpoint;
  delete process.env.AWS_ENDPOINT_URL;
});

afterEach(() => {
  process.env.AWS_ENDPOINT_URL_STS = loopback.sts.endpoint;
  process.env.AWS_ENDPOINT_URL_IAM = loopback.sts.endpoint;
  delete process.env.AWS_ENDPOINT_URL;
});

after(() => {
  restoreEnv('AWS_ENDPOINT_URL_STS', savedEnv.sts);
  restoreEnv('AWS_ENDPOINT_URL_IAM', savedEnv.iam);
  restoreEnv('AWS_ENDPOINT_URL', savedEnv.generic);
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** A gateway as each way makes it, with a short time limit. */
type MakeGateway = (options?: SdkAwsGatewayOptions) => StsGateway & IamGateway;

/** The gateway in this test's process. */
const inProcess: MakeGateway = (options = {}) => new SdkAwsGateway({ timeoutMs: 3000, ...options });

let helpers = 0;
let helperDir: string | undefined;
/** The helper scripts a process was started for. */
const helperStarts = new Set<string>();

/**
 * The gateway in the built AWS helper (app/dist/aws-helper.cjs), as `watch` and the tray app make
 * their calls on Linux: a helper of its own for each gateway (the built file linked under a name of
 * its own), so that it starts with the environment the test set.
 */
const inHelper: MakeGateway = (options = {}) => {
  helperDir ??= mkdtempSync(join(tmpdir(), 'mfa-tray-aws-helper-'));
  helpers += 1;
  const script = join(helperDir, `aws-helper-${helpers}.cjs`);
  symlinkSync(join(cliDist(), AWS_HELPER_FILE), script);
  const start: StartHelper = (path, events, name) => {
    helperStarts.add(path);
    return forkHelper(path, events, name);
  };
  return new HelperAwsGateway(script, { timeoutMs: 3000, clockOffset: new ClockOffset(), ...options }, { idleMs: 500, start });
};

function keyOf(user: StsUser): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
}

function requestFor(user: StsUser, overrides: Partial<GetSessionTokenRequest> = {}): GetSessionTokenRequest {
  return {
    key: keyOf(user),
    mfaSerial: user.mfaSerial ?? 'arn:aws:iam::123456789012:mfa/none',
    code: loopback.sts.currentCode(user),
    durationSeconds: 3600,
    region: 'us-east-1',
    ...overrides,
  };
}

/** Awaits a rejection and returns it as an MfaTrayError of the expected code. */
async function rejection(promise: Promise<unknown>, code: ErrorCode): Promise<MfaTrayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isMfaTrayError(error), `expected an MfaTrayError, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** Neither the message nor the cause may carry a secret or the code. */
function assertNoSecrets(error: MfaTrayError, ...secrets: string[]): void {
  const text = `${error.message}\n${String(error.cause)}\n${JSON.stringify(error.options)}`;
  for (const secret of secrets) assert.ok(!text.includes(secret), `error text contains a secret: ${text}`);
}

before(async () => {
  await ensureCliBuilt();
});

after(() => {
  if (helperDir) rmSync(helperDir, { recursive: true, force: true });
});

describe('SdkAwsGateway: loading', () => {
  test('importing the module does not load the AWS SDK', () => {
    // A child process, so that this file's own SDK use does not count.
    const probe = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      await import('./main/engine/aws/sdk-aws-gateway.ts');
      process.stdout.write(String(Object.keys(require.cache).some((p) => p.includes('@aws-sdk'))));
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' });

    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'false');
  });
});

/** Every test below, for one way of making the calls. */
function gatewaySuites(via: string, gateway: MakeGateway): void {
  describe(`SdkAwsGateway ${via}: sessions`, () => {
    test('trades a valid code for the session STS issued', async () => {
      const user = loopback.sts.registerUser();

      const session = await gateway().getSessionToken(requestFor(user));

      const issued = loopback.sts.sessions.at(-1);
      assert.ok(issued);
      assert.equal(session.accessKeyId, issued.accessKeyId);
      assert.match(session.accessKeyId, /^ASIA/);
      assert.equal(session.secretAccessKey, issued.secretAccessKey);
      assert.equal(session.sessionToken, issued.sessionToken);
      assert.equal(session.expiresAt, issued.expiresAt);
    });

    test('asks for the requested duration', async () => {
      const user = loopback.sts.registerUser();

      const session = await gateway().getSessionToken(requestFor(user, { durationSeconds: 7200 }));

      assert.equal(loopback.sts.requests.at(-1)?.durationSeconds, '7200');
      assert.ok(Math.abs(session.expiresAt - (loopback.sts.now() + 7200_000)) < 5000);
    });

    test("signs for the request's region", async () => {
      const user = loopback.sts.registerUser();

      await gateway().getSessionToken(requestFor(user, { region: 'eu-central-1' }));

      assert.equal(loopback.sts.requests.at(-1)?.region, 'eu-central-1');
    });

    test('returns who the long-lived key belongs to', async () => {
      const user = loopback.sts.registerUser({ name: 'carol', account: '210987654321' });

      const identity = await gateway().getCallerIdentity(keyOf(user), 'us-east-1');

      assert.deepEqual(identity, { arn: 'arn:aws:iam::210987654321:user/carol', account: '210987654321', userId: user.userId });
    });
  });

  describe(`SdkAwsGateway ${via}: endpoint settings`, () => {
    test('honours AWS_ENDPOINT_URL when no STS-specific endpoint is set', async () => {
      const user = loopback.sts.registerUser();
      delete process.env.AWS_ENDPOINT_URL_STS;
      process.env.AWS_ENDPOINT_URL = loopback.sts.endpoint;
      const before = loopback.sts.count();

      await gateway().getCallerIdentity(keyOf(user), 'us-east-1');

      assert.equal(loopback.sts.count(), before + 1);
    });

    test('uses an explicit endpoint option without any environment variable', async () => {
      const user = loopback.sts.registerUser();
      delete process.env.AWS_ENDPOINT_URL_STS;
      const before = loopback.sts.count();

      await gateway({ endpoint: loopback.sts.endpoint }).getCallerIdentity(keyOf(user), 'us-east-1');

      assert.equal(loopback.sts.count(), before + 1);
    });
  });

  describe(`SdkAwsGateway ${via}: STS's refusals, mapped`, () => {
    test('a wrong code is sts-invalid-code, and the message does not contain it', async () => {
      const user = loopback.sts.registerUser();
      const wrong = loopback.sts.currentCode(user, 5);

      const error = await rejection(gateway().getSessionToken(requestFor(user, { code: wrong })), 'sts-invalid-code');

      assert.match(error.message, /wrong, or it was already used/);
      assertNoSecrets(error, wrong, user.secretAccessKey);
    });

    test('the same code sent twice in one time step is refused the second time', async () => {
      const user = loopback.sts.registerUser();
      const code = loopback.sts.currentCode(user);
      const gw = gateway();
      await gw.getSessionToken(requestFor(user, { code }));

      await rejection(gw.getSessionToken(requestFor(user, { code })), 'sts-invalid-code');

      assert.equal(loopback.sts.requests.at(-1)?.outcome, 'AccessDenied (replayed time step)');
    });

    test("another user's MFA serial is sts-wrong-device", async () => {
      const user = loopback.sts.registerUser();
      const other = loopback.sts.registerUser();

      const error = await rejection(
        gateway().getSessionToken(requestFor(user, { mfaSerial: other.mfaSerial as string, code: loopback.sts.currentCode(other) })),
        'sts-wrong-device',
      );

      assert.equal(error.field, 'mfaSerial');
      assert.ok(error.message.includes(other.mfaSerial ?? ''));
    });

    test('a stored temporary (ASIA) key is sts-session-credentials', async () => {
      const user = loopback.sts.registerUser();
      const session = await gateway().getSessionToken(requestFor(user));
      // What a user gets who pasted a session's key and secret as the "long-lived" key: STS does not know
      // the key without its token (InvalidClientTokenId), which the gateway explains as this row.
      const sessionKey = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey };

      const error = await rejection(
        gateway().getSessionToken(requestFor(user, { key: sessionKey, code: loopback.sts.currentCode(user, 1) })),
        'sts-session-credentials',
      );

      assert.match(error.message, /temporary session key/);
      assert.equal(loopback.sts.requests.at(-1)?.outcome, 'InvalidClientTokenId');
      assertNoSecrets(error, session.secretAccessKey);
    });

    test('an unknown access key is sts-invalid-key', async () => {
      const key = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) };

      const error = await rejection(gateway().getCallerIdentity(key, 'us-east-1'), 'sts-invalid-key');

      assert.match(error.message, /deleted, deactivated or mistyped/);
      assert.ok(!error.message.includes('AKIAUNKNOWNKEY000000'), 'the key id is shown masked');
    });

    test('a wrong secret access key is sts-bad-signature', async () => {
      const user = loopback.sts.registerUser();
      const wrongSecret = 'y'.repeat(40);

      const error = await rejection(
        gateway().getCallerIdentity({ accessKeyId: user.accessKeyId, secretAccessKey: wrongSecret }, 'us-east-1'),
        'sts-bad-signature',
      );

      assertNoSecrets(error, wrongSecret);
    });

    test('"Signature expired" (this clock behind by 10 minutes) is clock-skew', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setClockSkew(10 * 60_000);

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'clock-skew');

      assert.match(error.message, /about 10 minutes behind AWS's/);
      assert.equal(error.retryable, true);
    });

    test('"Signature not yet current" (this clock ahead by 10 minutes) is clock-skew', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setClockSkew(-10 * 60_000);

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'clock-skew');

      assert.match(error.message, /about 10 minutes ahead of AWS's/);
    });

    test('after a clock-skew refusal the next request is signed in AWS time and succeeds', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setClockSkew(10 * 60_000);
      const gw = gateway();
      await rejection(gw.getSessionToken(requestFor(user)), 'clock-skew');

      const session = await gw.getSessionToken(requestFor(user));

      assert.match(session.accessKeyId, /^ASIA/);
    });

    test('Throttling is sts-throttled, worth retrying later', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.throttleNext(1);

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'sts-throttled');

      assert.match(error.message, /rate exceeded/i);
      assert.equal(error.retryable, true);
    });

    test('a duration out of range is sts-validation on durationSeconds', async () => {
      const user = loopback.sts.registerUser();

      const error = await rejection(gateway().getSessionToken(requestFor(user, { durationSeconds: 600 })), 'sts-validation');

      assert.equal(error.field, 'durationSeconds');
      assert.match(error.message, /900 to 129600 seconds/);
    });

    test('a code of the wrong length is sts-validation on the code, without echoing it', async () => {
      const user = loopback.sts.registerUser();

      const error = await rejection(gateway().getSessionToken(requestFor(user, { code: '12345' })), 'sts-validation');

      assert.equal(error.field, 'code');
      assertNoSecrets(error, '12345');
    });

    test('a security-key (u2f) serial is refused before anything is sent', async () => {
      const user = loopback.sts.registerUser();
      const before = loopback.sts.count();

      const error = await rejection(
        gateway().getSessionToken(requestFor(user, { mfaSerial: 'arn:aws:iam::123456789012:u2f/user/alice/yubikey-ABCDEFGHIJKLMNOP' })),
        'invalid-input',
      );

      assert.equal(error.field, 'mfaSerial');
      assert.match(error.message, /security key/);
      assert.equal(loopback.sts.count(), before);
    });

    test('a region that is no host name is refused before anything is sent', async () => {
      const user = loopback.sts.registerUser();
      const before = loopback.sts.count();

      const error = await rejection(gateway().getCallerIdentity(keyOf(user), 'us east 1'), 'invalid-input');

      assert.equal(error.field, 'region');
      assert.equal(loopback.sts.count(), before);
    });
  });

  describe(`SdkAwsGateway ${via}: faults`, () => {
    test('a hanging STS fails within the timeout', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setHang(true);
      const started = Date.now();

      const error = await rejection(gateway({ timeoutMs: 500 }).getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
      assert.match(error.message, /did not answer within/);
      assert.equal(error.retryable, true);
    });

    test('a hanging STS bounds GetCallerIdentity, retries included, by the same timeout', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setHang(true);
      const started = Date.now();

      await rejection(gateway({ timeoutMs: 500, identityMaxAttempts: 3 }).getCallerIdentity(keyOf(user), 'us-east-1'), 'sts-unavailable');

      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    });

    test('latency below the timeout is waited out', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setLatency(300);

      const session = await gateway({ timeoutMs: 3000 }).getSessionToken(requestFor(user));

      assert.match(session.accessKeyId, /^ASIA/);
    });

    test('a 5xx on a call carrying a code is not retried', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.failNext(3, 503);
      const before = loopback.sts.count('GetSessionToken');

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.equal(loopback.sts.count('GetSessionToken'), before + 1);
      assert.match(error.message, /HTTP 503/);
      assert.equal(error.retryable, true);
    });

    test('a 5xx on GetCallerIdentity (no code) is retried', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.failNext(1, 500);
      const before = loopback.sts.count('GetCallerIdentity');

      const identity = await gateway().getCallerIdentity(keyOf(user), 'us-east-1');

      assert.equal(identity.arn, user.arn);
      assert.equal(loopback.sts.count('GetCallerIdentity'), before + 2);
    });

    test('an HTML page instead of XML (captive portal) is sts-unavailable', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.malformNext(1, 'html');

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.match(error.message, /not an STS response/);
    });

    test('cut-off XML is sts-unavailable', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.malformNext(1, 'truncated');

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.match(error.message, /not an STS response/);
    });

    test('well-formed XML without credentials is sts-unavailable', async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.malformNext(1, 'empty-result');

      await rejection(gateway().getSessionToken(requestFor(user)), 'sts-unavailable');
    });

    test("a proxy's HTML 403 is sts-unavailable, not a refusal by AWS", async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.malformNext(1, 'proxy-403');

      const error = await rejection(gateway().getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.match(error.message, /not an STS response \(HTTP 403\)/);
    });

    test('a refused connection is sts-unavailable and names the host', async () => {
      const user = loopback.sts.registerUser();
      const closed = await startStsServer();
      await closed.close();

      const error = await rejection(gateway({ endpoint: closed.endpoint }).getSessionToken(requestFor(user)), 'sts-unavailable');

      assert.match(error.message, /Could not reach STS at 127\.0\.0\.1:\d+: the connection was refused/);
    });
  });

  describe(`SdkAwsGateway ${via}: IAM (the user's MFA devices)`, () => {
    test('lists the devices with their enable dates, signed for service iam', async () => {
      const user = loopback.sts.registerUser();
      const key = loopback.sts.addDevice(user, { kind: 'security-key' });
      const devices = await gateway().listMfaDevices(keyOf(user), 'eu-west-1');
      assert.deepEqual(
        devices.map((d) => d.serialNumber),
        [user.mfaSerial, key.serialNumber],
      );
      assert.equal(devices[1]?.enabledAt, key.enabledAt);
      assert.equal(loopback.sts.requests.at(-1)?.action, 'ListMFADevices');
    });

    test("IAM's refusal and a page that is not IAM's are said as IAM's, with the secret nowhere", async () => {
      const user = loopback.sts.registerUser({ iamPolicy: 'mfa-required' });
      const denied = await rejection(gateway().listMfaDevices(keyOf(user), 'us-east-1'), 'sts-denied');
      assert.match(denied.message, /^AWS refused ListMFADevices: User: arn:aws:iam::123456789012:user\/\S+ is not authorized to perform: iam:ListMFADevices/);
      loopback.sts.malformNext(1, 'html');
      const html = await rejection(gateway().listMfaDevices(keyOf(loopback.sts.registerUser()), 'us-east-1'), 'sts-unavailable');
      assert.match(html.message, /^IAM \(127\.0\.0\.1:\d+\) answered something that is not an IAM response \(HTTP 200\)/);
      for (const error of [denied, html]) assert.ok(!error.message.includes(user.secretAccessKey));
    });
  });

  describe(`SdkAwsGateway ${via}: clock offset`, () => {
    for (const skewSeconds of [90, -90]) {
      test(`measures an STS clock ${skewSeconds > 0 ? 'ahead' : 'behind'} by 90 s`, async () => {
        const user = loopback.sts.registerUser();
        loopback.sts.setClockSkew(skewSeconds * 1000);
        const clockOffset = new ClockOffset();

        await gateway({ clockOffset }).getSessionToken(requestFor(user));

        assert.equal(clockOffset.measured, true);
        assert.ok(Math.abs(clockOffset.offsetMs - skewSeconds * 1000) <= 1500, `measured ${clockOffset.offsetMs} ms`);
      });
    }

    test('measures the offset from a refusal too', async () => {
      loopback.sts.setClockSkew(90_000);
      const clockOffset = new ClockOffset();
      const key = { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'x'.repeat(40) };

      await rejection(gateway({ clockOffset }).getCallerIdentity(key, 'us-east-1'), 'sts-invalid-key');

      assert.ok(Math.abs(clockOffset.offsetMs - 90_000) <= 1500, `measured ${clockOffset.offsetMs} ms`);
    });

    test("GetCallerIdentity (no code) gets past a 10-minute skew by the SDK's own correction and retry", async () => {
      const user = loopback.sts.registerUser();
      loopback.sts.setClockSkew(10 * 60_000);
      const clockOffset = new ClockOffset();

      const identity = await gateway({ clockOffset }).getCallerIdentity(keyOf(user), 'us-east-1');

      assert.equal(identity.arn, user.arn);
      assert.ok(Math.abs(clockOffset.offsetMs - 600_000) <= 1500, `measured ${clockOffset.offsetMs} ms`);
    });

    test('reports no offset for an STS clock in step with ours', async () => {
      const user = loopback.sts.registerUser();
      const clockOffset = new ClockOffset();
      clockOffset.set(42_000);

      await gateway({ clockOffset }).getCallerIdentity(keyOf(user), 'us-east-1');

      assert.equal(clockOffset.offsetMs, 0);
    });
  });
}

gatewaySuites('in this process', inProcess);
gatewaySuites('in the AWS helper', inHelper);

describe('SdkAwsGateway in the AWS helper: where the calls were made', () => {
  test('every gateway of those tests made its calls in a helper process of its own', () => {
    assert.ok(helpers > 0);
    assert.equal(helperStarts.size, helpers);
  });
});
