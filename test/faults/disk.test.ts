/**
 * The disk says no: full, a file-size limit, a read-only file, a read-only folder, a read-only file
 * system. Each time: one clear line saying what failed and why, the original file byte for byte as
 * it was, no temp file or lock left behind, and (for a refresh) the old session kept in the file and
 * the keychain, with no code sent twice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { isMfaTrayError, type ErrorCode } from '../../main/common/errors';
import { CredentialsFile } from '../../main/engine/files/credentials-file';
import lockfile from 'proper-lockfile';
import { createHarness } from '../support/engine-harness';
import { collect, spawnChild } from '../support/fault-build';
import { bindMount, fillUp, mountTmpfs, remountReadOnly, whyNoMount } from '../support/fault-mount';
import { largeCredentialsFile, versionSection, versionSession } from '../support/fault-versions';
import { useStsServer } from '../support/sts-server';

/** About 170 KB: more than half of the small disks below. */
const BIG = Buffer.from(largeCredentialsFile(900), 'latin1');

/** A temp folder, removed after the test; with `tmpfsKb`, a small tmpfs mounted on it. */
async function scratch(t: TestContext, tmpfsKb?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-disk-'));
  await chmod(dir, 0o755);
  const unmount = tmpfsKb === undefined ? undefined : mountTmpfs(dir, tmpfsKb);
  t.after(async () => {
    unmount?.();
    await chmod(dir, 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  });
  return dir;
}

/** Leftovers of a write: temp files and the lock folder. */
async function debris(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => /\.tmp$/.test(name) || /\.lock$/.test(name));
}

async function rejection(promise: Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(isMfaTrayError(error, code), `expected ${code}, got ${String(error)}`);
  return error;
}

/** Runs one write of the credentials file in a child process; returns what it printed. */
async function childWrite(
  path: string,
  options: Parameters<typeof spawnChild>[2] = {},
  mode: 'once' | 'check' = 'once',
): Promise<{ ok?: boolean; error?: { code: string; message: string } }> {
  const { stdout, stderr, signal } = await collect(await spawnChild('writer', [mode, path, '1'], options));
  assert.ok(stdout.trim() !== '', `the writer printed nothing (${signal ? `killed by ${signal}` : 'exited'}): ${stderr}`);
  return JSON.parse(stdout) as { ok?: boolean; error?: { code: string; message: string } };
}

const noMount = whyNoMount();

describe('a full disk', () => {
  test('writing the credentials file fails clearly, the original stays, nothing is left behind', { skip: noMount }, async (t) => {
    const dir = await scratch(t, 256);
    const path = join(dir, 'credentials');
    await writeFile(path, BIG, { mode: 0o600 });

    const error = await rejection(new CredentialsFile({ path }).writeSession('target0', versionSession(1)), 'credentials-file');

    assert.match(error.message, /disk is full/);
    assert.match(error.message, /Nothing was changed/);
    assert.ok(error.message.includes(dir), 'names the folder');
    assert.deepEqual(await readFile(path), BIG);
    assert.deepEqual(await debris(dir), []);
  });

  test('a file-size limit (ulimit -f, EFBIG) fails clearly, the original stays, nothing is left behind', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, BIG, { mode: 0o600 });

    // 128 blocks of 512 bytes: the limit is below the file's size, so the temp copy cannot be written.
    // Node ignores SIGXFSZ, so write() fails with EFBIG, unless a library turns the signal into a
    // kill: proper-lockfile's signal-exit re-raises every signal it hooks (SIGXFSZ among them) when
    // no one else listens for it.
    const { stdout, stderr, signal } = await collect(await spawnChild('writer', ['once', path, '1'], { shellPrefix: 'ulimit -f 128' }));
    assert.equal(
      signal,
      null,
      `the writer was killed by ${signal} instead of failing with EFBIG (left behind: ${(await debris(dir)).join(', ') || 'nothing'}): ${stderr}`,
    );
    const result = JSON.parse(stdout) as { ok?: boolean; error?: { code: string; message: string } };

    assert.equal(result.error?.code, 'credentials-file', JSON.stringify(result));
    assert.match(result.error?.message ?? '', /file size limit was reached.*Nothing was changed/);
    assert.deepEqual(await readFile(path), BIG);
    assert.deepEqual(await debris(dir), []);
  });
});

describe('read-only', () => {
  test('a read-only credentials file is refused by name, and left as it was', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, BIG, { mode: 0o400 });

    const error = await rejection(new CredentialsFile({ path }).writeSession('target0', versionSession(1)), 'credentials-file');

    assert.match(error.message, /read-only; it was left unchanged/);
    assert.ok(error.message.includes(path));
    assert.deepEqual(await readFile(path), BIG);
    assert.deepEqual(await debris(dir), []);
  });

  test('a read-only folder (the writer is not root) fails clearly, the original stays', async (t) => {
    const dir = await scratch(t);
    const folder = join(dir, 'aws');
    await mkdir(folder);
    const path = join(folder, 'credentials');
    await writeFile(path, BIG, { mode: 0o600 });
    // As root a folder's mode does not stop writes: run the writer as nobody, who owns the file.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      await chown(folder, 65534, 65534);
      await chown(path, 65534, 65534);
    }
    await chmod(folder, 0o555);

    const result = await childWrite(path, asRoot ? { uid: 65534, gid: 65534 } : {});

    assert.equal(result.error?.code, 'credentials-file', JSON.stringify(result));
    assert.match(result.error?.message ?? '', /permission denied\. Nothing was changed/);
    assert.ok(result.error?.message.includes(folder));
    assert.deepEqual(await readFile(path), BIG);
    assert.deepEqual(await debris(folder), []);
  });

  test('a folder the user cannot write in is found before a code is sent: the file there, or the folder to make it in', async (t) => {
    // Seen on landed main: with ~/.aws owned by root, `refresh` sent the code, then could not lock
    // or make the file ("Cannot lock the credentials file … permission denied"): the code was spent.
    const dir = await scratch(t);
    const asRoot = process.getuid?.() === 0;
    const as = asRoot ? { uid: 65534, gid: 65534 } : {};
    const aws = join(dir, 'aws');
    await mkdir(aws);
    const present = join(aws, 'credentials');
    await writeFile(present, BIG, { mode: 0o600 });
    if (asRoot) await chown(present, 65534, 65534); // the file is the user's; the folder is not
    await chmod(aws, 0o555);
    for (const [path, folder, verb] of [
      [present, aws, 'updated'],
      [join(aws, 'other-credentials'), aws, 'made'],
      [join(aws, 'missing', 'credentials'), aws, 'made'],
    ] as const) {
      const result = await childWrite(path, as, 'check');
      assert.equal(result.error?.code, 'credentials-file', `${path}: ${JSON.stringify(result)}`);
      assert.equal(
        result.error?.message,
        `The folder ${folder} does not let you write in it, so the credentials file ${path} cannot be ${verb}; ${verb === 'updated' ? 'it was left unchanged' : 'nothing was changed'} and no code was sent. Make the folder writable for your user, or set AWS_SHARED_CREDENTIALS_FILE to a file elsewhere.`,
      );
    }
    assert.deepEqual(await readFile(present), BIG);
    assert.deepEqual((await readdir(aws)).sort(), ['credentials']);
    // Where the user may write, the check passes (and writes nothing).
    await chmod(aws, 0o755);
    if (asRoot) await chown(aws, 65534, 65534);
    assert.deepEqual(await childWrite(join(aws, 'missing', 'credentials'), as, 'check'), { ok: true });
    assert.deepEqual(await childWrite(present, as, 'check'), { ok: true });
    assert.deepEqual((await readdir(aws)).sort(), ['credentials']);
  });

  test("another user's file this user cannot write (root's, mode 644, in the user's own folder): refused before a code is sent and at the write, owner and bytes kept", async (t) => {
    // Seen in review (as a user, not root): the refresh renamed its own file over root's, so the
    // file changed owner and took the session, where `aws configure set` said "permission denied".
    const asRoot = process.getuid?.() === 0;
    assert.ok(asRoot, 'this test makes a file of another user: run the tests as root, as CI does');
    const dir = await scratch(t);
    const aws = join(dir, 'aws');
    await mkdir(aws, { mode: 0o700 });
    await chown(aws, 65534, 65534);
    const path = join(aws, 'credentials');
    await writeFile(path, BIG, { mode: 0o644 });
    const as = { uid: 65534, gid: 65534 };

    for (const step of ['check', 'once'] as const) {
      const result = await childWrite(path, as, step);
      assert.equal(result.error?.code, 'credentials-file', `${step}: ${JSON.stringify(result)}`);
      assert.match(result.error?.message ?? '', /is another user's and not writable by you/, step);
      assert.ok(result.error?.message.includes(path), step);
    }
    const info = await stat(path);
    assert.deepEqual([info.uid, info.mode & 0o777], [0, 0o644], "still root's, mode 644");
    assert.deepEqual(await readFile(path), BIG);
    assert.deepEqual(await debris(aws), []);
  });

  test(
    'a credentials file mounted on its own (docker run -v ~/.aws/credentials:…): refused by name before a code is sent and at the write, the file as it was',
    { skip: noMount },
    async (t) => {
      // Seen: the check before the code passed, and the write then failed with "the file is busy"
      // (a rename cannot replace a mount point): the code was spent for a session the file could not take.
      const dir = await scratch(t);
      const host = join(dir, 'host-credentials');
      await writeFile(host, BIG, { mode: 0o600 });
      await mkdir(join(dir, 'aws'));
      const path = join(dir, 'aws', 'credentials');
      await writeFile(path, '');
      t.after(bindMount(host, path));

      for (const step of ['check', 'once'] as const) {
        const result = await childWrite(path, {}, step);
        assert.equal(result.error?.code, 'credentials-file', `${step}: ${JSON.stringify(result)}`);
        assert.match(
          result.error?.message ?? '',
          new RegExp(
            `^The credentials file ${path} is a mount point of its own \\(a file mounted alone, as into a container\\), which cannot be replaced whole; ` +
              `${step === 'check' ? 'it was left unchanged and no code was sent' : 'it was left unchanged'}\\. Mount the folder that holds it instead`,
          ),
          step,
        );
      }
      assert.deepEqual(await readFile(host), BIG);
      assert.deepEqual(await debris(join(dir, 'aws')), []);
    },
  );

  test('a read-only file system (EROFS) fails clearly, the original stays', { skip: noMount }, async (t) => {
    const dir = await scratch(t, 1024);
    const path = join(dir, 'credentials');
    await writeFile(path, BIG, { mode: 0o600 });
    remountReadOnly(dir);

    const error = await rejection(new CredentialsFile({ path }).writeSession(versionSection(1), versionSession(1)), 'credentials-file');

    assert.match(error.message, /file system is read-only\. Nothing was changed/);
    assert.deepEqual(await readFile(path), BIG);
    // The check before a code is sent names it as such (seen in review: "another user's… sudo chown").
    const unwritable = await new CredentialsFile({ path }).unwritable(true);
    assert.equal(unwritable?.reason, `The credentials file ${path} is on a read-only file system`);
  });

  test("an immutable file (chattr +i) is said to be one, not another user's; the original stays", { skip: noMount }, async (t) => {
    const dir = await scratch(t, 1024); // tmpfs: it takes the immutable flag
    const path = join(dir, 'credentials');
    await writeFile(path, BIG, { mode: 0o600 });
    const marked = spawnSync('chattr', ['+i', path], { encoding: 'utf8' });
    assert.equal(marked.status, 0, `chattr +i failed (apt-get install -y e2fsprogs): ${marked.stderr}`);
    t.after(() => spawnSync('chattr', ['-i', path]));

    const unwritable = await new CredentialsFile({ path }).unwritable(true);

    assert.equal(unwritable?.reason, `The credentials file ${path} cannot be written (it is marked immutable or locked)`);
    assert.match(unwritable?.fix ?? '', /chattr -i/);
    assert.deepEqual(await readFile(path), BIG);
  });
});

describe('a refresh when the disk says no', () => {
  const loopback = useStsServer();

  /** Every GetSessionToken carried a code (and a time step) no other one carried. */
  function assertNoCodeSentTwice(): void {
    const seen = new Set<string>();
    for (const r of loopback.sts.requests.filter((q) => q.action === 'GetSessionToken')) {
      for (const key of [`${r.serialNumber} code ${r.tokenCode}`, ...(r.timeStep === undefined ? [] : [`${r.serialNumber} step ${r.timeStep}`])]) {
        assert.ok(!seen.has(key), `sent twice: ${key}`);
        seen.add(key);
      }
    }
  }

  test(
    'credentials file on a full disk after the check: a clear error, the file as it was, the session AWS gave kept in the keychain',
    { skip: noMount },
    async (t) => {
      const h = await createHarness({ sts: loopback.sts });
      const awsDir = join(h.dir, 'aws');
      await mkdir(awsDir);
      const unmount = mountTmpfs(awsDir, 64);
      t.after(async () => {
        unmount();
        await h.close();
      });
      const user = await h.addUser('work');
      await loopback.sts.avoidStepEdge(5000);
      const old = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
      const before = await readFile(h.credentialsPath);
      await fillUp(awsDir);
      const sent = loopback.sts.count('GetSessionToken');

      const error = await rejection(h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) }), 'credentials-file');

      assert.match(error.message, /disk is full/);
      assert.deepEqual(await readFile(h.credentialsPath), before);
      // Seen on landed main: the session AWS gave for the spent code was thrown away (the keychain kept
      // the old one), so getting one for credential_process cost a second code.
      const issued = loopback.sts.sessions.at(-1);
      assert.notEqual(issued?.accessKeyId, old.accessKeyId);
      assert.equal((await h.engine.secrets.getSession('work'))?.accessKeyId, issued?.accessKeyId, 'the new session is kept in the keychain');
      assert.match(
        error.message,
        /the disk is full\. The file was left as it was\. The new session from AWS \(about 1[12] hours left\) is kept in the keychain: credential_process, mfa-tray export and mfa-tray exec use it; tools that read the credentials file get it with the next refresh, or sooner while the tray app or mfa-tray watch runs: they write it there once the file can take it\.$/,
      );
      assert.ok(!error.message.includes(issued?.secretAccessKey ?? '?') && !error.message.includes(issued?.sessionToken ?? '?'), 'no secret in the message');
      const state = h.engine.sessions.state('work');
      assert.equal(state.kind, 'failed');
      assert.equal('expiresAt' in state ? state.expiresAt : undefined, issued?.expiresAt, 'the kept session is shown');
      assert.equal(loopback.sts.count('GetSessionToken'), sent + 1, 'the code was sent once');
      assert.deepEqual(
        (await readdir(awsDir)).filter((n) => n !== 'credentials' && n !== 'filler'),
        [],
      );
      assertNoCodeSentTwice();
    },
  );

  /** A profile whose last refresh's session could not be written (a full disk), kept in the keychain; the disk still full. */
  async function keptOnFullDisk(t: TestContext) {
    const h = await createHarness({ sts: loopback.sts });
    const awsDir = join(h.dir, 'aws');
    await mkdir(awsDir);
    const unmount = mountTmpfs(awsDir, 64);
    t.after(async () => {
      h.engine.stop();
      unmount();
      await h.close();
    });
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge(5000);
    const old = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const filler = await fillUp(awsDir);
    await rejection(h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) }), 'credentials-file');
    const kept = loopback.sts.sessions.at(-1);
    assert.ok(kept && kept.accessKeyId !== old.accessKeyId);
    return { h, old, kept, filler, file: new CredentialsFile({ path: h.credentialsPath }) };
  }

  /** {@link keptOnFullDisk}, then the disk has room again. */
  async function keptThenRoom(t: TestContext) {
    const kept = await keptOnFullDisk(t);
    await rm(kept.filler);
    return kept;
  }

  test('a kept session goes into the credentials file once the disk has room again, with no second code', { skip: noMount }, async (t) => {
    const { h, old, kept: issued, filler, file } = await keptOnFullDisk(t);
    await h.engine.start();
    await h.engine.idle();
    const record = join(h.env.MFA_TRAY_CONFIG_DIR, 'written-sessions.json');
    const entry = JSON.parse(await readFile(record, 'utf8')).profiles.work;
    assert.equal(entry.unwritten, true, 'recorded as kept, not written');
    assert.equal(entry.over, old.accessKeyId, 'over the session the file kept');
    // Still full: the re-read tries, fails, and changes nothing.
    const full = await readFile(h.credentialsPath);
    await h.engine.recheck();
    assert.deepEqual(await readFile(h.credentialsPath), full);
    assert.equal(h.engine.sessions.state('work').kind, 'failed');
    // Another process (status in a terminal) says why the file lacks it, and that it is on its way.
    const elsewhere = (await h.otherProcess().status())[0]?.state;
    assert.equal(elsewhere?.kind === 'failed' && elsewhere.code, 'session-not-in-file');
    assert.match(
      elsewhere?.kind === 'failed' ? elsewhere.reason : '',
      /its \[work\] holds another key \(ASIA…\w{4}\), since the file could not take the session AWS gave last \(the tray app or mfa-tray watch, while it runs, writes it there once the file can\)\. AWS tools/,
    );
    const sent = loopback.sts.count('GetSessionToken');

    await rm(filler);
    // Seen on landed main: the file kept the old session after the disk had room again; only the next
    // refresh, with another code, put a session there for the AWS tools that read the file.
    await h.engine.recheck();
    const inFile = await file.readSession('work');
    assert.equal(inFile?.accessKeyId, issued.accessKeyId, 'the kept session is in the file');
    assert.equal(inFile?.sessionToken, issued.sessionToken);
    assert.deepEqual(h.engine.sessions.state('work'), { kind: 'valid', expiresAt: issued.expiresAt });
    assert.equal(loopback.sts.count('GetSessionToken'), sent, 'no code was spent');
    const written = JSON.parse(await readFile(record, 'utf8')).profiles.work;
    assert.equal(written.accessKeyId, issued.accessKeyId);
    assert.equal(written.unwritten, undefined, 'recorded as written: credential-process may serve it from the file');
    const statuses = await h.engine.status();
    assert.equal(statuses[0]?.state.kind, 'valid', 'status finds it in the file');
  });

  test('a kept session is never written over what came into the section after it, and is then let go', { skip: noMount }, async (t) => {
    const { h, old, file } = await keptThenRoom(t);
    // Another tool wrote a session of its own into [work] meanwhile: it stays.
    const theirs = (await readFile(h.credentialsPath, 'latin1')).replace(/(\[work\]\naws_access_key_id = )ASIA\w+/, '$1ASIAOTHERTOOLXXXQ7RZ');
    await writeFile(h.credentialsPath, theirs, 'latin1');
    assert.deepEqual(await h.engine.sessions.writeKept(), []);
    assert.equal(await readFile(h.credentialsPath, 'latin1'), theirs);
    // …for good: with the old session back in the section, the kept one is still not written.
    const record = JSON.parse(await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'written-sessions.json'), 'utf8'));
    assert.equal(record.profiles.work, undefined, 'dropped from the record');
    await writeFile(h.credentialsPath, theirs.replace('ASIAOTHERTOOLXXXQ7RZ', old.accessKeyId), 'latin1');
    assert.deepEqual(await h.engine.sessions.writeKept(), []);
    assert.equal((await file.readSession('work'))?.accessKeyId, old.accessKeyId, 'the section keeps the old session: the kept one never goes in');
  });

  test("forgetting while a kept session waits: MFA Tray's own older session in the file goes too (it is not another tool's)", { skip: noMount }, async (t) => {
    // Seen in review: "ours" was only the kept session and the keychain's copy, both the new one, so
    // the old session MFA Tray itself wrote stayed in [work] and was called another tool's.
    const { h, old, file } = await keptThenRoom(t);
    assert.equal((await file.readSession('work'))?.accessKeyId, old.accessKeyId);
    assert.deepEqual(await h.engine.forgetSession('work'), { session: 'removed' });
    assert.equal(await file.readSession('work'), undefined);
  });

  test('a remove that begins while the kept session waits for the file lock: it is not written, the file keeps what it had', { skip: noMount }, async (t) => {
    const { h, old, file } = await keptThenRoom(t);
    // Another MFA Tray process holds the credentials file's lock: the write waits for it, past its checks.
    const release = await lockfile.lock(h.credentialsPath, { realpath: false, lockfilePath: `${h.credentialsPath}.lock` });
    t.after(() => release().catch(() => undefined));
    // Told when the write is asked for: its checks (profile, file, keychain) are behind it then.
    const credentials = h.engine.credentials;
    const writeSession = credentials.writeSession.bind(credentials);
    let asked!: () => void;
    const atTheLock = new Promise<void>((resolve) => (asked = resolve));
    let wrote: Promise<boolean> | undefined;
    credentials.writeSession = (...args) => {
      asked();
      wrote = writeSession(...args);
      return wrote;
    };
    const writing = h.engine.sessions.writeKept();
    await atTheLock;
    // Without --forget-session a remove takes no file lock: the record, the keychain, the settings.
    await h.engine.removeProfile('work');
    await release();
    assert.deepEqual(await writing, []);
    assert.equal(await wrote, false, 'declined under the lock (not failed: a failure would reject)');
    assert.equal((await file.readSession('work'))?.accessKeyId, old.accessKeyId, "the file holds what it had: not the removed profile's kept session");
  });

  test("another process writes the kept session: this one's failure shown for it ends, and the record says written", { skip: noMount }, async (t) => {
    const { h, kept, file } = await keptThenRoom(t);
    assert.equal(h.engine.sessions.state('work').kind, 'failed');
    const other = h.otherProcess();
    assert.deepEqual(await other.sessions.writeKept(), [{ profile: 'work', expiresAt: kept.expiresAt }]);
    assert.equal((await file.readSession('work'))?.accessKeyId, kept.accessKeyId);
    // This process wrote nothing; it sees the file hold the session its failure was about: news here too.
    assert.deepEqual(await h.engine.sessions.writeKept(), [{ profile: 'work', expiresAt: kept.expiresAt }]);
    assert.deepEqual(await h.engine.sessions.writeKept(), [], 'once');
    assert.deepEqual(h.engine.sessions.state('work'), { kind: 'valid', expiresAt: kept.expiresAt });
    const entry = JSON.parse(await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'written-sessions.json'), 'utf8')).profiles.work;
    assert.deepEqual([entry.accessKeyId, entry.unwritten], [kept.accessKeyId, undefined]);
  });

  test('config folder on a full disk: the refresh fails before any code is sent', { skip: noMount }, async (t) => {
    const h = await createHarness({ sts: loopback.sts });
    await mkdir(h.env.MFA_TRAY_CONFIG_DIR);
    const unmount = mountTmpfs(h.env.MFA_TRAY_CONFIG_DIR, 64);
    t.after(async () => {
      unmount();
      await h.close();
    });
    const user = await h.addUser('work');
    const settings = await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json'));
    await fillUp(h.env.MFA_TRAY_CONFIG_DIR);
    const sent = loopback.sts.count('GetSessionToken');

    const error = await rejection(h.engine.refresh('work', { code: loopback.sts.currentCode(user) }), 'settings-file');

    assert.match(error.message, /used MFA codes.*disk is full/);
    assert.equal(loopback.sts.count('GetSessionToken'), sent, 'no code was sent');
    assert.deepEqual(await readFile(join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json')), settings);
    await assert.rejects(readFile(h.credentialsPath), { code: 'ENOENT' });
  });

  test('a read-only credentials file: a clear error, the file and the cached session as they were', async (t) => {
    const h = await createHarness({ sts: loopback.sts });
    t.after(() => h.close());
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge(5000);
    const old = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await chmod(h.credentialsPath, 0o400);
    const before = await readFile(h.credentialsPath);
    const sent = loopback.sts.count('GetSessionToken');

    const error = await rejection(h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) }), 'credentials-file');

    assert.match(error.message, /read-only/);
    assert.deepEqual(await readFile(h.credentialsPath), before);
    assert.deepEqual(await h.engine.secrets.getSession('work'), old);
    t.diagnostic(
      `a refresh into a read-only file still spends a code: ${loopback.sts.count('GetSessionToken') - sent} GetSessionToken sent, its session discarded`,
    );
    assertNoCodeSentTwice();
  });
});
