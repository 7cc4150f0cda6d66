#!/usr/bin/env node
// The command `mfa-tray`: a launcher for the bundled command (app/dist/cli.mjs, built by
// `npm run build`, which `npm install` runs too).
import { existsSync } from 'node:fs';

const cli = new URL('../app/dist/cli.mjs', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  console.error('mfa-tray: the command is not built yet (app/dist/cli.mjs is missing); run: npm run build');
  process.exitCode = 1;
}
