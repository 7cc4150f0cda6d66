// Benchmark child (bundled by bench/run.mjs, forked with an IPC channel and --expose-gc): the engine
// as `mfa-tray watch` runs it (engine.start(), a listener turning every notice into a line, the
// keeper's wall-clock tick and its 30 s re-reads, the credentials folder watched), with the profiles
// the bench prepared (TOTP secrets registered, so every refresh is unattended with a generated code),
// driven by a fast clock: the test suite's FakeClock, moved on 30 s at a time, the loopback STS
// server's clock moved with it (through the parent, which runs that server). Memory after a full GC
// is sampled at even intervals of simulated time.
//
// argv[2]: { env, configDir, keychainPrefix, stsEndpoint, simulatedMs, samples, wallBudgetMs }.
// Messages to the parent: { skewMs } (answered with { ok }), then one { result }.
import { performance } from 'node:perf_hooks';
import { Engine } from '../main/engine/engine.ts';
import { KeytarSecretStore } from '../main/engine/keychain/keytar-secret-store.ts';
import { FakeClock } from '../test/support/fake-clock.ts';

const config = JSON.parse(process.argv[2] ?? '{}');
const STEP_MS = 30_000;
/** How far the clock moves at a time: two TOTP steps, the scheduler's longest sleep. */
const ADVANCE_MS = 2 * STEP_MS;
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
  return { rss, heapUsed, external, arrayBuffers };
}

// 10 s into a TOTP time step: every advance below is a whole number of steps, so the refreshes it
// starts make their codes 10 s into a step, never at a step's edge (where a generator waits for the
// next step on the clock's timers, which only move when this loop moves them).
const realStart = Date.now();
const clock = new FakeClock(realStart - (realStart % STEP_MS) + 10_000);
const engine = new Engine({
  env: config.env,
  configDir: config.configDir,
  secretStore: new KeytarSecretStore(config.keychainPrefix),
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

const samples = [];
const sample = async () => {
  samples.push({ simulatedMs: clock.now() - clockStart, wallMs: performance.now() - wallStart, refreshed: counts.refreshed, ...(await memoryAfterGc()) });
};
const clockStart = clock.now();
const wallStart = performance.now();
const everyMs = config.simulatedMs / config.samples;
let stalls = 0;
let endedEarly = false;
await sample();
while (clock.now() - clockStart < config.simulatedMs) {
  // The server's clock is where ours will be (real time then runs on for both while the work is done).
  await setServerClock(clock.now() + ADVANCE_MS);
  clock.advance(ADVANCE_MS);
  // Wait for what came due (bounded: a refresh waiting on a timer of this clock would wait for ever).
  const settled = await Promise.race([engine.idle().then(() => true), realSleep(20_000).then(() => false)]);
  if (!settled) stalls += 1;
  const simulated = clock.now() - clockStart;
  if (Math.floor(simulated / everyMs) > samples.length - 1 || simulated >= config.simulatedMs) await sample();
  if (performance.now() - wallStart > config.wallBudgetMs) {
    endedEarly = true;
    if (samples.at(-1).simulatedMs !== simulated) await sample();
    break;
  }
}
engine.stop();
process.send({ result: { samples, counts, lastFailure, stalls, endedEarly, printedChars: printed, profiles: (await engine.profiles()).length } });
process.disconnect();
process.exit(0);
