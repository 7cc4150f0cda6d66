// Benchmark child (bundled by bench/run.mjs like the app's own bundles): the engine with the
// profiles the bench prepared, started as `mfa-tray watch` starts it (its status first, then the
// keeper, from what that status listed: scheduler and its timer, every session's state loaded),
// then its memory after a full GC, as JSON on stdout (and the RSS of its keychain helper, a process
// of its own that ends once idle). With `refresh`, that profile is refreshed first (a generated code,
// against `stsEndpoint`: on Linux in the AWS helper, as watch's refreshes, else the AWS SDK loaded
// into this process; the helper's RSS right after it is reported too); with `settleMs`, the
// engine is then left idle that long (its timers running, as watch sits between refreshes: V8's
// memory reducer gives back heap pages).
// argv[2]: { env, configDir, keychainPrefix, distDir, stsEndpoint, refresh, settleMs }.
import { Engine } from '../main/engine/engine.ts';
import { longRunning } from '../main/engine/long-running.ts';
import { runLean } from '../main/engine/lean-process.ts';
import { childrenRss, rssParts } from './rss-parts.cjs';

// As watch and the tray app start.
runLean();
const config = JSON.parse(process.argv[2] ?? '{}');
const engine = new Engine({
  env: config.env,
  configDir: config.configDir,
  ...longRunning(config.distDir, { prefix: config.keychainPrefix }),
  ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
});
const statuses = await engine.status();
await engine.start({ reuse: true });
let awsHelperRss;
if (config.refresh) {
  await engine.refresh(config.refresh, {});
  // Its AWS helper (Linux), which made the call, right after it: a process of its own, ended 3 s later.
  awsHelperRss = childrenRss('aws-helper.cjs');
}
if (config.settleMs) await new Promise((resolve) => setTimeout(resolve, config.settleMs));
const gc = globalThis.gc;
for (let i = 0; i < 3; i += 1) gc?.();
await new Promise((resolve) => setTimeout(resolve, 100));
gc?.();
process.stdout.write(
  `${JSON.stringify({ profiles: statuses.length, valid: statuses.filter((s) => s.state.kind === 'valid').length, memory: process.memoryUsage(), parts: rssParts(), helperRss: childrenRss(), awsHelperRss })}\n`,
);
engine.stop();
process.exit(0);
