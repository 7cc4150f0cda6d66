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
 *
 * Also how a command's process makes its file calls ({@link callsForCommand}), which the command's
 * entries (main/cli/main.ts, fast-entry.ts) set before anything else.
 */
import { credentialsFilePath } from './files/aws-config';
import { configDir, writtenSessionsFile } from './files/paths';
import { recordedSessionIn } from './files/written-sessions';

export { sessionInUseOf } from './files/written-sessions';
import type { SessionCredentials } from '../common/model';

export { DEFAULT_SERVICE_PREFIX, KeytarSecretStore } from './keychain/keytar-secret-store';
export { callsForCommand } from './files/fs-calls';
export type { SecretStore } from './keychain/secret-store';
export type { Clock } from './clock/clock';
export type { SettingsStore } from './files/settings-store';

/**
 * The session MFA Tray recorded writing for `profile` into the credentials file (files/written-sessions.ts's
 * {@link recordedSessionIn}, for the file this environment names). Undefined when there is no such
 * record or the file is not one only this user could have written: then the keychain is the place to look.
 */
export function recordedSessionInFile(env: NodeJS.ProcessEnv, profile: string): ((section: string) => SessionCredentials | undefined) | undefined {
  return recordedSessionIn(credentialsFilePath(env), writtenSessionsFile(configDir(env)), profile);
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
