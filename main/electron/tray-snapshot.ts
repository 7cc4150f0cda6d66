/**
 * What the tray shows is a pure function of this snapshot: every profile's state, plus the few
 * settings the menu reflects. The tray service takes a fresh one on every state change and every
 * minute.
 */
import type { SessionState } from '../common/model';

/** One profile as the tray sees it. */
export interface TrayProfile {
  readonly name: string;
  readonly state: SessionState;
  /** The profile's session length (its duration): lead times scale with it (leadTimeMs). */
  readonly lifetimeMs?: number;
  /** For a role profile of the config file: its source profile (the row follows the source's). */
  readonly roleOf?: string;
}

export interface TraySnapshot {
  readonly profiles: readonly TrayProfile[];
  readonly launchAtLogin: boolean;
  /** The configured notify lead time: within it (scaled by leadTimeMs) a session counts as expiring. */
  readonly expiringWithinMs: number;
  /** Why no profiles could be read (an unusable settings file), in the engine's plain words. */
  readonly problem?: string;
  /**
   * Why sessions are not kept fresh now: the keychain is locked, absent or not answering (the
   * engine's code and plain words). The menu offers "Try again"; the engine also retries by itself.
   */
  readonly keychainProblem?: { readonly code: string; readonly message: string };
}
