/**
 * File system failures in the user's words: the errors come from real calls on real paths (a
 * missing folder, a name too long, a rename across file systems), and each message names what
 * happened, never a bare error code.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileError } from '../../main/engine/files/file-errors';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-file-errors-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The error a real call throws. */
async function failureOf(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call did not fail');
}

describe('fileError', () => {
  test('a missing file or folder is said in words', async () => {
    const error = await failureOf(() => readFile(join(dir, 'no-such-folder', 'credentials')));
    const message = fileError('credentials-file', 'Cannot read the credentials file', error).message;
    assert.equal(message, 'Cannot read the credentials file: it, or a folder on its path, does not exist. Nothing was changed.');
  });

  test('a name too long is said in words', async () => {
    const error = await failureOf(() => writeFile(join(dir, 'x'.repeat(300)), ''));
    assert.match(fileError('credentials-file', 'Cannot write', error).message, /^Cannot write: a name in the path is too long\. Nothing was changed\.$/);
  });

  test("an error without words of its own keeps the system's words, not just its code", async () => {
    // /proc is another file system: a rename onto it fails with EXDEV (or EACCES/EPERM as non-root).
    await writeFile(join(dir, 'file'), '');
    const error = await failureOf(() => rename(join(dir, 'file'), '/proc/mfa-tray-test'));
    const message = fileError('credentials-file', 'Cannot move', error).message;
    assert.doesNotMatch(message, /: E[A-Z]+\. Nothing/, message);
    assert.match(message, /^Cannot move: [a-z].* Nothing was changed\.$/);
  });

  test("Node's own codes for a file too large to read are said in words", () => {
    const tooLong = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
    const tooLarge = Object.assign(new RangeError('File size (3000000000) is greater than 2 GiB'), { code: 'ERR_FS_FILE_TOO_LARGE' });
    for (const error of [tooLong, tooLarge]) {
      assert.equal(
        fileError('settings-file', 'Cannot read the settings file', error).message,
        'Cannot read the settings file: the file is too large to read. Nothing was changed.',
      );
    }
  });
});
