#!/usr/bin/env node
// `npm run bench`: MFA Tray measured against baselines taken in the same run, on the same loopback
// STS server (test/support/sts-server.ts), the same keychain (gnome-keyring in a private D-Bus session
// with a throwaway HOME, as `npm test` runs) and the same files. A comparison runs the two sides in
// turn (A B A B …, after warm-ups) and reports the median of the per-pair ratios A/B, so that the
// load of a shared machine, which drifts, weighs on both sides of each ratio alike; the medians of A
// and of B are kept as figures too. Each row gives its goal and whether it is met. Prints a markdown
// table and writes bench-results.json. No goal fails the run: only something that does not run does
// (exit 1, with one line saying what).
//
//   node bench/run.mjs              build app/dist/ first, then measure
//   node bench/run.mjs --no-build   measure the app/dist/ that is there
//   node bench/run.mjs --quick      fewer runs, a short soak (a smoke test of the bench itself)
//   node bench/run.mjs --only=2,4b  only these rows (ids as in the table)
//   node bench/run.mjs --cpu-prof=DIR  V8 CPU profiles of rows 1, 2 and 7's processes (ours and
//                                      the baselines') into DIR, to see where the time goes
import { fork, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, uptime } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KEYRING_SESSION_COMMANDS, missingInstallLine, runInKeyringSession } from '../scripts/keyring-session.mjs';
import { commandBundleOptions, engineLoadPlugins } from '../scripts/bundle-plugins.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wanted = (...ids) => !only || ids.some((id) => only.includes(String(id)));
const cpuProfDir = args.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
let profiledCount = 0;
/** Node's options for a profiled child (--cpu-prof), named so that ours and the baseline's tell apart. */
const profiled = (name) =>
  cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}-${(profiledCount += 1)}.cpuprofile`, '--cpu-prof-interval=100'] : [];

/** Builds, then runs this script again inside a private D-Bus session with an unlocked keyring. */
function outer() {
  const missing = missingInstallLine(KEYRING_SESSION_COMMANDS);
  if (missing) {
    console.error(`npm run bench: ${missing}`);
    process.exit(1);
  }
  if (!args.includes('--no-build')) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('npm run bench: the build failed (see above)');
      process.exit(1);
    }
  }
  const argv = [process.execPath, '--import', 'tsx', 'bench/run.mjs', ...args];
  process.exit(runInKeyringSession(argv, { cwd: root, extraEnv: { MFA_TRAY_BENCH_INNER: '1' }, label: 'bench' }));
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The least-squares slope of y over x through `points` ([x, y] pairs); 0 for fewer than two. */
function leastSquaresSlope(points) {
  if (points.length < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.ceil(at)] - sorted[low]) * (at - low);
}

/** Runs a command to its end; wall time from spawn to exit. */
function timed(command, commandArgs, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, commandArgs, { cwd: root, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ ms: performance.now() - started, status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

function firstLine(text) {
  return (String(text).trim().split('\n')[0] ?? '').slice(0, 200);
}

/** A run that must succeed: its time, else an error naming it with its first line of stderr. */
async function mustRun(what, command, commandArgs, options = {}) {
  const result = await timed(command, commandArgs, options);
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}): ${firstLine(result.stderr || result.stdout)}`);
  return result;
}

/**
 * The one way this bench compares: after `warmups` rounds that are not counted, `pairs` rounds of
 * A then B (then any `extra` runs, timed in the same round, for a breakdown). Each run is called with
 * what `prepare` (not timed) made for its round, and returns its time in ms. The result is the
 * median of the per-round ratios A/B, with the medians of A and B, the ratios' quartiles, and each
 * extra's times.
 */
async function pairedRatio(runA, runB, pairs, { warmups = 1, prepare, extra = {} } = {}) {
  const a = [];
  const b = [];
  const ratios = [];
  const extras = Object.fromEntries(Object.keys(extra).map((key) => [key, []]));
  for (let i = -warmups; i < pairs; i += 1) {
    const round = prepare ? await prepare(i) : undefined;
    const msA = await runA(round, i);
    const msB = await runB(round, i);
    const extraMs = {};
    for (const [key, run] of Object.entries(extra)) extraMs[key] = await run(round, i);
    if (i < 0) continue;
    a.push(msA);
    b.push(msB);
    ratios.push(msA / msB);
    for (const [key, ms] of Object.entries(extraMs)) extras[key].push(ms);
  }
  return { a, b, ratios, extras, medianA: median(a), medianB: median(b), ratio: median(ratios), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
}

/** "1.32× (IQR 1.25–1.40, 21 pairs)" */
const fmtRatio = (p, digits = 2) =>
  `${p.ratio.toFixed(digits)}× (IQR ${p.q1.toFixed(digits)}–${p.q3.toFixed(digits)}, ${p.ratios.length} pair${p.ratios.length === 1 ? '' : 's'})`;
const fmt = (ms) => (ms === undefined || Number.isNaN(ms) ? 'n/a' : Math.abs(ms) >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
const fmtBytes = (n) =>
  Math.abs(n) >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GB` : Math.abs(n) >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`;
const fmtSigned = (n) => `${n < 0 ? '−' : '+'}${fmtBytes(Math.abs(n))}`;

/** Bundles and every chunk they import statically (what loading them reads), with their sizes. */
function staticGraph(...entries) {
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, statSync(file).size);
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["'];?|^import\s*["'](\.{1,2}\/[^"']+)["'];?/gm)) {
      visit(join(dirname(file), match[1] ?? match[2]));
    }
  };
  for (const entry of entries) visit(entry);
  return { files: seen.size, bytes: [...seen.values()].reduce((a, b) => a + b, 0) };
}

function folderBytes(dir, filter = () => true) {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path);
    total += info.isDirectory() ? folderBytes(path, filter) : filter(name) ? info.size : 0;
  }
  return total;
}

/** The file system and block device a folder is on: "ext4 on /dev/sda (not rotational)". */
function diskOf(dir) {
  const found = spawnSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '-T', dir], { encoding: 'utf8' });
  const [fstype, source] = found.status === 0 ? found.stdout.trim().split(/\s+/) : [];
  if (!fstype) return 'unknown';
  const device = source?.startsWith('/dev/') ? basename(source).replace(/p?\d+$/, '') : undefined;
  const rotationalFile = device ? `/sys/block/${device}/queue/rotational` : undefined;
  const rotational = rotationalFile && existsSync(rotationalFile) ? readFileSync(rotationalFile, 'utf8').trim() : undefined;
  // A virtio disk says "rotational" whatever backs it: then only the kind of device is told.
  const kind = device?.startsWith('vd') ? 'virtio block device' : rotational === '1' ? 'rotational' : rotational === '0' ? 'not rotational' : undefined;
  return `${fstype}${source ? ` on ${source}` : ''}${kind ? ` (${kind})` : ''}`;
}

/**
 * What the command loads to answer `credential-process` with a cached session, in whichever layout
 * the build has: the CommonJS fast path (app/dist/cli-fast.cjs, required by bin/mfa-tray.js), or
 * cli.mjs and its cached-session chunk; undefined for a layout this bench does not know.
 */
function credentialProcessPath(dist) {
  // cli-fast.cjs and the parts it requires when it serves (cli-fast-lookup.cjs, …).
  const fast = existsSync(dist) ? readdirSync(dist).filter((name) => /^cli-fast.*\.cjs$/.test(name)) : [];
  if (fast.includes('cli-fast.cjs')) {
    const files = fast.map((name) => join(dist, name));
    return {
      describe: `bin/mfa-tray.js and app/dist/${fast.join(', ')}`,
      files: files.length + 1,
      bytes: statSync(join(root, 'bin', 'mfa-tray.js')).size + files.reduce((sum, file) => sum + statSync(file).size, 0),
      probe: ['-e', files.map((file) => `require(${JSON.stringify(file)});`).join(' ')],
    };
  }
  const cliEntry = join(dist, 'cli.mjs');
  const chunk = existsSync(cliEntry) ? /["'](\.\/chunks\/cached-session-[^"']+\.mjs)["']/.exec(readFileSync(cliEntry, 'utf8'))?.[1] : undefined;
  if (!chunk) return undefined;
  const graph = [staticGraph(cliEntry), staticGraph(join(dist, chunk))];
  return {
    describe: 'cli.mjs and its cached-session chunk',
    files: graph[0].files + graph[1].files,
    bytes: graph[0].bytes + graph[1].bytes,
    probe: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(join(dist, chunk)).href)})`],
  };
}

// ── the app's bundling, for the bench's children ────────────────────────────────────────────

// ── the measurements ─────────────────────────────────────────────────────────────────────────

async function inner() {
  const { startStsServer } = await import('../test/support/sts-server.ts');
  const { createTestKeychain } = await import('../test/support/keyring.ts');
  const { largeCredentialsFile, versionSession } = await import('../test/support/fault-versions.ts');
  const { whyNoMount, mountTmpfs } = await import('../test/support/fault-mount.ts');
  const { Engine } = await import('../main/engine/engine.ts');
  const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');

  const dist = join(root, 'app', 'dist');
  const cli = join(root, 'bin', 'mfa-tray.js');
  if (!existsSync(join(dist, 'cli.cjs'))) throw new Error('app/dist/cli.cjs is missing; run npm run build (or drop --no-build)');
  const N = {
    starts: quick ? 5 : 25, // credential-process pairs (a process start each side: cheap, noisy)
    refreshes: quick ? 3 : 13, // refresh vs the floor
    awsCli: quick ? 1 : 5, // refresh vs the aws CLI (~4 s a pair)
    refreshAll: quick ? 2 : 9, // refresh --all of 8 vs one
    status: quick ? 3 : 13, // status with 100 vs 1
    writes: quick ? 5 : 25, // fresh processes writing once, per file system
    memory: quick ? 2 : 5, // processes per memory figure
    menu: quick ? 3 : 9,
  };
  // Phase 1 of the soak: simulated time, samples, a wall-clock cap; phase 2: re-reads in a row, after
  // a warm-up, and many: the first re-reads after the soak compile what they run, and the heap after
  // a GC varies by ~100 KB from one sample to the next (90 re-reads measured +1.1 KB each, 300 after
  // 60 to warm up +0.4 KB, 1,800 +0.1 KB).
  const soakPlan = quick
    ? { simulatedMs: 6 * 3600_000, samples: 3, wallBudgetMs: 15_000, rereadWarmup: 10, rereads: 30, rereadBudgetMs: 8_000 }
    : { simulatedMs: 48 * 3600_000, samples: 8, wallBudgetMs: 60_000, rereadWarmup: 60, rereads: 1000, rereadBudgetMs: 75_000 };
  // keytar alone, for comparison: its listings and reads (each listing of 100 entries takes ~0.3 s).
  const keytarAlonePlan = quick ? { listings: 8, reads: 160 } : { listings: 30, reads: 600 };
  const sts = await startStsServer();
  const work = mkdtempSync(join(tmpdir(), 'mfa-tray-bench-'));
  const rows = [];
  const raw = {};
  const row = (r) => {
    rows.push(r);
    console.log(
      `  ${r.id}. ${r.what}: ${r.figure}${r.baseline ? ` | ${r.baseline}` : ''}${r.ratio ? ` | ${r.ratio}` : ''} | goal ${r.goal}: ${metWord(r.met)}`,
    );
  };
  const benchStarted = performance.now();
  const section = (title) => console.log(`\n${title} [${Math.round((performance.now() - benchStarted) / 1000)} s]`);
  const readProfiles = async (files) =>
    (await loadSharedConfigFiles({ filepath: files.AWS_SHARED_CREDENTIALS_FILE, configFilepath: files.AWS_CONFIG_FILE, ignoreCache: true })).credentialsFile;

  /** A world of its own: folder, credentials and config files, settings, a keychain prefix; an engine to set it up. */
  const worlds = [];
  const createWorld = (label) => {
    const dir = join(work, label);
    const files = {
      HOME: dir,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
      AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
      MFA_TRAY_CONFIG_DIR: join(dir, 'config'),
    };
    const keychain = createTestKeychain(`bench ${label}`);
    const engine = new Engine({ env: files, configDir: files.MFA_TRAY_CONFIG_DIR, secretStore: keychain.store, stsEndpoint: sts.endpoint });
    const world = {
      dir,
      files,
      keychain,
      engine,
      cliEnv: { ...process.env, ...files, MFA_TRAY_KEYCHAIN_SERVICE: keychain.prefix, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_DEFAULT_REGION: 'us-east-1' },
      // distDir: the built keychain helper, which `watch` and the tray app run their keychain calls in on Linux.
      childConfig: JSON.stringify({ env: files, configDir: files.MFA_TRAY_CONFIG_DIR, keychainPrefix: keychain.prefix, distDir: dist }),
      /** A profile for a new user of the loopback STS (its own device), optionally with its TOTP secret and a cached session. */
      async add(name, { totp = false, durationSeconds, session } = {}) {
        // Through the engine's own stores, as Engine.addProfile writes them, without the reload of
        // every profile's state it does after each add (setting up 100 profiles would cost O(n²)).
        const user = sts.registerUser();
        await engine.secrets.setLongLivedKey(name, { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
        if (totp) await engine.secrets.setTotpSecret(name, user.totpSecret);
        await engine.settings.addProfile({ name, mfaSerial: user.mfaSerial, ...(durationSeconds ? { durationSeconds } : {}) });
        // As a refresh leaves it: the credentials file's section, then the keychain.
        if (session) await engine.credentials.writeSession(name, session);
        if (session) await engine.secrets.setSession(name, session);
        return user;
      },
      /** Many profiles at once: their keychain entries and their settings written side by side. */
      async addMany(specs) {
        const users = specs.map(() => sts.registerUser());
        await Promise.all([
          (async () => {
            for (const [k, { name, totp, session }] of specs.entries()) {
              await engine.secrets.setLongLivedKey(name, { accessKeyId: users[k].accessKeyId, secretAccessKey: users[k].secretAccessKey });
              if (totp) await engine.secrets.setTotpSecret(name, users[k].totpSecret);
              if (session) await engine.secrets.setSession(name, session);
            }
          })(),
          (async () => {
            for (const [k, { name, durationSeconds }] of specs.entries()) {
              await engine.settings.addProfile({ name, mfaSerial: users[k].mfaSerial, ...(durationSeconds ? { durationSeconds } : {}) });
            }
          })(),
          (async () => {
            // The sessions in the credentials file too, as refreshes leave them.
            for (const { name, session } of specs) if (session) await engine.credentials.writeSession(name, session);
          })(),
        ]);
        return users;
      },
      /** The clock offset as a process that talked to STS in the last hour left it (no GetCallerIdentity first). */
      rememberClockOffset() {
        mkdirSync(files.MFA_TRAY_CONFIG_DIR, { recursive: true });
        const now = Date.now();
        writeFileSync(
          join(files.MFA_TRAY_CONFIG_DIR, 'clock-offset.json'),
          `${JSON.stringify({ version: 1, offsetMs: 0, measuredAt: now, bootAt: Math.round(now - uptime() * 1000) })}\n`,
        );
      },
      async cleanup() {
        engine.stop();
        await keychain.cleanup();
        worlds.splice(worlds.indexOf(world), 1);
      },
    };
    worlds.push(world);
    return world;
  };

  // Children bundled as the app's bundles are (esbuild, ESM, the build's plugins that change what
  // the engine loads, scripts/bundle-plugins.mjs; keytar from the checkout); the write child as the
  // command's bundle is.
  const bundles = mkdtempSync(join(tmpdir(), 'mfa-tray-bench-bundles-'));
  const keytarPath = createRequire(join(root, 'package.json')).resolve('keytar');
  {
    const { build } = await import('esbuild');
    await build({
      absWorkingDir: root,
      entryPoints: { memory: 'bench/memory-child.mjs', menu: 'bench/menu-child.mjs', soak: 'bench/soak-child.mjs' },
      outdir: bundles,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outExtension: { '.js': '.mjs' },
      external: ['electron'],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'error',
      plugins: [
        { name: 'keytar-from-checkout', setup: (b) => b.onResolve({ filter: /^keytar$/ }, () => ({ path: keytarPath, external: true })) },
        ...engineLoadPlugins,
      ],
    });
    // The write child as the command's own bundle (app/dist/cli.cjs) is built, run through its loader.
    await build({
      ...commandBundleOptions,
      absWorkingDir: root,
      entryPoints: { write: 'bench/write-child.mjs' },
      outdir: bundles,
      outExtension: { '.js': '.cjs' },
      external: ['electron'],
      logLevel: 'error',
      plugins: [
        ...commandBundleOptions.plugins,
        { name: 'keytar-from-checkout', setup: (b) => b.onResolve({ filter: /^keytar$/ }, () => ({ path: keytarPath, external: true })) },
      ],
    });
  }

  const main = createWorld('main');
  const cpPath = credentialProcessPath(dist);
  raw.credentialProcessLoads = cpPath && { layout: cpPath.describe, files: cpPath.files, bytes: cpPath.bytes };

  try {
    // ── 2. credential-process with a cached session, against a bare Node start ──
    if (wanted(2)) {
      section('2. credential-process with a cached session');
      const profile = 'cached';
      // A refresh leaves it (12 h left): in the credentials file's section, the record of that
      // write, and the keychain's copy.
      const cachedUser = await main.add(profile);
      await main.engine.refresh(profile, { code: sts.currentCode(cachedUser) });
      // A session in the keychain alone (the credentials file lost it): the path's fallback.
      await main.add('keychain-only');
      await main.engine.secrets.setSession('keychain-only', { ...versionSession(1), expiresAt: Date.now() + 12 * 3600_000 });
      const keytarProbe = `const k = require(${JSON.stringify(keytarPath)}); k.getPassword(${JSON.stringify(`${main.keychain.prefix}: session`)}, ${JSON.stringify(profile)}).then(() => {});`;
      const extra = {
        keytar: async () => (await mustRun('the keytar probe', process.execPath, ['-e', keytarProbe], { env: main.cliEnv })).ms,
        keychainOnly: async () => {
          const served = await mustRun('mfa-tray credential-process (keychain only)', process.execPath, [cli, 'credential-process', 'keychain-only'], {
            env: main.cliEnv,
          });
          if (!served.stdout.includes('"Version": 1')) throw new Error(`mfa-tray credential-process answered something else: ${firstLine(served.stdout)}`);
          return served.ms;
        },
      };
      // Optional: a probe of a layout that has changed under it is "n/a", never a failed bench.
      let loadProbeFailure;
      if (cpPath) {
        extra.load = async () => {
          const probe = await timed(process.execPath, cpPath.probe, { env: main.cliEnv });
          if (probe.status !== 0) loadProbeFailure ??= firstLine(probe.stderr);
          return probe.status === 0 ? probe.ms : Number.NaN;
        };
      }
      const p = await pairedRatio(
        async () => {
          const served = await mustRun(
            'mfa-tray credential-process',
            process.execPath,
            [...profiled('credential-process'), cli, 'credential-process', profile],
            {
              env: main.cliEnv,
            },
          );
          if (!served.stdout.includes('"Version": 1')) throw new Error(`mfa-tray credential-process answered something else: ${firstLine(served.stdout)}`);
          return served.ms;
        },
        async () => (await mustRun('node -e 0', process.execPath, [...profiled('node'), '-e', '0'])).ms,
        N.starts,
        { warmups: 2, extra },
      );
      // The breakdown, from the same rounds: each part is the median of its per-round differences.
      const diffs = (xs, ys) => median(xs.map((x, k) => x - ys[k]));
      const breakdown = {
        nodeStartMs: p.medianB,
        keytarLoadAndOneReadMs: diffs(p.extras.keytar, p.b),
        keychainOnlyOverNodeMs: diffs(p.extras.keychainOnly, p.b),
        keychainOnlyRatio: median(p.extras.keychainOnly.map((x, k) => x / p.b[k])),
        loadModulesMs: cpPath && !loadProbeFailure ? diffs(p.extras.load, p.b) : undefined,
        modulesLoaded: !cpPath
          ? 'n/a (a bundle layout this bench does not know)'
          : `${cpPath.describe}: ${cpPath.files} files, ${fmtBytes(cpPath.bytes)}${loadProbeFailure ? ` (n/a: its probe failed: ${loadProbeFailure})` : ''}`,
        credentialProcessOverNodeMs: diffs(p.a, p.b),
      };
      raw.credentialProcess = { ...p, breakdown };
      row({
        id: 2,
        what: '`mfa-tray credential-process <p>` with a cached session',
        figure: fmt(p.medianA),
        baseline: `\`node -e 0\`: ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: '≤ 1.3×',
        met: p.ratio <= 1.3,
      });
      console.log(
        `     breakdown (medians of per-round differences): node ${fmt(breakdown.nodeStartMs)}; credential-process over node +${fmt(breakdown.credentialProcessOverNodeMs)}, of which ` +
          `keytar and one keychain read +${fmt(breakdown.keytarLoadAndOneReadMs)} (alone), loading ${breakdown.modulesLoaded}${breakdown.loadModulesMs === undefined ? '' : ` +${fmt(breakdown.loadModulesMs)} (alone)`}; ` +
          `with the session in the keychain alone (not in the credentials file): +${fmt(breakdown.keychainOnlyOverNodeMs)}, ${breakdown.keychainOnlyRatio.toFixed(2)}× \`node -e 0\``,
      );
    }

    // ── 1. refresh against the bare-SDK floor ──
    if (wanted(1)) {
      section('1. refresh, end to end, against a bare SDK call');
      const floorFile = join(work, 'floor', 'credentials');
      mkdirSync(dirname(floorFile), { recursive: true });
      const p = await pairedRatio(
        async (round) => {
          await sts.avoidStepEdge(3000);
          const result = await mustRun(
            'mfa-tray refresh',
            process.execPath,
            [...profiled('refresh'), cli, 'refresh', round.name, '--code', sts.currentCode(round.ours)],
            {
              env: main.cliEnv,
            },
          );
          const written = (await readProfiles(main.files))[round.name]?.aws_session_token;
          if (written !== sts.sessions.at(-1)?.sessionToken) throw new Error('mfa-tray refresh did not write the session it got');
          return result.ms;
        },
        async (round) => {
          await sts.avoidStepEdge(3000);
          const { floor } = round;
          const result = await mustRun(
            'bench/floor-refresh.mjs',
            process.execPath,
            [
              ...profiled('floor'),
              'bench/floor-refresh.mjs',
              round.name,
              floor.accessKeyId,
              floor.secretAccessKey,
              floor.mfaSerial,
              sts.currentCode(floor),
              floorFile,
            ],
            { env: main.cliEnv },
          );
          if (!readFileSync(floorFile, 'utf8').includes(sts.sessions.at(-1)?.sessionToken))
            throw new Error('bench/floor-refresh.mjs did not write the session it got');
          return result.ms;
        },
        N.refreshes,
        {
          warmups: 1,
          // Each side a user of its own (a device of its own): a code goes to STS once.
          prepare: async (i) => {
            const name = `r${i + 1}`;
            return { name, ours: await main.add(name), floor: sts.registerUser() };
          },
        },
      );
      raw.refreshVsFloor = p;
      row({
        id: 1,
        what: '`mfa-tray refresh <p> --code …`, process start until the credentials file holds the session',
        figure: fmt(p.medianA),
        baseline: `bare-SDK floor (bench/floor-refresh.mjs: import @aws-sdk/client-sts, one GetSessionToken, one plain write): ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: '≤ 1.1×',
        met: p.ratio <= 1.1,
      });
    }

    // ── 1c. refresh without the command's code cache against refresh with it ──
    if (wanted('1c')) {
      section("1c. refresh, the command's code cache gone (the first refresh after an install or update), against refresh with it");
      const codeCache = join(main.files.MFA_TRAY_CONFIG_DIR, 'code-cache');
      const refresh = async (round, name) => {
        await sts.avoidStepEdge(3000);
        const result = await mustRun('mfa-tray refresh', process.execPath, [cli, 'refresh', name, '--code', sts.currentCode(round[name])], {
          env: main.cliEnv,
        });
        const written = (await readProfiles(main.files))[name]?.aws_session_token;
        if (written !== sts.sessions.at(-1)?.sessionToken) throw new Error('mfa-tray refresh did not write the session it got');
        return result.ms;
      };
      let cacheFiles = 0;
      const p = await pairedRatio(
        async (round) => {
          rmSync(codeCache, { recursive: true, force: true });
          const ms = await refresh(round, round.cold);
          cacheFiles = existsSync(codeCache) ? readdirSync(codeCache).length : 0;
          return ms;
        },
        (round) => refresh(round, round.warm),
        N.refreshes,
        {
          warmups: 1,
          prepare: async (i) => {
            const cold = `cold${i + 1}`;
            const warm = `warm${i + 1}`;
            return { cold, warm, [cold]: await main.add(cold), [warm]: await main.add(warm) };
          },
        },
      );
      if (cacheFiles !== 1) throw new Error(`a refresh without a code cache left ${cacheFiles} cache files, not 1`);
      raw.refreshWithoutCodeCache = p;
      row({
        id: '1c',
        what: "`mfa-tray refresh <p> --code …` when the command's code cache is not there yet (the first refresh after an install or update: compiled afresh, and the cache written at the end)",
        figure: fmt(p.medianA),
        baseline: `the same refresh with the cache (every later one): ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: 'report',
      });
    }

    // ── 1b. refresh against the aws CLI ──
    if (wanted('1b')) {
      section('1b. refresh, end to end, against the aws CLI');
      const awsVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
      if (awsVersion.status !== 0 || awsVersion.error) {
        row({ id: '1b', what: '`mfa-tray refresh <p> --code …` against the aws CLI', figure: 'aws CLI not installed: not measured', goal: '≥ 5× faster' });
      } else {
        raw.awsVersion = (awsVersion.stdout.trim() || awsVersion.stderr.trim()).split(' ')[0];
        const awsEnv = { ...process.env, ...main.files };
        delete awsEnv.AWS_ENDPOINT_URL_STS;
        const p = await pairedRatio(
          async (round) => {
            const user = round.theirs;
            const i = round.i;
            await sts.avoidStepEdge(6000);
            const started = performance.now();
            const token = await mustRun(
              'aws sts get-session-token',
              'aws',
              [
                'sts',
                'get-session-token',
                '--serial-number',
                user.mfaSerial,
                '--token-code',
                sts.currentCode(user),
                '--profile',
                `base${i}`,
                '--region',
                'us-east-1',
                '--endpoint-url',
                sts.endpoint,
                '--output',
                'json',
              ],
              { env: awsEnv },
            );
            const credentials = JSON.parse(token.stdout).Credentials;
            for (const [key, value] of [
              ['aws_access_key_id', credentials.AccessKeyId],
              ['aws_secret_access_key', credentials.SecretAccessKey],
              ['aws_session_token', credentials.SessionToken],
            ]) {
              await mustRun('aws configure set', 'aws', ['configure', 'set', key, value, '--profile', `mfa${i}`], { env: awsEnv });
            }
            const ms = performance.now() - started;
            if ((await readProfiles(main.files))[`mfa${i}`]?.aws_session_token !== credentials.SessionToken)
              throw new Error('aws configure set did not write the session');
            return ms;
          },
          async (round) => {
            await sts.avoidStepEdge(3000);
            return (
              await mustRun('mfa-tray refresh', process.execPath, [cli, 'refresh', round.name, '--code', sts.currentCode(round.ours)], { env: main.cliEnv })
            ).ms;
          },
          N.awsCli,
          {
            warmups: quick ? 0 : 1, // ~4 s a round
            prepare: async (i) => {
              const theirs = sts.registerUser();
              mkdirSync(dirname(main.files.AWS_SHARED_CREDENTIALS_FILE), { recursive: true });
              const before = existsSync(main.files.AWS_SHARED_CREDENTIALS_FILE) ? readFileSync(main.files.AWS_SHARED_CREDENTIALS_FILE, 'utf8') : '';
              writeFileSync(
                main.files.AWS_SHARED_CREDENTIALS_FILE,
                `${before}\n[base${i + 1}]\naws_access_key_id = ${theirs.accessKeyId}\naws_secret_access_key = ${theirs.secretAccessKey}\n`,
              );
              const name = `c${i + 1}`;
              return { i: i + 1, name, ours: await main.add(name), theirs };
            },
          },
        );
        raw.refreshVsAwsCli = p;
        row({
          id: '1b',
          what: '`mfa-tray refresh <p> --code …` against the aws CLI workflow',
          figure: fmt(p.medianB),
          baseline: `\`aws sts get-session-token\` + 3× \`aws configure set\` (${raw.awsVersion}): ${fmt(p.medianA)}`,
          ratio: `${fmtRatio(p, 1).replace('×', '× faster')}`,
          goal: '≥ 5× faster',
          met: p.ratio >= 5,
        });
      }
    }

    // ── 6. refresh --all of 8 profiles with generated codes, against refreshing one ──
    if (wanted(6)) {
      const COUNT = 8;
      section(`6. refresh --all of ${COUNT} profiles with generated codes, against one`);
      const refreshed = async (world, names) => {
        const profiles = await readProfiles(world.files);
        const missing = names.filter((n) => !profiles[n]?.aws_session_token);
        if (missing.length) throw new Error(`mfa-tray refresh did not write the sessions of ${missing.join(', ')}`);
      };
      const identityCallsBefore = sts.count('GetCallerIdentity');
      const p = await pairedRatio(
        async ({ all }) => {
          await sts.avoidStepEdge(6000);
          const result = await mustRun('mfa-tray refresh --all', process.execPath, [cli, 'refresh', '--all'], { env: all.world.cliEnv });
          await refreshed(all.world, all.names);
          return result.ms;
        },
        async ({ one }) => {
          await sts.avoidStepEdge(6000);
          const result = await mustRun('mfa-tray refresh <one>', process.execPath, [cli, 'refresh', one.names[0]], { env: one.world.cliEnv });
          await refreshed(one.world, one.names);
          return result.ms;
        },
        N.refreshAll,
        {
          warmups: 1,
          // Two fresh worlds a round (every device's code of this time step unused), each with the
          // clock offset remembered as after any recent refresh.
          prepare: async (i) => {
            for (const w of worlds.filter((w) => w.dir.includes('refresh-all-'))) await w.cleanup();
            const make = async (label, count) => {
              const world = createWorld(`refresh-all-${label}-${i + 1}`);
              const names = Array.from({ length: count }, (_, k) => `${label}${k}`);
              await world.addMany(names.map((name) => ({ name, totp: true })));
              world.rememberClockOffset();
              return { world, names };
            };
            return { all: await make('all', COUNT), one: await make('one', 1) };
          },
        },
      );
      for (const w of worlds.filter((w) => w.dir.includes('refresh-all-'))) await w.cleanup();
      raw.refreshAllVsOne = { profiles: COUNT, getCallerIdentity: sts.count('GetCallerIdentity') - identityCallsBefore, ...p };
      row({
        id: 6,
        what: `\`mfa-tray refresh --all\` over ${COUNT} profiles (${COUNT} devices, codes generated from their TOTP secrets)`,
        figure: fmt(p.medianA),
        baseline: `\`mfa-tray refresh <p>\` of one such profile: ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: '≈ one refresh: ≤ 1.5×',
        met: p.ratio <= 1.5,
      });
    }

    // ── 3. one update of a 1,000-profile credentials file, cold ──
    if (wanted(3)) {
      section('3. one credentials-file update, 1,000 profiles, in a fresh process');
      const original = largeCredentialsFile(1000);
      const start = original.indexOf('[target0]');
      const end = original.indexOf('\n[', start + 1) + 1;
      // The write child runs as `mfa-tray refresh` runs: its bundle compiled by the command's
      // loader, from the code cache its first run made in `configDir` (as the config folder keeps
      // the command's), or, with no config folder, compiled afresh (the first run after an install).
      const loader = join(dist, 'cli-loader.cjs');
      const runWriteChild = async (word, configDir, config) => {
        const result = await mustRun(`the write child (${word})`, process.execPath, [
          '-e',
          `require(${JSON.stringify(loader)}).loadCommandBundle(${JSON.stringify(join(bundles, 'write.cjs'))}, [${JSON.stringify(word)}], { ...process.env, MFA_TRAY_CONFIG_DIR: ${JSON.stringify(configDir)} })`,
          JSON.stringify(config),
        ]);
        return JSON.parse(result.stdout.trim().split('\n').at(-1));
      };
      // The floor (bench/floor-write.mjs): the same write with nothing but a read, a string swap, a
      // temp file, its fsync, the rename and the folder's fsync, in a fresh plain Node process; with
      // Node's promises as the engine writes, and with its synchronous calls. On a copy of its own.
      const runFloor = async (config) =>
        JSON.parse(
          (await mustRun('bench/floor-write.mjs', process.execPath, [join(root, 'bench', 'floor-write.mjs'), JSON.stringify(config)])).stdout
            .trim()
            .split('\n')
            .at(-1),
        ).coldMs;
      const measureWrites = async (dir) => {
        const path = join(dir, 'credentials');
        writeFileSync(path, original, { mode: 0o600 });
        const floorPath = join(dir, 'floor-credentials');
        writeFileSync(floorPath, original, { mode: 0o600 });
        const configDir = mkdtempSync(join(tmpdir(), 'mfa-tray-bench-write-config-'));
        const noConfigDir = join(configDir, 'none');
        const cold = [];
        const coldUncached = [];
        const editCold = [];
        const floor = [];
        const floorSync = [];
        let warm;
        // The code caches as the warm-up runs made them: a cache V8 rejected would be made again.
        const cacheFiles = () => {
          const folder = join(configDir, 'code-cache');
          if (!existsSync(folder)) throw new Error(`the write children kept no code cache in ${folder} (is the temp folder one the loader refuses?)`);
          return readdirSync(folder)
            .map((name) => `${name} ${statSync(join(folder, name)).ino}`)
            .sort();
        };
        let made;
        try {
          for (let k = 0; k < N.writes + 1; k += 1) {
            const config = { path, section: 'target0', session: versionSession(k + 1), warm: k === N.writes ? (quick ? 8 : 30) : 0 };
            const answer = await runWriteChild('write', configDir, config);
            // The INI edit alone, in a fresh process too.
            const edit = await runWriteChild('edit', configDir, { ...config, editOnly: true });
            // Paired: the floors right after the write they are compared with, in turns.
            const floorConfig = { path: floorPath, section: 'target0', session: config.session };
            let floorMs;
            let floorSyncMs;
            if (k % 2 === 0) {
              floorMs = await runFloor(floorConfig);
              floorSyncMs = await runFloor({ ...floorConfig, sync: true });
            } else {
              floorSyncMs = await runFloor({ ...floorConfig, sync: true });
              floorMs = await runFloor(floorConfig);
            }
            if (k === 0) {
              made = cacheFiles(); // warm-up: the page cache, and the code caches made
              continue;
            }
            if (k === N.writes) {
              warm = answer.warmMs;
              continue;
            }
            cold.push(answer.coldMs);
            editCold.push(edit.coldMs);
            floor.push(floorMs);
            floorSync.push(floorSyncMs);
            coldUncached.push((await runWriteChild('write', noConfigDir, { ...config, session: versionSession(k + 101) })).coldMs);
          }
          const used = cacheFiles();
          if (made.length !== 2 || used.join('\n') !== made.join('\n'))
            throw new Error(`the write children's code caches were not used as made: ${made.join(', ')} → ${used.join(', ')}`);
        } finally {
          rmSync(configDir, { recursive: true, force: true });
        }
        const after = readFileSync(path, 'latin1');
        const ratios = cold.map((ms, k) => ms / floor[k]);
        return {
          cold,
          coldUncached,
          editCold,
          floor,
          floorSync,
          overFloor: { ratios, ratio: median(ratios), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) },
          warm,
          outsideUnchanged: after.startsWith(original.slice(0, start)) && after.endsWith(original.slice(end)) && after !== original,
        };
      };
      const diskDir = join(work, 'disk');
      mkdirSync(diskDir);
      const onDisk = await measureWrites(diskDir);
      const disk = diskOf(diskDir);
      let onTmpfs;
      const noMount = whyNoMount();
      if (noMount === undefined) {
        const tmpfsDir = join(work, 'tmpfs');
        mkdirSync(tmpfsDir);
        const unmount = mountTmpfs(tmpfsDir, 8192);
        try {
          onTmpfs = await measureWrites(tmpfsDir);
        } finally {
          unmount();
        }
      }
      const { withSession } = await import('../main/engine/files/credentials-file.ts');
      const editTimes = [];
      for (let k = 0; k < 30; k += 1) {
        const t0 = performance.now();
        withSession(original, 'target0', versionSession(k));
        editTimes.push(performance.now() - t0);
      }
      raw.update = { bytes: Buffer.byteLength(original), disk, onDisk, onTmpfs, tmpfs: noMount ?? 'mounted', editOnlyWarmMs: editTimes.slice(5) };
      const unchanged = onDisk.outsideUnchanged && (onTmpfs?.outsideUnchanged ?? true);
      const cold = median(onDisk.cold);
      row({
        id: 3,
        what: `one writeSession into a ${fmtBytes(Buffer.byteLength(original))}, 1,000-profile file, cold: a fresh process compiled as \`mfa-tray refresh\` is (the command's bundle and loader, with its code cache), the call alone timed (lock, read, edit, temp file, fsync, re-read, rename, fsync folder)`,
        figure: `${fmt(cold)} on this disk (${disk})${onTmpfs ? `, ${fmt(median(onTmpfs.cold))} on tmpfs` : `; tmpfs not measured (${noMount})`}; without the code cache (the first run after an install) ${fmt(median(onDisk.coldUncached))}${onTmpfs ? ` and ${fmt(median(onTmpfs.coldUncached))}` : ''}; the INI edit alone, cold: ${fmt(median(onDisk.editCold))}`,
        baseline: `the floor (bench/floor-write.mjs: read, swap the section's text, temp file, fsync, rename, fsync folder; nothing else) in a fresh process: ${fmt(median(onDisk.floor))} on this disk${onTmpfs ? `, ${fmt(median(onTmpfs.floor))} on tmpfs` : ''}; with synchronous calls ${fmt(median(onDisk.floorSync))}${onTmpfs ? ` and ${fmt(median(onTmpfs.floorSync))}` : ''}; bytes outside the section unchanged: ${unchanged ? 'yes' : 'NO'}; ${onDisk.cold.length} processes each`,
        ratio: `${fmtRatio(onDisk.overFloor)} the floor on this disk${onTmpfs ? `, ${fmtRatio(onTmpfs.overFloor)} on tmpfs` : ''}`,
        goal: '< 5 ms, cold, bytes outside unchanged',
        met: cold < 5 && unchanged,
      });
      row({
        id: '3b',
        what: 'the same write, warm (the median of many writes in one process), for comparison',
        figure: `${fmt(onDisk.warm)} on this disk${onTmpfs ? `, ${fmt(onTmpfs.warm)} on tmpfs` : ''}; the INI edit alone, warm ${fmt(median(raw.update.editOnlyWarmMs))}`,
        goal: 'report',
      });
    }

    // ── 3r. the same write as a refresh makes it, timed inside the command ──
    if (wanted('3r')) {
      section('3r. one credentials-file update, 1,000 profiles, inside `mfa-tray refresh`, against the floor inside the bare-SDK refresh');
      // Each side's file starts as row 3's, with the sections the rounds write into (each round a
      // user of its own: a code goes to STS once). Ours: the write as `mfa-tray refresh` makes it,
      // the command's first (cold), with what the refresh did before it (the keychain, STS) done,
      // published by credentials-file.ts and kept by bench/write-times.cjs. The floor's: floor-write's
      // write, after its GetSessionToken (bench/floor-refresh.mjs --section-write).
      const big = createWorld('write-in-refresh');
      const ours = big.files.AWS_SHARED_CREDENTIALS_FILE;
      const floorFile = join(big.dir, 'floor-credentials');
      mkdirSync(dirname(ours), { recursive: true });
      writeFileSync(ours, largeCredentialsFile(1000), { mode: 0o600 });
      writeFileSync(floorFile, largeCredentialsFile(1000), { mode: 0o600 });
      const times = join(big.dir, 'write-times.jsonl');
      const stale = { ...versionSession(1), expiresAt: Date.now() + 3600_000 };
      const p = await pairedRatio(
        async (round) => {
          await sts.avoidStepEdge(3000);
          rmSync(times, { force: true });
          await mustRun(
            'mfa-tray refresh',
            process.execPath,
            ['--require', join(root, 'bench', 'write-times.cjs'), cli, 'refresh', round.name, '--code', sts.currentCode(round.ours)],
            {
              env: { ...big.cliEnv, MFA_TRAY_BENCH_WRITE_TIMES: times },
            },
          );
          const [first] = JSON.parse(readFileSync(times, 'utf8').trim());
          if ((await readProfiles(big.files))[round.name]?.aws_session_token !== sts.sessions.at(-1)?.sessionToken || typeof first !== 'number')
            throw new Error('mfa-tray refresh did not write the session it got, or its write was not timed');
          return first;
        },
        async (round) => {
          await sts.avoidStepEdge(3000);
          const { floor } = round;
          const result = await mustRun(
            'bench/floor-refresh.mjs --section-write',
            process.execPath,
            [
              'bench/floor-refresh.mjs',
              round.floorSection,
              floor.accessKeyId,
              floor.secretAccessKey,
              floor.mfaSerial,
              sts.currentCode(floor),
              floorFile,
              '--section-write',
            ],
            { env: big.cliEnv },
          );
          if (!readFileSync(floorFile, 'utf8').includes(sts.sessions.at(-1)?.sessionToken))
            throw new Error('bench/floor-refresh.mjs did not write the session it got');
          return JSON.parse(result.stdout.trim().split('\n').at(-1)).writeMs;
        },
        N.refreshes,
        {
          warmups: 1,
          prepare: async (i) => {
            const name = `w${i + 1}`;
            const floorSection = `floor${i + 1}`;
            appendFileSync(
              floorFile,
              `\n[${floorSection}]\naws_access_key_id = ${stale.accessKeyId}\naws_secret_access_key = ${stale.secretAccessKey}\naws_session_token = ${stale.sessionToken}\n`,
            );
            return { name, floorSection, ours: await big.add(name, { session: stale }), floor: sts.registerUser() };
          },
        },
      );
      await big.cleanup();
      raw.writeInRefresh = p;
      row({
        id: '3r',
        what: 'the same update (1,000-profile file, cold: the first of its process) as `mfa-tray refresh <p> --code …` makes it, timed inside the command (after its keychain and STS calls, as in every refresh)',
        figure: fmt(p.medianA),
        baseline: `the floor's write (bench/floor-write.mjs's) inside the bare-SDK refresh (bench/floor-refresh.mjs --section-write): ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: 'report (row 3 in a refresh)',
      });
    }

    // ── 4. the engine's memory with 100 profiles ──
    const memoryWorlds = {};
    const memoryWorld = async (count) => {
      if (memoryWorlds[count]) return memoryWorlds[count];
      const world = createWorld(`engine-${count}`);
      await world.addMany(
        // p0 with its TOTP secret: row 4's idle figure refreshes it (as watch's first refresh: on Linux in the AWS helper).
        Array.from({ length: count }, (_, i) => ({
          name: `p${i}`,
          totp: i === 0,
          session: { ...versionSession(i), expiresAt: Date.now() + (1 + (i % 12)) * 3600_000 },
        })),
      );
      memoryWorlds[count] = world;
      return world;
    };
    if (wanted(4)) {
      section('4. engine memory, 100 profiles');
      const measureMemory = async (childArgs, runs = N.memory) => {
        const samples = [];
        for (let i = 0; i < runs; i += 1) {
          const result = await mustRun('a memory child', process.execPath, ['--expose-gc', ...childArgs]);
          const last = result.stdout.trim().split('\n').at(-1);
          if (!last) throw new Error(`a memory child printed nothing: ${firstLine(result.stderr) || 'no error either'}`);
          samples.push(JSON.parse(last));
        }
        const pick = (key) => median(samples.map((s) => (s.memory ?? s)[key]));
        const part = (key) => median(samples.map((s) => s.parts?.[key] ?? Number.NaN));
        return {
          rss: pick('rss'),
          heapUsed: pick('heapUsed'),
          external: pick('external'),
          valid: samples[0].valid,
          helperRss: median(samples.map((s) => s.helperRss ?? 0)),
          awsHelperRss: median(samples.map((s) => s.awsHelperRss ?? 0)),
          parts: samples[0].parts && { node: part('node'), libraries: part('libraries'), jsHeap: part('jsHeap'), otherNative: part('otherNative') },
        };
      };
      const printMemory = `for (let i = 0; i < 3; i += 1) gc(); setTimeout(() => { gc(); console.log(JSON.stringify({ memory: process.memoryUsage(), parts: require(${JSON.stringify(join(root, 'bench', 'rss-parts.cjs'))}).rssParts() })); }, 100);`;
      const baseline = await measureMemory(['-e', printMemory]);
      // The keychain module alone (keytar, libsecret, GLib, a D-Bus connection): native memory the engine pulls in.
      const keytarOnly = await measureMemory([
        '-e',
        `const k = require(${JSON.stringify(keytarPath)}); k.getPassword('MFA Tray bench: none', 'none').then(() => { ${printMemory} });`,
      ]);
      const engine0 = await measureMemory([join(bundles, 'memory.mjs'), (await memoryWorld(0)).childConfig]);
      const engine5 = await measureMemory([join(bundles, 'memory.mjs'), (await memoryWorld(5)).childConfig]);
      const engine100 = await measureMemory([join(bundles, 'memory.mjs'), (await memoryWorld(100)).childConfig]);
      // The same after one refresh (generated code, the loopback STS: on Linux made in the AWS helper, as
      // watch makes it; elsewhere the AWS SDK is loaded by the first refresh and kept) and then 30 s idle, as watch sits between refreshes (V8's memory reducer has
      // run), against a bare Node process idle as long: what watch holds most of its life. Fewer runs:
      // each takes 30 s.
      const settleMs = quick ? 10_000 : 30_000;
      const idleRuns = quick ? 1 : 2;
      const baselineIdle = await measureMemory(['-e', `setTimeout(() => { ${printMemory} }, ${settleMs});`], idleRuns);
      const idleConfig = { ...JSON.parse((await memoryWorld(100)).childConfig), settleMs, stsEndpoint: sts.endpoint, refresh: 'p0' };
      const engine100Idle = await measureMemory([join(bundles, 'memory.mjs'), JSON.stringify(idleConfig)], idleRuns);
      raw.memory = { baseline, keytarOnly, engine0, engine5, engine100, baselineIdle, engine100Idle, settleMs };
      const rss = engine100.rss - baseline.rss;
      const heap = engine100.heapUsed - baseline.heapUsed;
      const rssIdle = engine100Idle.rss - baselineIdle.rss;
      // Where the RSS over Node is (Linux): see bench/rss-parts.cjs.
      const over = (key) => fmtSigned(engine100.parts[key] - baseline.parts[key]);
      const where =
        engine100.parts && baseline.parts
          ? `; the RSS over Node by where it is: Node's own code paged in ${over('node')}, libraries ${over('libraries')}, JS heap ${over('jsHeap')}, other native memory ${over('otherNative')}`
          : '';
      row({
        id: 4,
        what: 'the engine started with 100 profiles as `watch` starts it (its status, then the keeper from those listings: states loaded, scheduler timer set), over a bare Node process, after GC',
        figure: `after a refresh and ${settleMs / 1000} s idle (what it holds between refreshes): RSS ${fmtSigned(rssIdle)}, JS heap ${fmtSigned(engine100Idle.heapUsed - baselineIdle.heapUsed)} (${idleRuns} runs); at once after its start: RSS ${fmtSigned(rss)}, JS heap ${fmtSigned(heap)}`,
        baseline: `node: RSS ${fmtBytes(baseline.rss)}, heap ${fmtBytes(baseline.heapUsed)}; keytar + libsecret + one keychain call alone, in a bare process (on Linux now in the keychain helper, not in the engine's process) ${fmtSigned(keytarOnly.rss - baseline.rss)}, the engine with no profile ${fmtSigned(engine0.rss - baseline.rss)}; its keychain helper meanwhile (a process of its own, ended 3 s after its last call) RSS ${fmtBytes(engine100.helperRss)}, its AWS helper right after the refresh (a process of its own, ended 30 s after its last call) RSS ${fmtBytes(engine100Idle.awsHelperRss)}; each profile past 5: RSS ${fmtBytes((engine100.rss - engine5.rss) / 95)}, heap ${fmtBytes((engine100.heapUsed - engine5.heapUsed) / 95)}${where}`,
        goal: '< 10 MB (RSS, idle)',
        met: rssIdle < 10 * 1024 * 1024,
      });
      if (engine100.valid !== 100) console.log(`     note: only ${engine100.valid} of 100 profiles were valid`);
    }

    // ── 7. status with 100 profiles against status with 1 ──
    if (wanted(7)) {
      section('7. status, 100 profiles against 1');
      const many = await memoryWorld(100);
      const one = await memoryWorld(1);
      const p = await pairedRatio(
        async () => (await mustRun('mfa-tray status (100 profiles)', process.execPath, [...profiled('status-100'), cli, 'status'], { env: many.cliEnv })).ms,
        async () => (await mustRun('mfa-tray status (1 profile)', process.execPath, [...profiled('status-1'), cli, 'status'], { env: one.cliEnv })).ms,
        N.status,
        { warmups: 1 },
      );
      raw.statusManyVsOne = p;
      row({
        id: 7,
        what: '`mfa-tray status` with 100 profiles (each with a cached session)',
        figure: fmt(p.medianA),
        baseline: `with 1 profile: ${fmt(p.medianB)}`,
        ratio: fmtRatio(p),
        goal: '< 2×',
        met: p.ratio < 2,
      });
    }

    // ── 5. bundle size, and start-up until the tray menu model is ready ──
    if (wanted(5, '5b')) {
      section('5. bundle size and start-up');
      // main.mjs starts the tray by importing its chunk (tray-main-*) at run time: that is loaded too.
      const mainEntry = join(dist, 'main.mjs');
      const trayChunks = existsSync(mainEntry)
        ? [...readFileSync(mainEntry, 'utf8').matchAll(/import\(\s*["'](\.\/chunks\/tray-main-[^"']+\.mjs)["']\s*\)/g)].map((m) => join(dist, m[1]))
        : [];
      const mainGraph = staticGraph(mainEntry, ...trayChunks);
      const sizes = {
        mainStatic: existsSync(join(dist, 'main.mjs')) ? mainGraph : undefined,
        credentialProcessPath: raw.credentialProcessLoads,
        chunksAll: folderBytes(join(dist, 'chunks'), (name) => name.endsWith('.mjs')),
        allScripts: folderBytes(dist, (name) => /\.(mjs|cjs)$/.test(name)) - folderBytes(join(dist, 'renderer'), (name) => /\.(mjs|cjs)$/.test(name)),
        preload: existsSync(join(dist, 'preload.cjs')) ? statSync(join(dist, 'preload.cjs')).size : undefined,
        renderer: folderBytes(join(dist, 'renderer'), (name) => !name.endsWith('.map')),
      };
      raw.bundle = sizes;
      row({
        id: 5,
        what: 'built bundles (app/dist, without source maps)',
        figure:
          `the tray app's start (main.mjs, ${trayChunks.length ? 'its tray chunk ' : ''}and their static chunks: ${sizes.mainStatic ? `${sizes.mainStatic.files} files` : ''}) ${sizes.mainStatic ? fmtBytes(sizes.mainStatic.bytes) : 'not built'}; what \`credential-process\` loads for a cached session ` +
          `${cpPath ? `${fmtBytes(cpPath.bytes)} (${cpPath.describe})` : 'n/a (unknown layout)'}; every script of app/dist but the renderer's ${fmtBytes(sizes.allScripts)}`,
        baseline: `preload ${sizes.preload ? fmtBytes(sizes.preload) : '-'}, renderer ${fmtBytes(sizes.renderer)}`,
        goal: 'report',
      });
      const five = await memoryWorld(5);
      const hundred = await memoryWorld(100);
      const menu = async (world) => (await mustRun('the menu child', process.execPath, [join(bundles, 'menu.mjs'), world.childConfig])).ms;
      const p5 = await pairedRatio(
        () => menu(five),
        async () => (await mustRun('node -e 0', process.execPath, [...profiled('node'), '-e', '0'])).ms,
        N.menu,
        {
          warmups: 1,
          extra: { hundred: () => menu(hundred) },
        },
      );
      const r100 = median(p5.extras.hundred.map((ms, k) => ms / p5.b[k]));
      raw.menuReady = { ...p5, ratio100: r100 };
      row({
        id: '5b',
        what: 'process start until the tray menu model is ready (engine, tray source and menu model, bundled as main.mjs is; Electron itself excluded)',
        figure: `${fmt(p5.medianA)} with 5 profiles, ${fmt(median(p5.extras.hundred))} with 100`,
        baseline: `\`node -e 0\`: ${fmt(p5.medianB)}`,
        ratio: `${p5.ratio.toFixed(1)}× / ${r100.toFixed(1)}× (${p5.ratios.length} rounds)`,
        goal: 'report',
      });
    }

    // ── 4b. the soak: the engine as watch runs it, 100 profiles, a fast clock ──
    if (wanted('4b')) {
      const hours = soakPlan.simulatedMs / 3600_000;
      section(
        `4b. soak: 100 self-refreshing profiles, ${hours >= 48 ? `${hours / 24} days` : `${hours} h`} of simulated time (at most ${soakPlan.wallBudgetMs / 1000} s)`,
      );
      const world = createWorld('soak');
      // 5 sessions last an hour (refreshed 10 min before they end: ~29 times a day), the other 95
      // 12 h (twice a day): ~340 refreshes a day; the first expiries spread over one lifetime.
      const now = Date.now();
      const setupStarted = performance.now();
      await world.addMany(
        Array.from({ length: 100 }, (_, i) => {
          const durationSeconds = i % 20 === 0 ? 3600 : 43200;
          const firstExpiry = now + 11 * 60_000 + Math.round((((i * 37) % 100) / 100) * (durationSeconds * 1000 - 11 * 60_000));
          return { name: `s${i}`, totp: true, durationSeconds, session: { ...versionSession(i), expiresAt: firstExpiry } };
        }),
      );
      // The credentials file there already, as for anyone who uses it: the keeper watches its folder.
      mkdirSync(dirname(world.files.AWS_SHARED_CREDENTIALS_FILE), { recursive: true });
      writeFileSync(world.files.AWS_SHARED_CREDENTIALS_FILE, '', { mode: 0o600 });
      console.log(`     (set up in ${fmt(performance.now() - setupStarted)})`);
      const config = JSON.stringify({ ...JSON.parse(world.childConfig), stsEndpoint: sts.endpoint, ...soakPlan });
      const gotBefore = sts.count('GetSessionToken');
      const result = await new Promise((resolve, reject) => {
        const child = fork(join(bundles, 'soak.mjs'), [config], { execArgv: ['--expose-gc'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: world.cliEnv });
        let stderr = '';
        let answer;
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.stdout.on('data', () => undefined);
        const watchdog = setTimeout(() => child.kill('SIGKILL'), soakPlan.wallBudgetMs + 90_000);
        child.on('message', (message) => {
          if (message.skewMs !== undefined) {
            sts.setClockSkew(message.skewMs);
            child.send({ ok: true });
          } else if (message.result) answer = message.result;
        });
        child.on('error', reject);
        child.on('close', (status, signal) => {
          clearTimeout(watchdog);
          sts.setClockSkew(0);
          if (status === 0 && answer) resolve(answer);
          else reject(new Error(`the soak child failed (${signal ?? `exit ${status}`}): ${firstLine(stderr) || 'no result'}`));
        });
      });
      // keytar alone, in a bare process, on the same 100 session entries: what each kind of call keeps.
      const keytarAlone = JSON.parse(
        (
          await mustRun('bench/keytar-child.mjs', process.execPath, [
            '--expose-gc',
            'bench/keytar-child.mjs',
            keytarPath,
            `${world.keychain.prefix}: session`,
            String(keytarAlonePlan.listings),
            String(keytarAlonePlan.reads),
          ])
        ).stdout
          .trim()
          .split('\n')
          .at(-1),
      );
      await world.cleanup();
      const { samples, counts } = result;
      const first = samples[0];
      const second = samples[1] ?? first;
      const last = samples.at(-1);
      // Least-squares slope over the samples from the second on (the first is before any refresh).
      const slope = (key) => leastSquaresSlope(samples.slice(1).map((s) => [s.simulatedMs / 86_400_000, s[key]]));
      const heapGrowth = last.heapUsed - second.heapUsed;
      const rssGrowth = last.rss - second.rss;
      const simulatedDays = last.simulatedMs / 86_400_000;
      raw.soak = {
        plan: soakPlan,
        ...result,
        sentToSts: sts.count('GetSessionToken') - gotBefore,
        heapSlopePerDay: slope('heapUsed'),
        rssSlopePerDay: slope('rss'),
        keytarAlone,
      };
      const span = simulatedDays >= 2 ? `${simulatedDays.toFixed(1)} days` : `${(last.simulatedMs / 3600_000).toFixed(1)} h`;
      row({
        id: '4b',
        what: `soak: the engine as \`watch\` runs it, 100 profiles refreshed unattended (generated codes, loopback STS), a fast clock moved 5 min at a time: ${span} simulated in ${Math.round(last.wallMs / 1000)} s${result.endedEarly ? ' (the wall-clock budget ended it early)' : ''}, ${counts.refreshed} refreshes (${counts.failed} failed${result.lastFailure ? `, last: ${result.lastFailure}` : ''}${result.stalls ? `, ${result.stalls} waits cut short` : ''}), ${last.listings} keychain listings, memory after GC sampled ${samples.length} times (the keeper's re-reads run on real time: see 4c)`,
        figure: `heap ${fmtBytes(first.heapUsed)} → ${fmtBytes(second.heapUsed)} → ${fmtBytes(last.heapUsed)} (${fmtSigned(heapGrowth)}, slope ${fmtSigned(slope('heapUsed'))}/day); RSS ${fmtBytes(first.rss)} → ${fmtBytes(second.rss)} → ${fmtBytes(last.rss)} (${fmtSigned(rssGrowth)}, slope ${fmtSigned(slope('rss'))}/day)`,
        baseline: `its own first samples (start; after the first interval)${
          last.parts && second.parts
            ? `; the RSS growth by where it is (bench/rss-parts.cjs): Node's own code paged in ${fmtSigned(last.parts.node - second.parts.node)}, libraries ${fmtSigned(last.parts.libraries - second.parts.libraries)}, JS heap ${fmtSigned(last.parts.jsHeap - second.parts.jsHeap)}, other native memory ${fmtSigned(last.parts.otherNative - second.parts.otherNative)}`
            : ''
        }; its keychain calls made by ${result.helpers.started} (at least: seen every 50 ms) helper processes one after another (each ended 3 s after its last call; the largest ${fmtBytes(result.helpers.rssMax)} RSS); per refresh: RSS ${fmtSigned((last.rss - second.rss) / Math.max(1, last.refreshed - second.refreshed))}, heap ${fmtSigned((last.heapUsed - second.heapUsed) / Math.max(1, last.refreshed - second.refreshed))}, with ${((result.keychainCalls.get ?? 0) / Math.max(1, counts.refreshed)).toFixed(1)} keychain reads and ${((result.keychainCalls.set ?? 0) / Math.max(1, counts.refreshed)).toFixed(1)} writes; keytar alone (a bare process, ${keytarAlone.singleCalls} calls each): getPassword ${fmtSigned(keytarAlone.getPassword.rss)}, setPassword ${fmtSigned(keytarAlone.setPassword.rss)} RSS per call`,
        goal: 'flat: from the 2nd sample to the last, heap < +1 MB and RSS < +5 MB, no refresh failed',
        met: heapGrowth < 1024 * 1024 && rssGrowth < 5 * 1024 * 1024 && counts.failed === 0,
      });
      const { rereads } = result;
      // The slope through the samples taken every tenth of the way (the two ends alone: raw.soak.perRereadEnds).
      const perReread = {
        rss: leastSquaresSlope(rereads.samples.map((s) => [s.count, s.rss])),
        heapUsed: leastSquaresSlope(rereads.samples.map((s) => [s.count, s.heapUsed])),
      };
      const perRereadEnds = {
        rss: (rereads.after.rss - rereads.before.rss) / rereads.count,
        heapUsed: (rereads.after.heapUsed - rereads.before.heapUsed) / rereads.count,
      };
      const REREADS_A_DAY = 2880; // every 30 s
      row({
        id: '4c',
        what: `the keeper's re-read of the 100 profiles and their sessions (what watch's and the tray's tick does every 30 s: ${REREADS_A_DAY.toLocaleString('en-US')} a day), ${rereads.count} in a row after the soak and ${soakPlan.rereadWarmup} more to warm up (${rereads.listings / rereads.count} keychain listings each, ${fmt(rereads.wallMs / rereads.count)} each)`,
        figure: `RSS ${fmtSigned(perReread.rss)}, heap ${fmtSigned(perReread.heapUsed)} per re-read (the slope through ${rereads.samples.length} samples after GC; from the two ends alone: RSS ${fmtSigned(perRereadEnds.rss)}, heap ${fmtSigned(perRereadEnds.heapUsed)}): ${fmtSigned(perReread.rss * REREADS_A_DAY)} RSS and ${fmtSigned(perReread.heapUsed * REREADS_A_DAY)} heap per day of watch`,
        baseline: `keytar's findCredentials over the same ${keytarAlone.entries} entries alone, in a bare process, ${keytarAlone.calls} times: RSS ${fmtSigned(keytarAlone.findCredentials.rss)}, heap ${fmtSigned(keytarAlone.findCredentials.heapUsed)} per call`,
        goal: 'flat: < +5 MB RSS and < +1 MB heap per day of watch',
        met: perReread.rss * REREADS_A_DAY < 5 * 1024 * 1024 && perReread.heapUsed * REREADS_A_DAY < 1024 * 1024,
      });
      raw.soak.perReread = perReread;
      raw.soak.perRereadEnds = perRereadEnds;
    }
  } finally {
    for (const world of [...worlds]) await world.cleanup().catch(() => undefined);
    await sts.close();
    rmSync(bundles, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }

  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: fmtBytes(totalmem()),
    node: process.version,
    kernel: `${process.platform} ${release()} ${process.arch}`,
    disk: diskOf(tmpdir()),
  };
  const order = ['1', '1c', '1b', '2', '3', '3b', '3r', '4', '4b', '4c', '5', '5b', '6', '7'];
  rows.sort((x, y) => order.indexOf(String(x.id)) - order.indexOf(String(y.id)));
  const results = { date: new Date().toISOString(), quick, machine, runs: N, rows, raw };
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node ${machine.node}; ${machine.kernel}; the bench's files on ${machine.disk}${quick ? '; --quick (few runs)' : ''}\n`,
  );
  console.log('| # | what | measured | baseline (same run) | ratio (median of per-pair ratios) | goal | met |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.id} | ${r.what} | ${r.figure} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.goal} | ${metWord(r.met)} |`);
  console.log(`\nbench-results.json written (${Math.round((performance.now() - benchStarted) / 1000)} s).`);
}

function metWord(met) {
  return met === undefined ? '–' : met ? 'yes' : 'no';
}

if (!process.env.MFA_TRAY_BENCH_INNER) {
  outer();
} else {
  try {
    await inner();
  } catch (error) {
    console.error(`npm run bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
