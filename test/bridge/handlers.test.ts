/**
 * The bridge's handler table over the real engine: arguments checked, errors as data, secrets
 * write-only.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BridgeEvents, DiagnosisView, MfaDeviceView, MfaPoliciesView, ProfileView, RefreshOutcome } from '../../main/common/bridge';
import { bindBridgeEvents, createBridgeHandlers, type BridgeHandlers } from '../../main/bridge/handlers';
import { createHarness, type Harness } from '../support/engine-harness';
import { countingKeychain } from '../support/keyring';
import { useStsServer } from '../support/sts-server';

const loopback = useStsServer();
let h: Harness;
let bridge: BridgeHandlers;
let closed: Array<number | string>;
const caller = { windowId: 7 };

beforeEach(async () => {
  h = await createHarness({ sts: loopback.sts });
  closed = [];
  bridge = createBridgeHandlers(h.engine, { closeWindow: (c) => closed.push(c.windowId), locale: () => 'ja-JP' });
});
afterEach(async () => {
  await h.close();
});

describe('bridge handlers', () => {
  it('adds a profile and never returns the key or the TOTP secret', async () => {
    const user = loopback.sts.registerUser({ name: `bridge-${Date.now()}` });
    const result = await bridge.addProfile(
      [{ name: 'work', mfaSerial: user.mfaSerial }, { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }, user.totpSecret],
      caller,
    );
    assert.equal(result.ok, true, JSON.stringify(result));
    const listed = JSON.stringify(await bridge.listProfiles([], caller));
    for (const secret of [user.secretAccessKey, user.totpSecret as string]) {
      assert.ok(!JSON.stringify(result).includes(secret));
      assert.ok(!listed.includes(secret));
    }
    assert.match(listed, /"hasLongLivedKey":true/);
    assert.match(listed, /"hasTotpSecret":true/);
    assert.match(listed, /"codeSource":"totp"/);
  });

  it("tells the window each profile's code source, and refreshNow follows the engine's choice", async () => {
    await h.addUser('typed');
    await h.addUser('generated', { totp: true });
    const listed = await bridge.listProfiles([], caller);
    // Whether it is refreshed unattended is the engine's plan too (refreshPlan), not the window's guess.
    assert.deepEqual(listed.ok ? (listed.value as ProfileView[]).map((v) => [v.name, v.codeSource, v.selfRefreshing]) : listed, [
      ['typed', 'person', false],
      ['generated', 'totp', true],
    ]);
    await loopback.sts.avoidStepEdge();
    assert.equal((await bridge.refreshNow(['generated'], caller)).ok, true);
    // Nobody to ask in the main process: the window shows its code field for such a profile instead.
    const typed = await bridge.refreshNow(['typed'], caller);
    assert.equal(typed.ok ? 'ok' : typed.error.code, 'code-required');
  });

  it('a config file that cannot be read: the code source is unknown, and the window is told why', async () => {
    await h.addUser('typed');
    await h.addUser('generated', { totp: true });
    // A folder where the file should be: unreadable even as root.
    await mkdir(h.configPath, { recursive: true });
    const listed = await bridge.listProfiles([], caller);
    assert.deepEqual(listed.ok ? (listed.value as ProfileView[]).map((v) => [v.name, v.codeSource, v.selfRefreshing, v.codeSourceUnreadable]) : listed, [
      ['typed', 'unknown', false, 'config-file'],
      ['generated', 'totp', true, undefined],
    ]);
  });

  it('refreshes with a typed code and reports only the expiry', async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    const result = await bridge.submitCode(['work', loopback.sts.currentCode(user)], caller);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(Object.keys(result.ok ? (result.value as object) : {}).sort(), ['expiresAt', 'profile', 'targetSection']);
    const session = loopback.sts.sessions.at(-1);
    assert.ok(session && !JSON.stringify(result).includes(session.sessionToken));
    assert.match(await readFile(h.credentialsPath, 'utf8'), /aws_session_token/);
  });

  it("replacing the key with another user's forgets the old key's session; the same key keeps it", async () => {
    const user = await h.addUser('work');
    await loopback.sts.avoidStepEdge();
    assert.equal((await bridge.submitCode(['work', loopback.sts.currentCode(user)], caller)).ok, true);
    const session = await h.engine.secrets.getSession('work');
    assert.ok(session);
    assert.deepEqual(await bridge.replaceLongLivedKey(['work', { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }], caller), {
      ok: true,
      value: { forgotSession: false },
    });
    assert.deepEqual(await h.engine.secrets.getSession('work'), session, 'the same key: its session stays');
    // Seen in review: the window's "replace key" stored another user's key and kept the old session.
    const other = loopback.sts.registerUser();
    const replaced = await bridge.replaceLongLivedKey(['work', { accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey }], caller);
    assert.deepEqual(replaced, { ok: true, value: { forgotSession: true } }, 'the window says so');
    assert.equal(await h.engine.secrets.getSession('work'), undefined);
    assert.doesNotMatch(await readFile(h.credentialsPath, 'utf8'), /aws_session_token/);
    assert.equal(h.engine.state('work').kind, 'none');
  });

  it("returns the engine's error as data, with the field", async () => {
    await h.addUser('work');
    const result = await bridge.submitCode(['work', '12ab56'], caller);
    assert.deepEqual(result.ok ? undefined : { code: result.error.code, field: result.error.field }, { code: 'invalid-input', field: 'code' });
  });

  it('refuses arguments of the wrong shape without echoing them', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1';
    const result = await bridge.replaceLongLivedKey(['work', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: secret, extra: secret }], caller);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'bad-request');
    assert.ok(!JSON.stringify(result).includes(secret));
  });

  it('refuses a wrong number of arguments', async () => {
    const result = await bridge.refreshNow([], caller);
    assert.equal(!result.ok && result.error.code, 'bad-request');
  });

  it('closes the calling window through the host', async () => {
    await bridge.closeWindow([], caller);
    assert.deepEqual(closed, [7]);
  });

  it('pushes profile views when a state changes', async () => {
    const user = await h.addUser('work');
    const pushed: Array<BridgeEvents['profiles']> = [];
    const unbind = bindBridgeEvents(h.engine, (event, payload) => {
      if (event === 'profiles') pushed.push(payload as BridgeEvents['profiles']);
    });
    await loopback.sts.avoidStepEdge();
    await bridge.submitCode(['work', loopback.sts.currentCode(user)], caller);
    for (let i = 0; i < 100 && pushed.at(-1)?.[0]?.state.kind !== 'valid'; i += 1) await new Promise((r) => setTimeout(r, 20));
    unbind();
    assert.equal(pushed.at(-1)?.[0]?.state.kind, 'valid');
  });

  it('builds one list at a time: changes made while one is built give one more list, the latest', async () => {
    // The engine's status (with the roles, as the list reads it) held at a gate: the list being built waits while three profiles are added.
    let building = 0;
    let mostAtOnce = 0;
    let builds = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const status = h.engine.statusWithRoles.bind(h.engine);
    h.engine.statusWithRoles = async () => {
      builds += 1;
      building += 1;
      mostAtOnce = Math.max(mostAtOnce, building);
      try {
        if (builds === 1) await gate;
        return await status();
      } finally {
        building -= 1;
      }
    };
    const pushed: Array<BridgeEvents['profiles']> = [];
    const unbind = bindBridgeEvents(h.engine, (event, payload) => {
      if (event === 'profiles') pushed.push(payload as BridgeEvents['profiles']);
    });
    for (const name of ['one', 'two', 'three']) {
      await h.addUser(name);
      await new Promise((r) => setTimeout(r, 10));
    }
    open();
    for (let i = 0; i < 150 && pushed.at(-1)?.length !== 3; i += 1) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    unbind();
    assert.equal(mostAtOnce, 1, 'two lists were built at once');
    assert.equal(builds, 2, 'the changes made meanwhile are one more list');
    assert.deepEqual(
      pushed
        .at(-1)
        ?.map((p) => p.name)
        .sort(),
      ['one', 'three', 'two'],
      'the last list is the latest',
    );
  });
});

describe('bridge handlers: MFA devices and roles', () => {
  it('lists the devices of a typed key and of a section being imported; the key never comes back', async () => {
    const user = loopback.sts.registerUser({ name: `devices-${Date.now()}` });
    const key = loopback.sts.addDevice(user, { kind: 'security-key', name: 'passkey' });
    const typed = await bridge.listMfaDevices([{ key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } }, null], caller);
    assert.deepEqual(typed.ok ? (typed.value as MfaDeviceView[]).map((d) => [d.serialNumber, d.kind, d.usable]) : typed, [
      [user.mfaSerial, 'virtual', true],
      [key.serialNumber, 'security-key', false],
    ]);
    assert.ok(!JSON.stringify(typed).includes(user.secretAccessKey));
    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(h.credentialsPath, `[legacy]\naws_access_key_id = ${user.accessKeyId}\naws_secret_access_key = ${user.secretAccessKey}\n`);
    const fromSection = await bridge.listMfaDevices([{ fromSection: 'legacy' }, 'eu-west-1'], caller);
    assert.equal(fromSection.ok && (fromSection.value as MfaDeviceView[]).length, 2);
    const both = await bridge.listMfaDevices(
      [{ fromSection: 'legacy', key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey } }, null],
      caller,
    );
    assert.equal(!both.ok && both.error.code, 'bad-request');
    const denied = await bridge.listMfaDevices(
      [{ key: { accessKeyId: loopback.sts.registerUser({ iamPolicy: 'mfa-required' }).accessKeyId, secretAccessKey: user.secretAccessKey } }, null],
      caller,
    );
    assert.equal(denied.ok, false);
  });

  it('shows role profiles under their source, and refreshRole assumes one with the source session (a code only when that is missing)', async () => {
    const user = await h.addUser('work');
    const role = loopback.sts.registerRole({ name: `admin-${Date.now()}`, trusts: [user], requireMfa: true });
    await mkdir(dirname(h.configPath), { recursive: true });
    await writeFile(h.configPath, `[profile admin]\nrole_arn = ${role.arn}\nsource_profile = work\nduration_seconds = 7200\n`);
    const listed = await bridge.listProfiles([], caller);
    assert.deepEqual(listed.ok ? (listed.value as ProfileView[])[0]?.roles.map((r) => [r.name, r.roleArn, r.state.kind, r.askedDurationSeconds]) : listed, [
      ['admin', role.arn, 'none', 7200],
    ]);
    // No source session, and a person types this profile's codes: nobody to ask in the main process.
    const needsCode = await bridge.refreshRole(['admin', null], caller);
    assert.equal(needsCode.ok ? 'ok' : needsCode.error.code, 'code-required');
    await loopback.sts.avoidStepEdge();
    const result = await bridge.refreshRole(['admin', loopback.sts.currentCode(user)], caller);
    assert.equal(result.ok, true, JSON.stringify(result));
    const outcome = result.ok ? (result.value as RefreshOutcome) : undefined;
    assert.deepEqual(outcome && { ...outcome, expiresAt: typeof outcome.expiresAt }, {
      profile: 'admin',
      targetSection: 'admin',
      expiresAt: 'number',
      shortenedFrom: 7200,
    });
    // A second time, the source session is used: no code.
    const again = await bridge.refreshRole(['admin', null], caller);
    assert.equal(again.ok, true, JSON.stringify(again));
    const after = await bridge.listProfiles([], caller);
    assert.equal(after.ok && (after.value as ProfileView[])[0]?.roles[0]?.state.kind, 'valid');
    assert.ok(!JSON.stringify(after).includes(loopback.sts.sessions.at(-1)?.sessionToken ?? '(none)'));
  });
});

describe('bridge handlers: the profile list', () => {
  it('reads the sessions of profiles and roles in one keychain listing; a config file that cannot be read hides the roles, not the profiles', async () => {
    const counting = countingKeychain();
    const own = await createHarness({ sts: loopback.sts, keychain: counting.options });
    try {
      const ownBridge = createBridgeHandlers(own.engine, { closeWindow: () => undefined, locale: () => 'en-US' });
      const user = await own.addUser('work');
      const role = loopback.sts.registerRole({ name: `ops-${Date.now()}`, trusts: [user], requireMfa: true });
      await mkdir(dirname(own.configPath), { recursive: true });
      await writeFile(own.configPath, `[profile ops]\nrole_arn = ${role.arn}\nsource_profile = work\n`);
      counting.calls.length = 0;
      const listed = await ownBridge.listProfiles([], caller);
      assert.deepEqual(listed.ok ? (listed.value as ProfileView[]).map((v) => [v.name, v.roles.map((r) => r.name)]) : listed, [['work', ['ops']]]);
      const sessionListings = counting.calls.filter((call) => call === `findCredentials ${own.keychain.prefix}: session`);
      assert.equal(sessionListings.length, 1, counting.calls.join(', '));
      // A folder where the config file should be: it cannot be read.
      await rm(own.configPath);
      await mkdir(own.configPath);
      const without = await ownBridge.listProfiles([], caller);
      assert.deepEqual(without.ok ? (without.value as ProfileView[]).map((v) => [v.name, v.roles.length]) : without, [['work', 0]]);
    } finally {
      await own.close();
    }
  });
  it('while a window is open, a change lists no keychain entries again: the record of keychain changes tells which to read', async () => {
    // Each listing keeps ~5 KB of native memory per entry for good (keytar), and every change of
    // state pushed the list again: three listings per change while the profiles window was open.
    const counting = countingKeychain();
    const own = await createHarness({ sts: loopback.sts, keychain: counting.options });
    const pushed: Array<BridgeEvents['profiles']> = [];
    const unbind = bindBridgeEvents(own.engine, (event, payload) => {
      if (event === 'profiles') pushed.push(payload as BridgeEvents['profiles']);
    });
    try {
      const ownBridge = createBridgeHandlers(own.engine, { closeWindow: () => undefined, locale: () => 'en-US' });
      const users = { one: await own.addUser('one'), two: await own.addUser('two'), three: await own.addUser('three') };
      const rows = (views: readonly ProfileView[] | undefined) =>
        (views ?? []).map((v) => [v.name, v.state.kind, v.hasLongLivedKey, v.hasTotpSecret, v.state.kind === 'failed' ? v.state.code : undefined]);
      const pushedAfter = async (count: number, test: (views: readonly ProfileView[]) => boolean) => {
        for (let i = 0; i < 200 && !(pushed.length > count && test(pushed.at(-1) ?? [])); i += 1) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 100)); // a list built for a change made meanwhile
        return pushed.at(-1);
      };
      const listings = () => counting.calls.filter((call) => call.startsWith('findCredentials'));
      // The window opens: its list is read afresh.
      const opened = await ownBridge.listProfiles([], caller);
      assert.deepEqual(rows(opened.ok ? (opened.value as ProfileView[]) : undefined), [
        ['one', 'none', true, false, undefined],
        ['two', 'none', true, false, undefined],
        ['three', 'none', true, false, undefined],
      ]);

      // A refresh here: nothing is listed (its own write is known to the listing kept).
      counting.calls.length = 0;
      let count = pushed.length;
      await loopback.sts.avoidStepEdge();
      const refreshed = await ownBridge.submitCode(['two', loopback.sts.currentCode(users.two)], caller);
      assert.equal(refreshed.ok, true, JSON.stringify(refreshed));
      const afterRefresh = await pushedAfter(count, (views) => views.find((v) => v.name === 'two')?.state.kind === 'valid');
      assert.deepEqual(rows(afterRefresh), [
        ['one', 'none', true, false, undefined],
        ['two', 'valid', true, false, undefined],
        ['three', 'none', true, false, undefined],
      ]);
      assert.deepEqual(listings(), [], counting.calls.join(', '));

      // Another process gives "three" a TOTP secret and refreshes "one"; a change here (an edit of
      // "one") pushes the list, which learns both from the record, reading "one"'s session alone.
      const other = own.otherProcess();
      await other.setTotpSecret('three', users.three.totpSecret as string);
      await other.refresh('one', { code: loopback.sts.currentCode(users.one) });
      counting.calls.length = 0;
      count = pushed.length;
      await own.engine.updateProfile('one', { durationSeconds: 7200 });
      const afterOther = await pushedAfter(count, (views) => views.find((v) => v.name === 'three')?.hasTotpSecret === true);
      assert.ok(counting.calls.includes(`getPassword ${own.keychain.prefix}: session`), counting.calls.join(', '));
      assert.deepEqual(rows(afterOther), [
        ['one', 'valid', true, false, undefined],
        ['two', 'valid', true, false, undefined],
        ['three', 'none', true, true, undefined],
      ]);
      assert.deepEqual(listings(), [], counting.calls.join(', '));

      // A record that cannot tell what changed (gone): everything is listed again.
      await rm(join(own.env.MFA_TRAY_CONFIG_DIR, 'keychain-changes.log'));
      counting.calls.length = 0;
      count = pushed.length;
      await own.engine.updateProfile('one', { durationSeconds: 3600 });
      await pushedAfter(count, () => true);
      assert.ok(listings().length > 0, counting.calls.join(', '));

      // A change the record cannot hold (made outside MFA Tray, as in Seahorse) is seen when the
      // window asks for its list, as it does when it opens.
      await own.keychain.store.set('session', 'three', 'not a session');
      const reopened = await ownBridge.listProfiles([], caller);
      assert.deepEqual(rows(reopened.ok ? (reopened.value as ProfileView[]) : undefined).at(-1), ['three', 'failed', true, true, 'keychain-entry-corrupt']);
    } finally {
      unbind();
      await own.close();
    }
  });
});

describe('bridge handlers: doctor, the MFA policies, enrolment', () => {
  it("diagnose answers doctor's checks as data; getMfaPolicies the two policies in the language asked, filled in", async () => {
    await h.addUser('work');
    const checks = await bridge.diagnose([null], caller);
    assert.ok(checks.ok, JSON.stringify(checks));
    const views = checks.value as DiagnosisView[];
    assert.ok(views.some((c) => c.check === 'key' && c.profile === 'work' && c.verdict === 'pass'));
    // And what each found, as data a Japanese window words (seen on landed main: only the English message).
    const key = views.find((c) => c.check === 'key');
    assert.deepEqual(key?.words, { id: 'key-ok', key: key?.message.split(' ')[0], arn: key?.message.match(/arn:\S+(?=\.$)/)?.[0] });
    assert.match(JSON.stringify(key?.words), /"arn":"arn:aws:iam::123456789012:user\/work-/);
    const policies = await bridge.getMfaPolicies([null, 'ja'], caller);
    assert.ok(policies.ok, JSON.stringify(policies));
    const view = policies.value as MfaPoliciesView;
    assert.equal(view.account, '123456789012');
    assert.deepEqual(
      view.policies.map((p) => p.id),
      ['minimal', 'self-service'],
    );
    assert.match(view.policies[0]?.title ?? '', /最小限のポリシー/);
    // Seen in review: "the article's policy", of an article the window never names.
    assert.doesNotMatch(JSON.stringify(view), /記事/);
    const english = await bridge.getMfaPolicies([null, 'en'], caller);
    assert.ok(english.ok, JSON.stringify(english));
    assert.doesNotMatch(JSON.stringify(english.value), /article/i);
    assert.ok(JSON.parse(view.policies[1]?.json ?? '').Statement.length > 1);
    assert.equal((await bridge.getMfaPolicies([null, 'fr'], caller)).ok, false);
  });

  it('enrolDevice makes a new device for a passkey-only user, keeps the secret in the keychain, and never returns it', async () => {
    const user = loopback.sts.registerUser({ account: '345678901234', mfaSerial: null, name: `pk-${Date.now()}` });
    loopback.sts.addDevice(user, { kind: 'security-key' });
    const result = await bridge.enrolDevice(
      [
        'work',
        'laptop',
        {
          key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
          region: null,
          durationSeconds: 3600,
          targetSection: 'work-mfa',
          autoRefresh: false,
        },
      ],
      caller,
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value, { serialNumber: 'arn:aws:iam::345678901234:mfa/laptop', userName: user.name });
    // The add dialog's other settings are the new profile's.
    const profile = await h.engine.settings.getProfile('work');
    assert.deepEqual([profile.durationSeconds, profile.targetSection, profile.autoRefresh], [3600, 'work-mfa', false]);
    const device = loopback.sts.devicesOf(user).find((d) => d.serialNumber.endsWith(':mfa/laptop'));
    assert.ok(device?.totpSecret && !JSON.stringify(result).includes(device.totpSecret));
    const listed = await bridge.listProfiles([], caller);
    assert.ok(listed.ok && !JSON.stringify(listed).includes(device.totpSecret));
    assert.equal(listed.ok && (listed.value as ProfileView[])[0]?.codeSource, 'totp');
  });

  it('enrolDevice refuses a new profile whose settings are refused, before any device is made', async () => {
    const user = loopback.sts.registerUser({ account: '345678901234', mfaSerial: null, name: `pk-${Date.now()}` });
    loopback.sts.addDevice(user, { kind: 'security-key' });
    const devicesBefore = loopback.sts.devicesOf(user).length;

    const result = await bridge.enrolDevice(
      [
        'work',
        null,
        {
          key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
          region: null,
          durationSeconds: 60,
          targetSection: null,
          autoRefresh: null,
        },
      ],
      caller,
    );

    assert.ok(!result.ok && result.error.code === 'invalid-input' && result.error.field === 'durationSeconds', JSON.stringify(result));
    assert.equal(loopback.sts.devicesOf(user).length, devicesBefore, 'a device was made');
    assert.deepEqual(await h.engine.settings.listProfiles(), []);
  });

  it('enrolDevice refuses a new profile whose section or name another profile has, before any device is made', async () => {
    const other = loopback.sts.registerUser({ name: `other-${Date.now()}` });
    await h.engine.addProfile({ name: 'work', mfaSerial: other.mfaSerial, accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    const user = loopback.sts.registerUser({ account: '345678901234', mfaSerial: null, name: `pk-${Date.now()}` });
    loopback.sts.addDevice(user, { kind: 'security-key' });
    const devicesBefore = loopback.sts.devicesOf(user).length;
    const form = (targetSection: string | null) => ({
      key: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      region: null,
      durationSeconds: null,
      targetSection,
      autoRefresh: null,
    });

    const taken = await bridge.enrolDevice(['laptop', null, form('work')], caller);
    const twin = await bridge.enrolDevice(['Work', null, form(null)], caller);

    assert.ok(!taken.ok && taken.error.field === 'targetSection', JSON.stringify(taken));
    assert.ok(!twin.ok && twin.error.code === 'already-exists' && twin.error.field === 'name', JSON.stringify(twin));
    assert.equal(loopback.sts.devicesOf(user).length, devicesBefore, 'a device was made');
    assert.deepEqual(
      (await h.engine.settings.listProfiles()).map((p) => p.name),
      ['work'],
    );
  });
});
