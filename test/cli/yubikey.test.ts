/**
 * Codes from a YubiKey: `yubikey_oath_account` in the AWS config file, read with `ykman oath
 * accounts code`. The real ykman needs the hardware, so a stand-in (test/support/ykman/ykman) is put
 * on PATH: it answers as ykman does from the account's TOTP secret; everything else is real (the
 * command, the keychain, the loopback STS checking the code).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { useCliSuite } from '../support/cli';

const cli = useCliSuite('yubikey');
const STANDIN_DIR = join(import.meta.dirname, '..', 'support', 'ykman');

function configure(lines: string): void {
  mkdirSync(dirname(cli.sandbox.configFile), { recursive: true });
  writeFileSync(cli.sandbox.configFile, `[profile dev]\n${lines}\n`);
}

function yubikeyEnv(mode: string, log: string): NodeJS.ProcessEnv {
  return {
    ...cli.sandbox.env,
    PATH: `${STANDIN_DIR}${delimiter}${cli.sandbox.env.PATH ?? process.env.PATH ?? ''}`,
    YKMAN_STANDIN_SECRET: cli.user.totpSecret,
    YKMAN_STANDIN_ACCOUNT: 'Amazon Web Services:alice',
    YKMAN_STANDIN_MODE: mode,
    YKMAN_STANDIN_LOG: log,
  };
}

describe('YubiKey OATH', () => {
  test('refresh reads the code with ykman, says to touch the key while it waits, and STS takes the code', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    configure('yubikey_oath_account = Amazon Web Services:alice\nyubikey_serial = 12345678');
    const log = join(dirname(cli.sandbox.configFile), 'ykman.log');
    await cli.sts.avoidStepEdge(3000);
    const result = await cli.sandbox.run(['refresh', 'dev'], { env: yubikeyEnv('touch', log), detached: true });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'Touch your YubiKey: it is waiting to give the MFA code of profile dev.\n');
    assert.match(result.stdout, /^dev: new session in \[dev\]/);
    assert.deepEqual(JSON.parse(readFileSync(log, 'utf8').trim()), [
      '--device',
      '12345678',
      'oath',
      'accounts',
      'code',
      '--single',
      '--',
      'Amazon Web Services:alice',
    ]);
    const list = await cli.sandbox.run(['list']);
    assert.match(list.stdout, /^dev\s+YubiKey\s/m);
  });

  test('no ykman, no key, no such account, no touch: one line each, exit 4, nothing sent', async () => {
    await cli.sandbox.addProfile('dev', cli.user);
    configure('yubikey_oath_account = Amazon Web Services:alice');
    const log = join(dirname(cli.sandbox.configFile), 'ykman.log');
    const before = cli.sts.count();
    const missing = await cli.sandbox.run(['refresh', 'dev'], { env: { ...yubikeyEnv('ok', log), PATH: '/nonexistent' }, detached: true });
    assert.equal(missing.status, 4);
    assert.match(
      missing.stderr,
      /^mfa-tray refresh: dev: ykman \(YubiKey Manager\) is not installed or not on PATH\. Install it \(apt install yubikey-manager/,
    );
    const noKey = await cli.sandbox.run(['refresh', 'dev'], { env: yubikeyEnv('nokey', log), detached: true });
    assert.equal(noKey.status, 4);
    assert.match(noKey.stderr, /^mfa-tray refresh: dev: No YubiKey is plugged in: insert it and try again\./);
    configure('yubikey_oath_account = someone else');
    const noAccount = await cli.sandbox.run(['refresh', 'dev'], { env: yubikeyEnv('ok', log), detached: true });
    assert.equal(noAccount.status, 4);
    assert.match(noAccount.stderr, /The YubiKey has no OATH account "someone else" \(see: ykman oath accounts list\)\./);
    configure('yubikey_oath_account = Amazon Web Services:alice');
    const untouched = await cli.sandbox.run(['refresh', 'dev'], { env: { ...yubikeyEnv('touch-never', log), MFA_TRAY_CODE_TIMEOUT: '2' }, detached: true });
    assert.equal(untouched.status, 4);
    assert.match(untouched.stderr, /The YubiKey was not touched within 2 s\./);
    for (const r of [missing, noKey, noAccount]) assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(cli.sts.count(), before);
  });
});
