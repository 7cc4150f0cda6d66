/**
 * The command's bundle loaded with V8's code cache (main/engine/files/code-cache.ts): the cache is made by a
 * run that ended well, used by the next, and never used when it could be wrong (written by someone
 * else, cut short, made from another bundle). Real runs of the launcher, real files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CliProcess, cliBin, cliDist, useCliSuite } from '../support/cli';

const cli = useCliSuite('code-cache', { warmCodeCache: false });

function cacheFolder(): string {
  return join(cli.sandbox.configDir, 'code-cache');
}

/** The cache files of `command` (name, inode, change time, mode, content). */
function caches(command: string): { readonly name: string; readonly ino: number; readonly ctimeMs: number; readonly mode: number; readonly bytes: Buffer }[] {
  if (!existsSync(cacheFolder())) return [];
  return readdirSync(cacheFolder())
    .filter((name) => name.startsWith(`cli-${command}-`))
    .map((name) => {
      const path = join(cacheFolder(), name);
      const info = statSync(path);
      return { name, ino: info.ino, ctimeMs: info.ctimeMs, mode: info.mode & 0o777, bytes: readFileSync(path) };
    });
}

/**
 * A preload (`--require`) that logs, for each compile of the command's bundle, whether V8 was given
 * a cache and took it (`none`, `taken`, `rejected`), one line each, to `log`.
 */
function compileLogger(): { readonly log: string; readonly preload: string } {
  const log = join(cli.sandbox.dir, 'compiles.log');
  const preload = join(cli.sandbox.dir, 'log-compiles.cjs');
  writeFileSync(
    preload,
    `const vm = require('node:vm'); const { appendFileSync } = require('node:fs'); const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) { super(code, options); if (String(options && options.filename).endsWith('cli.cjs')) appendFileSync(${JSON.stringify(log)}, (options.cachedData ? (this.cachedDataRejected ? 'rejected' : 'taken') : 'none') + '\\n'); }
};\n`,
  );
  return { log, preload };
}

async function status(): Promise<void> {
  const result = await cli.sandbox.run(['status']);
  assert.equal(result.status, 0, result.stderr);
}

describe("the command's compiled code, kept between runs", () => {
  test('a refresh keeps it in the config folder, only for this user, with no secret in it', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'dev'], { input: cli.user.totpSecret as string })).status, 0);
    const result = await cli.sandbox.run(['refresh', 'dev']);
    assert.equal(result.status, 0, result.stderr);

    const [cache, ...more] = caches('refresh');
    assert.ok(cache, 'a cache for refresh');
    assert.deepEqual(more, []);
    assert.match(cache.name, /^cli-refresh-[0-9a-f]{24}-v8-[\w.-]+\.bin$/);
    assert.ok(cache.name.endsWith(`-${process.arch}.bin`), 'for this CPU');
    assert.equal(cache.mode, 0o600);
    assert.equal(statSync(cacheFolder()).mode & 0o777, 0o700);
    assert.ok(cache.bytes.length > 100_000, `V8's code of what a refresh compiled (${cache.bytes.length} bytes)`);
    const session = cli.sts.sessions.at(-1);
    assert.ok(session);
    for (const secret of [cli.user.secretAccessKey, cli.user.totpSecret as string, session.secretAccessKey, session.sessionToken, session.accessKeyId]) {
      assert.equal(cache.bytes.includes(secret), false, 'a secret in the cache');
    }
  });

  test('the next run uses it as it is; a cache cut short or changed is not used, and is replaced', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await status();
    const [made] = caches('status');
    assert.ok(made);
    await status();
    assert.deepEqual(caches('status'), [made], 'used, not made again (V8 accepted it)');

    // Cut short, as by a crash or a full disk: V8 checks its own checksum only in debug builds.
    const path = join(cacheFolder(), made.name);
    writeFileSync(path, made.bytes.subarray(0, made.bytes.length - 1000));
    await status();
    const [remade] = caches('status');
    assert.ok(remade && remade.ino !== made.ino && remade.bytes.length > made.bytes.length - 1000, 'replaced by a whole cache');
    await status();
    assert.deepEqual(caches('status'), [remade], 'and that one is used');

    // Changed on the disk, its length the same: V8 would run it, and crash in the middle of reading it.
    const changed = Buffer.from(remade.bytes);
    for (let at = changed.length >> 1; at < (changed.length >> 1) + 200; at++) changed[at] = (changed[at] as number) ^ 0x55;
    writeFileSync(path, changed);
    const result = await cli.sandbox.run(['status']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const [replaced] = caches('status');
    assert.ok(replaced && replaced.ino !== remade.ino, 'replaced');
    await status();
    assert.deepEqual(caches('status'), [replaced], 'by one that is used');
  });

  test('a cache another user could have written is not used: it is replaced by one only this user can write', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await status();
    const [made] = caches('status');
    assert.ok(made);
    chmodSync(join(cacheFolder(), made.name), 0o666);
    await status();
    const [after] = caches('status');
    assert.ok(after && after.ino !== made.ino, 'replaced');
    assert.equal(after.mode, 0o600);

    // In a folder others can write to, none is used, and so none is written (it would be on every run).
    chmodSync(cacheFolder(), 0o777);
    rmSync(join(cacheFolder(), after.name));
    await status();
    assert.deepEqual(caches('status'), []);
  });

  test('a cache that cannot be written is no error: the command says nothing of it and ends as it would have', async () => {
    mkdirSync(cli.sandbox.configDir, { recursive: true });
    writeFileSync(cacheFolder(), 'not a folder');
    await cli.sandbox.addProfile('dev', cli.user);
    const result = await cli.sandbox.run(['status']);
    assert.equal(result.status, 0);
    assert.equal(result.stderr, '');
    assert.equal(readFileSync(cacheFolder(), 'utf8'), 'not a folder');
  });

  test("writing one removes this command's caches of older bundles and dead writers' temp files, not another Node's", async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    await status();
    const [made] = caches('status');
    assert.ok(made);
    const suffix = made.name.slice(made.name.indexOf('-v8-'));
    const folder = cacheFolder();
    const olderBundle = `cli-status-${'0'.repeat(24)}${suffix}`;
    const otherNode = `cli-status-${'0'.repeat(24)}-v8-1.2.3-${process.arch}.bin`;
    const otherCommand = `cli-list-${'0'.repeat(24)}${suffix}`;
    // A command whose word begins with another's (none does today) keeps its cache too.
    const longerWord = `cli-status-x-${'0'.repeat(24)}${suffix}`;
    const deadTemp = `.${made.name}.99999.tmp`;
    const liveTemp = `.${made.name}.99998.tmp`;
    for (const name of [olderBundle, otherNode, otherCommand, longerWord, deadTemp, liveTemp]) writeFileSync(join(folder, name), 'x', { mode: 0o600 });
    utimesSync(join(folder, deadTemp), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    rmSync(join(folder, made.name));
    await status();
    const addsOwn = caches('add').map((c) => c.name);
    assert.equal(addsOwn.length, 1);
    assert.deepEqual(readdirSync(folder).sort(), [liveTemp, otherCommand, longerWord, otherNode, made.name, ...addsOwn].sort());
  });

  test("a command's first run does not use another command's cache: its own would then hold both, and every later run load more", async () => {
    const { log, preload } = compileLogger();
    const compiles = async (args: readonly string[]): Promise<string> => {
      rmSync(log, { force: true });
      const result = await cli.sandbox.run(args, { nodeArgs: ['--require', preload] });
      assert.equal(result.status, 0, result.stderr);
      return readFileSync(log, 'utf8').trim();
    };

    await cli.sandbox.addProfile('dev', cli.user);
    assert.equal(caches('add').length, 1);
    assert.equal(await compiles(['status']), 'none', "status's first run compiled afresh");
    const [own] = caches('status');
    assert.ok(own, 'and kept a cache of what it compiled');
    assert.equal(await compiles(['status']), 'taken', 'which the next run uses');
  });

  // Seen: watch set V8's flags after its bundle was compiled, so the cache it left (made under those
  // flags) was refused by every next start (compiled under the defaults) and written again.
  test('watch, which runs V8 lean, keeps its cache from one start to the next', async () => {
    const { log, preload } = compileLogger();
    await cli.sandbox.addProfile('dev', cli.user);
    const watchOnce = async (): Promise<string> => {
      rmSync(log, { force: true });
      const w = new CliProcess(['watch'], cli.sandbox.env, [process.execPath, '--require', preload, cliBin()]);
      await w.waitFor(/watching 1 profile/);
      assert.deepEqual(await w.stop('SIGTERM'), { status: 0, signal: null });
      return readFileSync(log, 'utf8').trim();
    };
    assert.equal(await watchOnce(), 'none', 'compiled afresh the first time');
    const [made] = caches('watch');
    assert.ok(made, 'and kept a cache');
    assert.equal(await watchOnce(), 'taken', 'which the next start uses');
    assert.deepEqual(caches('watch'), [made], 'as it is, not made again');
  });

  test("the launcher leaves Node's own compile cache off (Node 22.1+): on Linux its default folder is /tmp, which every user shares", async () => {
    // Node 20 has no module.enableCompileCache: the spy stands in for Node 22's, and logs any call.
    const log = join(cli.sandbox.dir, 'node-compile-cache.log');
    const preload = join(cli.sandbox.dir, 'spy-compile-cache.cjs');
    writeFileSync(
      preload,
      `const m = require('node:module'); const { appendFileSync } = require('node:fs');
m.enableCompileCache = (...args) => { appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n'); return { status: 3, message: 'spy' }; };\n`,
    );
    await cli.sandbox.addProfile('dev', cli.user);
    for (const args of [['status'], ['credential-process', 'dev'], ['--version']]) {
      await cli.sandbox.run(args, { nodeArgs: ['--require', preload] });
    }
    assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '', 'module.enableCompileCache was called');
  });

  test('a command that fails keeps none, and nothing creates the config folder for one', async () => {
    const failed = await cli.sandbox.run(['status', 'nosuch']);
    assert.notEqual(failed.status, 0);
    await status(); // "No profiles yet": ends well, and would keep a cache if it made the folder for one
    assert.equal(existsSync(cli.sandbox.configDir), false);
    await cli.sandbox.addProfile('dev', cli.user);
    assert.notEqual((await cli.sandbox.run(['status', 'nosuch'])).status, 0);
    assert.deepEqual(caches('status'), []);
    // Nor does a run that only prints its help: its cache would hold the help alone.
    assert.equal((await cli.sandbox.run(['refresh', '--help'])).status, 0);
    assert.equal((await cli.sandbox.run(['status', '-h'])).status, 0);
    // Nor a word that is not a command (a usage error), nor options first.
    assert.equal((await cli.sandbox.run(['refesh', 'dev'])).status, 2);
    assert.equal((await cli.sandbox.run(['--version'])).status, 0);
    assert.deepEqual(readdirSync(cacheFolder()), [caches('add')[0]?.name], 'only the add that made the profile kept one');
    // Every command keeps its own: edit's, beside add's.
    assert.equal((await cli.sandbox.run(['edit', 'dev', '--duration', '7200'])).status, 0);
    assert.equal(caches('edit').length, 1);
  });
});

describe('the loader, on bundles of its own', () => {
  /** Runs `loadCommandBundle(bundle, ['status'])` in a child process, as the launcher does; what the bundle exported. */
  function load(bundle: string, configDir: string): string {
    const loader = join(cliDist(), 'cli-loader.cjs');
    const result = spawnSync(
      process.execPath,
      ['-e', `console.log(require(${JSON.stringify(loader)}).loadCommandBundle(${JSON.stringify(bundle)}, ['status']).value)`],
      {
        env: { ...process.env, MFA_TRAY_CONFIG_DIR: configDir },
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  }

  test('a cache made from another bundle of the same length never runs in its place (V8 compares lengths only)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-tray-code-cache-'));
    try {
      const configDir = join(dir, 'config');
      mkdirSync(configDir);
      const bundle = join(dir, 'bundle.cjs');
      const source = (word: string): string =>
        `'use strict'; function value() { return ${JSON.stringify(word)}; } module.exports = { get value() { return value(); } };\n`;
      writeFileSync(bundle, source('first'));
      assert.equal(load(bundle, configDir), 'first');
      const [made] = readdirSync(join(configDir, 'code-cache'));
      assert.ok(made);
      const madeInfo = statSync(join(configDir, 'code-cache', made));
      assert.equal(load(bundle, configDir), 'first');
      const usedInfo = statSync(join(configDir, 'code-cache', made));
      assert.deepEqual([usedInfo.ino, usedInfo.ctimeMs], [madeInfo.ino, madeInfo.ctimeMs], 'the second load ran from the cache (V8 took it: not made again)');

      writeFileSync(bundle, source('other'));
      assert.equal(load(bundle, configDir), 'other');
      assert.equal(readdirSync(join(configDir, 'code-cache')).length, 1, "the first bundle's cache is removed once the new one is written");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the command's bundle is ASCII (decoded fast), with no import() (node:vm runs no ES module loader for it)", () => {
    const text = readFileSync(join(cliDist(), 'cli.cjs'));
    assert.equal(
      text.findIndex((byte) => byte > 0x7f),
      -1,
    );
    assert.doesNotMatch(text.toString('latin1'), /(^|[^\w$.])import\(/);
  });
});
