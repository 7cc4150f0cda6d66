/**
 * The small JSON records MFA Tray keeps beside its settings, by profile (files/written-sessions.ts,
 * files/failed-refreshes.ts): `{ "version": n, "profiles": { … } }`, read only when this user alone
 * could have written them (own-file.ts). {@link replaceRecordFile} replaces one whole with no lock
 * and no fsync, for a record written by every refresh whose lost update costs little
 * (written-sessions.ts); a record written only on rarer paths takes the lock (failed-refreshes.ts).
 */
import { dirname } from 'node:path';
import { readOwnFile } from './own-file';
import { fsCalls, writeNewFile } from './fs-calls';
import { makeFolders } from './make-folders';

/** The record's entries by profile, unchecked; empty when the file is missing, unreadable, another user's, not JSON, or not `version`'s. */
export function readRecordFile(file: string, version: number): ReadonlyArray<readonly [string, Record<string, unknown>]> {
  return parseRecord(readOwnFile(file), version);
}

/** The entries of a record's content, unchecked; empty when there is none, or it is not JSON of `version`. */
export function parseRecord(content: Buffer | undefined, version: number): ReadonlyArray<readonly [string, Record<string, unknown>]> {
  if (content === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch {
    return [];
  }
  if (!isObject(parsed) || parsed.version !== version || !isObject(parsed.profiles)) return [];
  return Object.entries(parsed.profiles).filter((pair): pair is [string, Record<string, unknown>] => isObject(pair[1]));
}

/**
 * Replaces the record `file` with these entries (mode 0600, its folder made 0700): a temp file
 * renamed over it, so that no reader sees half of it.
 */
export async function replaceRecordFile(file: string, version: number, entries: ReadonlyMap<string, object>): Promise<void> {
  const text = recordText(version, entries);
  // Unique without node:crypto (on credential-process's path): one process's writes are queued by the records.
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const io = fsCalls();
  await makeFolders(dirname(file), 0o700);
  try {
    await writeNewFile(temp, text, 0o600);
    await io.rename(temp, file);
  } catch (error) {
    await io.rm(temp);
    throw error;
  }
}

/** A record's content: these entries, by profile. */
export function recordText(version: number, entries: ReadonlyMap<string, object>): string {
  return `${JSON.stringify({ version, profiles: Object.fromEntries(entries) }, null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
