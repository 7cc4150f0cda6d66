/**
 * The record of keychain changes shared by MFA Tray processes: what a reader learns after a mark,
 * and that anything it cannot tell for sure (another generation, a damaged line) is 'unknown'.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { KeychainChanges, type ChangesMark } from '../../main/engine/keychain/keychain-changes';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-changes-'));
  path = join(dir, 'config', 'keychain-changes.log');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('KeychainChanges', () => {
  it('tells a reader the changes recorded after its mark, by any writer, and nothing twice', async () => {
    const reader = new KeychainChanges(path);
    await reader.record({ kind: 'long-lived-key', op: 'set', profile: 'work' });
    const mark = await reader.mark();
    await new KeychainChanges(path).record({ kind: 'session', op: 'set', profile: 'work', expiresAt: 1_800_000_000_000, accessKeyId: 'ASIAIOSFODNN7EXAMPLE' });
    await new KeychainChanges(path).record({ kind: 'totp-secret', op: 'delete', profile: 'ops' });
    // A line of an earlier version (a session's expiry, no key ID) is read as it is.
    await writeFile(path, `${await readFile(path, 'utf8')}{"kind":"session","op":"set","profile":"old","expiresAt":1800000000001}\n`);

    const first = await reader.since(mark);
    assert.deepEqual(first.changes, [
      { kind: 'session', op: 'set', profile: 'work', expiresAt: 1_800_000_000_000, accessKeyId: 'ASIAIOSFODNN7EXAMPLE' },
      { kind: 'totp-secret', op: 'delete', profile: 'ops' },
      { kind: 'session', op: 'set', profile: 'old', expiresAt: 1_800_000_000_001 },
    ]);
    assert.deepEqual((await reader.since(first.mark)).changes, []);
  });

  it('creates the folder and the file (mode 0600) and keeps no secret, only names and an expiry', async () => {
    await new KeychainChanges(path).record({ kind: 'session', op: 'set', profile: 'work', expiresAt: 1_800_000_000_000 });

    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    assert.match(lines[0] ?? '', /^# mfa-tray keychain changes [0-9a-f-]{36}$/);
    assert.deepEqual(lines.slice(1), ['{"kind":"session","op":"set","profile":"work","expiresAt":1800000000000}']);
  });

  it('no record yet is no change; a record that appeared or went away may be any change', async () => {
    const reader = new KeychainChanges(path);
    const none = await reader.mark();
    assert.deepEqual((await reader.since(none)).changes, []);

    // Processes recording at once each start the record; the last start takes the name with its
    // one line, and the others' lines are gone: a record that appeared says nothing for sure.
    await Promise.all((['work', 'ops', 'dev'] as const).map((profile) => new KeychainChanges(path).record({ kind: 'totp-secret', op: 'set', profile })));
    const after = await reader.since(none);
    assert.equal(after.changes, 'unknown');
    await new KeychainChanges(path).record({ kind: 'long-lived-key', op: 'set', profile: 'work' });
    assert.deepEqual((await reader.since(after.mark)).changes, [{ kind: 'long-lived-key', op: 'set', profile: 'work' }]);

    await rm(path);
    assert.equal((await reader.since(after.mark)).changes, 'unknown');
  });

  it('starts a new generation when full; a reader of the old one learns that anything may have changed', async () => {
    const writer = new KeychainChanges(path, { maxBytes: 200 });
    await writer.record({ kind: 'session', op: 'set', profile: 'a', expiresAt: 1 });
    const reader = new KeychainChanges(path);
    const mark = await reader.mark();
    for (let i = 0; i < 5; i += 1) await writer.record({ kind: 'session', op: 'set', profile: `p${i}`, expiresAt: i });

    assert.ok(Buffer.byteLength(await readFile(path, 'utf8')) <= 200, 'the record stays small');
    const seen = await reader.since(mark);
    assert.equal(seen.changes, 'unknown');
    assert.deepEqual((await reader.since(seen.mark)).changes, [], 'then reads on from the new generation');
  });

  it("leaves a line still being written for the next read, and takes a line it cannot read for 'unknown'", async () => {
    await new KeychainChanges(path).record({ kind: 'session', op: 'set', profile: 'a', expiresAt: 1 });
    const reader = new KeychainChanges(path);
    const mark: ChangesMark = await reader.mark();
    const text = await readFile(path, 'utf8');

    await writeFile(path, `${text}{"kind":"session","op":"set","pro`);
    const partial = await reader.since(mark);
    assert.deepEqual(partial.changes, []);
    assert.deepEqual(partial.mark, mark);

    await writeFile(path, `${text}{"kind":"session","op":"set","profile":"b","expiresAt":2}\nnot json\n`);
    assert.equal((await reader.since(mark)).changes, 'unknown');
    await writeFile(path, `${text}{"kind":"session","op":"set","profile":"b","expiresAt":2,"accessKeyId":7}\n`);
    assert.equal((await reader.since(mark)).changes, 'unknown', 'a key ID that is not text');
  });

  it('a record whose header is damaged is no record: readers learn nothing for sure, and the next writer starts it anew', async () => {
    const writer = new KeychainChanges(path);
    await writer.record({ kind: 'session', op: 'set', profile: 'a', expiresAt: 1 });
    const reader = new KeychainChanges(path);
    const mark = await reader.mark();
    await writeFile(path, 'garbage\n{"kind":"session","op":"set","profile":"b","expiresAt":2}\n');

    assert.equal((await reader.since(mark)).changes, 'unknown');
    await writer.record({ kind: 'totp-secret', op: 'set', profile: 'c' });
    const seen = await reader.since(mark);
    assert.equal(seen.changes, 'unknown', 'a new generation');
    assert.deepEqual((await reader.since(seen.mark)).changes, []);
    assert.match(await readFile(path, 'utf8'), /^# mfa-tray keychain changes [0-9a-f-]{36}\n\{"kind":"totp-secret","op":"set","profile":"c"\}\n$/);
  });

  it('never fails its caller, even where nothing can be written', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const unwritable = new KeychainChanges(join(dir, 'a-file', 'keychain-changes.log'));
    await unwritable.record({ kind: 'session', op: 'delete', profile: 'work' });
    assert.equal((await unwritable.since({ generation: 'x', offset: 10 })).changes, 'unknown');
  });
});
