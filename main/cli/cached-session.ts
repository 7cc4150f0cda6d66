/**
 * The common case of `credential-process`, kept cheap: a session with more than 15 minutes left,
 * served from the profile's section of the credentials file (else from the keychain's copy).
 *
 * `credential_process` runs before every AWS command the user types, so this path loads only what
 * it needs: the settings file reader (the profile must still exist, and says which section is its
 * own), the credentials file's reader, the keychain (loaded only when the file has no session to
 * serve) and the output format. The rest of the command (the engine, STS, TOTP, locking, every
 * other command) is loaded only when this path cannot answer (see main.ts and
 * commands/credential-process.ts).
 *
 * Started with Node (bin/mfa-tray.js), this module is bundled on its own as CommonJS
 * (app/dist/cli-fast.cjs, see fast-entry.ts): Node's ES module loader alone costs about 6 ms to
 * start, a fifth of what this whole path may add to Node's own start.
 */
import type { Profile, SessionCredentials } from '../common/model';
import { leadTimeMs } from '../common/session-state';
import { checkProfileName, validateProfileName } from '../common/validation';
import {
  DEFAULT_SERVICE_PREFIX,
  KeytarSecretStore,
  loadLookupParts,
  recordedSessionInFile,
  sessionInUseOf,
  type Clock,
  type SettingsStore,
} from '../engine/fast-path';

/** A cached session with more than this left is served as it is (scaled down for short sessions by leadTimeMs). */
export const SERVE_CACHED_ABOVE_MS = 15 * 60_000;

/**
 * Environment variable naming the keychain service prefix (default "MFA Tray"). For tests and for
 * keeping two installs apart; the tray app must be given the same value to see the same entries.
 */
export const KEYCHAIN_SERVICE_ENV = 'MFA_TRAY_KEYCHAIN_SERVICE';

/** The keychain service prefix the command uses: {@link KEYCHAIN_SERVICE_ENV}'s, if set. */
export function keychainPrefix(env: NodeJS.ProcessEnv): string {
  return env[KEYCHAIN_SERVICE_ENV] || DEFAULT_SERVICE_PREFIX;
}

/** The keychain as the command uses it: with the service prefix of {@link KEYCHAIN_SERVICE_ENV}, if set. */
export function cliSecretStore(env: NodeJS.ProcessEnv): KeytarSecretStore {
  return new KeytarSecretStore(keychainPrefix(env));
}

/**
 * The profile of `credential-process <profile>` when that is the whole command line and the name is
 * one a profile can have: the one case {@link serveFreshCachedSession} may answer. Anything else
 * (options, help, a bad name) goes to the whole command, which explains it.
 */
export function cachedSessionProfile(argv: readonly string[]): string | undefined {
  const [command, profile, ...rest] = argv;
  if (command !== 'credential-process' || profile === undefined || rest.length > 0 || profile.startsWith('-')) return undefined;
  return checkProfileName(profile).ok ? profile : undefined;
}

/** What credential-process knows before deciding whether to refresh. */
export interface CachedSessionLookup {
  readonly profile: Profile;
  /** The cached session, when the keychain holds one. */
  readonly cached: SessionCredentials | undefined;
  /** Whether `cached` has more than {@link SERVE_CACHED_ABOVE_MS} (for short sessions: a quarter of the profile's duration) left: serve it as it is. */
  readonly fresh: boolean;
}

/**
 * Looks up a profile's cached session: `sessionOf` gives it, from the profile's settings as read
 * here. Throws what the settings file and the keychain throw (no such profile, a damaged file or
 * entry, no keychain).
 */
export async function lookUpCachedSession(
  name: string,
  from: {
    readonly settings: Pick<SettingsStore, 'getProfile'>;
    readonly sessionOf: (profile: Profile) => Promise<SessionCredentials | undefined>;
    readonly clock: Pick<Clock, 'now'>;
  },
): Promise<CachedSessionLookup> {
  const profile = await from.settings.getProfile(validateProfileName(name));
  const cached = await from.sessionOf(profile);
  return { profile, cached, fresh: cached !== undefined && isFresh(cached, profile, from.clock.now()) };
}

/** Whether a session has enough time left to be served as it is (see {@link SERVE_CACHED_ABOVE_MS}). */
function isFresh(session: SessionCredentials, profile: Profile, now: number): boolean {
  return session.expiresAt - now > leadTimeMs(SERVE_CACHED_ABOVE_MS, profile.durationSeconds * 1000);
}

/** What {@link serveFreshCachedSession} did: served the session, or found what the whole command needs. */
export type CachedSessionOutcome = { readonly served: true } | { readonly served: false; readonly lookup: Promise<CachedSessionLookup> };

/**
 * Prints the profile's session as credential_process JSON when it is fresh.
 *
 * The session is looked for first where the AWS tools themselves find it: the profile's section of
 * the credentials file, which every refresh writes before the keychain's copy. It is served from
 * there when the file is one only this user could have written, the section reads the same to
 * every AWS tool, and it holds the very session MFA Tray recorded writing there for this profile
 * (see own-file.ts, session-section.ts and written-sessions.ts); keytar, libsecret and their D-Bus round
 * trips (most of this path's cost before) are then never loaded. Otherwise the keychain's copy is
 * read, as the rest of the command does: started before the settings reader loads when the file
 * is not one to serve from (no record of a session written for the profile, a file missing or
 * another user's, or Windows, where there are no owner bits),
 * so that libsecret's round trips run on their thread meanwhile.
 *
 * When neither is fresh, returns the lookup (its result, or its failure as a rejected promise) for
 * the whole command to carry on from (see CliContext.takeCachedLookup): it refreshes when it can
 * and reports failures in its usual words, without reading the settings file and the keychain again
 * (a keychain that does not answer would otherwise be waited for twice).
 */
export async function serveFreshCachedSession(name: string, env: NodeJS.ProcessEnv, stdout: { write(text: string): unknown }): Promise<CachedSessionOutcome> {
  let found: { readonly serve: SessionCredentials; readonly format: (session: SessionCredentials, as: 'process') => string } | CachedSessionLookup;
  try {
    const store = cliSecretStore(env);
    const recorded = recordedSessionInFile(env, validateProfileName(name));
    if (recorded === undefined) {
      store.prefetch('session', validateProfileName(name));
      // Lets the keychain module load and the read leave (promise callbacks run before this one).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const parts = await loadLookupParts();
    const profile = await new parts.SettingsStore({ configDir: parts.configDir(env) }).getProfile(validateProfileName(name));
    const inFile = recorded?.(profile.targetSection);
    const now = parts.systemClock.now();
    if (inFile && isFresh(inFile, profile, now)) {
      found = { serve: inFile, format: parts.formatExports };
    } else {
      const secrets = new parts.ProfileSecrets(store);
      // The session in use, as Engine.sessionInUse has it: the file's, when written after the
      // keychain's copy (seen in review: handed over as the keychain's older copy, the file's
      // looked renewed by another process, and was served down to its last minute).
      const sessionOf = async (p: Profile) => sessionInUseOf(inFile, await secrets.getSession(p.name), now);
      found = await lookUpCachedSession(name, { settings: { getProfile: () => Promise.resolve(profile) }, sessionOf, clock: parts.systemClock });
    }
    if ('fresh' in found && found.fresh && found.cached) found = { serve: found.cached, format: parts.formatExports };
  } catch (error) {
    const failed = Promise.reject(error);
    failed.catch(() => undefined); // handled by whoever takes it; never an unhandled rejection here
    return { served: false, lookup: failed };
  }
  if ('serve' in found) {
    stdout.write(found.format(found.serve, 'process'));
    return { served: true };
  }
  return { served: false, lookup: Promise.resolve(found) };
}
