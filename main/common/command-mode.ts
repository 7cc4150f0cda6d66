/**
 * The packaged app's command mode: how the app executable is told to be the command `mfa-tray`.
 *
 * With the RunAsNode fuse off (electron-builder.yml), the packaged app can no longer be started as
 * plain Node, so its launchers (build/cli/) start the app itself with this switch, then `--`, then
 * the command's arguments. The entry (main/electron/main.ts) looks for it before anything else: in
 * command mode it loads the command and never Electron's windows, tray, Dock icon or single-instance
 * lock. The `--` keeps Chromium from reading the command's own arguments as switches.
 */
export const COMMAND_MODE_SWITCH = '--mfa-tray-command';

/** The command's arguments when the process was started in command mode, else undefined. */
export function commandModeArgs(argv: readonly string[]): string[] | undefined {
  const at = argv.indexOf(COMMAND_MODE_SWITCH);
  if (at < 0) return undefined;
  const rest = argv.slice(at + 1);
  return rest[0] === '--' ? rest.slice(1) : rest;
}
