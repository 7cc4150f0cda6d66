/**
 * makeFolders (main/engine/files/make-folders.ts): what `mkdir -p` does, but bounded where Node's
 * own recursive mkdir never returns (a folder under /proc/self). Real folders in a temp dir.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeFolders } from '../../main/engine/files/make-folders';

const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-make-folders-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('makeFolders', () => {
  test('makes the missing folders of a path, each with the mode asked, and leaves existing ones as they are', async () => {
    mkdirSync(join(dir, 'there'), { mode: 0o755 });
    await makeFolders(join(dir, 'there', 'a', 'b', 'c'), 0o700);
    for (const folder of ['a', 'a/b', 'a/b/c']) assert.equal(statSync(join(dir, 'there', folder)).mode & 0o777, 0o700, folder);
    assert.equal(statSync(join(dir, 'there')).mode & 0o777, 0o755);
    await makeFolders(join(dir, 'there', 'a', 'b', 'c'), 0o700); // all there: nothing to do
  });

  test('many at once on the same path: each ends well (a folder made meanwhile is no error)', async () => {
    await Promise.all(Array.from({ length: 8 }, () => makeFolders(join(dir, 'race', 'x', 'y'), 0o700)));
    assert.ok(statSync(join(dir, 'race', 'x', 'y')).isDirectory());
  });

  test("fails at once with mkdir's own error where a folder cannot be made, and on a file in the path", async () => {
    const started = Date.now();
    await assert.rejects(makeFolders('/proc/self/mfa-tray-test/inner', 0o700), { code: 'ENOENT' });
    assert.ok(Date.now() - started < 2_000, 'bounded');
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(makeFolders(join(dir, 'file', 'below'), 0o700), { code: 'ENOTDIR' });
  });

  test('`..` after a linked folder goes up from where that folder really is, as `mkdir -p` does', async () => {
    mkdirSync(join(dir, 'dotfiles', 'aws'), { recursive: true });
    symlinkSync(join(dir, 'dotfiles', 'aws'), join(dir, 'shelf'));
    await makeFolders(`${dir}/shelf/../made/inner`, 0o700);
    assert.ok(statSync(join(dir, 'dotfiles', 'made', 'inner')).isDirectory());
    assert.equal(existsSync(join(dir, 'made')), false, 'nothing made where the text alone leads');
  });
});
