#!/usr/bin/env node
// Electronegativity (@doyensec/electronegativity) over the built tray app: the main process
// (app/dist/main.mjs), the preload (app/dist/preload.cjs) and the windows (app/dist/renderer/).
// Its own CLI always exits 0; this wrapper fails on every finding of MEDIUM severity or above
// that security/electronegativity-justifications.json does not justify (by check id and file),
// and on every file the scanner could not parse (an unparsed file is an unscanned one).
//
//   node scripts/electronegativity.mjs                  (after `npm run build`)
//   node scripts/electronegativity.mjs --dist <dir>     another build output (the tests' insecure fixture)
//
// Three things about the scanner that this wrapper works around:
// - It only reads .js/.jsx/.ts/.tsx/.html files: .mjs and .cjs are skipped without a word. The
//   bundles are therefore copied into a staging folder as main.js and preload.js.
// - Its scope analysis predates ES2022 ("Unknown node type ClassPrivateProperty"), so a bundle
//   using #private fields would go unscanned. The staged copies are lowered to ES2019 with esbuild
//   (same calls, same literals; line numbers in the report refer to the lowered copies), and a
//   file it still cannot parse fails the run. The main process is an entry (main.mjs) that loads
//   the tray app's chunk (or the command's) with a top-level await, which neither ES2019 nor the
//   scanner has: it is bundled with its chunks into one main.js, its top-level code wrapped in an
//   async function (the scan reads the calls, it does not run them).
// - It goes online: it downloads translations from S3 on start (locales/i18n.js), and Electron's
//   release list from GitHub for AvailableSecurityFixesGlobalCheck, both through `got`. The scan
//   must run offline, so that check is left out (it rates the Electron version a package.json
//   declares, and the bundles carry none; the version is pinned in package-lock.json), `got` is
//   replaced with an answer of "not found" (the bundled en-US messages are used), and any other
//   outgoing request fails the run.
import Module, { createRequire } from 'node:module';
import http from 'node:http';
import https from 'node:https';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const distArg = process.argv.indexOf('--dist');
const dist = distArg === -1 ? join(root, 'app', 'dist') : resolve(process.argv[distArg + 1] ?? '');
const justificationsFile = join(root, 'security', 'electronegativity-justifications.json');
const require = createRequire(import.meta.url);

function fail(message) {
  console.error(`electronegativity: ${message}`);
  process.exit(1);
}

// ── What to scan ─────────────────────────────────────────────────────────────────────────────
const inputs = [
  { from: join(dist, 'main.mjs'), to: 'main.js' },
  { from: join(dist, 'preload.cjs'), to: 'preload.js' },
];
for (const { from } of inputs) if (!existsSync(from)) fail(`${relative(root, from)} is missing; run: npm run build`);
const rendererDir = join(dist, 'renderer');
const rendererFiles = existsSync(rendererDir) ? readdirSync(rendererDir).filter((f) => /\.(js|html)$/.test(f) && statSync(join(rendererDir, f)).isFile()) : [];
if (rendererFiles.length === 0) fail(`${relative(root, rendererDir)} holds no windows; run: npm run build`);
for (const file of rendererFiles) inputs.push({ from: join(rendererDir, file), to: `renderer/${file}` });

const stage = mkdtempSync(join(tmpdir(), 'mfa-tray-electronegativity-'));
mkdirSync(join(stage, 'renderer'));
/** The main process in one file: the entry and every chunk it loads, its top-level code in an async function. */
async function wholeMainProcess(entry) {
  const { outputFiles } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'es2019',
    supported: { 'top-level-await': true },
    external: ['electron', '#keytar'],
    legalComments: 'none',
    logLevel: 'silent',
  });
  // Its top-level code in an async function; the import statements (which must stay at the top
  // level) moved before it. They start at column 0 and end with the line that ends in ';'.
  const imports = [];
  const rest = [];
  let inImport = false;
  for (const line of outputFiles[0].text.split('\n')) {
    if (inImport || /^import\b/.test(line)) {
      imports.push(line);
      inImport = !line.trimEnd().endsWith(';');
    } else {
      rest.push(line);
    }
  }
  return [...imports, '(async () => {', ...rest, '})();'].join('\n');
}

for (const { from, to } of inputs) {
  if (!to.endsWith('.js')) {
    cpSync(from, join(stage, to));
    continue;
  }
  const source =
    to === 'main.js'
      ? await wholeMainProcess(from).catch((error) => fail(`could not bundle ${relative(root, from)} for the scanner: ${error.message}`))
      : readFileSync(from, 'utf8');
  const { code } = await transform(source, { loader: 'js', target: 'es2019', legalComments: 'none' }).catch((error) => {
    fail(`could not lower ${relative(root, from)} for the scanner: ${error.message}`);
  });
  writeFileSync(join(stage, to), code);
}

// ── Offline ──────────────────────────────────────────────────────────────────────────────────
const i18nModule = require.resolve('@doyensec/electronegativity/dist/locales/i18n.js');
const gotPath = createRequire(i18nModule).resolve('got');
const offlineGot = new Module(gotPath);
offlineGot.filename = gotPath;
offlineGot.loaded = true;
const notFound = async () => ({ statusCode: 404, headers: {}, body: '' });
offlineGot.exports = Object.assign(notFound, { get: notFound, head: notFound });
require.cache[gotPath] = offlineGot;
for (const lib of [http, https]) {
  for (const method of ['request', 'get']) {
    lib[method] = (...args) => {
      const target = typeof args[0] === 'string' || args[0] instanceof URL ? String(args[0]) : (args[0]?.host ?? args[0]?.hostname);
      fail(`the scanner tried to reach the network (${target}); it must run offline.`);
    };
  }
}
// Stable, English descriptions whatever the machine's locale.
process.env.LANG = 'en-US';

// ── Scan ─────────────────────────────────────────────────────────────────────────────────────
const run = require('@doyensec/electronegativity');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
let result;
try {
  result = await run(
    {
      input: stage,
      isRelative: true,
      severitySet: 'informational',
      confidenceSet: 'tentative',
      electronVersionOverride: electronVersion,
      customScan: [],
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      parserPlugins: [],
    },
    false,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}

const unparsed = result.errors.filter((e) => !e.tolerable);
if (unparsed.length > 0) {
  fail(`could not parse ${unparsed.map((e) => `${relative(stage, e.file) || e.file} (${e.message})`).join(', ')}: those files were not scanned.`);
}

// ── Judge ────────────────────────────────────────────────────────────────────────────────────
const MEDIUM = 2;
const { justifications } = JSON.parse(readFileSync(justificationsFile, 'utf8'));
for (const j of justifications) {
  if (typeof j.id !== 'string' || typeof j.file !== 'string' || typeof j.reason !== 'string' || j.reason.trim().length < 20) {
    fail(`${relative(root, justificationsFile)}: every entry needs an id, a file and a reason in words (${JSON.stringify(j)}).`);
  }
}
// With isRelative the scanner reports paths relative to the staging folder already ("N/A" for global findings).
const fileOf = (issue) => (isAbsolute(issue.file) ? relative(stage, issue.file) : issue.file).split(sep).join('/');
const justificationOf = (issue) => justifications.find((j) => j.id === issue.id && j.file === fileOf(issue));
const describe = (issue) => `${issue.id} [${issue.severity.name}/${issue.confidence.name}] ${fileOf(issue)}:${issue.location.line}:${issue.location.column}`;

const serious = result.issues.filter((issue) => issue.severity.value >= MEDIUM);
const unjustified = serious.filter((issue) => !justificationOf(issue));

console.log(
  `electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.atomicChecks + result.globalChecks} checks over ${inputs.length} files (Electron ${electronVersion}), offline`,
);
for (const issue of serious) {
  const justification = justificationOf(issue);
  console.log(`  ${justification ? 'justified  ' : 'UNJUSTIFIED'}  ${describe(issue)}${justification ? '' : `\n      ${issue.description}`}`);
}
for (const issue of result.issues.filter((i) => i.severity.value < MEDIUM)) console.log(`  not gated    ${describe(issue)}`);
const stale = justifications.filter((j) => !serious.some((issue) => j.id === issue.id && j.file === fileOf(issue)));
for (const j of stale) console.log(`  note: the justification of ${j.id} in ${j.file} matches no finding any more; remove it.`);

if (unjustified.length > 0) {
  fail(
    `${unjustified.length} finding${unjustified.length === 1 ? '' : 's'} of medium severity or above without a justification. Fix the code, or justify each in ${relative(root, justificationsFile)} (id, file, reason).`,
  );
}
console.log('electronegativity: no unjustified finding of medium severity or above.');
