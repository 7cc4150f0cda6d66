/**
 * A loopback STS for tests: speaks STS's query protocol over HTTP on 127.0.0.1, checks what real STS
 * checks (SigV4 signatures against the registered secret, the request time against its own clock,
 * TOTP codes against the registered device, replayed time steps, parameter constraints) and answers
 * with STS's real XML bodies, error codes, messages and HTTP statuses. Faults (latency, a hang, 5xx,
 * throttling, a skewed clock, malformed bodies) can be switched on from a test.
 *
 * Point the AWS SDK at it the way a user would point it elsewhere: `AWS_ENDPOINT_URL_STS=<endpoint>`
 * (see {@link StsServer.env}), or an explicit endpoint option that mirrors it.
 *
 * ```ts
 * const sts = await startStsServer();
 * const alice = sts.registerUser({ name: 'alice' });
 * // ... drive the code under test with alice.accessKeyId / alice.secretAccessKey / alice.mfaSerial,
 * // and a code from sts.currentCode(alice) ...
 * assert.equal(sts.requests.length, 1);
 * await sts.close();
 * ```
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';
import { generateSecret, generateSync, verifySync } from 'otplib';
import { IAM_API_VERSION, IAM_XMLNS, createIamService, type IamDeviceInput, type IamMfaDevice, type IamPolicy } from './iam-service';

export type { IamMfaDevice, IamPolicy } from './iam-service';

/** STS's API version; the only one it speaks. */
const API_VERSION = '2011-06-15';
const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** How far a request's X-Amz-Date may be from the server's clock (SigV4's rule). */
const MAX_SIGNATURE_SKEW_MS = 5 * 60 * 1000;
const TOTP_PERIOD_S = 30;

/** STS's exact error messages (the ones DESIGN.md's table relies on). */
export const STS_MESSAGES = {
  invalidCode: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
  wrongDevice: 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  sessionCredentials: 'Cannot call GetSessionToken with session credentials',
  invalidClientTokenId: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  rateExceeded: 'Rate exceeded',
  missingAuthenticationToken: 'Request is missing Authentication Token',
} as const;

/** A user as registered with {@link StsServer.registerUser}; every field filled in. */
export interface StsUser {
  readonly name: string;
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
  /** The long-lived key (`AKIA...`). */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The user's MFA device, or undefined for a user without one. */
  readonly mfaSerial: string | undefined;
  /** The device's base32 TOTP secret (SHA-1, 6 digits, 30 s, as AWS virtual devices). */
  readonly totpSecret: string | undefined;
  /** What the user's IAM policy lets a caller without MFA do in IAM (see {@link StsUserInput.iamPolicy}). */
  readonly iamPolicy: IamPolicy;
}

/** What {@link StsServer.registerUser} takes; everything is generated when left out. */
export interface StsUserInput {
  /** IAM user name (default: a random `user-xxxx`). */
  readonly name?: string;
  /** Account id (default `123456789012`). */
  readonly account?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** The device serial (default: the virtual device `arn:aws:iam::<account>:mfa/<name>`); `null`: no device. */
  readonly mfaSerial?: string | null;
  /** Base32 TOTP secret for the device (default: a fresh 40-byte secret, as AWS generates). */
  readonly totpSecret?: string;
  /**
   * `self-service` (default): AWS's self-service MFA policy, under which a user without MFA may still
   * list and manage their own MFA devices; `mfa-required`: the article's minimal policy, which denies
   * every IAM action without MFA.
   */
  readonly iamPolicy?: IamPolicy;
}

/** A session the server handed out; tests can check it against what the code under test stored. */
export interface IssuedSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Expiry by the server's clock, ms since the epoch. */
  readonly expiresAt: number;
  readonly user: StsUser;
  /** Whether the session was got with an MFA code (`aws:MultiFactorAuthPresent`), itself or by its source. */
  readonly mfa: boolean;
  /** For a session of an assumed role: the role and the session name. */
  readonly role?: { readonly role: StsRole; readonly sessionName: string };
}

/** A role as registered with {@link StsServer.registerRole}: whom it trusts and on what conditions. */
export interface StsRole {
  readonly name: string;
  readonly account: string;
  readonly arn: string;
  readonly roleId: string;
  /** The users its trust policy names. */
  readonly trusts: readonly StsUser[];
  /** The trust policy's `"Bool": {"aws:MultiFactorAuthPresent": "true"}`. */
  readonly requireMfa: boolean;
  /** The trust policy's `sts:ExternalId`, when it has one. */
  readonly externalId?: string;
  /** The role's MaxSessionDuration, in seconds (AWS's default: 3600). */
  readonly maxSessionDuration: number;
}

/** One request as the server saw it (also faulted and refused ones), for "sent once" assertions. */
export interface StsRequestRecord {
  /** The `Action` parameter (`GetSessionToken`, `GetCallerIdentity`, or whatever was sent). */
  readonly action: string | undefined;
  /** The access key id from the Authorization header's credential scope. */
  readonly accessKeyId: string | undefined;
  /** The region from the credential scope. */
  readonly region: string | undefined;
  readonly serialNumber: string | undefined;
  /** The `TokenCode` sent, verbatim. */
  readonly tokenCode: string | undefined;
  readonly durationSeconds: string | undefined;
  /** The TOTP time step the code matched, when it matched one. */
  timeStep?: number;
  /** The server's clock when the request arrived, ms since the epoch. */
  readonly receivedAt: number;
  /** The server's clock when the answer went out (after any latency); undefined while unanswered. See {@link maxInFlight}. */
  answeredAt?: number;
  /** What the server did: `ok`, an STS error code, or the fault it injected (`hang`, `5xx`, `malformed`). */
  outcome: string;
  /** HTTP status sent (undefined while hanging). */
  status: number | undefined;
  /** The server's clock when the client dropped a request left hanging (it gave up, or ended). */
  droppedAt?: number;
}

/**
 * The most of these requests the server held at one time (received, not yet answered; one never
 * answered counts as held to the end): more than 1 means that a client sent them side by side.
 * With {@link StsServer.setLatency} every request is held that long, so requests sent one after
 * another never overlap, whatever the machine's speed.
 */
export function maxInFlight(records: readonly StsRequestRecord[]): number {
  const edges = records.flatMap((r) => [
    { at: r.receivedAt, step: 1 },
    { at: r.answeredAt ?? Number.POSITIVE_INFINITY, step: -1 },
  ]);
  // At the same instant an answer goes out before the next request counts.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let held = 0;
  let most = 0;
  for (const { step } of edges) {
    held += step;
    most = Math.max(most, held);
  }
  return most;
}

/** Kinds of malformed answers for {@link StsServer.malformNext}. */
export type MalformedKind =
  /** HTTP 200 with an HTML page, as a captive portal or proxy would send. */
  | 'html'
  /** HTTP 200 with the real XML cut off in the middle. */
  | 'truncated'
  /** HTTP 200 with well-formed XML of the right response element, but no credentials in it. */
  | 'empty-result'
  /** HTTP 403 with an HTML page, as a corporate proxy refusing the host would send. */
  | 'proxy-403'
  /** The real answer, but its session's Expiration is in 2001 (a hostile or broken endpoint). */
  | 'expired-session'
  /** As 'expired-session', without a Date header (so only this computer's clock can judge it). */
  | 'expired-session-undated'
  /** The real answer, but its session lasts 60 s whatever was asked. */
  | 'short-session'
  /** The real answer, but its session lasts 48 hours whatever was asked. */
  | 'long-session'
  /** HTTP 200, 50 MB of XML-ish text streamed in chunks, no Content-Length. */
  | 'huge'
  /** HTTP 200 declaring a 50 MB Content-Length (and starting to send it). */
  | 'huge-declared'
  /** No answer at all: the connection is closed once the request was processed, as a network that drops on the way back. */
  | 'dropped';

/** Options for {@link startStsServer}; all can be changed later through the setters. */
export interface StsServerOptions {
  /** Server clock minus real time, ms: used for the Date header, the SigV4 time check and TOTP. */
  readonly clockSkewMs?: number;
  /** Delay before every answer, ms. */
  readonly latencyMs?: number;
}

/** A running loopback STS. */
export interface StsServer {
  /** `http://127.0.0.1:<port>`: the value for `AWS_ENDPOINT_URL_STS`. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: readonly StsRequestRecord[];
  /** Every session handed out, oldest first. */
  readonly sessions: readonly IssuedSession[];
  /** The environment that points the AWS SDK (and child processes) here, for STS and IAM. */
  env(): { AWS_ENDPOINT_URL_STS: string; AWS_ENDPOINT_URL_IAM: string };
  /** Registers an IAM user with a long-lived key and (by default) a virtual MFA device. */
  registerUser(input?: StsUserInput): StsUser;
  /** Gives a user one more MFA device (an enabled virtual or hardware TOTP device, or a security key). */
  addDevice(user: StsUser, input: IamDeviceInput): IamMfaDevice;
  /** A user's MFA devices as IAM lists them (enabled ones), oldest first. */
  devicesOf(user: StsUser): readonly IamMfaDevice[];
  /** Virtual devices created and not assigned to anyone (what a failed enrolment leaves behind). */
  pendingDevices(): readonly string[];
  /** Registers a role that `trusts` may assume (with MFA, an external id, a longer maximum, as given). */
  registerRole(input: {
    readonly name: string;
    readonly account?: string;
    readonly trusts: readonly StsUser[];
    readonly requireMfa?: boolean;
    readonly externalId?: string;
    readonly maxSessionDuration?: number;
  }): StsRole;
  /** The server's clock: real time plus the skew. */
  now(): number;
  /** The TOTP code of a user's first device (or of a device) by the server's clock, `steps` time steps from now (e.g. -1, +1). */
  currentCode(device: { readonly totpSecret?: string | undefined; readonly name?: string }, steps?: number): string;
  /** The TOTP code for a given instant, ms since the epoch. */
  codeAt(device: { readonly totpSecret?: string | undefined; readonly name?: string }, atMs: number): string;
  /**
   * Waits (at most `marginMs`) until the server's current TOTP step has at least `marginMs` left, so
   * that a test relying on "this step, ±1" does not straddle a step boundary. The default, 5 s, is
   * more than the 3 s a generated code needs left in its step (TOTP_MIN_REMAINING_MS) with the
   * measured offset's 1-s dead zone and a round trip besides: with less, the generator waits for the
   * next step on the engine's clock, which under a test's FakeClock only moves when the test moves
   * it (a test that moves its clock first uses support/step-clock.ts).
   */
  avoidStepEdge(marginMs?: number): Promise<void>;
  /** How many requests with this `Action` arrived (all, when no action is given). */
  count(action?: string): number;
  /** Skews the server's clock by `ms` (positive: the server is ahead of this computer). */
  setClockSkew(ms: number): void;
  /** Delays every answer by `ms`. */
  setLatency(ms: number): void;
  /** While on, requests (with `action`: those with that `Action`) are read and logged but never answered (until close()). */
  setHang(on: boolean, action?: string): void;
  /**
   * The next `n` requests fail with `status` (500: InternalFailure, 503: ServiceUnavailable); with
   * `action`, the next `n` with that `Action` (the others are answered as usual).
   */
  failNext(n: number, status?: 500 | 502 | 503 | 504, action?: string): void;
  /** The next `n` requests are throttled (`Throttling`, `Rate exceeded`, HTTP 400). */
  throttleNext(n: number): void;
  /**
   * The next `n` requests get a malformed answer (processed first: a code sent is used up); with
   * `action`, the next `n` with that `Action`.
   */
  malformNext(n: number, kind?: MalformedKind, action?: string): void;
  /**
   * The next request gets exactly this answer, whatever it asked (for property tests of hostile
   * endpoints): nothing is checked or issued. `dated: false` leaves the Date header out.
   */
  answerNext(answer: { readonly status: number; readonly body: string; readonly contentType?: string; readonly dated?: boolean }): void;
  /** The next `n` ListMFADevices answers are stale: devices enabled in the last minute are left out (IAM is eventually consistent). */
  staleListsNext(n: number): void;
  /** Resets every fault (the clock skew too) and keeps users, sessions and the request log. */
  clearFaults(): void;
  /** Stops listening and drops every open connection (hanging ones too). */
  close(): Promise<void>;
}

/** An STS error: code, message, HTTP status, and the `Type` element (Sender or Receiver). */
class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** Access key ids are upper-case base32 after their prefix (AKIA, ASIA, AIDA). */
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length];
  return id;
}

function randomSecret(): string {
  // 40 characters of base64 alphabet, as AWS secret access keys look.
  return randomBytes(30).toString('base64');
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** ISO 8601 basic format, as in X-Amz-Date: 20240101T000000Z. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header.trim());
  if (!m?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service, terminator] = credential as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator, signedHeaders: signedHeaders.split(';'), signature };
}

/** The SigV4 canonical request (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). */
function canonicalRequest(req: IncomingMessage, body: Buffer, signedHeaders: readonly string[]): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  // Non-S3 services encode each segment of the path as sent once more ("double encoding").
  const canonicalUri = rawPath.split('/').map(rfc3986).join('/') || '/';
  const canonicalQuery = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      return [rfc3986(key), rfc3986(value)] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const values = req.headersDistinct[name] ?? [];
      return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
    })
    .join('');
  // The hash of the body as received, never the declared X-Amz-Content-Sha256: a body changed in
  // transit must not verify (STS does not accept unsigned payloads).
  const payloadHash = sha256Hex(body);
  return [req.method ?? 'POST', canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

function expectedSignature(secret: string, auth: ParsedAuthorization, amzDateValue: string, canonical: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminator}`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDateValue, scope, sha256Hex(canonical)].join('\n');
  const kDate = hmac(`AWS4${secret}`, auth.date);
  const kRegion = hmac(kDate, auth.region);
  const kService = hmac(kRegion, auth.service);
  const kSigning = hmac(kService, auth.terminator);
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** STS's ValidationError wording: "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: ...". */
function validationError(violations: readonly string[]): StsError {
  const n = violations.length;
  return new StsError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`, 400);
}

function violation(value: string, field: string, constraint: string): string {
  return `Value '${value}' at '${field}' failed to satisfy constraint: Member must ${constraint}`;
}

/** Checks GetSessionToken's parameters as STS's model constrains them. */
function validateGetSessionToken(params: URLSearchParams): void {
  const violations: string[] = [];
  const duration = params.get('DurationSeconds');
  if (duration !== null) {
    const n = Number(duration);
    if (!/^-?\d+$/.test(duration)) violations.push(violation(duration, 'durationSeconds', 'be an integer'));
    else if (n < 900) violations.push(violation(duration, 'durationSeconds', 'have value greater than or equal to 900'));
    else if (n > 129600) violations.push(violation(duration, 'durationSeconds', 'have value less than or equal to 129600'));
  }
  const serial = params.get('SerialNumber');
  if (serial !== null) {
    if (serial.length < 9) violations.push(violation(serial, 'serialNumber', 'have length greater than or equal to 9'));
    else if (serial.length > 256) violations.push(violation(serial, 'serialNumber', 'have length less than or equal to 256'));
    else if (!/^[\w+=/:,.@-]*$/.test(serial)) violations.push(violation(serial, 'serialNumber', 'satisfy regular expression pattern: [\\w+=/:,.@-]*'));
  }
  const code = params.get('TokenCode');
  if (code !== null) {
    if (code.length < 6) violations.push(violation(code, 'tokenCode', 'have length greater than or equal to 6'));
    else if (code.length > 6) violations.push(violation(code, 'tokenCode', 'have length less than or equal to 6'));
    else if (!/^\d*$/.test(code)) violations.push(violation(code, 'tokenCode', 'satisfy regular expression pattern: [\\d]*'));
  }
  if (violations.length > 0) throw validationError(violations);
}

function errorXml(error: StsError, requestId: string, xmlns = XMLNS): string {
  return [
    `<ErrorResponse xmlns="${xmlns}">`,
    '  <Error>',
    `    <Type>${error.type}</Type>`,
    `    <Code>${escapeXml(error.code)}</Code>`,
    `    <Message>${escapeXml(error.message)}</Message>`,
    '  </Error>',
    `  <RequestId>${requestId}</RequestId>`,
    '</ErrorResponse>',
    '',
  ].join('\n');
}

function resultXml(action: string, fields: string, requestId: string, xmlns = XMLNS): string {
  return [
    `<${action}Response xmlns="${xmlns}">`,
    `  <${action}Result>`,
    fields,
    `  </${action}Result>`,
    '  <ResponseMetadata>',
    `    <RequestId>${requestId}</RequestId>`,
    '  </ResponseMetadata>',
    `</${action}Response>`,
    '',
  ].join('\n');
}

export interface Caller {
  readonly user: StsUser;
  /** Set when the request was signed with a session this server issued. */
  readonly session?: IssuedSession;
}

/** The namespace of the service a request was signed for, for its error answer. */
function xmlnsOf(req: IncomingMessage): string {
  return parseAuthorization(req.headers.authorization ?? '')?.service === 'iam' ? IAM_XMLNS : XMLNS;
}

/**
 * Starts a loopback STS on 127.0.0.1 and a free port.
 *
 * @returns the running server; call {@link StsServer.close} when done (an `after()` hook).
 */
export async function startStsServer(options: StsServerOptions = {}): Promise<StsServer> {
  const usersByKey = new Map<string, StsUser>();
  const sessionsByKey = new Map<string, IssuedSession>();
  /** The last TOTP time step accepted per device serial: AWS refuses it (and older ones) again. */
  const lastStepBySerial = new Map<string, number>();
  const requests: StsRequestRecord[] = [];
  const sessions: IssuedSession[] = [];

  let clockSkewMs = options.clockSkewMs ?? 0;
  let latencyMs = options.latencyMs ?? 0;
  let hang: { readonly action?: string } | undefined;
  let rawAnswer: { readonly status: number; readonly body: string; readonly contentType?: string; readonly dated?: boolean } | undefined;
  let failures: { remaining: number; status: number; action?: string | undefined } = { remaining: 0, status: 503 };
  let throttles = 0;
  let malformed: { remaining: number; kind: MalformedKind; action?: string | undefined } = { remaining: 0, kind: 'html' };
  /** Whether a fault given for `action` (or for any request, when it has none) applies to this one. */
  const aimedAt = (fault: { readonly action?: string | undefined }, record: StsRequestRecord): boolean =>
    fault.action === undefined || fault.action === record.action;

  const now = (): number => Date.now() + clockSkewMs;

  function registerUser(input: StsUserInput = {}): StsUser {
    const name = input.name ?? `user-${randomId('', 6).toLowerCase()}`;
    const account = input.account ?? '123456789012';
    const mfaSerial = input.mfaSerial === null ? undefined : (input.mfaSerial ?? `arn:aws:iam::${account}:mfa/${name}`);
    const user: StsUser = {
      name,
      account,
      arn: `arn:aws:iam::${account}:user/${name}`,
      userId: randomId('AIDA', 17),
      accessKeyId: input.accessKeyId ?? randomId('AKIA', 16),
      secretAccessKey: input.secretAccessKey ?? randomSecret(),
      mfaSerial,
      totpSecret: mfaSerial === undefined ? undefined : (input.totpSecret ?? generateSecret({ length: 40 })),
      iamPolicy: input.iamPolicy ?? 'self-service',
    };
    usersByKey.set(user.accessKeyId, user);
    if (user.mfaSerial !== undefined) iam.enrolled(user, user.mfaSerial, user.totpSecret);
    return user;
  }

  const rolesByArn = new Map<string, StsRole>();
  const iam = createIamService({ now, fail: (code, message, status) => new StsError(code, message, status) });

  function registerRole(input: Parameters<StsServer['registerRole']>[0]): StsRole {
    const account = input.account ?? '123456789012';
    const role: StsRole = {
      name: input.name,
      account,
      arn: `arn:aws:iam::${account}:role/${input.name}`,
      roleId: randomId('AROA', 17),
      trusts: input.trusts,
      requireMfa: input.requireMfa ?? false,
      ...(input.externalId === undefined ? {} : { externalId: input.externalId }),
      maxSessionDuration: input.maxSessionDuration ?? 3600,
    };
    rolesByArn.set(role.arn, role);
    return role;
  }

  /** The TOTP check GetSessionToken and AssumeRole share: ±1 step, a step never twice per device. */
  function checkCode(user: StsUser, serial: string | null, code: string | null, record: StsRequestRecord): void {
    const device = serial === null ? undefined : iam.totpDevice(user, serial);
    if (serial === null || device?.totpSecret === undefined) {
      throw new StsError('AccessDenied', STS_MESSAGES.wrongDevice, 403);
    }
    if (code === null) throw new StsError('AccessDenied', STS_MESSAGES.invalidCode, 403);
    const result = verifySync({
      secret: device.totpSecret,
      token: code,
      epoch: Math.floor(now() / 1000),
      epochTolerance: TOTP_PERIOD_S,
      period: TOTP_PERIOD_S,
      digits: 6,
      algorithm: 'sha1',
    });
    if (!result.valid || !('timeStep' in result)) throw new StsError('AccessDenied', STS_MESSAGES.invalidCode, 403);
    record.timeStep = result.timeStep;
    const last = lastStepBySerial.get(serial);
    if (last !== undefined && result.timeStep <= last) {
      record.outcome = 'AccessDenied (replayed time step)';
      throw new StsError('AccessDenied', STS_MESSAGES.invalidCode, 403);
    }
    lastStepBySerial.set(serial, result.timeStep);
  }

  function issue(user: StsUser, durationSeconds: number, mfa: boolean, role?: IssuedSession['role']): IssuedSession {
    // Whole seconds, as STS writes Expiration.
    const expiresAt = Math.floor(now() / 1000) * 1000 + durationSeconds * 1000;
    const session: IssuedSession = {
      accessKeyId: randomId('ASIA', 16),
      secretAccessKey: randomSecret(),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
      expiresAt,
      user,
      mfa,
      ...(role ? { role } : {}),
    };
    sessionsByKey.set(session.accessKeyId, session);
    sessions.push(session);
    return session;
  }

  function credentialsXml(session: IssuedSession): string {
    return [
      '    <Credentials>',
      `      <AccessKeyId>${session.accessKeyId}</AccessKeyId>`,
      `      <SecretAccessKey>${escapeXml(session.secretAccessKey)}</SecretAccessKey>`,
      `      <SessionToken>${escapeXml(session.sessionToken)}</SessionToken>`,
      `      <Expiration>${new Date(session.expiresAt).toISOString().replace('.000Z', 'Z')}</Expiration>`,
      '    </Credentials>',
    ].join('\n');
  }

  /** AssumeRole as STS answers it: trust, MFA, external id, durations (an hour at most from a session), AWS's words. */
  function assumeRole(caller: Caller, params: URLSearchParams, record: StsRequestRecord): string {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const violations: string[] = [];
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(roleArn))
      violations.push(
        violation(
          roleArn,
          'roleArn',
          'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+',
        ),
      );
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
      violations.push(violation(sessionName, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*'));
    const durationText = params.get('DurationSeconds');
    const durationSeconds = durationText === null ? 3600 : Number(durationText);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
      violations.push(violation(String(durationText), 'durationSeconds', 'Member must have value less than or equal to 43200'));
    }
    if (violations.length > 0) throw validationError(violations);
    const principal = caller.session?.role
      ? `arn:aws:sts::${caller.session.role.role.account}:assumed-role/${caller.session.role.role.name}/${caller.session.role.sessionName}`
      : caller.user.arn;
    const denied = new StsError('AccessDenied', `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
    const role = rolesByArn.get(roleArn);
    if (!role || !role.trusts.some((u) => u.accessKeyId === caller.user.accessKeyId)) throw denied;
    let mfa = caller.session?.mfa ?? false;
    if (params.get('SerialNumber') !== null || params.get('TokenCode') !== null) {
      checkCode(caller.user, params.get('SerialNumber'), params.get('TokenCode'), record);
      mfa = true;
    }
    if (role.requireMfa && !mfa) throw denied;
    if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied;
    // Temporary credentials assuming a role: role chaining, an hour at most.
    if (caller.session && durationSeconds > 3600) {
      throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.', 400);
    }
    if (durationSeconds > role.maxSessionDuration) {
      throw new StsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
    }
    const session = issue(caller.user, durationSeconds, mfa, { role, sessionName });
    return [
      credentialsXml(session),
      '    <AssumedRoleUser>',
      `      <AssumedRoleId>${role.roleId}:${escapeXml(sessionName)}</AssumedRoleId>`,
      `      <Arn>arn:aws:sts::${role.account}:assumed-role/${escapeXml(role.name)}/${escapeXml(sessionName)}</Arn>`,
      '    </AssumedRoleUser>',
    ].join('\n');
  }

  function codeAt(device: { readonly totpSecret?: string | undefined; readonly name?: string }, atMs: number): string {
    if (device.totpSecret === undefined) throw new Error(`${device.name ?? 'this device'} has no TOTP secret`);
    return generateSync({ secret: device.totpSecret, epoch: Math.floor(atMs / 1000), period: TOTP_PERIOD_S, digits: 6, algorithm: 'sha1' });
  }

  /** Authenticates a request by SigV4, as STS does: key, then time, then signature. */
  function authenticate(req: IncomingMessage, body: Buffer): Caller & { readonly service: 'sts' | 'iam' } {
    const header = req.headers.authorization;
    if (header === undefined) throw new StsError('MissingAuthenticationToken', STS_MESSAGES.missingAuthenticationToken, 403);
    const auth = parseAuthorization(header);
    if (!auth) {
      throw new StsError(
        'IncompleteSignature',
        `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(' ')[0]}`,
        400,
      );
    }
    const session = sessionsByKey.get(auth.accessKeyId);
    const user = session?.user ?? usersByKey.get(auth.accessKeyId);
    if (!user) throw new StsError('InvalidClientTokenId', STS_MESSAGES.invalidClientTokenId, 403);
    // A session key is known only with its own token; a long-lived key must come without one.
    const token = req.headers['x-amz-security-token'];
    if (session ? token !== session.sessionToken : token !== undefined) {
      throw new StsError('InvalidClientTokenId', STS_MESSAGES.invalidClientTokenId, 403);
    }
    if (session && session.expiresAt <= now()) throw new StsError('ExpiredToken', STS_MESSAGES.expiredToken, 403);

    const dateHeader = req.headers['x-amz-date'];
    const sent = typeof dateHeader === 'string' ? parseAmzDate(dateHeader) : undefined;
    if (typeof dateHeader !== 'string' || sent === undefined || !auth.signedHeaders.includes('x-amz-date')) {
      throw new StsError('IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", 400);
    }
    const serverNow = now();
    if (sent < serverNow - MAX_SIGNATURE_SKEW_MS) {
      throw new StsError(
        'SignatureDoesNotMatch',
        `Signature expired: ${dateHeader} is now earlier than ${amzDate(serverNow - MAX_SIGNATURE_SKEW_MS)} (${amzDate(serverNow)} - 5 min.)`,
        403,
      );
    }
    if (sent > serverNow + MAX_SIGNATURE_SKEW_MS) {
      throw new StsError(
        'SignatureDoesNotMatch',
        `Signature not yet current: ${dateHeader} is still later than ${amzDate(serverNow + MAX_SIGNATURE_SKEW_MS)} (${amzDate(serverNow)} + 5 min.)`,
        403,
      );
    }
    // One server answers both services; which one a request is for is the service it was signed for.
    if (auth.service !== 'sts' && auth.service !== 'iam')
      throw new StsError('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'. ", 403);
    if (auth.terminator !== 'aws4_request')
      throw new StsError('SignatureDoesNotMatch', "Credential should be scoped with a valid terminator: 'aws4_request', not '" + auth.terminator + "'. ", 403);
    if (auth.date !== dateHeader.slice(0, 8))
      throw new StsError(
        'SignatureDoesNotMatch',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`,
        403,
      );
    if (!auth.signedHeaders.includes('host'))
      throw new StsError('SignatureDoesNotMatch', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 403);

    const secret = session?.secretAccessKey ?? user.secretAccessKey;
    const expected = expectedSignature(secret, auth, dateHeader, canonicalRequest(req, body, auth.signedHeaders));
    if (!sameHex(expected, auth.signature)) throw new StsError('SignatureDoesNotMatch', STS_MESSAGES.signatureDoesNotMatch, 403);
    const service = auth.service;
    return session ? { user, session, service } : { user, service };
  }

  function getSessionToken(caller: Caller, params: URLSearchParams, record: StsRequestRecord): string {
    validateGetSessionToken(params);
    if (caller.session) throw new StsError('AccessDenied', STS_MESSAGES.sessionCredentials, 403);
    const serial = params.get('SerialNumber');
    const code = params.get('TokenCode');
    const mfa = serial !== null || code !== null;
    if (mfa) checkCode(caller.user, serial, code, record);
    const durationSeconds = Number(params.get('DurationSeconds') ?? 43200);
    return credentialsXml(issue(caller.user, durationSeconds, mfa));
  }

  function getCallerIdentity(caller: Caller): string {
    const { user } = caller;
    const role = caller.session?.role;
    if (role) {
      return [
        `    <Arn>arn:aws:sts::${role.role.account}:assumed-role/${escapeXml(role.role.name)}/${escapeXml(role.sessionName)}</Arn>`,
        `    <UserId>${role.role.roleId}:${escapeXml(role.sessionName)}</UserId>`,
        `    <Account>${role.role.account}</Account>`,
      ].join('\n');
    }
    return [`    <Arn>${escapeXml(user.arn)}</Arn>`, `    <UserId>${user.userId}</UserId>`, `    <Account>${user.account}</Account>`].join('\n');
  }

  interface Answer {
    readonly status: number;
    readonly body: string;
    readonly contentType?: string;
  }

  function send(res: ServerResponse, record: StsRequestRecord, requestId: string, answer: Answer, options: { readonly undated?: boolean } = {}): void {
    const write = (): void => {
      if (res.destroyed) return;
      record.status = answer.status;
      record.answeredAt = now();
      if (options.undated) res.sendDate = false;
      res.writeHead(answer.status, {
        // Node would add a Date from the real clock; STS's comes from its own (possibly skewed) one.
        ...(options.undated ? {} : { Date: new Date(now()).toUTCString() }),
        'Content-Type': answer.contentType ?? 'text/xml',
        'Content-Length': Buffer.byteLength(answer.body),
        'x-amzn-RequestId': requestId,
      });
      res.end(answer.body);
    };
    if (latencyMs > 0) setTimeout(write, latencyMs);
    else write();
  }

  /** 50 MB, written as fast as the client reads it, until it is all sent or the client hangs up. */
  function sendHuge(res: ServerResponse, record: StsRequestRecord, declared: boolean): void {
    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, '<x/>');
    record.status = 200;
    record.answeredAt = now();
    res.writeHead(200, { Date: new Date(now()).toUTCString(), 'Content-Type': 'text/xml', ...(declared ? { 'Content-Length': total } : {}) });
    let sent = 0;
    const pump = (): void => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => {
      record.outcome = `${record.outcome}; ${sent} bytes sent`;
    });
    pump();
  }

  function errorAnswer(record: StsRequestRecord, error: StsError, requestId: string, xmlns = XMLNS): Answer {
    if (record.outcome === 'pending') record.outcome = error.code;
    return { status: error.status, body: errorXml(error, requestId, xmlns) };
  }

  /** What STS itself would answer (faults that replace the answer come after). */
  function answerFor(req: IncomingMessage, body: Buffer, params: URLSearchParams, record: StsRequestRecord, requestId: string): Answer {
    try {
      const caller = authenticate(req, body);
      if (caller.service === 'iam') {
        if (params.get('Version') !== IAM_API_VERSION) {
          throw new StsError(
            'InvalidAction',
            `Could not find operation ${record.action ?? ''} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
            400,
          );
        }
        const fields = iam.answer(caller, params, record.action ?? '');
        record.outcome = 'ok';
        return { status: 200, body: resultXml(record.action ?? '', fields, requestId, IAM_XMLNS) };
      }
      if (params.get('Version') !== API_VERSION) {
        throw new StsError(
          'InvalidAction',
          `Could not find operation ${record.action ?? ''} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`,
          400,
        );
      }
      let fields: string;
      if (record.action === 'GetSessionToken') fields = getSessionToken(caller, params, record);
      else if (record.action === 'GetCallerIdentity') fields = getCallerIdentity(caller);
      else if (record.action === 'AssumeRole') fields = assumeRole(caller, params, record);
      else throw new StsError('InvalidAction', `Could not find operation ${record.action ?? ''} for version ${API_VERSION}`, 400);
      record.outcome = 'ok';
      return { status: 200, body: resultXml(record.action, fields, requestId) };
    } catch (error) {
      if (error instanceof StsError) return errorAnswer(record, error, requestId, xmlnsOf(req));
      record.outcome = `InternalFailure (${String(error)})`;
      return errorAnswer(record, new StsError('InternalFailure', 'An internal error has occurred.', 500, 'Receiver'), requestId);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const params = new URLSearchParams(req.method === 'POST' ? body.toString('utf8') : ((req.url ?? '').split('?')[1] ?? ''));
    const auth = parseAuthorization(req.headers.authorization ?? '');
    const requestId = randomUUID();
    const record: StsRequestRecord = {
      action: params.get('Action') ?? undefined,
      accessKeyId: auth?.accessKeyId,
      region: auth?.region,
      serialNumber: params.get('SerialNumber') ?? undefined,
      tokenCode: params.get('TokenCode') ?? undefined,
      durationSeconds: params.get('DurationSeconds') ?? undefined,
      receivedAt: now(),
      outcome: 'pending',
      status: undefined,
    };
    requests.push(record);

    if (hang && (hang.action === undefined || hang.action === record.action)) {
      record.outcome = 'hang';
      res.on('close', () => (record.droppedAt = now()));
      return;
    }
    if (rawAnswer !== undefined) {
      const answer = rawAnswer;
      rawAnswer = undefined;
      record.outcome = 'raw';
      send(res, record, requestId, answer, { undated: answer.dated === false });
      return;
    }
    if (failures.remaining > 0 && aimedAt(failures, record)) {
      failures.remaining -= 1;
      record.outcome = '5xx';
      const error =
        failures.status === 503
          ? new StsError('ServiceUnavailable', 'Service is unable to handle request.', 503, 'Receiver')
          : new StsError('InternalFailure', 'An internal error has occurred.', failures.status, 'Receiver');
      send(res, record, requestId, errorAnswer(record, error, requestId));
      return;
    }
    if (throttles > 0) {
      throttles -= 1;
      send(res, record, requestId, errorAnswer(record, new StsError('Throttling', STS_MESSAGES.rateExceeded, 400), requestId));
      return;
    }

    const answer = answerFor(req, body, params, record, requestId);
    if (malformed.remaining > 0 && aimedAt(malformed, record)) {
      // The request was processed (a code was used up, a session issued) but the answer is mangled on
      // the way back, as by a captive portal or a broken proxy.
      malformed.remaining -= 1;
      record.outcome = `malformed (${record.outcome})`;
      const element = record.action === 'GetCallerIdentity' ? 'GetCallerIdentity' : 'GetSessionToken';
      if (malformed.kind === 'dropped') {
        res.socket?.destroy();
      } else if (malformed.kind === 'html') {
        send(res, record, requestId, { status: 200, body: '<!doctype html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>', contentType: 'text/html' });
      } else if (malformed.kind === 'proxy-403') {
        send(res, record, requestId, {
          status: 403,
          body: '<!doctype html><html><body><h1>Access to this site is blocked</h1></body></html>',
          contentType: 'text/html',
        });
      } else if (malformed.kind === 'truncated') {
        send(res, record, requestId, { status: 200, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) });
      } else if (
        malformed.kind === 'expired-session' ||
        malformed.kind === 'expired-session-undated' ||
        malformed.kind === 'short-session' ||
        malformed.kind === 'long-session'
      ) {
        const expiresAt =
          malformed.kind === 'short-session' ? now() + 60_000 : malformed.kind === 'long-session' ? now() + 48 * 3_600_000 : Date.UTC(2001, 0, 1);
        const body = answer.body.replace(
          /<Expiration>[^<]*<\/Expiration>/,
          `<Expiration>${new Date(expiresAt).toISOString().replace('.000Z', 'Z')}</Expiration>`,
        );
        send(res, record, requestId, { status: answer.status, body }, { undated: malformed.kind === 'expired-session-undated' });
      } else if (malformed.kind === 'huge' || malformed.kind === 'huge-declared') {
        sendHuge(res, record, malformed.kind === 'huge-declared');
      } else {
        send(res, record, requestId, { status: 200, body: resultXml(element, '', requestId) });
      }
      return;
    }
    send(res, record, requestId, answer);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  // Keep-alive sockets of the SDK must not hold close() up.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    requests,
    sessions,
    env: () => ({ AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_IAM: endpoint }),
    registerUser,
    addDevice: (user, input) => iam.addDevice(user, input),
    devicesOf: (user) => iam.devicesOf(user),
    pendingDevices: () => iam.pendingSerials(),
    registerRole,
    now,
    currentCode: (device, steps = 0) => codeAt(device, now() + steps * TOTP_PERIOD_S * 1000),
    codeAt,
    avoidStepEdge: async (marginMs = 5000) => {
      const left = TOTP_PERIOD_S * 1000 - (now() % (TOTP_PERIOD_S * 1000));
      if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
    },
    count: (action) => (action === undefined ? requests.length : requests.filter((r) => r.action === action).length),
    setClockSkew: (ms) => {
      clockSkewMs = ms;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setHang: (on, action) => {
      hang = on ? { ...(action === undefined ? {} : { action }) } : undefined;
    },
    failNext: (n, status = 503, action) => {
      failures = { remaining: n, status, action };
    },
    throttleNext: (n) => {
      throttles = n;
    },
    malformNext: (n, kind = 'html', action) => {
      malformed = { remaining: n, kind, action };
    },
    answerNext: (answer) => {
      rawAnswer = answer;
    },
    staleListsNext: (n) => iam.staleListsNext(n),
    clearFaults: () => {
      iam.staleListsNext(0);
      rawAnswer = undefined;
      clockSkewMs = 0;
      latencyMs = 0;
      hang = undefined;
      failures = { remaining: 0, status: 503 };
      throttles = 0;
      malformed = { remaining: 0, kind: 'html' };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * One loopback STS for the enclosing suite (the whole file, at the top level), so that test files
 * do not each copy the same hooks: registers a `before` hook that starts it (then runs `setUp`, if
 * given), an `after` hook that closes it, and a `beforeEach` hook that clears its faults, so that a
 * fault one test switched on (or left on when it failed half-way) never reaches the next. Users,
 * sessions and the request log span the suite.
 *
 * Read `sts` in tests and in `beforeEach`/`afterEach`/`after` hooks; it throws when read before the
 * server started. Setup that needs the server once goes in `setUp`, not in a `before` hook of the
 * file's own: node:test starts a file's top-level `before` hooks as they are registered, without
 * waiting for the earlier ones. Hooks of one kind run in the order registered, so `after` hooks
 * registered later find the server closed (its request log still readable).
 *
 * ```ts
 * let alice: StsUser;
 * const loopback = useStsServer((sts) => {
 *   alice = sts.registerUser();
 * });
 * test('…', () => {
 *   const code = loopback.sts.currentCode(alice);
 * });
 * ```
 */
export function useStsServer(setUp?: (sts: StsServer) => void | Promise<void>): { readonly sts: StsServer } {
  let server: StsServer | undefined;
  before(async () => {
    server = await startStsServer();
    await setUp?.(server);
  });
  after(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server?.clearFaults();
  });
  return {
    get sts(): StsServer {
      if (server === undefined) throw new Error('useStsServer(): the loopback STS starts in a before() hook; read .sts inside a test or hook');
      return server;
    },
  };
}
