// Benchmark child (run by bench/run.mjs with --expose-gc): keytar alone, in a bare process, on the
// entries the soak left in the keychain: how much memory each kind of call keeps, after a full GC.
// `calls` findCredentials (every entry of the service, as the engine's listings read them), and
// `singleCalls` each of getPassword and setPassword (the same value written back): these keep a few
// KB a call, which only hundreds of calls tell apart from the noise of the process's own pages.
// Prints, per kind, the growth per call. argv: <keytar path> <service> <calls> [<singleCalls>]
import { createRequire } from 'node:module';

const [keytarPath, service, calls, singleCalls = calls] = process.argv.slice(2);
const keytar = createRequire(import.meta.url)(keytarPath);

function memory() {
  for (let i = 0; i < 3; i += 1) globalThis.gc();
  return process.memoryUsage();
}

async function perCall(count, run) {
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
    calls: Number(calls),
    singleCalls: Number(singleCalls),
    // The single reads and writes first: the listings' memory, kept for good, would blur theirs.
    getPassword: await perCall(Number(singleCalls), () => keytar.getPassword(service, account)),
    setPassword: await perCall(Number(singleCalls), () => keytar.setPassword(service, account, password)),
    findCredentials: await perCall(Number(calls), () => keytar.findCredentials(service)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
