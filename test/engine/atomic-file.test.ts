import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import lockfile from 'proper-lockfile';
import { isMfaTrayError, type ErrorCode } from '../../main/common/errors';
import { FileUpdates, updateFileAtomic, type Updater } from '../../main/engine/files/atomic-file';
import { CredentialsFile } from '../../main/engine/files/credentials-file';

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-atomic-'));
  t.after(async () => {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Another MFA Tray process holding the file's lock until the test ends (or `release()`). */
async function lockHeldElsewhere(t: TestContext, path: string): Promise<() => Promise<void>> {
  const release = await lockfile.lock(path, { realpath: false, lockfilePath: `${path}.lock` });
  t.after(() => release().catch(() => undefined));
  return release;
}

/** An updater that appends a line. */
const append =
  (line: string): Updater =>
  (current) =>
    Buffer.concat([current ?? Buffer.alloc(0), Buffer.from(`${line}\n`)]);

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode) {
  const error = await promise.then(
    () => assert.fail(`expected an error with code ${code}`),
    (e: unknown) => e,
  );
  assert.ok(isMfaTrayError(error, code), `expected ${code}, got ${String(error)}`);
  return error;
}

describe('updateFileAtomic', () => {
  test('replaces the content with what the update returns', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');

    assert.equal(await updateFileAtomic(path, append('b')), true);

    assert.equal(await readFile(path, 'utf8'), 'a\nb\n');
  });

  test('leaves the file alone (same inode) when the update returns undefined or the same bytes', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    const before = await stat(path);

    assert.equal(await updateFileAtomic(path, () => undefined), false);
    assert.equal(await updateFileAtomic(path, (current) => current), false);

    assert.equal((await stat(path)).ino, before.ino);
  });

  test('creates a missing file (0600) and its missing folders (0700)', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'home', '.aws', 'credentials');

    await updateFileAtomic(path, append('a'));

    assert.equal(await readFile(path, 'utf8'), 'a\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'home'))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, 'home', '.aws'))).mode & 0o777, 0o700);
  });

  test('creates no folder when there is nothing to write', async (t) => {
    const dir = await scratch(t);

    assert.equal(await updateFileAtomic(join(dir, 'absent', 'credentials'), () => undefined), false);

    assert.deepEqual(await readdir(dir), []);
  });

  test('creates no folder when the update throws', async (t) => {
    const dir = await scratch(t);

    await assert.rejects(
      updateFileAtomic(join(dir, 'absent', 'credentials'), () => {
        throw new Error('bad input');
      }),
      /bad input/,
    );

    assert.deepEqual(await readdir(dir), []);
  });

  test('keeps the mode of an existing file', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await chmod(path, 0o640);

    await updateFileAtomic(path, append('b'));

    assert.equal((await stat(path)).mode & 0o7777, 0o640);
  });

  test('keeps the owner of an existing file when allowed to (root here)', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await chown(path, 12345, 23456);

    await updateFileAtomic(path, append('b'));

    const info = await stat(path);
    assert.deepEqual([info.uid, info.gid], [12345, 23456]);
  });

  test('writes through a symlink to its target, and the link stays a link', async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, 'dotfiles'));
    const real = join(dir, 'dotfiles', 'credentials');
    await writeFile(real, 'a\n');
    await chmod(real, 0o640);
    const link = join(dir, 'credentials');
    await symlink('dotfiles/credentials', link);

    await updateFileAtomic(link, append('b'));

    assert.ok((await lstat(link)).isSymbolicLink());
    assert.equal(await readlink(link), 'dotfiles/credentials');
    assert.equal(await readFile(real, 'utf8'), 'a\nb\n');
    assert.equal((await stat(real)).mode & 0o777, 0o640);
    assert.deepEqual((await readdir(dir)).sort(), ['credentials', 'dotfiles']);
    assert.deepEqual(await readdir(join(dir, 'dotfiles')), ['credentials']);
  });

  test('follows a chain of symlinks to its file', async (t) => {
    const dir = await scratch(t);
    const real = join(dir, 'real');
    await writeFile(real, 'a\n');
    await symlink(real, join(dir, 'second'));
    await symlink(join(dir, 'second'), join(dir, 'first'));

    await updateFileAtomic(join(dir, 'first'), append('b'));

    assert.ok((await lstat(join(dir, 'first'))).isSymbolicLink());
    assert.ok((await lstat(join(dir, 'second'))).isSymbolicLink());
    assert.equal(await readFile(real, 'utf8'), 'a\nb\n');
  });

  test('a link in a linked folder is followed as the system follows it: `..` from the folder the link is really in', async (t) => {
    // Seen in review: `../vault/credentials` taken from ~/.aws by its text, a new file made in ~/vault,
    // and the real one (which the AWS CLI reads) left as it was.
    const dir = await scratch(t);
    await mkdir(join(dir, 'home'));
    await mkdir(join(dir, 'dotfiles', 'aws'), { recursive: true });
    await mkdir(join(dir, 'dotfiles', 'vault'));
    await writeFile(join(dir, 'dotfiles', 'vault', 'credentials'), 'a\n');
    await symlink('../dotfiles/aws', join(dir, 'home', '.aws'));
    await symlink('../vault/credentials', join(dir, 'dotfiles', 'aws', 'credentials'));

    await updateFileAtomic(join(dir, 'home', '.aws', 'credentials'), append('b'));

    assert.equal(await readFile(join(dir, 'dotfiles', 'vault', 'credentials'), 'utf8'), 'a\nb\n');
    assert.deepEqual(await readdir(join(dir, 'home')), ['.aws']);
  });

  test('`..` after a linked folder, in the path given or in a link, is taken from where that folder really is', async (t) => {
    // `shelf` is a link to `dotfiles/aws`: the system takes `shelf/..` as `dotfiles`, which is
    // where botocore reads; by text it is the scratch folder itself, where no AWS tool looks.
    const dir = await scratch(t);
    await mkdir(join(dir, 'dotfiles', 'aws'), { recursive: true });
    await writeFile(join(dir, 'dotfiles', 'credentials'), 'a\n');
    await symlink(join(dir, 'dotfiles', 'aws'), join(dir, 'shelf'));

    await updateFileAtomic(`${dir}/shelf/../credentials`, append('b'));
    assert.equal(await readFile(join(dir, 'dotfiles', 'credentials'), 'utf8'), 'a\nb\n');

    // The same `..` in a link's own text: `home/credentials` → `../shelf/../credentials`.
    await mkdir(join(dir, 'home'));
    await symlink('../shelf/../credentials', join(dir, 'home', 'credentials'));
    await updateFileAtomic(join(dir, 'home', 'credentials'), append('c'));
    assert.equal(await readFile(join(dir, 'dotfiles', 'credentials'), 'utf8'), 'a\nb\nc\n');
    assert.deepEqual((await readdir(dir)).sort(), ['dotfiles', 'home', 'shelf'], 'no file made where the text alone leads');
  });

  test('a folder on the path that is a link to nothing: refused by name, nothing made where it leads', async (t) => {
    // Seen in review: ~/.aws a link into a vault not mounted; the refresh's check passed and the code was spent.
    const dir = await scratch(t);
    const mountPoint = join(dir, 'vault');
    await mkdir(mountPoint);
    await symlink(join(mountPoint, 'aws'), join(dir, '.aws'));
    const path = join(dir, '.aws', 'credentials');

    const error = await rejectsWith(updateFileAtomic(path, append('a'), { description: 'credentials file' }), 'credentials-file');

    assert.equal(
      error.message,
      `The folder ${join(dir, '.aws')} of the credentials file ${path} is a link to ${join(mountPoint, 'aws')}, which does not exist; nothing was changed. Mount or restore ${join(mountPoint, 'aws')}, or replace the link with a folder.`,
    );
    assert.deepEqual(await readdir(mountPoint), []);
    const credentials = new CredentialsFile({ path });
    await assert.rejects(
      credentials.assertWritable('dev'),
      (e: unknown) => isMfaTrayError(e, 'credentials-file') && /of the credentials file .* is a link to .*no code was sent/.test(e.message),
    );
    assert.deepEqual(await readdir(mountPoint), []);
  });

  test('a file that ends without a newline, written by this process a moment ago, is not waited on as if another program were writing it', async (t) => {
    // Seen in review: each write of `refresh --all` waited 250 ms on the one before it (5 ms before).
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(path, aMinuteAgo, aMinuteAgo);
    const addX = (current: Buffer | undefined): Buffer => Buffer.concat([current ?? Buffer.alloc(0), Buffer.from('x')]);

    const began = performance.now();
    for (let n = 0; n < 20; n += 1) await updateFileAtomic(path, addX);
    const took = performance.now() - began;

    assert.equal(await readFile(path, 'utf8'), `a${'x'.repeat(20)}`);
    // Waiting on our own writes would take 20 × 250 ms; each write takes a few ms.
    assert.ok(took < 2_500, `20 writes took ${Math.round(took)} ms`);
  });

  test("a file that ends without a newline, with a time ahead of this computer's clock: waited on briefly, not for the longest wait twice", async (t) => {
    // Seen in review: 4.2 s for one write (a shared folder, a VM whose clock is behind); 5 ms before the wait for torn reads.
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a');
    const anHourAhead = new Date(Date.now() + 3_600_000);
    await utimes(path, anHourAhead, anHourAhead);

    const began = performance.now();
    await updateFileAtomic(path, append('b'));
    const took = performance.now() - began;

    assert.equal(await readFile(path, 'utf8'), 'ab\n');
    // Unchanged for 250 ms on this process's clock, before the edit and before the rename: ~0.5 s.
    assert.ok(took < 3_000, `one write took ${Math.round(took)} ms`);
  });

  test('a link (or chain) to a file that does not exist: refused by name, nothing made where it leads', async (t) => {
    // Seen on landed main: the file, and its folders, were made where the link led. For a link into
    // a volume that is not mounted (here: an empty mount point), that is the plain disk beneath it.
    const dir = await scratch(t);
    const mountPoint = join(dir, 'vault');
    await mkdir(mountPoint);
    const target = join(mountPoint, 'aws', 'credentials');
    await symlink(target, join(dir, 'second'));
    await symlink(join(dir, 'second'), join(dir, 'first'));

    for (const path of [join(dir, 'first'), join(dir, 'second')]) {
      const error = await rejectsWith(updateFileAtomic(path, append('a'), { description: 'credentials file' }), 'credentials-file');
      assert.equal(
        error.message,
        `The credentials file ${path} is a link to ${target}, which does not exist; nothing was changed. Mount or restore ${target} (or create it, if it should be new), or replace the link with a file.`,
      );
    }
    // Nor one that would have nothing to write here: what it removes may be in the file the link leads to.
    await rejectsWith(
      updateFileAtomic(join(dir, 'first'), () => undefined),
      'credentials-file',
    );

    assert.deepEqual(await readdir(mountPoint), []);
    assert.deepEqual((await readdir(dir)).sort(), ['first', 'second', 'vault']);
    assert.equal(await readlink(join(dir, 'first')), join(dir, 'second'));
  });

  test('refuses a read-only file and leaves it as it was', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await chmod(path, 0o400);

    const error = await rejectsWith(updateFileAtomic(path, append('b')), 'credentials-file');

    assert.match(error.message, /read-only/);
    assert.equal(await readFile(path, 'utf8'), 'a\n');
    assert.equal((await stat(path)).mode & 0o777, 0o400);
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('does not complain about a read-only file when there is nothing to change', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await chmod(path, 0o400);

    assert.equal(await updateFileAtomic(path, () => undefined), false);
  });

  test("re-applies the update to another program's change made between the read and the rename", async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    const seen: string[] = [];

    await updateFileAtomic(
      path,
      (current) => {
        seen.push(current?.toString() ?? '');
        return append('ours')(current);
      },
      { beforeRename: (attempt) => (attempt === 0 ? writeFile(path, 'a\ntheirs\n') : undefined) },
    );

    assert.deepEqual(seen, ['a\n', 'a\ntheirs\n']);
    assert.equal(await readFile(path, 'utf8'), 'a\ntheirs\nours\n');
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test("re-applies the update to another program's change written in place into the file as the rename replaced it", async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    const seen: string[] = [];

    const wrote = await updateFileAtomic(
      path,
      (current) => {
        seen.push(current?.toString() ?? '');
        return append('ours')(current);
      },
      // writeFile truncates the file and writes into it, as `aws configure set` does.
      { afterLastLook: (attempt) => (attempt === 0 ? writeFile(path, 'a\ntheirs\n') : undefined) },
    );

    assert.equal(wrote, true);
    assert.deepEqual(seen, ['a\n', 'a\ntheirs\n']);
    assert.equal(await readFile(path, 'utf8'), 'a\ntheirs\nours\n');
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('puts back what another program wrote into the replaced file when the update, applied to it, has nothing to change', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');

    // Ours is added unless "ours" is there already, as in theirs.
    const addOurs = (current: Buffer | undefined) => (current?.toString().includes('ours') ? undefined : append('ours')(current));
    await updateFileAtomic(path, addOurs, { afterLastLook: (attempt) => (attempt === 0 ? writeFile(path, 'a\nours from them\n') : undefined) });

    assert.equal(await readFile(path, 'utf8'), 'a\nours from them\n');
  });

  test('a file rewritten in place with the same content as we replaced it is not written again', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    let calls = 0;

    await updateFileAtomic(
      path,
      (current) => {
        calls += 1;
        return append('ours')(current);
      },
      { afterLastLook: (attempt) => (attempt === 0 ? writeFile(path, 'a\n') : undefined) },
    );

    assert.equal(calls, 1);
    assert.equal(await readFile(path, 'utf8'), 'a\nours\n');
  });

  test('notices a file another program created between the read and the rename', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');

    await updateFileAtomic(path, append('ours'), { beforeRename: (attempt) => (attempt === 0 ? writeFile(path, 'theirs\n') : undefined) });

    assert.equal(await readFile(path, 'utf8'), 'theirs\nours\n');
  });

  test('gives up, retryably, when another program keeps changing the file, leaving their version', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');

    const error = await rejectsWith(
      updateFileAtomic(path, append('ours'), { beforeRename: (attempt) => writeFile(path, `theirs ${attempt}\n`) }),
      'credentials-file',
    );

    assert.equal(error.retryable, true);
    assert.match(await readFile(path, 'utf8'), /^theirs \d+\n$/);
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('leaves the file as it was, and no temp or lock file, when the update throws', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');

    await assert.rejects(
      updateFileAtomic(path, () => {
        throw new Error('refused');
      }),
      /refused/,
    );

    assert.equal(await readFile(path, 'utf8'), 'a\n');
    assert.deepEqual(await readdir(dir), ['credentials']);
    assert.equal(await updateFileAtomic(path, append('b'), { lockTimeoutMs: 500 }), true, 'the lock was released');
  });

  test('serialises parallel updates: none is lost', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');

    await Promise.all(Array.from({ length: 25 }, (_, i) => updateFileAtomic(path, append(`line ${i}`))));

    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').sort();
    assert.deepEqual(lines, Array.from({ length: 25 }, (_, i) => `line ${i}`).sort());
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('waits for another holder of the lock, then gives up with lock-timeout', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await lockHeldElsewhere(t, path);

    const started = Date.now();
    const error = await rejectsWith(updateFileAtomic(path, append('b'), { lockTimeoutMs: 300 }), 'lock-timeout');

    assert.ok(Date.now() - started >= 300);
    assert.equal(error.retryable, true);
    // Seen in review: "for over 0 s".
    assert.match(error.message, /has been updating the file \S+ for over 300 ms; try again/);
    assert.equal(await readFile(path, 'utf8'), 'a\n');
  });

  test('takes over the lock of a holder that crashed (no heartbeat for 10 s)', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await mkdir(`${path}.lock`);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, longAgo, longAgo);

    await updateFileAtomic(path, append('b'), { lockTimeoutMs: 1_000 });

    assert.equal(await readFile(path, 'utf8'), 'a\nb\n');
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('refuses to rename, without crashing, after losing the lock (its folder removed under it)', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');

    const error = await rejectsWith(
      updateFileAtomic(path, append('b'), {
        beforeRename: async () => {
          await rm(`${path}.lock`, { recursive: true });
          // The lock's heartbeat runs every 2 s: let it notice.
          await new Promise((r) => setTimeout(r, 2_300));
        },
      }),
      'credentials-file',
    );

    assert.match(error.message, /Lost the lock/);
    assert.equal(await readFile(path, 'utf8'), 'a\n');
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('says in plain words when the path is a folder, changing nothing', async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, 'credentials'));

    const error = await rejectsWith(updateFileAtomic(join(dir, 'credentials'), append('a'), { description: 'credentials file' }), 'credentials-file');

    assert.match(error.message, /Cannot read the credentials file .*: it is a folder, not a regular file\. Nothing was changed\./);
  });

  test('reports failures with the code it is given', async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, 'settings.json'));
    await rejectsWith(updateFileAtomic(join(dir, 'settings.json'), append('a'), { errorCode: 'settings-file' }), 'settings-file');
  });
});

describe('FileUpdates', () => {
  test('writes updates asked for at once together, in the order asked, each on what the one before left', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    let writes = 0;
    const updates = new FileUpdates({ beforeRename: () => void (writes += 1) });

    const changed = await Promise.all(Array.from({ length: 8 }, (_, i) => updates.update(path, append(`line ${i}`))));

    assert.deepEqual(changed, Array(8).fill(true));
    assert.equal(await readFile(path, 'utf8'), `a\n${Array.from({ length: 8 }, (_, i) => `line ${i}\n`).join('')}`);
    // The first alone (nothing waited yet), then the seven that came while it was written.
    assert.equal(writes, 2);
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('fails an update that throws alone, and writes the others', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    const updates = new FileUpdates({});
    const refused = new Error('refused');

    const [first, second, third, fourth] = await Promise.allSettled([
      updates.update(path, append('b')),
      updates.update(path, append('c')),
      updates.update(path, () => {
        throw refused;
      }),
      updates.update(path, (current) => current),
    ]);

    assert.deepEqual(
      [first, second, fourth],
      [
        { status: 'fulfilled', value: true },
        { status: 'fulfilled', value: true },
        { status: 'fulfilled', value: false },
      ],
    );
    assert.deepEqual(third, { status: 'rejected', reason: refused });
    assert.equal(await readFile(path, 'utf8'), 'a\nb\nc\n');
  });

  test('fails every update of a write that fails, and leaves the file as it was', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    const release = await lockHeldElsewhere(t, path);
    const updates = new FileUpdates({ lockTimeoutMs: 300 });

    const results = await Promise.allSettled([updates.update(path, append('b')), updates.update(path, append('c')), updates.update(path, append('d'))]);

    for (const result of results) assert.ok(result.status === 'rejected' && isMfaTrayError(result.reason, 'lock-timeout'), JSON.stringify(result));
    assert.equal(await readFile(path, 'utf8'), 'a\n');
    // And the next update, once the lock is free, is written.
    await release();
    assert.equal(await updates.update(path, append('e')), true);
    assert.equal(await readFile(path, 'utf8'), 'a\ne\n');
  });

  test('tries the updates of a failed write again alone: one that changes nothing does not fail on a read-only file', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await chmod(path, 0o400);
    const updates = new FileUpdates({});

    // The first is written alone; the next two wait for it, and are written together.
    const [first, unchanged, changing] = await Promise.allSettled([
      updates.update(path, append('b')),
      updates.update(path, () => undefined),
      updates.update(path, append('c')),
    ]);

    assert.ok(first.status === 'rejected' && isMfaTrayError(first.reason, 'credentials-file'), JSON.stringify(first));
    assert.deepEqual(unchanged, { status: 'fulfilled', value: false });
    assert.ok(changing.status === 'rejected' && /read-only/.test(String(changing.reason)), JSON.stringify(changing));
    assert.equal(await readFile(path, 'utf8'), 'a\n');
  });

  test('counts the lock timeout from when an update was asked for, not from when its write began', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    await lockHeldElsewhere(t, path);
    const updates = new FileUpdates({ lockTimeoutMs: 1000 });
    const started = Date.now();

    // The second waits behind the first, which waits for the other holder's lock.
    const results = await Promise.allSettled([updates.update(path, append('b')), updates.update(path, append('c'))]);

    for (const result of results) assert.ok(result.status === 'rejected' && isMfaTrayError(result.reason, 'lock-timeout'), JSON.stringify(result));
    const waited = Date.now() - started;
    assert.ok(waited >= 1000 && waited < 1800, `waited ${waited} ms for a 1,000 ms timeout`);
  });

  test('re-applies every update of a batch to what another program wrote meanwhile', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'a\n');
    let renames = 0;
    const updates = new FileUpdates({
      // The other program rewrites the file once, just before the second write's rename.
      beforeRename: async () => {
        renames += 1;
        if (renames === 2) await writeFile(path, 'theirs\n');
      },
    });

    // b alone, then c and d together (they came while b was written): the batch meets their write.
    await Promise.all([updates.update(path, append('b')), updates.update(path, append('c')), updates.update(path, append('d'))]);

    assert.equal(await readFile(path, 'utf8'), 'theirs\nc\nd\n');
    assert.equal(renames, 3, 'b; c and d; c and d again on their content');
  });

  test('keeps the files of different paths apart', async (t) => {
    const dir = await scratch(t);
    const updates = new FileUpdates({});

    await Promise.all([
      updates.update(join(dir, 'one'), append('1')),
      updates.update(join(dir, 'two'), append('2')),
      updates.update(join(dir, 'one'), append('3')),
    ]);

    assert.equal(await readFile(join(dir, 'one'), 'utf8'), '1\n3\n');
    assert.equal(await readFile(join(dir, 'two'), 'utf8'), '2\n');
  });
});

describe('the temp file', () => {
  test('one that another program made at its name just before is refused (O_EXCL) and left alone, with the target', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'credentials');
    await writeFile(path, 'old\n');
    // The name's random part made known, and the other program's file made at that moment.
    const value = 0.5;
    const theirs = join(
      dir,
      `.credentials.${process.pid}.${Math.floor(value * 2 ** 48)
        .toString(16)
        .padStart(12, '0')}.tmp`,
    );
    const random = Math.random;
    t.after(() => {
      Math.random = random;
    });
    Math.random = () => {
      Math.random = random;
      writeFileSync(theirs, 'theirs');
      return value;
    };
    await rejectsWith(updateFileAtomic(path, append('new')), 'credentials-file');
    assert.equal(await readFile(theirs, 'utf8'), 'theirs');
    assert.equal(await readFile(path, 'utf8'), 'old\n');
  });
});
