// Benchmark child (bundled by bench/run.mjs like app/dist/main.mjs): what the tray app does from its
// start until the tray menu can be shown: create the engine, load every profile's state, take the
// tray snapshot and build the menu model. Prints the milliseconds since the process started, and
// the number of menu items, as JSON. argv[2]: { env, configDir, keychainPrefix }.
import { performance } from 'node:perf_hooks';
import { Engine } from '../main/engine/engine.ts';
import { longRunning } from '../main/engine/long-running.ts';
import { runLean } from '../main/engine/lean-process.ts';
import { EngineTraySource } from '../main/electron/engine-tray-source.ts';
import { buildTrayMenu } from '../main/electron/menu-model.ts';

const loaded = performance.now();
// As tray-main.ts starts.
runLean();
const config = JSON.parse(process.argv[2] ?? '{}');
const engine = new Engine({
  env: config.env,
  configDir: config.configDir,
  ...longRunning(config.distDir, { prefix: config.keychainPrefix }),
});
await engine.start();
const snapshot = await new EngineTraySource(engine).snapshot();
const noop = () => undefined;
const items = buildTrayMenu(
  snapshot,
  {
    refresh: noop,
    copyExports: noop,
    forgetSession: noop,
    refreshAll: noop,
    manageProfiles: noop,
    settings: noop,
    setLaunchAtLogin: noop,
    installCommandLineTool: noop,
    about: noop,
    quit: noop,
  },
  { now: Date.now(), offerCommandLineTool: false, locale: 'en-US', timeZone: 'UTC' },
);
const ready = performance.now();
process.stdout.write(`${JSON.stringify({ loadedMs: loaded, readyMs: ready, items: items.length, profiles: snapshot.profiles.length })}\n`);
engine.stop();
process.exit(0);
