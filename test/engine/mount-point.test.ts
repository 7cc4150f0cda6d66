/**
 * A file mounted alone (engine/files/mount-point.ts): read from the kernel's table of mounts, whose
 * mount points escape spaces and the like in octal. (A real bind-mounted credentials file:
 * test/faults/disk.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isMountPoint, mountPoints } from '../../main/engine/files/mount-point';

describe('mount points', () => {
  test("the table's fifth field, unescaped", () => {
    const table =
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n' +
      '80 22 254:0 /home/me/.aws/credentials /root/.aws/credentials rw,relatime - ext4 /dev/vda rw\n' +
      '81 22 0:40 / /mnt/my\\040disk\\011tab rw - tmpfs tmpfs rw\n';
    assert.deepEqual([...mountPoints(table)], ['/', '/root/.aws/credentials', '/mnt/my disk\ttab']);
  });

  test('a plain file is none, the root of a mounted file system is one', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-mount-point-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'credentials'), '');
    assert.equal(await isMountPoint(join(dir, 'credentials')), false);
    // On Linux, read from the kernel's table; elsewhere no file is mounted alone, and /proc is none.
    if (process.platform === 'linux') assert.equal(await isMountPoint('/proc'), true);
  });
});
