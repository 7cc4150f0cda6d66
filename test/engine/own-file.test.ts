/**
 * What `credential-process` trusts before serving the credentials file's session without the
 * keychain: a file no other user could have written (own-file.ts), the session MFA Tray recorded
 * writing there (written-sessions.ts), and a section every AWS tool reads alike (session-section.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readOwnFile } from '../../main/engine/files/own-file';
import { unambiguousSession } from '../../main/engine/files/session-section';
import { isWrittenSession, readWrittenSessions, sessionInUseOf, WrittenSessions } from '../../main/engine/files/written-sessions';

const root = mkdtempSync(join(tmpdir(), 'mfa-tray-own-file-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh folder (0700) holding `credentials` (0600). */
function place(): { readonly dir: string; readonly file: string } {
  n += 1;
  const dir = join(root, `case-${n}`);
  mkdirSync(dir, { mode: 0o700 });
  const file = join(dir, 'credentials');
  writeFileSync(file, '[dev]\n', { mode: 0o600 });
  return { dir, file };
}

describe('readOwnFile', () => {
  it('reads a file of ours in folders of ours (the OS temp folder above is sticky)', () => {
    assert.equal(readOwnFile(place().file)?.toString(), '[dev]\n');
  });

  it('refuses a file others may write, a folder others may write, and a link kept in such a folder', () => {
    const groupWritable = place();
    chmodSync(groupWritable.file, 0o620);
    const openFolder = place();
    chmodSync(openFolder.dir, 0o777);
    const linked = place();
    const open = join(root, `open-${n}`);
    mkdirSync(open);
    chmodSync(open, 0o777);
    symlinkSync(linked.file, join(open, 'credentials'));
    assert.equal(readOwnFile(groupWritable.file), undefined);
    assert.equal(readOwnFile(openFolder.file), undefined);
    assert.equal(readOwnFile(join(open, 'credentials')), undefined);
    // The same link in a folder of ours is followed.
    const safeLink = join(place().dir, 'link');
    symlinkSync(linked.file, safeLink);
    assert.equal(readOwnFile(safeLink)?.toString(), '[dev]\n');
  });

  it('allows a sticky folder others may write to, as /tmp', () => {
    const sticky = place();
    chmodSync(sticky.dir, 0o1777);
    assert.equal(readOwnFile(sticky.file)?.toString(), '[dev]\n');
  });

  it('gives undefined, without hanging, for a missing path, a folder and a named pipe', () => {
    const { dir, file } = place();
    rmSync(file);
    assert.equal(readOwnFile(file), undefined);
    assert.equal(readOwnFile(dir), undefined);
    execFileSync('mkfifo', ['-m', '600', file]);
    assert.equal(readOwnFile(file), undefined);
  });
});

describe('WrittenSessions', () => {
  it('records, replaces and forgets entries; a damaged record reads as empty', async () => {
    const file = join(place().dir, 'written-sessions.json');
    const record = new WrittenSessions(file);
    const entry = { path: '/home/u/.aws/credentials', section: 'dev', accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', expiresAt: 1_800_000_000_500 };
    // One process's updates side by side: none lost.
    await Promise.all([record.set('dev', entry), record.set('ops', { ...entry, section: 'ops' }), record.set('qa', { ...entry, section: 'qa' })]);
    assert.deepEqual([...readWrittenSessions(file).keys()].sort(), ['dev', 'ops', 'qa']);
    await record.set('ops', undefined);
    assert.deepEqual(readWrittenSessions(file).get('dev'), entry);
    assert.equal(readWrittenSessions(file).has('ops'), false);
    writeFileSync(file, '{ "version": 1, "profiles": ');
    assert.equal(readWrittenSessions(file).size, 0);
    writeFileSync(file, JSON.stringify({ version: 2, profiles: { dev: entry } }));
    assert.equal(readWrittenSessions(file).size, 0, 'a newer version is not guessed at');
  });

  it('matches the session in the file by section, key id and expiry to the second (the file: by the caller, see fast-path.ts)', () => {
    const entry = { path: '/p', section: 'dev', accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', expiresAt: 1_800_000_000_500 };
    const inFile = { accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', expiresAt: 1_800_000_000_000 };
    assert.equal(isWrittenSession(entry, 'dev', inFile), true);
    assert.equal(isWrittenSession(entry, 'dev-session', inFile), false);
    assert.equal(isWrittenSession(entry, 'dev', { ...inFile, accessKeyId: 'ASIABBBBBBBBBBBBBBBB' }), false);
    assert.equal(isWrittenSession(entry, 'dev', { ...inFile, expiresAt: 1_800_000_001_000 }), false);
    assert.equal(isWrittenSession(undefined, 'dev', inFile), false);
    // A session kept in the keychain because the file could not take it is never served from the file.
    assert.equal(isWrittenSession({ ...entry, unwritten: true, over: null }, 'dev', inFile), false);
  });

  it("the session in use: the file's when written after the keychain's copy, else the keychain's", () => {
    const now = 1_800_000_000_000;
    const cached = { accessKeyId: 'ASIACCCCCCCCCCCCCCCC', expiresAt: now + 3_600_500 };
    const inFile = { accessKeyId: 'ASIAFFFFFFFFFFFFFFFF', expiresAt: now + 7_200_000 };
    assert.equal(sessionInUseOf(inFile, cached, now), inFile);
    assert.equal(sessionInUseOf(inFile, undefined, now), inFile);
    assert.equal(sessionInUseOf(undefined, cached, now), cached);
    assert.equal(sessionInUseOf(undefined, undefined, now), undefined);
    // Ending in the same second as the keychain's copy: the file decides.
    const sameSecond = { ...inFile, expiresAt: now + 3_600_000 };
    assert.equal(sessionInUseOf(sameSecond, cached, now), sameSecond);
    // Ending a second before it, expired, or the keychain's copy itself: the keychain's.
    assert.equal(sessionInUseOf({ ...inFile, expiresAt: now + 3_599_000 }, cached, now), cached);
    assert.equal(sessionInUseOf({ ...inFile, expiresAt: now }, undefined, now), undefined);
    assert.equal(sessionInUseOf({ ...cached, expiresAt: now + 7_200_000 }, cached, now), cached);
  });

  it('kept sessions: listed for their file, held while they are the entry, settled only while still the same', async () => {
    const file = join(place().dir, 'written-sessions.json');
    const record = new WrittenSessions(file);
    const kept = {
      path: '/p',
      section: 'dev',
      accessKeyId: 'ASIAKKKKKKKKKKKKKKKK',
      expiresAt: 1_800_000_000_500,
      unwritten: true,
      over: 'ASIAOOOOOOOOOOOOOOOO',
    } as const;
    await record.set('dev', kept);
    await record.set('ops', { ...kept, path: '/other' });
    assert.deepEqual([...(await record.kept('/p')).keys()], ['dev']);
    assert.deepEqual((await record.kept('/p')).get('dev'), kept);
    assert.equal(record.holdsKept('dev', kept.accessKeyId), true);
    assert.equal(record.holdsKept('dev', 'ASIAXXXXXXXXXXXXXXXX'), false);
    await record.settleKept('dev', 'ASIAXXXXXXXXXXXXXXXX', true);
    assert.deepEqual(readWrittenSessions(file).get('dev'), kept, 'another session: left alone');
    await record.settleKept('dev', kept.accessKeyId, true);
    assert.deepEqual(readWrittenSessions(file).get('dev'), { path: '/p', section: 'dev', accessKeyId: kept.accessKeyId, expiresAt: kept.expiresAt });
    assert.equal(record.holdsKept('dev', kept.accessKeyId), false);
    await record.settleKept('dev', kept.accessKeyId, false);
    assert.equal(readWrittenSessions(file).has('dev'), true, 'a written entry is not dropped as a kept one');
    await record.settleKept('ops', kept.accessKeyId, false);
    assert.equal(readWrittenSessions(file).has('ops'), false);
  });
});

describe('unambiguousSession', () => {
  const section =
    '[dev]\naws_access_key_id = ASIAAAAAAAAAAAAAAAAA\naws_secret_access_key = s\naws_session_token = t\nx_security_token_expires = 2030-01-01T00:00:00Z\n';
  it('reads a whole session, with LF or CRLF', () => {
    assert.equal(unambiguousSession(section, 'dev')?.expiresAt, Date.UTC(2030, 0, 1));
    assert.equal(unambiguousSession(section.replace(/\n/g, '\r\n'), 'dev')?.accessKeyId, 'ASIAAAAAAAAAAAAAAAAA');
  });
  it('gives undefined where AWS tools would read the file differently, or it holds no whole session', () => {
    for (const [what, text] of [
      ['a section twice', `${section}${section}`],
      ['a key twice', `${section}aws_session_token = u\n`],
      ['a lone CR', `${section}region = x\rfoo = y\n`],
      ['a BOM', `\xEF\xBB\xBF${section}`],
      ['no token', section.replace(/aws_session_token.*\n/, '')],
      ['an expiry without a zone', section.replace('00:00:00Z', '00:00:00')],
    ] as const) {
      assert.equal(unambiguousSession(text, 'dev'), undefined, what);
    }
  });
});
