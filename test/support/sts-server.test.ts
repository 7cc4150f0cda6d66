/**
 * The loopback STS itself: the checks other tests rely on it for, seen through the AWS SDK (so that
 * its SigV4 and query protocol are what the server must understand) and through raw HTTP.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { STS_MESSAGES, startStsServer, useStsServer, type StsUser } from './sts-server';

const loopback = useStsServer();

before(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
});

function client(credentials: STSClientConfig['credentials'], extra: Partial<STSClientConfig> = {}): STSClient {
  return new STSClient({
    region: 'us-east-1',
    endpoint: loopback.sts.endpoint,
    ...(credentials === undefined ? {} : { credentials }),
    maxAttempts: 1,
    ...extra,
  });
}

function longLived(user: StsUser): STSClient {
  return client({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
}

function getSessionToken(user: StsUser, code: string, durationSeconds = 3600): GetSessionTokenCommand {
  return new GetSessionTokenCommand({ SerialNumber: user.mfaSerial, TokenCode: code, DurationSeconds: durationSeconds });
}

/** The STS error the SDK threw: its code, message and HTTP status. */
async function stsError(promise: Promise<unknown>): Promise<{ code: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('expected STS to refuse');
}

describe('loopback STS', () => {
  test('answers an unsigned request with the ErrorResponse XML and a Date from its own clock', async () => {
    loopback.sts.setClockSkew(3_600_000);

    const response = await fetch(loopback.sts.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const body = await response.text();

    assert.equal(response.status, 403);
    assert.match(body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">/);
    assert.match(body, /<Type>Sender<\/Type>\s*<Code>MissingAuthenticationToken<\/Code>/);
    assert.match(body, /<RequestId>[0-9a-f-]{36}<\/RequestId>/);
    const serverDate = Date.parse(response.headers.get('date') ?? '');
    assert.ok(Math.abs(serverDate - (Date.now() + 3_600_000)) < 2000);
  });

  test('refuses a request whose body changed after signing', async () => {
    const user = loopback.sts.registerUser();
    const tampering = longLived(user);
    // After the signer (finalizeRequest), as a man in the middle would.
    tampering.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string };
        request.body = request.body.replace('DurationSeconds=3600', 'DurationSeconds=7200');
        return next(args);
      },
      { step: 'deserialize', priority: 'low', name: 'tamper' },
    );

    const error = await stsError(tampering.send(getSessionToken(user, loopback.sts.currentCode(user))));

    assert.deepEqual(error, { code: 'SignatureDoesNotMatch', message: STS_MESSAGES.signatureDoesNotMatch, status: 403 });
  });

  test('accepts the codes of the previous and the next time step', async () => {
    const user = loopback.sts.registerUser();
    await loopback.sts.avoidStepEdge();

    const previous = await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user, -1)));
    const next = await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user, 1)));

    assert.match(previous.Credentials?.AccessKeyId ?? '', /^ASIA/);
    assert.match(next.Credentials?.AccessKeyId ?? '', /^ASIA/);
  });

  test('refuses a code two time steps away', async () => {
    const user = loopback.sts.registerUser();
    await loopback.sts.avoidStepEdge();

    const error = await stsError(longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user, 2))));

    assert.deepEqual(error, { code: 'AccessDenied', message: STS_MESSAGES.invalidCode, status: 403 });
  });

  test('refuses an older time step once a newer one was used', async () => {
    const user = loopback.sts.registerUser();
    await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user, 1)));

    const error = await stsError(longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user))));

    assert.equal(error.message, STS_MESSAGES.invalidCode);
    assert.equal(loopback.sts.requests.at(-1)?.outcome, 'AccessDenied (replayed time step)');
  });

  test('refuses GetSessionToken signed with a session it issued', async () => {
    const user = loopback.sts.registerUser();
    const { Credentials } = await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user)));
    const session = client({
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    });

    const error = await stsError(session.send(getSessionToken(user, loopback.sts.currentCode(user, 1))));

    assert.deepEqual(error, { code: 'AccessDenied', message: STS_MESSAGES.sessionCredentials, status: 403 });
  });

  test('answers GetCallerIdentity signed with a session it issued', async () => {
    const user = loopback.sts.registerUser();
    const { Credentials } = await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user)));
    const session = client({
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    });

    const identity = await session.send(new GetCallerIdentityCommand({}));

    assert.equal(identity.Arn, user.arn);
  });

  test('refuses a session without its token as an unknown key', async () => {
    const user = loopback.sts.registerUser();
    const { Credentials } = await longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user)));
    const tokenless = client({ accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '' });

    const error = await stsError(tokenless.send(new GetCallerIdentityCommand({})));

    assert.deepEqual(error, { code: 'InvalidClientTokenId', message: STS_MESSAGES.invalidClientTokenId, status: 403 });
  });

  test("uses STS's ValidationError wording for a duration above the maximum", async () => {
    const user = loopback.sts.registerUser();

    const error = await stsError(longLived(user).send(getSessionToken(user, loopback.sts.currentCode(user), 200_000)));

    assert.deepEqual(error, {
      code: 'ValidationError',
      message:
        "1 validation error detected: Value '200000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
      status: 400,
    });
  });

  test("refuses a serial that is not the signing user's with STS's wording", async () => {
    const user = loopback.sts.registerUser();
    const other = loopback.sts.registerUser();

    const error = await stsError(longLived(user).send(getSessionToken(other, loopback.sts.currentCode(other))));

    assert.deepEqual(error, { code: 'AccessDenied', message: STS_MESSAGES.wrongDevice, status: 403 });
  });

  test('logs the action and the code of every request, faulted ones too', async () => {
    const user = loopback.sts.registerUser();
    const code = loopback.sts.currentCode(user);
    loopback.sts.failNext(1, 500);

    await stsError(longLived(user).send(getSessionToken(user, code)));

    assert.deepEqual(
      {
        action: loopback.sts.requests.at(-1)?.action,
        tokenCode: loopback.sts.requests.at(-1)?.tokenCode,
        outcome: loopback.sts.requests.at(-1)?.outcome,
        status: loopback.sts.requests.at(-1)?.status,
      },
      { action: 'GetSessionToken', tokenCode: code, outcome: '5xx', status: 500 },
    );
  });

  test('close() ends requests left hanging', async () => {
    const own = await startStsServer();
    own.setHang(true);
    const pending = fetch(own.endpoint, { method: 'POST', body: 'Action=GetCallerIdentity&Version=2011-06-15' });

    await new Promise((resolve) => setTimeout(resolve, 50));
    await own.close();

    await assert.rejects(pending);
  });
});
