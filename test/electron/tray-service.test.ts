/**
 * The tray over the real engine (real keychain, files, loopback STS; a fake clock): rebuilt on
 * every state change and once a minute, and showing a failed refresh until the next good one.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EngineTraySource } from '../../main/electron/engine-tray-source';
import { TrayService } from '../../main/electron/tray-service';
import { createHarness, type Harness } from '../support/engine-harness';
import { countingKeychain } from '../support/keyring';
import type { FakeClock } from '../support/fake-clock';
import { useStsServer } from '../support/sts-server';
import { until } from '../support/until';
import { midStepClock } from '../support/step-clock';
import { FakeTray, noopHandlers } from './fakes';

const MIN = 60_000;
const handlers = noopHandlers;

const loopback = useStsServer();
let h: Harness;
let clock: FakeClock;
let tray: FakeTray;
let service: TrayService;
let source: EngineTraySource;

beforeEach(async () => {
  clock = midStepClock(loopback.sts);
  h = await createHarness({ sts: loopback.sts, clock });
  tray = new FakeTray();
  source = new EngineTraySource(h.engine);
  service = new TrayService({ tray, source, handlers, clock, menuOptions: () => ({ timeZone: 'UTC', locale: 'en-US', offerCommandLineTool: false }) });
});
afterEach(async () => {
  h.engine.stop();
  service.stop();
  source.dispose();
  await h.close();
});

async function refreshWithCode(name: string, user: Awaited<ReturnType<Harness['addUser']>>) {
  await loopback.sts.avoidStepEdge();
  return h.engine.refresh(name, { code: loopback.sts.currentCode(user) });
}

describe('tray service', () => {
  it('shows every profile as the engine knows it when it starts', async () => {
    const user = await h.addUser('work');
    await h.addUser('personal');
    await refreshWithCode('work', user);
    await service.start();
    assert.match(tray.item('profile:work').label ?? '', /^work — 1[12]h \d\dm left, until \d\d:\d\d$/);
    assert.equal(tray.item('profile:personal').label, 'personal — no session');
    assert.equal(tray.look, 'ok');
    assert.match(tray.tooltip ?? '', /^work: 1[12]h \d\dm left · personal: no session$/);
  });

  it('rebuilds when a state changes', async () => {
    const user = await h.addUser('work');
    await service.start();
    assert.equal(tray.item('profile:work').label, 'work — no session');
    await refreshWithCode('work', user);
    await service.whenIdle();
    assert.match(tray.item('profile:work').label ?? '', /left, until/);
    assert.equal(tray.item('profile:work:copy').enabled, true);
  });

  it('counts down once a minute, and turns expiring, then expired, with the clock', async () => {
    const user = await h.addUser('work', { durationSeconds: 3600 });
    const session = await refreshWithCode('work', user);
    await service.start();
    const first = tray.item('profile:work').label;
    const builds = tray.menuBuilds;
    clock.advance(MIN);
    await service.whenIdle();
    assert.equal(tray.menuBuilds, builds + 1);
    assert.notEqual(tray.item('profile:work').label, first);

    clock.advance(session.expiresAt - clock.now() - 10 * MIN);
    await service.whenIdle();
    assert.equal(tray.look, 'expiring');
    clock.advance(10 * MIN + MIN);
    await service.whenIdle();
    assert.equal(tray.look, 'problem');
    assert.match(tray.item('profile:work').label ?? '', /^work — expired at \d\d:\d\d$/);
    assert.equal(tray.tooltip, 'work: expired');
  });

  it('macOS: the state stays in view as the title beside the icon (notifications may not be allowed), in the language asked', async () => {
    service.stop();
    service = new TrayService({
      tray,
      source,
      handlers,
      clock,
      menuOptions: () => ({ timeZone: 'UTC', locale: 'ja-JP', language: 'ja', offerCommandLineTool: false }),
      showTitle: true,
    });
    await service.start();
    assert.equal(tray.title, '', 'no session: no title');
    const user = await h.addUser('work', { durationSeconds: 3600 });
    const session = await refreshWithCode('work', user);
    await service.update();
    assert.match(tray.title ?? '', /^(59 分|1 時間 00 分)$/);
    clock.advance(session.expiresAt - clock.now() + MIN);
    await service.whenIdle();
    assert.equal(tray.title, '期限切れ');
  });

  it('elsewhere no title is set', async () => {
    await service.start();
    assert.equal(tray.title, undefined);
  });

  it('keeps showing a failed refresh, with its reason, after the engine re-reads the old session', async () => {
    const user = await h.addUser('work');
    await refreshWithCode('work', user);
    await service.start();
    await assert.rejects(h.engine.refresh('work', { code: loopback.sts.currentCode(user, 10) }));
    await service.whenIdle();
    assert.match(tray.item('profile:work').label ?? '', /^work — refresh failed; 1[12]h \d\dm left/);
    assert.match(tray.item('profile:work:reason').label ?? '', /code/i);
    assert.equal(tray.look, 'problem');

    await h.engine.status(); // load() re-reads the old session; the failure stays
    assert.equal(h.engine.sessions.state('work').kind, 'failed');
    await service.update();
    assert.match(tray.item('profile:work').label ?? '', /refresh failed/);
    assert.equal(tray.look, 'problem');

    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) });
    await service.whenIdle();
    assert.doesNotMatch(tray.item('profile:work').label ?? '', /failed/);
    assert.equal(tray.look, 'ok');
  });

  it('says a session the credentials file no longer holds is not in it, soon after another tool rewrote the file', async (t) => {
    const user = await h.addUser('work');
    await refreshWithCode('work', user);
    await h.engine.start();
    await h.engine.idle();
    // As the tray app wires them (tray-app.ts): a change of the profiles rebuilds the menu.
    const unsubscribe = h.engine.onChange((what) => what === 'profiles' && source.changed());
    t.after(unsubscribe);
    await service.start();
    assert.match(tray.item('profile:work').label ?? '', /^work — 1[12]h \d\dm left, until \d\d:\d\d$/);
    const builds = tray.menuBuilds;
    // Another tool (aws-mfa, say) wrote a session of its own into [work].
    const text = readFileSync(h.credentialsPath, 'utf8');
    writeFileSync(h.credentialsPath, text.replace(/(\[work\]\naws_access_key_id = )ASIA\w+/, '$1ASIAOTHERTOOLXXXQ7RZ'));

    // Seen on landed main: the menu kept "work — 11h 59m left" while status and the windows said "not in file".
    // No minute passes on the fake clock: the rebuild comes from the keeper's watch of the file.
    await until(
      () => tray.menuBuilds > builds && /not in the credentials file/.test(tray.item('profile:work').label ?? ''),
      'a rebuild after the file changed',
    );
    assert.match(tray.item('profile:work').label ?? '', /^work — not in the credentials file; 1[12]h \d\dm left, until \d\d:\d\d$/);
    assert.equal(tray.item('profile:work:reason').label, 'AWS tools that read the credentials file do not get this session.');
    assert.equal(tray.item('profile:work:refresh').enabled, true);
    assert.equal(tray.look, 'problem');
    assert.equal(tray.tooltip, 'work: not in the credentials file');

    // A refresh writes it again: valid once more.
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) });
    await service.update();
    assert.match(tray.item('profile:work').label ?? '', /^work — 1[12]h \d\dm left, until \d\d:\d\d$/);
    assert.equal(tray.look, 'ok');
  });

  it('names an unusable settings file instead of crashing', async () => {
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(h.engine.configDir, { recursive: true });
    await writeFile(h.engine.settings.file, '{ not json');
    await service.start();
    assert.equal(tray.look, 'problem');
    assert.match(tray.item('problem').label ?? '', /settings/i);
  });

  it('stops its minute tick when stopped', async () => {
    await service.start();
    assert.equal(clock.pending, 1);
    service.stop();
    assert.equal(clock.pending, 0);
  });
});

describe('the tray, rebuilt every minute, with role profiles', () => {
  // keytar's findCredentials keeps ~5 KB of native memory per entry it lists, on every call
  // (keychain/keychain-changes.ts): a listing every minute grew the tray app for good.
  it('reads the keychain for none of its states: the roles as the keeper knows them', async () => {
    const counting = countingKeychain();
    const own = await createHarness({ sts: loopback.sts, clock, keychain: counting.options });
    const ownTray = new FakeTray();
    const ownSource = new EngineTraySource(own.engine);
    const ownService = new TrayService({
      tray: ownTray,
      source: ownSource,
      handlers,
      clock,
      menuOptions: () => ({ timeZone: 'UTC', locale: 'en-US', offerCommandLineTool: false }),
    });
    try {
      const user = await own.addUser('work');
      const admin = loopback.sts.registerRole({ name: `tray-admin-${Date.now()}`, trusts: [user] });
      const unused = loopback.sts.registerRole({ name: `tray-unused-${Date.now()}`, trusts: [user] });
      await mkdir(dirname(own.env.AWS_CONFIG_FILE), { recursive: true });
      await writeFile(
        own.env.AWS_CONFIG_FILE,
        `[profile admin]\nrole_arn = ${admin.arn}\nsource_profile = work\n\n[profile unused]\nrole_arn = ${unused.arn}\nsource_profile = work\n`,
      );
      await loopback.sts.avoidStepEdge();
      await own.engine.refresh('work', { code: loopback.sts.currentCode(user) });
      const role = (await own.engine.refreshRole('admin', {})).session;
      await own.engine.start();
      await own.engine.idle();
      await ownService.start();
      const adminLabel = /^admin \(role, from work\) — (\d+m|1h 00m) left, until \d\d:\d\d$/;
      assert.match(ownTray.item('profile:admin').label ?? '', adminLabel);
      assert.equal(ownTray.item('profile:unused').label, 'unused (role, from work) — no session');

      counting.calls.length = 0;
      for (let minute = 0; minute < 3; minute += 1) {
        const builds = ownTray.menuBuilds;
        clock.advance(MIN);
        await ownService.whenIdle();
        assert.equal(ownTray.menuBuilds, builds + 1);
      }
      assert.deepEqual(counting.calls, [], 'keychain calls in three minutes of the tray');
      assert.match(ownTray.item('profile:admin').label ?? '', adminLabel);
      assert.equal(ownTray.item('profile:unused').label, 'unused (role, from work) — no session');

      // A role assumed in this process (from the profiles window) is shown at once, not read back.
      const assumed = (await own.engine.refreshRole('unused', {})).session;
      counting.calls.length = 0;
      clock.advance(MIN);
      await ownService.whenIdle();
      assert.match(ownTray.item('profile:unused').label ?? '', /^unused \(role, from work\) — .* left, until \d\d:\d\d$/);
      assert.deepEqual(counting.calls, []);
      const known = async (name: string) => {
        const state = (await own.engine.roleStatus()).find((r) => r.role.name === name)?.state;
        return state && 'expiresAt' in state ? state : undefined;
      };
      assert.equal((await known('unused'))?.expiresAt, assumed.expiresAt);

      // One another process assumed: known after the keeper's next re-read, which the record of
      // keychain changes calls for.
      await new Promise((resolve) => setTimeout(resolve, 1100)); // STS's expiries are whole seconds
      const theirs = (await own.otherProcess().refreshRole('admin', {})).session;
      assert.ok(theirs.expiresAt > role.expiresAt);
      await own.engine.recheck();
      assert.equal((await known('admin'))?.expiresAt, theirs.expiresAt);
    } finally {
      ownService.stop();
      ownSource.dispose();
      own.engine.stop();
      await own.close();
    }
  });
});
