/**
 * The engine end to end: real keychain (gnome-keyring), real files, the loopback STS server through
 * the SDK. One behaviour per test.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import { MfaTrayError, isMfaTrayError, type ErrorCode } from '../../main/common/errors';
import { Engine, type EngineNotice, type EngineOptions } from '../../main/engine/engine';
import { KeytarSecretStore } from '../../main/engine/keychain/keytar-secret-store';
import { withLock } from '../../main/engine/files/file-lock';
import { keychainChangesFile, profileLockPath, writtenSessionsFile } from '../../main/engine/files/paths';
import { REFRESH_CONCURRENCY } from '../../main/engine/sessions/side-by-side';
import type { SecretStore } from '../../main/engine/keychain/secret-store';
import type { FakeClock } from '../support/fake-clock';
import { createHarness, type Harness } from '../support/engine-harness';
import { countingKeychain } from '../support/keyring';
import { maxInFlight, useStsServer, type StsUser } from '../support/sts-server';
import { advanceToMidStep, midStepClock } from '../support/step-clock';
import { until } from '../support/until';

const loopback = useStsServer();
let h: Harness;

beforeEach(async () => {
  h = await createHarness({ sts: loopback.sts });
});
afterEach(async () => {
  await h.close();
});

/** Asserts that `promise` rejects with an MfaTrayError of `code`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, code: ErrorCode) {
  try {
    await promise;
  } catch (error) {
    assert.ok(isMfaTrayError(error), `expected an MfaTrayError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/**
 * A refresh of a new profile with a typed code, once its request is at STS, which answers after
 * `latencyMs`. `withSession`: the profile has a valid session from before, in the file, the
 * keychain and the state.
 */
async function refreshWaitingForSts(
  name: string,
  latencyMs: number,
  options: { readonly withSession?: boolean } = {},
): Promise<{ readonly refreshing: ReturnType<Engine['refresh']>; readonly user: StsUser }> {
  const user = await h.addUser(name);
  if (options.withSession) {
    const session = {
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'x'.repeat(40),
      sessionToken: `token-${name}`,
      expiresAt: Date.now() + 6 * 3600_000,
    };
    await h.engine.credentials.writeSession(name, session);
    await h.engine.secrets.setSession(name, session);
    await h.engine.sessions.load();
    assert.equal(h.engine.state(name).kind, 'valid');
  }
  await loopback.sts.avoidStepEdge();
  loopback.sts.setLatency(latencyMs);
  const sent = loopback.sts.count('GetSessionToken');
  const refreshing = h.engine.refresh(name, { code: loopback.sts.currentCode(user) });
  refreshing.catch(() => undefined); // awaited by the test
  await until(() => loopback.sts.count('GetSessionToken') > sent, 'the request at STS');
  return { refreshing, user };
}

/** Another engine on a harness's files and keychain entries (another process, say), against the loopback STS unless `options` say otherwise. */
function engineBeside(harness: Harness, options: EngineOptions = {}): Engine {
  return new Engine({
    env: harness.env,
    configDir: harness.env.MFA_TRAY_CONFIG_DIR,
    secretStore: harness.keychain.store,
    stsEndpoint: loopback.sts.endpoint,
    ...options,
  });
}

/** The profiles of these names, as a surface reads them before Engine.refreshMany. */
function profilesNamed(names: readonly string[]) {
  return Promise.all(names.map((name) => h.engine.profile(name)));
}

async function readCredentials() {
  const { credentialsFile } = await loadSharedConfigFiles({ filepath: h.credentialsPath, configFilepath: h.configPath, ignoreCache: true });
  return credentialsFile;
}

describe('refresh with a typed code', () => {
  it('writes the new session into the target section and caches it in the keychain', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    const session = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });

    const issued = loopback.sts.sessions.at(-1);
    assert.equal(session.accessKeyId, issued?.accessKeyId);
    const file = await readCredentials();
    assert.equal(file.work?.aws_access_key_id, issued?.accessKeyId);
    assert.equal(file.work?.aws_session_token, issued?.sessionToken);
    assert.match(file.work?.x_security_token_expires ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(await h.engine.secrets.getSession('work'), session);
    assert.equal(h.engine.sessions.state('work').kind, 'valid');
  });

  it('refuses a code that is not 6 digits without calling STS or changing anything', async () => {
    await h.addUser('work');
    const before = loopback.sts.count('GetSessionToken');
    const error = await rejectsWith(h.engine.refresh('work', { code: '12345' }), 'invalid-input');
    assert.equal(error.field, 'code');
    assert.equal(loopback.sts.count('GetSessionToken'), before);
    await assert.rejects(readFile(h.credentialsPath), { code: 'ENOENT' });
  });

  it('never sends the same typed code twice for one device', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    const code = loopback.sts.currentCode(user);
    await h.engine.refresh('work', { code });
    const sent = loopback.sts.count('GetSessionToken');
    await rejectsWith(h.engine.refresh('work', { code }), 'code-reused');
    assert.equal(loopback.sts.count('GetSessionToken'), sent, 'the second attempt never reached STS');
  });

  it('joins two refreshes of one profile at once into one STS call', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    loopback.sts.setLatency(200);
    const code = loopback.sts.currentCode(user);
    const before = loopback.sts.count('GetSessionToken');
    const [a, b] = await Promise.all([h.engine.refresh('work', { code }), h.engine.refresh('work', { code })]);
    assert.equal(a, b);
    assert.equal(loopback.sts.count('GetSessionToken'), before + 1);
  });

  it('keeps the old session in the file, the keychain and the state when a refresh fails', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    const first = await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const fileBefore = await readFile(h.credentialsPath);

    const wrong = loopback.sts.currentCode(user) === '000000' ? '111111' : '000000';
    const error = await rejectsWith(h.engine.refresh('work', { code: wrong }), 'sts-invalid-code');

    assert.deepEqual(await readFile(h.credentialsPath), fileBefore);
    assert.deepEqual(await h.engine.secrets.getSession('work'), first);
    const state = h.engine.sessions.state('work');
    assert.equal(state.kind, 'failed');
    assert.equal(state.kind === 'failed' && state.expiresAt, first.expiresAt);
    assert.equal(state.kind === 'failed' && state.reason, error.message);
  });

  it("says which device is wrong when the serial is not the user's", async () => {
    const user = loopback.sts.registerUser({ name: 'mixed' });
    const other = loopback.sts.registerUser({ name: 'other' });
    await h.engine.addProfile({ name: 'mixed', mfaSerial: other.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    await loopback.sts.avoidStepEdge();
    await rejectsWith(h.engine.refresh('mixed', { code: loopback.sts.currentCode(other) }), 'sts-wrong-device');
  });

  it('needs a code when no TOTP secret is registered, and changes nothing', async () => {
    await h.addUser('work');
    await rejectsWith(h.engine.refresh('work', { generate: true }), 'code-required');
    assert.equal(h.engine.sessions.state('work').kind, 'none');
  });

  it('reports an unknown profile without touching STS', async () => {
    await rejectsWith(h.engine.refresh('nobody', { code: '123456' }), 'not-found');
  });
});

describe('refreshing several profiles (refresh --all)', () => {
  it('generated codes of several devices side by side; one device after another; typed codes asked in order, after the others; outcomes in the order given', async () => {
    const { sts } = loopback;
    const generated = ['g1', 'g2', 'g3', 'g4'];
    for (const name of generated) await h.addUser(name, { totp: true });
    // Two profiles of one MFA device: AWS takes each of its codes once.
    const shared = await h.addUser('x1', { totp: true });
    await h.engine.addProfile(
      { name: 'x2', mfaSerial: shared.mfaSerial, accessKeyId: shared.accessKeyId, secretAccessKey: shared.secretAccessKey, targetSection: 'x2' },
      { totpSecret: shared.totpSecret as string },
    );
    const typed = new Map([
      ['t1', await h.addUser('t1')],
      ['t2', await h.addUser('t2')],
    ]);
    // Every answer held this long: refreshes one after another never overlap at the server.
    sts.setLatency(200);
    const first = sts.requests.length;
    const sent = () => sts.requests.slice(first).filter((r) => r.action === 'GetSessionToken');
    const asked: { profile: string; answeredBefore: number }[] = [];
    const ended: string[] = [];
    const names = ['t1', 'g1', 'x1', 'g2', 'x2', 't2', 'g3', 'g4'];

    const outcomes = await h.engine.refreshMany(await profilesNamed(names), {
      inputFor: () => ({
        ask: async (profile) => {
          asked.push({ profile: profile.name, answeredBefore: sent().filter((r) => r.answeredAt !== undefined).length });
          return sts.currentCode(typed.get(profile.name) as StsUser);
        },
      }),
      onEnded: (outcome) => ended.push(outcome.profile.name),
    });

    assert.deepEqual(
      outcomes.map((o) => [o.profile.name, o.kind === 'failed' ? String(o.error) : o.kind]),
      names.map((name) => [name, 'refreshed']),
    );
    const requests = sent();
    assert.equal(requests.length, names.length);
    assert.ok(maxInFlight(requests) > 1, 'generated codes were sent side by side');
    assert.ok(maxInFlight(requests) <= REFRESH_CONCURRENCY);
    const device = requests.filter((r) => r.serialNumber === shared.mfaSerial);
    assert.equal(maxInFlight(device), 1, "one device's profiles one after another");
    assert.ok((device[1]?.timeStep ?? 0) > (device[0]?.timeStep ?? Infinity), 'the second with the next time step');
    // The typed codes: asked one at a time, in order, after every generated code was answered.
    assert.deepEqual(asked, [
      { profile: 't1', answeredBefore: 6 },
      { profile: 't2', answeredBefore: 7 },
    ]);
    assert.deepEqual(ended.slice(-2), ['t1', 't2']);
    // One clock measurement for all of them, not one each.
    assert.ok(sts.requests.slice(first).filter((r) => r.action === 'GetCallerIdentity').length <= 1);
  });

  it('when the shared clock measurement got no time from STS, the others measure with their own key before sending codes', async () => {
    const names = ['g1', 'g2', 'g3'];
    for (const name of names) await h.addUser(name, { totp: true });
    // STS 90 s ahead: a code of this computer's time step is refused there.
    loopback.sts.setClockSkew(90_000);
    try {
      await loopback.sts.avoidStepEdge(5000);
      // The first measurement's answer has no Date (a proxy that strips it, say): nothing learned.
      loopback.sts.answerNext({
        status: 403,
        dated: false,
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error><RequestId>x</RequestId></ErrorResponse>',
      });
      const outcomes = await h.engine.refreshMany(await profilesNamed(names), { inputFor: () => ({ generate: true }) });
      const refreshed = outcomes.filter((o) => o.kind === 'refreshed').map((o) => o.profile.name);
      // The profile whose key made the failed measurement sent an unmeasured code; the others did not.
      assert.equal(refreshed.length, names.length - 1, JSON.stringify(outcomes.map((o) => [o.profile.name, o.kind === 'failed' ? String(o.error) : o.kind])));
    } finally {
      loopback.sts.setClockSkew(0);
    }
  });

  it('a profile removed after it was listed fails alone; the others are refreshed', async () => {
    // The tray's "Refresh all" lists the profiles, then refreshes them: one may be removed in between.
    for (const name of ['work', 'gone', 'home']) await h.addUser(name, { totp: true });
    const listed = await h.engine.profiles();
    await h.engine.removeProfile('gone');
    const outcomes = await h.engine.refreshMany(listed, { inputFor: () => ({}) });
    assert.deepEqual(
      outcomes.map((o) => [o.profile.name, o.kind === 'failed' ? (isMfaTrayError(o.error) ? o.error.code : String(o.error)) : o.kind]),
      [
        ['work', 'refreshed'],
        ['gone', 'not-found'],
        ['home', 'refreshed'],
      ],
    );
  });
});

describe('enrol', () => {
  it('a profile that cannot be saved once its device is enabled: the secret stays in the keychain, and the error says how to finish', async () => {
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const user = loopback.sts.registerUser({ account, mfaSerial: null, name: `enrol-${Date.now()}` });
    loopback.sts.addDevice(user, { kind: 'security-key', name: 'passkey' });
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    const error = await rejectsWith(
      h.engine.enrol('fresh', {
        newProfile: { key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } },
        // Another program breaks the settings file while the secret is shown.
        show: async () => {
          await mkdir(dirname(settingsFile), { recursive: true });
          await writeFile(settingsFile, '{ not json');
        },
      }),
      'settings-file',
    );
    const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.ok(device?.totpSecret, 'the device was enabled');
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device.totpSecret, 'its secret is kept');
    assert.ok(error.message.includes(`was enabled and its secret is kept in the keychain`), error.message);
    assert.ok(error.message.endsWith(`Once that is fixed, run: mfa-tray add fresh --mfa-serial ${device.serialNumber} --access-key-id <id>`), error.message);
    for (const secret of [device.totpSecret, user.secretAccessKey]) assert.ok(!error.message.includes(secret), 'a secret in the message');
  });
});

describe('enrol of an existing profile', () => {
  it('switches the profile to the new device before enabling it, and back (with its old secret) when enabling is refused', async () => {
    const user = await h.addUser('work', { totp: true });
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    let atShow = '';
    const result = await h.engine.enrol('work', {
      show: async () => {
        atShow = await readFile(settingsFile, 'utf8');
      },
    });
    assert.ok(atShow.includes(result.serialNumber), 'the switch is written before the device is enabled');
    assert.equal((await h.engine.profile('work')).mfaSerial, result.serialNumber);
    const enrolled = loopback.sts.devicesOf(user).find((d) => d.serialNumber === result.serialNumber);
    assert.equal(await h.engine.secrets.getTotpSecret('work'), enrolled?.totpSecret);

    // Again, with AWS refusing the codes: the profile and the keychain are as they were.
    await rejectsWith(
      h.engine.enrol('work', {
        deviceName: 'second',
        show: () =>
          loopback.sts.answerNext({
            status: 403,
            body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidAuthenticationCode</Code><Message>Authentication code for device is not valid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
          }),
      }),
      'sts-invalid-code',
    );
    assert.equal((await h.engine.profile('work')).mfaSerial, result.serialNumber);
    assert.equal(await h.engine.secrets.getTotpSecret('work'), enrolled?.totpSecret);
  });
});

describe('enrol, when no answer comes back from EnableMFADevice', () => {
  /** A user whose only MFA device is a passkey, in an account of its own, and the key to enrol it with. */
  function passkeyUser() {
    const account = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
    const user = loopback.sts.registerUser({ account, mfaSerial: null, name: `lost-${Date.now()}` });
    loopback.sts.addDevice(user, { kind: 'security-key', name: 'passkey' });
    return { user, newProfile: { key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } } };
  }
  const enrolRequests = () =>
    loopback.sts.requests.filter((r) => r.action?.endsWith('MFADevice') || r.action === 'ListMFADevices').map((r) => [r.action, r.outcome]);

  it("AWS enabled the device and the answer was lost: the user's device list says so, and the profile is added with its secret", async () => {
    const { user, newProfile } = passkeyUser();
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    const result = await h.engine.enrol('fresh', { newProfile });
    const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.equal(result.serialNumber, device?.serialNumber);
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device?.totpSecret);
    assert.equal((await h.engine.profile('fresh')).mfaSerial, device?.serialNumber);
    assert.deepEqual(enrolRequests().slice(-3), [
      ['CreateVirtualMFADevice', 'ok'],
      ['EnableMFADevice', 'malformed (ok)'],
      ['ListMFADevices', 'ok'],
    ]);
  });

  it('AWS answers 503 to EnableMFADevice and the list cannot be read: the error names the answer, not "no answer"', async () => {
    const { newProfile } = passkeyUser();
    loopback.sts.failNext(10, 503, 'EnableMFADevice');
    loopback.sts.malformNext(10, 'html', 'ListMFADevices');
    const error = await rejectsWith(h.engine.enrol('fresh', { newProfile }), 'sts-unavailable');
    // Seen on landed main: "No answer came from AWS … (… 503 …)".
    assert.doesNotMatch(error.message, /no answer/i);
    assert.match(
      error.message,
      /^Whether AWS enabled the MFA device \S+ is not known \(.*503.*\), and the user's device list, which would say, could not be read either\./,
    );
    assert.deepEqual(error.remedies, [{ action: 'diagnose', profile: 'fresh' }]);
  });

  it('and the device list cannot be read either: the secret, the key and the profile are kept, and the error says so', async () => {
    const { user, newProfile } = passkeyUser();
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    loopback.sts.failNext(10, 503, 'ListMFADevices');
    const error = await rejectsWith(h.engine.enrol('fresh', { newProfile }), 'sts-unavailable');
    const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.ok(device?.totpSecret, 'AWS enabled it');
    assert.match(
      error.message,
      /^Whether AWS enabled the MFA device \S+ is not known \(.+\), and the user's device list, which would say, could not be read either\. Its secret is kept in the keychain and profile "fresh" uses the device\.$/,
    );
    assert.deepEqual(error.remedies, [{ action: 'diagnose', profile: 'fresh' }]);
    for (const secret of [device.totpSecret, user.secretAccessKey]) assert.ok(!error.message.includes(secret), 'a secret in the message');
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device.totpSecret);
    assert.deepEqual(await h.engine.secrets.getLongLivedKey('fresh'), newProfile.key);
    assert.equal((await h.engine.profile('fresh')).mfaSerial, device.serialNumber);
    const sinceEnable = enrolRequests().slice(enrolRequests().findLastIndex(([action]) => action === 'EnableMFADevice'));
    assert.deepEqual(sinceEnable[0], ['EnableMFADevice', 'malformed (ok)']);
    assert.ok(
      sinceEnable.length > 1 && sinceEnable.slice(1).every(([action, outcome]) => action === 'ListMFADevices' && outcome === '5xx'),
      JSON.stringify(sinceEnable),
    );
  });

  it('an existing profile that has a secret keeps its device and that secret when the outcome is unknown', async () => {
    const user = await h.addUser('work', { totp: true });
    const before = { serial: (await h.engine.profile('work')).mfaSerial, secret: await h.engine.secrets.getTotpSecret('work') };
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    loopback.sts.failNext(10, 503, 'ListMFADevices');
    const error = await rejectsWith(h.engine.enrol('work', { deviceName: 'unknown-outcome' }), 'sts-unavailable');
    assert.match(
      error.message,
      new RegExp(
        `Profile "work" keeps its device ${before.serial} and its secret; the IAM console can remove \\S+unknown-outcome from the user, if it was enabled, and delete it\\.$`,
      ),
    );
    assert.equal((await h.engine.profile('work')).mfaSerial, before.serial);
    assert.equal(await h.engine.secrets.getTotpSecret('work'), before.secret);
    assert.ok(loopback.sts.devicesOf(user).some((d) => d.serialNumber.endsWith('/unknown-outcome')));
  });

  for (const kind of ['html', 'truncated'] as const) {
    it(`AWS enabled the device and the answer came back unreadable (${kind}): the device list decides, and the profile is added with its secret`, async () => {
      const { user, newProfile } = passkeyUser();
      loopback.sts.malformNext(1, kind, 'EnableMFADevice');
      const result = await h.engine.enrol('fresh', { newProfile });
      const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
      assert.equal(result.serialNumber, device?.serialNumber);
      assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device?.totpSecret);
      assert.equal((await h.engine.profile('fresh')).mfaSerial, device?.serialNumber);
    });
  }

  it('the first device list right after is stale (IAM is eventually consistent): a second list, a moment later, finds the device', async () => {
    const { user, newProfile } = passkeyUser();
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    loopback.sts.staleListsNext(1);
    const result = await h.engine.enrol('fresh', { newProfile });
    const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.equal(result.serialNumber, device?.serialNumber);
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device?.totpSecret);
    assert.deepEqual(enrolRequests().slice(-3), [
      ['EnableMFADevice', 'malformed (ok)'],
      ['ListMFADevices', 'ok'],
      ['ListMFADevices', 'ok'],
    ]);
  });

  it('a new profile whose name has a TOTP secret left in the keychain (no profile uses it): the new secret is kept when the outcome is unknown', async () => {
    const { user, newProfile } = passkeyUser();
    await h.engine.secrets.setTotpSecret('fresh', 'JBSWY3DPEHPK3PXP');
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    loopback.sts.failNext(10, 503, 'ListMFADevices');
    const error = await rejectsWith(h.engine.enrol('fresh', { newProfile }), 'sts-unavailable');
    const device = loopback.sts.devicesOf(user).find((d) => d.kind === 'virtual');
    assert.ok(device?.totpSecret, 'AWS enabled it');
    assert.match(error.message, /Its secret is kept in the keychain and profile "fresh" uses the device\.$/);
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), device.totpSecret);
    assert.equal((await h.engine.profile('fresh')).mfaSerial, device.serialNumber);
  });

  it('an existing profile with no secret: the device and its secret are kept when the outcome is unknown, and the error says how to switch back', async () => {
    const user = await h.addUser('plain');
    const before = (await h.engine.profile('plain')).mfaSerial;
    loopback.sts.malformNext(1, 'dropped', 'EnableMFADevice');
    loopback.sts.failNext(10, 503, 'ListMFADevices');
    const error = await rejectsWith(h.engine.enrol('plain', { deviceName: 'unknown-plain' }), 'sts-unavailable');
    const device = loopback.sts.devicesOf(user).find((d) => d.serialNumber.endsWith('/unknown-plain'));
    assert.ok(device?.totpSecret, 'AWS enabled it');
    assert.equal(await h.engine.secrets.getTotpSecret('plain'), device.totpSecret);
    assert.equal((await h.engine.profile('plain')).mfaSerial, device.serialNumber);
    assert.ok(
      error.message.endsWith(
        `Its secret is kept in the keychain and profile "plain" uses the device. If it was not enabled, go back to the device the profile had: mfa-tray edit plain --mfa-serial ${before}`,
      ),
      error.message,
    );
    assert.deepEqual(error.remedies, [{ action: 'diagnose', profile: 'plain' }]);
  });

  it('a 5xx before AWS enabled it: the device list says it is not enabled (twice, a moment apart), so all is put back (the device left unassigned: deleting it needs MFA)', async () => {
    const { user, newProfile } = passkeyUser();
    loopback.sts.failNext(1, 503, 'EnableMFADevice');
    const error = await rejectsWith(h.engine.enrol('fresh', { newProfile }), 'sts-unavailable');
    assert.match(error.message, /The unassigned virtual device \S+ was left in the account \(deleting it needs MFA\)/);
    assert.deepEqual(
      loopback.sts.devicesOf(user).map((d) => d.kind),
      ['security-key'],
    );
    assert.deepEqual(enrolRequests().slice(-5), [
      ['CreateVirtualMFADevice', 'ok'],
      ['EnableMFADevice', '5xx'],
      ['ListMFADevices', 'ok'],
      ['ListMFADevices', 'ok'],
      ['DeleteVirtualMFADevice', 'AccessDenied'],
    ]);
    assert.equal(await h.engine.secrets.getTotpSecret('fresh'), undefined);
    assert.equal(await h.engine.secrets.getLongLivedKey('fresh'), undefined);
    await rejectsWith(h.engine.profile('fresh'), 'not-found');
  });
});

describe('refresh with a registered TOTP secret', () => {
  it('generates the code itself', async () => {
    await h.addUser('auto', { totp: true });
    const session = await h.engine.refresh('auto', { generate: true });
    assert.equal((await readCredentials()).auto?.aws_session_token, session.sessionToken);
  });

  it('corrects a clock 90 s behind AWS before generating the code', async () => {
    loopback.sts.setClockSkew(90_000);
    await h.addUser('auto', { totp: true });
    await h.engine.refresh('auto', { generate: true });
    assert.ok(Math.abs(h.engine.offset.offsetMs - 90_000) < 2_000, `offset ${h.engine.offset.offsetMs}`);
  });

  it('corrects a clock 90 s ahead of AWS before generating the code', async () => {
    loopback.sts.setClockSkew(-90_000);
    await h.addUser('auto', { totp: true });
    await h.engine.refresh('auto', { generate: true });
    assert.ok(Math.abs(h.engine.offset.offsetMs + 90_000) < 2_000, `offset ${h.engine.offset.offsetMs}`);
  });

  /** Two processes' refreshes, the second's engine fresh: the clock memory as the first left it (aged `agedMs` before the second), and after the second. */
  async function clockMemoryAcrossProcesses(skewMs: number, agedMs: number): Promise<{ readonly left: string; readonly after: string }> {
    loopback.sts.setClockSkew(skewMs);
    await h.addUser('first', { totp: true });
    await h.addUser('second', { totp: true });
    await h.engine.refresh('first', { generate: true });
    const memoryFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'clock-offset.json');
    const written = JSON.parse(await readFile(memoryFile, 'utf8')) as { offsetMs: number; measuredAt: number; bootAt: number };
    assert.ok(Math.abs(written.offsetMs - skewMs) < 2_000, JSON.stringify(written));
    // As if measured `agedMs` earlier (the boot time it implies unchanged: the clock was not set).
    const left = `${JSON.stringify({ ...written, measuredAt: written.measuredAt - agedMs })}\n`;
    await writeFile(memoryFile, left);
    const other = engineBeside(h);
    try {
      await other.refresh('second', { generate: true });
    } finally {
      other.stop();
    }
    return { left, after: await readFile(memoryFile, 'utf8') };
  }

  for (const skewMs of [0, 90_000]) {
    it(`a process that measures the offset remembered moments ago (${skewMs / 1000} s) leaves the clock memory as it is: no second durable write in its refresh`, async () => {
      // Seen on landed main: every process rewrote it after its GetSessionToken (the same offset, a
      // new time), beside the write of the credentials file: a lock, a temp file and two fsyncs more.
      const { left, after } = await clockMemoryAcrossProcesses(skewMs, 0);
      assert.equal(after, left);
    });
  }

  it('a clock memory 11 minutes old is renewed by the next process that measures the same offset', async () => {
    const { left, after } = await clockMemoryAcrossProcesses(0, 11 * 60_000);
    const renewed = JSON.parse(after) as { offsetMs: number; measuredAt: number };
    assert.notEqual(after, left);
    assert.equal(renewed.offsetMs, 0);
    assert.ok(Math.abs(renewed.measuredAt - Date.now()) < 10_000, after);
  });

  it('keeps the old session and says STS is unreachable when it answers 5xx, sending the code once', async () => {
    await h.addUser('auto', { totp: true });
    const first = await h.engine.refresh('auto', { generate: true });
    loopback.sts.failNext(5, 503);
    const before = loopback.sts.count('GetSessionToken');
    await rejectsWith(h.engine.refresh('auto', { generate: true }), 'sts-unavailable');
    assert.equal(loopback.sts.count('GetSessionToken'), before + 1, 'not retried: a retry would resend the code');
    assert.deepEqual(await h.engine.secrets.getSession('auto'), first);
  });
});

describe('refresh with a registered TOTP secret, STS out of reach', () => {
  it('a code that would wait for the next time step does not wait for an STS that cannot be reached', async () => {
    // A fake clock, moved by nobody: a wait for the next step would never end.
    const clock = midStepClock(loopback.sts);
    const harness = await createHarness({ sts: loopback.sts, clock });
    const down = engineBeside(harness, { stsEndpoint: 'http://127.0.0.1:9', clock });
    try {
      await harness.addUser('auto', { totp: true });
      // This step's code is used, and the clock's offset measured and remembered.
      await harness.engine.refresh('auto', { generate: true });
      const sent = loopback.sts.count('GetSessionToken');
      const waits: number[] = [];
      // Seen on landed main: with the offset remembered, nothing asked STS before the code, so the
      // refresh waited up to 26 s for the next step, then found the connection refused.
      const refreshing = down.refresh('auto', { generate: true, onWait: (ms) => waits.push(ms) });
      const guard = new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 8_000).unref());
      const outcome = await Promise.race([
        refreshing.then(
          () => 'refreshed',
          (error: unknown) => error,
        ),
        guard,
      ]);
      assert.ok(isMfaTrayError(outcome, 'sts-unavailable'), `expected sts-unavailable at once, got ${String(outcome)}`);
      assert.match(outcome.message, /connection was refused/);
      assert.equal(waits.length, 1, 'the wait had begun');
      assert.equal(loopback.sts.count('GetSessionToken'), sent, 'no second code was sent anywhere');
    } finally {
      down.stop();
      await harness.close();
    }
  });
});

describe('refresh with a registered TOTP secret, waiting for the next time step', () => {
  it('refreshes that wait side by side share one reachability check, which is dropped once their codes are made', async () => {
    const clock = midStepClock(loopback.sts);
    const harness = await createHarness({ sts: loopback.sts, clock });
    // Another process on the same files and clock: it has never had an answer from AWS.
    const other = engineBeside(harness, { clock });
    try {
      const names = ['g1', 'g2'];
      for (const name of names) await harness.addUser(name, { totp: true });
      // Each device's code of this step is used, and the clock's offset measured and remembered.
      for (const name of names) await harness.engine.refresh(name, { generate: true });
      const first = loopback.sts.requests.length;
      const checks = () => loopback.sts.requests.slice(first).filter((r) => r.action === 'GetCallerIdentity');
      // STS takes the check and never answers it; GetSessionToken is answered.
      loopback.sts.setHang(true, 'GetCallerIdentity');
      const waiting = new Set<string>();
      const refreshing = other.refreshMany(await Promise.all(names.map((name) => harness.engine.profile(name))), {
        inputFor: (profile) => ({ generate: true, onWait: () => waiting.add(profile.name) }),
      });
      await until(() => waiting.size === 2 && checks().length > 0, 'both refreshes waiting for the next step, and a check at STS');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(checks().length, 1, 'one check for both');
      advanceToMidStep(clock, loopback.sts, 1);
      const outcomes = await refreshing;
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ['refreshed', 'refreshed'],
      );
      // Seen in review: the check went on after the refreshes ended, and kept a finished command's
      // process alive until the STS timeout.
      await until(() => checks()[0]?.droppedAt !== undefined, 'the check dropped by the client', 2_000);
    } finally {
      loopback.sts.setHang(false);
      other.stop();
      await harness.close();
    }
  });
});

describe('refresh with a registered TOTP secret, a key AWS refuses while waiting for the next time step', () => {
  it('the shared check made with that key ends the wait of its refresh at once, not of one with another key', async () => {
    const clock = midStepClock(loopback.sts);
    const harness = await createHarness({ sts: loopback.sts, clock });
    const other = engineBeside(harness, { clock });
    try {
      const owner = await harness.addUser('owner', { totp: true });
      await harness.addUser('good', { totp: true });
      // A profile of owner's device whose key AWS does not know (deleted since it was added).
      await harness.engine.addProfile(
        { name: 'gone', mfaSerial: owner.mfaSerial, accessKeyId: `AKIA${'Y'.repeat(16)}`, secretAccessKey: 'Q'.repeat(40) },
        { totpSecret: owner.totpSecret as string },
      );
      // Each device's code of this step is used.
      for (const name of ['owner', 'good']) await harness.engine.refresh(name, { generate: true });
      const sent = loopback.sts.count('GetSessionToken');
      // The check takes a moment to answer: the second refresh waits on the first one's check.
      loopback.sts.setLatency(800);
      const waiting = new Set<string>();
      const gone = other.refresh('gone', { generate: true, onWait: () => waiting.add('gone') });
      gone.catch(() => undefined);
      await until(() => waiting.has('gone') && loopback.sts.count('GetCallerIdentity') > 0, 'gone waiting, its check at STS');
      const good = other.refresh('good', { generate: true, onWait: () => waiting.add('good') });
      // (The fake clock never reaches the next step by itself: a refresh still waiting would wait for good.)
      const stillWaiting = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('gone still waits for its time step')), 5_000).unref());
      await assert.rejects(Promise.race([gone, stillWaiting]), { code: 'sts-invalid-key' });
      assert.equal(loopback.sts.count('GetSessionToken'), sent, 'no code sent with the refused key');
      loopback.sts.setLatency(0);
      assert.ok(waiting.has('good'), 'good waits for its step on');
      advanceToMidStep(clock, loopback.sts, 1);
      assert.ok((await good).accessKeyId.startsWith('ASIA'));
    } finally {
      loopback.sts.setLatency(0);
      other.stop();
      await harness.close();
    }
  });
});

describe('profiles', () => {
  it('refuses bad input and stores nothing', async () => {
    const user = loopback.sts.registerUser({ name: 'bad' });
    const error = await rejectsWith(
      h.engine.addProfile({
        name: 'bad',
        mfaSerial: 'arn:aws:iam::123456789012:u2f/user/bad/key',
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
      }),
      'invalid-input',
    );
    assert.equal(error.field, 'mfaSerial');
    assert.equal(await h.engine.secrets.getLongLivedKey('bad'), undefined);
    assert.deepEqual(await h.engine.settings.listProfiles(), []);
    await assert.rejects(readdir(h.env.MFA_TRAY_CONFIG_DIR), { code: 'ENOENT' });
  });

  it('refuses a bad secret access key without echoing it', async () => {
    const user = loopback.sts.registerUser({ name: 'bad' });
    const bad = 'x'.repeat(39);
    const error = await rejectsWith(
      h.engine.addProfile({ name: 'bad', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: bad }),
      'invalid-input',
    );
    assert.equal(error.field, 'secretAccessKey');
    assert.ok(!error.message.includes(bad));
  });

  it('refuses a second profile of the same name unless replacing', async () => {
    await h.addUser('work');
    const user = loopback.sts.registerUser({ name: 'work2' });
    await rejectsWith(
      h.engine.addProfile({ name: 'work', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }),
      'already-exists',
    );
  });

  it('verifies a stored key with GetCallerIdentity', async () => {
    const user = await h.addUser('work');
    assert.equal((await h.engine.verify('work')).arn, user.arn);
  });

  it('forgets the TOTP secret when the profile moves to another MFA device, and only then', async () => {
    const user = await h.addUser('auto', { totp: true });
    await h.engine.updateProfile('auto', { durationSeconds: 3600 });
    assert.equal(await h.engine.secrets.hasTotpSecret('auto'), true, 'kept: same device');
    await h.engine.updateProfile('auto', { mfaSerial: `${user.mfaSerial}-new` });
    assert.equal(await h.engine.secrets.hasTotpSecret('auto'), false, 'forgotten: another device');

    await h.engine.setTotpSecret('auto', user.totpSecret as string);
    await h.engine.addProfile(
      { name: 'auto', mfaSerial: user.mfaSerial, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      { replace: true },
    );
    assert.equal(await h.engine.secrets.hasTotpSecret('auto'), false, 'forgotten: replaced with another device');
  });

  it('keeps the TOTP secret when an edit to another device cannot be saved: nothing changed', async () => {
    const user = await h.addUser('auto', { totp: true });
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    const before = await readFile(settingsFile);
    await chmod(settingsFile, 0o400);
    await assert.rejects(h.engine.updateProfile('auto', { mfaSerial: `${user.mfaSerial}-new` }), /read-only/);
    await chmod(settingsFile, 0o600);
    assert.deepEqual(await readFile(settingsFile), before);
    // Forgotten before the settings are written, and put back when they cannot be.
    assert.equal(await h.engine.secrets.getTotpSecret('auto'), user.totpSecret);
  });

  it('checks an edit to another device whole before the keychain: a target section taken is refused as such, nothing forgotten', async () => {
    const user = await h.addUser('auto', { totp: true });
    await h.addUser('other');
    const record = keychainChangesFile(h.env.MFA_TRAY_CONFIG_DIR);
    const before = await readFile(record, 'utf8');
    await assert.rejects(h.engine.updateProfile('auto', { mfaSerial: `${user.mfaSerial}-new`, targetSection: 'other' }), { code: 'invalid-input' });
    assert.equal(await readFile(record, 'utf8'), before, 'the keychain was not touched (no delete and put back)');
    assert.equal(await h.engine.secrets.getTotpSecret('auto'), user.totpSecret);
  });

  it('keeps the TOTP secret when the replacement on another device fails: nothing changed', async () => {
    const user = await h.addUser('auto', { totp: true });
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    const before = await readFile(settingsFile);
    await chmod(settingsFile, 0o400);
    await assert.rejects(
      h.engine.addProfile(
        { name: 'auto', mfaSerial: `${user.mfaSerial}-new`, accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
        { replace: true },
      ),
      /read-only/,
    );
    await chmod(settingsFile, 0o600);
    assert.deepEqual(await readFile(settingsFile), before);
    // The old device's secret is forgotten before the settings are written, and put back when they cannot be.
    assert.equal(await h.engine.secrets.getTotpSecret('auto'), user.totpSecret, "the old device's secret is still there");
    assert.deepEqual(await h.engine.secrets.getLongLivedKey('auto'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
  });

  it("a replacement by another key that fails loses nothing: the old key's session is back in the keychain and its section", async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const session = await h.engine.secrets.getSession('work');
    const written = await readFile(writtenSessionsFile(h.env.MFA_TRAY_CONFIG_DIR), 'utf8');
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    await chmod(settingsFile, 0o400);
    const other = loopback.sts.registerUser();
    await assert.rejects(
      h.engine.addProfile(
        { name: 'work', mfaSerial: other.mfaSerial, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey },
        { replace: true },
      ),
      /read-only/,
    );
    await chmod(settingsFile, 0o600);
    assert.deepEqual(await h.engine.secrets.getLongLivedKey('work'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    assert.deepEqual(await h.engine.secrets.getSession('work'), session);
    assert.equal((await readCredentials()).work?.aws_session_token, session?.sessionToken, 'the section forgotten is written back');
    assert.equal(await readFile(writtenSessionsFile(h.env.MFA_TRAY_CONFIG_DIR), 'utf8'), written, 'the record of the written session is back');
  });

  it('a profile removed while its refresh waits for AWS: the session AWS gives is kept nowhere', async () => {
    const { refreshing } = await refreshWaitingForSts('work', 1500);
    // Seen on landed main: `remove work` said "Removed …", then the refresh wrote the session into
    // [work] and the keychain: a live session of a removed profile, served again by a later `add work`.
    await h.otherProcess().removeProfile('work');
    const error = await rejectsWith(refreshing, 'not-found');
    assert.match(error.message, /^Profile "work" was removed while AWS was answering its refresh: the session AWS gave was not kept\./);
    assert.equal(h.engine.state('work').kind, 'none', 'no failed state left for a profile that is gone');
    loopback.sts.setLatency(0);
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.equal((await readCredentials()).work, undefined, 'nothing written into the file');
  });

  it("a profile whose key is replaced while its refresh waits for AWS: the old key's session is kept nowhere", async () => {
    const { refreshing } = await refreshWaitingForSts('work', 1500);
    // Seen in review: another user's key stored by `add --force` meanwhile, and the old user's session written after it.
    const other = loopback.sts.registerUser();
    await h
      .otherProcess()
      .addProfile({ name: 'work', mfaSerial: other.mfaSerial, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey }, { replace: true });
    const error = await rejectsWith(refreshing, 'no-session');
    assert.match(
      error.message,
      /^The access key of profile "work" was replaced while AWS was answering its refresh: the session the old key got was not kept\.$/,
    );
    loopback.sts.setLatency(0);
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.equal((await readCredentials()).work, undefined, 'nothing written into the file');
  });

  it('a removal or a key replacement that comes while a refresh writes waits for the writes, then takes the session along', async () => {
    for (const change of ['remove', 'replace key'] as const) {
      const user = await h.addUser('work');
      // The keychain write of the session waits a moment: the other process comes in then, after
      // the refresh checked that the profile and its key are still there.
      let writing: (() => void) | undefined;
      const atWrite = new Promise<void>((resolve) => (writing = resolve));
      const real = h.keychain.store;
      const slow: SecretStore = {
        get: (kind, profile) => real.get(kind, profile),
        set: async (kind, profile, value) => {
          if (kind === 'session') {
            writing?.();
            await new Promise((resolve) => setTimeout(resolve, 700));
          }
          return real.set(kind, profile, value);
        },
        delete: (kind, profile) => real.delete(kind, profile),
        getAll: (kind) => real.getAll(kind),
      };
      const engine = engineBeside(h, { secretStore: slow });
      await loopback.sts.avoidStepEdge();
      const refreshing = engine.refresh('work', { code: loopback.sts.currentCode(user) });
      refreshing.catch(() => undefined);
      await atWrite;
      // Seen in review: the removal (or the new key's forgetting of the old session) ran in that
      // moment, and the refresh then stored the session it had got: a live session of a removed
      // profile, or the old key's under the new one.
      if (change === 'remove') {
        await h.otherProcess().removeProfile('work');
      } else {
        const other = loopback.sts.registerUser();
        const profile = await h.engine.profile('work');
        const { replaced } = await h
          .otherProcess()
          .addProfile({ ...profile, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey }, { replace: true });
        assert.equal(replaced?.forgotSession, true, 'the session the refresh wrote was there to forget');
      }
      await refreshing;
      assert.equal(await h.engine.secrets.getSession('work'), undefined, `${change}: no session left in the keychain`);
      if (change === 'replace key') assert.equal((await readCredentials()).work?.aws_session_token, undefined, 'nor in the file');
      engine.stop();
      await h.engine.removeProfile('work', { forgetSession: true }).catch(() => undefined);
    }
  });

  it('a profile another process is changing longer than a refresh waits: the session AWS gave is not kept, and the message says so', async () => {
    const user = await h.addUser('work');
    const engine = engineBeside(h, { changeLockTimeoutMs: 600 });
    // Another process holds the profile's lock all along (a removal waiting on a keychain prompt, say).
    let release: (() => void) | undefined;
    let taken: (() => void) | undefined;
    const lockTaken = new Promise<void>((resolve) => (taken = resolve));
    const holder = withLock(
      profileLockPath(h.env.MFA_TRAY_CONFIG_DIR, 'work'),
      () => {
        taken?.();
        return new Promise<void>((resolve) => (release = resolve));
      },
      { timeoutMs: 1000, what: 'the test', busy: () => new MfaTrayError('lock-timeout', 'the test could not take the lock') },
    );
    try {
      await lockTaken;
      await loopback.sts.avoidStepEdge();
      const sent = loopback.sts.count('GetSessionToken');
      const error = await rejectsWith(engine.refresh('work', { code: loopback.sts.currentCode(user) }), 'lock-timeout');
      assert.equal(loopback.sts.count('GetSessionToken'), sent + 1, 'AWS answered first');
      // Seen in review: the lock's own message, "nothing was changed here", after AWS had given a session.
      assert.equal(
        error.message,
        'AWS gave profile "work" a session, but it was not kept: another MFA Tray process was changing the profile (removing it, or storing a new key) all the while.',
      );
      assert.deepEqual(error.remedies, [{ action: 'refresh', profile: 'work' }]);
      assert.equal(await h.engine.secrets.getSession('work'), undefined, 'not in the keychain');
      assert.equal((await readCredentials()).work, undefined, 'nor in the file');

      // A change that finds the profile being changed says that nothing was changed, and changes nothing.
      const removal = await rejectsWith(engine.removeProfile('work'), 'lock-timeout');
      assert.equal(removal.message, 'Another MFA Tray process has been changing profile work for over 600 ms; nothing was changed here. Try again.');
      assert.equal((await h.engine.profile('work')).mfaSerial, user.mfaSerial);
      assert.deepEqual(await h.engine.secrets.getLongLivedKey('work'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    } finally {
      release?.();
      await holder;
      engine.stop();
    }
  });

  it("a key replaced in this process's window while a refresh waits for AWS: no expiry of the forgotten session is shown", async () => {
    const { refreshing } = await refreshWaitingForSts('work', 1500, { withSession: true });
    const other = loopback.sts.registerUser();
    const { forgotSession } = await h.engine.setLongLivedKey('work', { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    assert.ok(forgotSession);
    await rejectsWith(refreshing, 'no-session');
    loopback.sts.setLatency(0);
    // Seen in review: the failed state carried the expiry of the session the new key's arrival had
    // forgotten, so the tray said "valid until …" for a session that is nowhere.
    const state = h.engine.state('work');
    assert.equal(state.kind, 'failed');
    assert.equal('expiresAt' in state ? state.expiresAt : undefined, undefined);
  });

  it('a key removed, or unreadable, while a refresh waits for AWS: the session is not kept, and the remedy fits', async () => {
    const { refreshing } = await refreshWaitingForSts('work', 1500);
    await h.otherProcess().secrets.deleteLongLivedKey('work');
    // Seen in review: a removed key was answered with "refresh", which cannot work without a key.
    const removed = await rejectsWith(refreshing, 'no-long-lived-key');
    assert.match(removed.message, /^The access key of profile "work" was removed while AWS was answering its refresh: the session AWS gave was not kept\.$/);
    assert.deepEqual(
      removed.remedies.map((r) => r.action),
      ['add-key', 'import-key'],
    );
    loopback.sts.setLatency(0);
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.equal((await readCredentials()).work, undefined, 'nothing written into the file');

    // A key that changed and then cannot be read (a damaged entry): not taken as the same key.
    const again = await refreshWaitingForSts('work2', 1500);
    const other = loopback.sts.registerUser();
    await h.otherProcess().secrets.setLongLivedKey('work2', { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    await h.keychain.store.set('long-lived-key', 'work2', 'not what MFA Tray writes');
    const unreadable = await rejectsWith(again.refreshing, 'no-session');
    assert.match(
      unreadable.message,
      /^The access key of profile "work2" changed while AWS was answering its refresh, and cannot be read now: the session AWS gave was not kept\./,
    );
    loopback.sts.setLatency(0);
    assert.equal((await readCredentials()).work2, undefined, 'nothing written into the file');
  });

  it('a settings file unreadable for a moment while AWS answers does not cost the session', async () => {
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    const { refreshing } = await refreshWaitingForSts('work', 1000);
    const good = await readFile(settingsFile);
    await writeFile(settingsFile, '{ half a fil');
    const session = await refreshing.finally(() => writeFile(settingsFile, good));
    loopback.sts.setLatency(0);
    assert.deepEqual(await h.engine.secrets.getSession('work'), session);
  });

  it('a profile added anew starts without a session, whatever the keychain held under its name', async () => {
    await h.engine.secrets.setSession('work', {
      accessKeyId: 'ASIAORPHANEDEXAMPLE1',
      secretAccessKey: 'orphaned/session/secret/key/example/1234',
      sessionToken: 'orphaned-session-token',
      expiresAt: Date.now() + 3_600_000,
    });
    await h.addUser('work');
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.equal(h.engine.state('work').kind, 'none');
  });

  it('removes a profile with its keychain entries, and its session section only when asked', async () => {
    const user = await h.addUser('work', { totp: true });
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    await h.engine.removeProfile('work');
    assert.equal(await h.engine.secrets.getLongLivedKey('work'), undefined);
    assert.equal(await h.engine.secrets.getTotpSecret('work'), undefined);
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.ok((await readCredentials()).work?.aws_session_token, 'the session section stays without --forget-session');
  });

  it('a removal whose settings write fails loses nothing: key, TOTP secret, session and its section are all back', async () => {
    const user = await h.addUser('work', { totp: true });
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const session = await h.engine.secrets.getSession('work');
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    const before = await readFile(settingsFile);
    await chmod(settingsFile, 0o400);
    // Seen on landed main: "Cannot ... settings file ... Nothing was changed.", with the key and the
    // TOTP secret gone from the keychain (the settings are written last).
    await assert.rejects(h.engine.removeProfile('work', { forgetSession: true }), /read-only/);
    await chmod(settingsFile, 0o600);
    assert.deepEqual(await readFile(settingsFile), before);
    assert.deepEqual(await h.engine.secrets.getLongLivedKey('work'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    assert.equal(await h.engine.secrets.getTotpSecret('work'), user.totpSecret);
    assert.deepEqual(await h.engine.secrets.getSession('work'), session);
    assert.equal((await readCredentials()).work?.aws_session_token, session?.sessionToken, 'the section forgotten is written back');
  });

  it('a removal refused before anything is deleted writes nothing to the keychain', async () => {
    await h.addUser('work', { totp: true });
    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(h.credentialsPath, '[taken]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    const record = keychainChangesFile(h.env.MFA_TRAY_CONFIG_DIR);
    const before = await readFile(record, 'utf8');
    // Seen in review: the refused restore still wrote the key, the TOTP secret and the session back
    // (undoing whatever another process had changed since they were read).
    await assert.rejects(h.engine.removeProfile('work', { restoreKeyTo: 'taken' }), { code: 'long-lived-section' });
    assert.equal(await readFile(record, 'utf8'), before, 'no keychain write recorded');
    assert.ok(await h.engine.secrets.getLongLivedKey('work'));
  });

  /** Profile work with a session MFA Tray wrote into [work]. */
  async function refreshedWork(): Promise<void> {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
  }

  /** Another tool's session in [work] since (`aws configure set`): its text. */
  async function anotherToolsSessionInWork(): Promise<string> {
    const other = (await readFile(h.credentialsPath, 'utf8')).replace(/(aws_access_key_id = )ASIA\w+/, '$1ASIAOTHERTOOLXXXQ7RZ');
    await writeFile(h.credentialsPath, other);
    return other;
  }

  it('a failed removal puts back the session it took from the section', async () => {
    await refreshedWork();
    const before = await readFile(h.credentialsPath, 'utf8');
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    await chmod(settingsFile, 0o400);
    await assert.rejects(h.engine.removeProfile('work', { forgetSession: true }), /read-only/);
    await chmod(settingsFile, 0o600);
    assert.equal(await readFile(h.credentialsPath, 'utf8'), before);
  });

  it("a removal leaves another tool's session in the section, failed or not", async () => {
    await refreshedWork();
    const other = await anotherToolsSessionInWork();
    const settingsFile = join(h.env.MFA_TRAY_CONFIG_DIR, 'settings.json');
    await chmod(settingsFile, 0o400);
    await assert.rejects(h.engine.removeProfile('work', { forgetSession: true }), /read-only/);
    await chmod(settingsFile, 0o600);
    assert.equal(await readFile(h.credentialsPath, 'utf8'), other);
    assert.deepEqual(await h.engine.removeProfile('work', { forgetSession: true }), { session: 'not-ours', otherMaskedKeyId: 'ASIA…Q7RZ' });
    assert.equal(await readFile(h.credentialsPath, 'utf8'), other);
  });

  it('forgets a session: the section we wrote is gone from the file', async () => {
    await refreshedWork();
    assert.deepEqual(await h.engine.forgetSession('work'), { session: 'removed' });
    assert.equal((await readCredentials()).work, undefined);
    assert.equal(h.engine.sessions.state('work').kind, 'none');
  });

  it("forgets the session in the section it was written into before the profile's target was changed (the tray's Forget session)", async () => {
    await refreshedWork();
    await h.engine.updateProfile('work', { targetSection: 'elsewhere' });

    assert.deepEqual(await h.engine.forgetSession('work'), { session: 'none', earlierSection: 'work' });

    assert.equal((await readCredentials()).work, undefined, 'the live session is gone from [work]');
  });

  it("forgets a session but leaves another tool's that took the section since (the tray's Forget session)", async () => {
    await refreshedWork();
    const other = await anotherToolsSessionInWork();

    assert.deepEqual(await h.engine.forgetSession('work'), { session: 'not-ours', otherMaskedKeyId: 'ASIA…Q7RZ' });

    assert.equal(await readFile(h.credentialsPath, 'utf8'), other);
    assert.equal(await h.engine.secrets.getSession('work'), undefined, 'its own cached session is forgotten');
    assert.deepEqual(await h.engine.forgetSession('work'), { session: 'not-ours', otherMaskedKeyId: 'ASIA…Q7RZ' }, "and stays another tool's");
  });
});

describe('import', () => {
  async function seed(credentials: string, config: string) {
    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(h.credentialsPath, credentials);
    await writeFile(h.configPath, config);
  }

  it('moves the key into the keychain, takes the MFA serial from the config file and removes only the key lines', async () => {
    const user = loopback.sts.registerUser({ name: 'legacy' });
    const original = `# my keys\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = ${'o'.repeat(40)}\n\n[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\nregion = eu-west-1\n`;
    await seed(original, `[profile legacy]\nmfa_serial = ${user.mfaSerial}\nregion = ap-northeast-1\nduration_seconds = 3600\n`);

    const { profile } = await h.engine.importProfile('legacy', { fromSection: 'legacy', removePlaintext: true });

    assert.equal(profile.mfaSerial, user.mfaSerial);
    assert.equal(profile.region, 'ap-northeast-1');
    assert.equal(profile.durationSeconds, 3600);
    assert.deepEqual(await h.engine.secrets.getLongLivedKey('legacy'), { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });
    const expected = original.replace(`aws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`, '');
    assert.equal(await readFile(h.credentialsPath, 'utf8'), expected);
  });

  it('keeps the plaintext key unless asked, and then refuses to aim sessions at that section', async () => {
    const user = loopback.sts.registerUser({ name: 'legacy' });
    await seed(`[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`, '');
    const error = await rejectsWith(h.engine.importProfile('legacy', { fromSection: 'legacy', mfaSerial: user.mfaSerial as string }), 'invalid-input');
    assert.equal(error.field, 'targetSection');
    assert.equal(await h.engine.secrets.getLongLivedKey('legacy'), undefined);
  });

  it('when no file names the MFA device, asks IAM: the only one is taken, among several the chooser picks, without one they are listed', async () => {
    const user = loopback.sts.registerUser({ name: 'legacy' });
    await seed(`[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`, '');
    const only = await h.engine.planImport('mine', { fromSection: 'legacy' });
    assert.deepEqual(only.mfaSerial, { value: user.mfaSerial, from: "the IAM user's MFA devices (iam:ListMFADevices)" });
    const phone = loopback.sts.addDevice(user, { kind: 'virtual', name: 'phone' });
    const error = await rejectsWith(h.engine.importProfile('mine', { fromSection: 'legacy' }), 'invalid-input');
    assert.equal(error.field, 'mfaSerial');
    assert.match(error.message, /has 2 devices that give codes/);
    const offered: string[] = [];
    const { profile } = await h.engine.importProfile('mine', {
      fromSection: 'legacy',
      chooseMfaDevice: (usable) => {
        offered.push(...usable.map((d) => d.serialNumber));
        return Promise.resolve(phone.serialNumber);
      },
    });
    assert.deepEqual(offered, [user.mfaSerial, phone.serialNumber]);
    assert.equal(profile.mfaSerial, phone.serialNumber);
  });
});

describe('status and export', () => {
  it('lists every profile with its state and whether it has a TOTP secret', async () => {
    const user = await h.addUser('work');
    await h.addUser('auto', { totp: true });
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const status = await h.engine.status();
    assert.deepEqual(
      status.map((s) => [s.profile.name, s.state.kind, s.hasTotpSecret]),
      [
        ['work', 'valid', false],
        ['auto', 'none', true],
      ],
    );
  });

  it('exports the current session', async () => {
    await h.addUser('auto', { totp: true });
    const session = await h.engine.refresh('auto', { generate: true });
    assert.match(await h.engine.exportSession('auto', 'env'), new RegExp(`^export AWS_ACCESS_KEY_ID=${session.accessKeyId}\n`));
  });

  it('says how to get a session when there is none to export', async () => {
    await h.addUser('work');
    const error = await rejectsWith(h.engine.exportSession('work', 'env'), 'no-session');
    assert.equal(error.message, 'Profile "work" has no current session.');
    assert.deepEqual(error.remedies, [{ action: 'refresh', profile: 'work' }]);
  });
});

describe('keeping sessions fresh', () => {
  const MIN = 60_000;

  async function withClock(run: (clock: FakeClock, harness: Harness, notices: EngineNotice[]) => Promise<void>) {
    // Mid-step, STS's clock with it: a code generated in a step's last 3 s waits for the next step
    // on this clock's timers, which only move when the test moves them.
    const clock = midStepClock(loopback.sts);
    const harness = await createHarness({ sts: loopback.sts, clock });
    const notices: EngineNotice[] = [];
    harness.engine.onNotice((n) => notices.push(n));
    try {
      await run(clock, harness, notices);
    } finally {
      await harness.close();
    }
  }

  it('notifies before expiry and at expiry for a profile that needs a typed code', async () => {
    await withClock(async (clock, harness, notices) => {
      const user = await harness.addUser('work', { durationSeconds: 3600 });
      await loopback.sts.avoidStepEdge();
      const session = await harness.engine.refresh('work', { code: loopback.sts.currentCode(user) });
      await harness.engine.start();
      clock.advance(session.expiresAt - clock.now() - 15 * MIN);
      await harness.engine.idle();
      assert.deepEqual(
        notices.filter((n) => n.kind !== 'refreshed').map((n) => n.kind),
        ['expiring'],
      );
      clock.advance(15 * MIN);
      await harness.engine.idle();
      assert.deepEqual(
        notices.filter((n) => n.kind !== 'refreshed').map((n) => n.kind),
        ['expiring', 'expired'],
      );
      assert.equal(harness.engine.sessions.state('work').kind, 'expired');
    });
  });

  it('refreshes a TOTP profile unattended before expiry, silently', async () => {
    await withClock(async (clock, harness, notices) => {
      await harness.addUser('auto', { totp: true, durationSeconds: 900 });
      await loopback.sts.avoidStepEdge();
      const first = await harness.engine.refresh('auto', { generate: true });
      await harness.engine.start();
      const refreshed = new Promise<EngineNotice>((resolve) =>
        harness.engine.onNotice((n) => (n.kind === 'refreshed' || n.kind === 'refresh-failed') && n.unattended && resolve(n)),
      );
      // Due a quarter of a lifetime early at most (3.75 min): move AWS's clock and ours together.
      advanceToMidStep(clock, loopback.sts, first.expiresAt - clock.now() - 3.75 * MIN);
      const notice = await refreshed;
      assert.equal(notice.kind, 'refreshed', JSON.stringify(notice));
      assert.ok(!notices.some((n) => n.kind === 'expiring'), 'no expiry warning for a profile that refreshes itself');
      const latest = await harness.engine.secrets.getSession('auto');
      assert.ok(latest && latest.expiresAt > first.expiresAt);
    });
  });

  it("a rotated key forgets the old key's session: a self-refreshing profile gets a new one at once, here or in another process", async () => {
    await withClock(async (clock, harness, notices) => {
      const user = await harness.addUser('auto', { totp: true, durationSeconds: 3600 });
      await loopback.sts.avoidStepEdge();
      await harness.engine.refresh('auto', { generate: true });
      await harness.engine.start();
      const rotate = () => {
        // The same IAM user's device, with a new access key (key rotation).
        const rotated = loopback.sts.registerUser({ mfaSerial: user.mfaSerial as string, totpSecret: user.totpSecret as string });
        return { accessKeyId: rotated.accessKeyId, secretAccessKey: rotated.secretAccessKey };
      };
      const refreshedWith = async (key: { readonly accessKeyId: string }) => {
        // The used code's step is over: the catch-up's code is the next step's.
        advanceToMidStep(clock, loopback.sts, 30_000);
        await until(() => notices.some((n) => n.kind === 'refreshed' && n.profile === 'auto' && n.unattended), 'a catch-up refresh');
        await harness.engine.idle();
        assert.equal(harness.engine.state('auto').kind, 'valid');
        assert.equal(loopback.sts.sessions.at(-1)?.accessKeyId, (await harness.engine.secrets.getSession('auto'))?.accessKeyId);
        assert.equal(loopback.sts.sessions.at(-1)?.user.accessKeyId, key.accessKeyId, 'got with the new key');
        notices.length = 0;
      };
      // Seen in review: the window's "replace key" forgot the session, and the profile then sat
      // without one (no refresh, no notice) although it refreshes itself.
      const here = rotate();
      const { forgotSession } = await harness.engine.setLongLivedKey('auto', here);
      assert.ok(forgotSession);
      await refreshedWith(here);

      const elsewhere = rotate();
      const profile = await harness.engine.profile('auto');
      await harness.otherProcess().addProfile({ ...profile, ...elsewhere }, { replace: true });
      await harness.engine.recheck();
      await refreshedWith(elsewhere);
    });
  });

  it('a key rotated while the unattended refresh waits for AWS: the new key gets the session right after', async () => {
    await withClock(async (clock, harness, notices) => {
      const user = await harness.addUser('auto', { totp: true, durationSeconds: 900 });
      await loopback.sts.avoidStepEdge();
      const first = await harness.engine.refresh('auto', { generate: true });
      await harness.engine.start();
      loopback.sts.setLatency(1500);
      const sent = loopback.sts.count('GetSessionToken');
      const rotated = loopback.sts.registerUser({ mfaSerial: user.mfaSerial as string, totpSecret: user.totpSecret as string });
      try {
        advanceToMidStep(clock, loopback.sts, first.expiresAt - clock.now() - 3.75 * MIN);
        await until(() => loopback.sts.count('GetSessionToken') > sent, 'the unattended refresh at STS');
        await harness.engine.setLongLivedKey('auto', { accessKeyId: rotated.accessKeyId, secretAccessKey: rotated.secretAccessKey });
        // Seen in review: the replacement's catch-up found this refresh under way and left it; the
        // refresh then failed ("replaced while AWS was answering") and nothing tried the new key.
        advanceToMidStep(clock, loopback.sts, 30_000); // the new key's code is the next step's
        await until(() => notices.some((n) => n.kind === 'refreshed' && n.profile === 'auto' && n.unattended), 'a session of the new key');
      } finally {
        loopback.sts.setLatency(0);
      }
      assert.deepEqual(
        notices.filter((n) => n.kind === 'refresh-failed'),
        [],
      );
      assert.equal(loopback.sts.sessions.at(-1)?.user.accessKeyId, rotated.accessKeyId);
    });
  });

  it('a session forgotten elsewhere while the profile shows a failure: caught up once, and the failure shows no expiry of it', async () => {
    await withClock(async (_clock, harness, notices) => {
      const user = await harness.addUser('work');
      await loopback.sts.avoidStepEdge();
      await harness.engine.refresh('work', { code: loopback.sts.currentCode(user) });
      await harness.engine.start();
      const wrong = loopback.sts.currentCode(user) === '000000' ? '111111' : '000000';
      await rejectsWith(harness.engine.refresh('work', { code: wrong }), 'sts-invalid-code');
      assert.ok('expiresAt' in harness.engine.state('work'), 'the old session is still shown');
      const other = loopback.sts.registerUser();
      const profile = await harness.engine.profile('work');
      await harness.otherProcess().addProfile({ ...profile, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey }, { replace: true });
      // Seen in review: each later re-read took the failure's expiry for a session just forgotten,
      // and said "no session" again.
      for (let i = 0; i < 3; i += 1) {
        await harness.engine.pickUpOutsideChanges();
        await harness.engine.idle();
      }
      assert.equal(notices.filter((n) => n.kind === 'no-session' && n.profile === 'work').length, 1);
      const state = harness.engine.state('work');
      assert.equal(state.kind, 'failed');
      assert.equal('expiresAt' in state ? state.expiresAt : undefined, undefined);
    });
  });

  it('a profile removed in the window while its unattended refresh waits for AWS: no failure is announced for it', async () => {
    await withClock(async (clock, harness, notices) => {
      await harness.addUser('auto', { totp: true, durationSeconds: 900 });
      await loopback.sts.avoidStepEdge();
      const first = await harness.engine.refresh('auto', { generate: true });
      await harness.engine.start();
      loopback.sts.setLatency(1500);
      const sent = loopback.sts.count('GetSessionToken');
      try {
        advanceToMidStep(clock, loopback.sts, first.expiresAt - clock.now() - 3.75 * MIN);
        await until(() => loopback.sts.count('GetSessionToken') > sent, 'the unattended refresh at STS');
        await harness.engine.removeProfile('auto');
        await harness.engine.idle();
      } finally {
        loopback.sts.setLatency(0);
      }
      // Seen in review: "Refreshing auto failed: Profile "auto" was removed while AWS was answering…",
      // a notification about the profile the person had just removed.
      assert.deepEqual(
        notices.filter((n) => 'profile' in n && n.profile === 'auto' && n.kind !== 'refreshed').map((n) => n.kind),
        [],
      );
      assert.equal(await harness.engine.secrets.getSession('auto'), undefined);
    });
  });
});

describe('failure states', () => {
  it('keeps a failure and its reason visible across status() until a new session arrives', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user) });
    const wrong = loopback.sts.currentCode(user) === '000000' ? '111111' : '000000';
    await rejectsWith(h.engine.refresh('work', { code: wrong }), 'sts-invalid-code');
    const [status] = await h.engine.status();
    assert.equal(status?.state.kind, 'failed');
  });
});

describe('a session that could not be saved', () => {
  it('does not cost a code: a read-only credentials file is refused before STS is called', async () => {
    const user = await h.addUser('work');
    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(h.credentialsPath, '[other]\nregion = eu-west-1\n', { mode: 0o400 });
    const before = loopback.sts.count('GetSessionToken');
    await loopback.sts.avoidStepEdge();
    const error = await rejectsWith(h.engine.refresh('work', { code: loopback.sts.currentCode(user) }), 'credentials-file');
    assert.match(error.message, /read-only/);
    assert.equal(loopback.sts.count('GetSessionToken'), before);
  });

  it('does not cost a code: a target section holding a long-lived key is refused before STS is called', async () => {
    const user = await h.addUser('work');
    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(h.credentialsPath, `[work]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = ${'o'.repeat(40)}\n`);
    const before = loopback.sts.count('GetSessionToken');
    await rejectsWith(h.engine.refresh('work', { code: loopback.sts.currentCode(user) }), 'long-lived-section');
    assert.equal(loopback.sts.count('GetSessionToken'), before);
  });
});

describe('many profiles', () => {
  it('is not stopped by a damaged keychain entry of a profile that is no longer in the settings', async () => {
    await h.addUser('work');
    await h.keychain.store.set('session', 'gone', '{ not JSON');
    await h.engine.start();
    assert.deepEqual(
      (await h.engine.status()).map((s) => [s.profile.name, s.state.kind]),
      [['work', 'none']],
    );
  });

  it('start, status and recheck ask the keychain once per kind of entry, not once per profile', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    // TOTP only among the profiles with a session: one without would be refreshed at start (the keeper's catch-up).
    for (const [i, name] of names.entries()) await h.addUser(name, { totp: i % 3 === 0 && i < 6 });
    const expiresAt = Date.now() + 6 * 3600_000;
    for (const name of names.slice(0, 6)) {
      // As a refresh leaves it: in the credentials file, then the keychain.
      const session = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40), sessionToken: `token-${name}`, expiresAt };
      await h.engine.credentials.writeSession(name, session);
      await h.engine.secrets.setSession(name, session);
    }
    // The real keychain, with every call written down.
    const calls: string[] = [];
    const real = h.keychain.store;
    const counted: SecretStore = {
      get: (kind, profile) => (calls.push(`get ${kind}`), real.get(kind, profile)),
      set: (kind, profile, value) => (calls.push(`set ${kind}`), real.set(kind, profile, value)),
      delete: (kind, profile) => (calls.push(`delete ${kind}`), real.delete(kind, profile)),
      getAll: (kind) => (calls.push(`getAll ${kind}`), real.getAll(kind)),
    };
    const engine = engineBeside(h, { secretStore: counted });
    try {
      await engine.start();
      const status = await engine.status();
      await engine.recheck();
      assert.deepEqual(
        calls.filter((call) => !call.startsWith('getAll ')),
        [],
        'no per-profile keychain call',
      );
      assert.ok(calls.length <= 8, `${calls.length} keychain calls: ${calls.join(', ')}`);
      assert.deepEqual(
        status.map((s) => [s.profile.name, s.state.kind, s.hasTotpSecret]),
        names.map((name, i) => [name, i < 6 ? 'valid' : 'none', i % 3 === 0 && i < 6]),
      );
    } finally {
      engine.stop();
    }
  });

  it('status with the role profiles makes the same keychain calls for 100 profiles as for 1: one read per kind, none per profile', async () => {
    const counting = countingKeychain();
    const engine = new Engine({ env: h.env, configDir: h.env.MFA_TRAY_CONFIG_DIR, secretStore: new KeytarSecretStore(h.keychain.prefix, counting.options) });
    await mkdir(dirname(h.configPath), { recursive: true });
    await writeFile(h.configPath, '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = p0\n');
    const expiresAt = Date.now() + 6 * 3600_000;
    const callsWith = async (count: number): Promise<string[]> => {
      const names = Array.from({ length: count }, (_, i) => `p${i}`);
      await mkdir(h.env.MFA_TRAY_CONFIG_DIR, { recursive: true });
      const profiles = names.map((name, i) => ({
        name,
        mfaSerial: `arn:aws:iam::123456789012:mfa/u${i}`,
        durationSeconds: 43200,
        region: 'us-east-1',
        targetSection: name,
        autoRefresh: true,
      }));
      await writeFile(`${h.env.MFA_TRAY_CONFIG_DIR}/settings.json`, JSON.stringify({ version: 1, settings: {}, profiles }));
      // The profiles' sessions as a refresh leaves them: in the credentials file too.
      await writeFile(
        h.credentialsPath,
        names
          .map((name) => `[${name}]\naws_access_key_id = ASIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${'x'.repeat(40)}\naws_session_token = token-${name}\n`)
          .join('\n'),
      );
      for (const name of [...names, 'admin']) {
        await h.keychain.store.set(
          'session',
          name,
          JSON.stringify({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40), sessionToken: `token-${name}`, expiresAt }),
        );
      }
      await h.keychain.store.set('totp-secret', 'p0', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
      counting.calls.length = 0;
      const report = await engine.statusWithRoles();
      assert.deepEqual(
        report.profiles.map((s) => [s.profile.name, s.state.kind, s.hasTotpSecret]),
        names.map((name, i) => [name, 'valid', i === 0]),
      );
      assert.deepEqual(
        report.roles.map((r) => [r.role.name, r.state.kind]),
        [['admin', 'valid']],
      );
      return [...counting.calls].sort();
    };
    const service = (kind: string): string => `${h.keychain.prefix}: ${kind}`;
    const one = await callsWith(1);
    // No lock probe first: the listing over D-Bus refuses a locked collection by itself.
    assert.deepEqual(one, [`findCredentials ${service('session')}`, `findCredentials ${service('totp-secret')}`]);
    assert.deepEqual(await callsWith(100), one);
  });

  it('gives the roles the same states for the tray and the windows as for status: a damaged entry fails its own role only', async () => {
    await mkdir(dirname(h.configPath), { recursive: true });
    await writeFile(
      h.configPath,
      ['admin', 'audit'].map((name) => `[profile ${name}]\nrole_arn = arn:aws:iam::123456789012:role/${name}\nsource_profile = work\n`).join('\n'),
    );
    await h.addUser('work');
    const expiresAt = Date.now() + 3600_000;
    await h.keychain.store.set(
      'session',
      'admin',
      JSON.stringify({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40), sessionToken: 'token-admin', expiresAt }),
    );
    await h.keychain.store.set('session', 'audit', 'not a session');
    const states = (report: readonly { role: { name: string }; state: { kind: string; code?: string } }[]) =>
      report.map((r) => [r.role.name, r.state.kind, r.state.code]);
    const expected = [
      ['admin', 'valid', undefined],
      ['audit', 'failed', 'keychain-entry-corrupt'],
    ];
    assert.deepEqual(states((await h.engine.statusWithRoles()).roles), expected);
    assert.deepEqual(states(await h.engine.roleStatus()), expected);
  });
});
