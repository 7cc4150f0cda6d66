#!/usr/bin/env node
// The command `mfa-tray`: a launcher for the bundled command in app/dist/ (built by `npm run build`,
// which `npm install` runs too).
//
// CommonJS (bin/package.json), like app/dist/cli-fast.cjs, which it tries first: `credential-process`
// runs before every AWS command, and with a fresh cached session it is answered there without
// loading the rest (main/cli/cached-session.ts). Everything else is app/dist/cli.cjs, which takes
// over what the fast path found, loaded by app/dist/cli-loader.cjs with V8's code cache
// (main/engine/files/code-cache.ts).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// Node's own compile cache (Node 22.1+, `module.enableCompileCache`) is not turned on here: its
// default folder is in the OS's temp folder (on Linux /tmp, which every user shares), and Node never
// asks who wrote a cache there, which is code this process would run (~3 ms of the fast path's
// compiling on Node 22). A user who sets NODE_COMPILE_CACHE chooses a folder, and Node uses it.
// cli.cjs keeps its own cache, in the config folder and checked (main/engine/files/code-cache.ts).

const dist = join(__dirname, '..', 'app', 'dist');
const argv = process.argv.slice(2);

const missing = ['cli.cjs', 'cli-fast.cjs', 'cli-loader.cjs', 'keychain-helper.cjs', 'aws-helper.cjs'].find((name) => !existsSync(join(dist, name)));
if (missing !== undefined) {
  console.error(`mfa-tray: the command is not built yet (app/dist/${missing} is missing); run: npm run build`);
  process.exitCode = 1;
} else {
  // Only credential-process has a fast path (cli-fast.cjs decides when it applies).
  (argv[0] === 'credential-process' ? require(join(dist, 'cli-fast.cjs')).tryFastPath(argv) : Promise.resolve({ served: false }))
    .then(async (outcome) => {
      if (outcome.served) return;
      const cli = require(join(dist, 'cli-loader.cjs')).loadCommandBundle(join(dist, 'cli.cjs'), argv);
      await cli.runFromLauncher(argv, outcome.handoff, dist);
    })
    .catch((error) => {
      // The command reports its own failures; this is a bug in the launcher or the bundles.
      console.error(`mfa-tray: unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
