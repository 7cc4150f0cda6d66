/**
 * The record of MFA codes already sent, per MFA device, shared by the tray app and the command.
 *
 * AWS refuses a code that was already used, and a refused code costs the user a 30-second wait (or,
 * unattended, a failed refresh). So before a code goes to STS it is claimed here: a generated code by
 * its time step (never the same step, nor an earlier one, twice for one device), a typed code by its
 * digits (never the same digits twice within {@link TYPED_CODE_WINDOW_MS}). Every claim is a locked,
 * atomic read-modify-write of one small JSON file, so two processes cannot both claim one step.
 *
 * The file holds no secret: a code that was sent is useless once AWS has seen it, and entries are
 * dropped soon after (typed codes after 90 s, a device's last step after an hour). A claim is given
 * back ({@link UsedCodes.release}) only when the request certainly never left this computer (the
 * connection was refused, DNS or TLS failed), or when AWS refused a generated code made for a step
 * it was not at (a stale clock offset): after any other failure AWS may have consumed the code.
 *
 * A corrupt or unreadable-as-JSON file (or one from a newer MFA Tray) is treated as empty and
 * replaced by the next claim, rather than blocking every refresh until someone deletes it: losing
 * the record can at worst let one already-used code through, which AWS refuses with a message the
 * STS error mapping explains ("wrong code, or a code already used"), and the user simply tries the
 * next one. `onDiscard` reports when that happens.
 */
import * as z from 'zod/mini';
import { MfaTrayError, invalidInput } from '../../common/errors';
import { DEFAULT_LOCK_TIMEOUT_MS, FileUpdates } from '../files/atomic-file';
import { fileError, isNotFound } from '../files/file-errors';
import { readRegularFile } from '../files/regular-file';
import { systemClock, type Clock } from '../clock/clock';

/** A typed code is refused for the same device for this long after it was sent. */
export const TYPED_CODE_WINDOW_MS = 90_000;

/** A device's last step is kept this long after it was claimed (AWS itself refuses steps that old). */
export const STEP_MEMORY_MS = 60 * 60_000;

/** The message for a code that was already sent for the device. */
export const CODE_ALREADY_USED_MESSAGE = 'This code was already used; wait for the next one on your MFA device.';

const FILE_VERSION = 1;

const fileSchema = z.object({
  version: z.literal(FILE_VERSION),
  devices: z.record(
    z.string(),
    z.object({
      lastStep: z.optional(z.int().check(z.nonnegative())),
      /** Local time (ms) of the last step claim. */
      lastStepAt: z.optional(z.number()),
      codes: z._default(
        z.array(
          z.object({
            code: z.string(),
            at: z.number(),
            step: z.optional(z.int().check(z.nonnegative())),
            /** For a release: the device's last step before this claim, or `first` when it had none. */
            before: z.optional(z.int().check(z.nonnegative())),
            first: z.optional(z.literal(true)),
          }),
        ),
        () => [],
      ),
    }),
  ),
});

interface DeviceRecord {
  lastStep?: number;
  lastStepAt?: number;
  /** Codes sent lately; `step` for a generated one (its time step), and the last step before it (`before`, or `first`). */
  codes: { code: string; at: number; step?: number; before?: number; first?: true }[];
}

/** Options for {@link UsedCodes}. */
export interface UsedCodesOptions {
  /** Time for the records' timestamps and pruning. Default: the system clock. */
  readonly clock?: Clock;
  /** How long to wait for another process's lock on the file. Default 15 s. */
  readonly lockTimeoutMs?: number;
  /** Told when a corrupt file is set aside (treated as empty); no secret is involved. */
  readonly onDiscard?: (reason: string) => void;
}

/**
 * The used-codes record in one JSON file, mode 0600: `usedCodesFile()` from `paths.ts`, that is
 * `<configDir>/used-codes.json`, so that the app and the command share it.
 */
export class UsedCodes {
  readonly #clock: Clock;
  readonly #updates: FileUpdates;
  readonly #onDiscard: ((reason: string) => void) | undefined;

  /** @param path The state file, normally `<configDir>/used-codes.json`. */
  constructor(
    readonly path: string,
    options: UsedCodesOptions = {},
  ) {
    this.#clock = options.clock ?? systemClock;
    this.#updates = new FileUpdates({
      newFileMode: 0o600,
      lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
      errorCode: 'settings-file',
      description: 'record of used MFA codes',
    });
    this.#onDiscard = options.onDiscard;
  }

  /**
   * The last time step claimed for a device, if one is remembered.
   *
   * A plain read without the lock: it only tells the generator how long to wait; the claim itself
   * is what decides, under the lock.
   */
  async lastStep(mfaSerial: string): Promise<number | undefined> {
    checkSerial(mfaSerial);
    let content: Buffer;
    try {
      content = await readRegularFile(this.path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw fileError('settings-file', `Cannot read the record of used MFA codes ${this.path}`, error);
    }
    return this.#parse(content, false).get(mfaSerial)?.lastStep;
  }

  /**
   * Claims a TOTP time step (and, when given, its code) for a device before the code is sent.
   *
   * Refused with `code-reused` when that step or a later one was already claimed for the device, or
   * when the same code was sent for it within the last 90 s (for example typed by the user).
   */
  async claimStep(mfaSerial: string, step: number, code?: string): Promise<void> {
    checkSerial(mfaSerial);
    if (!Number.isSafeInteger(step) || step < 0) throw invalidInput('step', 'a non-negative whole number');
    if (code !== undefined) checkCode(code);
    await this.#claim(mfaSerial, (device, now) => {
      if (device.lastStep !== undefined && step <= device.lastStep) {
        return new MfaTrayError(
          'code-reused',
          `A code for this time step was already sent for MFA device ${mfaSerial}; wait for the next one (at most 30 s).`,
          { retryable: true },
        );
      }
      if (code !== undefined && recentlyUsed(device, code, now)) {
        return new MfaTrayError('code-reused', CODE_ALREADY_USED_MESSAGE, { retryable: true });
      }
      if (code !== undefined)
        device.codes.push({ code, at: now, step, ...(device.lastStep === undefined ? { first: true as const } : { before: device.lastStep }) });
      device.lastStep = step;
      device.lastStepAt = now;
      return undefined;
    });
  }

  /**
   * Gives back the latest claim of `code` for a device: AWS has not used it (the request never left
   * this computer, or it was for a step AWS was not at), so it (and its time step) may be sent.
   * A later step claimed meanwhile (by another process) stays claimed.
   */
  async release(mfaSerial: string, code: string): Promise<void> {
    checkSerial(mfaSerial);
    checkCode(code);
    await this.#claim(mfaSerial, (device) => {
      const index = device.codes.findLastIndex((c) => c.code === code);
      if (index < 0) return undefined;
      const [entry] = device.codes.splice(index, 1);
      // The step goes back to the one claimed before it: steps before that were sent, the ones after
      // not. An entry an older MFA Tray rewrote knows neither: then only this step is given back.
      if (entry?.step !== undefined && device.lastStep === entry.step) {
        if (entry.before !== undefined) device.lastStep = entry.before;
        else if (entry.first) {
          delete device.lastStep;
          delete device.lastStepAt;
        } else device.lastStep = entry.step - 1;
      }
      return undefined;
    });
  }

  /**
   * Claims a code the user typed for a device before it is sent.
   *
   * Refused with `code-reused` ("This code was already used; wait for the next one on your MFA
   * device.") when the same code was sent for the device within the last 90 s, typed or generated.
   *
   * @param now Local time of the claim (ms). Default: the clock's now.
   */
  async claimTypedCode(mfaSerial: string, code: string, now: number = this.#clock.now()): Promise<void> {
    checkSerial(mfaSerial);
    checkCode(code);
    await this.#claim(
      mfaSerial,
      (device) => {
        if (recentlyUsed(device, code, now)) return new MfaTrayError('code-reused', CODE_ALREADY_USED_MESSAGE, { retryable: true });
        device.codes.push({ code, at: now });
        return undefined;
      },
      now,
    );
  }

  /**
   * One locked read-modify-write. `decide` mutates the device's record and returns undefined to
   * accept, or the error to refuse with (then nothing is written).
   */
  async #claim(mfaSerial: string, decide: (device: DeviceRecord, now: number) => MfaTrayError | undefined, now: number = this.#clock.now()): Promise<void> {
    // Claims asked for at once (refresh --all) are written together, each decided on the record
    // the one before it left (FileUpdates).
    await this.#updates.update(this.path, (current) => {
      // May run more than once (when another program changed the file meanwhile): decide afresh each time.
      const devices = prune(current === undefined ? new Map<string, DeviceRecord>() : this.#parse(current, true), now);
      const device = devices.get(mfaSerial) ?? { codes: [] };
      const refusal = decide(device, now);
      if (refusal) throw refusal;
      devices.set(mfaSerial, device);
      return serialise(devices);
    });
  }

  #parse(content: Buffer, report: boolean): Map<string, DeviceRecord> {
    let json: unknown;
    try {
      json = JSON.parse(content.toString('utf8'));
    } catch {
      if (report) this.#onDiscard?.(`${this.path} is not valid JSON; it is treated as empty and will be replaced.`);
      return new Map();
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      if (report) this.#onDiscard?.(`${this.path} is not a version-${FILE_VERSION} record of used MFA codes; it is treated as empty and will be replaced.`);
      return new Map();
    }
    // A Map, not the parsed object: device serials are keys, and no key may reach Object.prototype.
    return new Map(
      Object.entries(parsed.data.devices).map(([serial, d]): [string, DeviceRecord] => [
        serial,
        {
          ...(d.lastStep === undefined ? {} : { lastStep: d.lastStep }),
          ...(d.lastStepAt === undefined ? {} : { lastStepAt: d.lastStepAt }),
          codes: d.codes.map((c) => ({
            code: c.code,
            at: c.at,
            ...(c.step === undefined ? {} : { step: c.step }),
            ...(c.before === undefined ? {} : { before: c.before }),
            ...(c.first ? { first: true as const } : {}),
          })),
        },
      ]),
    );
  }
}

function recentlyUsed(device: DeviceRecord, code: string, now: number): boolean {
  // Absolute distance: after the clock was set back, a "future" entry still counts as recent.
  return device.codes.some((c) => c.code === code && Math.abs(now - c.at) < TYPED_CODE_WINDOW_MS);
}

/** Drops what can no longer matter, so that the file stays a few hundred bytes. */
function prune(devices: Map<string, DeviceRecord>, now: number): Map<string, DeviceRecord> {
  const kept = new Map<string, DeviceRecord>();
  for (const [serial, device] of devices) {
    const codes = device.codes.filter((c) => Math.abs(now - c.at) < TYPED_CODE_WINDOW_MS);
    const keepStep = device.lastStep !== undefined && device.lastStepAt !== undefined && Math.abs(now - device.lastStepAt) < STEP_MEMORY_MS;
    if (!keepStep && codes.length === 0) continue;
    kept.set(
      serial,
      keepStep && device.lastStep !== undefined && device.lastStepAt !== undefined && device.lastStep >= 0
        ? { lastStep: device.lastStep, lastStepAt: device.lastStepAt, codes }
        : { codes },
    );
  }
  return kept;
}

function serialise(devices: Map<string, DeviceRecord>): Buffer {
  const sorted = Object.fromEntries([...devices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(`${JSON.stringify({ version: FILE_VERSION, devices: sorted }, null, 2)}\n`, 'utf8');
}

function checkSerial(mfaSerial: string): void {
  if (typeof mfaSerial !== 'string' || mfaSerial === '') throw invalidInput('mfaSerial', 'the MFA device serial or ARN');
}

function checkCode(code: string): void {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) throw invalidInput('code', 'exactly 6 digits');
}
