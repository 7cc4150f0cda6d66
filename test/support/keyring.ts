/**
 * Keychain helpers for tests: a real {@link KeytarSecretStore} under a service prefix of its own (so
 * tests never see each other's entries, nor a developer's real ones), cleaned up afterwards, and the
 * environment of a process that has no Secret Service to talk to.
 *
 * The tests run inside a private D-Bus session with an unlocked gnome-keyring (scripts/test.mjs).
 */
import { randomUUID } from 'node:crypto';
import { KeytarSecretStore, type KeytarSecretStoreOptions } from '../../main/engine/keychain/keytar-secret-store';
import type { SecretKind } from '../../main/engine/keychain/secret-store';

const KINDS: readonly SecretKind[] = ['long-lived-key', 'totp-secret', 'session'];

/** A service prefix no other test (and no real install) uses. */
export function uniqueServicePrefix(label = 'test'): string {
  return `MFA Tray ${label} ${randomUUID().slice(0, 8)}`;
}

/** A real keychain store for one test, and the clean-up that deletes every entry it made. */
export interface TestKeychain {
  readonly store: KeytarSecretStore;
  readonly prefix: string;
  cleanup(): Promise<void>;
}

/** A real keychain store under a fresh prefix. Call `cleanup()` in `after`/`afterEach`. */
export function createTestKeychain(label?: string, options: KeytarSecretStoreOptions = {}): TestKeychain {
  const prefix = uniqueServicePrefix(label);
  const store = new KeytarSecretStore(prefix, options);
  return {
    store,
    prefix,
    async cleanup() {
      for (const kind of KINDS) {
        for (const profile of await store.listProfiles(kind)) await store.delete(kind, profile);
      }
    },
  };
}

/**
 * The environment of a process that cannot reach any Secret Service: its session bus address
 * points at a socket that does not exist, and there is no X display to autolaunch one from.
 */
export function envWithoutSecretService(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, DBUS_SESSION_BUS_ADDRESS: `unix:path=/nonexistent/mfa-tray-test-${process.pid}/bus` };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}
