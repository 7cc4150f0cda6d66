/**
 * Creating a folder and its missing parents: what `mkdir(path, { recursive: true })` does, made by
 * hand because Node's never returns where a folder cannot be made inside one that exists: under
 * /proc/self, mkdir answers ENOENT, and Node 20's recursive mkdir (sync and async alike) takes that
 * for a missing parent, makes the parent (it exists), and tries again, for ever. Here each missing
 * level is made once, top down, and its own error is thrown.
 */
import { dirname } from 'node:path';
import { isNotFound } from './file-errors';
import { fsCalls } from './fs-calls';
import { absoluteAsOpened } from './paths';

/**
 * Makes `path` and the folders above it that are missing, each with `mode` (less the umask). A
 * folder made meanwhile by someone else is fine (EEXIST); any other failure is the caller's, as
 * `mkdir` gives it (ENOENT where nothing can be made, EACCES, ENOTDIR, EROFS…).
 */
export async function makeFolders(path: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let current = absoluteAsOpened(path); ; current = dirname(current)) {
    try {
      await fsCalls().stat(current);
      break;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const folder of missing.reverse()) {
    try {
      await fsCalls().mkdir(folder, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
