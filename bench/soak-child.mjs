// Benchmark child (bundled by bench/run.mjs, forked with an IPC channel and --expose-gc): the engine
// as `mfa-tray watch` runs it (engine.start() without watch's first status, a listener turning every notice into a line, the
// keeper's wall-clock tick and its 30 s re-reads, the credentials folder watched), with the profiles
// the bench prepared (TOTP secrets registered, so every refresh is unattended with a generated code).
//
// Phase 1 drives it with a fast clock: the test suite's FakeClock, moved on 5 minutes at a time, the
// loopback STS server's clock moved with it (through the parent, which runs that server). Memory
// after a full GC is sampled at even intervals of simulated time.
//
// Phase 2: the keeper's re-read of every profile and session (what watch's tick does every 30 s of
// real time, and the tray's too), `rereadWarmup` times to warm up, then `rereads` times in a row: the
// fast clock runs the refreshes of days in a minute, but not the 2,880 re-reads a day of real time, so
// they are measured on their own.
//
// Every keychain call is counted by kind (a wrapper around the keychain adapter).
//
// argv[2]: { env, configDir, keychainPrefix, stsEndpoint, simulatedMs, samples, wallBudgetMs, rereadWarmup, rereads, rereadBudgetMs }.
// Messages to the parent: { skewMs } (answered with { ok }), then one { result }.
import { performance } from 'node:perf_hooks';
import { Engine } from '../main/engine/engine.ts';
import { join } from 'node:path';
import { setInterval } from 'node:timers';
import { HELPER_FILE, keychainHelper } from '../main/engine/keychain/keychain-helper.ts';
import { longRunning } from '../main/engine/long-running.ts';
import { runLean } from '../main/engine/lean-process.ts';
import { FakeClock } from '../test/support/fake-clock.ts';
import { childrenRss, rssParts } from './rss-parts.cjs';

// As watch and the tray app start.
runLean();
const config = JSON.parse(process.argv[2] ?? '{}');
const STEP_MS = 30_000;
/**
 * How far the clock moves at a time: 5 minutes, ten TOTP steps. The scheduler's timers (a minute at
 * most) fire within each move, in order, at their times; the work they start (a keychain read, the
 * refresh) runs once the move is made, so an unattended refresh may start up to 5 minutes after it
 * came due: still well before the session ends (the lead time is 10 minutes).
 */
const ADVANCE_MS = 10 * STEP_MS;
const gc = globalThis.gc ?? (() => undefined);

/** Asks the parent to set the STS server's clock to `serverNow` (its skew from the real clock). */
function setServerClock(serverNow) {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send({ skewMs: serverNow - Date.now() });
  });
}

const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function memoryAfterGc() {
  for (let i = 0; i < 3; i += 1) gc();
  await realSleep(50);
  gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers, parts: rssParts() };
}

/** Keychain calls so far, by method (and kind for the listings, which read every entry of a kind). */
const keychainCalls = {};
// As watch and the tray app have it: on Linux, keytar in a helper process that ends when idle. (Not
// their AWS helper: it measures by the system clock, and this engine runs on a fast one. The SDK
// stays in this process, so the soak counts it.)
const store = longRunning(config.distDir, { prefix: config.keychainPrefix }).secretStore;
const countedStore = new Proxy(store, {
  get(target, key) {
    const value = target[key];
    if (typeof value !== 'function') return value;
    return (...callArgs) => {
      const name = key === 'getAll' ? `getAll(${callArgs[0]})` : String(key);
      keychainCalls[name] = (keychainCalls[name] ?? 0) + 1;
      return value.apply(target, callArgs);
    };
  },
});
// The helpers started (each a process of its own, ended 3 s after its last call), seen every 50 ms:
// at least as many as counted (one that lived less than 50 ms between two looks is missed).
const helper = keychainHelper(join(config.distDir, HELPER_FILE));
const helperPids = new Set();
let helperRssMax = 0;
setInterval(() => {
  if (helper.pid === undefined) return;
  helperPids.add(helper.pid);
  helperRssMax = Math.max(helperRssMax, childrenRss());
}, 50).unref();
const listings = () => Object.entries(keychainCalls).reduce((sum, [name, n]) => sum + (name.startsWith('getAll') ? n : 0), 0);

// 10 s into a TOTP time step: every advance below is a whole number of steps, so the refreshes it
// starts make their codes 10 s into a step, never at a step's edge (where a generator waits for the
// next step on the clock's timers, which only move when this loop moves them).
const realStart = Date.now();
const clock = new FakeClock(realStart - (realStart % STEP_MS) + 10_000);
const engine = new Engine({
  env: config.env,
  configDir: config.configDir,
  secretStore: countedStore,
  stsEndpoint: config.stsEndpoint,
  clock,
  // As watch runs it: the wall-clock tick (real time: no jump is ever seen) and its re-reads every 30 s.
  tickMs: 5_000,
});

const counts = { refreshed: 0, failed: 0, notices: 0 };
let lastFailure;
let printed = 0;
engine.onNotice((notice) => {
  counts.notices += 1;
  if (notice.kind === 'refreshed' && notice.unattended) counts.refreshed += 1;
  if (notice.kind === 'refresh-failed') {
    counts.failed += 1;
    lastFailure = `${notice.profile}: ${notice.reason}`;
  }
  // What watch does with a notice: one line (written nowhere here; its length is kept, not the line).
  printed += `${new Date(clock.now()).toISOString()} ${notice.profile ?? ''}: ${notice.kind}`.length;
});

await setServerClock(clock.now());
await engine.start();
await engine.idle();

// ── phase 1: days of refreshes on the fast clock ──
const samples = [];
const clockStart = clock.now();
const wallStart = performance.now();
const sample = async () => {
  samples.push({
    simulatedMs: clock.now() - clockStart,
    wallMs: performance.now() - wallStart,
    refreshed: counts.refreshed,
    listings: listings(),
    ...(await memoryAfterGc()),
  });
};
const everyMs = config.simulatedMs / config.samples;
let stalls = 0;
let endedEarly = false;
await sample();
while (clock.now() - clockStart < config.simulatedMs) {
  // The server's clock is where ours will be (real time then runs on for both while the work is done).
  await setServerClock(clock.now() + ADVANCE_MS);
  clock.advance(ADVANCE_MS);
  // Wait for what came due (bounded: a refresh waiting on a timer of this clock would wait for ever).
  // The bound is cleared at once: left pending, its 20 s timers (~300 at a time, each with its
  // promises) were part of the heap this soak measures.
  let bound;
  const settled = await Promise.race([engine.idle().then(() => true), new Promise((resolve) => (bound = setTimeout(resolve, 20_000, false)))]);
  clearTimeout(bound);
  if (!settled) stalls += 1;
  const simulated = clock.now() - clockStart;
  if (Math.floor(simulated / everyMs) > samples.length - 1 || simulated >= config.simulatedMs) await sample();
  if (performance.now() - wallStart > config.wallBudgetMs) {
    endedEarly = true;
    if (samples.at(-1).simulatedMs !== simulated) await sample();
    break;
  }
}
// ── phase 2: the re-reads of real time ──
// What the keeper's tick does every 30 s, called in a row. First the last refreshes' file-change
// pick-ups (500 ms after a change) end.
await realSleep(2_000);
await engine.idle();
// A warm-up: the first re-reads compile what they run (heap that is kept once, not growth).
for (let i = 0; i < (config.rereadWarmup ?? 0); i += 1) await engine.keeper.recheck();
const rereads = { count: 0, before: await memoryAfterGc(), listingsBefore: listings() };
// Memory after GC every tenth of the way too: the per-re-read figure is the slope through all of
// them, not the difference of two samples (a heap page more or less at either end is ~0.3 KB a re-read).
const sampleEvery = Math.max(1, Math.floor(config.rereads / 10));
rereads.samples = [{ count: 0, rss: rereads.before.rss, heapUsed: rereads.before.heapUsed }];
const rereadStarted = performance.now();
// recheck() calls, 50 ms apart (the tick's are 30 s apart: in a tight loop the thread pool's and
// malloc's memory never settles, and RSS grows by ~2 KB a call that paced calls do not keep),
// bounded in time. `wallMs` is the time in the calls alone.
let busyMs = 0;
while (rereads.count < config.rereads && performance.now() - rereadStarted < config.rereadBudgetMs) {
  const started = performance.now();
  await engine.keeper.recheck();
  busyMs += performance.now() - started;
  rereads.count += 1;
  if (rereads.count % sampleEvery === 0) {
    const { rss, heapUsed } = await memoryAfterGc();
    rereads.samples.push({ count: rereads.count, rss, heapUsed });
  }
  await realSleep(50);
}
rereads.counted = 'recheck() calls';
rereads.wallMs = busyMs;
rereads.after = await memoryAfterGc();
rereads.listings = listings() - rereads.listingsBefore;

engine.stop();
process.send({
  result: {
    samples,
    counts,
    lastFailure,
    stalls,
    endedEarly,
    rereads,
    keychainCalls,
    helpers: { started: helperPids.size, rssMax: helperRssMax },
    printedChars: printed,
    profiles: (await engine.profiles()).length,
  },
});
process.disconnect();
process.exit(0);
