import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { isMfaTrayError } from '../../main/common/errors';
import {
  configFilePath,
  credentialProcessProfile,
  credentialsFilePath,
  expandHome,
  parseProfileConfig,
  readProfileConfig,
} from '../../main/engine/files/aws-config';

const lf = (...lines: string[]): string => lines.map((l) => `${l}\n`).join('');

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const CONFIG = lf(
  '[default]',
  'region = us-east-1',
  'mfa_serial = arn:aws:iam::111122223333:mfa/default-user',
  '',
  '[profile work]',
  '# the MFA device on my phone',
  'mfa_serial = arn:aws:iam::123456789012:mfa/path/alice',
  'region = eu-west-1',
  'duration_seconds = 3600',
  's3 =',
  '  region = us-west-2',
  '',
  '[work]',
  'region = ignored-without-the-profile-prefix',
);

describe('parseProfileConfig', () => {
  test('reads mfa_serial, region and duration_seconds from [profile NAME]', () => {
    assert.deepEqual(parseProfileConfig(CONFIG, 'work'), {
      mfaSerial: 'arn:aws:iam::123456789012:mfa/path/alice',
      region: 'eu-west-1',
      durationSeconds: 3600,
    });
  });

  test('reads [default] for the profile default', () => {
    assert.deepEqual(parseProfileConfig(CONFIG, 'default'), { region: 'us-east-1', mfaSerial: 'arn:aws:iam::111122223333:mfa/default-user' });
  });

  test('lets [profile default] override [default], as the JS SDK does', () => {
    assert.deepEqual(parseProfileConfig(lf('[profile default]', 'region = eu-north-1', '[default]', 'region = us-east-1'), 'default'), {
      region: 'eu-north-1',
    });
  });

  test('accepts a quoted name and extra spacing in the header, as botocore does', () => {
    assert.deepEqual(parseProfileConfig(lf('[profile  "work"]', 'region = a'), 'work'), { region: 'a' });
    assert.deepEqual(parseProfileConfig(lf("[profile 'work']", 'region = b'), 'work'), { region: 'b' });
  });

  test('ignores nested keys such as s3 = / region', () => {
    assert.deepEqual(parseProfileConfig(lf('[profile p]', 's3 =', '  region = us-west-2'), 'p'), {});
  });

  test('reads keys case-insensitively, and drops an inline comment', () => {
    assert.deepEqual(parseProfileConfig(lf('[profile p]', 'MFA_Serial = GAHT12345678 # hardware token'), 'p'), { mfaSerial: 'GAHT12345678' });
  });

  test('ignores a duration that is not a plain integer, without failing', () => {
    for (const garbage of ['12h', '-900', '3600.5', '0x100', '', 'NaN', '1e4', '99999999999999999999']) {
      assert.deepEqual(parseProfileConfig(lf('[profile p]', `duration_seconds = ${garbage}`, 'region = r'), 'p'), { region: 'r' }, garbage);
    }
  });

  test('merges a repeated section with the last value winning', () => {
    assert.deepEqual(parseProfileConfig(lf('[profile p]', 'region = a', 'duration_seconds = 900', '[profile p]', 'region = b'), 'p'), {
      region: 'b',
      durationSeconds: 900,
    });
  });

  test('gives {} for a profile that is not there', () => {
    assert.deepEqual(parseProfileConfig(CONFIG, 'absent'), {});
    assert.deepEqual(parseProfileConfig('', 'work'), {});
  });

  test('survives a file of garbage', () => {
    assert.deepEqual(parseProfileConfig('\0\u0001[[[profile work\n=\n:::\n[profile work]\nregion', 'work'), {});
  });
});

describe('credentialProcessProfile', () => {
  test('the profile a credential_process line of mfa-tray serves, however mfa-tray is run', () => {
    for (const [line, profile] of [
      ['mfa-tray credential-process work', 'work'],
      ['/usr/local/bin/mfa-tray credential-process --profile work', 'work'],
      ['"C:\\Program Files\\MFA Tray\\mfa-tray.cmd" credential-process work', 'work'],
      ["node /home/me/mfa-tray/bin/mfa-tray.js credential-process 'work'", 'work'],
      ['mfa-tray credential-process', null],
      ['aws-vault export --format=json work', undefined],
      ['mfa-tray export work', undefined],
      ['not-mfa-tray credential-process work', undefined],
    ] as const)
      assert.equal(credentialProcessProfile(line), profile, line);
  });

  test("in a profile's config", () => {
    assert.equal(parseProfileConfig('[profile work-mfa]\ncredential_process = mfa-tray credential-process work\n', 'work-mfa').mfaTrayProfile, 'work');
  });
});

describe('readProfileConfig', () => {
  test('reads the file AWS_CONFIG_FILE names', async (t) => {
    const dir = await scratch(t);
    await writeFile(join(dir, 'my-config'), `\uFEFF${CONFIG.replaceAll('\n', '\r\n')}`);

    const config = await readProfileConfig('work', { env: { HOME: dir, AWS_CONFIG_FILE: '~/my-config' } });

    assert.equal(config.mfaSerial, 'arn:aws:iam::123456789012:mfa/path/alice');
  });

  test('reads ~/.aws/config when AWS_CONFIG_FILE is unset or empty', async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, '.aws'));
    await writeFile(join(dir, '.aws', 'config'), CONFIG);

    assert.equal((await readProfileConfig('work', { env: { HOME: dir } })).region, 'eu-west-1');
    assert.equal((await readProfileConfig('work', { env: { HOME: dir, AWS_CONFIG_FILE: '' } })).region, 'eu-west-1');
  });

  test('gives {} when there is no config file, and creates nothing', async (t) => {
    const dir = await scratch(t);
    assert.deepEqual(await readProfileConfig('work', { env: { HOME: dir } }), {});
    assert.deepEqual(await readdir(dir), []);
  });

  test('says which file it cannot read', async (t) => {
    const dir = await scratch(t);
    await mkdir(join(dir, 'config'));
    await assert.rejects(
      readProfileConfig('work', { path: join(dir, 'config') }),
      (error: unknown) => isMfaTrayError(error, 'credentials-file') && error.message.includes(join(dir, 'config')),
    );
  });

  test('refuses a name that is not a valid profile name, naming the field', async () => {
    await assert.rejects(readProfileConfig('work]\n[x', { env: {} }), (error: unknown) => isMfaTrayError(error, 'invalid-input') && error.field === 'profile');
  });
});

describe('shared file paths', () => {
  test('take AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, expanding ~', () => {
    const env = { HOME: '/home/alice', AWS_SHARED_CREDENTIALS_FILE: '~/creds', AWS_CONFIG_FILE: '/etc/aws/config' };
    assert.equal(credentialsFilePath(env), '/home/alice/creds');
    assert.equal(configFilePath(env), '/etc/aws/config');
  });

  test('default to ~/.aws/credentials and ~/.aws/config', () => {
    assert.equal(credentialsFilePath({ HOME: '/home/alice' }), '/home/alice/.aws/credentials');
    assert.equal(configFilePath({ HOME: '/home/alice' }), '/home/alice/.aws/config');
  });

  test('find the home folder as the SDKs do: HOME, USERPROFILE, HOMEDRIVE+HOMEPATH, then the OS', () => {
    assert.equal(expandHome('~', { USERPROFILE: '/users/bob' }), '/users/bob');
    assert.equal(expandHome('~/x', { HOMEDRIVE: '/d', HOMEPATH: '/bob' }), join('/d/bob', 'x'));
    assert.equal(expandHome('~', {}), homedir());
  });

  test('leave other paths alone, and resolve relative ones', () => {
    assert.equal(expandHome('~bob/x', { HOME: '/home/alice' }), '~bob/x');
    assert.equal(credentialsFilePath({ AWS_SHARED_CREDENTIALS_FILE: 'rel/creds' }), resolve('rel/creds'));
  });

  test('leave `..` to the system, which takes it after a linked folder from where that folder really is', () => {
    const env = { HOME: '/home/alice/', AWS_SHARED_CREDENTIALS_FILE: '~/dots/../credentials', AWS_CONFIG_FILE: '/vault/aws/../config' };
    assert.equal(credentialsFilePath(env), '/home/alice/dots/../credentials');
    assert.equal(configFilePath(env), '/vault/aws/../config');
    assert.equal(expandHome('~//x', env), '/home/alice//x', 'after the home folder, as botocore expands it');
    assert.equal(credentialsFilePath({ AWS_SHARED_CREDENTIALS_FILE: 'dots/../creds' }), `${process.cwd()}/dots/../creds`);
  });
});
