import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scheduler, type DueEvent } from '../../main/engine/sessions/scheduler';
import { FakeClock } from '../support/fake-clock';

const MIN = 60_000;
const HOUR = 60 * MIN;

function setup(maxSleepMs = MIN) {
  const clock = new FakeClock();
  const events: DueEvent[] = [];
  const scheduler = new Scheduler(clock, (e) => events.push(e), { notifyBeforeMs: 15 * MIN, autoRefreshBeforeMs: 10 * MIN, maxSleepMs });
  const kinds = () => events.map((e) => `${e.kind}:${e.profile}`);
  return { clock, events, scheduler, kinds };
}

describe('Scheduler', () => {
  it('notifies before expiry, then at expiry, for a profile without auto-refresh', () => {
    const { clock, scheduler, kinds, events } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + HOUR, autoRefresh: false });
    clock.advance(45 * MIN - 1);
    assert.deepEqual(kinds(), []);
    clock.advance(1);
    assert.deepEqual(kinds(), ['expiring:work']);
    assert.equal(events[0]?.dueAt, clock.now());
    clock.advance(15 * MIN);
    assert.deepEqual(kinds(), ['expiring:work', 'expired:work']);
  });

  it('asks an auto-refresh profile to refresh before expiry and stays silent otherwise', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'ci', expiresAt: clock.now() + HOUR, autoRefresh: true });
    clock.advance(50 * MIN);
    assert.deepEqual(kinds(), ['refresh-due:ci']);
  });

  it('delivers each event once, even when rechecked repeatedly', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + 10 * MIN, autoRefresh: false });
    scheduler.recheck();
    scheduler.recheck();
    clock.advance(MIN);
    assert.deepEqual(kinds(), ['expiring:work']);
  });

  it('keeps exactly one timer armed for all profiles', () => {
    const { clock, scheduler } = setup(24 * HOUR);
    scheduler.set({ profile: 'a', expiresAt: clock.now() + 3 * HOUR, autoRefresh: false });
    scheduler.set({ profile: 'b', expiresAt: clock.now() + 2 * HOUR, autoRefresh: false });
    scheduler.set({ profile: 'c', expiresAt: undefined, autoRefresh: false });
    assert.equal(clock.pending, 1);
    assert.equal(scheduler.nextWakeAt, clock.now() + 2 * HOUR - 15 * MIN);
  });

  it('never sleeps longer than maxSleepMs, so it catches up after a suspend', () => {
    const { clock, scheduler, kinds } = setup(MIN);
    scheduler.set({ profile: 'work', expiresAt: clock.now() + 8 * HOUR, autoRefresh: false });
    assert.equal(scheduler.nextWakeAt, clock.now() + MIN);
    clock.jump(9 * HOUR); // the lid was closed: the wall clock moved, no timer fired
    assert.deepEqual(kinds(), []);
    clock.advance(MIN);
    // Both notices passed while asleep: only the latest is shown.
    assert.deepEqual(kinds(), ['expired:work']);
  });

  it('catches up at once on recheck() after wake-up', () => {
    const { clock, scheduler, kinds } = setup(MIN);
    scheduler.set({ profile: 'ci', expiresAt: clock.now() + 8 * HOUR, autoRefresh: true });
    clock.jump(9 * HOUR);
    scheduler.recheck();
    assert.deepEqual(kinds(), ['refresh-due:ci', 'expired:ci']);
  });

  it('follows a clock set backwards without firing early', () => {
    const { clock, scheduler, kinds } = setup(MIN);
    scheduler.set({ profile: 'work', expiresAt: clock.now() + HOUR, autoRefresh: false });
    clock.jump(-2 * HOUR);
    clock.advance(2 * HOUR);
    assert.deepEqual(kinds(), []);
    clock.advance(45 * MIN);
    assert.deepEqual(kinds(), ['expiring:work']);
  });

  it('schedules anew for a refreshed session', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + 20 * MIN, autoRefresh: false });
    clock.advance(5 * MIN);
    assert.deepEqual(kinds(), ['expiring:work']);
    scheduler.set({ profile: 'work', expiresAt: clock.now() + HOUR, autoRefresh: false });
    clock.advance(15 * MIN);
    assert.deepEqual(kinds(), ['expiring:work'], 'the old expiry no longer counts');
    clock.advance(30 * MIN);
    assert.deepEqual(kinds(), ['expiring:work', 'expiring:work']);
  });

  it('forgets a removed profile', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + 20 * MIN, autoRefresh: false });
    scheduler.delete('work');
    clock.advance(HOUR);
    assert.deepEqual(kinds(), []);
  });

  it('uses new lead times from the settings', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + HOUR, autoRefresh: false });
    scheduler.setOptions({ notifyBeforeMs: 30 * MIN });
    clock.advance(30 * MIN);
    assert.deepEqual(kinds(), ['expiring:work']);
  });

  it('stops for good', () => {
    const { clock, scheduler, kinds } = setup();
    scheduler.set({ profile: 'work', expiresAt: clock.now() + 20 * MIN, autoRefresh: false });
    scheduler.stop();
    assert.equal(clock.pending, 0);
    clock.advance(HOUR);
    assert.deepEqual(kinds(), []);
  });
});

describe('Scheduler with short sessions', () => {
  it('refreshes at most a quarter of a lifetime early, so a long lead time cannot loop', () => {
    const clock = new FakeClock();
    const events: DueEvent[] = [];
    const scheduler = new Scheduler(clock, (e) => events.push(e), { notifyBeforeMs: 15 * MIN, autoRefreshBeforeMs: 120 * MIN });
    scheduler.set({ profile: 'short', expiresAt: clock.now() + 15 * MIN, autoRefresh: true, lifetimeMs: 15 * MIN });
    assert.equal(events.length, 0, 'not due at once');
    clock.advance(11.25 * MIN - 1);
    assert.equal(events.length, 0, 'not due before three quarters of the session');
    clock.advance(1);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['refresh-due'],
    );
  });

  it('announces a short session of a profile without TOTP once, a quarter of its lifetime before expiry', () => {
    const clock = new FakeClock();
    const events: DueEvent[] = [];
    const scheduler = new Scheduler(clock, (e) => events.push(e), { notifyBeforeMs: 15 * MIN, autoRefreshBeforeMs: 10 * MIN });
    scheduler.set({ profile: 'short', expiresAt: clock.now() + 15 * MIN, autoRefresh: false, lifetimeMs: 15 * MIN });
    assert.equal(events.length, 0, 'a new 900 s session is not "expiring" at once');
    clock.advance(11.25 * MIN);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['expiring'],
    );
    clock.advance(3.75 * MIN);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['expiring', 'expired'],
    );
  });

  it('keeps the configured lead times for sessions of an hour or more', () => {
    const clock = new FakeClock();
    const events: DueEvent[] = [];
    const scheduler = new Scheduler(clock, (e) => events.push(e), { notifyBeforeMs: 15 * MIN, autoRefreshBeforeMs: 10 * MIN });
    scheduler.set({ profile: 'hour', expiresAt: clock.now() + 60 * MIN, autoRefresh: false, lifetimeMs: 60 * MIN });
    scheduler.set({ profile: 'auto', expiresAt: clock.now() + 60 * MIN, autoRefresh: true, lifetimeMs: 60 * MIN });
    clock.advance(45 * MIN);
    assert.deepEqual(
      events.map((e) => `${e.kind} ${e.profile}`),
      ['expiring hour'],
    );
    clock.advance(5 * MIN);
    assert.deepEqual(
      events.map((e) => `${e.kind} ${e.profile}`),
      ['expiring hour', 'refresh-due auto'],
    );
  });
});
