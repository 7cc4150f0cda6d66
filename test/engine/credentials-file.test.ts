import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import fc from 'fast-check';
import { isMfaTrayError } from '../../main/common/errors';
import type { SessionCredentials } from '../../main/common/model';
import { CredentialsFile, formatExpiry, withoutSession, withSession } from '../../main/engine/files/credentials-file';
import { parseIni } from '../../main/engine/files/ini-edit';
import { sessionMissingFrom } from '../../main/engine/files/session-section';
import { credentialsFile, OUR_KEYS, SECTION_NAMES, session as arbitrarySession, type GeneratedFile } from '../fixtures/credentials/arbitrary-credentials';

const FIXTURES = fileURLToPath(new URL('../fixtures/credentials/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The session every golden case writes (see test/fixtures/credentials/README.md). */
const GOLDEN: SessionCredentials = {
  accessKeyId: 'ASIAGOLDENGOLDEN0001',
  secretAccessKey: 'goldenSecret/Golden+Secret/GoldenSecret01',
  sessionToken: 'FwoGZXIvYXdzEGolden//Token+Golden/Token==',
  expiresAt: Date.UTC(2026, 10, 28, 5, 12, 0),
};

const SESSION: SessionCredentials = {
  accessKeyId: 'ASIANEWNEWNEWNEW0001',
  secretAccessKey: 'newSecretNewSecretNewSecretNewSecret0001',
  sessionToken: 'newToken//NewToken+NewToken==',
  expiresAt: Date.UTC(2026, 10, 28, 5, 12, 0),
};

const lf = (...lines: string[]): string => lines.map((l) => `${l}\n`).join('');

/**
 * Writes a generated file as one that has been there a while. A fresh file that does not end its
 * last line is waited on (250 ms) as another program's rewrite in progress (`readSettled` in
 * atomic-file.ts); the generated files often end so, and these tests are about their bytes.
 */
async function writeAtRest(path: string, content: Buffer): Promise<void> {
  await writeFile(path, content);
  const aMinuteAgo = new Date(Date.now() - 60_000);
  await utimes(path, aMinuteAgo, aMinuteAgo);
}

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-credentials-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A credentials file with `content` in a fresh folder, and a {@link CredentialsFile} on it. */
async function fileWith(t: TestContext, content: string | Buffer | undefined): Promise<{ path: string; dir: string; file: CredentialsFile }> {
  const dir = await scratch(t);
  const path = join(dir, 'credentials');
  if (content !== undefined) await writeFile(path, content);
  return { path, dir, file: new CredentialsFile({ path }) };
}

/** What the AWS SDK for JavaScript reads from a credentials file (its own INI loader). */
async function sdkProfiles(path: string): Promise<Record<string, Record<string, string | undefined>>> {
  const { credentialsFile: profiles } = await loadSharedConfigFiles({ filepath: path, configFilepath: `${path}.no-config`, ignoreCache: true });
  return profiles;
}

const bytes = (path: string): Promise<Buffer> => readFile(path);

/** Expects `promise` to reject with an MfaTrayError of `code`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, code: Parameters<typeof isMfaTrayError>[1]) {
  const error = await promise.then(
    () => assert.fail(`expected an error with code ${code}`),
    (e: unknown) => e,
  );
  assert.ok(isMfaTrayError(error, code), `expected ${code}, got ${String(error)}`);
  return error;
}

/**
 * What botocore (the AWS CLI) reads: its `raw_config_parse` is Python's strict `RawConfigParser`
 * on the file opened with the locale's encoding (UTF-8 here), which is what this mirrors.
 */
function botocoreProfiles(path: string): Record<string, Record<string, string>> {
  const script = [
    'import configparser, json, sys',
    'cp = configparser.RawConfigParser()',
    "cp.read([sys.argv[1]], encoding='utf-8')",
    'print(json.dumps({s: dict(cp.items(s)) for s in cp.sections()}))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, Record<string, string>>;
}

const WRITE_CASES = ['comments', 'crlf', 'bom', 'no-trailing-newline', 'nested-s3', 'unknown-keys', 'empty'];

describe('golden files', () => {
  for (const name of WRITE_CASES) {
    test(`${name}: writeSession gives expected.ini byte for byte`, async (t) => {
      const { path, file } = await fileWith(t, await bytes(join(FIXTURES, name, 'input.ini')));

      await file.writeSession('dev', GOLDEN);

      assert.deepEqual(await bytes(path), await bytes(join(FIXTURES, name, 'expected.ini')));
    });

    test(`${name}: the SDK reads the new session in [dev] and every other profile unchanged`, async (t) => {
      const { path, file } = await fileWith(t, await bytes(join(FIXTURES, name, 'input.ini')));
      const before = await sdkProfiles(path);

      await file.writeSession('dev', GOLDEN);

      const { dev, ...others } = await sdkProfiles(path);
      assert.equal(dev?.aws_access_key_id, GOLDEN.accessKeyId);
      assert.equal(dev?.aws_secret_access_key, GOLDEN.secretAccessKey);
      assert.equal(dev?.aws_session_token, GOLDEN.sessionToken);
      assert.equal(dev?.x_security_token_expires, '2026-11-28T05:12:00Z');
      const { dev: _old, ...othersBefore } = before;
      assert.deepEqual(others, othersBefore);
    });
  }

  // botocore opens the file as plain UTF-8 and so cannot read a file with a BOM at all, before or after.
  for (const name of WRITE_CASES.filter((n) => n !== 'bom')) {
    test(`${name}: botocore's parser reads the same session and the other profiles unchanged`, async (t) => {
      const { path, file } = await fileWith(t, await bytes(join(FIXTURES, name, 'input.ini')));
      const { dev: _old, ...before } = botocoreProfiles(path);

      await file.writeSession('dev', GOLDEN);

      const { dev, ...after } = botocoreProfiles(path);
      assert.equal(dev?.aws_access_key_id, GOLDEN.accessKeyId);
      assert.equal(dev?.aws_secret_access_key, GOLDEN.secretAccessKey);
      assert.equal(dev?.aws_session_token, GOLDEN.sessionToken);
      assert.deepEqual(after, before);
    });
  }

  test('missing: writeSession creates the folder (0700) and the file (0600) with expected.ini', async (t) => {
    const dir = await scratch(t);
    const path = join(dir, 'home', '.aws', 'credentials');

    await new CredentialsFile({ path }).writeSession('dev', GOLDEN);

    assert.deepEqual(await bytes(path), await bytes(join(FIXTURES, 'missing', 'expected.ini')));
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'home', '.aws'))).mode & 0o777, 0o700);
  });

  test('long-lived: writeSession refuses and leaves the file as it was', async (t) => {
    const input = await bytes(join(FIXTURES, 'long-lived', 'input.ini'));
    const { path, file } = await fileWith(t, input);

    await rejectsWith(file.writeSession('dev', GOLDEN), 'long-lived-section');

    assert.deepEqual(await bytes(path), input);
  });

  test('long-lived: with overwriteLongLived, writeSession gives expected.ini', async (t) => {
    const { path, file } = await fileWith(t, await bytes(join(FIXTURES, 'long-lived', 'input.ini')));

    await file.writeSession('dev', GOLDEN, { overwriteLongLived: true });

    assert.deepEqual(await bytes(path), await bytes(join(FIXTURES, 'long-lived', 'expected.ini')));
  });

  test('forget-section: forgetSession removes the section and its separating blank line', async (t) => {
    const { path, file } = await fileWith(t, await bytes(join(FIXTURES, 'forget-section', 'input.ini')));

    assert.equal(await file.forgetSession('dev'), 'section-removed');

    assert.deepEqual(await bytes(path), await bytes(join(FIXTURES, 'forget-section', 'expected.ini')));
  });

  test('forget-keys: forgetSession removes only the session keys from a section holding more', async (t) => {
    const { path, file } = await fileWith(t, await bytes(join(FIXTURES, 'forget-keys', 'input.ini')));

    assert.equal(await file.forgetSession('dev'), 'keys-removed');

    assert.deepEqual(await bytes(path), await bytes(join(FIXTURES, 'forget-keys', 'expected.ini')));
  });
});

describe('CredentialsFile.writeSession', () => {
  test('writes the expiry as RFC 3339 UTC to the second', async (t) => {
    const { path, file } = await fileWith(t, undefined);

    await file.writeSession('dev', { ...SESSION, expiresAt: Date.UTC(2026, 10, 28, 5, 12, 0, 999) });

    assert.match(await readFile(path, 'utf8'), /^x_security_token_expires = 2026-11-28T05:12:00Z$/m);
  });

  test("onlyIf: asked with the section's session as read under the lock; no leaves every byte as it was", async (t) => {
    const { path, file } = await fileWith(t, undefined);
    await file.writeSession('dev', GOLDEN);
    const before = await readFile(path);
    const seen: Array<string | undefined> = [];
    await file.writeSession('dev', SESSION, { onlyIf: (inFile) => (seen.push(inFile?.accessKeyId), false) });
    assert.deepEqual(await readFile(path), before);
    assert.deepEqual(seen, [GOLDEN.accessKeyId]);
    await file.writeSession('dev', SESSION, { onlyIf: (inFile) => inFile?.accessKeyId === GOLDEN.accessKeyId });
    assert.equal((await file.readSession('dev'))?.accessKeyId, SESSION.accessKeyId);
    const seenNew: Array<string | undefined> = [];
    await file.writeSession('new', SESSION, { onlyIf: (inFile) => (seenNew.push(inFile?.accessKeyId), true) });
    assert.deepEqual(seenNew, [undefined], 'a section not there yet: no session');
    assert.equal((await file.readSession('new'))?.accessKeyId, SESSION.accessKeyId);
  });

  test('refuses a section name that is not allowed, naming the field and the rule, and writes nothing', async (t) => {
    const { path, dir, file } = await fileWith(t, undefined);
    for (const name of ['dev]', 'dev\n[prod', 'my profile', '', 'x'.repeat(65), 'DEFAULT', '__proto__']) {
      const error = await rejectsWith(file.writeSession(name, SESSION), 'invalid-input');
      assert.equal(error.field, 'targetSection');
      assert.match(error.message, /targetSection: .*A-Z a-z 0-9/);
    }
    await assert.rejects(stat(path), { code: 'ENOENT' });
    assert.deepEqual(await readdir(dir), []);
  });

  test('refuses a session value with a line break, without quoting any value, and writes nothing', async (t) => {
    const original = lf('[dev]', 'region = x');
    const { path, file } = await fileWith(t, original);

    const error = await rejectsWith(file.writeSession('dev', { ...SESSION, sessionToken: 'abc\n[prod]\naws_access_key_id=AKIAEVIL' }), 'invalid-input');

    assert.equal(error.field, 'session.sessionToken');
    for (const secret of [SESSION.secretAccessKey, 'AKIAEVIL', 'abc']) assert.ok(!error.message.includes(secret));
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('refuses an expiry that is not a time', async (t) => {
    const { file } = await fileWith(t, undefined);
    const error = await rejectsWith(file.writeSession('dev', { ...SESSION, expiresAt: Number.NaN }), 'invalid-input');
    assert.equal(error.field, 'session.expiresAt');
  });

  test('refuses a section holding a long-lived key, naming the section and quoting no key', async (t) => {
    const original = lf('[work]', 'aws_access_key_id = AKIAWORKWORKWORK0001', 'aws_secret_access_key = workSecret');
    const { path, file } = await fileWith(t, original);

    const error = await rejectsWith(file.writeSession('work', SESSION), 'long-lived-section');

    assert.match(error.message, /\[work\]/);
    assert.ok(!error.message.includes('AKIAWORKWORKWORK0001') && !error.message.includes('workSecret'));
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('counts half a long-lived key (a secret alone) as long-lived', async (t) => {
    const original = lf('[work]', 'aws_secret_access_key = workSecret');
    const { path, file } = await fileWith(t, original);
    await rejectsWith(file.writeSession('work', SESSION), 'long-lived-section');
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('counts a session token indented under another key as part of that key (botocore), so the section is long-lived', async (t) => {
    const original = lf('[work]', 'aws_access_key_id = AKIAWORKWORKWORK0001', 'region = x', '  aws_session_token = t');
    const { path, file } = await fileWith(t, original);
    await rejectsWith(file.writeSession('work', SESSION), 'long-lived-section');
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('overwrites a session another tool wrote, including its legacy aws_security_token', async (t) => {
    const { path, file } = await fileWith(t, lf('[dev]', 'aws_access_key_id = ASIAOLD', 'aws_secret_access_key = old', 'aws_security_token = oldToken'));

    await file.writeSession('dev', SESSION);

    const { dev } = await sdkProfiles(path);
    assert.equal(dev?.aws_security_token, SESSION.sessionToken);
    assert.equal(dev?.aws_session_token, SESSION.sessionToken);
  });

  test("keeps aws-mfa's expiration line in step with the session it writes, and forgets it with the session", async (t) => {
    // aws-mfa's short-term section: its session, and when it ends in aws-mfa's own format (UTC).
    const { path, file } = await fileWith(
      t,
      lf(
        '[dev-long-term]',
        'aws_access_key_id = AKIAWORKWORKWORK0001',
        '[dev]',
        'aws_access_key_id = ASIAOLD',
        'aws_secret_access_key = old',
        'aws_session_token = oldToken',
        'expiration = 2026-01-01 00:00:00',
      ),
    );

    await file.writeSession('dev', SESSION);

    // Seen on landed main: the old "expiration = 2026-01-01 00:00:00" stayed under the new session.
    const { dev } = await sdkProfiles(path);
    assert.equal(dev?.aws_session_token, SESSION.sessionToken);
    assert.equal(dev?.expiration, '2026-11-28 05:12:00');
    assert.equal(await file.forgetSession('dev'), 'section-removed');
    assert.equal(await readFile(path, 'utf8'), lf('[dev-long-term]', 'aws_access_key_id = AKIAWORKWORKWORK0001'));

    // One a forget of an earlier version left without its session is aws-mfa's too (its format);
    // another value is not: left alone. None is added where there was none.
    await writeFile(path, lf('[dev]', 'expiration = 2099-01-01 00:00:00', '[other]', 'expiration = someday'));
    await file.writeSession('dev', SESSION);
    await file.writeSession('other', SESSION);
    await file.writeSession('new', SESSION);
    const profiles = await sdkProfiles(path);
    assert.equal(profiles.dev?.expiration, '2026-11-28 05:12:00');
    assert.equal(profiles.other?.expiration, 'someday');
    assert.equal(profiles.new?.expiration, undefined);
    // …and a forget takes only aws-mfa's with the session (seen in review: "someday" went too).
    await file.forgetSession('other');
    assert.equal((await sdkProfiles(path)).other?.expiration, 'someday');
  });

  test('why a session is missing from the file: why first, then what a refresh needs; no promise where a refresh would not write', () => {
    const profile = { name: 'dev', targetSection: 'dev' };
    const since = 'since the file could not take the session AWS gave last (…writes it there once the file can)';
    const unwritable = { reason: 'The credentials file /c is read-only', fix: 'make it writable (chmod u+w) if MFA Tray should update it' };
    assert.deepEqual(sessionMissingFrom(parseIni(lf('[other]')), profile, 'ASIAKEPT', { unwritable, since }), {
      why: `it has no [dev] section, ${since}, and a refresh cannot put it there while the credentials file /c is read-only: make it writable (chmod u+w) if MFA Tray should update it`,
      remedies: [],
    });
    assert.deepEqual(sessionMissingFrom(parseIni(lf('[other]')), profile, 'ASIAKEPT', { since }), {
      why: `it has no [dev] section, ${since}`,
      remedies: [{ action: 'refresh', profile: 'dev' }],
    });
    // Seen in review: "…: merge them into one, since the file could not take … (… writes it there once the file can)".
    assert.deepEqual(sessionMissingFrom(parseIni(lf('[dev]', 'region = a', '[dev]', 'region = b')), profile, 'ASIAKEPT', { unwritable, since }), {
      why: '[dev] appears 2 times in it, which the AWS CLI cannot read: merge them into one',
      remedies: [],
    });
    assert.deepEqual(sessionMissingFrom(parseIni(lf('[dev]', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE')), profile, 'ASIAKEPT', { since }), {
      why: 'its [dev] holds a long-lived key (AKIA…MPLE), which MFA Tray does not overwrite',
      remedies: [{ action: 'edit-target', profile: 'dev' }],
    });
  });

  test('refuses a target section that appears twice, naming the lines, and changes nothing', async (t) => {
    const original = lf('[dev]', 'region = a', '[prod]', '[dev]', 'region = b');
    const { path, file } = await fileWith(t, original);

    const error = await rejectsWith(file.writeSession('dev', SESSION), 'credentials-file');

    assert.match(error.message, /\[dev\] 2 times \(lines 1, 4\)/);
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('writes to the file AWS_SHARED_CREDENTIALS_FILE names, resolved at each call', async (t) => {
    const dir = await scratch(t);
    const env: Record<string, string | undefined> = { HOME: dir, AWS_SHARED_CREDENTIALS_FILE: '~/first' };
    const file = new CredentialsFile({ env });

    await file.writeSession('dev', SESSION);
    env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'second');
    await file.writeSession('dev', SESSION);
    env.AWS_SHARED_CREDENTIALS_FILE = '';
    await file.writeSession('dev', SESSION);

    for (const path of [join(dir, 'first'), join(dir, 'second'), join(dir, '.aws', 'credentials')]) {
      assert.equal((await sdkProfiles(path)).dev?.aws_session_token, SESSION.sessionToken, path);
    }
  });

  test("keeps another program's change made between our read and our rename", async (t) => {
    const { path, dir } = await fileWith(t, lf('[default]', 'region = us-east-1'));
    const file = new CredentialsFile({
      path,
      atomic: {
        beforeRename: async (attempt) => {
          // An editor (which does not lock) saves the file at the worst moment.
          if (attempt === 0) await writeFile(path, lf('[default]', 'region = eu-west-1', '', '[other]', 'output = json'));
        },
      },
    });

    await file.writeSession('dev', SESSION);

    assert.equal(
      await readFile(path, 'utf8'),
      lf(
        '[default]',
        'region = eu-west-1',
        '',
        '[other]',
        'output = json',
        '',
        '[dev]',
        ...[
          `aws_access_key_id = ${SESSION.accessKeyId}`,
          `aws_secret_access_key = ${SESSION.secretAccessKey}`,
          `aws_session_token = ${SESSION.sessionToken}`,
          'x_security_token_expires = 2026-11-28T05:12:00Z',
        ],
      ),
    );
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('refuses, with the original intact, when another program made the target long-lived meanwhile', async (t) => {
    const theirs = lf('[dev]', 'aws_access_key_id = AKIATHEIRS', 'aws_secret_access_key = theirs');
    const { path, dir } = await fileWith(t, lf('[dev]', 'region = x'));
    const file = new CredentialsFile({ path, atomic: { beforeRename: () => writeFile(path, theirs) } });

    await rejectsWith(file.writeSession('dev', SESSION), 'long-lived-section');

    assert.equal(await readFile(path, 'utf8'), theirs);
    assert.deepEqual(await readdir(dir), ['credentials']);
  });

  test('writes sessions asked for at once together, and refuses only the section that must be refused', async (t) => {
    const { path } = await fileWith(t, lf('[default]', 'region = us-east-1', '', '[work]', 'aws_access_key_id = AKIAWORK', 'aws_secret_access_key = long'));
    let writes = 0;
    const file = new CredentialsFile({ path, atomic: { beforeRename: () => void (writes += 1) } });
    const names = Array.from({ length: 8 }, (_, i) => `p${i}`);

    const results = await Promise.allSettled([
      ...names.map((name) => file.writeSession(name, { ...SESSION, sessionToken: `token-${name}` })),
      file.writeSession('work', SESSION),
    ]);

    assert.deepEqual(
      results.slice(0, 8).map((r) => r.status),
      Array(8).fill('fulfilled'),
    );
    const refused = results[8];
    assert.ok(refused?.status === 'rejected' && isMfaTrayError(refused.reason, 'long-lived-section'), 'the long-lived section was written');
    const profiles = await sdkProfiles(path);
    for (const name of names) assert.equal(profiles[name]?.aws_session_token, `token-${name}`);
    assert.equal(profiles.work?.aws_access_key_id, 'AKIAWORK');
    assert.ok(writes <= 2, `${writes} writes for 8 sessions`);
  });

  test('loses no update when many processes write different sections at once, as commands and as the tray app', async (t) => {
    const { path, dir } = await fileWith(t, lf('# shared by many writers', '[default]', 'region = us-east-1'));
    const processes = 8;
    const perProcess = 4;
    const startAt = Date.now() + 2_500;
    const script = join(FIXTURES, 'concurrent-writer.ts');

    const exits = await Promise.all(
      Array.from(
        { length: processes },
        (_, p) =>
          new Promise<{ code: number | null; stderr: string }>((done) => {
            // Half of them make their file calls as a command does, half as the tray app and `watch` do.
            const word = p % 2 === 0 ? 'refresh' : 'watch';
            const child = spawn(process.execPath, ['--import', 'tsx', script, path, `w${p}`, String(perProcess), String(startAt), word], {
              cwd: ROOT,
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.on('close', (code) => done({ code, stderr }));
          }),
      ),
    );

    for (const exit of exits) assert.equal(exit.code, 0, exit.stderr);
    const profiles = await sdkProfiles(path);
    assert.equal(profiles.default?.region, 'us-east-1');
    for (let p = 0; p < processes; p += 1) {
      for (let i = 0; i < perProcess; i += 1) {
        assert.equal(profiles[`w${p}-${i}`]?.aws_session_token, `tokenw${p}${i}`, `w${p}-${i}`);
      }
    }
    assert.ok((await readFile(path, 'utf8')).startsWith(lf('# shared by many writers', '[default]', 'region = us-east-1')));
    assert.deepEqual(await readdir(dir), ['credentials'], 'no temp or lock files left behind');
  });
});

describe('CredentialsFile.forgetSession', () => {
  test('gives back the original bytes after a writeSession into a new section', async (t) => {
    const original = Buffer.from('\xEF\xBB\xBF; caf\xE9 \xC3\xA9\r\n[default]\r\nregion = x', 'latin1');
    const { path, file } = await fileWith(t, original);

    await file.writeSession('dev', SESSION);
    assert.equal(await file.forgetSession('dev'), 'section-removed');

    assert.deepEqual(await bytes(path), original);
  });

  test('never touches a section holding a long-lived key', async (t) => {
    const original = lf('[dev]', 'aws_access_key_id = AKIADEVDEVDEVDEV0001', 'aws_secret_access_key = devSecret');
    const { path, file } = await fileWith(t, original);

    assert.equal(await file.forgetSession('dev'), 'unchanged');

    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('changes nothing, and creates nothing, when there is no file', async (t) => {
    const dir = await scratch(t);
    const file = new CredentialsFile({ path: join(dir, 'absent', 'credentials') });

    assert.equal(await file.forgetSession('dev'), 'unchanged');

    assert.deepEqual(await readdir(dir), []);
  });

  test('changes nothing when the section is missing', async (t) => {
    const original = lf('[prod]', 'region = x');
    const { path, file } = await fileWith(t, original);
    assert.equal(await file.forgetSession('dev'), 'unchanged');
    assert.equal(await readFile(path, 'utf8'), original);
  });
});

describe('CredentialsFile.readSession', () => {
  test('reads back the session writeSession wrote', async (t) => {
    const { file } = await fileWith(t, undefined);
    await file.writeSession('dev', SESSION);
    assert.deepEqual(await file.readSession('dev'), SESSION);
  });

  test('is undefined for a missing file, a missing section, a long-lived key or an incomplete session', async (t) => {
    const { file } = await fileWith(
      t,
      lf(
        '[long]',
        'aws_access_key_id = AKIA1',
        'aws_secret_access_key = s',
        '[partial]',
        'aws_access_key_id = ASIA1',
        'aws_secret_access_key = s',
        'aws_session_token = t',
      ),
    );
    assert.equal(await new CredentialsFile({ path: join(tmpdir(), 'mfa-tray-does-not-exist', 'credentials') }).readSession('dev'), undefined);
    assert.equal(await file.readSession('dev'), undefined);
    assert.equal(await file.readSession('long'), undefined);
    assert.equal(await file.readSession('partial'), undefined, 'no x_security_token_expires');
  });
});

describe('CredentialsFile.readLongLivedKey', () => {
  test('returns the access key id and secret of a section', async (t) => {
    const { file } = await fileWith(t, lf('[work]', 'AWS_ACCESS_KEY_ID = AKIAWORKWORKWORK0001 # the work key', 'aws_secret_access_key=workSecret/+0'));
    assert.deepEqual(await file.readLongLivedKey('work'), { accessKeyId: 'AKIAWORKWORKWORK0001', secretAccessKey: 'workSecret/+0' });
  });

  test('says not-found, quoting no key, for a missing file, section, key or half a key, or a session', async (t) => {
    const { file, dir } = await fileWith(
      t,
      lf(
        '[session]',
        'aws_access_key_id = ASIASECRETSESSION',
        'aws_secret_access_key = s3cr3t',
        'aws_session_token = t0k3n',
        '[half]',
        'aws_access_key_id = AKIAHALFHALF',
        '[none]',
        'region = x',
      ),
    );
    for (const section of ['absent', 'session', 'half', 'none']) {
      const error = await rejectsWith(file.readLongLivedKey(section), 'not-found');
      assert.match(error.message, new RegExp(`\\[${section}\\]`));
      for (const secret of ['ASIASECRETSESSION', 's3cr3t', 't0k3n', 'AKIAHALFHALF']) assert.ok(!error.message.includes(secret), error.message);
    }
    await rejectsWith(new CredentialsFile({ path: join(dir, 'nope') }).readLongLivedKey('work'), 'not-found');
  });

  test('refuses a section that appears twice', async (t) => {
    const { file } = await fileWith(t, lf('[work]', 'aws_access_key_id = AKIA1', '[work]', 'aws_secret_access_key = s'));
    await rejectsWith(file.readLongLivedKey('work'), 'credentials-file');
  });
});

describe('CredentialsFile.listLongLivedSections', () => {
  test('names the sections holding a long-lived key, in file order, once each', async (t) => {
    const { file } = await fileWith(
      t,
      lf(
        '[b]',
        'aws_access_key_id = AKIA1',
        'aws_secret_access_key = s',
        '[session]',
        'aws_access_key_id = ASIA1',
        'aws_session_token = t',
        '[a]',
        'aws_access_key_id = AKIA2',
        '[with space]',
        'aws_access_key_id = AKIA3',
        '[none]',
        'region = x',
        '[b]',
        'region = y',
      ),
    );
    assert.deepEqual(await file.listLongLivedSections(), ['b', 'a']);
  });

  test('is empty without a file', async (t) => {
    const dir = await scratch(t);
    assert.deepEqual(await new CredentialsFile({ path: join(dir, 'credentials') }).listLongLivedSections(), []);
  });
});

describe('CredentialsFile.removeLongLivedKey', () => {
  test("removes only the section's access key id and secret lines", async (t) => {
    const { path, file } = await fileWith(
      t,
      lf(
        '[work]',
        '# imported',
        'aws_access_key_id = AKIA1',
        'region = x',
        'aws_secret_access_key = s',
        '',
        '[other]',
        'aws_access_key_id = AKIA2',
        'aws_secret_access_key = s2',
      ),
    );

    assert.equal(await file.removeLongLivedKey('work', 'AKIA1'), true);

    assert.equal(
      await readFile(path, 'utf8'),
      lf('[work]', '# imported', 'region = x', '', '[other]', 'aws_access_key_id = AKIA2', 'aws_secret_access_key = s2'),
    );
  });

  test('leaves a session alone', async (t) => {
    const original = lf('[dev]', 'aws_access_key_id = ASIA1', 'aws_secret_access_key = s', 'aws_session_token = t');
    const { path, file } = await fileWith(t, original);
    assert.equal(await file.removeLongLivedKey('dev'), false);
    assert.equal(await readFile(path, 'utf8'), original);
  });

  test('refuses when the section holds another key than the one imported', async (t) => {
    const original = lf('[work]', 'aws_access_key_id = AKIANEW', 'aws_secret_access_key = s');
    const { path, file } = await fileWith(t, original);
    const error = await rejectsWith(file.removeLongLivedKey('work', 'AKIAOLD'), 'credentials-file');
    assert.ok(!error.message.includes('AKIANEW') && !error.message.includes('AKIAOLD'));
    assert.equal(await readFile(path, 'utf8'), original);
  });
});

describe('formatExpiry', () => {
  test('writes RFC 3339 UTC, dropping fractions of a second', () => {
    assert.equal(formatExpiry(Date.UTC(2026, 10, 28, 5, 12, 0, 999)), '2026-11-28T05:12:00Z');
  });

  test("is Date's ISO form to the second for every time, also before 1970 and beyond year 9999", () => {
    const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => formatExpiry(ms) === iso(ms)),
      { numRuns: 2000 },
    );
    // Years 0 to 9999, which are put together from the UTC fields (the rest is toISOString's own).
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(0, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => formatExpiry(ms) === iso(ms)),
      { numRuns: 5000 },
    );
    for (const ms of [0, -1, 999, 1000, Date.UTC(0, 0, 1) - 1, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1]) {
      assert.equal(formatExpiry(ms), iso(ms), String(ms));
    }
    assert.throws(() => formatExpiry(Number.NaN), RangeError);
  });
});

describe('properties over generated files', () => {
  const target = fc.constantFrom(...SECTION_NAMES);
  const chunksOf = (file: GeneratedFile, name: string) => file.chunks.filter((c) => c.name === name);
  const isLongLived = (keys: ReadonlySet<string>) =>
    (keys.has('aws_access_key_id') || keys.has('aws_secret_access_key')) && !keys.has('aws_session_token') && !keys.has('aws_security_token');

  test('withSession never changes a byte outside the target section', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, arbitrarySession, (file, name, session) => {
        fc.pre(chunksOf(file, name).length === 1);
        const at = file.chunks.findIndex((c) => c.name === name);
        const result = withSession(file.text, name, session, { overwriteLongLived: true });
        assert.ok(
          result.startsWith(
            file.bom +
              file.chunks
                .slice(0, at)
                .map((c) => c.text)
                .join(''),
          ),
        );
        assert.ok(
          result.endsWith(
            file.chunks
              .slice(at + 1)
              .map((c) => c.text)
              .join(''),
          ),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('withSession twice gives the same text as once', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, arbitrarySession, (file, name, session) => {
        fc.pre(chunksOf(file, name).length <= 1);
        const once = withSession(file.text, name, session, { overwriteLongLived: true });
        assert.equal(withSession(once, name, session), once);
      }),
      { numRuns: 300 },
    );
  });

  test('withoutSession after withSession into a new section gives back the original text', () => {
    fc.assert(
      fc.property(credentialsFile({ wild: true }), target, arbitrarySession, (file, name, session) => {
        fc.pre(chunksOf(file, name).length === 0);
        const { text, result } = withoutSession(withSession(file.text, name, session), name);
        assert.equal(result, 'section-removed');
        assert.equal(text, file.text);
      }),
      { numRuns: 300 },
    );
  });

  test('withSession refuses a long-lived section and changes nothing', () => {
    fc.assert(
      fc.property(credentialsFile(), target, arbitrarySession, (file, name, session) => {
        const chunks = chunksOf(file, name);
        fc.pre(chunks.length === 1 && isLongLived(chunks[0]?.keys ?? new Set()));
        assert.throws(
          () => withSession(file.text, name, session),
          (e: unknown) => isMfaTrayError(e, 'long-lived-section'),
        );
      }),
      { numRuns: 100 },
    );
  });

  test('on disk, the SDK reads the new session in the target and every other profile unchanged', async (t) => {
    const dir = await scratch(t);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(credentialsFile(), target, arbitrarySession, async (file, name, session) => {
        const chunks = chunksOf(file, name);
        fc.pre(chunks.length === 0 || (chunks.length === 1 && !isLongLived(chunks[0]?.keys ?? new Set())));
        const path = join(dir, `credentials-${(n += 1)}`);
        await writeAtRest(path, Buffer.from(file.text, 'latin1'));
        const { [name]: _target, ...before } = await sdkProfiles(path);

        await new CredentialsFile({ path }).writeSession(name, session);

        const { [name]: written, ...after } = await sdkProfiles(path);
        assert.equal(written?.aws_access_key_id, session.accessKeyId);
        assert.equal(written?.aws_secret_access_key, session.secretAccessKey);
        assert.equal(written?.aws_session_token, session.sessionToken);
        assert.equal(written?.x_security_token_expires, formatExpiry(session.expiresAt));
        assert.deepEqual(after, before);
      }),
      { numRuns: 60 },
    );
  });

  test('on disk, no byte outside the target section changes, whatever the bytes (also invalid UTF-8)', async (t) => {
    const dir = await scratch(t);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(credentialsFile({ wild: true }), target, arbitrarySession, async (file, name, session) => {
        fc.pre(chunksOf(file, name).length === 1);
        const at = file.chunks.findIndex((c) => c.name === name);
        const path = join(dir, `credentials-${(n += 1)}`);
        await writeAtRest(path, Buffer.from(file.text, 'latin1'));

        await new CredentialsFile({ path }).writeSession(name, session, { overwriteLongLived: true });

        const written = await bytes(path);
        const before = Buffer.from(
          file.bom +
            file.chunks
              .slice(0, at)
              .map((c) => c.text)
              .join(''),
          'latin1',
        );
        const after = Buffer.from(
          file.chunks
            .slice(at + 1)
            .map((c) => c.text)
            .join(''),
          'latin1',
        );
        assert.deepEqual(written.subarray(0, before.length), before);
        assert.deepEqual(written.subarray(written.length - after.length), after);
      }),
      { numRuns: 60 },
    );
  });

  test('on disk, forgetting a session leaves no session key in the section for the SDK', async (t) => {
    const dir = await scratch(t);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(credentialsFile(), target, arbitrarySession, async (file, name, session) => {
        const chunks = chunksOf(file, name);
        fc.pre(chunks.length <= 1 && !isLongLived(chunks[0]?.keys ?? new Set()));
        const path = join(dir, `credentials-${(n += 1)}`);
        await writeAtRest(path, Buffer.from(file.text, 'latin1'));
        const credentials = new CredentialsFile({ path });
        await credentials.writeSession(name, session);

        await credentials.forgetSession(name);

        const left = (await sdkProfiles(path))[name] ?? {};
        for (const key of OUR_KEYS) assert.equal(left[key], undefined, key);
      }),
      { numRuns: 40 },
    );
  });
});
