/**
 * The windows' only way to the main process: `window.mfaTray`, which the preload exposes (in tests,
 * the loopback transport of test/support/loopback-bridge.ts defines the same shape).
 */
import type { BridgeError, BridgeResult, MfaTrayBridge } from '../../main/common/bridge';

/** The bridge, or undefined when the page runs without one (opened outside MFA Tray). */
export function findBridge(): MfaTrayBridge | undefined {
  // Read without augmenting the global Window type: the preload's own typings may declare it too.
  const candidate = (window as unknown as { readonly mfaTray?: MfaTrayBridge }).mfaTray;
  return candidate !== undefined && typeof candidate.listProfiles === 'function' ? candidate : undefined;
}

/** The bridge; throws when there is none (the page shows that at start-up, see page.ts). */
export function bridge(): MfaTrayBridge {
  const found = findBridge();
  if (found === undefined) throw new Error('window.mfaTray is missing');
  return found;
}

/** An error made here, when the bridge itself failed (the main process went away). */
export const LOST_CONNECTION: BridgeError = {
  code: 'internal',
  message: 'This window lost its connection to MFA Tray. Close it and open it again.',
};

/** Runs one bridge call; a thrown error (a broken transport) becomes an error result too. */
export async function call<T>(run: (api: MfaTrayBridge) => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  try {
    const result = await run(bridge());
    if (result && typeof result === 'object' && typeof result.ok === 'boolean') return result;
    return { ok: false, error: LOST_CONNECTION };
  } catch {
    return { ok: false, error: LOST_CONNECTION };
  }
}
