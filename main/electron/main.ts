/**
 * The packaged app's entry point (bundled to app/dist/main.mjs): the tray app, or, started by the
 * command's launchers with `--mfa-tray-command -- <args>`, the command `mfa-tray` itself (see
 * main/common/command-mode.ts). Decided first, before Electron is loaded: command mode creates no
 * window, tray icon or Dock icon and takes no single-instance lock.
 *
 * Top-level await: Electron finishes evaluating the ESM entry before 'ready', so the tray app's
 * module still registers its privileged scheme in time.
 */
import { commandModeArgs } from '../common/command-mode';

if (commandModeArgs(process.argv) === undefined) {
  await import('./tray-main');
} else {
  const { runCommandMode } = await import('../cli/main');
  await runCommandMode(process.argv);
}
