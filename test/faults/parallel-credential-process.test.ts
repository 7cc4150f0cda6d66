/**
 * Several `credential-process` calls for one profile at once, as AWS tools start them (a script
 * running AWS commands side by side, `make -j`, an SDK creating clients in parallel), each a real
 * process. One refreshes; the others wait for it and serve the session it got. Without that each
 * would refresh on its own: with TOTP each waits for a time step of its own (AWS refuses a code
 * twice), and without TOTP each would ask for a code on the same terminal.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { fakeSession, useCliSuite, type CliResult } from '../support/cli';

const CALLS = 5;

const cli = useCliSuite('parallel');

beforeEach(async () => {
  await cli.sandbox.addProfile('dev', cli.user);
  assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
});

/** Starts `CALLS` credential-process runs at the same moment and waits for all of them. */
async function atOnce(profile = 'dev'): Promise<CliResult[]> {
  return Promise.all(Array.from({ length: CALLS }, () => cli.sandbox.run(['credential-process', profile])));
}

/**
 * Every call succeeded with the session STS issued last; stderr holds at most the note of a waiting
 * call, and the line saying that the code waits for the next time step (near a step's end).
 */
function assertAllServedTheLastSession(results: readonly CliResult[], profile = 'dev'): void {
  const session = cli.sts.sessions.at(-1);
  for (const result of results) {
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { AccessKeyId: string }).AccessKeyId, session?.accessKeyId);
    for (const line of result.stderr.split('\n').filter((l) => l !== '')) {
      assert.ok(
        line === `mfa-tray credential-process: another mfa-tray is refreshing profile ${profile}; waiting for its session…` ||
          /^Waiting \d+ s for the next code of MFA device \S+ \(AWS accepts each code once\)…$/.test(line),
        result.stderr,
      );
    }
  }
}

/** The sessions STS issued to this test's user. */
function issued(): number {
  return cli.sts.sessions.filter((s) => s.user.accessKeyId === cli.user.accessKeyId).length;
}

describe('credential-process started several times at once', () => {
  test(`${CALLS} at once, no session yet: one refresh, and every call prints its session`, async () => {
    const results = await atOnce();
    assert.equal(issued(), 1, 'one session was asked of STS');
    assertAllServedTheLastSession(results);
  });

  test(`${CALLS} at once with a session about to expire: one refresh, the new session for all`, async () => {
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() + 10 * 60_000));
    const results = await atOnce();
    assert.equal(issued(), 1);
    assertAllServedTheLastSession(results);
  });

  test(`${CALLS} at once for a 900 s profile: the waiting calls take the new session although it has under 15 minutes`, async () => {
    const user = cli.sts.registerUser();
    await cli.sandbox.addProfile('short', user, ['--duration', '900']);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'short'], { input: user.totpSecret as string })).status, 0);
    const results = await atOnce('short');
    assert.equal(cli.sts.sessions.filter((s) => s.user.accessKeyId === user.accessKeyId).length, 1);
    assertAllServedTheLastSession(results, 'short');
  });
});
