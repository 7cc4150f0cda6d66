/**
 * TOTP for AWS virtual MFA devices: reading the secret the user registers, and generating codes that
 * AWS will accept.
 *
 * AWS virtual MFA uses RFC 6238 with SHA-1, 6 digits and 30-second steps, and refuses a code whose
 * time step was already used. So codes are computed from AWS's time (this computer's clock corrected
 * by the offset measured against STS), a step is claimed in the shared {@link UsedCodes} record
 * before its code leaves, and when the current step is used or about to end the generator waits for
 * the next one instead of sending a code that would be refused.
 */
import type * as Otplib from 'otplib';
import { MfaTrayError } from '../../common/errors';
import type { Clock, ClockOffset } from '../clock/clock';
import type { UsedCodes } from './used-codes';

/** The step length AWS virtual MFA uses, in seconds. */
export const TOTP_PERIOD_SECONDS = 30;
const PERIOD_MS = TOTP_PERIOD_SECONDS * 1000;

/** The code length AWS virtual MFA uses. */
export const TOTP_DIGITS = 6;

/** A code generated with less time than this left in its step is not sent: the generator waits for the next step. */
export const TOTP_MIN_REMAINING_MS = 3_000;

/** The shortest secret accepted, in bytes (RFC 4226 requires 128 bits, but authenticator apps accept 80). */
export const TOTP_MIN_SECRET_BYTES = 10;

/** The longest secret accepted, in bytes (otplib's limit; AWS's secrets are 40 bytes). */
export const TOTP_MAX_SECRET_BYTES = 64;

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MAX_INPUT_CHARS = 2048;

/**
 * otplib with our limits, loaded on the first code: registering a secret or serving a cached
 * session (`credential-process`, before every AWS command) never needs it.
 */
let otplib: Promise<{ generate: typeof Otplib.generate; guardrails: ReturnType<typeof Otplib.createGuardrails> }> | undefined;
function loadOtplib(): NonNullable<typeof otplib> {
  otplib ??= import('otplib').then(({ createGuardrails, generate }) => ({
    generate,
    // otplib refuses secrets under 16 bytes by default; authenticator apps (and so users' secrets) go down to 10.
    guardrails: createGuardrails({ MIN_SECRET_BYTES: TOTP_MIN_SECRET_BYTES, MAX_SECRET_BYTES: TOTP_MAX_SECRET_BYTES }),
  }));
  return otplib;
}

const AWS_USES = 'AWS virtual MFA devices use SHA-1, 6 digits and 30-second steps';
const WHAT_TO_GIVE = 'Give the base32 secret AWS showed when the virtual MFA device was set up ("Show secret key"), or its otpauth://totp/ URI';

function invalid(message: string): MfaTrayError {
  // Never with a cause: parser errors quote their input, and the input is the secret.
  return new MfaTrayError('invalid-totp-secret', message, { field: 'totpSecret' });
}

/**
 * Reads a TOTP secret as the user gives it and returns it as canonical base32 (upper case, no
 * spaces, dashes or padding).
 *
 * Accepts a base32 secret (spaces, dashes, lower case and `=` padding allowed) or an
 * `otpauth://totp/…?secret=…` URI. Refuses, with the reason and what is allowed: HOTP URIs, any
 * algorithm but SHA-1, digits but 6, period but 30 s; an empty secret, characters outside base32,
 * and secrets shorter than 10 or longer than 64 bytes. Error code `invalid-totp-secret`, field
 * `totpSecret`; the message never contains the secret.
 */
export function parseTotpSecret(input: string): string {
  if (typeof input !== 'string') throw invalid(`The TOTP secret is missing. ${WHAT_TO_GIVE}.`);
  const trimmed = input.trim();
  if (trimmed.length > MAX_INPUT_CHARS) throw invalid(`The TOTP secret is too long (over ${MAX_INPUT_CHARS} characters). ${WHAT_TO_GIVE}.`);
  if (/^otpauth-migration:/i.test(trimmed)) {
    throw invalid(`This is an authenticator-app export (otpauth-migration://), which can hold several accounts and is not supported. ${WHAT_TO_GIVE}.`);
  }
  const secret = /^otpauth:/i.test(trimmed) ? secretFromUri(trimmed) : trimmed;
  return canonicalBase32(decodeSecret(secret));
}

function secretFromUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`The otpauth URI cannot be read. ${WHAT_TO_GIVE}.`);
  }
  // otpauth is not a "special" scheme, so the type arrives as the URL's host, with its case kept.
  const type = url.host.toLowerCase();
  if (type === 'hotp') {
    throw invalid(`This otpauth URI is for a counter-based (HOTP) device; ${AWS_USES} (TOTP). ${WHAT_TO_GIVE}.`);
  }
  if (type !== 'totp') throw invalid(`This is not an otpauth://totp/ URI; ${AWS_USES}. ${WHAT_TO_GIVE}.`);

  const params = url.searchParams;
  for (const algorithm of params.getAll('algorithm')) {
    if (algorithm.toLowerCase().replace(/[-_]/g, '') !== 'sha1') {
      const named = /^[A-Za-z0-9_-]{1,16}$/.test(algorithm) ? ` ${algorithm}` : ' another';
      throw invalid(`This otpauth URI asks for the${named} algorithm; ${AWS_USES}, so it is not for an AWS MFA device.`);
    }
  }
  for (const digits of params.getAll('digits')) {
    if (!/^\d{1,3}$/.test(digits) || Number(digits) !== TOTP_DIGITS) {
      throw invalid(
        `This otpauth URI asks for ${/^\d{1,3}$/.test(digits) ? `${Number(digits)}-digit` : 'other than 6-digit'} codes; ${AWS_USES}, so it is not for an AWS MFA device.`,
      );
    }
  }
  for (const period of params.getAll('period')) {
    if (!/^\d{1,6}$/.test(period) || Number(period) !== TOTP_PERIOD_SECONDS) {
      throw invalid(
        `This otpauth URI asks for ${/^\d{1,6}$/.test(period) ? `${Number(period)}-second` : 'other than 30-second'} steps; ${AWS_USES}, so it is not for an AWS MFA device.`,
      );
    }
  }
  const secrets = [
    ...new Set(
      params
        .getAll('secret')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (secrets.length === 0) throw invalid(`This otpauth URI has no secret= parameter. ${WHAT_TO_GIVE}.`);
  if (secrets.length > 1) throw invalid('This otpauth URI has more than one secret= parameter; give the URI of exactly one device.');
  return secrets[0] as string;
}

/** Decodes a base32 secret as typed: spaces, dashes, lower case and trailing padding are allowed. */
function decodeSecret(text: string): Uint8Array {
  const compact = text.replace(/[\s-]+/g, '').toUpperCase();
  if (compact === '' || /^=+$/.test(compact)) throw invalid(`The TOTP secret is empty. ${WHAT_TO_GIVE}.`);
  const body = compact.replace(/=+$/, '');
  if (!/^[A-Z2-7]+$/.test(body)) {
    throw invalid(
      `The TOTP secret is not base32: it may contain only the letters A-Z and the digits 2-7 (spaces, dashes and trailing "=" are ignored; 0, 1, 8 and 9 never occur). ${WHAT_TO_GIVE}.`,
    );
  }
  // 1, 3 or 6 characters past a multiple of 8 cannot come from whole bytes: a character is missing or extra.
  if ([1, 3, 6].includes(body.length % 8)) {
    throw invalid(
      `The TOTP secret has ${body.length} base32 characters, which cannot be a whole number of bytes: a character is missing or extra. ${WHAT_TO_GIVE}.`,
    );
  }
  const bytes = new Uint8Array(Math.floor((body.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of body) {
    buffer = ((buffer << 5) | BASE32_ALPHABET.indexOf(char)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  // Leftover bits after the last whole byte are ignored, as authenticator apps do.
  if (bytes.length < TOTP_MIN_SECRET_BYTES) {
    throw invalid(
      `The TOTP secret is too short (${bytes.length} bytes); at least ${TOTP_MIN_SECRET_BYTES} bytes (16 base32 characters) are needed. ${WHAT_TO_GIVE}.`,
    );
  }
  if (bytes.length > TOTP_MAX_SECRET_BYTES) {
    throw invalid(
      `The TOTP secret is too long (${bytes.length} bytes); at most ${TOTP_MAX_SECRET_BYTES} bytes (103 base32 characters) are allowed. ${WHAT_TO_GIVE}.`,
    );
  }
  return bytes;
}

function canonicalBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The TOTP time step (30 s) that an instant, in milliseconds of AWS time, falls in. */
export function totpStep(awsTimeMs: number): number {
  return Math.floor(awsTimeMs / PERIOD_MS);
}

/**
 * The 6-digit SHA-1 code of a time step, computed by otplib.
 *
 * @param secret A base32 secret (any form {@link parseTotpSecret} accepts, but not a URI).
 */
export async function totpCode(secret: string, step: number): Promise<string> {
  const bytes = decodeSecret(secret);
  const { generate, guardrails } = await loadOtplib();
  return generate({ secret: bytes, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, epoch: step * TOTP_PERIOD_SECONDS, guardrails });
}

/**
 * Told when a generated code has to wait for the next time step (the current one was already sent,
 * or ends in under 3 s), with the wait in milliseconds, so that a person is not left in silence.
 * `abandoned`, when given, aborts if the wait is given up before its end (the refresh failed
 * meanwhile: STS cannot be reached), so that what tells of it stops too.
 */
export type StepWaitListener = (waitMs: number, abandoned?: AbortSignal) => void;

/** A code ready to send. */
export interface TotpCode {
  /** The 6 digits. */
  readonly code: string;
  /** Its time step (AWS time / 30 s); already claimed for the device. */
  readonly step: number;
  /** When the step ends, in milliseconds of AWS time. */
  readonly validUntil: number;
}

/** Options for {@link TotpGenerator}. */
export interface TotpGeneratorOptions {
  readonly clock: Clock;
  /** This computer's clock against AWS's. */
  readonly offset: ClockOffset;
  /** The shared record of claimed steps and sent codes. */
  readonly usedCodes: Pick<UsedCodes, 'lastStep' | 'claimStep' | 'claimTypedCode' | 'release'>;
  /** Wait for the next step when less than this is left of the current one. Default 3 s. */
  readonly minRemainingMs?: number;
  /** The longest the generator waits for a usable step before giving up. Default 40 s. */
  readonly maxWaitMs?: number;
}

/**
 * Where a refresh's code comes from: generated from a device's TOTP secret, or typed by the user;
 * either way claimed in the shared record first, so that no code (and no time step) is sent twice
 * for one device by this process, another MFA Tray window, or the command.
 */
export class TotpGenerator {
  readonly #clock: Clock;
  readonly #offset: ClockOffset;
  readonly #used: TotpGeneratorOptions['usedCodes'];
  readonly #minRemainingMs: number;
  readonly #maxWaitMs: number;

  constructor(options: TotpGeneratorOptions) {
    this.#clock = options.clock;
    this.#offset = options.offset;
    this.#used = options.usedCodes;
    this.#minRemainingMs = options.minRemainingMs ?? TOTP_MIN_REMAINING_MS;
    this.#maxWaitMs = options.maxWaitMs ?? 40_000;
  }

  /** The current time step by AWS's clock. */
  currentStep(): number {
    return totpStep(this.#offset.awsNow(this.#clock));
  }

  /**
   * A code for a device that AWS will accept: of a step never claimed for the device and with at
   * least ~3 s left, waiting (on the clock's timers) for the next step when needed. The step is
   * claimed before this returns, so a second call for the same device gets a later step.
   *
   * Fails with `code-reused` (retryable) when no usable step comes within the wait limit (another
   * process claimed a step far ahead, for example after this computer's clock was set back), and
   * with `invalid-totp-secret` for a secret that is not usable.
   */
  async nextCode(mfaSerial: string, secret: string, options: { readonly signal?: AbortSignal; readonly onWait?: StepWaitListener } = {}): Promise<TotpCode> {
    decodeSecret(secret); // Fail on a bad secret before claiming anything.
    const deadline = this.#clock.now() + this.#maxWaitMs;
    // Steps this call saw refused (a same-digits code typed by the user) even though lastStep is lower.
    let notBefore = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const now = this.#offset.awsNow(this.#clock);
      const step = totpStep(now);
      let target = Math.max(step, notBefore);
      if ((step + 1) * PERIOD_MS - now < this.#minRemainingMs) target = Math.max(target, step + 1);
      const last = await this.#used.lastStep(mfaSerial);
      if (last !== undefined && last >= target) target = last + 1;

      if (target > step) {
        const waitMs = target * PERIOD_MS - now;
        if (this.#clock.now() + waitMs > deadline) {
          throw new MfaTrayError(
            'code-reused',
            `The next usable code for MFA device ${mfaSerial} is ${Math.ceil(waitMs / 1000)} s away (a code for the current time step was already sent). Try again then; if this keeps happening, check this computer's clock.`,
            { retryable: true },
          );
        }
        options.onWait?.(waitMs, options.signal);
        await sleep(this.#clock, waitMs, options.signal);
        continue;
      }

      const code = await totpCode(secret, step);
      try {
        await this.#used.claimStep(mfaSerial, step, code);
      } catch (error) {
        // Another process took this step first, or the user typed these digits: try the next step.
        if (error instanceof MfaTrayError && error.code === 'code-reused') {
          notBefore = step + 1;
          continue;
        }
        throw error;
      }
      return { code, step, validUntil: (step + 1) * PERIOD_MS };
    }
  }

  /** Like {@link nextCode}, returning only the digits (the sessions' `CodeSource.generate`). */
  async generate(mfaSerial: string, secret: string, options: { readonly onWait?: StepWaitListener; readonly signal?: AbortSignal } = {}): Promise<string> {
    return (await this.nextCode(mfaSerial, secret, options)).code;
  }

  /** Claims a code the user typed; `code-reused` when it was sent for the device within 90 s. */
  async claimTyped(mfaSerial: string, code: string): Promise<void> {
    await this.#used.claimTypedCode(mfaSerial, code, this.#clock.now());
  }

  /** Gives a claimed code (typed or generated) back: AWS has not used it (see UsedCodes.release). */
  async release(mfaSerial: string, code: string): Promise<void> {
    await this.#used.release(mfaSerial, code);
  }
}

function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
