/**
 * The record of changes to MFA Tray's keychain entries, shared by every MFA Tray process: one line
 * per entry written or deleted (`keychain-changes.log` in the config folder), appended after the
 * keychain call. It lets the keeper of a long-running process (the tray app, `watch`) tell whether
 * another process changed anything before it reads the keychain again, instead of reading every
 * entry every 30 s: on Linux each keychain read keeps native memory for good (keytar's
 * `findCredentials` never frees the items it lists, https://github.com/atom/node-keytar/blob/v7.9.0/src/keytar_posix.cc,
 * and libsecret 0.20's lookup keeps a few KB of every answer), so a watch with 100 profiles grew by
 * about 1.3 MB every 30 s. (Listings are now made over D-Bus directly, secret-service-listing.ts, in the
 * keychain helper for `watch` and the tray app; a listing still costs ~25 ms for 100 entries, a
 * re-read from the record nothing.)
 *
 * A line names the kind of entry, the profile and, for a session, its expiry and access key ID:
 * never a secret. The file starts with a header line naming its generation; a writer that finds it
 * at {@link MAX_CHANGES_BYTES} starts a new generation (a new file renamed over the old one), and a
 * reader that sees another generation, a shorter file, a record that appeared since its mark (the
 * first writers each start one, and only the last keeps its line) or a line it cannot read learns
 * only that anything may have changed ('unknown'), so that it reads the keychain again. Recording
 * never fails its caller: the worst a lost line costs is a change seen late (at anything that may
 * ask a person about the profile, which reads its own entry first, at a window's own listing, or
 * after a restart) or one refresh more that needs nobody (from a TOTP secret, or a role's: the
 * keeper takes those sessions from its listing and the record), never a change lost from the
 * keychain. A process that could not record a line of its own (a full disk, likely losing other
 * processes' lines too) drops the listings it kept (keychain/profile-secrets.ts).
 */
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { isNotFound } from '../files/file-errors';
import type { SecretKind } from './secret-store';
import { makeFolders } from '../files/make-folders';
import { fsCalls, writeNewFile } from '../files/fs-calls';

/** One change of a keychain entry. */
export interface KeychainChange {
  readonly kind: SecretKind;
  readonly op: 'set' | 'delete';
  readonly profile: string;
  /** A session's expiry (ms), when `kind` is 'session' and `op` 'set'. */
  readonly expiresAt?: number;
  /**
   * A session's access key ID, with its expiry (not a secret: AWS prints it in every error, and the
   * record of written sessions keeps it too). Two sessions got in the same second end together; this
   * tells them apart. Lines written before it was recorded have none.
   */
  readonly accessKeyId?: string;
}

/** Where a reader stopped: the file's generation and the offset of the first line not read. */
export interface ChangesMark {
  readonly generation: string | undefined;
  readonly offset: number;
}

/** The changes after a mark, or 'unknown' when they cannot be told (then anything may have changed). */
export interface ChangesSince {
  readonly changes: readonly KeychainChange[] | 'unknown';
  /** Where the next read starts. */
  readonly mark: ChangesMark;
}

/**
 * When the record is started anew: a line is ~80 bytes, so about 3,000 changes per generation (a
 * reader reads only what follows its mark, whatever the size). Every reader then reads the keychain
 * once, as it cannot tell what the old generation's last lines were.
 */
export const MAX_CHANGES_BYTES = 256 * 1024;

const HEADER_PREFIX = '# mfa-tray keychain changes ';

/** Web Crypto's (a global): node:crypto is not loaded for this. */
function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

/** The shared record of keychain changes (see the module's comment). */
export class KeychainChanges {
  readonly #maxBytes: number;

  /** @param path `keychain-changes.log` in the config folder (`keychainChangesFile` in files/paths.ts). */
  constructor(
    readonly path: string,
    options: { readonly maxBytes?: number } = {},
  ) {
    this.#maxBytes = options.maxBytes ?? MAX_CHANGES_BYTES;
  }

  /**
   * Appends one change. Never throws (see the module's comment). @returns whether it was recorded
   * (a process that keeps what it listed drops it when not: see keychain/profile-secrets.ts).
   */
  async record(change: KeychainChange): Promise<boolean> {
    const { kind, op, profile, expiresAt, accessKeyId } = change;
    const line = `${JSON.stringify({ kind, op, profile, ...(expiresAt === undefined ? {} : { expiresAt }), ...(accessKeyId === undefined ? {} : { accessKeyId }) })}\n`;
    try {
      await this.#append(line);
      return true;
    } catch (error) {
      if (!isNotFound(error)) return false;
      try {
        await makeFolders(dirname(this.path), 0o700);
        await this.#append(line);
        return true;
      } catch {
        // See the module's comment: a lost line is a change seen late.
        return false;
      }
    }
  }

  async #append(line: string): Promise<void> {
    const io = fsCalls();
    let fd: number | undefined;
    try {
      // O_APPEND: lines of processes writing at once never overwrite each other. No O_CREAT: a new
      // record starts with its header (below).
      fd = await io.open(this.path, constants.O_RDWR | constants.O_APPEND);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (fd !== undefined) {
      try {
        const { size } = await io.fstat(fd);
        // A record that is not one (its header damaged) is started anew, as a full one is.
        if (size + Buffer.byteLength(line) <= this.#maxBytes && (await readHeader(fd, size)) !== undefined) {
          await io.writeFile(fd, line);
          return;
        }
      } finally {
        await io.close(fd);
      }
    }
    // Missing, full or damaged: a new generation, whole (its header and this line) before it takes the name.
    const temp = `${this.path}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      await writeNewFile(temp, `${HEADER_PREFIX}${randomUUID()}\n${line}`, 0o600);
      await io.rename(temp, this.path);
    } catch (error) {
      await io.rm(temp).catch(() => undefined);
      throw error;
    }
  }

  /** The end of the record now: changes recorded after this are {@link since} it. */
  async mark(): Promise<ChangesMark> {
    return (await this.since(undefined)).mark;
  }

  /**
   * The changes recorded after `mark`; with no mark, none (and the mark of the record's end). Lines
   * still being written (no newline yet) are left for the next read. Reads the header and what
   * follows the mark, not the whole record.
   */
  async since(mark: ChangesMark | undefined): Promise<ChangesSince> {
    const none = { generation: undefined, offset: 0 };
    const io = fsCalls();
    let fd: number;
    try {
      fd = await io.open(this.path, constants.O_RDONLY);
    } catch (error) {
      if (!isNotFound(error)) return { changes: 'unknown', mark: none };
      // No record (yet): nothing was recorded, unless there was one at the mark.
      return { changes: mark === undefined || mark.generation === undefined ? [] : 'unknown', mark: none };
    }
    try {
      const { size } = await io.fstat(fd);
      const header = await readHeader(fd, size);
      if (!header) return { changes: 'unknown', mark: none };
      const { generation, body } = header;
      // Where to read from: the last lines (to find where the record ends) when there is no mark to
      // read on from, or nothing after the mark can be told for sure. That is also so when there was
      // no record at the mark: processes that recorded at once each started the record, and only
      // the last one's start (with its line) took the name.
      const tail = Math.max(body, size - 4096);
      const unknown = mark !== undefined && (mark.generation === undefined || mark.generation !== generation || mark.offset > size);
      const from = mark === undefined || unknown ? tail : Math.max(mark.offset, body);
      const bytes = await readAt(fd, from, size - from);
      const here = { generation, offset: from + bytes.lastIndexOf(NEWLINE) + 1 };
      if (mark === undefined) return { changes: [], mark: here };
      if (unknown) return { changes: 'unknown', mark: here };
      const changes: KeychainChange[] = [];
      for (const line of bytes
        .subarray(0, here.offset - from)
        .toString('utf8')
        .split('\n')) {
        if (line === '') continue;
        const change = parseChange(line);
        if (!change) return { changes: 'unknown', mark: here };
        changes.push(change);
      }
      return { changes, mark: here };
    } catch {
      return { changes: 'unknown', mark: none };
    } finally {
      await io.close(fd);
    }
  }
}

const NEWLINE = 0x0a;

/** The record's generation and where its first line starts, or undefined when it has no header. */
async function readHeader(fd: number, size: number): Promise<{ readonly generation: string; readonly body: number } | undefined> {
  const head = await readAt(fd, 0, Math.min(size, HEADER_PREFIX.length + 64));
  const end = head.indexOf(NEWLINE);
  const header = end < 0 ? '' : head.subarray(0, end).toString('utf8');
  if (!header.startsWith(HEADER_PREFIX) || header.length === HEADER_PREFIX.length) return undefined;
  return { generation: header.slice(HEADER_PREFIX.length), body: end + 1 };
}

/** `length` bytes of the file from `position` (fewer at its end). */
async function readAt(fd: number, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const bytesRead = await fsCalls().read(fd, buffer, read, length - read, position + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buffer.subarray(0, read);
}

const KINDS: ReadonlySet<string> = new Set<SecretKind>(['long-lived-key', 'totp-secret', 'session']);

function parseChange(line: string): KeychainChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, op, profile, expiresAt, accessKeyId } = value as Record<string, unknown>;
  if (typeof kind !== 'string' || !KINDS.has(kind) || (op !== 'set' && op !== 'delete') || typeof profile !== 'string') return undefined;
  if (expiresAt !== undefined && typeof expiresAt !== 'number') return undefined;
  if (accessKeyId !== undefined && typeof accessKeyId !== 'string') return undefined;
  return {
    kind: kind as SecretKind,
    op,
    profile,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(accessKeyId === undefined ? {} : { accessKeyId }),
  };
}
