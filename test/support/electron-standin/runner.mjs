// The stand-in Electron's body (see ../electron-standin.ts): runs a packed app the way Electron
// would start it, with Node: the app.asar next to the executable is unpacked into a temp folder
// (its app.asar.unpacked files with it), `process.argv` becomes [executable, ...arguments] as in a
// packaged Electron app, and package.json's `main` is imported. `electron` itself does not exist
// here, so an app that imports it fails: what runs must be Node-only (the command mode is).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar');

const [executable, ...args] = process.argv.slice(2);
const resources = join(dirname(executable), 'resources');
const app = mkdtempSync(join(tmpdir(), 'mfa-tray-standin-app-'));
process.on('exit', () => rmSync(app, { recursive: true, force: true }));
asar.extractAll(join(resources, 'app.asar'), app);
const unpacked = join(resources, 'app.asar.unpacked');
if (existsSync(unpacked)) cpSync(unpacked, app, { recursive: true });

process.argv = [executable, ...args];
const { main } = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
await import(pathToFileURL(join(app, main)).href);
