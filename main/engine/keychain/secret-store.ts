/**
 * The keychain, as the engine sees it: a port with one adapter per backend (keytar in
 * `keytar-secret-store.ts`). Values are opaque strings here; {@link ProfileSecrets} gives them types.
 */

/** What is kept per profile. Each kind is its own keychain entry. */
export type SecretKind = 'long-lived-key' | 'totp-secret' | 'session';

/** A keychain. Implementations serialise calls, time out, and never fall back to plaintext. */
export interface SecretStore {
  get(kind: SecretKind, profile: string): Promise<string | undefined>;
  set(kind: SecretKind, profile: string, value: string): Promise<void>;
  /** @returns whether an entry was deleted. */
  delete(kind: SecretKind, profile: string): Promise<boolean>;
  /**
   * Every entry of a kind, by profile, in one call: for reading all profiles at start-up (and
   * after wake-up) without one keychain round trip per profile.
   */
  getAll(kind: SecretKind): Promise<ReadonlyMap<string, string>>;
  /**
   * Throws `keychain-locked` when entries of this kind are there but locked, without reading any
   * (where the store can tell: the Secret Service): a listing that found none of the other kinds
   * does not tell a locked keychain from an empty one.
   */
  assertUnlocked?(kind: SecretKind): Promise<void>;
}
