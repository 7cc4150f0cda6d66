/**
 * The second step of the engine's light entry (fast-path.ts): what checks a cached session once the
 * keychain read is under way. The settings file reader (with zod and its schema), the typed
 * keychain, the clock and the export format. Its own file in the command's CommonJS fast path
 * (app/dist/cli-fast-lookup.cjs), loaded while the keychain answers.
 */
export { SettingsStore } from './files/settings-store';
export { ProfileSecrets } from './keychain/profile-secrets';
export { configDir } from './files/paths';
export { systemClock } from './clock/clock';
export { formatExports } from './sessions/exports';
