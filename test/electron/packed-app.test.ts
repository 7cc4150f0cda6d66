/**
 * The app as electron-builder packs it, with electron-builder.yml as it is: packed here for Linux
 * (`--linux dir`) around a stand-in Electron binary (test/support/electron-standin.ts), then read
 * back: the fuses flipped in the binary, what app.asar holds, and the packaged command run through
 * its shipped launcher the way the package runs it (its own argv, environment and working folder).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { appFiles } from '../../main/electron/app-files';
import { AWS_HELPER_FILE } from '../../main/engine/aws/aws-helper';
import { HELPER_FILE } from '../../main/engine/keychain/keychain-helper';
import { createCliSandbox, ensureCliBuilt, fakeSession, ROOT, type CliSandbox } from '../support/cli';
import { makeStandinElectron } from '../support/electron-standin';
import { startStsServer, type StsServer } from '../support/sts-server';

const run = promisify(execFile);
const builderRequire = createRequire(createRequire(import.meta.url).resolve('app-builder-lib/package.json'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown; dump(value: unknown): string };
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, options: object): string[];
  statFile(archive: string, file: string): { unpacked?: boolean; size?: number };
};
const fuses = require('@electron/fuses') as { getCurrentFuseWire(file: string): Promise<Record<string, string | number>> };

const work = mkdtempSync(join(tmpdir(), 'mfa-tray-pack-'));
const unpacked = join(work, 'out', 'linux-unpacked');
const asarFile = join(unpacked, 'resources', 'app.asar');

before(async () => {
  await ensureCliBuilt();
  // electron-builder.yml as it is, with the output in the temp folder.
  const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { directories: Record<string, string> };
  config.directories.output = join(work, 'out');
  writeFileSync(join(work, 'electron-builder.yml'), yaml.dump(config));
  const electronDist = makeStandinElectron(join(work, 'electron-dist'));
  await run(
    process.execPath,
    [require.resolve('electron-builder/cli.js'), '--linux', 'dir', '--config', join(work, 'electron-builder.yml'), `-c.electronDist=${electronDist}`],
    { cwd: ROOT, env: { ...process.env, CI: '1' }, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
  );
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('fuses', () => {
  test('the packed binary has RunAsNode, NODE_OPTIONS and --inspect off, and asar integrity and asar-only loading on', async () => {
    const wire = await fuses.getCurrentFuseWire(join(unpacked, 'mfa-tray-app'));
    const [off, on] = ['0'.charCodeAt(0), '1'.charCodeAt(0)];
    // FuseV1Options: 0 RunAsNode, 1 cookie encryption, 2 NODE_OPTIONS, 3 --inspect, 4 asar integrity,
    // 5 only from asar, 6 browser V8 snapshot, 7 file:// extra privileges.
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((fuse) => wire[fuse]),
      [off, on, off, off, on, on, off, off],
    );
  });
});

describe('what the package holds', () => {
  // Seen: the tray app looked for its windows' pages, their preload and the keychain helper beside
  // its own code, which is a chunk in dist/chunks/: none of them is there.
  test('the files the tray app looks for are where the package and the checkout hold them', () => {
    const files = new Set(asar.listPackage(asarFile, {}).map((entry) => entry.replaceAll('\\', '/')));
    const packed = appFiles('/');
    for (const path of [
      packed.renderer,
      join(packed.renderer, 'profiles.html'),
      packed.preload,
      join(packed.dist, HELPER_FILE),
      join(packed.dist, AWS_HELPER_FILE),
      packed.tray,
    ]) {
      assert.ok(files.has(path), `app.asar holds ${path}`);
    }
    // `npm start` runs the app from app/ (the checkout's build: ensureCliBuilt above).
    const checkout = appFiles(join(ROOT, 'app'));
    for (const path of [
      join(checkout.renderer, 'profiles.html'),
      checkout.preload,
      join(checkout.dist, HELPER_FILE),
      join(checkout.dist, AWS_HELPER_FILE),
      checkout.tray,
    ]) {
      assert.ok(existsSync(path), `the checkout has ${path}`);
    }
    // And no bundled module finds files from its own URL (the banner's createRequire aside, for
    // Node's built-ins): the tray app's code is in a chunk.
    const dist = join(ROOT, 'app', 'dist');
    const bundles = ['main.mjs', ...readdirSync(join(dist, 'chunks')).map((name) => join('chunks', name))].filter((name) => name.endsWith('.mjs'));
    const ownUrl = bundles.filter((name) =>
      readFileSync(join(dist, name), 'utf8').replaceAll('__createRequire(import.meta.url)', '').includes('import.meta.url'),
    );
    assert.deepEqual(ownUrl, []);
  });

  test("app.asar holds the bundles, the tray icons and keytar's runtime only: no node_modules", () => {
    const files = asar.listPackage(asarFile, {}).map((entry) => entry.replaceAll('\\', '/'));
    // The tray app's keychain and AWS calls run in them on Linux (main/electron/utility-process-helper.ts).
    assert.ok(files.includes('/dist/keychain-helper.cjs'), 'the keychain helper is packed');
    assert.ok(files.includes('/dist/aws-helper.cjs'), 'the AWS helper is packed');
    const outside = files.filter(
      (file) =>
        !/^\/(package\.json|dist|dist\/(main\.mjs|preload\.cjs|keychain-helper\.cjs|aws-helper\.cjs|chunks|chunks\/.*|renderer|renderer\/.*|native|native\/keytar(\/.*)?)|tray(\/.*)?)$/.test(
          file,
        ),
    );
    assert.deepEqual(outside, []);
    assert.ok(files.includes('/dist/native/keytar/build/Release/keytar.node'));
    assert.equal(
      asar.statFile(asarFile, 'dist/native/keytar/build/Release/keytar.node').unpacked,
      true,
      'the native module is unpacked (it cannot load from the archive)',
    );
    statSync(join(unpacked, 'resources', 'app.asar.unpacked', 'dist', 'native', 'keytar', 'build', 'Release', 'keytar.node'));
    assert.ok(!files.some((file) => file.endsWith('.map')), 'no source maps');
    const size = statSync(asarFile).size;
    // Everything bundled: about 3.9 MB, of it ~0.33 MB the D-Bus client of the keychain's listing
    // (dbus-native, in the ESM chunks and the keychain helper); with the repository's node_modules
    // collected it was 15.8 MB.
    assert.ok(size < 5 * 1024 * 1024, `app.asar is ${size} bytes`);
  });

  test("the app's package.json maps #keytar to the runtime copy, and names the entry that exists", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'app', 'package.json'), 'utf8')) as {
      main: string;
      imports: Record<string, string>;
      dependencies?: object;
    };
    const files = new Set(asar.listPackage(asarFile, {}).map((entry) => entry.replaceAll('\\', '/')));
    assert.ok(files.has(`/${manifest.main}`), manifest.main);
    assert.ok(files.has(`/${manifest.imports['#keytar']?.replace(/^\.\//, '')}`));
    assert.equal(manifest.dependencies, undefined, 'no dependencies: nothing for electron-builder to collect');
    const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    assert.equal(rootManifest.main, `app/${manifest.main}`, "the root package.json's main is the packed entry");
    // One maintainer everywhere it is named (the deb's Maintainer field, both package.json files).
    const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { linux: { maintainer: string } };
    const author = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { author: string }).author;
    assert.equal(config.linux.maintainer, author);
    assert.equal((manifest as { author?: string }).author, author);
  });
});

describe('the packaged command', () => {
  let sts: StsServer;
  let sandbox: CliSandbox;
  const launcher = join(unpacked, 'resources', 'bin', 'mfa-tray');

  before(async () => {
    sts = await startStsServer();
    sandbox = createCliSandbox(sts, 'packed');
  });
  after(async () => {
    await sandbox.cleanup();
    await sts.close();
  });

  /** Runs the shipped launcher from another folder, as a shell or an SDK's credential_process would. */
  async function packed(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(launcher, args, { cwd: sandbox.dir, env: sandbox.env, timeout: 60_000 });
      return { status: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { status: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  test('status runs as a command: output on stdout, exit 0, no window', async () => {
    const result = await packed(['status']);
    assert.deepEqual(result, {
      status: 0,
      stdout: 'No profiles yet. Add one with: mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>\n',
      stderr: '',
    });
  });

  test('credential-process prints the JSON and nothing else; a failure passes its exit status through', async () => {
    const user = sts.registerUser();
    await sandbox.addProfile('dev', user);
    const session = fakeSession(Date.now() + 3_600_000);
    await sandbox.seedSession('dev', session);
    const served = await packed(['credential-process', 'dev']);
    assert.equal(served.status, 0, served.stderr);
    assert.equal(served.stderr, '');
    const json = JSON.parse(served.stdout) as { Version: number; AccessKeyId: string };
    assert.deepEqual([json.Version, json.AccessKeyId], [1, session.accessKeyId]);

    const missing = await packed(['export', 'nope']);
    assert.equal(missing.status, 3, missing.stderr);
    assert.match(missing.stderr, /^mfa-tray export: .*"nope"/);
    // Arguments reach the command as given, after the launcher's `--` (Chromium reads none of them).
    const help = await packed(['status', '--help']);
    assert.match(help.stdout, /^Usage: mfa-tray status/m);
  });

  test('without command mode the same entry loads the tray app, which needs Electron: the command never does', async () => {
    const result = await run(join(unpacked, 'mfa-tray-app'), [], { cwd: sandbox.dir, env: sandbox.env, timeout: 60_000 }).then(
      () => ({ stderr: '' }),
      (error: { stderr?: string }) => ({ stderr: error.stderr ?? '' }),
    );
    assert.match(result.stderr, /Cannot find (package|module) 'electron'/);
  });
});
