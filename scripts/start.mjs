#!/usr/bin/env node
// `npm start`: build, then launch the tray app with Electron. Electron fetches its binary on first
// launch; where that cannot happen (no network), say so in one line and name the headless
// alternative instead of printing a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const headless = 'npx mfa-tray watch';

const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

if (!existsSync(join(root, 'app', 'dist', 'main.mjs'))) {
  console.error(`npm start: the tray app's main process is not part of this build yet; use the command instead: ${headless}`);
  process.exit(1);
}

// Resolving `electron` in Node returns the binary's path, downloading it first when it is missing.
console.log('Starting MFA Tray (Electron fetches its binary on the first start)…');
const resolved = spawnSync(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
  cwd: root,
  encoding: 'utf8',
  timeout: 10 * 60_000,
});
if (resolved.status !== 0 || !resolved.stdout || !existsSync(resolved.stdout)) {
  console.error(
    `npm start: Electron's binary could not be downloaded (no network access to its release host?), so the tray app cannot start here; run the same engine headless instead: ${headless}`,
  );
  process.exit(1);
}

const child = spawn(resolved.stdout, [join(root, 'app')], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
