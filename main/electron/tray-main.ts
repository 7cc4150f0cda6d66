/**
 * The tray app (loaded by main.ts, the packaged app's entry, when it is not in command mode).
 * Composition only: it hands the real Electron objects to the services in this folder, in the order
 * Electron requires.
 *
 * ESM main process: everything that must precede 'ready' runs synchronously at module scope, and
 * nothing awaits `app.whenReady()` at the top level (that would hang the app; see
 * https://github.com/electron/electron/pull/41369).
 */
import { app, clipboard, dialog, ipcMain, powerMonitor, protocol, session, utilityProcess } from 'electron';
import { join } from 'node:path';
import { isMfaTrayError } from '../common/errors';
import { createEngine, longRunning, PRODUCT_NAME, runLean, type Engine } from '../engine';
import { appFiles } from './app-files';
import { prepareApp } from './app-lifecycle';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppFile } from './app-protocol';
import { createElectronTray, electronNotifications, electronWindowOpener, guardTargetOf } from './electron-adapters';
import { utilityProcessHelper } from './utility-process-helper';
import { TrayApp } from './tray-app';
import { hardenSession, hardenWebContents } from './window-factory';

/** The app's files: not from this module's own URL (it is a chunk, in dist/chunks/). */
const files = appFiles(app.getAppPath());
const log = (message: string) => console.log(`[mfa-tray] ${message}`);

// It runs for days: V8 without its optimising compilers (and on Linux the engine's keychain and AWS
// calls, below, made where they cannot keep memory in it).
runLean();
const engine = createEngineOrExit();

/** The engine; or, when the environment leaves it no config folder (a relative MFA_TRAY_CONFIG_DIR), the reason in a box and exit 2. */
function createEngineOrExit(): Engine {
  try {
    return createEngine(longRunning(files.dist, { start: utilityProcessHelper(app, utilityProcess) }));
  } catch (error) {
    if (!isMfaTrayError(error)) throw error;
    // Before 'ready' this is a dialog on macOS and Windows, a line on stderr on Linux (Electron's docs).
    dialog.showErrorBox(PRODUCT_NAME, error.message);
    return process.exit(2);
  }
}

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

if (prepareApp(app, { platform: process.platform, configDir: engine.configDir })) {
  // Every web contents, ours or not, gets the navigation guards before it loads anything.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(guardTargetOf(contents)));

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      protocol.handle(APP_SCHEME, (request) => serveAppFile(request.url, files.renderer, request.method));
      app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion() });

      const { tray, port } = createElectronTray({ trayDir: files.tray, platform: process.platform });
      const trayApp = await TrayApp.start({
        engine,
        platform: process.platform,
        packaged: app.isPackaged,
        env: process.env,
        execPath: process.execPath,
        commandLauncher: join(process.resourcesPath, 'bin', 'mfa-tray'),
        log,
        electron: {
          tray: port,
          notifications: electronNotifications,
          clipboard,
          windows: electronWindowOpener({ app, preload: files.preload, devTools: !app.isPackaged, platform: process.platform }),
          ipcMain,
          loginItems: app,
          powerMonitor,
          app,
          dialogs: {
            showMessage: ({ type, message, detail }) => void dialog.showMessageBox({ type, title: PRODUCT_NAME, message, detail }),
          },
        },
      });
      app.on('will-quit', () => {
        void trayApp.shutdown();
        tray.destroy();
      });
    })
    .catch((error: unknown) => {
      dialog.showErrorBox(PRODUCT_NAME, `MFA Tray could not start: ${error instanceof Error ? error.message : String(error)}`);
      app.quit();
    });
}
