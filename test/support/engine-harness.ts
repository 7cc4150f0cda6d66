/**
 * A real engine for tests: its own config folder and credentials file in a temp dir, a real keychain
 * under a private service prefix (gnome-keyring in the test session), and the loopback STS server,
 * reached through the endpoint setting the SDK honours. Nothing is faked but, optionally, the clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../main/engine/clock/clock';
import { Engine } from '../../main/engine/engine';
import { KeytarSecretStore, loadKeytar, type KeytarBackend, type KeytarSecretStoreOptions } from '../../main/engine/keychain/keytar-secret-store';
import type { SecretStore } from '../../main/engine/keychain/secret-store';
import { createTestKeychain, type TestKeychain } from './keyring';
import { startStsServer, type StsServer, type StsUser } from './sts-server';

export interface Harness {
  readonly dir: string;
  readonly env: Readonly<Record<'HOME' | 'AWS_SHARED_CREDENTIALS_FILE' | 'AWS_CONFIG_FILE' | 'MFA_TRAY_CONFIG_DIR', string>>;
  readonly credentialsPath: string;
  readonly configPath: string;
  readonly sts: StsServer;
  readonly keychain: TestKeychain;
  readonly engine: Engine;
  /**
   * Another MFA Tray process's engine: the same files and keychain entries, its own objects (a
   * second tray app, say, or the command). Stopped by {@link close}.
   */
  /**
   * Another MFA Tray process on the same settings, keychain entries and record of keychain changes;
   * with `credentialsPath`, writing its sessions to a credentials file of its own (as a process
   * with another AWS_SHARED_CREDENTIALS_FILE does).
   */
  otherProcess(options?: { readonly credentialsPath?: string }): Engine;
  /** Adds a profile for a user registered on the loopback STS. */
  addUser(name: string, options?: { readonly totp?: boolean; readonly durationSeconds?: number; readonly targetSection?: string }): Promise<StsUser>;
  close(): Promise<void>;
}

let probedListings: Promise<KeytarBackend> | undefined;

/**
 * keytar as the store loads it, but with the store asking the lock probe before each listing, as it
 * does before keytar's own: for a store whose "is it locked?" answer is the test's. (On Linux the
 * listing over D-Bus refuses a locked collection by itself, so the store does not ask first; it
 * would find the shared keyring unlocked.) One loader, so that every such store shares one queue.
 */
function listingsAskTheProbe(): Promise<KeytarBackend> {
  probedListings ??= loadKeytar().then((keytar) => ({ ...keytar, listingRefusesLocked: false }));
  return probedListings;
}

/**
 * `keychain`: options for the real keychain store (a lock probe, say, for a keyring that cannot be
 * locked and unlocked in place while other tests share it: then its listings ask that probe too).
 */
export async function createHarness(
  options: { readonly clock?: Clock; readonly sts?: StsServer; readonly keychain?: KeytarSecretStoreOptions } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-engine-'));
  const credentialsPath = join(dir, 'aws', 'credentials');
  const configPath = join(dir, 'aws', 'config');
  const env = {
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: credentialsPath,
    AWS_CONFIG_FILE: configPath,
    MFA_TRAY_CONFIG_DIR: join(dir, 'config'),
  };
  const sts = options.sts ?? (await startStsServer());
  const keychain = createTestKeychain(
    'engine',
    options.keychain?.lockProbe && !options.keychain.loadBackend ? { loadBackend: listingsAskTheProbe, ...options.keychain } : options.keychain,
  );
  /** An engine on this harness's files, keychain entries and STS. */
  const engineWith = (secretStore: SecretStore, clock?: Clock, credentialsFile?: string): Engine =>
    new Engine({
      env: credentialsFile === undefined ? env : { ...env, AWS_SHARED_CREDENTIALS_FILE: credentialsFile },
      configDir: env.MFA_TRAY_CONFIG_DIR,
      secretStore,
      stsEndpoint: sts.endpoint,
      iamEndpoint: sts.endpoint,
      stsTimeoutMs: 3_000,
      ...(clock ? { clock } : {}),
    });
  const engine = engineWith(keychain.store, options.clock);
  const others: Engine[] = [];
  return {
    dir,
    env,
    credentialsPath,
    configPath,
    sts,
    keychain,
    engine,
    async addUser(name, userOptions = {}) {
      const user = sts.registerUser({ name: `${name}-${randomUUID().slice(0, 8)}` });
      await engine.addProfile(
        {
          name,
          mfaSerial: user.mfaSerial,
          accessKeyId: user.accessKeyId,
          secretAccessKey: user.secretAccessKey,
          ...(userOptions.durationSeconds ? { durationSeconds: userOptions.durationSeconds } : {}),
          ...(userOptions.targetSection ? { targetSection: userOptions.targetSection } : {}),
        },
        userOptions.totp ? { totpSecret: user.totpSecret as string } : {},
      );
      return user;
    },
    otherProcess(otherOptions = {}) {
      const other = engineWith(new KeytarSecretStore(keychain.prefix), undefined, otherOptions.credentialsPath);
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) other.stop();
      engine.stop();
      await keychain.cleanup();
      if (!options.sts) await sts.close();
      // A write the engine started before it stopped may still land in the folder (the clock
      // memory, after a window's last AWS call): seen once as ENOTEMPTY, which rm retries.
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}
