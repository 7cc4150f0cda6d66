/**
 * The engine's light entry, for the one path that must not load the engine: `credential-process`
 * with a fresh cached session (main/cli/cached-session.ts), which runs before every AWS command.
 * Only the settings file, the keychain and the export format: no STS, no TOTP, no scheduler.
 *
 * In two steps, so that the keychain read (a D-Bus round trip on Linux, answered on another thread)
 * is under way while the rest loads: the keychain adapter here, the rest from {@link loadLookupParts}.
 */
export { DEFAULT_SERVICE_PREFIX, KeytarSecretStore } from './keychain/keytar-secret-store';
export type { SecretStore } from './keychain/secret-store';
export type { Clock } from './clock/clock';
export type { ProfileSecrets } from './keychain/profile-secrets';
export type { SettingsStore } from './files/settings-store';

/** The settings file reader, the typed keychain, the clock and the export format (zod and the settings schema with them). */
export async function loadLookupParts() {
  const [{ SettingsStore }, { ProfileSecrets }, { configDir }, { systemClock }, { formatExports }] = await Promise.all([
    import('./files/settings-store'),
    import('./keychain/profile-secrets'),
    import('./files/paths'),
    import('./clock/clock'),
    import('./sessions/exports'),
  ]);
  return { SettingsStore, ProfileSecrets, configDir, systemClock, formatExports };
}
