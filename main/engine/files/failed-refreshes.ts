/**
 * The last refresh of each profile that failed because AWS could not be reached (no answer, 5xx,
 * throttling), for every MFA Tray process: `credential-process` runs once per AWS command, and
 * without this record each one would try (and wait) again while a still-valid session is there to
 * serve. When the next try is due is the keeper's rule (sessions/keeper.ts, `retryDueAt`); this file
 * only keeps what happened: when, the how-manieth failure in a row, and the error's code and words
 * (which never hold a secret: common/errors.ts).
 *
 * Written under the lock every MFA Tray file takes (atomic-file.ts): an outage fails every profile
 * together, and without it two processes writing at once would lose one's update (seen in review),
 * costing that profile's next AWS command another wait. It is written only after a failure to reach
 * AWS and at the first new session after one: a refresh that went well and had none reads it only.
 */
import type { ErrorCode } from '../../common/errors';
import { updateFileAtomic } from './atomic-file';
import { parseRecord, readRecordFile, recordText } from './record-file';

/** One profile's last failed refresh. */
export interface FailedRefresh {
  /** When it failed, ms since the epoch (this computer's clock). */
  readonly at: number;
  /** 0 for the first failure since the last success, 1 for the next, … */
  readonly attempt: number;
  readonly code: ErrorCode;
  /** The error's message, on one line. */
  readonly reason: string;
}

const VERSION = 1;

/** The record, read and replaced whole; one process's updates are made one after the other. */
export class FailedRefreshes {
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** The profile's entry as the file holds it now (undefined: none, or a file not to be trusted: see record-file.ts). */
  get(profile: string): FailedRefresh | undefined {
    return this.all().get(profile);
  }

  /** Every profile's entry, in one read. */
  all(): ReadonlyMap<string, FailedRefresh> {
    return checkedEntries(readRecordFile(this.file, VERSION));
  }

  /** Forgets the profile's entry; reads only, when it has none. Never fails. */
  async forget(profile: string): Promise<void> {
    if (this.get(profile)) await this.set(profile, () => undefined);
  }

  /**
   * Records the entry `update` makes of the profile's entry as the file holds it under its lock
   * (undefined: forgets it). Never fails: a record not written costs one more try.
   */
  set(profile: string, update: (last: FailedRefresh | undefined) => FailedRefresh | undefined): Promise<void> {
    const next = this.#queue
      .then(() =>
        updateFileAtomic(
          this.file,
          (current) => {
            const stored = parseRecord(current, VERSION);
            const entries = new Map<string, object>(stored);
            const updated = update(checkedEntries(stored).get(profile));
            if (updated === undefined && !entries.has(profile)) return undefined;
            if (updated === undefined) entries.delete(profile);
            else entries.set(profile, { ...updated });
            return Buffer.from(recordText(VERSION, entries), 'utf8');
          },
          { newFileMode: 0o600, errorCode: 'settings-file', description: 'record of failed refreshes' },
        ),
      )
      .then(() => undefined)
      .catch(() => undefined);
    this.#queue = next;
    return next;
  }
}

/** The entries that are whole failures, by profile. */
function checkedEntries(stored: ReadonlyArray<readonly [string, Record<string, unknown>]>): ReadonlyMap<string, FailedRefresh> {
  const entries = new Map<string, FailedRefresh>();
  for (const [name, { at, attempt, code, reason }] of stored) {
    if (typeof at === 'number' && Number.isSafeInteger(attempt) && (attempt as number) >= 0 && typeof code === 'string' && typeof reason === 'string') {
      entries.set(name, { at, attempt: attempt as number, code: code as ErrorCode, reason });
    }
  }
  return entries;
}
