/**
 * Keychain helpers for tests: a real {@link KeytarSecretStore} under a service prefix of its own (so
 * tests never see each other's entries, nor a developer's real ones), cleaned up afterwards, and the
 * environment of a process that has no Secret Service to talk to.
 *
 * The tests run inside a private D-Bus session with an unlocked gnome-keyring (scripts/test.mjs).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeytarSecretStore, loadKeytar, type KeytarBackend, type KeytarSecretStoreOptions } from '../../main/engine/keychain/keytar-secret-store';
import { secretServiceLockProbe, type LockProbe } from '../../main/engine/keychain/secret-service-lock';
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

/**
 * The real keychain with every round trip written down, for tests that count what an operation
 * costs: `loadBackend` is keytar itself, each call logged as `findCredentials <service>`,
 * `getPassword <service>`, …, and `lockProbe` the Secret Service lock probe, logged as
 * `probe <service>`. Nothing is answered differently.
 */
export function countingKeychain(
  /** Runs before each keytar call goes through (`getPassword <service> <account>`, …): a test may hold one there. */
  before?: (call: string) => Promise<void> | undefined,
): { readonly calls: string[]; readonly options: Required<Pick<KeytarSecretStoreOptions, 'loadBackend' | 'lockProbe'>> } {
  const calls: string[] = [];
  const counted =
    <A extends [string, ...unknown[]], R>(name: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls.push(`${name} ${args[0]}`);
      await before?.(`${name} ${args[0]} ${typeof args[1] === 'string' ? args[1] : ''}`.trimEnd());
      return call(...args);
    };
  // The backend the store loads by itself (on Linux its listing is secret-service-listing.ts's).
  const backend = loadKeytar().then((keytar): KeytarBackend => ({
    getPassword: counted('getPassword', keytar.getPassword.bind(keytar)),
    setPassword: counted('setPassword', keytar.setPassword.bind(keytar)),
    deletePassword: counted('deletePassword', keytar.deletePassword.bind(keytar)),
    findCredentials: counted('findCredentials', keytar.findCredentials.bind(keytar)),
    ...(keytar.listingRefusesLocked ? { listingRefusesLocked: true } : {}),
    ...(keytar.abandon ? { abandon: keytar.abandon.bind(keytar) } : {}),
  }));
  const probe = secretServiceLockProbe();
  const lockProbe: LockProbe = (service, account) => {
    calls.push(`probe ${service}`);
    return probe(service, account);
  };
  return { calls, options: { loadBackend: () => backend, lockProbe } };
}

/**
 * Node options (`--require`) that make a child process log its keychain round trips to `logFile`,
 * one line each, as {@link countingKeychain} does in this process: keytar's calls
 * (`getPassword <service>`, …), a listing (`findCredentials <service>`: keytar's, or on Linux the
 * Secret Service listing's search, seen on dbus-native's diagnostics channel) and the lock probe's
 * programs (`probe dbus-send`). The calls themselves go through unchanged.
 */
export function keychainCallLogger(logFile: string): string[] {
  return keytarCallPreload(
    join(dirname(logFile), 'log-keychain.cjs'),
    `const { appendFileSync } = require('node:fs');
const log = (line) => appendFileSync(${JSON.stringify(logFile)}, line + '\\n');
const childProcess = require('node:child_process');
const execFile = childProcess.execFile;
childProcess.execFile = function (file, ...rest) {
  if (/(^|\\/)(dbus-send|gdbus)$/.test(String(file))) log('probe ' + String(file).split('/').pop());
  return execFile.call(this, file, ...rest);
};
require('node:diagnostics_channel').subscribe('dbus:message:send', ({ message }) => {
  if (message.member !== 'SearchItems') return;
  const service = (message.body[0] || []).find(([name]) => name === 'service');
  if (service) log('findCredentials ' + service[1]);
});`,
    '(name, service) => log(name + " " + service)',
  );
}

/**
 * Node options (`--require`, of a preload written to `preload`) that make a child process run
 * `before` (a function's source, called with the call's name and service) before each of keytar's
 * calls goes through, wherever the process loads keytar (the bundle's copy too). `prelude`: source
 * run once, first.
 */
export function keytarCallPreload(preload: string, prelude: string, before: string): string[] {
  writeFileSync(
    preload,
    `const Module = require('node:module');
${prelude}
const before = ${before};
const wrapped = new WeakSet();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exports = load.apply(this, arguments);
  let file;
  try { file = Module._resolveFilename(request, parent, isMain); } catch {}
  if (file && /[\\\\/]keytar[\\\\/]lib[\\\\/]keytar\\.js$/.test(file) && exports && !wrapped.has(exports)) {
    wrapped.add(exports);
    for (const name of ['getPassword', 'setPassword', 'deletePassword', 'findCredentials']) {
      const original = exports[name];
      exports[name] = function (service, ...rest) { before(name, service); return original.call(this, service, ...rest); };
    }
  }
  return exports;
};
`,
  );
  return ['--require', preload];
}
