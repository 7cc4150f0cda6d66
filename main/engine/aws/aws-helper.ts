/**
 * The AWS calls of the processes that run for days (`mfa-tray watch`, the tray app), made in a
 * helper process (helper-process.ts) by {@link SdkAwsGateway} itself.
 *
 * Why a process: the AWS SDK, once a process has made one call, stays loaded for good, ~4 MB of
 * heap and ~3.5 MB of RSS that a long-running process would hold between refreshes a few hours
 * apart (README's benchmark, row 4). The helper loads it, makes the calls of a refresh, and ends
 * {@link AWS_HELPER_IDLE_MS} after the last; the long-running process never loads the SDK at all.
 *
 * What a call does is the gateway's, unchanged: one attempt per code, its time limit, its answer
 * checks and its messages, made in the helper and sent back as the MfaTrayError's parts. This side
 * only carries the call, keeps the clock offset (the helper starts each call from this process's
 * offset and sends back what the answer measured), and bounds the wait: the helper's own time limit,
 * and a few seconds more for a helper that is stuck, which is then given up on (its other calls go
 * on there, each bounded by its own caller); a caller that gives up (an AbortSignal) has the call
 * aborted in the helper. What leaves this
 * process is the call's arguments (keys and codes included) over the helper's IPC channel only.
 */
import { MfaTrayError, isMfaTrayError, type ErrorCode, type Remedy } from '../../common/errors';
import type { LongLivedKey, SessionCredentials } from '../../common/model';
import type { ClockOffset } from '../clock/clock';
import { HelperGone, HelperNotReached, HelperStartTimeout, helperProcess, type HelperConnection, type HelperOptions } from '../helper-process';
import type { CreatedVirtualDevice, IamCredentials, IamGateway, ListedMfaDevice } from './iam-gateway';
import { DEFAULT_STS_TIMEOUT_MS, checkGatewayOptions, serviceOf, unanswered, type SdkAwsGatewayOptions } from './sdk-aws-gateway';
import type { AssumeRoleRequest, CallerIdentity, GetSessionTokenRequest, StsGateway } from './sts-gateway';

/** The helper's file name, beside the bundles in app/dist/ (scripts/build.mjs). */
export const AWS_HELPER_FILE = 'aws-helper.cjs';

/** How much longer than the gateway's own time limit a call may take in the helper before it is given up on. */
export const AWS_HELPER_GRACE_MS = 5_000;

/** The gateway's calls, by name. */
export type AwsOp = Exclude<keyof StsGateway | keyof IamGateway, 'prepare'>;

/** Every {@link AwsOp} (a record, so that the compiler finds one left out), for the helper to check what it is asked. */
const EVERY_OP: Readonly<Record<AwsOp, true>> = {
  getSessionToken: true,
  getCallerIdentity: true,
  assumeRole: true,
  listMfaDevices: true,
  createVirtualMfaDevice: true,
  enableMfaDevice: true,
  resyncMfaDevice: true,
  deactivateMfaDevice: true,
  deleteVirtualMfaDevice: true,
};

/** Whether the helper is asked for one of the gateway's calls. */
export function isAwsOp(op: string): op is AwsOp {
  return Object.hasOwn(EVERY_OP, op);
}

/**
 * How long the AWS helper stays after its last answer: started when a refresh begins, it must still
 * be there when the code is ready, which can take the wait for the next TOTP time step (the device's
 * previous code used) or a code typed by a person.
 */
export const AWS_HELPER_IDLE_MS = 30_000;

/** The gateway options that cross to the helper (its clock is the system's, its offset this side's). */
export type AwsHelperGatewayOptions = Omit<SdkAwsGatewayOptions, 'clockOffset' | 'clock'>;

/** One call, as it crosses to the helper. */
export interface AwsHelperCall {
  readonly options: AwsHelperGatewayOptions;
  /** This process's clock offset, when measured: the helper signs and judges by it. */
  readonly offsetMs?: number;
  readonly args: readonly unknown[];
}

/**
 * A call's outcome from the helper: its value, or the gateway's error as its parts (any other error
 * is a failed call of the helper's own); and the clock offset AWS's answer measured, either way.
 */
export type AwsHelperAnswer = ({ readonly value: unknown } | { readonly error: ErrorParts }) & { readonly measuredMs?: number };

/** An MfaTrayError's parts, as they cross from the helper. */
export interface ErrorParts {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly retryable?: boolean;
  readonly notSent?: boolean;
  readonly remedies?: readonly Remedy[];
  /** The cause's message (the gateway's causes are secret-free summaries). */
  readonly cause?: string;
}

/** The parts of an MfaTrayError, to send. */
export function errorParts(error: MfaTrayError): ErrorParts {
  const { field, retryable, notSent } = error.options;
  return {
    code: error.code,
    message: error.message,
    ...(field === undefined ? {} : { field }),
    ...(retryable === undefined ? {} : { retryable }),
    ...(notSent === undefined ? {} : { notSent }),
    ...(error.remedies.length > 0 ? { remedies: error.remedies } : {}),
    ...(error.cause instanceof Error ? { cause: error.cause.message } : {}),
  };
}

/** The MfaTrayError the parts describe. */
function fromParts(parts: ErrorParts): MfaTrayError {
  const { code, message, field, retryable, notSent, remedies, cause } = parts;
  return new MfaTrayError(code, message, {
    ...(field === undefined ? {} : { field }),
    ...(retryable === undefined ? {} : { retryable }),
    ...(notSent === undefined ? {} : { notSent }),
    ...(remedies === undefined ? {} : { remedy: remedies }),
    ...(cause === undefined ? {} : { cause: new Error(cause) }),
  });
}

/** What the helper process is, in messages. */
const WHAT = "the process that makes MFA Tray's AWS calls";

/**
 * {@link StsGateway} and {@link IamGateway} whose calls {@link SdkAwsGateway} makes in the helper
 * `script` runs (one per script in the process).
 */
export class HelperAwsGateway implements StsGateway, IamGateway {
  readonly #helper: { readonly connect: () => Promise<HelperConnection> };
  readonly #offset: ClockOffset;
  readonly #options: AwsHelperGatewayOptions;
  readonly #timeoutMs: number;

  /** `options.clock` is not used: the helper measures by the system clock. */
  constructor(script: string, options: SdkAwsGatewayOptions & { readonly clockOffset: ClockOffset }, helper: Omit<HelperOptions, 'name' | 'loads'> = {}) {
    checkGatewayOptions(options);
    const { clockOffset, clock: _clock, ...rest } = options;
    this.#offset = clockOffset;
    this.#options = rest;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS;
    this.#helper = helperProcess(script, {
      name: 'the AWS helper',
      loads: 'the AWS SDK',
      idleMs: AWS_HELPER_IDLE_MS,
      ...helper,
    });
  }

  /** Starts the helper, which loads the SDK, while the caller still waits for the keychain and its files. */
  prepare(): void {
    this.#helper.connect().catch(() => undefined);
  }

  getSessionToken(request: GetSessionTokenRequest): Promise<SessionCredentials> {
    return this.#call('getSessionToken', [request]) as Promise<SessionCredentials>;
  }

  getCallerIdentity(key: LongLivedKey, region: string, signal?: AbortSignal): Promise<CallerIdentity> {
    return this.#call('getCallerIdentity', [key, region], signal) as Promise<CallerIdentity>;
  }

  assumeRole(request: AssumeRoleRequest): Promise<SessionCredentials> {
    return this.#call('assumeRole', [request]) as Promise<SessionCredentials>;
  }

  listMfaDevices(key: LongLivedKey, region: string): Promise<readonly ListedMfaDevice[]> {
    return this.#call('listMfaDevices', [key, region]) as Promise<readonly ListedMfaDevice[]>;
  }

  createVirtualMfaDevice(credentials: IamCredentials, region: string, name: string): Promise<CreatedVirtualDevice> {
    return this.#call('createVirtualMfaDevice', [credentials, region, name]) as Promise<CreatedVirtualDevice>;
  }

  async enableMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void> {
    await this.#call('enableMfaDevice', [credentials, region, userName, serialNumber, codes]);
  }

  async resyncMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void> {
    await this.#call('resyncMfaDevice', [credentials, region, userName, serialNumber, codes]);
  }

  async deactivateMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string): Promise<void> {
    await this.#call('deactivateMfaDevice', [credentials, region, userName, serialNumber]);
  }

  async deleteVirtualMfaDevice(credentials: IamCredentials, region: string, serialNumber: string): Promise<void> {
    await this.#call('deleteVirtualMfaDevice', [credentials, region, serialNumber]);
  }

  async #call(op: AwsOp, args: readonly unknown[], signal?: AbortSignal): Promise<unknown> {
    const service = serviceOf(op.charAt(0).toUpperCase() + op.slice(1));
    /** Rejects when the caller gives up before the answer (the call itself goes on, bounded below). */
    const aborted = abortion(signal, () => unanswered(service, this.#timeoutMs, { notSent: true }));
    const once = (): Promise<unknown> => this.#callOnce(op, args, service, aborted, signal);
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof HelperNotReached)) throw error;
      // The call never left this process: its helper had been replaced meanwhile, or its channel
      // refused it (closed). Asking once more, of a new helper, cannot use a code up. (A helper that
      // died idle, its exit not heard yet, takes the call: that is reported as possibly sent.)
      if (signal?.aborted) throw notStarted(service, error);
      return await once().catch((again: unknown) => {
        throw again instanceof HelperNotReached ? notStarted(service, again) : again;
      });
    }
  }

  /** One attempt; a call that never reached its helper fails with HelperNotReached, for {@link #call} to make again. */
  async #callOnce(op: AwsOp, args: readonly unknown[], service: 'STS' | 'IAM', aborted: Promise<never>, signal: AbortSignal | undefined): Promise<unknown> {
    let connection: HelperConnection;
    try {
      connection = await Promise.race([this.#helper.connect(), aborted]);
    } catch (error) {
      throw notStarted(service, error);
    }
    // Given up on while the helper started: nothing is sent.
    if (signal?.aborted) throw unanswered(service, this.#timeoutMs, { notSent: true });
    const call: AwsHelperCall = { options: this.#options, ...(this.#offset.measured ? { offsetMs: this.#offset.offsetMs } : {}), args };
    // Each call says how long it is waited for, so that a helper given up on is killed only once
    // none of its calls is waited for any more.
    const answered = connection.call(op, [call], signal, this.#timeoutMs + AWS_HELPER_GRACE_MS);
    // The helper bounds the call by the gateway's time limit; a helper that does not answer a few
    // seconds past it is given up on, whether or not its caller still waits (it may have aborted).
    let giveUp: ((error: MfaTrayError) => void) | undefined;
    const givenUp = new Promise<never>((_resolve, reject) => (giveUp = reject));
    givenUp.catch(() => undefined); // after an abort nobody waits for it
    const timer = setTimeout(() => {
      // First, so that the caller hears why.
      giveUp?.(unanswered(service, this.#timeoutMs, { why: `${WHAT} was given up on` }));
      connection.abandon();
    }, this.#timeoutMs + AWS_HELPER_GRACE_MS);
    answered.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );
    let answer: AwsHelperAnswer;
    try {
      answer = (await Promise.race([answered, givenUp, aborted])) as AwsHelperAnswer;
    } catch (error) {
      // A failed call of the helper's own (not the gateway's: that is an answer) is thrown as it is.
      if (error instanceof HelperNotReached) throw error;
      if (error instanceof HelperGone) {
        throw new MfaTrayError(
          'sts-unavailable',
          `${service}'s answer was lost: ${error.message} (${WHAT}; the next call starts another). The request may have reached AWS. Try again.`,
          { retryable: true },
        );
      }
      throw error;
    }
    if (answer.measuredMs !== undefined) this.#offset.recordMeasured(answer.measuredMs);
    if ('error' in answer) throw fromParts(answer.error);
    return answer.value ?? undefined;
  }
}

/** A promise that rejects with `error()` once `signal` aborts (never, without one). */
function abortion(signal: AbortSignal | undefined, error: () => Error): Promise<never> {
  const aborted = new Promise<never>((_resolve, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(error());
    else signal.addEventListener('abort', () => reject(error()), { once: true });
  });
  aborted.catch(() => undefined); // heard by whoever races it
  return aborted;
}

/** The helper could not be started (or could not load the SDK): nothing was sent. */
function notStarted(service: 'STS' | 'IAM', error: unknown): MfaTrayError {
  if (isMfaTrayError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof HelperStartTimeout) {
    return new MfaTrayError(
      'sts-unavailable',
      `Nothing was sent to ${service}: the AWS helper (${WHAT}) did not start within ${Math.max(1, Math.round(error.ms / 1000))} s; the computer may be very busy. Try again.`,
      { retryable: true, notSent: true },
    );
  }
  if (error instanceof HelperGone) {
    return new MfaTrayError('sts-unavailable', `Nothing was sent to ${service}: ${reason} (${WHAT}; the next call starts another). Try again.`, {
      retryable: true,
      notSent: true,
    });
  }
  // It ended by itself before it was ready: its file is missing or cannot run.
  return new MfaTrayError('internal', `Nothing was sent to ${service}: ${reason} (${WHAT}). Reinstall MFA Tray, or in a checkout run \`npm run build\`.`, {
    notSent: true,
  });
}
