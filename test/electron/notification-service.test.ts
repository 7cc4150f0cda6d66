/**
 * Notifications at the right moments, driven by the real engine's scheduler on a fake clock:
 * before expiry, at expiry (replacing the first), on failure; one per profile; silence for
 * profiles that refresh themselves; the right thing after a wake-up.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NotificationService } from '../../main/electron/notification-service';
import { createHarness, type Harness } from '../support/engine-harness';
import type { FakeClock } from '../support/fake-clock';
import { useStsServer } from '../support/sts-server';
import { advanceToMidStep, midStepClock } from '../support/step-clock';
import { FakeNotifications } from './fakes';
import { until } from '../support/until';

const MIN = 60_000;

const loopback = useStsServer();
let h: Harness;
let clock: FakeClock;
let factory: FakeNotifications;
let service: NotificationService;
let activated: string[];
/** The keeper's plans: a profile whose codes a person types; one that refreshes itself. */
const PERSON = { source: 'person', selfRefreshing: false } as const;
const SELF = { source: 'totp', selfRefreshing: true } as const;

beforeEach(async () => {
  clock = midStepClock(loopback.sts);
  h = await createHarness({ sts: loopback.sts, clock });
  factory = new FakeNotifications();
  activated = [];
  service = new NotificationService({
    factory,
    clock,
    timeFormat: () => ({ timeZone: 'UTC', locale: 'en-US' }),
    activate: (profile) => activated.push(profile),
  });
  h.engine.onNotice((notice) => void service.handle(notice));
});
afterEach(async () => {
  await h.close();
});

async function sessionFor(name: string, options: { totp?: boolean; durationSeconds?: number } = {}) {
  const user = await h.addUser(name, { durationSeconds: options.durationSeconds ?? 3600, ...(options.totp ? { totp: true } : {}) });
  await loopback.sts.avoidStepEdge();
  const session = options.totp ? await h.engine.refresh(name, { generate: true }) : await h.engine.refresh(name, { code: loopback.sts.currentCode(user) });
  return { user, session };
}

describe('notifications', () => {
  it('warns the lead time before expiry, then replaces the warning at expiry', async () => {
    const { session } = await sessionFor('work');
    await h.engine.start();
    clock.advance(session.expiresAt - clock.now() - 15 * MIN - 1);
    await h.engine.idle();
    await service.whenIdle();
    assert.equal(factory.created.length, 0, 'nothing before the lead time');

    clock.advance(1);
    await h.engine.idle();
    await service.whenIdle();
    assert.deepEqual(
      factory.live.map((n) => n.content.title),
      ['work: session expires in 15m'],
    );
    assert.match(factory.live[0]?.content.body ?? '', /run out at \d\d:\d\d\. Click to refresh\./);

    clock.advance(15 * MIN);
    await h.engine.idle();
    await service.whenIdle();
    assert.deepEqual(factory.titles, ['work: session expires in 15m', 'work: session expired']);
    assert.deepEqual(
      factory.live.map((n) => n.content.title),
      ['work: session expired'],
      'the warning was closed',
    );
  });

  it('after a sleep past expiry, says only that it expired', async () => {
    const { session } = await sessionFor('work');
    await h.engine.start();
    clock.jump(session.expiresAt - clock.now() + 2 * 60 * MIN); // the lid was closed; no timer ran
    assert.equal(factory.created.length, 0);
    await h.engine.recheck(); // powerMonitor 'resume'
    await h.engine.idle();
    await service.whenIdle();
    assert.deepEqual(factory.titles, ['work: session expired']);
  });

  it('keeps at most one notification per profile', async () => {
    await h.addUser('work');
    for (let i = 0; i < 3; i++)
      await service.handle({ kind: 'refresh-failed', profile: 'work', code: 'sts-unavailable', reason: `attempt ${i}`, unattended: true, willRetry: true });
    await service.handle({ kind: 'expiring', profile: 'work', expiresAt: clock.now() + 15 * MIN, ...PERSON });
    assert.equal(factory.created.length, 4);
    assert.equal(factory.live.length, 1);
    assert.deepEqual(service.liveProfiles, ['work']);
  });

  it('gives each profile its own', async () => {
    await h.addUser('work');
    await h.addUser('personal');
    await service.handle({ kind: 'expired', profile: 'work', expiresAt: clock.now(), ...PERSON });
    await service.handle({ kind: 'expired', profile: 'personal', expiresAt: clock.now(), ...PERSON });
    assert.equal(factory.live.length, 2);
  });

  it('refreshes (or opens the prompt) when clicked, and goes away', async () => {
    await h.addUser('work');
    await service.handle({ kind: 'expired', profile: 'work', expiresAt: clock.now(), ...PERSON });
    factory.live[0]?.click();
    assert.deepEqual(activated, ['work']);
    assert.equal(factory.live.length, 0);
  });

  it('closes a warning once the profile is refreshed', async () => {
    const { user } = await sessionFor('work');
    await service.handle({ kind: 'expiring', profile: 'work', expiresAt: clock.now() + 10 * MIN, ...PERSON });
    assert.equal(factory.live.length, 1);
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(user, 1) });
    await h.engine.idle();
    await service.whenIdle();
    assert.equal(factory.live.length, 0);
  });

  it('keeps quiet about a profile that refreshes itself, until a refresh fails', async () => {
    const { session } = await sessionFor('auto', { totp: true, durationSeconds: 900 });
    await service.handle({ kind: 'expiring', profile: 'auto', expiresAt: session.expiresAt, ...SELF });
    await service.handle({ kind: 'expired', profile: 'auto', expiresAt: session.expiresAt, ...SELF });
    assert.equal(factory.created.length, 0);

    // The unattended refresh, due a quarter of a lifetime early at most (3.75 min), is throttled by STS.
    await h.engine.start();
    loopback.sts.throttleNext(5);
    advanceToMidStep(clock, loopback.sts, session.expiresAt - clock.now() - 3.75 * MIN);
    await until(() => factory.live.length === 1, 'the failure notification');
    assert.equal(factory.live[0]?.content.title, 'auto: refresh failed');
    assert.match(factory.live[0]?.content.body ?? '', /Click to try again\.$/);
  });

  it('shows a profile without a TOTP secret its warnings even with auto-refresh on', async () => {
    await h.addUser('typed');
    assert.equal((await h.engine.plan('typed')).selfRefreshing, false);
    await service.handle({ kind: 'expiring', profile: 'typed', expiresAt: clock.now() + 15 * MIN, ...PERSON });
    assert.equal(factory.live.length, 1);
  });

  it('shows nothing where the OS has no notifications', async () => {
    factory.supported = false;
    await h.addUser('work');
    await service.handle({ kind: 'expired', profile: 'work', expiresAt: clock.now(), ...PERSON });
    assert.equal(factory.created.length, 0);
  });
});
