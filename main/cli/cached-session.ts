/**
 * The common case of `credential-process`, kept cheap: a cached session with more than 15 minutes
 * left, served from the keychain.
 *
 * `credential_process` runs before every AWS command the user types, so this path loads only what
 * it needs: the keychain, the settings file reader (the profile must still exist), and the output
 * format. The rest of the command (the engine, STS, TOTP, locking, every other command) is loaded
 * only when this path cannot answer (see main.ts and commands/credential-process.ts).
 *
 * Started with Node (bin/mfa-tray.js), this module is bundled on its own as CommonJS
 * (app/dist/cli-fast.cjs, see fast-entry.ts): Node's ES module loader alone costs about 6 ms to
 * start, a fifth of what this whole path may add to Node's own start.
 */
import type { Profile, SessionCredentials } from '../common/model';
import { leadTimeMs } from '../common/session-state';
import { checkProfileName, validateProfileName } from '../common/validation';
import { DEFAULT_SERVICE_PREFIX, KeytarSecretStore, loadLookupParts, type Clock, type ProfileSecrets, type SettingsStore } from '../engine/fast-path';

/** A cached session with more than this left is served as it is (scaled down for short sessions by leadTimeMs). */
export const SERVE_CACHED_ABOVE_MS = 15 * 60_000;

/**
 * Environment variable naming the keychain service prefix (default "MFA Tray"). For tests and for
 * keeping two installs apart; the tray app must be given the same value to see the same entries.
 */
export const KEYCHAIN_SERVICE_ENV = 'MFA_TRAY_KEYCHAIN_SERVICE';

/** The keychain as the command uses it: with the service prefix of {@link KEYCHAIN_SERVICE_ENV}, if set. */
export function cliSecretStore(env: NodeJS.ProcessEnv): KeytarSecretStore {
  return new KeytarSecretStore(env[KEYCHAIN_SERVICE_ENV] || DEFAULT_SERVICE_PREFIX);
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
 * Looks up a profile's cached session. Throws what the settings file and the keychain throw (no
 * such profile, a damaged file or entry, no keychain).
 */
export async function lookUpCachedSession(
  name: string,
  from: { readonly settings: Pick<SettingsStore, 'getProfile'>; readonly secrets: Pick<ProfileSecrets, 'getSession'>; readonly clock: Pick<Clock, 'now'> },
): Promise<CachedSessionLookup> {
  const profile = await from.settings.getProfile(validateProfileName(name));
  const cached = await from.secrets.getSession(profile.name);
  const serveAbove = leadTimeMs(SERVE_CACHED_ABOVE_MS, profile.durationSeconds * 1000);
  return { profile, cached, fresh: cached !== undefined && cached.expiresAt - from.clock.now() > serveAbove };
}

/** What {@link serveFreshCachedSession} did: served the session, or found what the whole command needs. */
export type CachedSessionOutcome = { readonly served: true } | { readonly served: false; readonly lookup: Promise<CachedSessionLookup> };

/**
 * Prints the profile's cached session as credential_process JSON when it is fresh.
 *
 * Otherwise returns the lookup (its result, or its failure as a rejected promise) for the whole
 * command to carry on from (see CliContext.takeCachedLookup): it refreshes when it can and reports
 * failures in its usual words, without reading the settings file and the keychain again (a keychain
 * that does not answer would otherwise be waited for twice).
 *
 * The keychain read is started first, and the settings file's reader (with its schema) loaded
 * while the keychain answers: on Linux that is a D-Bus round trip to the Secret Service, made on
 * another thread, and about as long as loading and checking the settings file.
 */
export async function serveFreshCachedSession(name: string, env: NodeJS.ProcessEnv, stdout: { write(text: string): unknown }): Promise<CachedSessionOutcome> {
  let found: CachedSessionLookup;
  let format: Awaited<ReturnType<typeof loadLookupParts>>['formatExports'];
  try {
    const store = cliSecretStore(env);
    store.prefetch('session', validateProfileName(name));
    // Lets the keychain module load and the read leave (promise callbacks run before this one).
    await new Promise((resolve) => setImmediate(resolve));
    const parts = await loadLookupParts();
    format = parts.formatExports;
    found = await lookUpCachedSession(name, {
      settings: new parts.SettingsStore({ configDir: parts.configDir(env) }),
      secrets: new parts.ProfileSecrets(store),
      clock: parts.systemClock,
    });
  } catch (error) {
    const failed = Promise.reject(error);
    failed.catch(() => undefined); // handled by whoever takes it; never an unhandled rejection here
    return { served: false, lookup: failed };
  }
  if (found.fresh && found.cached) {
    stdout.write(format(found.cached, 'process'));
    return { served: true };
  }
  return { served: false, lookup: Promise.resolve(found) };
}
