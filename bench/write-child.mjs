// Benchmark child (bundled by bench/run.mjs as the command's own bundle is, and run through the
// command's loader, app/dist/cli-loader.cjs, so that it is compiled as a refresh is: from V8's code
// cache when there is one): one session written into a credentials file by a fresh process, timed
// around the call alone (process start and module loading excluded): the cost a `mfa-tray refresh`
// pays for its one write. With `warm` > 0, that many more writes follow in the same process (their
// median: the cost once everything is compiled and cached). With `editOnly`, the file is read (not
// timed) and only the INI edit is made and timed, cold: the part of a cold write that is not the
// file system's. The file calls are made as `mfa-tray refresh` makes them (fs-calls.ts: directly).
// Prints { coldMs, warmMs } as JSON.
// The last argument: { path, section, session, warm, editOnly }.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CredentialsFile, withSession } from '../main/engine/files/credentials-file.ts';
import { callsForCommand } from '../main/engine/files/fs-calls.ts';

const { path, section, session, warm = 0, editOnly = false } = JSON.parse(process.argv.at(-1) ?? '{}');

// As the command's entry does first (main/cli/main.ts): its file calls made as `mfa-tray refresh` makes them.
callsForCommand('refresh');

async function main() {
  if (editOnly) {
    const text = readFileSync(path, 'utf8');
    const t0 = performance.now();
    withSession(text, section, session);
    return { coldMs: performance.now() - t0 };
  }
  const file = new CredentialsFile({ path });
  const t0 = performance.now();
  await file.writeSession(section, session);
  const coldMs = performance.now() - t0;
  const times = [];
  for (let k = 1; k <= warm; k += 1) {
    const t = performance.now();
    await file.writeSession(section, { ...session, expiresAt: session.expiresAt + k * 1000 });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  // The last warm write leaves the session of the cold write, so that the caller knows the bytes.
  if (warm > 0) await file.writeSession(section, session);
  return { coldMs, warmMs: times.length ? times[Math.floor(times.length / 2)] : undefined };
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`${error?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
