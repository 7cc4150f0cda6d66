/**
 * Which session MFA Tray last wrote into the credentials file, per profile: the file, the section,
 * the session's access key id (an identifier AWS does not treat as secret; the secret key and the
 * token are not here) and its expiry. `credential-process` serves the session it finds in the file
 * only when it is this one (cached-session.ts): a section another tool rewrote, a profile removed
 * and added again, or another credentials file named by `AWS_SHARED_CREDENTIALS_FILE` then send it
 * to the keychain's copy instead.
 *
 * `credential-process` does not depend on this record being complete: a lost update (two processes
 * writing at once) or a lost file only sends it to the keychain. Writing a kept session back
 * (SessionService.writeKept) depends on a remove's clear of the entry, which is made first and
 * checked (`clear`); a lost kept entry only means that session is not written back. So the record
 * is replaced atomically (a temp file renamed over it, so that no reader sees half of it) but takes
 * no lock and no fsync, which would cost every refresh.
 */
import type { SessionCredentials, SessionSummary } from '../../common/model';
import { readOwnFile } from './own-file';
import { readRecordFile, replaceRecordFile } from './record-file';
import { unambiguousSession } from './session-section';

/** One profile's entry. */
export interface WrittenSession {
  /** The credentials file's path, as MFA Tray resolved it (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`). */
  readonly path: string;
  readonly section: string;
  readonly accessKeyId: string;
  readonly expiresAt: number;
  /**
   * AWS gave this session but the file could not take it: it is in the keychain only, and is
   * written into the file once the file can take it (SessionService.writeKept). Never served from
   * the file.
   */
  readonly unwritten?: true;
  /** With `unwritten`: the access key id of the session the section held when the write failed (null: none); the kept session goes in only over that. */
  readonly over?: string | null;
  /** With `over`: that session was MFA Tray's own (the keychain's before the kept one), so a forget removes it too. */
  readonly overOurs?: true;
}

const VERSION = 1;

/** The record's entries by profile; empty when the file is missing, unreadable, another user's, or not this version's. */
export function readWrittenSessions(file: string): ReadonlyMap<string, WrittenSession> {
  const entries = new Map<string, WrittenSession>();
  for (const [profile, entry] of readRecordFile(file, VERSION)) {
    if (typeof entry.path === 'string' && typeof entry.section === 'string' && typeof entry.accessKeyId === 'string' && typeof entry.expiresAt === 'number') {
      entries.set(profile, {
        path: entry.path,
        section: entry.section,
        accessKeyId: entry.accessKeyId,
        expiresAt: entry.expiresAt,
        // A kept entry without a readable `over` is never written (SessionService.writeKept drops it).
        ...(entry.unwritten === true
          ? {
              unwritten: true,
              ...(typeof entry.over === 'string' || entry.over === null ? { over: entry.over } : {}),
              ...(entry.overOurs === true ? { overOurs: true } : {}),
            }
          : {}),
      });
    }
  }
  return entries;
}

/**
 * Whether `inFile` (the session read from section `section` of the credentials file the entry
 * names) is the one recorded. The file holds the expiry to the second.
 */
export function isWrittenSession(entry: WrittenSession | undefined, section: string, inFile: Pick<SessionCredentials, 'accessKeyId' | 'expiresAt'>): boolean {
  return (
    entry !== undefined &&
    entry.unwritten !== true &&
    entry.section === section &&
    entry.accessKeyId === inFile.accessKeyId &&
    Math.floor(entry.expiresAt / 1000) * 1000 === inFile.expiresAt
  );
}

/**
 * The session MFA Tray recorded writing for `profile` into the credentials file at `path`, as a
 * function of the profile's section (known once the settings are read): the session when the
 * section holds that very one and every AWS tool reads it alike (session-section.ts), else
 * undefined. Undefined itself, before any parsing, when there is no such record or the file is not
 * one only this user could have written (own-file.ts).
 */
export function recordedSessionIn(path: string, recordFile: string, profile: string): ((section: string) => SessionCredentials | undefined) | undefined {
  const written = readWrittenSessions(recordFile).get(profile);
  if (written === undefined || written.path !== path) return undefined;
  const text = readOwnFile(path)?.toString('latin1');
  if (text === undefined) return undefined;
  return (section) => {
    const inFile = unambiguousSession(text, section);
    return inFile && isWrittenSession(written, section, inFile) ? inFile : undefined;
  };
}

/**
 * Whether the session `recorded` (written into the credentials file, and found there) came after
 * the keychain's copy `cached` and is the one in use: the keychain could not take it then (seen in
 * review: a keychain locked while AWS answered). Not when it has expired, is that copy, or ends
 * before it (sessions got seconds apart end in the same second: then the file decides).
 */
function writtenAfter(recorded: SessionSummary, cached: SessionSummary | undefined, now: number): boolean {
  if (recorded.expiresAt <= now || recorded.accessKeyId === cached?.accessKeyId) return false;
  return Math.floor(recorded.expiresAt / 1000) >= Math.floor((cached?.expiresAt ?? 0) / 1000);
}

/**
 * The session in use of the two a profile can have: `inFile` (the one MFA Tray recorded writing
 * into the credentials file, found there) when it was {@link writtenAfter} the keychain's copy
 * `cached`, else `cached`. The one rule wherever a session is used or shown: Engine.sessionInUse,
 * `credential-process`'s fast path (cached-session.ts) and `status` (Engine.statusWithRoles).
 */
export function sessionInUseOf<Session extends SessionSummary>(inFile: Session | undefined, cached: Session | undefined, now: number): Session | undefined {
  return inFile && writtenAfter(inFile, cached, now) ? inFile : cached;
}

/** The entries of sessions kept unwritten for the credentials file at `path`, by profile. */
export function keptFor(entries: ReadonlyMap<string, WrittenSession>, path: string): ReadonlyMap<string, WrittenSession> {
  return new Map([...entries].filter(([, entry]) => entry.unwritten === true && entry.path === path));
}

/** Keeps the record up to date; one process's updates are made one after the other. */
export class WrittenSessions {
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Records (or, with undefined, forgets) the session written (or kept unwritten) for `profile`. Never fails: see the module's comment. */
  set(profile: string, entry: WrittenSession | undefined): Promise<void> {
    const next = this.#queue.then(() => this.#write(profile, entry)).catch(() => undefined);
    this.#queue = next;
    return next;
  }

  /** Forgets the profile's entry; unlike {@link set}, fails when it could not (a remove stops then). */
  clear(profile: string): Promise<void> {
    const next = this.#queue.then(() => this.#write(profile, undefined));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Every profile's entry, in one read, after the writes asked for so far. */
  async all(): Promise<ReadonlyMap<string, WrittenSession>> {
    await this.#queue;
    return readWrittenSessions(this.file);
  }

  /** The profile's entry, as the file holds it now. */
  entry(profile: string): WrittenSession | undefined {
    return readWrittenSessions(this.file).get(profile);
  }

  /** The sessions recorded as kept unwritten for the credentials file at `path`, by profile (after the writes asked for so far). */
  async kept(path: string): Promise<ReadonlyMap<string, WrittenSession>> {
    return keptFor(await this.all(), path);
  }

  /**
   * Whether the profile's entry is still the kept session `accessKeyId`, read now and synchronously:
   * asked under the credentials file's lock, just before that session is written there (a forget or
   * a remove clears the entry before it touches the file).
   */
  holdsKept(profile: string, accessKeyId: string): boolean {
    const entry = readWrittenSessions(this.file).get(profile);
    return entry?.unwritten === true && entry.accessKeyId === accessKeyId;
  }

  /**
   * The profile's kept session `accessKeyId` is settled: now in the file (`written`: recorded so)
   * or never to be written (dropped). Nothing is done when the entry is no longer
   * that kept session (forgotten, removed or refreshed meanwhile). Never fails.
   */
  settleKept(profile: string, accessKeyId: string, written: boolean): Promise<void> {
    const next = this.#queue
      .then(() => {
        const entry = readWrittenSessions(this.file).get(profile);
        if (entry?.unwritten !== true || entry.accessKeyId !== accessKeyId) return undefined;
        return this.#write(profile, written ? { path: entry.path, section: entry.section, accessKeyId, expiresAt: entry.expiresAt } : undefined);
      })
      .catch(() => undefined);
    this.#queue = next;
    return next;
  }

  async #write(profile: string, entry: WrittenSession | undefined): Promise<void> {
    const entries = new Map(readWrittenSessions(this.file));
    if (entry === undefined && !entries.has(profile)) return;
    if (entry === undefined) entries.delete(profile);
    else entries.set(profile, entry);
    await replaceRecordFile(this.file, VERSION, entries);
  }
}
