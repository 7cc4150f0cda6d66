/**
 * Child processes for the fault tests: small entry points (test/support/fault-*-child.ts) bundled
 * with esbuild into one ESM file each, so that a child starts in a few tens of milliseconds (the
 * SIGKILL test restarts its writer hundreds of times; tsx would spend half a second per start).
 *
 * The bundles run the real engine code. keytar, a native module, stays outside the bundle and is
 * imported from this checkout's node_modules by its absolute path, so the bundles can live in a
 * temp folder.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The children there are: entry name → source file. */
const ENTRIES = {
  writer: 'test/support/fault-writer-child.ts',
  engine: 'test/support/fault-engine-child.ts',
} as const;

export type ChildName = keyof typeof ENTRIES;

// Node's ESM has no `require`; bundled CommonJS dependencies (the AWS SDK) still call it (as scripts/build.mjs).
const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

let built: Promise<{ readonly dir: string; readonly paths: Readonly<Record<ChildName, string>> }> | undefined;

/**
 * Bundles every child once per test process (about a second) into a temp folder that any user can
 * read (a read-only-folder test runs a child as `nobody`). @returns the bundle of `name`.
 */
export async function childBundle(name: ChildName): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-fault-children-'));
    chmodSync(dir, 0o755);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const keytar = createRequire(join(ROOT, 'package.json')).resolve('keytar');
    await build({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES,
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outExtension: { '.js': '.mjs' },
      banner: { js: REQUIRE_BANNER },
      logLevel: 'error',
      plugins: [
        {
          name: 'keytar-from-checkout',
          setup(b) {
            b.onResolve({ filter: /^keytar$/ }, () => ({ path: keytar, external: true }));
          },
        },
      ],
    });
    chmodSync(dir, 0o755);
    const paths = Object.fromEntries(Object.keys(ENTRIES).map((key) => [key, join(dir, `${key}.mjs`)])) as Record<ChildName, string>;
    return { dir, paths };
  })();
  return (await built).paths[name];
}

/** Starts a bundled child: `node <bundle> <args>`, optionally through `sh -c` (for `ulimit`). */
export async function spawnChild(
  name: ChildName,
  args: readonly string[],
  options: SpawnOptions & { readonly shellPrefix?: string } = {},
): Promise<ChildProcess> {
  const bundle = await childBundle(name);
  const { shellPrefix, ...spawnOptions } = options;
  if (shellPrefix !== undefined) {
    const quoted = [process.execPath, bundle, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    return spawn('sh', ['-c', `${shellPrefix} && exec ${quoted}`], { stdio: ['pipe', 'pipe', 'pipe'], ...spawnOptions });
  }
  return spawn(process.execPath, [bundle, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...spawnOptions });
}

/** Collects a child's output and waits for its end. */
export function collect(
  child: ChildProcess,
): Promise<{ readonly status: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
