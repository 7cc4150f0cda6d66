/**
 * The tray app (its Electron layer over fakes, its engine real) and the command as two real
 * processes: a session got with `mfa-tray refresh` in a terminal updates the app's menu and takes
 * back its "expires soon" notification within seconds.
 *
 * Seen on landed main: after `mfa-tray refresh work` in a terminal, the tray still warned that
 * work's session was about to expire.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, test } from 'node:test';
import { Engine } from '../../main/engine/engine';
import { TrayApp } from '../../main/electron/tray-app';
import { fakeSession, useCliSuite } from '../support/cli';
import { fakeElectron } from './fakes';
import { until } from '../support/until';

const cli = useCliSuite('tray-two');

describe('the tray app and a terminal, two processes', () => {
  test("after mfa-tray refresh in a terminal, the app's menu shows the new session and its 'expires soon' notification goes away", async () => {
    await cli.sandbox.addProfile('work', cli.user, ['--duration', '3600']);
    mkdirSync(dirname(cli.sandbox.credentialsFile), { recursive: true });
    // Already inside the 15 minutes: the app warns at once.
    await cli.sandbox.seedSession('work', fakeSession(Date.now() + 10 * 60_000));
    const engine = new Engine({
      env: cli.sandbox.env,
      configDir: cli.sandbox.configDir,
      secretStore: cli.sandbox.keychain.store,
      stsEndpoint: cli.sts.endpoint,
    });
    const electron = fakeElectron();
    const app = await TrayApp.start({
      engine,
      electron,
      platform: 'linux',
      packaged: false,
      env: { HOME: cli.sandbox.env.HOME },
      execPath: '/opt/MFA Tray/mfa-tray',
      commandLauncher: '/opt/MFA Tray/resources/bin/mfa-tray',
      timeZone: 'UTC',
    });
    try {
      await until(() => electron.notifications.live.length === 1, 'the "expires soon" notification', 20_000);
      assert.match(electron.notifications.live[0]?.content.title ?? '', /^work: session expires in \d+m$/);
      assert.match(electron.tray.item('profile:work').label ?? '', /^work — [89]m left/);

      await cli.sts.avoidStepEdge(3000);
      const refreshed = await cli.sandbox.run(['refresh', 'work', '--code', cli.sts.currentCode(cli.user)]);
      assert.equal(refreshed.status, 0, refreshed.stderr);

      await until(() => /^work — 59m left/.test(electron.tray.item('profile:work').label ?? ''), "the menu to show the terminal's session", 20_000);
      await until(() => electron.notifications.live.length === 0, 'the notification to go away', 20_000);
    } finally {
      await app.shutdown();
    }
  });
});
