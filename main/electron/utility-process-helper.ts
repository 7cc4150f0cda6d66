/**
 * The helpers (main/engine/helper-process.ts: the keychain's and AWS's) as Electron utility processes: the
 * packed app's binary cannot run as Node (its runAsNode fuse is off), so Node's `fork` would start
 * the app again. Plumbing only, with types from Electron and no value of it, so that a test can
 * drive it with a stand-in for `utilityProcess`.
 */
import type { App, utilityProcess } from 'electron';
import type { HelperMessage, StartHelper } from '../engine';

/** Starts the helper once the app is ready (utility processes cannot start before); they end with the app. */
export function utilityProcessHelper(app: Pick<App, 'whenReady'>, utility: Pick<typeof utilityProcess, 'fork'>): StartHelper {
  return async (script, events, name) => {
    await app.whenReady();
    // Its output is never read: nothing it prints may carry a secret anywhere.
    const child = utility.fork(script, [], { stdio: 'ignore', serviceName: `MFA Tray ${name.replace(/^the /, '')}` });
    child.on('message', (message: HelperMessage) => events.message(message));
    // Electron gives the code alone: a crash is told by no ready message having come, not by the code.
    child.on('exit', (code) => events.exit(`ended with exit code ${code}`, false));
    // A fatal error in it (V8's) is followed by 'exit'; unheard, the event would throw in the app.
    child.on('error', () => undefined);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      child.kill();
    };
    return {
      get pid() {
        return child.pid;
      },
      send(request) {
        if (ended) throw new Error('it has ended');
        child.postMessage(request);
      },
      release: end,
      kill: end,
      // The app runs until it quits, helper or not.
      hold: () => undefined,
    };
  };
}
