/**
 * Where the tray icon of each look is, per platform. The files are made by `npm run icons`
 * (scripts/make-icons.mjs) from one vector source and packed with the app (app/tray/).
 *
 * - macOS: template images (black and alpha; the menu bar tints them), `<look>Template.png` at 1x
 *   with `<look>Template@2x.png` beside it, which Electron picks up for Retina displays.
 * - Windows: one `.ico` per look holding 16–48 px.
 * - Linux: `<look>.png` with `<look>@2x.png`.
 */
import { join } from 'node:path';
import type { TrayLook } from './tray-look';

export function trayIconFile(trayDir: string, platform: NodeJS.Platform, look: TrayLook): string {
  if (platform === 'darwin') return join(trayDir, 'mac', `${look}Template.png`);
  if (platform === 'win32') return join(trayDir, 'win', `${look}.ico`);
  return join(trayDir, 'linux', `${look}.png`);
}
