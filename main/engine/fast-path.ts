/**
 * The engine's light entry, for the one path that must not load the engine: `credential-process`
 * with a fresh cached session (main/cli/cached-session.ts), which runs before every AWS command.
 * Only the settings file, the credentials file's session, the keychain and the export format: no
 * STS, no TOTP, no scheduler, no file writer.
 *
 * In two steps: the keychain adapter here (keytar itself loads on its first call, only when the
 * credentials file has no session to serve), the rest from {@link loadLookupParts}.
 */
export { DEFAULT_SERVICE_PREFIX, KeytarSecretStore } from './keychain/keytar-secret-store';
export type { SecretStore } from './keychain/secret-store';
export type { Clock } from './clock/clock';
export type { ProfileSecrets } from './keychain/profile-secrets';
export type { SettingsStore } from './files/settings-store';

/** The settings file reader, the credentials file's session, the typed keychain, the clock and the export format (zod and the settings schema with them). */
export async function loadLookupParts() {
  const [
    { SettingsStore },
    { ProfileSecrets },
    { configDir },
    { systemClock },
    { formatExports },
    { credentialsFilePath },
    { readOwnFile },
    { unambiguousSession },
  ] = await Promise.all([
    import('./files/settings-store'),
    import('./keychain/profile-secrets'),
    import('./files/paths'),
    import('./clock/clock'),
    import('./sessions/exports'),
    import('./files/aws-config'),
    import('./files/own-file'),
    import('./files/session-section'),
  ]);
  /** The session in `section` of the credentials file, when the file is one only this user could have written and every AWS tool reads that section alike. */
  const credentialsFileSession = (env: NodeJS.ProcessEnv, section: string) => {
    const content = readOwnFile(credentialsFilePath(env));
    return content && unambiguousSession(content.toString('latin1'), section);
  };
  return { SettingsStore, ProfileSecrets, configDir, systemClock, formatExports, credentialsFileSession };
}
