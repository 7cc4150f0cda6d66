/**
 * "Install command line tool": a symlink to the shipped launcher in a folder on PATH, never over a
 * file that is not ours; and the launcher itself, which runs the app's binary as Node on the command.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { candidateDirectories, describeInstall, installCommandLineTool, offersCommandLineTool } from '../../main/electron/command-line-tool';

let dir: string;
let launcher: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-cli-install-'));
  launcher = join(dir, 'MFA Tray', 'resources', 'bin', 'mfa-tray');
  await mkdir(join(dir, 'MFA Tray', 'resources', 'bin'), { recursive: true });
  await writeFile(launcher, '#!/bin/sh\n', { mode: 0o755 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('install command line tool', () => {
  it('links mfa-tray into the first folder it can write, creating ~/.local/bin', async () => {
    const bin = join(dir, 'home', '.local', 'bin');
    const outcome = await installCommandLineTool({ platform: 'linux', env: { HOME: join(dir, 'home'), PATH: `/usr/bin:${bin}` }, launcher });
    assert.deepEqual(outcome, { path: join(bin, 'mfa-tray'), alreadyInstalled: false, onPath: true });
    assert.equal(await readlink(join(bin, 'mfa-tray')), launcher);
    assert.match(describeInstall(outcome).detail, /Try: mfa-tray status/);
  });

  it('says so when the link is there already', async () => {
    const bin = join(dir, 'bin');
    await installCommandLineTool({ platform: 'linux', env: {}, launcher, directories: [bin] });
    const again = await installCommandLineTool({ platform: 'linux', env: {}, launcher, directories: [bin] });
    assert.equal(again.alreadyInstalled, true);
    assert.match(describeInstall(again).message, /installed already/);
  });

  it('moves a link of ours that points where the app used to be', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink('/Applications/Old/MFA Tray.app/Contents/Resources/bin/mfa-tray', join(bin, 'mfa-tray'));
    await installCommandLineTool({ platform: 'darwin', env: {}, launcher, directories: [bin] });
    assert.equal(await readlink(join(bin, 'mfa-tray')), launcher);
  });

  it('never replaces an mfa-tray that is not ours', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'mfa-tray'), '#!/bin/sh\necho mine\n');
    await assert.rejects(installCommandLineTool({ platform: 'linux', env: {}, launcher, directories: [bin] }), /exists and is not MFA Tray's command/);
    assert.ok((await lstat(join(bin, 'mfa-tray'))).isFile());
    await rm(join(bin, 'mfa-tray'));
    await symlink('/usr/lib/node_modules/mfa-tray/bin/mfa-tray.js', join(bin, 'mfa-tray'));
    await assert.rejects(installCommandLineTool({ platform: 'linux', env: {}, launcher, directories: [bin] }), /not MFA Tray's command/);
  });

  it('falls back to the next folder when one cannot be written, and says when it is not on PATH', async () => {
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, '');
    const bin = join(dir, 'home', '.local', 'bin');
    const outcome = await installCommandLineTool({ platform: 'darwin', env: { PATH: '/usr/bin' }, launcher, directories: [join(blocked, 'bin'), bin] });
    assert.equal(outcome.path, join(bin, 'mfa-tray'));
    assert.equal(outcome.onPath, false);
    assert.match(describeInstall(outcome).detail, /add .*\.local\/bin to PATH/);
  });

  it('fails with what to do when no folder can be written', async () => {
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, '');
    await assert.rejects(installCommandLineTool({ platform: 'linux', env: {}, launcher, directories: [join(blocked, 'bin')] }), /ln -s/);
  });

  it('prefers /usr/local/bin on macOS and ~/.local/bin on Linux', () => {
    assert.deepEqual(candidateDirectories('darwin', { HOME: '/Users/me' }), ['/usr/local/bin', '/Users/me/.local/bin']);
    assert.deepEqual(candidateDirectories('linux', { HOME: '/home/me' }), ['/home/me/.local/bin']);
  });

  it('is offered by packaged apps on macOS and Linux, not in an AppImage nor on Windows', () => {
    assert.equal(offersCommandLineTool('darwin', true, {}), true);
    assert.equal(offersCommandLineTool('linux', true, {}), true);
    assert.equal(offersCommandLineTool('linux', true, { APPIMAGE: '/x.AppImage' }), false);
    assert.equal(offersCommandLineTool('win32', true, {}), false);
    assert.equal(offersCommandLineTool('darwin', false, {}), false);
  });
});

describe('the shipped launcher (build/cli/mfa-tray)', () => {
  it('starts the app binary in command mode (never as Node: the fuses forbid it), through the installed symlink', async () => {
    // The deb layout: /opt/MFA Tray/{mfa-tray-app, resources/bin/mfa-tray, resources/app.asar/...}.
    const app = join(dir, 'opt', 'MFA Tray');
    await mkdir(join(app, 'resources', 'bin'), { recursive: true });
    await copyFile('build/cli/mfa-tray', join(app, 'resources', 'bin', 'mfa-tray'));
    await chmod(join(app, 'resources', 'bin', 'mfa-tray'), 0o755);
    await writeFile(join(app, 'mfa-tray-app'), '#!/bin/sh\nprintf "%s|" "$ELECTRON_RUN_AS_NODE" "$@"\n', { mode: 0o755 });
    const bin = join(dir, 'bin');
    await installCommandLineTool({ platform: 'linux', env: {}, launcher: join(app, 'resources', 'bin', 'mfa-tray'), directories: [bin] });
    const output = execFileSync(join(bin, 'mfa-tray'), ['status', '--json', 'a b'], { encoding: 'utf8' });
    // Linux: no display and no renderer sandbox needed; the arguments after `--`, untouched.
    assert.equal(output, '|--ozone-platform=headless|--disable-gpu|--no-sandbox|--mfa-tray-command|--|status|--json|a b|');
  });

  it('says where it looked when the app is gone', async () => {
    const resources = join(dir, 'gone', 'resources', 'bin');
    await mkdir(resources, { recursive: true });
    await copyFile('build/cli/mfa-tray', join(resources, 'mfa-tray'));
    await chmod(join(resources, 'mfa-tray'), 0o755);
    assert.throws(() => execFileSync(join(resources, 'mfa-tray'), [], { encoding: 'utf8', stdio: 'pipe' }), /not where this launcher expects it/);
  });
});
