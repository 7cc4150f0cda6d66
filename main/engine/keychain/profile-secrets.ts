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
import type { LongLivedKey, Profile, SessionCredentials, SessionSummary } from '../../common/model';
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

/**
 * How to store a profile's long-lived key again: the command, the window and the tray offer these
 * two. Given the profile as it is (not only its name), the command lines repeat its settings, since
 * a replacement takes the defaults for what it is not given.
 */
export function keyRemedies(profile: string | Profile): Remedy[] {
  if (typeof profile === 'string') {
    return [
      { action: 'add-key', profile },
      { action: 'import-key', profile },
    ];
  }
  const { name, mfaSerial, targetSection, region, durationSeconds } = profile;
  const keep = { mfaSerial, targetSection, region, durationSeconds };
  return [
    { action: 'add-key', profile: name, keep },
    { action: 'import-key', profile: name, keep },
  ];
}

function howToReplace(kind: SecretKind, profile: string): Remedy[] {
  switch (kind) {
    case 'long-lived-key':
      return keyRemedies(profile);
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
 * up to date from the record of keychain changes instead of listing the keychain again: an entry
 * recorded as changed since is read again by itself (a session this object wrote is known without
 * a read while every line for it since is a set of the session kept, by expiry and key ID), and the
 * keychain is listed when the record cannot tell what changed (missing, started anew, damaged, or a
 * line of this process's that could not be recorded), when more than {@link MAX_READ_AGAIN} entries
 * are to be read, or when there is no listing yet. A change made outside MFA Tray (in Seahorse, say)
 * is not in the record: a listing that must see it is made without `reuse`.
 */
export interface ListingOptions {
  readonly reuse?: boolean;
}

/** An entry as a listing keeps it: a session's summary (or why it cannot be used); of the other kinds, only that it is there. */
type KeptEntry = SessionSummary | MfaTrayError | true;

/** A listing kept for {@link ListingOptions.reuse}: where the record stood before it, and its entries. */
interface KeptListing {
  readonly mark: ChangesMark;
  readonly entries: ReadonlyMap<string, KeptEntry>;
}

/** Where the kept listing of a kind and the count of reads stood when a keychain write began (see ProfileSecrets' #wrote). */
interface WriteStart {
  readonly mark: ChangesMark | undefined;
  readonly reads: number;
}

function entryKey(kind: SecretKind, profile: string): string {
  return `${kind}\n${profile}`;
}

/**
 * The most entries a reused listing reads one by one: past that, one listing is the quicker (a
 * `refresh --all` of another process, say).
 */
const MAX_READ_AGAIN = 16;

/** The value, or the `keychain-entry-corrupt` error that reading it threw. */
function parsedOrError<T>(read: () => T): T | MfaTrayError {
  try {
    return read();
  } catch (error) {
    if (error instanceof MfaTrayError) return error;
    throw error;
  }
}

/** Typed access to the keychain entries of profiles. */
export class ProfileSecrets {
  /**
   * The last listing of each kind, for {@link ListingOptions.reuse}: a long-running process (the
   * profiles window's list, pushed on every change of state) would otherwise list every entry again
   * each time, and on Linux keytar keeps ~5 KB of native memory for every entry it lists, for good.
   */
  readonly #listings = new Map<SecretKind, KeptListing>();
  /**
   * Per kind, how many times a listing was started or the kept one changed here: a listing or a
   * reuse keeps what it found only when nothing else did meanwhile (an older answer arriving last
   * must not replace a newer one).
   */
  readonly #epochs = new Map<SecretKind, number>();
  /** Counts the keychain reads that keep what they found: when each entry was last read by a reuse, each kind last listed (for {@link #wrote}). */
  #reads = 0;
  readonly #entryReadAt = new Map<string, number>();
  readonly #listedAt = new Map<SecretKind, number>();
  /** The write under way of each entry, by {@link entryKey}: one at a time (see {@link #oneAtATime}). */
  readonly #writing = new Map<string, Promise<unknown>>();

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
        remedy: keyRemedies(profile),
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
    const secret = parseTotpSecret(input);
    await this.#oneAtATime('totp-secret', profile, async () => {
      const before = this.#beforeWrite('totp-secret');
      await this.store.set('totp-secret', profile, secret);
      this.#wrote('totp-secret', profile, true, await this.#record({ kind: 'totp-secret', op: 'set', profile }), before);
    });
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
   * The profile's cached session as a listing keeps it (key ID and expiry), read as little as the
   * record of keychain changes allows: from the kept listing of sessions brought up to date (no
   * keychain read while the record holds no change of this entry since), else read by itself. Like
   * a reused listing, it does not see a change made outside MFA Tray.
   */
  async getSessionSummary(profile: string): Promise<SessionSummary | undefined> {
    const listing = await this.#reusedListing('session');
    if (!listing) {
      const session = await this.getSession(profile);
      return session && { accessKeyId: session.accessKeyId, expiresAt: session.expiresAt };
    }
    const entry = listing.get(profile);
    if (entry instanceof MfaTrayError) throw entry;
    return entry === true ? undefined : entry;
  }

  /**
   * The cached sessions of these profiles, by profile, in one keychain call at most (for reading all
   * profiles at once). Throws for a damaged entry of one of them, as {@link getSession} does;
   * entries of other names (a profile removed from a settings file that was moved away) are not
   * looked at.
   */
  async getSessions(profiles: Iterable<string>, options: ListingOptions = {}): Promise<ReadonlyMap<string, SessionSummary>> {
    const sessions = new Map<string, SessionSummary>();
    for (const [profile, session] of await this.readSessions(profiles, options)) {
      if (session instanceof MfaTrayError) throw session;
      sessions.set(profile, session);
    }
    return sessions;
  }

  /**
   * The cached sessions of these profiles, in one keychain call at most (for `status`); an entry that
   * is not a session MFA Tray wrote is its `keychain-entry-corrupt` error, so that one damaged entry
   * spoils no other.
   */
  async readSessions(profiles: Iterable<string>, options: ListingOptions = {}): Promise<ReadonlyMap<string, SessionSummary | MfaTrayError>> {
    const wanted = new Set(profiles);
    const sessions = new Map<string, SessionSummary | MfaTrayError>();
    // None wanted (no role profiles, say): no keychain call at all.
    if (wanted.size === 0) return sessions;
    for (const [profile, entry] of await this.#entries('session', options)) {
      if (wanted.has(profile) && entry !== true) sessions.set(profile, entry);
    }
    return sessions;
  }

  /**
   * The long-lived keys of these profiles, in one keychain call (for `doctor`); an entry that is not
   * a key MFA Tray wrote is its `keychain-entry-corrupt` error, so that one damaged entry spoils no other.
   * Always listed afresh, and never kept.
   */
  async getLongLivedKeys(profiles: Iterable<string>): Promise<ReadonlyMap<string, LongLivedKey | MfaTrayError>> {
    const wanted = new Set(profiles);
    const keys = new Map<string, LongLivedKey | MfaTrayError>();
    if (wanted.size === 0) return keys;
    for (const [profile, value] of await this.store.getAll('long-lived-key')) {
      if (wanted.has(profile))
        keys.set(
          profile,
          parsedOrError(() => this.#parseJson('long-lived-key', profile, value, longLivedKeySchema)),
        );
    }
    return keys;
  }

  /** Throws `keychain-locked` when entries of this kind are there but locked (where the store can tell), reading none. */
  async assertUnlocked(kind: SecretKind): Promise<void> {
    await this.store.assertUnlocked?.(kind);
  }

  /** The profiles with an entry of this kind, in one keychain call at most (the entries are not checked). */
  async profilesWith(kind: 'long-lived-key' | 'totp-secret', options: ListingOptions = {}): Promise<ReadonlySet<string>> {
    return new Set((await this.#entries(kind, options)).keys());
  }

  /** Every entry of a kind, as {@link ListingOptions} says. */
  async #entries(kind: SecretKind, options: ListingOptions): Promise<ReadonlyMap<string, KeptEntry>> {
    return (options.reuse ? await this.#reusedListing(kind) : undefined) ?? (await this.#listing(kind));
  }

  /** An entry as a listing keeps it (see {@link KeptEntry}). */
  #kept(kind: SecretKind, profile: string, value: string): KeptEntry {
    if (kind !== 'session') return true;
    return parsedOrError(() => {
      const { accessKeyId, expiresAt } = this.#parseJson('session', profile, value, sessionSchema);
      return { accessKeyId, expiresAt };
    });
  }

  #nextEpoch(kind: SecretKind): number {
    const epoch = (this.#epochs.get(kind) ?? 0) + 1;
    this.#epochs.set(kind, epoch);
    return epoch;
  }

  /** Every entry of a kind, listed in one keychain call, and kept for a later reuse (see {@link ListingOptions}). */
  async #listing(kind: SecretKind): Promise<ReadonlyMap<string, KeptEntry>> {
    const epoch = this.#nextEpoch(kind);
    // Where the record ends before the keychain is listed: a change recorded meanwhile is read again.
    const mark = this.changes ? await this.changes.mark() : undefined;
    const entries = new Map([...(await this.store.getAll(kind))].map(([profile, value]) => [profile, this.#kept(kind, profile, value)]));
    this.#listedAt.set(kind, ++this.#reads);
    // Kept only when there is a record to follow (one that does not exist yet may never be written).
    if (mark?.generation !== undefined && this.#epochs.get(kind) === epoch) this.#listings.set(kind, { mark, entries });
    return entries;
  }

  /**
   * The kept listing of a kind brought up to date from the record (see {@link ListingOptions}), or
   * undefined when the keychain has to be listed.
   */
  async #reusedListing(kind: SecretKind): Promise<ReadonlyMap<string, KeptEntry> | undefined> {
    const kept = this.#listings.get(kind);
    if (!kept || !this.changes) return undefined;
    const epoch = this.#epochs.get(kind);
    const { changes, mark } = await this.changes.since(kept.mark);
    if (changes === 'unknown') return undefined;
    // Each entry with a line since the mark is read again: lines are appended after the keychain
    // call, so two processes' lines may come in another order than their calls did, and a line says
    // only that the entry changed. The one exception: a session whose every line since is a set
    // of the session kept already, by expiry and key ID (this object's own write, known by
    // #wrote), needs no read.
    const entries = new Map(kept.entries);
    const toRead = new Set<string>();
    for (const change of changes) {
      if (change.kind !== kind) continue;
      const known = entries.get(change.profile);
      const asKept =
        change.op === 'set' &&
        known !== undefined &&
        known !== true &&
        !(known instanceof MfaTrayError) &&
        known.expiresAt === change.expiresAt &&
        known.accessKeyId === change.accessKeyId;
      if (!asKept) toRead.add(change.profile);
    }
    if (toRead.size > MAX_READ_AGAIN) return undefined;
    for (const profile of toRead) {
      const value = await this.store.get(kind, profile);
      this.#entryReadAt.set(entryKey(kind, profile), ++this.#reads);
      if (value === undefined) entries.delete(profile);
      else entries.set(profile, this.#kept(kind, profile, value));
    }
    if (this.#epochs.get(kind) === epoch) {
      this.#nextEpoch(kind);
      this.#listings.set(kind, { mark, entries });
    }
    return entries;
  }

  /** Where the kept listing of a kind and the reads stood, taken before a keychain call (for {@link #wrote}). */
  #beforeWrite(kind: SecretKind): WriteStart {
    return { mark: this.#listings.get(kind)?.mark, reads: this.#reads };
  }

  /**
   * After this object wrote or deleted an entry: its kept listing is changed to match, so that its
   * own line in the record needs no read. Not when, since the keychain call began (`before`), that
   * listing was made anew, or brought up to date with a read of this very entry: that read may have
   * found another process's write that came after ours (and our line, after its mark, has the next
   * reuse read the entry again). A reuse that read only other entries meanwhile saw no line of this
   * one, so any other process's line for it comes after its mark. When the line could not be
   * recorded, every kept listing is dropped: the record has lost lines (of other processes too,
   * likely: a full disk), and the next reuse lists the keychain.
   */
  #wrote(kind: SecretKind, profile: string, entry: KeptEntry | undefined, recorded: boolean, before: WriteStart): void {
    if (!recorded) {
      for (const each of ['long-lived-key', 'totp-secret', 'session'] as const) {
        this.#nextEpoch(each);
        this.#listings.delete(each);
      }
      return;
    }
    const kept = this.#listings.get(kind);
    if (!kept) return;
    const readSince = (this.#listedAt.get(kind) ?? 0) > before.reads || (this.#entryReadAt.get(entryKey(kind, profile)) ?? 0) > before.reads;
    if (kept.mark !== before.mark && readSince) return;
    const entries = new Map(kept.entries);
    if (entry === undefined) entries.delete(profile);
    else entries.set(profile, entry);
    this.#nextEpoch(kind);
    this.#listings.set(kind, { mark: kept.mark, entries });
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
    const text = JSON.stringify(parsed.data);
    await this.#oneAtATime(kind, profile, async () => {
      const before = this.#beforeWrite(kind);
      await this.store.set(kind, profile, text);
      const entry = this.#kept(kind, profile, text);
      const session = entry === true || entry instanceof MfaTrayError ? {} : { expiresAt: entry.expiresAt, accessKeyId: entry.accessKeyId };
      this.#wrote(kind, profile, entry, await this.#record({ kind, op: 'set', profile, ...session }), before);
    });
  }

  async #delete(kind: SecretKind, profile: string): Promise<boolean> {
    return this.#oneAtATime(kind, profile, async () => {
      const before = this.#beforeWrite(kind);
      const deleted = await this.store.delete(kind, profile);
      if (deleted) this.#wrote(kind, profile, undefined, await this.#record({ kind, op: 'delete', profile }), before);
      return deleted;
    });
  }

  /**
   * Runs a write (or delete) of an entry after any other of the same entry in this process has
   * ended, record line included. Two at once (a role refreshed from the tray while the keeper
   * re-assumes it) could have their lines land in the other order than their keychain calls, and a
   * reuse between could then take the older one for what the keychain holds (see {@link #wrote}).
   */
  async #oneAtATime<T>(kind: SecretKind, profile: string, write: () => Promise<T>): Promise<T> {
    const key = entryKey(kind, profile);
    const run = (this.#writing.get(key) ?? Promise.resolve()).then(write);
    const settled = run.catch(() => undefined);
    this.#writing.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.#writing.get(key) === settled) this.#writing.delete(key);
    }
  }

  /** Records a change (see keychain-changes.ts). @returns whether it was recorded (without a record: no). */
  async #record(change: KeychainChange): Promise<boolean> {
    return this.changes ? this.changes.record(change) : false;
  }
}
