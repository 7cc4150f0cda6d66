#!/usr/bin/env node
// `npm test`: build, then type-check, lint, format check and security scan side by side, then every test in test/ under node's test runner, inside a
// private D-Bus session with an unlocked gnome-keyring and a throwaway HOME, so that the keychain
// tests talk to a real Secret Service and nothing touches the user's own ~/.aws or keyring.
//
//   node scripts/test.mjs                 everything
//   node scripts/test.mjs --only-tests    skip type-check, lint, format check and build
//   node scripts/test.mjs test/engine/x.test.ts ...   only these files (implies --only-tests)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KEYRING_SESSION_COMMANDS, missingInstallLine, runInKeyringSession } from './keyring-session.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
const onlyTests = args.includes('--only-tests') || files.length > 0;

/** System components the tests need, and the command that installs each on Debian. */
const required = [
  ...KEYRING_SESSION_COMMANDS,
  // The credentials-file tests check our output with Python's configparser, which botocore uses.
  { bin: 'python3', pkg: 'python3' },
  // The windows run in headless Chromium (test/support/browser.ts).
  { bin: 'chromium', pkg: 'chromium' },
  // The locked-keychain tests ask the Secret Service over D-Bus with both clients the app uses.
  { bin: 'dbus-send', pkg: 'dbus-bin' },
  { bin: 'gdbus', pkg: 'libglib2.0-bin' },
  // The no-tray tests stand a desktop's StatusNotifier watcher up on the test bus with it.
  { bin: 'dbus-test-tool', pkg: 'dbus-tests' },
  // The role tests run the AWS CLI v2 itself through credential_process.
  { bin: 'aws', pkg: 'awscli' },
];

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

const missing = missingInstallLine(required);
if (missing) fail(missing);

/**
 * Runs the checks side by side, each with its output held, then prints them in order and fails on the
 * first that failed. One after another they took 73 s on CI's two cores, one core idle.
 */
async function runTogether(checks) {
  const results = await Promise.all(
    checks.map(
      ([label, command, commandArgs]) =>
        new Promise((resolve) => {
          const child = spawn(command, commandArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
          let output = '';
          child.stdout.on('data', (chunk) => (output += chunk));
          child.stderr.on('data', (chunk) => (output += chunk));
          child.on('error', (error) => resolve({ label, output, failure: `could not start: ${error.message}` }));
          child.on('close', (code, signal) => resolve({ label, output, failure: code === 0 ? undefined : `failed (exit ${code ?? signal}).` }));
        }),
    ),
  );
  for (const { label, output } of results) {
    console.log(`\n== ${label}`);
    if (output) process.stdout.write(output);
  }
  const failed = results.find((r) => r.failure !== undefined);
  if (failed) fail(`${failed.label} ${failed.failure}`);
}

const localBin = (name) => join(root, 'node_modules', '.bin', name);
if (!onlyTests) {
  run('build (esbuild)', process.execPath, ['scripts/build.mjs']);
  await runTogether([
    ['type-check (tsc)', localBin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
    ['lint (eslint)', localBin('eslint'), ['--max-warnings', '0', '.']],
    // Formatting is checked, never fixed here: `npm run format` writes it.
    ['format (prettier --check)', localBin('prettier'), ['--check', '--log-level', 'warn', '.']],
    ['security scan (electronegativity)', process.execPath, ['scripts/electronegativity.mjs']],
  ]);
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

/**
 * The longest files (measured: a minute or more each on a 2-core machine), started first: the runner
 * starts files in the order given as its lanes free up, and one of these started last would run
 * alone at the end while the other lanes idle. Only an order; a file missing here still runs.
 */
const START_FIRST = [
  'test/cli/refresh.test.ts',
  'test/renderer/layout.test.ts',
  'test/audit/no-unexpected-failure.test.ts',
  'test/renderer/screenshots.test.ts',
  'test/faults/sigkill.test.ts',
  'test/engine/engine.test.ts',
  'test/cli/watch.test.ts',
  'test/cli/terminal.test.ts',
  'test/renderer/profiles.test.ts',
];
const rank = (file) => {
  const at = START_FIRST.indexOf(file);
  return at === -1 ? START_FIRST.length : at;
};
const testFiles = files.length > 0 ? files : findTests(join(root, 'test')).sort((a, b) => rank(a) - rank(b));
if (testFiles.length === 0) fail('no test files found under test/.');

const testArgv = [
  process.execPath,
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  // Three files at a time, on CI's two cores too: much of the run waits (for real 30-s TOTP steps,
  // child processes, Chromium), and two lanes left the cores ~40% idle. Measured on 2 cores: the
  // tests took 10 min 25 s with three lanes, 11 min 54 s with two.
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 3}`,
  ...testFiles,
];
console.log(`\n== tests (${testFiles.length} files, private D-Bus session with gnome-keyring, throwaway HOME)`);
const status = runInKeyringSession(testArgv, { cwd: root, label: 'test' });
if (status !== 0) fail(`tests failed (exit ${status}).`);
