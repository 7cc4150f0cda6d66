/**
 * Where MFA Tray keeps its own (non-secret) files: the app-config folder shared by the tray app and
 * the command.
 *
 * Computed here rather than asked of Electron because the command runs without Electron, and both
 * must find the same folder. It is the folder Electron's `app.getPath('userData')` gives an app whose
 * name is {@link PRODUCT_NAME}: `appData` (Chromium's per-platform rule, mirrored below) plus the
 * name. The Electron layer should pin `userData` to {@link configDir} so the two can never drift
 * (an unpackaged `electron .` would otherwise take its name from the root package.json).
 */
import { homedir } from 'node:os';
import { join, posix, win32 } from 'node:path';
import { MfaTrayError } from '../../common/errors';

/** The app's product name: electron-builder's `productName`, and the config folder's name. */
export const PRODUCT_NAME = 'MFA Tray';

/** The environment variable that overrides the config folder (tests, portable setups). */
export const CONFIG_DIR_ENV = 'MFA_TRAY_CONFIG_DIR';

/** The names of the files in the config folder. */
export const CONFIG_FILE_NAMES = {
  /** The versioned settings and profiles (`SettingsStore`). */
  settings: 'settings.json',
  /** The TOTP time steps already sent, per device, shared by the app and the command. */
  usedCodes: 'used-codes.json',
  /** The last measured offset between this computer's clock and AWS's (`ClockMemory`). */
  clockOffset: 'clock-offset.json',
  /** The folder of per-profile refresh locks (`Engine.whileRefreshing`). */
  locks: 'locks',
  /** Which keychain entries MFA Tray processes changed lately (`KeychainChanges`; no secret). */
  keychainChanges: 'keychain-changes.log',
  /** Which session MFA Tray last wrote into the credentials file, per profile (`written-sessions.ts`; no secret). */
  writtenSessions: 'written-sessions.json',
  /** The last refresh per profile that failed because AWS could not be reached (`failed-refreshes.ts`; no secret). */
  failedRefreshes: 'failed-refreshes.json',
  /** V8's compiled code of the command's bundle, per command (`code-cache.ts`; no secret). */
  codeCache: 'code-cache',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, or undefined when unset or empty (an empty variable counts as unset, as in Chromium). */
function variable(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The folder MFA Tray keeps its settings in.
 *
 * `MFA_TRAY_CONFIG_DIR` when set (an absolute path, taken as given; a relative one is refused); otherwise, like Electron's `userData`:
 * - Linux and other Unix: `$XDG_CONFIG_HOME/MFA Tray`, else `~/.config/MFA Tray`;
 * - macOS: `~/Library/Application Support/MFA Tray`;
 * - Windows: `%APPDATA%\MFA Tray`, else `%USERPROFILE%\AppData\Roaming\MFA Tray`.
 *
 * The home folder is `$HOME` (`%USERPROFILE%` on Windows), else the OS's answer, as Chromium does.
 * Paths use the given platform's separators, so that every platform's answer can be tested anywhere.
 */
export function configDir(env: Env = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = variable(env, CONFIG_DIR_ENV);
  if (override !== undefined) {
    // A relative folder would be another one in every working directory: `credential_process` runs
    // wherever the AWS command was typed, and would find none of the profiles.
    if (!(platform === 'win32' ? win32 : posix).isAbsolute(override)) {
      throw new MfaTrayError(
        'invalid-input',
        `${CONFIG_DIR_ENV} is "${override}", a relative path: set it to an absolute path (or unset it for the default folder).`,
      );
    }
    return override;
  }

  if (platform === 'win32') {
    const appData = variable(env, 'APPDATA') ?? win32.join(variable(env, 'USERPROFILE') ?? homedir(), 'AppData', 'Roaming');
    return win32.join(appData, PRODUCT_NAME);
  }
  const home = variable(env, 'HOME') ?? homedir();
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return posix.join(variable(env, 'XDG_CONFIG_HOME') ?? posix.join(home, '.config'), PRODUCT_NAME);
}

/** The settings file: `settings.json` in {@link configDir}. */
export function settingsFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.settings);
}

/**
 * The path whose lock keeps two processes from refreshing one profile at once:
 * `locks/refresh-<profile>` in {@link configDir} (the lock itself is `<that>.lock`).
 */
export function refreshLockPath(dir: string, profile: string): string {
  // Lower case: profile names are compared ignoring case, as file names are on macOS and Windows.
  // Encoded: a name may hold "/" and ":".
  return join(dir, CONFIG_FILE_NAMES.locks, `refresh-${encodeURIComponent(profile.toLowerCase())}`);
}

/**
 * The lock of a profile's changes: a refresh's last check and writes, a removal, a key replacement
 * (`Engine.#whileChanging`). `locks/profile-<profile>` in {@link configDir}, like {@link refreshLockPath}.
 */
export function profileLockPath(dir: string, profile: string): string {
  return join(dir, CONFIG_FILE_NAMES.locks, `profile-${encodeURIComponent(profile.toLowerCase())}`);
}

/** The last measured clock offset: `clock-offset.json` in {@link configDir}. */
export function clockOffsetFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.clockOffset);
}

/** The record of TOTP time steps already used: `used-codes.json` in {@link configDir}. */
export function usedCodesFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.usedCodes);
}

/** The record of keychain entries changed lately: `keychain-changes.log` in {@link configDir}. */
export function keychainChangesFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.keychainChanges);
}

/** The record of sessions written into the credentials file: `written-sessions.json` in {@link configDir}. */
export function writtenSessionsFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.writtenSessions);
}

/** The record of refreshes that failed while AWS could not be reached: `failed-refreshes.json` in {@link configDir}. */
export function failedRefreshesFile(dir: string = configDir()): string {
  return join(dir, CONFIG_FILE_NAMES.failedRefreshes);
}

/**
 * `path` made absolute as the system opens it. On Linux and macOS the kernel takes each `..` from
 * the folder it really is in: after a linked folder, from the link's target (`~/dots/..` with
 * `~/dots` a link to `~/vault/aws` is `~/vault`), and botocore and the SDKs open the path as given.
 * `path.resolve` takes `..` by its text and would lead to a file no AWS tool reads, so here a
 * relative path is only put after the working folder and `..` is left to the system. On Windows,
 * where the system itself takes `..` by text, the path is resolved.
 */
export function absoluteAsOpened(path: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return win32.resolve(path);
  // Trailing slashes go, as path.resolve takes them away: the file is then made where every later
  // read looks (seen in review: `credentials/` made a file every read then called "not a folder").
  const trimmed = path.replace(/(?<=.)\/+$/, '');
  return posix.isAbsolute(trimmed) ? trimmed : `${process.cwd()}/${trimmed}`;
}

/** `rest` after the folder `base`, `..` in `rest` left to the system as {@link absoluteAsOpened} does. */
export function joinAsOpened(base: string, rest: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return win32.join(base, rest);
  return `${base.replace(/\/+$/, '')}/${rest}`;
}
