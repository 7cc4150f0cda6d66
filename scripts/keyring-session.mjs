// Runs a command the way the tests and the benchmark need it: inside a private D-Bus session with
// an unlocked gnome-keyring (DESIGN.md's recipe) and a throwaway HOME, so that the real keychain
// code talks to a real Secret Service and nothing touches the user's own ~/.aws or keyring.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The programs the session needs, and the Debian package of each. */
export const KEYRING_SESSION_COMMANDS = [
  { bin: 'dbus-run-session', pkg: 'dbus' },
  { bin: 'gnome-keyring-daemon', pkg: 'gnome-keyring' },
];

/** Whether a program is on PATH. */
export function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** The `apt-get install` line for the given requirements that are missing, or undefined. */
export function missingInstallLine(requirements) {
  const missing = requirements.filter((r) => !onPath(r.bin));
  if (missing.length === 0) return undefined;
  return `missing ${missing.map((m) => m.bin).join(', ')}; install with: apt-get install -y ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`;
}

/**
 * Runs `argv` in the private session with output inherited. `extraEnv` is added to the sandbox's
 * environment. @returns the command's exit status (1 when it could not run).
 */
export function runInKeyringSession(argv, { cwd, extraEnv = {}, label = 'run' } = {}) {
  const home = mkdtempSync(join(tmpdir(), `mfa-tray-${label}-home-`));
  const env = {
    ...process.env,
    ...extraEnv,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_RUNTIME_DIR: home,
    // Nothing may fall back to the real files: each test points these at its own temp dir.
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    MFA_TRAY_CONFIG_DIR: join(home, 'mfa-tray-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'DISPLAY']) delete env[name];
  const command = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null && export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK; exec ${command}`;
  try {
    const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], { cwd, stdio: 'inherit', env });
    return result.status ?? 1;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
