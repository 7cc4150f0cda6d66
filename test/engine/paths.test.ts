import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG_DIR_ENV, PRODUCT_NAME, absoluteAsOpened, configDir, joinAsOpened, settingsFile, usedCodesFile } from '../../main/engine/files/paths';

test('the product name is "MFA Tray"', () => {
  assert.equal(PRODUCT_NAME, 'MFA Tray');
});

test('MFA_TRAY_CONFIG_DIR overrides the folder on every platform', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    assert.equal(configDir({ [CONFIG_DIR_ENV]: '/tmp/mfa', HOME: '/home/u', APPDATA: 'C:\\x' }, platform), '/tmp/mfa');
  }
});

test('a relative MFA_TRAY_CONFIG_DIR is refused on every platform (another folder in each working directory)', () => {
  for (const [platform, relative, absolute] of [
    ['linux', 'mfa', '/tmp/mfa'],
    ['darwin', './mfa', '/tmp/mfa'],
    ['win32', 'mfa\\x', 'C:\\mfa'],
  ] as const) {
    assert.throws(() => configDir({ [CONFIG_DIR_ENV]: relative, HOME: '/home/u' }, platform), { code: 'invalid-input', message: /a relative path/ });
    assert.equal(configDir({ [CONFIG_DIR_ENV]: absolute, HOME: '/home/u' }, platform), absolute);
  }
});

test('an empty MFA_TRAY_CONFIG_DIR counts as unset', () => {
  assert.equal(configDir({ [CONFIG_DIR_ENV]: '', HOME: '/home/u' }, 'linux'), '/home/u/.config/MFA Tray');
});

test('Linux: $XDG_CONFIG_HOME/MFA Tray', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, 'linux'), '/xdg/MFA Tray');
});

test('Linux: ~/.config/MFA Tray without XDG_CONFIG_HOME', () => {
  assert.equal(configDir({ HOME: '/home/u' }, 'linux'), '/home/u/.config/MFA Tray');
});

test('Linux: an empty XDG_CONFIG_HOME counts as unset, as in Chromium', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '', HOME: '/home/u' }, 'linux'), '/home/u/.config/MFA Tray');
});

test('other Unix systems follow the Linux rule', () => {
  assert.equal(configDir({ HOME: '/home/u' }, 'freebsd'), '/home/u/.config/MFA Tray');
});

test('macOS: ~/Library/Application Support/MFA Tray (XDG ignored)', () => {
  assert.equal(configDir({ HOME: '/Users/u', XDG_CONFIG_HOME: '/xdg' }, 'darwin'), '/Users/u/Library/Application Support/MFA Tray');
});

test('Windows: %APPDATA%\\MFA Tray', () => {
  assert.equal(configDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming', USERPROFILE: 'C:\\Users\\u' }, 'win32'), 'C:\\Users\\u\\AppData\\Roaming\\MFA Tray');
});

test('Windows: %USERPROFILE%\\AppData\\Roaming\\MFA Tray without APPDATA', () => {
  assert.equal(configDir({ USERPROFILE: 'C:\\Users\\u' }, 'win32'), 'C:\\Users\\u\\AppData\\Roaming\\MFA Tray');
});

test('without HOME the OS home folder is used', () => {
  assert.equal(configDir({}, 'linux'), join(homedir(), '.config', 'MFA Tray'));
});

test('the defaults are process.env and process.platform', () => {
  assert.equal(configDir(), configDir(process.env, process.platform));
});

test('the files are settings.json and used-codes.json in the folder', () => {
  assert.equal(settingsFile('/c'), join('/c', 'settings.json'));
  assert.equal(usedCodesFile('/c'), join('/c', 'used-codes.json'));
});

test('a path as the system opens it: `..` kept on Linux and macOS, taken by text on Windows (as each system does)', () => {
  assert.equal(absoluteAsOpened('/a/link/../b', 'linux'), '/a/link/../b');
  assert.equal(absoluteAsOpened('/t/new/', 'linux'), '/t/new', 'a trailing slash goes, as path.resolve takes it');
  assert.equal(absoluteAsOpened('/', 'linux'), '/');
  assert.equal(absoluteAsOpened('a/link/../b', 'darwin'), `${process.cwd()}/a/link/../b`);
  assert.equal(absoluteAsOpened('C:\\a\\link\\..\\b', 'win32'), 'C:\\a\\b');
  assert.equal(joinAsOpened('/home/alice/', 'dots/../x', 'linux'), '/home/alice/dots/../x');
  assert.equal(joinAsOpened('/home/alice', '/x', 'linux'), '/home/alice//x', 'after the folder, as `~//x` is');
  assert.equal(joinAsOpened('C:\\Users\\bob', 'dots\\..\\x', 'win32'), 'C:\\Users\\bob\\x');
});
