/**
 * The engine's light entry, for the one path that must not load the engine: `credential-process`
 * with a fresh cached session (main/cli/cached-session.ts), which runs before every AWS command.
 * Only the settings file, the keychain and the export format: no STS, no TOTP, no scheduler.
 */
export { systemClock, type Clock } from './clock/clock';
export { formatExports } from './sessions/exports';
export { DEFAULT_SERVICE_PREFIX, KeytarSecretStore } from './keychain/keytar-secret-store';
export { configDir } from './files/paths';
export { ProfileSecrets } from './keychain/profile-secrets';
export { SettingsStore } from './files/settings-store';
export type { SecretStore } from './keychain/secret-store';
