/**
 * fs-calls.ts: the two ways the engine makes its file system calls (directly, as every command but
 * `watch` does; through the thread pool, as `watch` and the tray app do) give the same results and
 * the same errors, and each process takes the way its command asks for. Real files in a temp dir.
 * The engine's file suites run in both ways too (direct-file-calls.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { acquireLock } from '../../main/engine/files/file-lock';
import { callsForCommand, fsCalls } from '../../main/engine/files/fs-calls';
import { MfaTrayError } from '../../main/common/errors';
import { ROOT } from '../support/fault-build';

const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-fs-calls-'));
after(() => {
  callsForCommand('watch');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Whether `call` (by default a `stat` made now) is settled once the promises queued before it have
 * run, before any timer or I/O.
 */
async function settledWithoutTheLoop(call: Promise<unknown> = fsCalls().stat(dir)): Promise<boolean> {
  let settled = false;
  const done = call.then(() => {
    settled = true;
  });
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  const now = settled;
  await done;
  return now;
}

/** What a call gave, or the parts of Node's error that callers read. */
async function outcome<T>(call: Promise<T>, show: (value: T) => unknown = (value) => value): Promise<unknown> {
  return call.then(
    (value) => ({ value: show(value) }),
    (error: NodeJS.ErrnoException) => ({ error: { code: error.code, syscall: error.syscall, path: error.path } }),
  );
}

/** Every call, on files of its own under `root`: what each gave. */
async function exercise(root: string): Promise<unknown[]> {
  const io = fsCalls();
  const file = join(root, 'file');
  const trace: unknown[] = [];
  await io.mkdir(root, 0o700);
  const fd = await io.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  await io.writeFile(fd, Buffer.from('first line\n'));
  await io.writeFile(fd, 'second line\n');
  await io.fchmod(fd, 0o640);
  await io.fchown(fd, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  await io.fsync(fd);
  trace.push(await outcome(io.fstat(fd), (info) => [info.isFile(), info.size, info.mode & 0o777]));
  await io.close(fd);
  trace.push(await outcome(io.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)));
  const reader = await io.open(file, constants.O_RDONLY);
  trace.push(await outcome(io.readFile(reader), (content) => content.toString()));
  await io.close(reader);
  trace.push(await outcome(io.close(reader)));
  const appender = await io.open(file, constants.O_RDWR | constants.O_APPEND);
  await io.writeFile(appender, 'third\n');
  const part = Buffer.alloc(8);
  trace.push(await outcome(io.read(appender, part, 2, 6, 6), (bytesRead) => [bytesRead, part.toString('latin1', 2, 2 + bytesRead)]));
  trace.push(await outcome(io.read(appender, part, 0, 8, 100)));
  await io.close(appender);
  trace.push(await outcome(io.realpath(join(root, 'missing'))));
  symlinkSync('file', join(root, 'link'));
  trace.push(await outcome(io.lstat(join(root, 'link')), (info) => info.isSymbolicLink()));
  trace.push(await outcome(io.stat(join(root, 'link')), (info) => info.isFile()));
  trace.push(await outcome(io.readlink(join(root, 'link'))));
  trace.push(await outcome(io.realpath(join(root, 'link')), (path) => path.replace(root, '<root>')));
  trace.push(await outcome(io.readdir(root), (names) => [...names].sort()));
  trace.push(await outcome(io.access(file, constants.R_OK | constants.W_OK)));
  trace.push(await outcome(io.mkdir(root, 0o700)));
  await io.rename(file, join(root, 'renamed'));
  trace.push(await outcome(io.stat(file)));
  trace.push(await outcome(io.access(file, constants.R_OK)));
  trace.push(await outcome(io.rename(file, join(root, 'elsewhere'))));
  await io.rm(join(root, 'renamed'));
  trace.push(await outcome(io.rm(join(root, 'renamed'))));
  trace.push(await outcome(io.open(join(root, 'missing', 'file'), constants.O_RDONLY)));
  return trace.map((entry) => JSON.parse(JSON.stringify(entry).replaceAll(root, '<root>')) as unknown);
}

describe('the two ways of making file calls', () => {
  test('give the same results and fail with the same errors (code, call, path)', async () => {
    callsForCommand('refresh');
    const direct = await exercise(join(dir, 'direct'));
    callsForCommand('watch');
    const pooled = await exercise(join(dir, 'pooled'));
    assert.deepEqual(direct, pooled);
    // And what they gave is what it should be, not merely alike.
    assert.deepEqual(direct[0], { value: [true, 23, 0o640] });
    assert.deepEqual(direct[1], { error: { code: 'EEXIST', syscall: 'open', path: '<root>/file' } });
    assert.deepEqual(direct[2], { value: 'first line\nsecond line\n' });
    assert.deepEqual((direct[3] as { error: { code: string } }).error.code, 'EBADF');
    assert.deepEqual(direct.slice(4, 7), [{ value: [6, 'line\ns'] }, { value: 0 }, { error: { code: 'ENOENT', syscall: 'realpath', path: '<root>/missing' } }]);
    assert.deepEqual(direct.slice(7, 13), [
      { value: true },
      { value: true },
      { value: 'file' },
      { value: '<root>/file' },
      { value: ['file', 'link'] },
      {}, // done (nothing to give)
    ]);
    assert.deepEqual(direct.slice(13), [
      { error: { code: 'EEXIST', syscall: 'mkdir', path: '<root>' } },
      { error: { code: 'ENOENT', syscall: 'stat', path: '<root>/file' } },
      { error: { code: 'ENOENT', syscall: 'access', path: '<root>/file' } },
      { error: { code: 'ENOENT', syscall: 'rename', path: '<root>/file' } },
      {}, // done (nothing to give)
      { error: { code: 'ENOENT', syscall: 'open', path: '<root>/missing/file' } },
    ]);
  });

  test('directly, a call is settled before any timer or I/O runs; through the pool, only after', async () => {
    callsForCommand('refresh');
    assert.equal(await settledWithoutTheLoop(), true);
    callsForCommand('watch');
    assert.equal(await settledWithoutTheLoop(), false);
  });

  test('directly too, fsync (the wait for the disk itself) lets the event loop turn meanwhile', async () => {
    for (const word of ['refresh', 'watch']) {
      callsForCommand(word);
      const fd = await fsCalls().open(join(dir, `synced-${word}`), constants.O_WRONLY | constants.O_CREAT, 0o600);
      try {
        assert.equal(await settledWithoutTheLoop(fsCalls().fsync(fd)), false, word);
      } finally {
        await fsCalls().close(fd);
      }
    }
  });

  test('each command takes its way: `watch` the pool (it runs for days), every other command directly', async () => {
    for (const [word, direct] of [
      ['watch', false],
      ['refresh', true],
      ['credential-process', true],
      ['status', true],
      [undefined, true],
    ] as const) {
      callsForCommand(word);
      assert.equal(await settledWithoutTheLoop(), direct, String(word));
    }
  });

  test("the command's entries set its way as the command starts: directly, but the pool for `watch` (a process that never calls them keeps the pool)", () => {
    // Run in a child process (the way is the process's), through the entry named by ENTRY: the
    // launcher's full path (main.ts) or its fast path for credential-process (fast-entry.ts).
    const probe = `
      import { fsCalls } from './main/engine/files/fs-calls';
      const settledNow = async () => { let s = false; const c = fsCalls().stat('.').then(() => { s = true; }); for (let i = 0; i < 5; i += 1) await Promise.resolve(); const now = s; await c; return now; };
      const before = await settledNow();
      const args = process.argv.slice(1);
      if (process.env.ENTRY === 'fast') await (await import('./main/cli/fast-entry')).tryFastPath(args);
      else await (await import('./main/cli/main')).runFromLauncher(args);
      console.log(JSON.stringify({ before, after: await settledNow() }));
    `;
    for (const [entry, args, after] of [
      ['main', ['--version'], true],
      ['main', ['status', '--json'], true],
      ['main', ['watch', '--help'], false],
      ['fast', ['credential-process', 'work'], true],
    ] as const) {
      const home = mkdtempSync(join(dir, 'home-'));
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, '--', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, HOME: home, MFA_TRAY_CONFIG_DIR: join(home, 'config'), ENTRY: entry },
        timeout: 60_000,
      });
      assert.equal(run.status, 0, `${entry} ${args.join(' ')}: ${run.stderr}`);
      assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? ''), { before: false, after }, `${entry} ${args.join(' ')}`);
    }
  });

  test("a lock held across a wait keeps its heartbeat either way (a command's refresh lock waits for a code)", { timeout: 30_000 }, async () => {
    const options = { timeoutMs: 0, code: 'credentials-file' as const, what: 'file', busy: () => new MfaTrayError('lock-timeout', 'busy') };
    // Both at once: proper-lockfile keeps the calls a lock was taken with for its heartbeat.
    const held = [];
    for (const word of ['refresh', 'watch']) {
      callsForCommand(word);
      const target = join(dir, `heartbeat-${word}`);
      writeFileSync(target, '');
      held.push({ word, target, lock: await acquireLock(target, options), mtimeMs: statSync(`${target}.lock`).mtimeMs });
    }
    // The heartbeat renews the lock's time every 2 s; without it, it is taken for lost after 4 s.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    for (const { word, target, lock, mtimeMs } of held) {
      assert.equal(lock.compromised, false, word);
      assert.ok(statSync(`${target}.lock`).mtimeMs > mtimeMs + 3_000, `${word}: the lock's time moved on`);
      await lock.release();
    }
  });

  test("proper-lockfile takes, refuses and gives back a lock through either way's calls", async () => {
    for (const word of ['refresh', 'watch']) {
      callsForCommand(word);
      const target = join(dir, `locked-${word}`);
      writeFileSync(target, '');
      const options = { timeoutMs: 0, code: 'credentials-file' as const, what: 'file', busy: () => new MfaTrayError('lock-timeout', 'busy') };
      // Twice: the second lock reads the time stamps' precision proper-lockfile learnt on the first.
      for (let round = 0; round < 2; round += 1) {
        const lock = await acquireLock(target, options);
        assert.ok((await fsCalls().stat(`${target}.lock`)).isDirectory(), word);
        await assert.rejects(acquireLock(target, options), { code: 'lock-timeout' }, word);
        await lock.release();
        await assert.rejects(fsCalls().stat(`${target}.lock`), { code: 'ENOENT' }, word);
      }
    }
  });
});
