/**
 * A keychain of a test's own that the test can kill: a private D-Bus session bus (without service
 * activation, so that nothing restarts the keyring behind the test's back) and a gnome-keyring-daemon
 * in the foreground on it, whose process the test owns. The keyring's files live in the given
 * folder, so a restarted daemon (same password) finds the entries again.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PrivateKeyring {
  /** The environment that reaches this keyring: DBUS_SESSION_BUS_ADDRESS and the keyring's HOME. */
  readonly env: NodeJS.ProcessEnv;
  /** Kills the keyring daemon (SIGKILL) and waits for its end. */
  kill(): Promise<void>;
  /** Stops (SIGSTOP) or continues (SIGCONT) the keyring daemon: a keyring that hangs. */
  pause(on: boolean): void;
  /**
   * Starts the keyring daemon again on the same bus and files; `locked`: without its password, so
   * that the login keyring stays locked (as after a login over SSH). With no display and no prompter
   * on this bus, every unlock prompt fails at once, as it does headless.
   */
  restart(options?: { readonly locked?: boolean }): Promise<void>;
  /** Stops the daemon and the bus. */
  close(): Promise<void>;
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('close', () => resolve()));
}

/** Whether org.freedesktop.secrets has an owner on the bus. */
function secretServiceUp(env: NodeJS.ProcessEnv): boolean {
  const result = spawnSync(
    'dbus-send',
    [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.secrets',
    ],
    { env, encoding: 'utf8' },
  );
  return /boolean true/.test(result.stdout);
}

/** Starts a bus and a keyring in `dir` (which must exist). */
export async function startPrivateKeyring(dir: string): Promise<PrivateKeyring> {
  const config = join(dir, 'bus.conf');
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${join(dir, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
  );
  const bus = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    bus.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    bus.once('close', (code) => reject(new Error(`dbus-daemon ended (${code})`)));
  });
  const home = join(dir, 'keyring-home');
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DBUS_SESSION_BUS_ADDRESS: address,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_RUNTIME_DIR: home,
  };
  delete env.GNOME_KEYRING_CONTROL;
  delete env.DISPLAY;

  let daemon: ChildProcess | undefined;
  const start = async ({ locked = false }: { readonly locked?: boolean } = {}): Promise<void> => {
    daemon = spawn(
      'gnome-keyring-daemon',
      ['--foreground', ...(locked ? [] : ['--unlock']), '--components=secrets', `--control-directory=${join(home, 'control')}`],
      { env, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    daemon.stdin?.end(locked ? '' : 'keyring-password');
    const deadline = Date.now() + 10_000;
    while (!secretServiceUp(env)) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error('gnome-keyring-daemon did not come up on the private bus');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();

  return {
    env,
    async kill() {
      if (!daemon) return;
      daemon.kill('SIGKILL');
      await ended(daemon);
    },
    pause(on) {
      daemon?.kill(on ? 'SIGSTOP' : 'SIGCONT');
    },
    restart: start,
    async close() {
      if (daemon) {
        daemon.kill('SIGCONT');
        daemon.kill('SIGKILL');
        await ended(daemon);
      }
      bus.kill('SIGTERM');
      await ended(bus);
    },
  };
}

/** Where a fault test's files go: a home folder, the AWS files and MFA Tray's config folder, all in `dir`. */
export type SandboxFiles = Record<'HOME' | 'AWS_SHARED_CREDENTIALS_FILE' | 'AWS_CONFIG_FILE' | 'MFA_TRAY_CONFIG_DIR', string>;

/** The environment that points the AWS files and MFA Tray's config folder into `dir`. */
export function sandboxFiles(dir: string): SandboxFiles {
  return {
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
    MFA_TRAY_CONFIG_DIR: join(dir, 'config'),
  };
}
