/**
 * The last offset measured between this computer's clock and AWS's, kept in a small file so that a
 * fresh process (every `mfa-tray refresh`, every `credential_process` call that refreshes) can make
 * a code in AWS's time without first spending a round trip on measuring it, and so that `status`
 * can say how far off the clock is.
 *
 * A remembered offset is used only while it surely still describes this clock: measured within the
 * last hour, and the clock not stepped since. A step is seen as a change of the boot time the wall
 * clock implies (now minus the uptime), which moves exactly when the wall clock is set; a reboot
 * moves it too, which is fine (measure again). Otherwise the engine measures anew (one
 * GetCallerIdentity). The file holds no secret: an offset and two times.
 */
import { uptime } from 'node:os';
import * as z from 'zod/mini';
import { updateFileAtomic } from '../files/atomic-file';
import { readRegularFile } from '../files/regular-file';

/** A remembered offset older than this is measured again before a code is made from it. */
export const OFFSET_MEMORY_MS = 60 * 60_000;

/**
 * A memory younger than this is not written again with the same offset (Engine): a burst of
 * refreshes (`refresh --all`, several AWS commands' `credential_process` at once) writes it once, and
 * the next process still finds it usable for at least {@link OFFSET_MEMORY_MS} less this after the
 * last refresh (before, every refresh renewed it: a locked, fsynced write beside each credentials-file
 * write).
 */
export const OFFSET_RENEW_MS = 10 * 60_000;

/** The implied boot time may drift this much (uptime's resolution, NTP slewing) without counting as a step. */
const BOOT_TOLERANCE_MS = 5_000;

const fileSchema = z.object({
  version: z.literal(1),
  /** AWS time minus local time, ms. */
  offsetMs: z.number().check(z.gte(-86_400_000 * 366), z.lte(86_400_000 * 366)),
  /** Local wall-clock time of the measurement, ms since the epoch. */
  measuredAt: z.number(),
  /** The boot time the wall clock implied then (measuredAt minus the uptime), ms since the epoch. */
  bootAt: z.number(),
});

/** One remembered measurement. */
export interface RememberedOffset {
  /** AWS time minus this computer's time, in milliseconds. */
  readonly offsetMs: number;
  /** When it was measured, by this computer's clock (ms since the epoch). */
  readonly measuredAt: number;
  /** Whether it may still be used for a code: recent, and the clock not stepped since. */
  readonly current: boolean;
}

function impliedBootAt(): number {
  return Date.now() - uptime() * 1000;
}

/** The clock-offset file: `clock-offset.json` in the config folder. */
export class ClockMemory {
  constructor(readonly path: string) {}

  /** The last measurement, or undefined when there is none (or the file is not ours to read). */
  async read(): Promise<RememberedOffset | undefined> {
    let json: unknown;
    try {
      json = JSON.parse((await readRegularFile(this.path)).toString('utf8'));
    } catch {
      return undefined; // absent, unreadable or not JSON: as if never measured
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const { offsetMs, measuredAt, bootAt } = parsed.data;
    const age = Date.now() - measuredAt;
    const current = age >= 0 && age < OFFSET_MEMORY_MS && Math.abs(impliedBootAt() - bootAt) < BOOT_TOLERANCE_MS;
    return { offsetMs, measuredAt, current };
  }

  /** Remembers a measurement made just now. Atomic and locked like every file MFA Tray writes. */
  async write(offsetMs: number): Promise<void> {
    const measuredAt = Date.now();
    const content = { version: 1, offsetMs: Math.round(offsetMs), measuredAt, bootAt: Math.round(measuredAt - uptime() * 1000) };
    await updateFileAtomic(this.path, () => Buffer.from(`${JSON.stringify(content)}\n`, 'utf8'), {
      newFileMode: 0o600,
      errorCode: 'settings-file',
      description: 'last measured clock offset',
    });
  }
}
