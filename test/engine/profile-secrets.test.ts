/**
 * Typed keychain entries per profile, on the real gnome-keyring of the test session.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MfaTrayError, isMfaTrayError } from '../../main/common/errors';
import type { LongLivedKey, SessionCredentials } from '../../main/common/model';
import { KeychainChanges, type KeychainChange } from '../../main/engine/keychain/keychain-changes';
import { ProfileSecrets } from '../../main/engine/keychain/profile-secrets';
import type { SecretKind, SecretStore } from '../../main/engine/keychain/secret-store';
import { fillUp, mountTmpfs, whyNoMount } from '../support/fault-mount';
import { createTestKeychain } from '../support/keyring';
import { until } from '../support/until';

const KEY: LongLivedKey = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const SESSION: SessionCredentials = {
  accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN'.repeat(20),
  expiresAt: Date.UTC(2026, 10, 28, 21, 0, 0),
};
const TOTP = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** What a listing gives of a session: no secret part. */
const summary = ({ accessKeyId, expiresAt }: SessionCredentials) => ({ accessKeyId, expiresAt });

describe('ProfileSecrets', () => {
  const keychain = createTestKeychain('profile-secrets');
  const { store } = keychain;
  const secrets = new ProfileSecrets(store);
  after(() => keychain.cleanup());

  it('reads back the long-lived key it stored', async () => {
    await secrets.setLongLivedKey('dev', KEY);

    assert.deepEqual(await secrets.getLongLivedKey('dev'), KEY);
  });

  it('keeps the long-lived key as JSON with the two fields only', async () => {
    await secrets.setLongLivedKey('json', { ...KEY, extra: 'x' } as LongLivedKey);

    assert.deepEqual(JSON.parse((await store.get('long-lived-key', 'json')) ?? ''), KEY);
  });

  it('answers undefined when no long-lived key is stored', async () => {
    assert.equal(await secrets.getLongLivedKey('nobody'), undefined);
  });

  it('says how to add the key when one is required and missing', async () => {
    await assert.rejects(
      secrets.requireLongLivedKey('nobody'),
      (error) =>
        isMfaTrayError(error, 'no-long-lived-key') &&
        /"nobody"/.test(error.message) &&
        JSON.stringify(error.remedies) ===
          JSON.stringify([
            { action: 'add-key', profile: 'nobody' },
            { action: 'import-key', profile: 'nobody' },
          ]),
    );
  });

  it('refuses an incomplete long-lived key and stores nothing', async () => {
    await assert.rejects(
      secrets.setLongLivedKey('incomplete', { accessKeyId: KEY.accessKeyId, secretAccessKey: '' }),
      (error) => isMfaTrayError(error, 'invalid-input') && /secretAccessKey/.test(error.message),
    );
    assert.equal(await store.get('long-lived-key', 'incomplete'), undefined);
  });

  it('reports an entry that is not JSON as corrupt, naming the profile and the entry, without its content', async () => {
    await store.set('long-lived-key', 'garbled', 'AKIA-not-json-wJalrXUtnFEMI');

    await assert.rejects(
      secrets.getLongLivedKey('garbled'),
      (error) =>
        isMfaTrayError(error, 'keychain-entry-corrupt') &&
        /long-lived access key of profile "garbled"/.test(error.message) &&
        /not JSON/.test(error.message) &&
        !error.message.includes('wJalrXUtnFEMI'),
    );
  });

  it('reports a JSON entry with a missing field as corrupt, naming the field', async () => {
    await store.set('long-lived-key', 'partial', JSON.stringify({ accessKeyId: KEY.accessKeyId }));

    await assert.rejects(
      secrets.getLongLivedKey('partial'),
      (error) => isMfaTrayError(error, 'keychain-entry-corrupt') && /invalid secretAccessKey/.test(error.message),
    );
  });

  it('stores a TOTP secret given as an otpauth URI in canonical base32', async () => {
    await secrets.setTotpSecret('totp', `otpauth://totp/AWS:alice?secret=${TOTP.toLowerCase()}&issuer=AWS`);

    assert.equal(await secrets.getTotpSecret('totp'), TOTP);
    assert.equal(await store.get('totp-secret', 'totp'), TOTP);
  });

  it('refuses an unusable TOTP secret and stores nothing', async () => {
    await assert.rejects(secrets.setTotpSecret('bad-totp', 'otpauth://hotp/AWS:alice?secret=JBSWY3DPEHPK3PXP'), (error) =>
      isMfaTrayError(error, 'invalid-totp-secret'),
    );
    assert.equal(await secrets.hasTotpSecret('bad-totp'), false);
  });

  it('tells whether a TOTP secret is registered, and forgets it', async () => {
    await secrets.setTotpSecret('has-totp', TOTP);
    assert.equal(await secrets.hasTotpSecret('has-totp'), true);

    assert.equal(await secrets.deleteTotpSecret('has-totp'), true);

    assert.equal(await secrets.hasTotpSecret('has-totp'), false);
    assert.equal(await secrets.getTotpSecret('has-totp'), undefined);
  });

  it('reports a TOTP entry that is not base32 as corrupt', async () => {
    await store.set('totp-secret', 'bad-entry', 'not a secret 0189');

    await assert.rejects(
      secrets.getTotpSecret('bad-entry'),
      (error) =>
        isMfaTrayError(error, 'keychain-entry-corrupt') &&
        /TOTP secret of profile "bad-entry"/.test(error.message) &&
        error.remedies.map((r) => r.action).join() === 'set-totp,remove-totp',
    );
  });

  it('reads back the session it stored, expiry included', async () => {
    await secrets.setSession('session', SESSION);

    assert.deepEqual(await secrets.getSession('session'), SESSION);
  });

  it('reports a session entry with a wrong expiry as corrupt', async () => {
    await store.set('session', 'bad-session', JSON.stringify({ ...SESSION, expiresAt: 'tomorrow' }));

    await assert.rejects(
      secrets.getSession('bad-session'),
      (error) =>
        isMfaTrayError(error, 'keychain-entry-corrupt') &&
        /cached session/.test(error.message) &&
        /expiresAt/.test(error.message) &&
        !error.message.includes(SESSION.sessionToken),
    );
  });

  it('forgets a session', async () => {
    await secrets.setSession('forget', SESSION);

    assert.equal(await secrets.deleteSession('forget'), true);

    assert.equal(await secrets.getSession('forget'), undefined);
  });

  it('deletes every entry of a profile, and only of that profile', async () => {
    for (const profile of ['gone', 'kept']) {
      await secrets.setLongLivedKey(profile, KEY);
      await secrets.setTotpSecret(profile, TOTP);
      await secrets.setSession(profile, SESSION);
    }

    await secrets.deleteAll('gone');

    assert.deepEqual(
      [await secrets.getLongLivedKey('gone'), await secrets.hasTotpSecret('gone'), await secrets.getSession('gone')],
      [undefined, false, undefined],
    );
    assert.deepEqual([await secrets.getLongLivedKey('kept'), await secrets.hasTotpSecret('kept'), await secrets.getSession('kept')], [KEY, true, SESSION]);
  });

  it('deletes the other entries of a profile even when one deletion fails, then reports it', async () => {
    await secrets.setLongLivedKey('half', KEY);
    await secrets.setSession('half', SESSION);
    const failingOnTotp: SecretStore = {
      get: (kind, profile) => store.get(kind, profile),
      set: (kind, profile, value) => store.set(kind, profile, value),
      delete: (kind, profile) => (kind === 'totp-secret' ? Promise.reject(new MfaTrayError('keychain-timeout', 'no answer')) : store.delete(kind, profile)),
      getAll: (kind) => store.getAll(kind),
    };

    await assert.rejects(new ProfileSecrets(failingOnTotp).deleteAll('half'), (error) => isMfaTrayError(error, 'keychain-timeout'));

    assert.equal(await secrets.getLongLivedKey('half'), undefined);
    assert.equal(await secrets.getSession('half'), undefined);
  });
});

describe('ProfileSecrets, every profile at once', () => {
  const keychain = createTestKeychain('profile-secrets-all');
  const secrets = new ProfileSecrets(keychain.store);
  after(() => keychain.cleanup());

  it('reads every cached session (which, and until when: never its secrets), and which profiles have a key or a TOTP secret, one call per kind', async () => {
    const later = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL2', expiresAt: SESSION.expiresAt + 60_000 };
    await secrets.setSession('a', SESSION);
    await secrets.setSession('b/c', later);
    await secrets.setLongLivedKey('a', KEY);
    await secrets.setTotpSecret('b/c', TOTP);

    assert.deepEqual(
      new Map(await secrets.getSessions(['a', 'b/c', 'none'])),
      new Map([
        ['a', summary(SESSION)],
        ['b/c', summary(later)],
      ]),
    );
    assert.deepEqual(new Map(await secrets.getSessions(['b/c'])), new Map([['b/c', summary(later)]]));
    assert.deepEqual([...(await secrets.profilesWith('long-lived-key'))], ['a']);
    assert.deepEqual([...(await secrets.profilesWith('totp-secret'))], ['b/c']);
  });

  it('reports a damaged session of a profile asked for as reading it alone would, without its content; others are not looked at', async () => {
    await keychain.store.set('session', 'damaged', JSON.stringify({ ...SESSION, sessionToken: '' }));

    assert.deepEqual([...(await secrets.getSessions(['a'])).keys()], ['a']);
    await assert.rejects(
      secrets.getSessions(['a', 'damaged']),
      (error) =>
        isMfaTrayError(error, 'keychain-entry-corrupt') &&
        /"damaged"/.test(error.message) &&
        /sessionToken/.test(error.message) &&
        !error.message.includes(SESSION.secretAccessKey),
    );
  });

  it('reads every session at once with a damaged one as its own error, so that it spoils no other', async () => {
    const sessions = await secrets.readSessions(['a', 'damaged', 'none']);

    assert.deepEqual([...sessions.keys()].sort(), ['a', 'damaged']);
    assert.deepEqual(sessions.get('a'), summary(SESSION));
    const damaged = sessions.get('damaged');
    assert.ok(isMfaTrayError(damaged, 'keychain-entry-corrupt') && /"damaged"/.test(damaged.message) && !damaged.message.includes(SESSION.secretAccessKey));
  });
});

describe('ProfileSecrets, its record of changes', () => {
  const keychain = createTestKeychain('profile-secrets-changes');
  after(() => keychain.cleanup());

  /**
   * The test keychain, with each call logged (`get <kind> <profile>`, `getAll <kind>`); the hooks run
   * after a listing or a read has read the keychain (before it answers), and after a write.
   */
  const countedStore = (
    hooks: {
      readonly afterGetAll?: (kind: SecretKind) => Promise<void>;
      readonly afterGet?: (kind: SecretKind, profile: string) => Promise<void>;
      readonly afterSet?: (kind: SecretKind, profile: string) => Promise<void>;
    } = {},
  ): { readonly calls: string[]; readonly store: SecretStore } => {
    const calls: string[] = [];
    const store: SecretStore = {
      get: async (kind, profile) => {
        calls.push(`get ${kind} ${profile}`);
        const value = await keychain.store.get(kind, profile);
        await hooks.afterGet?.(kind, profile);
        return value;
      },
      set: async (kind, profile, value) => {
        await keychain.store.set(kind, profile, value);
        await hooks.afterSet?.(kind, profile);
      },
      delete: (kind, profile) => keychain.store.delete(kind, profile),
      getAll: async (kind) => {
        calls.push(`getAll ${kind}`);
        const entries = await keychain.store.getAll(kind);
        await hooks.afterGetAll?.(kind);
        return entries;
      },
    };
    return { calls, store };
  };

  it('asks the keychain nothing for no profiles (a listing would keep memory for nothing)', async () => {
    const calls: string[] = [];
    const counted: SecretStore = {
      get: (kind, profile) => (calls.push(`get ${kind}`), keychain.store.get(kind, profile)),
      set: (kind, profile, value) => (calls.push(`set ${kind}`), keychain.store.set(kind, profile, value)),
      delete: (kind, profile) => (calls.push(`delete ${kind}`), keychain.store.delete(kind, profile)),
      getAll: (kind) => (calls.push(`getAll ${kind}`), keychain.store.getAll(kind)),
    };
    const secrets = new ProfileSecrets(counted);

    assert.deepEqual(new Map(await secrets.getSessions([])), new Map());
    assert.deepEqual(new Map(await secrets.readSessions([])), new Map());
    assert.deepEqual(calls, []);
  });

  it('brings a listing it made up to date from the record when asked to reuse it: each changed entry read alone, its own writes known without a read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-reuse-'));
    const other = new ProfileSecrets(keychain.store, new KeychainChanges(join(dir, 'keychain-changes.log'))); // another process, on the same record
    const many = Array.from({ length: 17 }, (_, i) => `m${i}`);
    try {
      const changes = new KeychainChanges(join(dir, 'keychain-changes.log'));
      const { calls, store } = countedStore();
      const secrets = new ProfileSecrets(store, changes);
      const later = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL3', expiresAt: SESSION.expiresAt + 60_000 };
      const latest = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL4', expiresAt: SESSION.expiresAt + 120_000 };
      await other.setSession('x', SESSION);
      await other.setSession('y', SESSION);
      await other.setLongLivedKey('x', KEY);
      await other.setTotpSecret('y', TOTP);
      const read = async () => ({
        sessions: new Map(await secrets.readSessions(['x', 'y'], { reuse: true })),
        keys: [...(await secrets.profilesWith('long-lived-key', { reuse: true }))].sort(),
        totp: [...(await secrets.profilesWith('totp-secret', { reuse: true }))].sort(),
      });

      const first = {
        sessions: new Map([
          ['x', summary(SESSION)],
          ['y', summary(SESSION)],
        ]),
        keys: ['x'],
        totp: ['y'],
      };
      // Nothing listed yet: listed.
      assert.deepEqual(await read(), first);
      assert.deepEqual(calls.sort(), ['getAll long-lived-key', 'getAll session', 'getAll totp-secret']);
      // Nothing changed: nothing asked of the keychain.
      calls.length = 0;
      assert.deepEqual(await read(), first);
      assert.deepEqual(calls, []);

      // Changed elsewhere: each entry recorded as changed is read again (a line may be older than
      // the entry: lines are appended after the keychain call), nothing is listed.
      await other.setSession('x', later);
      await other.deleteSession('y');
      await other.setLongLivedKey('y', KEY);
      await other.deleteTotpSecret('y');
      await other.setTotpSecret('x', TOTP);
      calls.length = 0;
      assert.deepEqual(await read(), { sessions: new Map([['x', summary(later)]]), keys: ['x', 'y'], totp: ['x'] });
      assert.deepEqual(calls.sort(), ['get long-lived-key y', 'get session x', 'get session y', 'get totp-secret x', 'get totp-secret y']);

      // Its own write: known as written, no read.
      await secrets.setSession('y', latest);
      calls.length = 0;
      assert.deepEqual(
        (await read()).sessions,
        new Map([
          ['x', summary(later)],
          ['y', summary(latest)],
        ]),
      );
      assert.deepEqual(calls, []);

      // What is not in the record (an entry changed in Seahorse) is seen by a listing, not by a reuse.
      await keychain.store.set('session', 'x', 'not a session');
      assert.deepEqual((await read()).sessions.get('x'), summary(later));
      assert.ok(isMfaTrayError((await secrets.readSessions(['x'])).get('x'), 'keychain-entry-corrupt'));
      // That listing is the one kept now.
      assert.ok(isMfaTrayError((await secrets.readSessions(['x'], { reuse: true })).get('x'), 'keychain-entry-corrupt'));

      // Many entries changed (another process's refresh --all): one listing, not a read of each.
      for (const name of many) await other.setSession(name, SESSION);
      calls.length = 0;
      assert.equal((await secrets.readSessions(many, { reuse: true })).size, 17);
      assert.deepEqual(calls, ['getAll session']);

      // A record that cannot tell what changed (gone, or started anew): listed again.
      await rm(changes.path);
      calls.length = 0;
      assert.deepEqual((await read()).keys, ['x', 'y']);
      assert.deepEqual(calls.sort(), ['getAll long-lived-key', 'getAll session', 'getAll totp-secret']);
    } finally {
      for (const name of ['x', 'y', ...many]) await keychain.store.delete('session', name).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tells one profile's session from its kept listing and the record, reading only an entry recorded as changed; with no listing kept, reads that entry alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-one-'));
    const other = new ProfileSecrets(keychain.store, new KeychainChanges(join(dir, 'keychain-changes.log')));
    try {
      const { calls, store } = countedStore();
      const secrets = new ProfileSecrets(store, new KeychainChanges(join(dir, 'keychain-changes.log')));
      const later = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL3', expiresAt: SESSION.expiresAt + 60_000 };
      await other.setSession('x', SESSION);
      await other.setSession('y', SESSION);

      // No listing kept yet: the entry is read by itself, nothing is listed.
      assert.deepEqual(await secrets.getSessionSummary('x'), summary(SESSION));
      assert.deepEqual(calls, ['get session x']);
      assert.equal(await secrets.getSessionSummary('none'), undefined);

      await secrets.getSessions(['x', 'y']);
      calls.length = 0;
      assert.deepEqual(await secrets.getSessionSummary('x'), summary(SESSION));
      assert.equal(await secrets.getSessionSummary('none'), undefined);
      assert.deepEqual(calls, [], 'known from the listing: no keychain call');

      await other.setSession('y', later);
      await secrets.setSession('x', later);
      assert.deepEqual(await secrets.getSessionSummary('x'), summary(later));
      assert.deepEqual(await secrets.getSessionSummary('y'), summary(later));
      assert.deepEqual(calls, ['get session y'], 'only the entry another process changed');
      calls.length = 0;
      const sameSecond = { ...later, accessKeyId: 'ASIAIOSFODNN7EXAMPL5' };
      await other.setSession('x', sameSecond);
      assert.deepEqual(await secrets.getSessionSummary('x'), summary(sameSecond));
      assert.deepEqual(calls, ['get session x'], "another process's session of the same expiry and another key is read");

      await other.deleteSession('y');
      calls.length = 0;
      assert.equal(await secrets.getSessionSummary('y'), undefined);
      assert.deepEqual(calls, ['get session y']);
    } finally {
      await rm(dir, { recursive: true, force: true });
      for (const name of ['x', 'y']) await keychain.store.delete('session', name);
    }
  });

  it('keeps no listing that a newer one has replaced meanwhile, and misses no change recorded while it listed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-order-'));
    try {
      const changes = new KeychainChanges(join(dir, 'keychain-changes.log'));
      await changes.record({ kind: 'session', op: 'delete', profile: 'earlier' }); // a record to follow
      const other = new ProfileSecrets(keychain.store, new KeychainChanges(changes.path));
      const gate: { release: (() => void) | undefined } = { release: undefined };
      let held = 0;
      const { calls, store } = countedStore({
        afterGetAll: async (kind) => {
          // The first listing of sessions, its entries read, answers only when released.
          if (kind === 'session' && (held += 1) === 1) await new Promise<void>((resolve) => (gate.release = resolve));
        },
      });
      const secrets = new ProfileSecrets(store, changes);
      await keychain.store.set('session', 'z', JSON.stringify(SESSION));
      const older = secrets.readSessions(['z']);
      await until(() => gate.release !== undefined, 'the first listing under way');
      // While it answers: another process's session for "w" (recorded), and "z" damaged in Seahorse
      // (not recorded), which a newer listing sees.
      const theirs = { ...SESSION, expiresAt: SESSION.expiresAt + 60_000 };
      await other.setSession('w', theirs);
      await keychain.store.set('session', 'z', 'not a session');
      assert.ok(isMfaTrayError((await secrets.readSessions(['z'])).get('z'), 'keychain-entry-corrupt'));
      (gate.release as (() => void) | undefined)?.();
      assert.deepEqual((await older).get('z'), summary(SESSION));
      calls.length = 0;
      // Kept: the newer listing (the damage stays in view; "w" is in it): nothing to read.
      const now = await secrets.readSessions(['z', 'w'], { reuse: true });
      assert.ok(isMfaTrayError(now.get('z'), 'keychain-entry-corrupt'));
      assert.deepEqual(now.get('w'), summary(theirs));
      assert.deepEqual(calls, []);

      // A reuse that reads an entry while a newer listing is made is not kept over that listing.
      const slow: { release: (() => void) | undefined } = { release: undefined };
      const reader = countedStore({
        afterGet: async (_kind, profile) => {
          if (profile === 'w') await new Promise<void>((resolve) => (slow.release = resolve));
        },
      });
      const third = new ProfileSecrets(reader.store, changes);
      await third.readSessions(['z', 'w']); // kept
      const moved = { ...theirs, expiresAt: theirs.expiresAt + 1000 };
      await other.setSession('w', moved);
      const reuse = third.readSessions(['z', 'w'], { reuse: true }); // reads "w", held
      await until(() => slow.release !== undefined, 'the reuse under way');
      await keychain.store.set('session', 'z', JSON.stringify(SESSION)); // mended in Seahorse
      const fresh = new Map(await third.readSessions(['z'])); // "w" is not wanted: no read of it
      assert.deepEqual(fresh.get('z'), summary(SESSION));
      (slow.release as (() => void) | undefined)?.();
      assert.ok(isMfaTrayError((await reuse).get('z'), 'keychain-entry-corrupt')); // what it started from
      assert.deepEqual((await third.readSessions(['z'], { reuse: true })).get('z'), summary(SESSION));

      // The older listing alone: the change recorded while it listed is read again.
      held = 0;
      gate.release = undefined;
      const alone = new ProfileSecrets(store, changes);
      const listing = alone.readSessions(['w']);
      await until(() => gate.release !== undefined, 'the listing under way');
      const newest = { ...SESSION, expiresAt: SESSION.expiresAt + 120_000 };
      await other.setSession('w', newest);
      (gate.release as (() => void) | undefined)?.();
      assert.deepEqual((await listing).get('w'), summary(moved));
      assert.deepEqual((await alone.readSessions(['w'], { reuse: true })).get('w'), summary(newest));
    } finally {
      for (const name of ['z', 'w']) await keychain.store.delete('session', name).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  /**
   * This process's secrets (its keychain calls counted) and another process's, on one record in
   * `dir`; `between.write`, when set, runs once right after this process's next keychain write,
   * before its line is recorded.
   */
  const writersWithAGap = (dir: string) => {
    const path = join(dir, 'keychain-changes.log');
    const between: { write: (() => Promise<void>) | undefined } = { write: undefined };
    const { calls, store } = countedStore({
      afterSet: async () => {
        const write = between.write;
        between.write = undefined;
        await write?.();
      },
    });
    return { other: new ProfileSecrets(keychain.store, new KeychainChanges(path)), ours: new ProfileSecrets(store, new KeychainChanges(path)), between, calls };
  };

  it("reads its own session again when another process's line came between its write and its own line", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-between-'));
    try {
      const { other, ours, between } = writersWithAGap(dir);
      const theirs = { ...SESSION, expiresAt: SESSION.expiresAt + 120_000 };
      await other.setSession('r', SESSION);
      await ours.readSessions(['r']); // kept
      // Ours is written to the keychain, then theirs (the one the keychain keeps), and their line
      // comes before ours: our line is the last, with the expiry we wrote.
      between.write = () => other.setSession('r', theirs);
      await ours.setSession('r', { ...SESSION, expiresAt: SESSION.expiresAt + 60_000 });
      assert.equal((await ours.getSession('r'))?.expiresAt, theirs.expiresAt);
      assert.deepEqual((await ours.readSessions(['r'], { reuse: true })).get('r'), summary(theirs));
    } finally {
      await keychain.store.delete('session', 'r').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("does not put its own write back over a reuse that read another process's later one meanwhile", async () => {
    // Two processes refreshing the same profile at once (the tray app and watch): between our
    // keychain write and our line, theirs lands and a reuse of ours (another profile's due event)
    // reads it. Our line, coming last, must not make our session the kept one.
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-reused-between-'));
    try {
      const { other, ours, between, calls } = writersWithAGap(dir);
      const theirs = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL7', expiresAt: SESSION.expiresAt + 120_000 };
      await other.setSession('q', SESSION);
      await ours.readSessions(['q']); // kept
      between.write = async () => {
        await other.setSession('q', theirs);
        assert.deepEqual(await ours.getSessionSummary('q'), summary(theirs), 'the reuse between reads theirs');
      };
      await ours.setSession('q', { ...SESSION, expiresAt: SESSION.expiresAt + 60_000 });
      assert.equal((await ours.getSession('q'))?.accessKeyId, theirs.accessKeyId, 'the keychain keeps theirs');
      assert.deepEqual(await ours.getSessionSummary('q'), summary(theirs));
      assert.deepEqual((await ours.readSessions(['q'], { reuse: true })).get('q'), summary(theirs));

      // A reuse between that read another entry only: our own write is still known without a read.
      const again = { ...SESSION, expiresAt: SESSION.expiresAt + 180_000 };
      between.write = async () => {
        await other.setSession('q2', SESSION);
        assert.deepEqual(await ours.getSessionSummary('q2'), summary(SESSION));
      };
      await ours.setSession('q', again);
      calls.length = 0;
      assert.deepEqual(await ours.getSessionSummary('q'), summary(again));
      assert.deepEqual(calls, [], 'no read of its own write');
    } finally {
      for (const name of ['q', 'q2']) await keychain.store.delete('session', name).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('makes two writes of one entry one after the other: the kept listing ends with what the keychain holds', async () => {
    // A role refreshed from the tray while the keeper re-assumes it: the first write's line held
    // back (the record's file calls are slow), the second's landing first, and a reuse between.
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-two-own-'));
    try {
      const path = join(dir, 'keychain-changes.log');
      const first = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL1', expiresAt: SESSION.expiresAt + 60_000 };
      const second = { ...SESSION, accessKeyId: 'ASIAIOSFODNN7EXAMPL2', expiresAt: SESSION.expiresAt + 61_000 };
      const held = { reached: (): void => undefined, release: (): void => undefined };
      const reached = new Promise<void>((resolve) => (held.reached = resolve));
      const gate = new Promise<void>((resolve) => (held.release = resolve));
      /** The real record, its line of the first session held back until released. */
      class HeldRecord extends KeychainChanges {
        override async record(change: KeychainChange): Promise<boolean> {
          if (change.accessKeyId === first.accessKeyId) {
            held.reached();
            await gate;
          }
          return super.record(change);
        }
      }
      const { calls, store } = countedStore();
      const other = new ProfileSecrets(keychain.store, new KeychainChanges(path));
      await other.setSession('p', SESSION);
      await other.setSession('z', SESSION);
      const ours = new ProfileSecrets(store, new HeldRecord(path));
      await ours.readSessions(['p', 'z']); // kept
      const writingFirst = ours.setSession('p', first);
      await reached;
      const writingSecond = ours.setSession('p', second);
      await Promise.race([writingSecond, new Promise((resolve) => setTimeout(resolve, 300))]);
      assert.deepEqual(await ours.getSessionSummary('z'), summary(SESSION)); // a reuse between
      held.release();
      await writingFirst;
      await writingSecond;
      assert.equal((await ours.getSession('p'))?.accessKeyId, second.accessKeyId, 'the keychain holds the second');
      calls.length = 0;
      assert.deepEqual(await ours.getSessionSummary('p'), summary(second));
    } finally {
      for (const name of ['p', 'z']) await keychain.store.delete('session', name).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drops what it listed when a change of its own could not be recorded (a full disk): the next reuse lists again', { skip: whyNoMount() }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-full-'));
    const unmount = mountTmpfs(dir, 64);
    try {
      // A record that starts a new generation at its second line: a new file, which a full tmpfs
      // refuses (a line appended to the file's last page might still fit).
      const record = () => new KeychainChanges(join(dir, 'keychain-changes.log'), { maxBytes: 150 });
      const changes = record();
      const { calls, store } = countedStore();
      const secrets = new ProfileSecrets(store, changes);
      const later = { ...SESSION, expiresAt: SESSION.expiresAt + 60_000 };
      await secrets.setSession('full', SESSION);
      assert.deepEqual(new Map(await secrets.readSessions(['full'], { reuse: true })), new Map([['full', summary(SESSION)]]));
      await fillUp(dir);
      // Another process's line is lost as well: its session can only be seen by a listing.
      const other = new ProfileSecrets(keychain.store, record());
      await other.setSession('full', later);
      assert.equal(await changes.record({ kind: 'session', op: 'set', profile: 'full', expiresAt: later.expiresAt }), false);
      await secrets.setTotpSecret('full', TOTP);
      calls.length = 0;
      assert.deepEqual(new Map(await secrets.readSessions(['full'], { reuse: true })), new Map([['full', summary(later)]]));
      assert.deepEqual(calls, ['getAll session']);
    } finally {
      await keychain.store.delete('session', 'full').catch(() => undefined);
      await keychain.store.delete('totp-secret', 'full').catch(() => undefined);
      unmount();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("records each entry it writes or deletes after the keychain call, with a session's expiry and key ID and never a secret", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-secrets-changes-'));
    try {
      const changes = new KeychainChanges(join(dir, 'keychain-changes.log'));
      const secrets = new ProfileSecrets(keychain.store, changes);
      // A record that exists (one that appears after a mark is 'unknown' to it: see keychain-changes.test.ts).
      await changes.record({ kind: 'long-lived-key', op: 'delete', profile: 'earlier' });
      const mark = await secrets.changesMark();

      await secrets.setLongLivedKey('rec', KEY);
      await secrets.setTotpSecret('rec', TOTP);
      await secrets.setSession('rec', SESSION);
      await secrets.deleteTotpSecret('rec');
      await secrets.deleteTotpSecret('rec'); // nothing left to delete: nothing recorded
      await secrets.deleteAll('rec');

      assert.deepEqual((await secrets.changesSince(mark)).changes, [
        { kind: 'long-lived-key', op: 'set', profile: 'rec' },
        { kind: 'totp-secret', op: 'set', profile: 'rec' },
        { kind: 'session', op: 'set', profile: 'rec', expiresAt: SESSION.expiresAt, accessKeyId: SESSION.accessKeyId },
        { kind: 'totp-secret', op: 'delete', profile: 'rec' },
        { kind: 'session', op: 'delete', profile: 'rec' },
        { kind: 'long-lived-key', op: 'delete', profile: 'rec' },
      ]);
      const text = await readFile(changes.path, 'utf8');
      // The session's key ID is no secret (AWS's own errors print it; the record of written sessions
      // keeps it too); the long-lived key's ID is not recorded.
      for (const secret of [KEY.secretAccessKey, KEY.accessKeyId, TOTP, SESSION.secretAccessKey, SESSION.sessionToken]) assert.ok(!text.includes(secret));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
