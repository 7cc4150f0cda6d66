import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMfaTrayError, type MfaTrayError } from '../../main/common/errors';
import { APP_SETTINGS_DEFAULTS, type Profile } from '../../main/common/model';
import { InvalidInputError } from '../../main/common/validation';
import { SETTINGS_FILE_VERSION, SettingsStore } from '../../main/engine/files/settings-store';

const SERIAL = 'arn:aws:iam::123456789012:mfa/alice';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let root: string;
let dir: string;
let store: SettingsStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mfa-tray-settings-'));
  dir = join(root, 'config');
  store = new SettingsStore({ configDir: dir });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes the settings file as a user or another program would: bytes, text, or a value as JSON. */
async function writeFileWith(document: unknown): Promise<Buffer> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const bytes = Buffer.isBuffer(document) ? document : Buffer.from(typeof document === 'string' ? document : `${JSON.stringify(document, null, 2)}\n`);
  await writeFile(store.file, bytes);
  return bytes;
}

const isCode =
  (...codes: Parameters<typeof isMfaTrayError>[1][]) =>
  (error: unknown) =>
    isMfaTrayError(error, ...codes);

describe('a missing file', () => {
  test('loads as the defaults', async () => {
    assert.deepEqual(await store.load(), { settings: APP_SETTINGS_DEFAULTS, profiles: [] });
  });

  test('is not created by reading', async () => {
    await store.load();
    assert.equal(existsSync(dir), false);
  });

  test('is not created by a change that changes nothing', async () => {
    await store.updateSettings({ language: APP_SETTINGS_DEFAULTS.language });
    assert.equal(existsSync(dir), false);
  });
});

describe('round trip', () => {
  test('a profile added is loaded by another store on the same folder', async () => {
    const added = await store.addProfile({ name: 'dev', mfaSerial: SERIAL, durationSeconds: 3600 });
    const { profiles } = await new SettingsStore({ configDir: dir }).load();
    assert.deepEqual(profiles, [added]);
  });

  test('settings changed are loaded again', async () => {
    await store.updateSettings({ notifyBeforeMinutes: 5, language: 'ja' });
    assert.deepEqual((await new SettingsStore({ file: store.file }).load()).settings, { ...APP_SETTINGS_DEFAULTS, notifyBeforeMinutes: 5, language: 'ja' });
  });

  test('the file is versioned JSON with settings and profiles', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    const document = JSON.parse(await readFile(store.file, 'utf8'));
    assert.deepEqual(Object.keys(document), ['version', 'settings', 'profiles']);
    assert.equal(document.version, SETTINGS_FILE_VERSION);
  });

  test('the file is created with mode 0600 in a folder with mode 0700', { skip: process.platform === 'win32' }, async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    assert.equal((await stat(store.file)).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  });

  test('nothing but the file is left in the folder (no lock, no temp file)', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    assert.deepEqual(await readdir(dir), ['settings.json']);
  });
});

describe('profiles', () => {
  test('getProfile returns a stored profile', async () => {
    const added = await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    assert.deepEqual(await store.getProfile('dev'), added);
  });

  test('listProfiles returns the profiles in the order they were added', async () => {
    await store.addProfile({ name: 'b', mfaSerial: SERIAL });
    await store.addProfile({ name: 'a', mfaSerial: SERIAL });
    assert.deepEqual(
      (await store.listProfiles()).map((p) => p.name),
      ['b', 'a'],
    );
  });

  test('getProfile of an unknown name is not-found and lists the names there are', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(store.getProfile('prod'), (error: unknown) => isMfaTrayError(error, 'not-found') && /"prod".*dev/.test(error.message));
  });

  test('adding a name in use is already-exists', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(store.addProfile({ name: 'dev', mfaSerial: SERIAL, targetSection: 'other' }), isCode('already-exists'));
  });

  test('adding with replace replaces the profile in place', async () => {
    await store.addProfile({ name: 'a', mfaSerial: SERIAL });
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await store.addProfile({ name: 'z', mfaSerial: SERIAL });
    await store.addProfile({ name: 'dev', mfaSerial: 'GAHT12345678', region: 'eu-west-1' }, { replace: true });
    const { profiles } = await store.load();
    assert.deepEqual(
      profiles.map((p) => [p.name, p.mfaSerial]),
      [
        ['a', SERIAL],
        ['dev', 'GAHT12345678'],
        ['z', SERIAL],
      ],
    );
  });

  test('a name differing from one in use only by case is already-exists, even with replace', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(
      store.addProfile({ name: 'Dev', mfaSerial: SERIAL, targetSection: 'Dev' }, { replace: true }),
      (error: unknown) => isMfaTrayError(error, 'already-exists') && /upper\/lower case/.test(error.message),
    );
  });

  test('two profiles cannot share a target section', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(
      store.addProfile({ name: 'dev2', mfaSerial: SERIAL, targetSection: 'dev' }),
      (error: unknown) =>
        error instanceof InvalidInputError && error.field === 'targetSection' && error.rule === 'in-use' && /\[dev\].*"dev"/.test(error.message),
    );
  });

  test('a profile cannot take as its name a section another profile writes', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL, targetSection: 'shared' });
    await assert.rejects(
      store.addProfile({ name: 'shared', mfaSerial: SERIAL }),
      (error: unknown) => error instanceof InvalidInputError && error.rule === 'in-use',
    );
  });

  test('updateProfile changes the given fields and keeps the others', async () => {
    const added = await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    const updated = await store.updateProfile('dev', { durationSeconds: 7200, autoRefresh: false });
    assert.deepEqual(updated, { ...added, durationSeconds: 7200, autoRefresh: false });
    assert.deepEqual(await store.getProfile('dev'), updated);
  });

  test("updateProfile cannot move a profile into another profile's section", async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await store.addProfile({ name: 'prod', mfaSerial: SERIAL });
    await assert.rejects(
      store.updateProfile('prod', { targetSection: 'dev' }),
      (error: unknown) => error instanceof InvalidInputError && error.rule === 'in-use',
    );
  });

  test('updateProfile cannot rename', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(
      store.updateProfile('dev', { name: 'prod' } as never),
      (error: unknown) => error instanceof InvalidInputError && error.rule === 'immutable',
    );
  });

  test('updateProfile of an unknown profile is not-found and creates nothing', async () => {
    await assert.rejects(store.updateProfile('dev', { durationSeconds: 7200 }), isCode('not-found'));
    assert.equal(existsSync(dir), false);
  });

  test('removeProfile removes the profile and returns it', async () => {
    const added = await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await store.addProfile({ name: 'prod', mfaSerial: SERIAL });
    assert.deepEqual(await store.removeProfile('dev'), added);
    assert.deepEqual(
      (await store.load()).profiles.map((p) => p.name),
      ['prod'],
    );
  });

  test('removeProfile of an unknown profile is not-found', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(store.removeProfile('prod'), isCode('not-found'));
  });
});

describe('nothing secret goes into the file', () => {
  test('a profile carrying a secret access key is refused', async () => {
    await assert.rejects(
      store.addProfile({ name: 'dev', mfaSerial: SERIAL, secretAccessKey: SECRET } as never),
      (error: unknown) =>
        error instanceof InvalidInputError && error.field === 'secretAccessKey' && error.rule === 'unknown-field' && !error.message.includes(SECRET),
    );
    assert.equal(existsSync(dir), false);
  });

  test('an update carrying a secret is refused and the file keeps no secret', async () => {
    await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
    await assert.rejects(store.updateProfile('dev', { aws_secret_access_key: SECRET } as never), isCode('invalid-input'));
    assert.ok(!(await readFile(store.file, 'utf8')).includes(SECRET));
  });

  test('the profiles loaded have exactly the Profile fields', async () => {
    await writeFileWith({ version: 1, profiles: [{ name: 'dev', mfaSerial: SERIAL, color: 'blue' }] });
    const [profile] = (await store.load()).profiles;
    assert.deepEqual(
      Object.keys(profile ?? {}).sort(),
      (['autoRefresh', 'durationSeconds', 'mfaSerial', 'name', 'region', 'targetSection'] satisfies (keyof Profile)[]).sort(),
    );
  });
});

describe('a version-1 file written by hand or by a later release', () => {
  test('missing optional fields get their defaults', async () => {
    await writeFileWith({ version: 1, profiles: [{ name: 'cn', mfaSerial: 'arn:aws-cn:iam::123456789012:mfa/a' }] });
    const { settings, profiles } = await store.load();
    assert.deepEqual(settings, APP_SETTINGS_DEFAULTS);
    assert.deepEqual(profiles, [
      { name: 'cn', mfaSerial: 'arn:aws-cn:iam::123456789012:mfa/a', durationSeconds: 43200, region: 'cn-north-1', targetSection: 'cn', autoRefresh: true },
    ]);
  });

  test('unknown fields are kept when the file is rewritten', async () => {
    await writeFileWith({ version: 1, note: 'top', settings: { theme: 'dark' }, profiles: [{ name: 'dev', mfaSerial: SERIAL, color: 'blue' }] });
    await store.updateProfile('dev', { durationSeconds: 7200 });
    await store.updateSettings({ language: 'en' });
    const document = JSON.parse(await readFile(store.file, 'utf8'));
    assert.equal(document.note, 'top');
    assert.equal(document.settings.theme, 'dark');
    assert.equal(document.profiles[0].color, 'blue');
    assert.equal(document.profiles[0].durationSeconds, 7200);
  });

  test('a UTF-8 byte order mark is accepted', async () => {
    await writeFileWith(`\uFEFF${JSON.stringify({ version: 1, profiles: [{ name: 'dev', mfaSerial: SERIAL }] })}`);
    assert.equal((await store.load()).profiles.length, 1);
  });
});

describe('a file MFA Tray cannot use is never overwritten', () => {
  const valid = JSON.stringify({ version: 1, settings: {}, profiles: [{ name: 'dev', mfaSerial: SERIAL }] }, null, 2);
  const cases: readonly (readonly [what: string, content: string | Buffer, message: RegExp])[] = [
    ['corrupt JSON', '{ "version": 1, "profiles": [ { "name": "dev", } ] }', /is not valid JSON \(error at line 1, column \d+\)/],
    ['truncated JSON', valid.slice(0, valid.length - 20), /is not valid JSON/],
    ['an empty file', '', /is not valid JSON \(it is empty\)/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /is not UTF-8 text/],
    ['a JSON array', '[]', /is not a JSON object/],
    [
      'a value the schema refuses',
      JSON.stringify({ version: 1, profiles: [{ name: 'dev', mfaSerial: SERIAL, durationSeconds: 60 }] }),
      /profiles\[0\]\.durationSeconds: session duration: /,
    ],
    ['a field of the wrong type', JSON.stringify({ version: 1, settings: { launchAtLogin: 'yes' } }), /settings\.launchAtLogin: must be a boolean/],
    ['a profile without a name', JSON.stringify({ version: 1, profiles: [{ mfaSerial: SERIAL }] }), /profiles\[0\]\.name: is missing/],
    [
      'duplicate names',
      JSON.stringify({
        version: 1,
        profiles: [
          { name: 'dev', mfaSerial: SERIAL },
          { name: 'DEV', mfaSerial: SERIAL },
        ],
      }),
      /appears twice/,
    ],
    [
      'a shared target section',
      JSON.stringify({
        version: 1,
        profiles: [
          { name: 'a', mfaSerial: SERIAL, targetSection: 's' },
          { name: 'b', mfaSerial: SERIAL, targetSection: 's' },
        ],
      }),
      /both write \[s\]/,
    ],
    ['no version', JSON.stringify({ profiles: [] }), /unknown version \(missing\)/],
    [
      'a newer version',
      JSON.stringify({ version: 3, whatever: true }),
      /was written by a newer MFA Tray \(version 3; this one reads version 1\)\. Update MFA Tray/,
    ],
    [
      'a secret in it',
      JSON.stringify({ version: 1, profiles: [{ name: 'dev', mfaSerial: SERIAL, aws_secret_access_key: SECRET }] }),
      /holds a secret \(profiles\[0\]\.aws_secret_access_key\)/,
    ],
  ];

  for (const [what, content, message] of cases) {
    describe(what, () => {
      let original: Buffer;
      beforeEach(async () => {
        original = await writeFileWith(content);
      });

      const clearError = (error: unknown): error is MfaTrayError =>
        isMfaTrayError(error, 'settings-file') &&
        error.message.includes(store.file) &&
        message.test(error.message) &&
        /left unchanged/.test(error.message) &&
        !error.message.includes(SECRET);

      test('load fails with a clear error naming the file', async () => {
        await assert.rejects(store.load(), clearError);
      });

      const writes: readonly (readonly [string, () => Promise<unknown>])[] = [
        ['addProfile', () => store.addProfile({ name: 'new', mfaSerial: SERIAL })],
        ['addProfile with replace', () => store.addProfile({ name: 'dev', mfaSerial: SERIAL }, { replace: true })],
        ['updateProfile', () => store.updateProfile('dev', { durationSeconds: 7200 })],
        ['removeProfile', () => store.removeProfile('dev')],
        ['updateSettings', () => store.updateSettings({ language: 'ja' })],
      ];
      for (const [name, write] of writes) {
        test(`${name} is refused and the file stays byte-identical`, async () => {
          await assert.rejects(write(), (error: unknown) => clearError(error) && /change was not saved/.test(error.message));
          assert.deepEqual(await readFile(store.file), original);
          assert.deepEqual(await readdir(dir), ['settings.json']);
        });
      }
    });
  }
});

describe('bad input changes nothing', () => {
  const badInputs: readonly (readonly [string, () => Promise<unknown>])[] = [
    ['a bad profile name', () => store.addProfile({ name: 'my profile', mfaSerial: SERIAL })],
    ['a security-key serial', () => store.addProfile({ name: 'new', mfaSerial: 'arn:aws:iam::123456789012:u2f/user/alice/fidosecuritykey-ABCDEFGHIJ' })],
    ['a duration out of range', () => store.addProfile({ name: 'new', mfaSerial: SERIAL, durationSeconds: 200000 })],
    ['a bad region', () => store.addProfile({ name: 'new', mfaSerial: SERIAL, region: 'moon-1' })],
    ['a bad target section', () => store.addProfile({ name: 'new', mfaSerial: SERIAL, targetSection: 'a b' })],
    ['a bad update', () => store.updateProfile('dev', { durationSeconds: 10 })],
    ["a region outside the serial's partition", () => store.updateProfile('dev', { region: 'cn-north-1' })],
    ['a bad name to update', () => store.updateProfile('de v', { durationSeconds: 3600 })],
    ['a bad name to remove', () => store.removeProfile('de\nv')],
    ['a bad setting', () => store.updateSettings({ clipboardClearSeconds: -1 })],
    ['an unknown setting', () => store.updateSettings({ theme: 'dark' } as never)],
  ];

  for (const [what, act] of badInputs) {
    test(`${what}: invalid-input, file byte-identical`, async () => {
      await store.addProfile({ name: 'dev', mfaSerial: SERIAL });
      const before = await readFile(store.file);
      await assert.rejects(act(), isCode('invalid-input'));
      assert.deepEqual(await readFile(store.file), before);
      assert.deepEqual(await readdir(dir), ['settings.json']);
    });
  }

  test('bad input with no file yet creates neither file nor folder', async () => {
    await assert.rejects(store.addProfile({ name: 'new', mfaSerial: 'nope' }), isCode('invalid-input'));
    assert.equal(existsSync(dir), false);
  });
});

describe('two processes at once', () => {
  const storeModule = fileURLToPath(new URL('../../main/engine/files/settings-store.ts', import.meta.url));

  /** A child that adds `count` profiles named `<prefix>-<i>`, starting when `go` exists. */
  function child(prefix: string, count: number, go: string) {
    const script = `
      const [modulePath, configDir, prefix, count, go] = process.argv.slice(1);
      const { existsSync } = await import('node:fs');
      const { SettingsStore } = await import(modulePath);
      const store = new SettingsStore({ configDir });
      process.stdout.write('ready\\n');
      while (!existsSync(go)) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < Number(count); i += 1) {
        await store.addProfile({ name: prefix + '-' + i, mfaSerial: 'GAHT12345678' });
      }
    `;
    const process_ = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, storeModule, dir, prefix, String(count), go], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve) => process_.stdout.once('data', () => resolve()));
    const exited = new Promise<void>((resolve, reject) => {
      process_.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${prefix} exited ${code}: ${stderr}`))));
    });
    return { ready, exited };
  }

  test('concurrent adds from two child processes all survive', { timeout: 60_000 }, async () => {
    const go = join(root, 'go');
    const children = [child('app', 15, go), child('cli', 15, go)];
    await Promise.all(children.map((c) => c.ready));
    await writeFile(go, '');
    await Promise.all(children.map((c) => c.exited));

    const names = (await store.load()).profiles.map((p) => p.name).sort();
    const expected = ['app', 'cli'].flatMap((prefix) => Array.from({ length: 15 }, (_, i) => `${prefix}-${i}`)).sort();
    assert.deepEqual(names, expected);
  });
});
