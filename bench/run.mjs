#!/usr/bin/env node
// `npm run bench`: MFA Tray measured against baselines taken in the same run, on the same loopback
// STS server (test/support/sts-server.ts), the same keychain (gnome-keyring in a private D-Bus session
// with a throwaway HOME, as `npm test` runs) and the same files. Every figure is a median of several
// runs and is given with its baseline or as a ratio. Prints a table and writes bench-results.json.
//
//   node bench/run.mjs              build app/dist/ first, then measure
//   node bench/run.mjs --no-build   measure the app/dist/ that is there
//   node bench/run.mjs --quick      fewer runs (a smoke test of the bench itself)
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KEYRING_SESSION_COMMANDS, missingInstallLine, runInKeyringSession } from '../scripts/keyring-session.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');

/** Builds, then runs this script again inside a private D-Bus session with an unlocked keyring. */
function outer() {
  const missing = missingInstallLine(KEYRING_SESSION_COMMANDS);
  if (missing) {
    console.error(`npm run bench: ${missing}`);
    process.exit(1);
  }
  if (!args.includes('--no-build')) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(1);
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
  return (text.trim().split('\n')[0] ?? '').slice(0, 160);
}

const fmt = (ms) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
const fmtBytes = (n) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);

/** A bundle and every chunk it imports statically (what loading it reads), with their sizes. */
function staticGraph(entry) {
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, statSync(file).size);
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["'];?|^import\s*["'](\.{1,2}\/[^"']+)["'];?/gm)) {
      visit(join(dirname(file), match[1] ?? match[2]));
    }
  };
  visit(entry);
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

// ── the measurements ─────────────────────────────────────────────────────────────────────────

async function inner() {
  const { startStsServer } = await import('../test/support/sts-server.ts');
  const { createTestKeychain } = await import('../test/support/keyring.ts');
  const { CredentialsFile, withSession } = await import('../main/engine/files/credentials-file.ts');
  const { largeCredentialsFile, versionSession } = await import('../test/support/fault-versions.ts');
  const { whyNoMount, mountTmpfs } = await import('../test/support/fault-mount.ts');
  const { Engine } = await import('../main/engine/engine.ts');
  const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');

  const cli = join(root, 'bin', 'mfa-tray.js');
  if (!existsSync(join(root, 'app', 'dist', 'cli.mjs'))) {
    console.error('npm run bench: app/dist/cli.mjs is missing; run npm run build (or drop --no-build)');
    process.exit(1);
  }
  const RUNS = quick ? 3 : 7;
  const STARTS = quick ? 5 : 21;
  const sts = await startStsServer();
  const work = mkdtempSync(join(tmpdir(), 'mfa-tray-bench-'));
  const keychain = createTestKeychain('bench');
  const rows = [];
  const raw = {};
  const row = (r) => {
    rows.push(r);
    console.log(`  ${r.id}. ${r.what}: ${r.figure}${r.baseline ? ` vs ${r.baseline}` : ''}${r.ratio ? ` (${r.ratio})` : ''}`);
  };

  const files = {
    HOME: work,
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws', 'credentials'),
    AWS_CONFIG_FILE: join(work, 'aws', 'config'),
    MFA_TRAY_CONFIG_DIR: join(work, 'config'),
  };
  const cliEnv = { ...process.env, ...files, MFA_TRAY_KEYCHAIN_SERVICE: keychain.prefix, AWS_ENDPOINT_URL_STS: sts.endpoint, AWS_DEFAULT_REGION: 'us-east-1' };
  const readProfiles = async () =>
    (await loadSharedConfigFiles({ filepath: files.AWS_SHARED_CREDENTIALS_FILE, configFilepath: files.AWS_CONFIG_FILE, ignoreCache: true })).credentialsFile;

  try {
    // 1. Refresh end to end, against the article's aws CLI workflow.
    console.log('\n1. refresh, end to end');
    const mfaTrayRuns = [];
    let refreshFailure;
    for (let i = 0; i < RUNS; i += 1) {
      const user = sts.registerUser();
      const added = await timed(process.execPath, [cli, 'add', `r${i}`, '--mfa-serial', user.mfaSerial, '--access-key-id', user.accessKeyId], {
        env: cliEnv,
        input: `${user.secretAccessKey}\n`,
      });
      if (added.status !== 0) throw new Error(`mfa-tray add failed: ${added.stderr}`);
      await sts.avoidStepEdge(3000);
      const result = await timed(process.execPath, [cli, 'refresh', `r${i}`, '--code', sts.currentCode(user)], { env: cliEnv });
      const written = (await readProfiles())[`r${i}`]?.aws_session_token === sts.sessions.at(-1)?.sessionToken;
      if (result.status !== 0 || !written) {
        refreshFailure = `mfa-tray refresh failed (exit ${result.status}): ${firstLine(result.stderr)}`;
        break;
      }
      mfaTrayRuns.push(result.ms);
    }
    raw.refreshMfaTrayMs = mfaTrayRuns;
    const awsVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
    const awsAvailable = awsVersion.status === 0;
    const awsRuns = [];
    if (awsAvailable) {
      for (let i = 0; i < RUNS; i += 1) {
        const user = sts.registerUser();
        mkdirSync(dirname(files.AWS_SHARED_CREDENTIALS_FILE), { recursive: true });
        const before = existsSync(files.AWS_SHARED_CREDENTIALS_FILE) ? readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, 'utf8') : '';
        writeFileSync(
          files.AWS_SHARED_CREDENTIALS_FILE,
          `${before}\n[base${i}]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`,
        );
        await sts.avoidStepEdge(6000);
        const awsEnv = { ...process.env, ...files };
        delete awsEnv.AWS_ENDPOINT_URL_STS;
        const started = performance.now();
        const token = await timed(
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
        if (token.status !== 0) throw new Error(`aws sts get-session-token failed: ${token.stderr}`);
        const credentials = JSON.parse(token.stdout).Credentials;
        for (const [key, value] of [
          ['aws_access_key_id', credentials.AccessKeyId],
          ['aws_secret_access_key', credentials.SecretAccessKey],
          ['aws_session_token', credentials.SessionToken],
        ]) {
          const set = await timed('aws', ['configure', 'set', key, value, '--profile', `mfa${i}`], { env: awsEnv });
          if (set.status !== 0) throw new Error(`aws configure set failed: ${set.stderr}`);
        }
        awsRuns.push(performance.now() - started);
        if ((await readProfiles())[`mfa${i}`]?.aws_session_token !== credentials.SessionToken) throw new Error('aws configure set did not write the session');
      }
    }
    raw.refreshAwsCliMs = awsRuns;
    raw.awsVersion = awsAvailable ? awsVersion.stdout.trim() || awsVersion.stderr.trim() : undefined;
    {
      const ours = mfaTrayRuns.length ? median(mfaTrayRuns) : undefined;
      const theirs = awsRuns.length ? median(awsRuns) : undefined;
      const ratio = ours && theirs ? theirs / ours : undefined;
      row({
        id: 1,
        what: '`mfa-tray refresh <p> --code …`, process start until the file holds the session',
        figure: refreshFailure ?? fmt(ours),
        baseline: awsAvailable
          ? `aws sts get-session-token + 3× aws configure set: ${fmt(theirs)} (${raw.awsVersion.split(' ')[0]})`
          : 'aws CLI not installed: no baseline',
        ratio: ratio ? `${ratio.toFixed(1)}× faster` : undefined,
        goal: '≥ 5× faster',
        met: ratio === undefined ? undefined : ratio >= 5,
      });
    }

    // 2. credential-process with a cached session, against a bare Node start.
    console.log('\n2. credential-process with a cached session');
    const engineForCache = new Engine({ env: files, configDir: files.MFA_TRAY_CONFIG_DIR, secretStore: keychain.store });
    const cachedProfile = 'cached';
    {
      const user = sts.registerUser();
      const added = await timed(process.execPath, [cli, 'add', cachedProfile, '--mfa-serial', user.mfaSerial, '--access-key-id', user.accessKeyId], {
        env: cliEnv,
        input: `${user.secretAccessKey}\n`,
      });
      if (added.status !== 0) throw new Error(`mfa-tray add failed: ${added.stderr}`);
      // Cached as a refresh leaves it (12 h left), put there directly so that this measure does not depend on 1.
      await engineForCache.secrets.setSession(cachedProfile, { ...versionSession(1), expiresAt: Date.now() + 12 * 3600_000 });
    }
    const processRuns = [];
    const nodeRuns = [];
    const fastPathRuns = [];
    const keytarRuns = [];
    let processFailure;
    // What main.ts loads for a fresh cached session: cli.mjs, then cached-session's chunk and its static imports.
    const cliEntry = join(root, 'app', 'dist', 'cli.mjs');
    const fastChunk = /["'](\.\/chunks\/cached-session-[^"']+\.mjs)["']/.exec(readFileSync(cliEntry, 'utf8'))?.[1];
    if (!fastChunk) throw new Error('app/dist/cli.mjs does not import a cached-session chunk: has main.ts changed?');
    const fastPathProbe = `await import(${JSON.stringify(pathToFileURL(cliEntry).href.replace(/cli\.mjs$/, fastChunk.slice(2)))})`;
    const keytarProbe = `const k = require(${JSON.stringify(createRequire(join(root, 'package.json')).resolve('keytar'))}); k.getPassword(${JSON.stringify(`${keychain.prefix}: session`)}, ${JSON.stringify(cachedProfile)}).then(() => {});`;
    for (let i = 0; i < STARTS + 2; i += 1) {
      const served = await timed(process.execPath, [cli, 'credential-process', cachedProfile], { env: cliEnv });
      if (served.status !== 0 || !served.stdout.includes('"Version": 1')) {
        processFailure = `credential-process failed (exit ${served.status}): ${firstLine(served.stderr)}`;
        break;
      }
      const bare = await timed(process.execPath, ['-e', '0']);
      const fastPath = await timed(process.execPath, ['--input-type=module', '-e', fastPathProbe], { env: cliEnv });
      const keytar = await timed(process.execPath, ['-e', keytarProbe], { env: cliEnv });
      if (i < 2) continue; // warm-up: the page cache, the keyring daemon
      processRuns.push(served.ms);
      nodeRuns.push(bare.ms);
      fastPathRuns.push(fastPath.ms);
      keytarRuns.push(keytar.ms);
    }
    raw.credentialProcessMs = processRuns;
    raw.nodeStartMs = nodeRuns;
    raw.loadFastPathModulesMs = fastPathRuns;
    raw.nodeKeytarOneReadMs = keytarRuns;
    const entryGraph = staticGraph(cliEntry);
    const fastGraph = staticGraph(join(root, 'app', 'dist', fastChunk));
    const loaded = { files: entryGraph.files + fastGraph.files, bytes: entryGraph.bytes + fastGraph.bytes };
    raw.credentialProcessLoads = loaded;
    {
      const ratio = processRuns.length ? median(processRuns) / median(nodeRuns) : undefined;
      row({
        id: 2,
        what: '`mfa-tray credential-process <p>` with a cached session',
        figure: processFailure ?? fmt(median(processRuns)),
        baseline: `node -e 0: ${fmt(median(nodeRuns))}`,
        ratio: ratio ? `${ratio.toFixed(2)}×` : undefined,
        goal: '≤ 1.5×',
        met: ratio === undefined ? undefined : ratio <= 1.5,
      });
      raw.credentialProcessBreakdown = {
        nodeStartMs: median(nodeRuns),
        loadModulesMs: median(fastPathRuns) - median(nodeRuns),
        keytarLoadAndOneReadMs: median(keytarRuns) - median(nodeRuns),
        restMs: processRuns.length ? median(processRuns) - median(fastPathRuns) - (median(keytarRuns) - median(nodeRuns)) : undefined,
        modulesLoaded: `${loaded.files} files, ${fmtBytes(loaded.bytes)}`,
      };
      console.log(
        `     breakdown: node ${fmt(median(nodeRuns))}; + loading the ${loaded.files} modules of this path (${fmtBytes(loaded.bytes)}) ${fmt(median(fastPathRuns) - median(nodeRuns))}; ` +
          `+ keytar and one keychain read ${fmt(median(keytarRuns) - median(nodeRuns))}`,
      );
    }

    // 3. One credentials-file update in a file of 1,000 profiles.
    console.log('\n3. one credentials-file update, 1,000 profiles');
    const original = largeCredentialsFile(1000);
    const start = original.indexOf('[target0]');
    const end = original.indexOf('\n[', start + 1) + 1;
    const measureUpdates = async (dir) => {
      const path = join(dir, 'credentials');
      writeFileSync(path, original, { mode: 0o600 });
      const file = new CredentialsFile({ path });
      const times = [];
      for (let k = 1; k <= (quick ? 8 : 30); k += 1) {
        const t0 = performance.now();
        await file.writeSession('target0', versionSession(k));
        times.push(performance.now() - t0);
      }
      const after = readFileSync(path, 'latin1');
      return {
        times: times.slice(3),
        outsideUnchanged: after.startsWith(original.slice(0, start)) && after.endsWith(original.slice(end)) && after !== original,
      };
    };
    const diskDir = join(work, 'disk');
    mkdirSync(diskDir);
    const onDisk = await measureUpdates(diskDir);
    raw.updateOnDiskMs = onDisk.times;
    let onTmpfs;
    if (whyNoMount() === undefined) {
      const tmpfsDir = join(work, 'tmpfs');
      mkdirSync(tmpfsDir);
      const unmount = mountTmpfs(tmpfsDir, 8192);
      try {
        onTmpfs = await measureUpdates(tmpfsDir);
      } finally {
        unmount();
      }
      raw.updateOnTmpfsMs = onTmpfs.times;
    }
    const editTimes = [];
    for (let k = 0; k < 30; k += 1) {
      const t0 = performance.now();
      withSession(original, 'target0', versionSession(k));
      editTimes.push(performance.now() - t0);
    }
    raw.editOnlyMs = editTimes.slice(5);
    {
      const ms = median(onDisk.times);
      row({
        id: 3,
        what: `one writeSession into a ${fmtBytes(Buffer.byteLength(original))}, 1,000-profile file (lock, read, edit, temp file, fsync, re-read, rename, fsync folder)`,
        figure: `${fmt(ms)} on this disk (ext4)${onTmpfs ? `, ${fmt(median(onTmpfs.times))} on tmpfs` : ''}; the edit alone ${fmt(median(raw.editOnlyMs))}`,
        baseline: `bytes outside the section unchanged: ${onDisk.outsideUnchanged && (onTmpfs?.outsideUnchanged ?? true) ? 'yes' : 'NO'}`,
        goal: '< 5 ms',
        met: ms < 5 && onDisk.outsideUnchanged,
      });
    }

    // 4. The engine's memory with 100 profiles and their timers.
    console.log('\n4. engine memory, 100 profiles');
    const { build } = await import('esbuild');
    const bundles = mkdtempSync(join(tmpdir(), 'mfa-tray-bench-bundles-'));
    const keytarPath = createRequire(join(root, 'package.json')).resolve('keytar');
    await build({
      absWorkingDir: root,
      entryPoints: { memory: 'bench/memory-child.mjs', menu: 'bench/menu-child.mjs' },
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
      plugins: [{ name: 'keytar-from-checkout', setup: (b) => b.onResolve({ filter: /^keytar$/ }, () => ({ path: keytarPath, external: true })) }],
    });
    const worlds = {};
    for (const count of [0, 5, 100]) {
      const dir = join(work, `engine-${count}`);
      const env = {
        HOME: dir,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
        AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
        MFA_TRAY_CONFIG_DIR: join(dir, 'config'),
      };
      const kc = createTestKeychain(`bench${count}`);
      const engine = new Engine({ env, configDir: env.MFA_TRAY_CONFIG_DIR, secretStore: kc.store });
      for (let i = 0; i < count; i += 1) {
        const user = sts.registerUser();
        await engine.addProfile({ name: `p${i}`, mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
        await engine.secrets.setSession(`p${i}`, { ...versionSession(i), expiresAt: Date.now() + (1 + (i % 12)) * 3600_000 });
      }
      worlds[count] = { config: JSON.stringify({ env, configDir: env.MFA_TRAY_CONFIG_DIR, keychainPrefix: kc.prefix }), keychain: kc };
    }
    const measureMemory = async (childArgs) => {
      const samples = [];
      for (let i = 0; i < (quick ? 2 : 5); i += 1) {
        const result = await timed(process.execPath, ['--expose-gc', ...childArgs]);
        if (result.status !== 0) throw new Error(`memory child failed: ${result.stderr}`);
        samples.push(JSON.parse(result.stdout.trim().split('\n').at(-1)));
      }
      const pick = (key) => median(samples.map((s) => (s.memory ?? s)[key]));
      return { rss: pick('rss'), heapUsed: pick('heapUsed'), external: pick('external'), valid: samples[0].valid };
    };
    const baseline = await measureMemory([
      '-e',
      'for (let i = 0; i < 3; i += 1) gc(); setTimeout(() => { gc(); console.log(JSON.stringify(process.memoryUsage())); }, 100);',
    ]);
    // The keychain module alone (keytar, libsecret, GLib, a D-Bus connection): native memory the engine pulls in.
    const keytarOnly = await measureMemory([
      '-e',
      `const k = require(${JSON.stringify(keytarPath)}); k.getPassword('MFA Tray bench: none', 'none').then(() => { for (let i = 0; i < 3; i += 1) gc(); setTimeout(() => { gc(); console.log(JSON.stringify(process.memoryUsage())); }, 100); });`,
    ]);
    const engine0 = await measureMemory([join(bundles, 'memory.mjs'), worlds[0].config]);
    const engine5 = await measureMemory([join(bundles, 'memory.mjs'), worlds[5].config]);
    const engine100 = await measureMemory([join(bundles, 'memory.mjs'), worlds[100].config]);
    raw.memory = { baseline, keytarOnly, engine0, engine5, engine100 };
    {
      const rss = engine100.rss - baseline.rss;
      const heap = engine100.heapUsed - baseline.heapUsed;
      row({
        id: 4,
        what: 'engine started with 100 profiles (states loaded, scheduler timer set), over a bare Node process, after GC',
        figure: `RSS +${fmtBytes(rss)}, JS heap +${fmtBytes(heap)}`,
        baseline: `node: RSS ${fmtBytes(baseline.rss)}, heap ${fmtBytes(baseline.heapUsed)}; of the RSS, keytar + libsecret + one keychain call alone: +${fmtBytes(keytarOnly.rss - baseline.rss)}; with 5 profiles: RSS +${fmtBytes(engine5.rss - baseline.rss)}, heap +${fmtBytes(engine5.heapUsed - baseline.heapUsed)}; so each profile past 5: RSS ${fmtBytes((engine100.rss - engine5.rss) / 95)}, heap ${fmtBytes((engine100.heapUsed - engine5.heapUsed) / 95)}`,
        goal: '< 10 MB',
        met: rss < 10 * 1024 * 1024,
      });
      if (engine100.valid !== 100) console.log(`     note: only ${engine100.valid} of 100 profiles were valid`);
    }

    // 5. Bundle size, and start-up until the tray menu model is ready.
    console.log('\n5. bundle size and start-up');
    const dist = join(root, 'app', 'dist');
    const mainGraph = staticGraph(join(dist, 'main.mjs'));
    const sizes = {
      mainStatic: existsSync(join(dist, 'main.mjs')) ? mainGraph : undefined,
      cliCachedSessionPath: loaded,
      chunksAll: folderBytes(join(dist, 'chunks'), (name) => name.endsWith('.mjs')),
      mainAndCliAndChunks: folderBytes(dist, (name) => name.endsWith('.mjs')) - folderBytes(join(dist, 'renderer'), (name) => name.endsWith('.mjs')),
      preload: existsSync(join(dist, 'preload.cjs')) ? statSync(join(dist, 'preload.cjs')).size : undefined,
      renderer: folderBytes(join(dist, 'renderer'), (name) => !name.endsWith('.map')),
    };
    raw.bundle = sizes;
    const menuRuns = { 5: [], 100: [] };
    const menuNode = [];
    for (let i = 0; i < (quick ? 3 : 9); i += 1) {
      for (const count of [5, 100]) {
        const result = await timed(process.execPath, [join(bundles, 'menu.mjs'), worlds[count].config]);
        if (result.status !== 0) throw new Error(`menu child failed: ${result.stderr}`);
        menuRuns[count].push(result.ms);
      }
      menuNode.push((await timed(process.execPath, ['-e', '0'])).ms);
    }
    raw.menuReadyMs = menuRuns;
    raw.menuNodeStartMs = menuNode;
    row({
      id: 5,
      what: 'built bundles (app/dist, without source maps and renderer)',
      figure: `main.mjs + its static chunks ${sizes.mainStatic ? fmtBytes(sizes.mainStatic.bytes) : 'not built'}; the command's cached-session path ${fmtBytes(loaded.bytes)}; main, cli and every chunk ${fmtBytes(sizes.mainAndCliAndChunks)}`,
      baseline: `preload ${sizes.preload ? fmtBytes(sizes.preload) : '-'}, renderer ${fmtBytes(sizes.renderer)}`,
      goal: 'report',
    });
    row({
      id: '5b',
      what: 'process start until the tray menu model is ready (engine + tray source + menu model, bundled as main.mjs is; Electron itself excluded)',
      figure: `${fmt(median(menuRuns[5]))} with 5 profiles, ${fmt(median(menuRuns[100]))} with 100`,
      baseline: `node -e 0: ${fmt(median(menuNode))}`,
      ratio: `${(median(menuRuns[5]) / median(menuNode)).toFixed(1)}× / ${(median(menuRuns[100]) / median(menuNode)).toFixed(1)}×`,
      goal: 'report',
    });

    rmSync(bundles, { recursive: true, force: true });
    for (const world of Object.values(worlds)) await world.keychain.cleanup();
  } finally {
    await keychain.cleanup();
    await sts.close();
    rmSync(work, { recursive: true, force: true });
  }

  const results = {
    date: new Date().toISOString(),
    machine: { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: (await import('node:os')).cpus().length },
    runs: { perFigure: RUNS, starts: STARTS },
    rows,
    raw,
  };
  writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\n| # | what | measured | baseline / check | ratio | goal | met |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.id} | ${r.what} | ${r.figure} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.goal} | ${r.met === undefined ? '–' : r.met ? 'yes' : 'no'} |`,
    );
  }
  console.log('\nbench-results.json written.');
}

if (!process.env.MFA_TRAY_BENCH_INNER) {
  outer();
} else {
  await inner();
}
