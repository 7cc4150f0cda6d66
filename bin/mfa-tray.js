#!/usr/bin/env node
// The command `mfa-tray`: a launcher for the bundled command in app/dist/ (built by `npm run build`,
// which `npm install` runs too).
//
// CommonJS (bin/package.json), like app/dist/cli-fast.cjs, which it tries first: `credential-process`
// runs before every AWS command, and with a fresh cached session it is answered there without
// starting Node's ES module loader (main/cli/cached-session.ts). Everything else is the ES module
// bundle app/dist/cli.mjs, which takes over what the fast path found.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// Node 22.1 and later keep the bundles' compiled code between runs (in the OS's temp folder): one
// more cut in every start. Node 20 has no such cache, and this does nothing there.
require('node:module').enableCompileCache?.();

const dist = join(__dirname, '..', 'app', 'dist');
const argv = process.argv.slice(2);

if (!existsSync(join(dist, 'cli-fast.cjs')) || !existsSync(join(dist, 'cli.mjs'))) {
  console.error('mfa-tray: the command is not built yet (app/dist/cli.mjs is missing); run: npm run build');
  process.exitCode = 1;
} else {
  // Only credential-process has a fast path (cli-fast.cjs decides when it applies).
  (argv[0] === 'credential-process' ? require(join(dist, 'cli-fast.cjs')).tryFastPath(argv) : Promise.resolve({ served: false }))
    .then(async (outcome) => {
      if (outcome.served) return;
      const cli = await import(pathToFileURL(join(dist, 'cli.mjs')).href);
      await cli.runFromLauncher(argv, outcome.handoff);
    })
    .catch((error) => {
      // The command reports its own failures; this is a bug in the launcher or the bundles.
      console.error(`mfa-tray: unexpected failure (please report it): ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    });
}
