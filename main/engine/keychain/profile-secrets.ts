/**
 * A profile's keychain entries, typed: the long-lived access key, the optional TOTP secret and the
 * cached session, each its own entry in a {@link SecretStore}.
 *
 * Entries are checked when read, because the keychain is shared with every other program the user
 * runs (and with Keychain Access, Seahorse, KeePassXC, where anyone can edit them): an entry that is
 * not what MFA Tray wrote fails with `keychain-entry-corrupt`, naming the profile and the entry and
 * saying how to replace it, instead of crashing or being used half-read. Messages never quote an
 * entry's content.
 */
import * as z from 'zod/mini';
import { MfaTrayError, type Remedy } from '../../common/errors';
import type { LongLivedKey, SessionCredentials } from '../../common/model';
import type { SecretKind, SecretStore } from './secret-store';
import type { ChangesMark, ChangesSince, KeychainChange, KeychainChanges } from './keychain-changes';
import { parseTotpSecret } from '../codes/totp';

const accessKeyId = z.string().check(z.regex(/^[A-Z0-9]{16,128}$/));
const nonEmpty = z.string().check(z.minLength(1));

const longLivedKeySchema = z.object({ accessKeyId, secretAccessKey: nonEmpty });

// z.number() refuses NaN and ±Infinity.
const sessionSchema = z.object({ accessKeyId, secretAccessKey: nonEmpty, sessionToken: nonEmpty, expiresAt: z.number() });

// Canonical base32, as parseTotpSecret stores it.
const totpSecretSchema = z.string().check(z.regex(/^[A-Z2-7]{16,103}$/));

const ENTRY_NAMES: Record<SecretKind, string> = {
  'long-lived-key': 'long-lived access key',
  'totp-secret': 'TOTP secret',
  session: 'cached session',
};

function howToReplace(kind: SecretKind, profile: string): Remedy[] {
  switch (kind) {
    case 'long-lived-key':
      return [
        { action: 'add-key', profile },
        { action: 'import-key', profile },
      ];
    case 'totp-secret':
      return [
        { action: 'set-totp', profile },
        { action: 'remove-totp', profile },
      ];
    case 'session':
      return [{ action: 'refresh', profile }];
  }
}

function corrupt(kind: SecretKind, profile: string, detail: string): MfaTrayError {
  return new MfaTrayError(
    'keychain-entry-corrupt',
    `The ${ENTRY_NAMES[kind]} of profile "${profile}" in the keychain cannot be used (${detail}); it was changed outside MFA Tray or is damaged.`,
    { remedy: howToReplace(kind, profile) },
  );
}

/** The problem with a value, by field name only (never the value: zod's and JSON's messages quote it). */
function describeIssues(error: z.core.$ZodError): string {
  const fields = [...new Set(error.issues.map((issue) => issue.path.join('.') || 'value'))];
  return `invalid ${fields.join(', ')}`;
}

/**
 * How a listing of every entry of a kind is made. `reuse`: the last listing this object made, brought
 * up to date from the record of keychain changes instead of listing the keychain again: each
 * session recorded as changed since is read again by itself, a TOTP secret or key recorded as set
 * or deleted is taken from the record. When the record cannot tell what changed (missing, started
 * anew, damaged), or with no listing yet, the keychain is listed. A change made outside MFA Tray
 * (in Seahorse, say) is not in the record: a listing that must see it is made without `reuse`.
 */
export interface ListingOptions {
  readonly reuse?: boolean;
}

/** A listing kept for {@link ListingOptions.reuse}: where the record stood before it, and its entries. */
interface KeptListing {
  readonly mark: ChangesMark;
  /** By profile: a session's stored value; for the other kinds no value (their secrets are not kept). */
  readonly entries: ReadonlyMap<string, string | undefined>;
}

/**
 * The most sessions recorded as changed that a reused listing reads one by one: past that, one
 * listing is the quicker (a `refresh --all` of another process, say).
 */
const MAX_SESSIONS_READ_AGAIN = 16;

/** Typed access to the keychain entries of profiles. */
export class ProfileSecrets {
  /**
   * The last listing of each kind, for {@link ListingOptions.reuse}: a long-running process (the
   * profiles window's list, pushed on every change of state) would otherwise list every entry again
   * each time, and on Linux keytar keeps ~5 KB of native memory for every entry it lists, for good.
   */
  readonly #listings = new Map<SecretKind, KeptListing>();

  /**
   * @param changes The record every MFA Tray process keeps of the entries it changes (see
   *   keychain-changes.ts); each write and delete here is recorded there after it was made.
   */
  constructor(
    private readonly store: SecretStore,
    private readonly changes?: KeychainChanges,
  ) {}

  /** Where the record of keychain changes ends now (before reading entries whose later changes are to be told). */
  async changesMark(): Promise<ChangesMark | undefined> {
    return this.changes?.mark();
  }

  /** The keychain changes any MFA Tray process recorded after `mark` ('unknown' without a record). */
  async changesSince(mark: ChangesMark | undefined): Promise<ChangesSince> {
    return this.changes ? this.changes.since(mark) : { changes: 'unknown', mark: { generation: undefined, offset: 0 } };
  }

  /** The profile's long-lived access key, or undefined when none is stored. */
  async getLongLivedKey(profile: string): Promise<LongLivedKey | undefined> {
    return this.#readJson('long-lived-key', profile, longLivedKeySchema);
  }

  /** The profile's long-lived access key; `no-long-lived-key` when none is stored. */
  async requireLongLivedKey(profile: string): Promise<LongLivedKey> {
    const key = await this.getLongLivedKey(profile);
    if (!key) {
      throw new MfaTrayError('no-long-lived-key', `No long-lived access key is stored in the keychain for profile "${profile}".`, {
        remedy: [
          { action: 'add-key', profile },
          { action: 'import-key', profile },
        ],
      });
    }
    return key;
  }

  /** Stores (replaces) the profile's long-lived access key. */
  async setLongLivedKey(profile: string, key: LongLivedKey): Promise<void> {
    await this.#writeJson('long-lived-key', profile, longLivedKeySchema, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
  }

  /** Forgets the profile's long-lived access key. @returns whether there was one. */
  async deleteLongLivedKey(profile: string): Promise<boolean> {
    return this.#delete('long-lived-key', profile);
  }

  /** The profile's TOTP secret (canonical base32), or undefined when none is registered. */
  async getTotpSecret(profile: string): Promise<string | undefined> {
    const value = await this.store.get('totp-secret', profile);
    if (value === undefined) return undefined;
    const parsed = totpSecretSchema.safeParse(value);
    if (!parsed.success) throw corrupt('totp-secret', profile, 'not a base32 secret');
    return parsed.data;
  }

  /**
   * Registers (replaces) the profile's TOTP secret.
   *
   * @param input As the user gave it: base32 (spaces, dashes, lower case allowed) or an
   *   `otpauth://totp/` URI. Refused with `invalid-totp-secret` when unusable for AWS; stored as
   *   canonical base32.
   */
  async setTotpSecret(profile: string, input: string): Promise<void> {
    await this.store.set('totp-secret', profile, parseTotpSecret(input));
    await this.changes?.record({ kind: 'totp-secret', op: 'set', profile });
  }

  /** Forgets the profile's TOTP secret. @returns whether there was one. */
  async deleteTotpSecret(profile: string): Promise<boolean> {
    return this.#delete('totp-secret', profile);
  }

  /** Whether a TOTP secret is registered for the profile (the entry is not checked). */
  async hasTotpSecret(profile: string): Promise<boolean> {
    return (await this.store.get('totp-secret', profile)) !== undefined;
  }

  /** The profile's cached session, or undefined when none is stored (expired ones included). */
  async getSession(profile: string): Promise<SessionCredentials | undefined> {
    return this.#readJson('session', profile, sessionSchema);
  }

  /**
   * The cached sessions of these profiles, by profile, in one keychain call (for reading all
   * profiles at once). Throws for a damaged entry of one of them, as {@link getSession} does;
   * entries of other names (a profile removed from a settings file that was moved away) are not
   * looked at.
   */
  async getSessions(profiles: Iterable<string>, options: ListingOptions = {}): Promise<ReadonlyMap<string, SessionCredentials>> {
    const sessions = new Map<string, SessionCredentials>();
    for (const [profile, session] of await this.readSessions(profiles, options)) {
      if (session instanceof MfaTrayError) throw session;
      sessions.set(profile, session);
    }
    return sessions;
  }

  /**
   * The cached sessions of these profiles, in one keychain call (for `status`); an entry that is not
   * a session MFA Tray wrote is its `keychain-entry-corrupt` error, so that one damaged entry spoils no other.
   */
  async readSessions(profiles: Iterable<string>, options: ListingOptions = {}): Promise<ReadonlyMap<string, SessionCredentials | MfaTrayError>> {
    return this.#readAll('session', profiles, sessionSchema, options);
  }

  /**
   * The long-lived keys of these profiles, in one keychain call (for `doctor`); an entry that is not
   * a key MFA Tray wrote is its `keychain-entry-corrupt` error, so that one damaged entry spoils no other.
   */
  async getLongLivedKeys(profiles: Iterable<string>): Promise<ReadonlyMap<string, LongLivedKey | MfaTrayError>> {
    return this.#readAll('long-lived-key', profiles, longLivedKeySchema);
  }

  /** Every entry of a kind of these profiles, in one keychain call, each parsed or its own error; entries of other names are not looked at. */
  async #readAll<T>(
    kind: 'session' | 'long-lived-key',
    profiles: Iterable<string>,
    schema: z.ZodMiniType<T>,
    options: ListingOptions = {},
  ): Promise<ReadonlyMap<string, T | MfaTrayError>> {
    const wanted = new Set(profiles);
    const values = new Map<string, T | MfaTrayError>();
    // None wanted (no role profiles, say): no keychain call at all.
    if (wanted.size === 0) return values;
    // Only sessions' values are kept for a reuse (see ListingOptions).
    const entries = kind === 'session' && options.reuse ? await this.#reusedListing(kind) : undefined;
    for (const [profile, value] of entries ?? (await this.#listing(kind))) {
      if (!wanted.has(profile) || value === undefined) continue;
      try {
        values.set(profile, this.#parseJson(kind, profile, value, schema));
      } catch (error) {
        if (!(error instanceof MfaTrayError)) throw error;
        values.set(profile, error);
      }
    }
    return values;
  }

  /** The profiles with an entry of this kind, in one keychain call at most (the entries are not checked). */
  async profilesWith(kind: 'long-lived-key' | 'totp-secret', options: ListingOptions = {}): Promise<ReadonlySet<string>> {
    const entries = (options.reuse ? await this.#reusedListing(kind) : undefined) ?? (await this.#listing(kind));
    return new Set(entries.keys());
  }

  /** Every entry of a kind, listed in one keychain call, and kept for a later reuse (see {@link ListingOptions}). */
  async #listing(kind: SecretKind): Promise<ReadonlyMap<string, string>> {
    // Where the record ends before the keychain is listed: a change recorded meanwhile is read again.
    const mark = this.changes ? await this.changes.mark() : undefined;
    const entries = await this.store.getAll(kind);
    if (mark) this.#listings.set(kind, { mark, entries: kind === 'session' ? entries : new Map([...entries.keys()].map((profile) => [profile, undefined])) });
    return entries;
  }

  /**
   * The kept listing of a kind brought up to date from the record (see {@link ListingOptions}), or
   * undefined when the keychain has to be listed.
   */
  async #reusedListing(kind: SecretKind): Promise<ReadonlyMap<string, string | undefined> | undefined> {
    const kept = this.#listings.get(kind);
    if (!kept || !this.changes) return undefined;
    const { changes, mark } = await this.changes.since(kept.mark);
    if (changes === 'unknown') return undefined;
    // The last change of each profile's entry tells what it is now.
    const last = new Map<string, KeychainChange['op']>();
    for (const change of changes) if (change.kind === kind) last.set(change.profile, change.op);
    if (kind === 'session' && last.size > MAX_SESSIONS_READ_AGAIN) return undefined;
    const entries = new Map(kept.entries);
    for (const [profile, op] of last) {
      if (op === 'delete') {
        entries.delete(profile);
      } else if (kind !== 'session') {
        entries.set(profile, undefined); // a key or a secret set: known to be there, its value not kept
      } else {
        const value = await this.store.get(kind, profile);
        if (value === undefined) entries.delete(profile);
        else entries.set(profile, value);
      }
    }
    this.#listings.set(kind, { mark, entries });
    return entries;
  }

  /** Stores (replaces) the profile's cached session. */
  async setSession(profile: string, session: SessionCredentials): Promise<void> {
    await this.#writeJson('session', profile, sessionSchema, {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiresAt: session.expiresAt,
    });
  }

  /** Forgets the profile's cached session. @returns whether there was one. */
  async deleteSession(profile: string): Promise<boolean> {
    return this.#delete('session', profile);
  }

  /**
   * Forgets every keychain entry of the profile. Tries all of them even when one fails, then
   * reports the first failure.
   */
  async deleteAll(profile: string): Promise<void> {
    let failure: { readonly error: unknown } | undefined;
    // One after another: the store serialises anyway, and the order keeps the long-lived key last.
    for (const kind of ['session', 'totp-secret', 'long-lived-key'] as const) {
      try {
        await this.#delete(kind, profile);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  async #readJson<T>(kind: SecretKind, profile: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
    const value = await this.store.get(kind, profile);
    return value === undefined ? undefined : this.#parseJson(kind, profile, value, schema);
  }

  #parseJson<T>(kind: SecretKind, profile: string, value: string, schema: z.ZodMiniType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      throw corrupt(kind, profile, 'not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw corrupt(kind, profile, describeIssues(parsed.error));
    return parsed.data;
  }

  async #writeJson<T>(kind: SecretKind, profile: string, schema: z.ZodMiniType<T>, value: T): Promise<void> {
    // Checked on the way in too, so that what is stored can always be read back.
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new MfaTrayError(
        'invalid-input',
        `The ${ENTRY_NAMES[kind]} for profile "${profile}" is incomplete (${describeIssues(parsed.error)}); nothing was stored.`,
        { field: kind },
      );
    }
    await this.store.set(kind, profile, JSON.stringify(parsed.data));
    const expiresAt = kind === 'session' ? (parsed.data as { readonly expiresAt: number }).expiresAt : undefined;
    await this.changes?.record({ kind, op: 'set', profile, ...(expiresAt === undefined ? {} : { expiresAt }) });
  }

  async #delete(kind: SecretKind, profile: string): Promise<boolean> {
    const deleted = await this.store.delete(kind, profile);
    if (deleted) await this.changes?.record({ kind, op: 'delete', profile });
    return deleted;
  }
}
