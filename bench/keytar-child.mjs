// Benchmark child (run by bench/run.mjs with --expose-gc): keytar alone, in a bare process, on the
// entries the soak left in the keychain: how much memory each kind of call keeps, after a full GC.
// `calls` of each: findCredentials (every entry of the service, as the engine's listings read them),
// getPassword, setPassword (the same value written back). Prints, per kind, the growth per call.
// argv: <keytar path> <service> <calls>
import { createRequire } from 'node:module';

const [keytarPath, service, calls] = process.argv.slice(2);
const keytar = createRequire(import.meta.url)(keytarPath);
const count = Number(calls);

function memory() {
  for (let i = 0; i < 3; i += 1) globalThis.gc();
  return process.memoryUsage();
}

async function perCall(run) {
  await run(0); // the first call of a kind loads and caches what every later one uses
  const before = memory();
  for (let i = 1; i <= count; i += 1) await run(i);
  const after = memory();
  return { rss: (after.rss - before.rss) / count, heapUsed: (after.heapUsed - before.heapUsed) / count };
}

try {
  const entries = await keytar.findCredentials(service);
  const { account, password } = entries[0];
  const result = {
    entries: entries.length,
    calls: count,
    findCredentials: await perCall(() => keytar.findCredentials(service)),
    getPassword: await perCall(() => keytar.getPassword(service, account)),
    setPassword: await perCall(() => keytar.setPassword(service, account, password)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
