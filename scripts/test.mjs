#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every test in test/ under node's test runner, inside a
// private D-Bus session with an unlocked gnome-keyring and a throwaway HOME, so that the keychain
// tests talk to a real Secret Service and nothing touches the user's own ~/.aws or keyring.
//
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --only-tests    skip type-check, lint and build
//   node scripts/test.mjs test/engine/x.test.ts ...   only these files (implies --only-tests)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const onlyTests = args.includes('--only-tests') || files.length > 0;

/** System components the tests need, and the command that installs each on Debian. */
const required = [
  { bin: 'dbus-run-session', pkg: 'dbus' },
  { bin: 'gnome-keyring-daemon', pkg: 'gnome-keyring' },
  // The credentials-file tests check our output with Python's configparser, which botocore uses.
  { bin: 'python3', pkg: 'python3' },
  // The windows run in headless Chromium (test/support/browser.ts).
  { bin: 'chromium', pkg: 'chromium' },
];

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

function fail(message) {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

function run(label, command, commandArgs, options = {}) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${label} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${label} failed (exit ${result.status ?? result.signal}).`);
}

const missing = required.filter((r) => !onPath(r.bin));
if (missing.length > 0) {
  fail(`missing ${missing.map((m) => m.bin).join(', ')}; install with: apt-get install -y ${[...new Set(missing.map((m) => m.pkg))].join(' ')}`);
}

const localBin = (name) => join(root, 'node_modules', '.bin', name);
if (!onlyTests) {
  run('type-check (tsc)', localBin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  run('lint (eslint)', localBin('eslint'), ['--max-warnings', '0', '.']);
  run('build (esbuild)', process.execPath, ['scripts/build.mjs']);
  run('security scan (electronegativity)', process.execPath, ['scripts/electronegativity.mjs']);
}

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(root, path));
  }
  return found.sort();
}

const testFiles = files.length > 0 ? files : findTests(join(root, 'test'));
if (testFiles.length === 0) fail('no test files found under test/.');

const home = mkdtempSync(join(tmpdir(), 'mfa-tray-test-home-'));
const env = {
  ...process.env,
  HOME: home,
  XDG_DATA_HOME: join(home, '.local', 'share'),
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_RUNTIME_DIR: home,
  // Nothing in a test may fall back to the real files: each test points these at its own temp dir.
  AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
  AWS_CONFIG_FILE: join(home, '.aws', 'config'),
  MFA_TRAY_CONFIG_DIR: join(home, 'mfa-tray-config'),
  AWS_EC2_METADATA_DISABLED: 'true',
  NO_COLOR: '1',
};
delete env.AWS_ACCESS_KEY_ID;
delete env.AWS_SECRET_ACCESS_KEY;
delete env.AWS_SESSION_TOKEN;
delete env.AWS_PROFILE;
delete env.DISPLAY;

const testCommand = [
  process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...testFiles,
].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');

// The recipe from DESIGN.md: a private session bus, a keyring unlocked with a throwaway password.
const script = `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null && export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK; exec ${testCommand}`;
console.log(`\n== tests (${testFiles.length} files, private D-Bus session, HOME=${home})`);
const result = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], { cwd: root, stdio: 'inherit', env });
rmSync(home, { recursive: true, force: true });
if (result.status !== 0) fail(`tests failed (exit ${result.status ?? result.signal}).`);
