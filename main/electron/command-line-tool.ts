/**
 * "Install command line tool": puts the command `mfa-tray` on the user's PATH as a symlink to the
 * launcher the packaged app ships (`<resources>/bin/mfa-tray`), which starts the app's own binary in
 * its command mode (main/common/command-mode.ts; the fuses forbid running it as Node).
 *
 * - macOS: `/usr/local/bin` when writable, else `~/.local/bin`.
 * - Linux (deb): `~/.local/bin`, which systemd-based distributions put on PATH for login shells.
 * - Not offered for an AppImage (its files live in a mount that disappears when the app quits) nor
 *   on Windows (the launcher is `<install dir>\resources\bin\mfa-tray.cmd`; add that folder to PATH).
 *
 * An existing `mfa-tray` that is not a link to an MFA Tray launcher is never replaced.
 */
import { TRAY_WORDS } from '../common/catalog/tray';
import type { Language } from '../common/catalog/language';
import { lstat, readlink, rm, symlink, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve, dirname } from 'node:path';
import { makeFolders } from '../engine';

export const COMMAND_NAME = 'mfa-tray';

export interface CommandLineToolOptions {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The launcher inside the app: `<process.resourcesPath>/bin/mfa-tray`. */
  readonly launcher: string;
  /** Where to try, in order (default: per platform, above). */
  readonly directories?: readonly string[];
}

/** Whether the menu offers the item: a packaged app on macOS, or on Linux outside an AppImage. */
export function offersCommandLineTool(platform: NodeJS.Platform, packaged: boolean, env: CommandLineToolOptions['env']): boolean {
  if (!packaged) return false;
  if (platform === 'darwin') return true;
  return platform === 'linux' && !env.APPIMAGE;
}

/** The folders the link may go into, in order of preference. */
export function candidateDirectories(platform: NodeJS.Platform, env: CommandLineToolOptions['env']): string[] {
  const local = join(env.HOME || homedir(), '.local', 'bin');
  return platform === 'darwin' ? ['/usr/local/bin', local] : [local];
}

export interface InstallOutcome {
  /** The link's path. */
  readonly path: string;
  /** It was there already, pointing at this launcher. */
  readonly alreadyInstalled: boolean;
  /** Its folder is on PATH (else the message says to add it). */
  readonly onPath: boolean;
}

/** A launcher of ours, wherever the app was when it was linked: `.../resources/bin/mfa-tray` (`Resources` on macOS). */
function isOurLauncher(target: string): boolean {
  return /[/\\]resources[/\\]bin[/\\]mfa-tray$/i.test(target);
}

async function writable(dir: string): Promise<boolean> {
  try {
    await access(dir, constants.W_OK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  // A missing ~/.local/bin is created; a missing /usr/local/bin would need an administrator.
  try {
    await makeFolders(dir, 0o755);
    return true;
  } catch {
    return false;
  }
}

/** Links the command into the first writable candidate folder. */
export async function installCommandLineTool(options: CommandLineToolOptions): Promise<InstallOutcome> {
  const directories = options.directories ?? candidateDirectories(options.platform, options.env);
  const pathDirs = (options.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((d) => resolve(d));
  for (const dir of directories) {
    if (!(await writable(dir))) continue;
    const path = join(dir, COMMAND_NAME);
    const onPath = pathDirs.includes(resolve(dir));
    let existing: string | undefined;
    try {
      const stats = await lstat(path);
      if (!stats.isSymbolicLink()) throw refuse(path);
      existing = resolve(dirname(path), await readlink(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (existing !== undefined) {
      if (existing === resolve(options.launcher)) return { path, alreadyInstalled: true, onPath };
      if (!isOurLauncher(existing)) throw refuse(path);
      await rm(path);
    }
    await symlink(options.launcher, path);
    return { path, alreadyInstalled: false, onPath };
  }
  throw new Error(
    `None of ${directories.join(', ')} can be written to, so the command could not be installed. Link it yourself: ln -s "${options.launcher}" /usr/local/bin/${COMMAND_NAME}`,
  );
}

function refuse(path: string): Error {
  return new Error(`${path} exists and is not MFA Tray's command, so it was left as it is. Remove or rename it, then install again.`);
}

/** What to tell the user after an install. */
export function describeInstall(outcome: InstallOutcome, language: Language = 'en'): { readonly message: string; readonly detail: string } {
  const words = TRAY_WORDS[language].dialog;
  const message = outcome.alreadyInstalled ? words.installedAlready(COMMAND_NAME) : words.installed(COMMAND_NAME);
  const path = outcome.onPath ? words.tryIt(COMMAND_NAME) : words.notOnPath(dirname(outcome.path));
  return { message, detail: `${words.installedAt(outcome.path)} ${path}` };
}
