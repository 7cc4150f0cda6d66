/**
 * The tray's view of the engine: a {@link TraySnapshot} on demand, and a signal whenever it may
 * have changed (a state change, a notice, or a change the windows made).
 *
 * It also remembers each profile's last refresh failure until that profile refreshes again or gets
 * a different session. The engine's `SessionService.load()` (run by `status()`, `recheck()` and the
 * bridge's profile list) re-derives every state from the cached session and so replaces a 'failed'
 * state with 'valid' while the old session lasts; without this memory the tray would show a failed
 * refresh as fine as soon as a window lists the profiles.
 */
import { isMfaTrayError } from '../common/errors';
import type { SessionState } from '../common/model';
import type { Engine } from '../engine/engine';
import type { TrayProfile, TraySnapshot } from './tray-snapshot';

const MINUTE = 60_000;

type FailedState = Extract<SessionState, { kind: 'failed' }>;

/**
 * The failure to remember after a state event: a new failure replaces the old one; a refresh in
 * progress, a forgotten session or a different session ends it; the same session re-read keeps it.
 */
export function rememberFailure(previous: FailedState | undefined, next: SessionState): FailedState | undefined {
  if (next.kind === 'failed') return next;
  if (previous === undefined || next.kind === 'refreshing' || next.kind === 'none') return undefined;
  return next.expiresAt === previous.expiresAt ? previous : undefined;
}

/** Whether a profile refreshes itself: a TOTP secret is registered and auto-refresh is on. */
export async function isSelfRefreshing(engine: Engine, profile: string): Promise<boolean> {
  const { autoRefresh } = await engine.settings.getProfile(profile);
  return autoRefresh && (await engine.secrets.hasTotpSecret(profile));
}

/** The state to show: a remembered failure wins, as the engine's own `recompute` would keep it. */
export function withFailure(state: SessionState, failure: FailedState | undefined, now: number): SessionState {
  if (failure === undefined || state.kind === 'refreshing') return state;
  // Once the session the failure kept has run out, "expired" is the news (as in `recompute`).
  if (failure.expiresAt !== undefined && failure.expiresAt <= now) return { kind: 'expired', expiresAt: failure.expiresAt };
  return failure;
}

export class EngineTraySource {
  readonly #engine: Engine;
  readonly #failures = new Map<string, FailedState>();
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: Array<() => void>;

  constructor(engine: Engine) {
    this.#engine = engine;
    this.#unsubscribe = [
      engine.sessions.onState((profile, state) => {
        const failure = rememberFailure(this.#failures.get(profile), state);
        if (failure === undefined) this.#failures.delete(profile);
        else this.#failures.set(profile, failure);
        this.changed();
      }),
      engine.onNotice(() => this.changed()),
    ];
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
      data = await engine.settings.load();
    } catch (error) {
      const problem = isMfaTrayError(error) ? error.message : 'MFA Tray could not read its settings; try again, and report it if it keeps happening.';
      return { profiles: [], launchAtLogin: false, expiringWithinMs: 15 * MINUTE, problem };
    }
    const { settings, profiles } = data;
    const now = engine.clock.now();
    for (const name of [...this.#failures.keys()]) if (!profiles.some((p) => p.name === name)) this.#failures.delete(name);
    const rows: TrayProfile[] = [];
    for (const profile of profiles) {
      // recompute, not load: it keeps the engine's 'failed' state and reads nothing.
      const state = withFailure(engine.sessions.recompute(profile.name), this.#failures.get(profile.name), now);
      const selfRefreshing = profile.autoRefresh && (await engine.secrets.hasTotpSecret(profile.name).catch(() => false));
      rows.push({ name: profile.name, state, selfRefreshing });
    }
    return { profiles: rows, launchAtLogin: settings.launchAtLogin, expiringWithinMs: settings.notifyBeforeMinutes * MINUTE };
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#listeners.clear();
  }
}
