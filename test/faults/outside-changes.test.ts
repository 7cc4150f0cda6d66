/**
 * The app's engine and the command as two real processes: a session the command gets is picked up
 * by the app-side engine within seconds (its state shows it, a `refreshed` notice marked `elsewhere`
 * withdraws warnings), and no "expires soon" goes out about the session it replaced.
 *
 * Seen on landed main: after `mfa-tray refresh work` in a terminal, the tray still warned that
 * work's session was about to expire.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { Engine, type EngineNotice } from '../../main/engine/engine';
import { fakeSession, useCliSuite } from '../support/cli';
import { until } from '../support/until';

const cli = useCliSuite('outside');

/**
 * The command refreshes `work` while an app-side engine runs; returns what the engine announced.
 * `watchable`: the credentials file's folder exists when the engine starts (else the engine cannot
 * watch it, and only its check at the due time can see the new session).
 */
async function refreshBehindTheAppsBack(watchable: boolean): Promise<void> {
  await cli.sandbox.addProfile('work', cli.user, ['--duration', '3600']);
  if (watchable) mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true });
  // Its "expires soon" (15 minutes ahead, a quarter of 3600 s) is due 8 s from now.
  const old = fakeSession(Date.now() + 15 * 60_000 + 8000);
  await cli.sandbox.seedSession('work', old);

  const app = new Engine({ env: cli.sandbox.env, configDir: cli.sandbox.configDir, secretStore: cli.sandbox.keychain.store, stsEndpoint: cli.sts.endpoint });
  const notices: EngineNotice[] = [];
  app.onNotice((n) => notices.push(n));
  await app.start();
  try {
    assert.equal(app.sessions.state('work').kind, 'valid');
    await cli.sts.avoidStepEdge(3000);
    const refreshed = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)]);
    assert.equal(refreshed.status, 0, refreshed.stderr);
    const issued = cli.sts.sessions.at(-1);
    await until(() => notices.some((n) => n.kind === 'refreshed' && n.elsewhere === true), 'the app to see the new session', watchable ? 5000 : 15_000);
    assert.deepEqual(app.sessions.state('work'), { kind: 'valid', expiresAt: issued?.expiresAt });
    // Past the moment the old session's warning was due: none came.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, old.expiresAt - 15 * 60_000 - Date.now()) + 1500));
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['refreshed'],
      JSON.stringify(notices),
    );
  } finally {
    app.stop();
  }
}

describe('another process refreshes a profile the app watches', () => {
  test('the command refreshes: the app-side engine shows the new session within seconds and sends no "expires soon" about the old one', async () => {
    await refreshBehindTheAppsBack(true);
  });

  test('without a credentials folder to watch at start, the due warning finds the new session in the keychain instead', async () => {
    await refreshBehindTheAppsBack(false);
  });
});

describe('another process adds or removes a profile', () => {
  test('the app-side engine announces it within seconds, and keeps it (or stops keeping it)', async () => {
    // A fast wall-clock check: profiles are read again every 6 ticks (here 1.2 s; 30 s in the app).
    const app = new Engine({
      env: cli.sandbox.env,
      configDir: cli.sandbox.configDir,
      secretStore: cli.sandbox.keychain.store,
      stsEndpoint: cli.sts.endpoint,
      tickMs: 200,
    });
    const notices: EngineNotice[] = [];
    let changes = 0;
    app.onNotice((n) => notices.push(n));
    app.onChange((what) => (changes += what === 'profiles' ? 1 : 0));
    await app.start();
    try {
      await cli.sandbox.addProfile('ops', cli.user, ['--duration', '3600']);
      await until(() => notices.some((n) => n.kind === 'profile-added'), 'the app to see the new profile');
      const added = notices.find((n) => n.kind === 'profile-added');
      assert.deepEqual(added, { kind: 'profile-added', profile: 'ops', state: { kind: 'none' }, source: 'person', selfRefreshing: false });
      // No session and nobody to generate its code: the keeper says so (the tray shows it; watch asks).
      await until(() => notices.some((n) => n.kind === 'no-session' && n.profile === 'ops'), 'the no-session notice');
      assert.ok(changes >= 1, 'the change listeners heard of it');
      assert.deepEqual(
        (await app.profiles()).map((p) => p.name),
        ['ops'],
      );

      const removed = await cli.sandbox.run(['remove', 'ops', '--yes']);
      assert.equal(removed.status, 0, removed.stderr);
      await until(() => notices.some((n) => n.kind === 'profile-removed' && n.profile === 'ops'), 'the app to see the removal');
      assert.equal(app.state('ops').kind, 'none');
    } finally {
      app.stop();
    }
  });
});
