/**
 * Whether a file is a mount point of its own: a file mounted alone (`docker run -v
 * ~/.aws/credentials:/root/.aws/credentials`, a bind mount), which a rename cannot replace (EBUSY),
 * so no atomic write can update it.
 *
 * On Linux from /proc/self/mountinfo, whose fifth field is each mount point (spaces and the like
 * escaped in octal, as `\040`): a file bind-mounted from the same file system has its folder's
 * device number, so comparing devices would miss it. Elsewhere, where a file is not mounted alone,
 * its device against its folder's. Written by hand: one field of one kernel file needs no library.
 */
import { dirname } from 'node:path';
import { fsCalls } from './fs-calls';
import { readRegularFile } from './regular-file';

/** Whether `path` (a real path: links resolved) is a mount point; false when that cannot be told. */
export async function isMountPoint(path: string): Promise<boolean> {
  if (process.platform === 'linux') {
    const table = await readRegularFile('/proc/self/mountinfo').catch(() => undefined);
    if (table !== undefined) return mountPoints(table.toString('utf8')).has(path);
  }
  const io = fsCalls();
  const [file, folder] = await Promise.all([io.stat(path).catch(() => undefined), io.stat(dirname(path)).catch(() => undefined)]);
  return file !== undefined && folder !== undefined && file.dev !== folder.dev;
}

/** The mount points of a mountinfo table (proc(5)). */
export function mountPoints(table: string): Set<string> {
  const points = new Set<string>();
  for (const line of table.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.add(field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
  }
  return points;
}
