/**
 * The tray's view of the engine: a {@link TraySnapshot} on demand, and a signal whenever it may
 * have changed (a state change, a notice, or a change the windows made).
 * A failed refresh is shown with its reason until a new session arrives: the engine keeps the
 * 'failed' state itself (`SessionService.load` and `recompute`).
 */
import { isMfaTrayError } from '../common/errors';
import type { Engine } from '../engine';
import type { TrayProfile, TraySnapshot } from './tray-snapshot';

const MINUTE = 60_000;

export class EngineTraySource {
  readonly #engine: Engine;
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: Array<() => void>;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#unsubscribe = [engine.onState(() => this.changed()), engine.onNotice(() => this.changed())];
  }

  /** Subscribes to "the snapshot may have changed". @returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Signals a change made outside the engine's events (a profile removed, a setting changed). */
  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  async snapshot(): Promise<TraySnapshot> {
    const engine = this.#engine;
    let data;
    try {
      data = await engine.loadSettings();
    } catch (error) {
      const problem = isMfaTrayError(error) ? error.message : 'MFA Tray could not read its settings; try again, and report it if it keeps happening.';
      return { profiles: [], launchAtLogin: false, expiringWithinMs: 15 * MINUTE, problem };
    }
    const { settings, profiles } = data;
    // recompute, not load: it keeps the engine's 'failed' state and reads no keychain; the
    // credentials file is read once, so that a session it no longer holds is not shown as valid.
    const rows: TrayProfile[] = (await engine.statesAsTheFileHasThem(profiles)).map(({ profile, state }) => ({
      name: profile.name,
      state,
      lifetimeMs: profile.durationSeconds * 1000,
    }));
    // Role profiles follow their source, each under it; as the engine knows them (no keychain read).
    for (const { role, state } of [...(await engine.roleStatus().catch(() => []))].reverse()) {
      const at = rows.findIndex((row) => row.name === role.sourceProfile);
      if (at >= 0) rows.splice(at + 1, 0, { name: role.name, state, lifetimeMs: 3_600_000, roleOf: role.sourceProfile });
    }
    const keychain = engine.keychainProblem;
    return {
      profiles: rows,
      launchAtLogin: settings.launchAtLogin,
      expiringWithinMs: settings.notifyBeforeMinutes * MINUTE,
      ...(keychain ? { keychainProblem: { code: keychain.code, message: keychain.message } } : {}),
    };
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#listeners.clear();
  }
}
