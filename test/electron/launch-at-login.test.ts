/**
 * Launch at login through the OS: login items on macOS and Windows, an XDG autostart entry on Linux.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AUTOSTART_FILE, applyLaunchAtLogin, autostartDir, autostartEntry, quoteExecArgument } from '../../main/electron/launch-at-login';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mfa-tray-autostart-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function loginItems() {
  const calls: Array<{ openAtLogin: boolean }> = [];
  return { calls, setLoginItemSettings: (s: { openAtLogin: boolean }) => void calls.push(s) };
}

describe('launch at login', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    it(`uses the OS's login items on ${platform}`, async () => {
      const items = loginItems();
      await applyLaunchAtLogin(true, { platform, loginItems: items, env: { HOME: home }, execPath: '/x' });
      await applyLaunchAtLogin(false, { platform, loginItems: items, env: { HOME: home }, execPath: '/x' });
      assert.deepEqual(items.calls, [{ openAtLogin: true }, { openAtLogin: false }]);
    });
  }

  it('writes an autostart entry on Linux that starts the app, and removes it again', async () => {
    const items = loginItems();
    const options = { platform: 'linux' as const, loginItems: items, env: { HOME: home }, execPath: '/opt/MFA Tray/mfa-tray' };
    await applyLaunchAtLogin(true, options);
    const file = join(home, '.config', 'autostart', AUTOSTART_FILE);
    const entry = await readFile(file, 'utf8');
    assert.match(entry, /^\[Desktop Entry\]\n/);
    assert.match(entry, /^Type=Application$/m);
    assert.match(entry, /^Name=MFA Tray$/m);
    assert.match(entry, /^Exec="\/opt\/MFA Tray\/mfa-tray"$/m);
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    await applyLaunchAtLogin(false, options);
    await assert.rejects(stat(file), { code: 'ENOENT' });
    await applyLaunchAtLogin(false, options);
    assert.deepEqual(items.calls, [], 'no login item API on Linux');
  });

  it('starts the AppImage file, not its temporary mount, and honours XDG_CONFIG_HOME', async () => {
    const config = join(home, 'xdg');
    await applyLaunchAtLogin(true, {
      platform: 'linux',
      loginItems: loginItems(),
      env: { HOME: home, XDG_CONFIG_HOME: config, APPIMAGE: '/home/me/Apps/MFA-Tray.AppImage' },
      execPath: '/tmp/.mount_MFA123/mfa-tray',
    });
    assert.equal(autostartDir({ HOME: home, XDG_CONFIG_HOME: config }), join(config, 'autostart'));
    assert.match(await readFile(join(config, 'autostart', AUTOSTART_FILE), 'utf8'), /^Exec="\/home\/me\/Apps\/MFA-Tray.AppImage"$/m);
  });

  it('quotes Exec as the Desktop Entry Specification says', () => {
    assert.equal(quoteExecArgument('/opt/a b/app'), '"/opt/a b/app"');
    assert.equal(quoteExecArgument('/opt/100%/app'), '"/opt/100%%/app"');
    assert.equal(quoteExecArgument('/opt/$HOME/"x"/`y`'), '"/opt/\\\\$HOME/\\\\"x\\\\"/\\\\`y\\\\`"');
    assert.equal(quoteExecArgument('C:\\odd'), '"C:\\\\\\\\odd"');
    assert.match(autostartEntry('/x'), /\nExec="\/x"\n/);
  });
});
