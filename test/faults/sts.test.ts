/**
 * STS misbehaving: hanging, failing with 5xx, throttling, answering garbage, or keeping another
 * time. Each time the refresh ends within a bound, with the message for that failure, the old
 * session stays everywhere (credentials file, keychain cache, state), the code went out exactly
 * once (no SDK retry resent it), and no code or time step ever reached STS twice.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, describe, test, type TestContext } from 'node:test';
import { isMfaTrayError, type ErrorCode } from '../../main/common/errors';
import type { SessionCredentials } from '../../main/common/model';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer, type MalformedKind, type StsUser } from '../support/sts-server';

const loopback = useStsServer();
// Runs after the server closed (hooks run in the order registered); its request log stays readable.
after(() => {
  assertNoCodeSentTwice();
});

/** No two GetSessionToken requests carried the same code, or matched the same time step, for one device. */
function assertNoCodeSentTwice(): void {
  const seen = new Map<string, number>();
  loopback.sts.requests.forEach((r, i) => {
    if (r.action !== 'GetSessionToken') return;
    for (const key of [`${r.serialNumber} code ${r.tokenCode}`, ...(r.timeStep === undefined ? [] : [`${r.serialNumber} step ${r.timeStep}`])]) {
      assert.equal(seen.get(key), undefined, `request ${i} repeats ${key} of request ${seen.get(key)}`);
      seen.set(key, i);
    }
  });
}

interface Scene {
  readonly h: Harness;
  readonly user: StsUser;
  readonly old: SessionCredentials;
  readonly file: Buffer;
}

/**
 * A profile with a session already in the file and the keychain, put there as a refresh would (but
 * without spending a code: the scenes below need the device's current code for themselves).
 */
async function withOldSession(t: TestContext, options: { readonly totp?: boolean } = {}): Promise<Scene> {
  const h = await createHarness({ sts: loopback.sts });
  t.after(() => h.close());
  const user = await h.addUser('work', options);
  const old: SessionCredentials = {
    accessKeyId: 'ASIAOLDSESSION000001',
    secretAccessKey: 'old/session/secret/key/0000000000000000',
    sessionToken: `IQoJb3JpZ2luX2VjEOLD${'x'.repeat(300)}`,
    expiresAt: Math.floor(Date.now() / 1000) * 1000 + 3_600_000,
  };
  await h.engine.credentials.writeSession('work', old);
  await h.engine.secrets.setSession('work', old);
  await h.engine.sessions.load();
  await loopback.sts.avoidStepEdge(8000);
  return { h, user, old, file: await readFile(h.credentialsPath) };
}

/**
 * Moves this computer's clock (Date.now, which the engine, its TOTP and the SDK's signer read) by
 * `jumpMs` from here on, while STS's clock stays where it was (the loopback server runs in this
 * process and reads Date.now too, so its skew takes the opposite step). Undone after the test.
 */
function moveLocalClock(t: TestContext, jumpMs: number): void {
  const realNow = (moveLocalClock as { realNow?: () => number }).realNow ?? Date.now;
  (moveLocalClock as { realNow?: () => number }).realNow = realNow;
  Date.now = () => realNow() + jumpMs;
  loopback.sts.setClockSkew(-jumpMs);
  t.after(() => {
    Date.now = realNow;
  });
}

async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<Error & { retryable: boolean }> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(isMfaTrayError(error, code), `expected ${code}, got ${String(error)}`);
  return error;
}

/** The old session is still in the file, in the keychain, and shown. */
async function assertOldSessionKept({ h, old, file }: Scene): Promise<void> {
  assert.deepEqual(await readFile(h.credentialsPath), file, 'the credentials file is byte for byte as it was');
  assert.deepEqual(await h.engine.secrets.getSession('work'), old, 'the keychain still caches the old session');
  const state = h.engine.sessions.state('work');
  assert.equal(state.kind, 'failed');
  assert.equal('expiresAt' in state ? state.expiresAt : undefined, old.expiresAt, 'the old expiry is still shown');
}

/** GetSessionToken requests sent while `run` ran. */
async function sentDuring(run: () => Promise<unknown>): Promise<number> {
  const before = loopback.sts.count('GetSessionToken');
  await run();
  return loopback.sts.count('GetSessionToken') - before;
}

describe('STS hangs', () => {
  test('a typed code: the refresh gives up after the timeout, says so, and sent the code once', { timeout: 20_000 }, async (t) => {
    const scene = await withOldSession(t);
    loopback.sts.setHang(true);
    const started = Date.now();
    const sent = await sentDuring(async () => {
      const error = await failure(scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user) }), 'sts-unavailable');
      assert.match(error.message, /did not answer within 3 s/);
      assert.ok(error.retryable);
    });
    const took = Date.now() - started;
    t.diagnostic(`gave up after ${took} ms (timeout 3 s)`);
    assert.ok(took >= 2500 && took < 5000, `took ${took} ms`);
    assert.equal(sent, 1);
    await assertOldSessionKept(scene);
  });

  test('a typed code that may have reached STS (it hung past the time-out) stays used: sent again, it is refused here', { timeout: 20_000 }, async (t) => {
    const scene = await withOldSession(t);
    loopback.sts.setHang(true);
    const code = loopback.sts.currentCode(scene.user);
    await failure(scene.h.engine.refresh('work', { code }), 'sts-unavailable');
    loopback.sts.setHang(false);
    const sent = await sentDuring(async () => {
      await failure(scene.h.engine.refresh('work', { code }), 'code-reused');
    });
    assert.equal(sent, 0);
    await assertOldSessionKept(scene);
  });

  test(
    'a generated code, the clock not measured yet: the clock check gets no answer within the timeout, so no code is made or sent',
    { timeout: 30_000 },
    async (t) => {
      // Seen on landed main: ~2× the timeout (the clock check, then the code), a message naming one
      // timeout, and a code sent into the hung endpoint (its time step then used up).
      const scene = await withOldSession(t, { totp: true });
      loopback.sts.setHang(true);
      const started = Date.now();
      const sent = await sentDuring(async () => {
        const error = await failure(scene.h.engine.refresh('work', { generate: true }), 'sts-unavailable');
        assert.match(error.message, /did not answer within 3 s/);
      });
      const took = Date.now() - started;
      t.diagnostic(`gave up after ${took} ms (the clock check, at most 3 s)`);
      assert.ok(took < 5_000, `took ${took} ms`);
      assert.equal(sent, 0, 'no code was sent');
      await assertOldSessionKept(scene);

      // No time step was used up: once STS answers, the code of this very step goes out, with no wait.
      loopback.sts.setHang(false);
      let waited = false;
      await scene.h.engine.refresh('work', { generate: true, onWait: () => (waited = true) });
      assert.equal(waited, false, 'no wait for the next time step');
    },
  );
});

describe('STS fails', () => {
  for (const status of [500, 502, 503, 504] as const) {
    test(`HTTP ${status}: "try again in a few minutes", code sent once (no SDK retry)`, async (t) => {
      const scene = await withOldSession(t);
      loopback.sts.failNext(5, status);
      const sent = await sentDuring(async () => {
        const error = await failure(scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user) }), 'sts-unavailable');
        assert.match(error.message, new RegExp(`HTTP ${status}.*try again in a few minutes`));
        assert.ok(error.retryable);
      });
      assert.equal(sent, 1);
      await assertOldSessionKept(scene);
    });
  }

  test('throttling: "wait a minute", code sent once (no SDK retry)', async (t) => {
    const scene = await withOldSession(t);
    loopback.sts.throttleNext(5);
    const sent = await sentDuring(async () => {
      const error = await failure(scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user) }), 'sts-throttled');
      assert.match(error.message, /rate exceeded\)\. Wait a minute/);
      assert.ok(error.retryable);
    });
    assert.equal(sent, 1);
    await assertOldSessionKept(scene);
  });

  for (const kind of ['html', 'truncated', 'empty-result', 'proxy-403'] as const satisfies readonly MalformedKind[]) {
    test(`garbage (${kind}): "not an STS response", code sent once, and not reused after`, async (t) => {
      const scene = await withOldSession(t);
      loopback.sts.malformNext(1, kind);
      const code = loopback.sts.currentCode(scene.user);
      const sent = await sentDuring(async () => {
        const error = await failure(scene.h.engine.refresh('work', { code }), 'sts-unavailable');
        assert.match(error.message, /not an STS response \(HTTP (200|403)\)\. A captive portal/);
      });
      assert.equal(sent, 1);
      await assertOldSessionKept(scene);
      // STS used the code up although the answer was lost: the same code again is refused locally.
      const again = await sentDuring(() => failure(scene.h.engine.refresh('work', { code }), 'code-reused'));
      assert.equal(again, 0);
    });
  }
});

describe("STS's clock differs from this computer's", () => {
  test('by 6 minutes: "the clock is about 6 minutes behind", then the next code works (signed in AWS time)', async (t) => {
    const scene = await withOldSession(t);
    loopback.sts.setClockSkew(6 * 60_000);
    await loopback.sts.avoidStepEdge(8000);
    const error = await failure(scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user) }), 'clock-skew');
    assert.match(error.message, /clock is about (6 minutes|3[56]\d s) behind AWS's/);
    await assertOldSessionKept(scene);

    const session = await scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user, 1) });
    assert.equal(session.accessKeyId, loopback.sts.sessions.at(-1)?.accessKeyId);
  });

  for (const skewS of [-100, 100, -7 * 60]) {
    test(`by ${skewS} s with a TOTP secret: the generated code is made in AWS time and accepted at once`, async (t) => {
      const scene = await withOldSession(t, { totp: true });
      loopback.sts.setClockSkew(skewS * 1000);
      const sent = await sentDuring(async () => {
        const session = await scene.h.engine.refresh('work', { generate: true });
        assert.equal(session.accessKeyId, loopback.sts.sessions.at(-1)?.accessKeyId);
      });
      assert.equal(sent, 1, 'one GetSessionToken, accepted');
    });
  }

  // The offset is measured from STS's answers. When this computer's clock is then changed (the
  // user follows the advice and corrects it, or NTP steps it after a sleep), the measurement is
  // off by exactly that much, and must not be trusted any more.
  test('after the user corrects a clock that was 7 minutes fast, the next typed code is accepted', async (t) => {
    const scene = await withOldSession(t);
    moveLocalClock(t, 7 * 60_000);
    const error = await failure(scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user) }), 'clock-skew');
    assert.match(error.message, /7 minutes ahead of AWS's/);
    await scene.h.engine.refresh('work', { code: loopback.sts.currentCode(scene.user, 1) });

    moveLocalClock(t, 0);
    const user2 = await scene.h.addUser('second');
    await loopback.sts.avoidStepEdge(8000);
    const result = await scene.h.engine.refresh('second', { code: loopback.sts.currentCode(user2) }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    assert.equal(result, 'accepted', 'the first refresh after the clock was corrected');
  });

  test("after this computer's clock is stepped by 100 s, the next generated code is accepted", async (t) => {
    const scene = await withOldSession(t, { totp: true });
    await scene.h.engine.refresh('work', { generate: true });

    moveLocalClock(t, 100_000);
    await scene.h.addUser('second', { totp: true });
    const sent = await sentDuring(async () => {
      const result = await scene.h.engine.refresh('second', { generate: true }).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
      assert.equal(result, 'accepted', 'the first generated code after the clock moved');
    });
    assert.equal(sent, 1);
  });
});
