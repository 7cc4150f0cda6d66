/**
 * A fake clock for tests that generate TOTP codes: it starts in the middle of a 30 s time step, and
 * the loopback STS is set to the same time. The generator waits (on the fake clock, which only moves
 * when a test says so) when a step has less than 3 s left; starting mid-step keeps it from waiting.
 */
import { FakeClock } from './fake-clock';
import type { StsServer } from './sts-server';

const STEP = 30_000;

/** Moves a time forward to the middle of its (or the next) time step. */
export function midStep(at: number): number {
  return at + ((STEP / 2 - (at % STEP) + STEP) % STEP);
}

export function midStepClock(sts: StsServer): FakeClock {
  const clock = new FakeClock(midStep(Date.now()));
  sts.setClockSkew(clock.now() - Date.now());
  return clock;
}

/** Advances the fake clock by at least `ms`, to a mid-step instant, and moves STS's clock along. */
export function advanceToMidStep(clock: FakeClock, sts: StsServer, ms: number): void {
  clock.advance(midStep(clock.now() + ms) - clock.now());
  sts.setClockSkew(clock.now() - Date.now());
}
