/**
 * SIGKILL during credentials-file updates: a child process loops CredentialsFile.writeSession on a
 * large file and is killed at random moments, over and over. After every kill the file must be
 * exactly the version before the interrupted write or the one after it (never empty, partial or
 * mixed), both the JS SDK and botocore must read it, and the debris a killed writer leaves (its
 * temp file, its lock) must not pile up or block the next writer for good.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withSession } from '../../main/engine/files/credentials-file';
import { collect, spawnChild } from '../support/fault-build';
import { botocoreProfiles, sdkProfiles } from '../support/fault-ini';
import { largeCredentialsFile, versionSection, versionSession } from '../support/fault-versions';

const KILLS = 210;
const PROFILES = 300;

let dir: string;
let path: string;
const contents: string[] = [];

/** The bytes version `k` must have (0: the file as the user had it). */
function contentOf(k: number): string {
  while (contents.length <= k) {
    const n = contents.length;
    contents.push(withSession(contents[n - 1] as string, versionSection(n), versionSession(n)));
  }
  return contents[k] as string;
}

const TEMP = /^\.credentials\.\d+\.[0-9a-f]+\.tmp$/;
async function tempFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => TEMP.test(name));
}

async function lockExists(): Promise<boolean> {
  return stat(`${path}.lock`).then(
    () => true,
    () => false,
  );
}

interface Outcome {
  readonly kill: number;
  readonly last: number;
  readonly found: 'old' | 'new' | 'neither';
  readonly tempLeft: boolean;
  readonly lockLeft: boolean;
}

const outcomes: Outcome[] = [];
const snapshots: string[] = [];
let sdkFailures: string[] = [];
let writes = 0;
let orphansAfterCleanWrite = -1;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-sigkill-'));
  path = join(dir, 'credentials');
  const snapshotDir = `${dir}-snapshots`;
  await mkdir(snapshotDir);
  contents.push(largeCredentialsFile(PROFILES));
  await writeFile(path, Buffer.from(contentOf(0), 'latin1'), { mode: 0o600 });

  let current = 0;
  let previous = '';
  const knownTemps = new Set<string>();
  for (let kill = 0; kill < KILLS; kill += 1) {
    const child = await spawnChild('writer', ['loop', path, String(current + 1)]);
    const ended = collect(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('ready\n')) resolve();
      });
      child.on('close', () => reject(new Error(`writer ended before it was ready: ${out}`)));
    });
    // Half the kills land anywhere in the start-up and the first write; the others after a
    // completed write, anywhere in the next one (so that every phase, the rename included, is hit).
    if (kill % 2 === 0) {
      await delay(Math.random() * 60);
    } else {
      while (!/^done /m.test(out)) await delay(1);
      const writeMs = Number(/^done \d+ ([\d.]+)$/m.exec(out)?.[1] ?? 20);
      await delay(Math.random() * writeMs * 1.3);
    }
    child.kill('SIGKILL');
    const { stdout } = await ended;
    const done = [...stdout.matchAll(/^done (\d+) /gm)].map((m) => Number(m[1]));
    const last = done.length > 0 ? (done.at(-1) as number) : current;
    writes += done.length;

    const bytes = (await readFile(path)).toString('latin1');
    const found = bytes === contentOf(last) ? 'old' : bytes === contentOf(last + 1) ? 'new' : 'neither';
    const temps = await tempFiles();
    const tempLeft = temps.some((name) => !knownTemps.has(name));
    for (const name of temps) knownTemps.add(name);
    const lockLeft = await lockExists();
    outcomes.push({ kill, last, found, tempLeft, lockLeft });
    if (found === 'neither') {
      await copyFile(path, join(snapshotDir, `unexpected-${kill}`));
      break;
    }
    current = found === 'old' ? last : last + 1;

    try {
      const profiles = await sdkProfiles(path);
      if (current > 0 && profiles[versionSection(current)]?.aws_session_token !== versionSession(current).sessionToken) {
        sdkFailures.push(`kill ${kill}: the SDK reads another token in [${versionSection(current)}]`);
      }
    } catch (error) {
      sdkFailures.push(`kill ${kill}: ${String(error)}`);
    }
    // botocore reads each distinct file once (python3 is slow to start; most kills leave the same file).
    if (bytes !== previous) {
      const snapshot = join(snapshotDir, `after-kill-${kill}`);
      await copyFile(path, snapshot);
      snapshots.push(snapshot);
      previous = bytes;
    }

    // A killed holder's lock is taken over once stale (10 s without a heartbeat). Age it instead of
    // waiting, so that 200 kills take seconds; the real wait is measured in its own test below.
    if (lockLeft) {
      const old = new Date(Date.now() - 60_000);
      await utimes(`${path}.lock`, old, old).catch(() => undefined);
    }
  }

  // One clean write after all the kills: whatever a writer cleans up, it has cleaned up now.
  const clean = await collect(await spawnChild('writer', ['once', path, String(current + 1)]));
  assert.match(clean.stdout, /"ok":true/, clean.stdout + clean.stderr);
  orphansAfterCleanWrite = (await tempFiles()).length;
  sdkFailures = [...new Set(sdkFailures)];
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(`${dir}-snapshots`, { recursive: true, force: true });
});

describe('SIGKILL of a process writing the credentials file, at random moments', () => {
  test(`after each of ${KILLS} kills the file is exactly the old or the new version`, (t) => {
    const bad = outcomes.filter((o) => o.found === 'neither');
    const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
    t.diagnostic(
      `${outcomes.length} kills, ${writes} completed writes; file was the old version ${count((o) => o.found === 'old')}×, the new ${count((o) => o.found === 'new')}×; ` +
        `killed holding the lock ${count((o) => o.lockLeft)}×, with a temp file written ${count((o) => o.tempLeft)}×`,
    );
    assert.deepEqual(bad, [], 'a kill left a file that is neither the old nor the new version (kept next to the test dir)');
    assert.equal(outcomes.length, KILLS);
    // The kills must have hit the interesting moments, or the test proves nothing.
    assert.ok(count((o) => o.found === 'new') > 0 && count((o) => o.found === 'old') > 0, 'kills landed both before and after renames');
    assert.ok(count((o) => o.lockLeft) >= 20, 'at least 20 kills landed while the writer held the lock');
  });

  test('the JS SDK and botocore read every file left behind, with every profile in it', () => {
    assert.deepEqual(sdkFailures, []);
    // botocore (python3) reads a sample of them: every file would take seconds more for little.
    const sample = snapshots.filter((_, i) => i % Math.ceil(snapshots.length / 60) === 0 || i === snapshots.length - 1);
    const parsed = botocoreProfiles(sample);
    const sections = Object.keys(parsed[0]?.profiles ?? {}).length;
    assert.ok(sections >= PROFILES, `botocore sees ${sections} sections in the first snapshot`);
    parsed.forEach((result, i) => {
      assert.equal(result.error, undefined, `botocore refuses ${sample[i]}`);
      assert.ok(Object.keys(result.profiles ?? {}).length >= sections, `botocore sees fewer sections in ${sample[i]}`);
    });
  });

  test('no temp files pile up: the next writer removes those a killed writer left', (t) => {
    const withTemp = outcomes.filter((o) => o.tempLeft).length;
    t.diagnostic(
      `${withTemp} of ${outcomes.length} kills left a new temp file (a full copy of the credentials file, secrets included); ${orphansAfterCleanWrite} remain after a clean write`,
    );
    assert.equal(
      orphansAfterCleanWrite,
      0,
      `${orphansAfterCleanWrite} orphaned .credentials.<pid>.<random>.tmp files (each a full plaintext copy of the credentials file) were left in ${dir}`,
    );
  });
});

describe("a killed writer's lock", () => {
  /**
   * proper-lockfile dates a new lock up to 1 s into the future (the next whole second + 5 ms: its
   * mtime-precision probe), and heartbeats it every 2 s. A writer killed within its first 2 s, which
   * is every writer (a write takes milliseconds), leaves a lock that turns stale up to 11 s after the
   * kill. A writer that starts right then must wait that out, not give up after its 10 s timeout.
   */
  test('a writer that starts right after the holder was killed waits until the lock is stale, then writes', { timeout: 40_000 }, async (t) => {
    const lockDir = await mkdtemp(join(tmpdir(), 'mfa-tray-stale-lock-'));
    t.after(() => rm(lockDir, { recursive: true, force: true }));
    const file = join(lockDir, 'credentials');
    await writeFile(file, Buffer.from(contentOf(0), 'latin1'), { mode: 0o600 });

    let ahead = 0;
    let startupMs = 80;
    for (let attempt = 0; attempt < 8 && ahead < 300; attempt += 1) {
      await rm(`${file}.lock`, { recursive: true, force: true });
      // Start so that the lock is taken early in a second: its mtime is then most of a second ahead.
      await delay((1000 - startupMs + 30 - (Date.now() % 1000) + 2000) % 1000);
      const spawnedAt = Date.now();
      const holder = await spawnChild('writer', ['hold', file, '1']);
      const holderEnded = collect(holder);
      await new Promise<void>((resolve) => holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('holding') && resolve()));
      startupMs = Date.now() - spawnedAt;
      holder.kill('SIGKILL');
      await holderEnded;
      ahead = (await stat(`${file}.lock`)).mtimeMs - Date.now();
    }
    t.diagnostic(`the dead holder's lock is dated ${Math.round(ahead)} ms into the future`);
    assert.ok(ahead >= 300, 'could not provoke a lock dated ahead; proper-lockfile changed?');

    const started = Date.now();
    const next = await collect(await spawnChild('writer', ['once', file, '2']));
    const waited = Date.now() - started;
    t.diagnostic(`the next writer waited ${(waited / 1000).toFixed(1)} s for the dead holder's lock: ${next.stdout.trim()}`);
    assert.match(next.stdout, /"ok":true/, `the next writer gave up instead of taking over the stale lock: ${next.stdout}`);
    assert.equal((await readFile(file)).toString('latin1'), withSession(contentOf(0), versionSection(2), versionSession(2)));
    assert.ok(waited < 12_500, `waited ${waited} ms`);
    assert.equal(
      await stat(`${file}.lock`).then(
        () => true,
        () => false,
      ),
      false,
      'the lock is released afterwards',
    );
  });
});
