#!/usr/bin/env node
// The one build step: bundles the main process, the command, the preload and the renderer into
// app/dist/, the folder electron-builder packs. `electron` (provided by the runtime) and `keytar`
// (a native module) stay external: keytar's runtime files alone (its small loader and the .node
// binary, N-API, so one build serves Node and Electron alike) are copied to app/dist/native/keytar/,
// and the bundles import it as `#keytar`, which app/package.json's "imports" maps there (Node's own
// resolution, from every bundle and chunk alike); its install-time dependencies (prebuild-install
// and its tree, ~12 MB) never reach the package.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandBundleOptions, engineLoadPlugins, noDbusIntrospection, noListingInFastPath } from './bundle-plugins.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'app', 'dist');
const external = ['electron', '#keytar'];
/** keytar's loader in app/dist/ (copied below), as app/package.json's "imports" maps `#keytar`. */
const KEYTAR_RUNTIME = './native/keytar/lib/keytar.js';

/** `keytar` in the sources is the app's own copy of its runtime (see above). */
const keytarAsPackageImport = {
  name: 'keytar-as-package-import',
  setup(build) {
    build.onResolve({ filter: /^keytar$/ }, () => ({ path: '#keytar', external: true }));
  },
};

/**
 * In the CommonJS bundle, `keytar` is a module of the bundle that requires the copy in app/dist/native/
 * by its path: esbuild keeps a dynamic import() of an external module as it is, which would start
 * Node's ES module loader after all (of a module of the bundle it makes a plain require), and
 * resolving `#keytar` loads that loader's resolver too (~2 ms on credential-process's cached path).
 * The path is the one app/package.json maps `#keytar` to.
 */
const keytarRequired = {
  name: 'keytar-required',
  setup(build) {
    build.onResolve({ filter: /^keytar$/ }, () => ({ path: 'keytar', namespace: 'keytar-required' }));
    build.onLoad({ filter: /.*/, namespace: 'keytar-required' }, () => ({
      contents: `module.exports = require(require('node:path').join(__dirname, ${JSON.stringify(KEYTAR_RUNTIME)}));`,
      loader: 'js',
    }));
  },
};

// Node's ESM has no `require`; bundled CommonJS dependencies (the AWS SDK) still call it for built-ins.
const esmRequireBanner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** Entry points by output name; the ones whose source does not exist yet are skipped (and listed). */
const nodeEntries = {
  main: 'main/electron/main.ts',
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
    plugins: [keytarAsPackageImport, ...engineLoadPlugins],
    banner: { js: esmRequireBanner },
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'warning',
  });
}

/** What the command's CommonJS bundles for Node share. */
const nodeCommonJs = {
  absWorkingDir: root,
  outdir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
};

// The command for bin/mfa-tray.js (main/cli/main.ts): one CommonJS file, loaded by
// app/dist/cli-loader.cjs with V8's code cache (main/engine/files/code-cache.ts); see
// commandBundleOptions. The tray app's own command mode runs main.mjs instead.
await build({
  ...nodeCommonJs,
  ...commandBundleOptions,
  entryPoints: { cli: 'main/cli/main.ts' },
  external,
  plugins: [...commandBundleOptions.plugins, keytarRequired],
});

// The AWS helper of `watch` and the tray app on Linux (main/engine/aws/aws-helper.ts): the gateway and
// the AWS SDK in one CommonJS file, built as the command is (minified, without the SDK's default
// credential chain), so that a utility process can run it too.
await build({
  ...nodeCommonJs,
  ...commandBundleOptions,
  entryPoints: { 'aws-helper': 'main/engine/aws/aws-helper-main.ts' },
  external,
});

// The command's fast path for bin/mfa-tray.js (main/cli/fast-entry.ts): one CommonJS file, so that
// `credential-process` with a cached session never starts Node's ES module loader. (Measured: as two
// files, the keychain read started before the settings reader and zod were compiled, it was ~6%
// slower: both files carry the modules they share, and the second is one more file to load.)
// The loader of cli.cjs (main/engine/files/code-cache.ts) is a small file of its own beside it.
await build({
  ...nodeCommonJs,
  entryPoints: {
    'cli-fast': 'main/cli/fast-entry.ts',
    'cli-loader': 'main/engine/files/code-cache.ts',
  },
  // The settings file's writer locks with proper-lockfile; this path only reads, and a CommonJS
  // bundle cannot leave a module in a chunk of its own, so the package stays outside.
  external: [...external, 'proper-lockfile'],
  plugins: [keytarRequired, noListingInFastPath],
});

// The keychain helper of `watch` and the tray app on Linux (main/engine/keychain/keychain-helper.ts):
// keytar's calls, and the Secret Service listing with its D-Bus client.
await build({
  ...nodeCommonJs,
  entryPoints: { 'keychain-helper': 'main/engine/keychain/keychain-helper-main.ts' },
  // Read afresh by every helper started (no code cache): half the text minified.
  minify: true,
  keepNames: true,
  external,
  plugins: [keytarRequired, noDbusIntrospection],
});

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

console.log(`build: app/dist/ (${['cli', ...Object.keys(present)].join(', ')})${skipped.length ? `; not yet written: ${skipped.join(', ')}` : ''}`);

// keytar's runtime: package.json (for `main`), lib/keytar.js (which requires only the binary), the
// binary, and the licence. Nothing else of node_modules goes into the app.
const keytarDir = join(root, 'node_modules', 'keytar');
const keytarOut = join(outdir, 'native', 'keytar');
for (const file of ['package.json', 'LICENSE.md', 'lib/keytar.js', 'build/Release/keytar.node']) {
  mkdirSync(join(keytarOut, file, '..'), { recursive: true });
  copyFileSync(join(keytarDir, file), join(keytarOut, file));
}
