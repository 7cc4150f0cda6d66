/**
 * Small file systems for the fault tests: a tmpfs of a given size (a disk that fills up), remounted
 * read-only when asked. Needs root and a kernel that lets this process mount (true in the CI
 * container); {@link canMount} says whether it can, so that tests skip with the reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let probed: string | undefined | null = null;

/** `undefined` when tmpfs can be mounted here, else why not. */
export function whyNoMount(): string | undefined {
  if (probed !== null) return probed;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    probed = 'needs root on Linux to mount a small tmpfs';
    return probed;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-mount-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status === 0) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  probed = mounted.status === 0 ? undefined : `cannot mount tmpfs here: ${(mounted.stderr || mounted.error?.message || 'unknown').trim()}`;
  return probed;
}

/** Mounts a tmpfs of `sizeKb` on the (existing, empty) folder `dir`. @returns the unmount function. */
export function mountTmpfs(dir: string, sizeKb: number): () => void {
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount tmpfs on ${dir} failed: ${result.stderr}`);
  return () => {
    // Lazily, so that a file a failed test left open does not keep the mount.
    spawnSync('umount', ['-l', dir]);
  };
}

/** Mounts the file `source` on the (existing) file `target`, as `docker run -v` does. @returns the unmount function. */
export function bindMount(source: string, target: string): () => void {
  const result = spawnSync('mount', ['--bind', source, target], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mount --bind ${source} ${target} failed: ${result.stderr}`);
  return () => {
    spawnSync('umount', ['-l', target]);
  };
}

/** Remounts the tmpfs on `dir` read-only. */
export function remountReadOnly(dir: string): void {
  const result = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`remount ro ${dir} failed: ${result.stderr}`);
}

/** Fills the file system holding `dir` with a filler file until it is full. @returns the filler's path. */
export async function fillUp(dir: string): Promise<string> {
  const filler = join(dir, 'filler');
  const handle = await open(filler, 'w');
  const chunk = Buffer.alloc(4096, 0x61);
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
  return filler;
}
