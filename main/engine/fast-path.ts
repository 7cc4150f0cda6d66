/**
 * The engine's light entry, for the one path that must not load the engine: `credential-process`
 * with a fresh session (main/cli/cached-session.ts), which runs before every AWS command.
 * Only the settings file, the credentials file's session, the keychain and the export format: no
 * STS, no TOTP, no scheduler, no file writer.
 *
 * In two steps: the credentials file's reader and the keychain adapter here (keytar itself loads on
 * its first call), the rest from {@link loadLookupParts}. When the credentials file cannot serve,
 * the keychain read is started before the rest loads (a D-Bus round trip on Linux, answered on
 * another thread while the settings reader compiles).
 */
import { credentialsFilePath } from './files/aws-config';
import { readOwnFile } from './files/own-file';
import { configDir, writtenSessionsFile } from './files/paths';
import { readWrittenSessions, type WrittenSession } from './files/written-sessions';

export { DEFAULT_SERVICE_PREFIX, KeytarSecretStore } from './keychain/keytar-secret-store';
export { unambiguousSession } from './files/session-section';
export type { SecretStore } from './keychain/secret-store';
export type { Clock } from './clock/clock';
export type { ProfileSecrets } from './keychain/profile-secrets';
export type { SettingsStore } from './files/settings-store';

export { isWrittenSession } from './files/written-sessions';

/**
 * The credentials file's text (latin1, as its writer reads it) when only this user could have
 * written it (see own-file.ts) and MFA Tray recorded writing a session of `profile` into it (see
 * written-sessions.ts), with that record; else undefined.
 */
export function ownCredentialsFile(
  env: NodeJS.ProcessEnv,
  profile: string,
): { readonly text: string; readonly path: string; readonly written: WrittenSession } | undefined {
  const path = credentialsFilePath(env);
  const written = readWrittenSessions(writtenSessionsFile(configDir(env))).get(profile);
  if (written === undefined || written.path !== path) return undefined;
  const text = readOwnFile(path)?.toString('latin1');
  return text === undefined ? undefined : { text, path, written };
}

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
