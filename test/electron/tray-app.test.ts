/**
 * The whole Electron layer, wired as main.ts wires it, with fakes for Electron's objects only:
 * the real engine (keychain, files, loopback STS) on a fake clock. What the user does and sees.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { channelOf, eventChannelOf, type BridgeResult } from '../../main/common/bridge';
import { TrayApp } from '../../main/electron/tray-app';
import { createHarness, type Harness } from '../support/engine-harness';
import type { FakeClock } from '../support/fake-clock';
import { useStsServer } from '../support/sts-server';
import { midStepClock } from '../support/step-clock';
import { fakeElectron, type FakeWindow } from './fakes';
import { until } from '../support/until';

const MIN = 60_000;

const loopback = useStsServer();
let h: Harness;
let clock: FakeClock;
let electron: ReturnType<typeof fakeElectron>;
let app: TrayApp | undefined;

beforeEach(async () => {
  clock = midStepClock(loopback.sts);
  h = await createHarness({ sts: loopback.sts, clock });
  electron = fakeElectron();
  app = undefined;
});
afterEach(async () => {
  await app?.shutdown();
  await h.close();
});

async function start(options: { packaged?: boolean } = {}) {
  app = await TrayApp.start({
    engine: h.engine,
    electron,
    platform: 'linux',
    packaged: options.packaged ?? false,
    env: { HOME: h.dir, XDG_CONFIG_HOME: join(h.dir, 'xdg') },
    execPath: '/opt/MFA Tray/mfa-tray',
    commandLauncher: '/opt/MFA Tray/resources/bin/mfa-tray',
    timeZone: 'UTC',
  });
  return app;
}

async function settle() {
  await app?.tray.whenIdle();
  await app?.notifications.whenIdle();
  await app?.tray.whenIdle();
}

describe('tray app', () => {
  // The real lock and unlock of gnome-keyring is tested with the command (test/faults/
  // locked-keychain.test.ts); a keyring cannot be unlocked in place without a desktop prompter, so
  // here the Secret Service's "is it locked?" answer is the test's, and keytar and the keyring real.
  it('a locked keychain at start is a state, not the end: the menu says so with Try again, the engine retries, and once it opens the scheduler runs', async () => {
    let locked = false;
    await h.close();
    h = await createHarness({ sts: loopback.sts, clock, keychain: { lockProbe: async () => (locked ? 'locked' : 'unlocked') } });
    const user = await h.addUser('work', { durationSeconds: 3600 });
    await loopback.sts.avoidStepEdge();
    const session = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    locked = true;
    await start();
    await settle();
    assert.match(electron.tray.item('keychain-problem').label ?? '', /keychain is locked/);
    assert.equal(electron.tray.item('keychain-problem').enabled, false);
    assert.deepEqual(electron.dialogs.messages, [], 'no error dialog: the menu carries it');
    assert.equal(h.engine.keychainProblem?.code, 'keychain-locked');

    // Still locked: "Try again" and the engine's own retries keep the state.
    electron.tray.click('keychain-retry');
    clock.advance(5_000);
    await until(() => h.engine.keychainProblem !== undefined, 'the retry');
    await settle();
    assert.ok(electron.tray.item('keychain-retry'));

    // Unlocked: the next retry (15 s later) starts the scheduler, which then gives the expiry
    // notice as after any start.
    locked = false;
    clock.advance(15_000);
    await until(() => h.engine.keychainProblem === undefined, 'the start once the keychain opens');
    await settle();
    assert.throws(() => electron.tray.item('keychain-problem'), /no menu item/);
    assert.match(electron.tray.item('profile:work').label ?? '', /left/);
    clock.advance(session.expiresAt - clock.now() + MIN);
    await until(() => electron.notifications.titles.includes('work: session expired'), 'the expiry notice');
  });

  it('opens the profile manager on a first start with no profiles', async () => {
    await start();
    assert.deepEqual(
      electron.windows.live.map((w) => w.page),
      ['profiles'],
    );
    assert.equal(electron.tray.item('no-profiles').enabled, false);
  });

  it('opens the code prompt for a profile without TOTP, and focuses it on a second click', async () => {
    await h.addUser('work');
    await start();
    electron.tray.click('profile:work:refresh');
    await until(() => electron.windows.opened.length === 1, 'the prompt');
    electron.tray.click('profile:work:refresh');
    await until(() => (electron.windows.opened[0]?.focused ?? 0) === 1, 'the focus');
    assert.deepEqual(
      electron.windows.opened.map((w) => w.url),
      ['app://mfa-tray/prompt.html?profile=work'],
    );
  });

  it('refreshes a TOTP profile at once, without a prompt', async () => {
    await h.addUser('auto', { totp: true });
    // Auto-refresh off: else the keeper refreshes it at start (no session yet), before the click.
    await h.engine.updateProfile('auto', { autoRefresh: false });
    await start();
    await loopback.sts.avoidStepEdge();
    const before = loopback.sts.count('GetSessionToken');
    electron.tray.click('profile:auto:refresh');
    await until(() => loopback.sts.count('GetSessionToken') === before + 1, 'the refresh');
    await until(() => /left, until/.test(electron.tray.item('profile:auto').label ?? ''), 'the menu update');
    assert.equal(electron.windows.opened.length, 0);
  });

  it('submits a code from the prompt over IPC, and the tray shows the new session', async () => {
    const user = await h.addUser('work');
    await start();
    electron.tray.click('profile:work:refresh');
    await until(() => electron.windows.opened.length === 1, 'the prompt');
    const prompt = electron.windows.opened[0] as FakeWindow;
    await loopback.sts.avoidStepEdge();
    const result = (await electron.ipcMain.invoke(channelOf('submitCode'), prompt.event(), 'work', loopback.sts.currentCode(user))) as BridgeResult<unknown>;
    assert.equal(result.ok, true, JSON.stringify(result));
    await settle();
    assert.match(electron.tray.item('profile:work').label ?? '', /^work — 1[12]h \d\dm left/);
    assert.match(await readFile(h.credentialsPath, 'utf8'), /aws_session_token/);
    assert.equal(electron.tray.look, 'ok');
  });

  it('fits the calling window to its content when its page asks (a long message), and no other window', async () => {
    await h.addUser('work');
    await start();
    electron.tray.click('profile:work:refresh');
    await until(() => electron.windows.opened.length === 1, 'the prompt');
    const prompt = electron.windows.opened[0] as FakeWindow;
    const result = (await electron.ipcMain.invoke(channelOf('fitWindow'), prompt.event(), 433)) as BridgeResult<unknown>;
    assert.deepEqual(result, { ok: true, value: null });
    assert.deepEqual(prompt.fits, [433]);
    const refused = (await electron.ipcMain.invoke(channelOf('fitWindow'), prompt.event(), 'tall')) as BridgeResult<unknown>;
    assert.equal(refused.ok, false, 'a height that is not a number is refused');
    assert.deepEqual(prompt.fits, [433]);
  });

  it('copies exports and clears them from the clipboard after the configured time', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    const session = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await start();
    electron.tray.click('profile:work:copy:env');
    await until(() => electron.clipboard.text !== '', 'the copy');
    assert.equal(electron.clipboard.text.split('\n')[0], `export AWS_ACCESS_KEY_ID=${session.accessKeyId}`);
    clock.advance(60_000);
    await app?.clipboard.whenIdle();
    assert.equal(electron.clipboard.text, '');
  });

  it('forgets a session from the menu', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await start();
    electron.tray.click('profile:work:forget');
    await until(() => electron.tray.item('profile:work').label === 'work — no session', 'the forgotten session');
    assert.doesNotMatch(await readFile(h.credentialsPath, 'utf8'), /aws_session_token/);
  });

  it("forgetting a session another tool wrote over leaves that one, and says so (the tray's word for what remove says)", async () => {
    // Seen in review: the engine leaves another tool's session in the section, and the tray said nothing.
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const other = 'ASIAOTHERTOOL0000XYZ';
    const text = await readFile(h.credentialsPath, 'utf8');
    await writeFile(h.credentialsPath, text.replace(/aws_access_key_id = ASIA\w+/, `aws_access_key_id = ${other}`));
    await start();
    electron.tray.click('profile:work:forget');
    await until(() => electron.notifications.live.length === 1, 'the notification');
    const shown = electron.notifications.live[0];
    assert.equal(shown?.content.title, "work: another tool's session was left in the credentials file");
    assert.match(shown?.content.body ?? '', /MFA Tray's own session is forgotten\. \[work\] holds another tool's session \(ASIA…0XYZ\), left as it is\./);
    assert.match(await readFile(h.credentialsPath, 'utf8'), new RegExp(`aws_access_key_id = ${other}`));
  });

  it('turns launch at login on from the menu: the setting, the OS entry, the check and the windows', async () => {
    await h.addUser('work');
    await start({ packaged: true });
    const settingsWindow = electron.windows.opened.length;
    app?.windows.show({ page: 'settings' });
    electron.tray.click('launch-at-login');
    await until(() => electron.tray.item('launch-at-login').checked === true, 'the check');
    assert.equal((await h.engine.settings.load()).settings.launchAtLogin, true);
    const entry = await readFile(join(h.dir, 'xdg', 'autostart', 'mfa-tray.desktop'), 'utf8');
    assert.match(entry, /^Exec="\/opt\/MFA Tray\/mfa-tray"$/m);
    const settings = electron.windows.opened[settingsWindow] as FakeWindow;
    assert.ok(settings.sent.some((m) => m.channel === eventChannelOf('settings') && (m.payload as { launchAtLogin: boolean }).launchAtLogin === true));

    electron.tray.click('launch-at-login');
    await until(() => electron.tray.item('launch-at-login').checked === false, 'the check off');
    await assert.rejects(stat(join(h.dir, 'xdg', 'autostart', 'mfa-tray.desktop')), { code: 'ENOENT' });
  });

  it('tells the windows the OS locale, whatever language is chosen (they apply the setting themselves)', async () => {
    await h.addUser('work');
    await h.engine.updateSettings({ language: 'ja' });
    electron.app.locale = 'de-CH';
    await start();
    const settings = app?.windows.show({ page: 'settings' }) as FakeWindow;
    const result = (await electron.ipcMain.invoke(channelOf('getLocale'), settings.event())) as BridgeResult<unknown>;
    assert.deepEqual(result, { ok: true, value: 'de-CH' });
  });

  it('applies a settings change a window makes', async () => {
    await h.addUser('work');
    await start({ packaged: true });
    const settings = app?.windows.show({ page: 'settings' }) as FakeWindow;
    const result = (await electron.ipcMain.invoke(channelOf('updateSettings'), settings.event(), { launchAtLogin: true })) as BridgeResult<unknown>;
    assert.equal(result.ok, true);
    await until(() => electron.tray.item('launch-at-login').checked === true, 'the check');
    await stat(join(h.dir, 'xdg', 'autostart', 'mfa-tray.desktop'));
  });

  it('after a wake-up past expiry, rechecks: the expiry notification, the problem look', async () => {
    const user = await h.addUser('work', { durationSeconds: 3600 });
    await loopback.sts.avoidStepEdge();
    const session = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await start();
    assert.equal(electron.tray.look, 'ok');
    clock.jump(session.expiresAt - clock.now() + 30 * MIN);
    electron.powerMonitor.emit('resume');
    await until(() => electron.notifications.live.length === 1, 'the notification');
    await settle();
    assert.deepEqual(electron.notifications.titles, ['work: session expired']);
    assert.equal(electron.tray.look, 'problem');

    electron.notifications.live[0]?.click();
    await until(() => electron.windows.opened.some((w) => w.page === 'prompt'), 'the prompt');
  });

  it('tells in a notification why a refresh from the menu failed', async () => {
    await h.addUser('auto', { totp: true });
    await h.engine.updateProfile('auto', { autoRefresh: false });
    await start();
    loopback.sts.failNext(5, 503);
    electron.tray.click('profile:auto:refresh');
    await until(() => electron.notifications.live.length === 1, 'the notification');
    assert.equal(electron.notifications.live[0]?.content.title, 'auto: refresh failed');
  });

  it("offers a failure's remedy in the app's terms: the notification names it, and a click does it", async () => {
    await h.addUser('auto', { totp: true });
    await h.keychain.store.delete('long-lived-key', 'auto');
    await start();
    electron.tray.click('profile:auto:refresh');
    await until(() => electron.notifications.live.length === 1, 'the notification');
    const body = electron.notifications.live[0]?.content.body ?? '';
    assert.equal(body, 'No access key is stored for profile "auto". Click: Store the key again…');
    assert.doesNotMatch(body, /mfa-tray/);
    electron.notifications.live[0]?.click();
    assert.deepEqual(
      electron.windows.opened.map((w) => w.page),
      ['profiles'],
    );
  });

  it("shows a role profile under its source, and its Refresh now assumes the role anew with the source's session", async () => {
    const user = await h.addUser('work', { durationSeconds: 3600 });
    const role = loopback.sts.registerRole({ name: `tray-admin-${Date.now()}`, trusts: [user] });
    await mkdir(dirname(h.env.AWS_CONFIG_FILE), { recursive: true });
    await writeFile(h.env.AWS_CONFIG_FILE, `[profile admin]\nrole_arn = ${role.arn}\nsource_profile = work\n`);
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const first = (await h.engine.refreshRole('admin', {})).session;
    await start();
    await settle();
    assert.match(electron.tray.item('profile:admin').label ?? '', /^admin \(role, from work\) — (59m|1h 00m) left/);
    const codes = loopback.sts.count('GetSessionToken');
    const roleSessions = loopback.sts.sessions.filter((s) => s.role).length;
    electron.tray.click('profile:admin:refresh');
    await until(() => loopback.sts.sessions.filter((s) => s.role).length === roleSessions + 1, 'the role assumed again');
    assert.equal(loopback.sts.count('GetSessionToken'), codes, 'no code');
    // STS has answered; the keychain is written just after.
    const issued = loopback.sts.sessions.filter((s) => s.role).at(-1);
    let stored: string | undefined;
    for (let i = 0; i < 100 && stored !== issued?.accessKeyId; i++) {
      stored = (await h.engine.lastSession('admin'))?.accessKeyId;
      if (stored !== issued?.accessKeyId) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(stored, issued?.accessKeyId, 'the new role session is stored');
    assert.notEqual(stored, first.accessKeyId);
  });

  it('opens the profile manager when started a second time', async () => {
    await h.addUser('work');
    await start();
    electron.app.emit('second-instance');
    assert.deepEqual(
      electron.windows.live.map((w) => w.page),
      ['profiles'],
    );
  });

  it('quits cleanly: no timer left, clipboard cleared, windows closed, then the app quits', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await start();
    electron.tray.click('profile:work:copy:fish');
    await until(() => electron.clipboard.text !== '', 'the copy');
    app?.windows.show({ page: 'settings' });
    electron.tray.click('quit');
    await until(() => electron.app.quits === 1, 'the quit');
    assert.equal(clock.pending, 0, 'scheduler, tray tick and clipboard timer stopped');
    assert.equal(electron.clipboard.text, '');
    assert.equal(electron.windows.live.length, 0);
    assert.equal(electron.ipcMain.handlers.size, 0);
  });

  it('finishes before an OS-initiated quit goes ahead', async () => {
    await h.addUser('work');
    await start();
    assert.equal(electron.app.emit('before-quit'), true, 'held back');
    await until(() => electron.app.quits === 1, 'the quit');
    assert.equal(electron.app.emit('before-quit'), false, 'then let through');
  });

  it('shows the About panel', async () => {
    await start();
    electron.tray.click('about');
    assert.equal(electron.app.aboutShown, 1);
  });
});

describe('tray app with an unusable settings file', () => {
  it('still comes up, says why in a dialog and in the menu', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(h.engine.configDir, { recursive: true });
    await writeFile(h.engine.settings.file, '{ "version": 1, ');
    await start();
    assert.equal(electron.dialogs.messages[0]?.type, 'error');
    assert.match(electron.dialogs.messages[0]?.detail ?? '', /settings/i);
    assert.equal(electron.tray.look, 'problem');
    assert.match(electron.tray.item('problem').label ?? '', /settings/i);
    assert.equal(electron.windows.opened.length, 0);
  });
});
