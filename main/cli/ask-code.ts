/**
 * Asking a person for an MFA code: naming the profile and the device, re-asking when what was typed
 * is not 6 digits, and, when one run asks for several profiles of one device, waiting for the next
 * time step first (AWS accepts each code once, so a second profile needs the next code).
 */
import { MfaTrayError } from '../common/errors';
import type { Profile } from '../common/model';
import { checkCode } from '../common/validation';
import type { StepWaitListener } from '../engine';
import { CancelledError, promptLine } from './terminal';

const TRIES = 3;
const STEP_MS = 30_000;

export interface AskOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Said before the question (for example why the code is needed now). */
  readonly note?: string;
  readonly signal?: AbortSignal;
}

/** Asks for a profile's code until it is 6 digits (3 tries). Empty input cancels when `allowSkip`. */
export async function askCode(profile: Profile, options: AskOptions & { readonly allowSkip?: boolean }): Promise<string> {
  const { input, output, signal } = options;
  if (options.note) output.write(`${options.note}\n`);
  const question = `MFA code for profile ${profile.name} (device ${profile.mfaSerial})${options.allowSkip ? ', Enter to skip' : ''}: `;
  for (let attempt = 1; ; attempt += 1) {
    const answer = await promptLine(input, output, question, signal);
    if (options.allowSkip && answer.trim() === '') throw new CancelledError('skipped', 'skipped');
    const checked = checkCode(answer);
    if (checked.ok) return checked.value;
    if (attempt >= TRIES) throw new MfaTrayError('invalid-input', checked.issue.message, { field: 'code' });
    output.write(`${checked.issue.message}\n`);
  }
}

/**
 * Remembers which time step each device last used in this run, so that the next question for the
 * same device waits for a new code instead of getting the one just used.
 */
export class DeviceSteps {
  readonly #last = new Map<string, number>();

  constructor(private readonly awsNow: () => number) {}

  /** Records that a code of the current step was just used for a device. */
  used(mfaSerial: string): void {
    this.#last.set(mfaSerial, Math.floor(this.awsNow() / STEP_MS));
  }

  /** How long until the device shows a code this run has not used yet (0: now). */
  waitMs(mfaSerial: string): number {
    const last = this.#last.get(mfaSerial);
    const now = this.awsNow();
    if (last === undefined || Math.floor(now / STEP_MS) > last) return 0;
    return (last + 1) * STEP_MS - now;
  }
}

/** Sleeps, cancellable. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new CancelledError('cancelled', 'aborted'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('cancelled', 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** "Waiting 17 s for the next code of MFA device … (AWS accepts each code once)…" */
export function stepWaitText(waitMs: number, mfaSerial: string): string {
  return `Waiting ${Math.max(1, Math.ceil(waitMs / 1000))} s for the next code of MFA device ${mfaSerial} (AWS accepts each code once)…`;
}

/**
 * Says that a code has to wait for the device's next time step: on a terminal a countdown on one
 * line, updated every second and erased when the wait is over; otherwise (a pipe, a log) one line.
 * For typed and generated codes alike.
 */
export function stepWaitNotice(output: NodeJS.WritableStream & { readonly isTTY?: boolean }, mfaSerial: string): StepWaitListener {
  return (waitMs, abandoned) => {
    const endsAt = Date.now() + waitMs;
    const text = (): string => stepWaitText(endsAt - Date.now(), mfaSerial);
    if (output.isTTY !== true) {
      output.write(`${text()}\n`);
      return;
    }
    output.write(`\r\x1b[2K${text()}`);
    const tick = setInterval(() => output.write(`\r\x1b[2K${text()}`), 1000);
    // Ends with the wait itself, or when the wait is given up (seen in review: a failed profile's
    // countdown in `refresh --all` went on over the next profile's code prompt, which it erased):
    // it never outlives it, and leaves the line empty.
    let ended = false;
    const end = (): void => {
      if (ended) return; // once: a later abort must not erase a line written since
      ended = true;
      clearInterval(tick);
      clearTimeout(over);
      abandoned?.removeEventListener('abort', end);
      output.write('\r\x1b[2K');
    };
    const over = setTimeout(end, waitMs);
    over.unref();
    tick.unref();
    abandoned?.addEventListener('abort', end, { once: true });
  };
}

/** "Touch your YubiKey…": said once, when the key waits for a touch to give a profile's code. */
export function touchNotice(output: NodeJS.WritableStream, profile: string): () => void {
  return () => {
    output.write(`Touch your YubiKey: it is waiting to give the MFA code of profile ${profile}.\n`);
  };
}
