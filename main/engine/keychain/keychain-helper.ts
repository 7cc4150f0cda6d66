/**
 * keytar in a process of its own (helper-process.ts), for the processes that run for days (`mfa-tray
 * watch`, the tray app) where the keychain is the Secret Service (Linux, the BSDs).
 *
 * Why a process: there every keychain read leaves memory behind for the life of the process that
 * made it, and neither leak is ours to mend. libsecret 0.20's lookup loses a D-Bus reply per
 * `getPassword` (~1–3 KB of RSS), and keytar, archived, never frees what `findCredentials` lists
 * (~5 KB an entry; its listing is now made over D-Bus instead wherever that can begin,
 * secret-service-listing.ts): README's benchmark, rows 4 and 4b. The helper makes the calls and
 * exits once it has been idle for a few seconds, taking that memory with it; the long-running
 * process never loads keytar, libsecret or GLib at all. A crash in the native code ends the helper,
 * not the app: the call fails with a plain keychain error and the next call starts a new helper.
 *
 * The calls are keytar's own four, the listing as `loadKeytar` makes it: `KeytarSecretStore` keeps
 * its queue, its timeouts, its lock checks and its messages. A call that timed out is abandoned,
 * and so is its helper: the next call starts another, and the abandoned one is let go when its call
 * ends (it may be waiting on an unlock prompt the user is answering), or killed after two minutes;
 * keytar in-process could never be stopped at all.
 */
import { helperProcess, type HelperConnection, type HelperOptions } from '../helper-process';
import type { KeytarBackend } from './keytar-secret-store';

/** The helper's file name, beside the bundles in app/dist/ (scripts/build.mjs). */
export const HELPER_FILE = 'keychain-helper.cjs';

/** keytar's four calls, by name. */
export type KeychainOp = keyof Omit<KeytarBackend, 'abandon'>;

/** A keychain helper: a `KeytarSecretStore` backend loader, and its process while one runs. */
export interface KeychainHelper {
  readonly load: () => Promise<KeytarBackend>;
  readonly pid: number | undefined;
}

const keychainHelpers = new Map<string, KeychainHelper>();

/**
 * The keychain helper that runs `script`, one per script in the process, so that every store of
 * the process shares the store's one queue (keyed by the loader). Options count only for the first
 * call with a script: only tests pass them.
 */
export function keychainHelper(script: string, options: Omit<HelperOptions, 'name' | 'loads'> = {}): KeychainHelper {
  const known = keychainHelpers.get(script);
  if (known) return known;
  const helper = helperProcess(script, { name: 'the keychain helper', loads: 'keytar', ...options });
  let last: { readonly connection: HelperConnection; readonly backend: KeytarBackend } | undefined;
  const made: KeychainHelper = {
    load: async () => {
      const connection = await helper.connect();
      if (last?.connection !== connection) last = { connection, backend: backendOver(connection) };
      return last.backend;
    },
    get pid() {
      return helper.pid;
    },
  };
  keychainHelpers.set(script, made);
  return made;
}

/** keytar's calls, each made by the helper `connection` reaches. */
function backendOver(connection: HelperConnection): KeytarBackend {
  const call = <T>(op: KeychainOp, args: readonly string[]): Promise<T> => connection.call(op, args) as Promise<T>;
  return {
    getPassword: (service, account) => call('getPassword', [service, account]),
    setPassword: (service, account, password) => call('setPassword', [service, account, password]),
    deletePassword: (service, account) => call('deletePassword', [service, account]),
    findCredentials: (service) => call('findCredentials', [service]),
    // The helper lists as `loadKeytar` has it list where the keychain is the Secret Service, the only
    // place helpers run (long-running.ts): a locked entry refused, not a crash.
    listingRefusesLocked: true,
    // A call the store gave up on cannot be taken back from keytar: the helper making it is left to
    // it, and the next call starts another.
    abandon: () => connection.abandon(),
  };
}
