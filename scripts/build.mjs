#!/usr/bin/env node
// The one build step: bundles the main process, the command, the preload and the renderer into
// app/dist/, the folder electron-builder packs. `electron` (provided by the runtime) and `keytar`
// (a native module, installed into app/node_modules by electron-builder) stay external.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'app', 'dist');
const external = ['electron', 'keytar'];

// Node's ESM has no `require`; bundled CommonJS dependencies (the AWS SDK) still call it for built-ins.
const esmRequireBanner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Entry points by output name; the ones whose source does not exist yet are skipped (and listed). */
const nodeEntries = {
  main: 'main/electron/main.ts',
  cli: 'main/cli/main.ts',
};
const preloadEntry = 'main/preload/preload.ts';

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const present = Object.fromEntries(Object.entries(nodeEntries).filter(([, src]) => existsSync(join(root, src))));
const skipped = Object.values(nodeEntries).filter((src) => !existsSync(join(root, src)));

if (Object.keys(present).length > 0) {
  // ESM with code splitting, so that the command loads the AWS SDK only when it talks to STS.
  await build({
    absWorkingDir: root,
    entryPoints: present,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    external,
    banner: { js: esmRequireBanner },
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

if (existsSync(join(root, preloadEntry))) {
  // A sandboxed preload must be a single CommonJS file.
  await build({
    absWorkingDir: root,
    entryPoints: { preload: preloadEntry },
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'chrome140',
    outExtension: { '.js': '.cjs' },
    external: ['electron'],
    logLevel: 'warning',
  });
} else {
  skipped.push(preloadEntry);
}

// The windows: every renderer/<window>.html with its renderer/<window>.ts, bundled for the browser.
const rendererDir = join(root, 'renderer');
const windows = existsSync(rendererDir)
  ? readdirSync(rendererDir)
      .filter((f) => f.endsWith('.html'))
      .map((f) => f.slice(0, -'.html'.length))
  : [];
if (windows.length > 0) {
  const rendererOut = join(outdir, 'renderer');
  mkdirSync(rendererOut, { recursive: true });
  const scripts = Object.fromEntries(windows.filter((w) => existsSync(join(rendererDir, `${w}.ts`))).map((w) => [w, `renderer/${w}.ts`]));
  await build({
    absWorkingDir: root,
    entryPoints: scripts,
    outdir: rendererOut,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome140',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const file of readdirSync(rendererDir).filter((f) => /\.(html|css|svg|png)$/.test(f))) {
    copyFileSync(join(rendererDir, file), join(rendererOut, file));
  }
  present.renderer = `renderer/{${windows.join(',')}}`;
}

console.log(`build: app/dist/ (${Object.keys(present).join(', ') || 'nothing'})${skipped.length ? `; not yet written: ${skipped.join(', ')}` : ''}`);
