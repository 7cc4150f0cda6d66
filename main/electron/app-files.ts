/**
 * Where the tray app's files are, from the app's folder (`app.getAppPath()`: app/ in a checkout,
 * resources/app.asar when packed): the bundles in its dist/, the tray icons in its tray/.
 *
 * Not from this code's own URL: the tray app's code is loaded by main.mjs as a chunk, and chunks
 * live in dist/chunks/ (scripts/build.mjs). Seen: the windows' pages, the preload and the keychain
 * helper were all looked for under dist/chunks/, where none of them is.
 */
import { join } from 'node:path';

export interface AppFiles {
  /** dist/: main.mjs and the other bundles (the keychain and AWS helpers among them). */
  readonly dist: string;
  /** The windows' pages, scripts and styles. */
  readonly renderer: string;
  /** The windows' preload script. */
  readonly preload: string;
  /** The tray icons. */
  readonly tray: string;
}

export function appFiles(appPath: string): AppFiles {
  const dist = join(appPath, 'dist');
  return {
    dist,
    renderer: join(dist, 'renderer'),
    preload: join(dist, 'preload.cjs'),
    tray: join(appPath, 'tray'),
  };
}
