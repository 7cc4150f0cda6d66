/**
 * The AWS adapter: {@link StsGateway} on `@aws-sdk/client-sts`, and {@link IamGateway} (the user's
 * own MFA devices) on `@aws-sdk/client-iam`, sharing one way of sending: a fresh client per call, the
 * clock measured from every answer, one time limit, answers capped, errors mapped to plain words.
 *
 * Importing this module is cheap: each SDK is loaded with a dynamic `import()` on its first call, so
 * the command's `credential-process` path (which only reads the cached session) never pays for it.
 */
import { stat } from 'node:fs/promises';
import type { Agent } from 'node:https';
import { Readable, Transform } from 'node:stream';
import type * as IamSdk from '@aws-sdk/client-iam';
import type * as StsSdk from '@aws-sdk/client-sts';
import { MfaTrayError, type ErrorCode } from '../../common/errors';
import type { LongLivedKey, SessionCredentials } from '../../common/model';
import { quoteIfHarmless } from '../../common/validation';
import { maskKeyId } from '../../common/key-id';
import { ClockOffset, describeDuration, describeOffset, systemClock, type Clock } from '../clock/clock';
import { configFilePath, credentialsFilePath } from '../files/aws-config';
import { fileKind, readRegularFile } from '../files/regular-file';
import type { CreatedVirtualDevice, IamCredentials, IamGateway, ListedMfaDevice } from './iam-gateway';
import type { AssumeRoleRequest, CallerIdentity, GetSessionTokenRequest, StsGateway } from './sts-gateway';

/** Options for {@link SdkAwsGateway}; all optional. */
export interface SdkAwsGatewayOptions {
  /**
   * Receives the offset between this computer's clock and STS's, measured from every response's
   * `Date` header and round trip (error responses too). Share it with TOTP code generation. Once
   * measured, requests are also signed in AWS time. Default: a private one ({@link SdkAwsGateway.clockOffset}).
   */
  readonly clockOffset?: ClockOffset;
  /** Local time for the round-trip measurement (default: the system clock). */
  readonly clock?: Clock;
  /** Upper bound on one call in milliseconds, retries included (default 15 000). */
  readonly timeoutMs?: number;
  /**
   * An STS endpoint URL to use instead of the SDK's own resolution. Mirrors `AWS_ENDPOINT_URL_STS`;
   * leave it out to honour the SDK's settings (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, the
   * config file's `endpoint_url`, else the regional endpoint).
   */
  readonly endpoint?: string;
  /** The same for IAM (mirrors `AWS_ENDPOINT_URL_IAM`; default: the SDK's own resolution). */
  readonly iamEndpoint?: string;
  /**
   * A PEM file of certificate authorities to trust besides Node's own (an HTTPS-inspecting proxy's),
   * as the AWS CLI's `AWS_CA_BUNDLE`. Default: `AWS_CA_BUNDLE` when set. The packaged app cannot use
   * NODE_EXTRA_CA_CERTS (its NODE_OPTIONS fuse closes it), so this is the way there.
   */
  readonly caBundle?: string;
  /**
   * Attempts for calls that carry no code (GetCallerIdentity), with the SDK's backoff (default 3).
   * Calls that carry a code are always made once: a retry would resend a code AWS may have used up.
   */
  readonly identityMaxAttempts?: number;
}

/** The default bound on one STS call. */
export const DEFAULT_STS_TIMEOUT_MS = 15_000;

/**
 * The largest STS answer read. A GetSessionToken answer is about 1.5 KB and an error a few hundred
 * bytes; anything near this is not STS, and is refused as soon as it is seen (a 50 MB answer would
 * otherwise be read, then parsed, for many seconds).
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** Slack for the session-length checks: STS's Date header has whole seconds, and the answer takes a moment. */
const SESSION_LENGTH_SLACK_MS = 60_000;

/** GetSessionToken gives the root user at most an hour, whatever was asked for. */
const ROOT_SESSION_CAP_MS = 3_600_000;

type Sdk = typeof StsSdk;
let sdkPromise: Promise<Sdk> | undefined;

/**
 * Loads the STS client now (the AWS helper, before it says it is ready); rejects when it cannot be
 * loaded. IAM's, for the device calls only, loads on the first of them.
 */
export async function preloadSdk(): Promise<void> {
  await loadSdk();
}

/** Loads the SDK once, on first use. */
function loadSdk(): Promise<Sdk> {
  sdkPromise ??= import('@aws-sdk/client-sts').then((module) => namedExports(module, 'STSClient'));
  return sdkPromise;
}

type Iam = typeof IamSdk;
let iamPromise: Promise<Iam> | undefined;

/** Loads the IAM SDK once, on first use (only device listing and enrolling need it). */
function loadIam(): Promise<Iam> {
  iamPromise ??= import('@aws-sdk/client-iam').then((module) => namedExports(module, 'IAMClient'));
  return iamPromise;
}

/**
 * Bundled with code splitting, esbuild turns a CommonJS module into a chunk whose only export is
 * `default`; under tsx (tests) the named exports are there. Accept both shapes.
 */
function namedExports<T extends object>(module: T, probe: keyof T): T {
  const loaded = module as T & { readonly default?: T };
  return typeof loaded[probe] === 'function' ? loaded : (loaded.default as T);
}

/** The parts of an SDK client that sending uses (STSClient and IAMClient alike). */
interface SdkClient {
  readonly middlewareStack: StsSdk.STSClient['middlewareStack'];
  destroy(): void;
}

/** What a client is made with. */
interface ClientConfig {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  readonly maxAttempts: number;
  readonly endpoint?: string;
  readonly systemClockOffset?: number;
  readonly requestHandler: { readonly requestTimeout: number; readonly throwOnRequestTimeout: true; readonly httpsAgent?: Agent };
}

/** True for a security-key (FIDO/U2F) serial: `arn:aws:iam::123456789012:u2f/...`. */
export function isSecurityKeySerial(serial: string): boolean {
  return /:u2f\//i.test(serial);
}

/** What a failed call was about, for messages. Never holds the code or the secret as text to show. */
interface CallContext {
  readonly action:
    | 'GetSessionToken'
    | 'GetCallerIdentity'
    | 'AssumeRole'
    | 'ListMFADevices'
    | 'CreateVirtualMFADevice'
    | 'EnableMFADevice'
    | 'ResyncMFADevice'
    | 'DeactivateMFADevice'
    | 'DeleteVirtualMFADevice';
  readonly key: LongLivedKey;
  /** With a session's key (AssumeRole): its token. */
  readonly sessionToken?: string;
  readonly region: string;
  readonly mfaSerial?: string;
  readonly code?: string;
  /** The host the request went to, once the SDK resolved it. */
  host?: string;
  /** Whether the answer carried STS's own time (a Date header), so that its expiry can be judged by it. */
  stsDated?: boolean;
}

/** The parts of an SDK or Node error the mapping looks at. */
interface SdkErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly hostname?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
}

/** Builds the MfaTrayError for one failure, with the failure's secret-free summary as its cause. */
type Make = (code: ErrorCode, message: string, extra?: { readonly field?: string; readonly retryable?: boolean; readonly notSent?: boolean }) => MfaTrayError;

/**
 * Network failures that happen before a request is written: the connection was never made, so a
 * code the request carried never reached AWS. (A reset or a time-out may come after the request
 * went out, so those count as sent.)
 */
const BEFORE_SENDING: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** Node's network error codes, in plain words. */
const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'the host name could not be resolved (DNS)',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ENETDOWN: 'the network is down',
  ECONNABORTED: 'the connection was aborted',
};

/** TLS failures that mostly mean an HTTPS-inspecting proxy whose CA Node does not trust. */
const TLS_ERROR = /^(CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|ERR_TLS_|ERR_SSL_)/;

/**
 * {@link StsGateway} on the AWS SDK v3.
 *
 * One fresh client per call: the key and region differ per profile, calls are rare (a few a day),
 * and nothing (no pooled socket, no SDK-internal clock correction) leaks from one call into the next.
 */
export class SdkAwsGateway implements StsGateway, IamGateway {
  readonly #clockOffset: ClockOffset;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #endpoint: string | undefined;
  readonly #iamEndpoint: string | undefined;
  readonly #caBundle: string | undefined;
  readonly #identityMaxAttempts: number;

  constructor(options: SdkAwsGatewayOptions = {}) {
    this.#clockOffset = options.clockOffset ?? new ClockOffset();
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_STS_TIMEOUT_MS;
    this.#endpoint = options.endpoint;
    this.#iamEndpoint = options.iamEndpoint;
    this.#caBundle = options.caBundle ?? (process.env.AWS_CA_BUNDLE || undefined);
    this.#identityMaxAttempts = options.identityMaxAttempts ?? 3;
    checkGatewayOptions(options);
  }

  /** The offset measured from STS's answers (the injected one, or this gateway's own). */
  get clockOffset(): ClockOffset {
    return this.#clockOffset;
  }

  prepare(): void {
    loadSdk().catch(() => undefined);
  }

  async getSessionToken(request: GetSessionTokenRequest): Promise<SessionCredentials> {
    const { key, mfaSerial, code, durationSeconds, region } = request;
    if (isSecurityKeySerial(mfaSerial)) {
      throw new MfaTrayError(
        'invalid-input',
        `The MFA device ${mfaSerial} is a security key (FIDO/U2F). Security keys give no code to type, and ` +
          'AWS accepts only codes from virtual (authenticator app) or hardware TOTP devices for GetSessionToken. ' +
          "Assign a virtual MFA device to this IAM user and use that device's ARN.",
        { field: 'mfaSerial' },
      );
    }
    checkRegion(region);
    const context: CallContext = { action: 'GetSessionToken', key, region, mfaSerial, code };
    const sdk = await loadSdk();
    // maxAttempts 1: AWS may have used the code up even when the answer is lost (5xx, timeout, garbage).
    const command = new sdk.GetSessionTokenCommand({ SerialNumber: mfaSerial, TokenCode: code, DurationSeconds: durationSeconds });
    const output = await this.#send(
      context,
      1,
      (config) => new sdk.STSClient(config),
      (client, options) => client.send(command, options),
    );
    return this.#sessionFrom(context, output.Credentials, durationSeconds);
  }

  /** The session in an answer, checked: every field there and a length STS could have made. */
  #sessionFrom(context: CallContext, credentials: StsSdk.Credentials | undefined, durationSeconds: number): SessionCredentials {
    const expiration = credentials?.Expiration;
    if (
      !credentials?.AccessKeyId ||
      !credentials.SecretAccessKey ||
      !credentials.SessionToken ||
      !(expiration instanceof Date) ||
      Number.isNaN(expiration.getTime())
    ) {
      throw unreadableAnswer(context, 200);
    }
    this.#checkSessionLength(context, expiration.getTime(), durationSeconds);
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiresAt: expiration.getTime(),
    };
  }

  /**
   * Refuses a session that cannot be what was asked for: already expired, longer than asked, or
   * shorter than STS ever makes it (the asked duration, or an hour for the root user). Judged by
   * STS's own clock (the answer's Date header) when it sent one, so that this computer's clock being
   * off does not matter; a session written over the previous one must be usable.
   */
  #checkSessionLength(context: CallContext, expiresAt: number, durationSeconds: number): void {
    const now = this.#clockOffset.awsNow(this.#clock);
    const left = expiresAt - now;
    const askedMs = durationSeconds * 1000;
    const where = whereOf(context);
    const why = context.stsDated
      ? `by its own clock. The endpoint is not behaving like AWS STS: check ${ENDPOINT_SETTINGS}`
      : `by this computer's clock, and the answer carried no time of its own. This computer's clock or the endpoint is wrong: check the date and time, and ${ENDPOINT_SETTINGS}`;
    let what: string | undefined;
    if (left <= 0) what = `a session that had already expired (${formatUtc(expiresAt)}, ${describeDuration(left)} ago)`;
    else if (left > askedMs + SESSION_LENGTH_SLACK_MS) what = `a session of ${describeDuration(left)} where ${durationSeconds} s were asked for`;
    else if (left < Math.min(askedMs, ROOT_SESSION_CAP_MS) - SESSION_LENGTH_SLACK_MS)
      what = `a session of only ${describeDuration(left)} where ${durationSeconds} s were asked for`;
    if (what === undefined) return;
    throw new MfaTrayError('sts-unavailable', `${where} answered with ${what}, ${why}. Nothing was written; the previous session is kept.`, {
      retryable: false,
    });
  }

  async getCallerIdentity(key: LongLivedKey, region: string, signal?: AbortSignal): Promise<CallerIdentity> {
    checkRegion(region);
    const context: CallContext = { action: 'GetCallerIdentity', key, region };
    const sdk = await loadSdk();
    const command = new sdk.GetCallerIdentityCommand({});
    const output = await this.#send(
      context,
      this.#identityMaxAttempts,
      (config) => new sdk.STSClient(config),
      (client, options) => client.send(command, options),
      signal,
    );
    if (!output.Arn || !output.Account || !output.UserId) throw unreadableAnswer(context, 200);
    return { arn: output.Arn, account: output.Account, userId: output.UserId };
  }

  async assumeRole(request: AssumeRoleRequest): Promise<SessionCredentials> {
    const { session, roleArn, sessionName, externalId, durationSeconds, region } = request;
    checkRegion(region);
    const context: CallContext = {
      action: 'AssumeRole',
      key: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
      sessionToken: session.sessionToken,
      region,
    };
    const sdk = await loadSdk();
    const command = new sdk.AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: sessionName,
      DurationSeconds: durationSeconds,
      ...(externalId === undefined ? {} : { ExternalId: externalId }),
    });
    // No code is sent: a lost answer costs nothing, so the SDK's retries may run.
    const output = await this.#send(
      context,
      this.#identityMaxAttempts,
      (config) => new sdk.STSClient(config),
      (client, options) => client.send(command, options),
    );
    return this.#sessionFrom(context, output.Credentials, durationSeconds);
  }

  async createVirtualMfaDevice(credentials: IamCredentials, region: string, name: string): Promise<CreatedVirtualDevice> {
    const context = iamContext('CreateVirtualMFADevice', credentials, region);
    // Not retried: a lost answer would leave a device whose secret nobody saw; the caller cleans up.
    const output = await this.#iam(context, 1, (iam, client, options) =>
      client.send(new iam.CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }), options),
    );
    const device = output.VirtualMFADevice;
    const seed = device?.Base32StringSeed;
    if (!device?.SerialNumber || !(seed instanceof Uint8Array) || seed.length === 0) throw unreadableAnswer(context, 200);
    return { serialNumber: device.SerialNumber, base32Secret: Buffer.from(seed).toString('utf8') };
  }

  async enableMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void> {
    const input = { UserName: userName, SerialNumber: serialNumber, AuthenticationCode1: codes[0], AuthenticationCode2: codes[1] };
    // Codes are sent once (as with GetSessionToken).
    await this.#iam({ ...iamContext('EnableMFADevice', credentials, region), mfaSerial: serialNumber }, 1, (iam, client, options) =>
      client.send(new iam.EnableMFADeviceCommand(input), options),
    );
  }

  async resyncMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void> {
    const input = { UserName: userName, SerialNumber: serialNumber, AuthenticationCode1: codes[0], AuthenticationCode2: codes[1] };
    await this.#iam({ ...iamContext('ResyncMFADevice', credentials, region), mfaSerial: serialNumber }, 1, (iam, client, options) =>
      client.send(new iam.ResyncMFADeviceCommand(input), options),
    );
  }

  async deactivateMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string): Promise<void> {
    const input = { UserName: userName, SerialNumber: serialNumber };
    await this.#iam({ ...iamContext('DeactivateMFADevice', credentials, region), mfaSerial: serialNumber }, this.#identityMaxAttempts, (iam, client, options) =>
      client.send(new iam.DeactivateMFADeviceCommand(input), options),
    );
  }

  async deleteVirtualMfaDevice(credentials: IamCredentials, region: string, serialNumber: string): Promise<void> {
    await this.#iam(
      { ...iamContext('DeleteVirtualMFADevice', credentials, region), mfaSerial: serialNumber },
      this.#identityMaxAttempts,
      (iam, client, options) => client.send(new iam.DeleteVirtualMFADeviceCommand({ SerialNumber: serialNumber }), options),
    );
  }

  /** One IAM call on a fresh client (see {@link #send}). */
  async #iam<Output>(
    context: CallContext,
    maxAttempts: number,
    run: (iam: Iam, client: IamSdk.IAMClient, options: { abortSignal: AbortSignal }) => Promise<Output>,
  ): Promise<Output> {
    const iam = await loadIam();
    return this.#send(
      context,
      maxAttempts,
      (config) => new iam.IAMClient(config),
      (client, options) => run(iam, client, options),
    );
  }

  async listMfaDevices(key: LongLivedKey, region: string): Promise<readonly ListedMfaDevice[]> {
    const context = iamContext('ListMFADevices', key, region);
    // No UserName: the caller's own devices (what the self-service MFA policy allows without MFA).
    const output = await this.#iam(context, this.#identityMaxAttempts, (iam, client, options) => client.send(new iam.ListMFADevicesCommand({}), options));
    const devices = output.MFADevices;
    if (!Array.isArray(devices)) throw unreadableAnswer(context, 200);
    return devices.map((device) => {
      if (typeof device.SerialNumber !== 'string' || device.SerialNumber === '') throw unreadableAnswer(context, 200);
      const enabledAt = device.EnableDate instanceof Date && !Number.isNaN(device.EnableDate.getTime()) ? device.EnableDate.getTime() : undefined;
      return { serialNumber: device.SerialNumber, ...(enabledAt === undefined ? {} : { enabledAt }) };
    });
  }

  /** Sends one command on a fresh client, measuring the clock, bounded in time, errors mapped. */
  async #send<Client extends SdkClient, Output>(
    context: CallContext,
    maxAttempts: number,
    makeClient: (config: ClientConfig) => Client,
    run: (client: Client, options: { abortSignal: AbortSignal }) => Promise<Output>,
    signal?: AbortSignal,
  ): Promise<Output> {
    // The SDK warns on construction under Node 20 (supported until 2027); the command must print one
    // clear line on failure, not a multi-line notice. Users can still opt in by setting it to false.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    await refuseOddSharedFiles();
    const offset = this.#clockOffset;
    const clock = this.#clock;
    const endpoint = service(context) === 'IAM' ? this.#iamEndpoint : this.#endpoint;
    const client = makeClient({
      region: context.region,
      credentials: {
        accessKeyId: context.key.accessKeyId,
        secretAccessKey: context.key.secretAccessKey,
        ...(context.sessionToken === undefined ? {} : { sessionToken: context.sessionToken }),
      },
      maxAttempts,
      ...(endpoint === undefined ? {} : { endpoint }),
      // Sign in AWS time once we know it: the SDK itself corrects only after a refusal.
      ...(offset.measured ? { systemClockOffset: clock.now() + offset.offsetMs - Date.now() } : {}),
      requestHandler: { requestTimeout: this.#timeoutMs, throwOnRequestTimeout: true, ...(await this.#httpsAgent()) },
    });
    // Innermost (deserialize step, low priority): sees every raw response, errors included, before the
    // SDK turns it into an exception, and times the round trip as closely as the SDK allows.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { hostname?: string; port?: number; protocol?: string };
        if (request.hostname) context.host = request.port ? `${request.hostname}:${request.port}` : request.hostname;
        refusePlainHttp(request, endpoint, service(context));
        const sentAt = clock.now();
        const result = await next(args);
        const receivedAt = clock.now();
        const response = result.response as { headers?: Record<string, string | undefined>; body?: unknown };
        const headers = response.headers;
        const date = headers?.date ?? headers?.Date;
        if (date) {
          offset.record(Date.parse(date), sentAt, receivedAt);
          context.stsDated = true;
        }
        response.body = capAnswer(response.body, headers);
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'mfaTrayClockOffset' },
    );
    // The request timeout covers each attempt up to the response headers; this bounds the whole call
    // (retries, a stalled body) by the same budget; and the caller may give up sooner.
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const abort = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
    try {
      return await run(client, { abortSignal: abort });
    } catch (error) {
      throw this.#mapError(error, context);
    } finally {
      client.destroy();
    }
  }

  /** An HTTPS agent trusting {@link SdkAwsGatewayOptions.caBundle} as well as Node's own authorities, when one is set. */
  async #httpsAgent(): Promise<{ readonly httpsAgent?: Agent }> {
    if (this.#caBundle === undefined) return {};
    let pem: string;
    try {
      pem = (await readRegularFile(this.#caBundle)).toString('utf8');
    } catch {
      throw new MfaTrayError('invalid-input', `AWS_CA_BUNDLE names ${this.#caBundle}, which cannot be read. Nothing was sent.`, {
        field: 'caBundle',
        notSent: true,
      });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new MfaTrayError('invalid-input', `AWS_CA_BUNDLE names ${this.#caBundle}, which holds no PEM certificate. Nothing was sent.`, {
        field: 'caBundle',
        notSent: true,
      });
    }
    // Loaded here, not with this module: node:https and node:tls cost ~3 MB, and the SDK loads its own
    // only when it sends (an engine that never refreshes, such as status's, never pays for them).
    const [{ Agent }, { rootCertificates }] = await Promise.all([import('node:https'), import('node:tls')]);
    return { httpsAgent: new Agent({ ca: [...rootCertificates, pem], keepAlive: false }) };
  }

  /** Turns whatever the SDK threw into an MfaTrayError a user can act on. */
  #mapError(error: unknown, context: CallContext): MfaTrayError {
    if (error instanceof MfaTrayError) return error;
    if (error instanceof AnswerTooLargeError) {
      const where = whereOf(context);
      return new MfaTrayError(
        'sts-unavailable',
        `${where} answered with more than ${MAX_ANSWER_BYTES / 1024} KB, which is not an ${service(context)} response. A proxy or a wrong ` +
          `endpoint may be in the way (check ${endpointSettings(context)}). Nothing was written; the previous session is kept.`,
        { retryable: false },
      );
    }
    const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorLike;
    const status = e.$metadata?.httpStatusCode;
    // Only an error parsed from STS's ErrorResponse XML has a Code; for anything else (an HTML page from
    // a proxy) the SDK makes one up ("Unknown", "NotFound") from the status.
    const stsCode = e.$fault && typeof e.Code === 'string' && e.Code !== '' ? e.Code : undefined;
    const cause = summarise(context, e, stsCode, status);
    const where = whereOf(context);
    const key = maskKeyId(context.key.accessKeyId);
    const make: Make = (code, message, extra = {}) => new MfaTrayError(code, message, { ...extra, cause });

    // An endpoint setting that is not a URL ("not a url", a port past 65535): the SDK fails to build
    // the request, so nothing left this computer and a code it carried is still good.
    if (e.code === 'ERR_INVALID_URL') {
      return make('invalid-input', `The ${service(context)} endpoint set in ${endpointSettings(context)} is not a valid URL. Nothing was sent.`, {
        field: 'endpoint',
        notSent: true,
      });
    }
    // Timeouts: our request timeout, our overall abort, or the OS giving up.
    if (e.name === 'AbortError' || (e.name === 'TimeoutError' && e.code !== 'ECONNRESET' && e.code !== 'EPIPE') || e.code === 'ETIMEDOUT') {
      return unanswered(where, this.#timeoutMs, { cause });
    }
    if (e.code !== undefined && e.code in NETWORK_ERRORS) {
      const host = e.hostname ?? context.host;
      return make(
        'sts-unavailable',
        `Could not reach ${service(context)}${host ? ` at ${host}` : ` in ${context.region}`}: ${NETWORK_ERRORS[e.code]}. ` +
          `Check your network connection and the region, and any ${endpointVariables(context)} or AWS_ENDPOINT_URL setting.`,
        { retryable: true, notSent: BEFORE_SENDING.has(e.code) },
      );
    }
    if (e.code !== undefined && TLS_ERROR.test(e.code)) {
      return make(
        'sts-unavailable',
        `The secure connection to ${where} failed (${e.code}). A proxy that inspects HTTPS may be in the way: ` +
          "point AWS_CA_BUNDLE at its certificate (a PEM file), or ask your network's administrator.",
        { retryable: false, notSent: true },
      );
    }
    if (/Region (is missing|not accepted)/.test(e.message ?? '')) {
      return make('invalid-input', `region: ${quoteIfHarmless(context.region)} is not an AWS region name (for example us-east-1).`, { field: 'region' });
    }
    if (status !== undefined && status >= 500) {
      return make(
        'sts-unavailable',
        `${where} failed with HTTP ${status}${stsCode ? ` (${stsCode})` : ''}. ` + "The problem is on AWS's side or a proxy's: try again in a few minutes.",
        { retryable: true },
      );
    }
    if (stsCode === undefined) {
      // An HTTP answer the SDK could not read as STS's (HTML from a captive portal, cut-off XML)…
      if (status !== undefined) return unreadableAnswer(context, status, cause);
      // …or something else entirely.
      return make('internal', `Talking to ${where} failed unexpectedly (${e.name ?? 'error'}). Try again; if it keeps failing, report it.`, {
        retryable: true,
      });
    }

    const stsMessage = redact(e.message ?? '', context);
    switch (stsCode) {
      case 'AccessDenied':
      case 'AccessDeniedException':
        if (stsMessage.includes('invalid MFA one time pass code')) {
          return make(
            'sts-invalid-code',
            'AWS rejected the MFA code: it is wrong, or it was already used. ' + 'Wait for the next code on your MFA device and try again.',
          );
        }
        if (stsMessage.includes('unable to validate MFA code')) {
          return make(
            'sts-wrong-device',
            `AWS could not check the code against MFA device ${context.mfaSerial ?? '(none)'}: ` +
              `that device is not assigned to the IAM user of access key ${key}. Check the profile's MFA device ` +
              '(IAM console, Users, Security credentials, Multi-factor authentication).',
            { field: 'mfaSerial' },
          );
        }
        if (stsMessage.includes('with session credentials')) return sessionCredentials(make, key);
        return make('sts-denied', `AWS refused ${context.action}: ${stsMessage || stsCode}. Check the IAM user's policies.`);
      case 'InvalidClientTokenId':
        // A temporary key sent without its session token (the gateway never sends one) is unknown to
        // STS: this, not "Cannot call GetSessionToken with session credentials", is what a stored
        // ASIA... key really gets.
        if (context.key.accessKeyId.startsWith('ASIA')) return sessionCredentials(make, key);
        return make(
          'sts-invalid-key',
          `AWS does not recognise access key ${key}: it was deleted, deactivated or mistyped. ` +
            'Create a new access key for the IAM user (or reactivate this one) and store it in the profile again.',
        );
      case 'SignatureDoesNotMatch':
        if (/^Signature (expired|not yet current)/.test(stsMessage)) return this.#clockSkew(make, stsMessage);
        return make(
          'sts-bad-signature',
          `AWS rejected the request's signature: the secret access key stored for ${key} ` +
            'does not belong to that key. Store the secret again, copied exactly (40 characters).',
        );
      case 'RequestExpired':
        return this.#clockSkew(make, stsMessage);
      case 'Throttling':
      case 'ThrottlingException':
      case 'RequestLimitExceeded':
        return make(
          'sts-throttled',
          `AWS is limiting ${service(context)} requests for this account right now (rate exceeded). Wait a minute, then try again.`,
          {
            retryable: true,
          },
        );
      case 'ValidationError':
        return validationError(make, stsMessage, context.action);
      case 'RegionDisabledException':
        return make(
          'sts-denied',
          `STS is not activated in region ${context.region} for this account. ` +
            'Activate it (IAM console, Account settings) or choose another region for the profile.',
          { field: 'region' },
        );
      // IAM's, for the MFA-device actions:
      case 'EntityAlreadyExists':
        return make(
          'already-exists',
          `An MFA device of that name exists already in this account (${context.mfaSerial ?? context.action}); choose another name.`,
          { field: 'deviceName' },
        );
      case 'LimitExceeded':
        return make('sts-denied', `AWS refused ${context.action}: this IAM user has 8 MFA devices already, AWS's limit. Remove one first.`);
      case 'InvalidAuthenticationCode':
        return make('sts-invalid-code', `AWS did not accept the device's codes (${context.action}): they do not match its secret at AWS's time.`);
      case 'NoSuchEntity':
        return make('not-found', `AWS has no such MFA device (${context.mfaSerial ?? 'none named'}).`);
      case 'DeleteConflict':
        return make('sts-denied', `AWS refused ${context.action}: the MFA device ${context.mfaSerial ?? ''} is still assigned to a user.`);
      case 'ExpiredToken':
      case 'ExpiredTokenException':
        return make(
          'sts-session-credentials',
          `The access key stored for this profile (${key}) is an expired temporary key. ` + "Store the IAM user's long-lived access key (it starts with AKIA).",
        );
      default:
        return make('sts-denied', `AWS refused ${context.action} (${stsCode}): ${stsMessage || 'no reason given'}.`);
    }
  }

  #clockSkew(make: Make, stsMessage: string): MfaTrayError {
    // The middleware has just measured the offset from this refusal's Date header.
    const offset = this.#clockOffset.measured ? this.#clockOffset.offsetMs : undefined;
    const aheadOrBehind =
      offset === undefined || offset === 0
        ? stsMessage.startsWith('Signature not yet current')
          ? "more than 5 minutes ahead of AWS's"
          : "more than 5 minutes behind AWS's"
        : describeOffset(offset);
    return make(
      'clock-skew',
      `AWS refused the request because this computer's clock is ${aheadOrBehind}. ` +
        'Turn on automatic date and time in your system settings. MFA Tray now allows for the difference, so trying again should work.',
      { retryable: true },
    );
  }
}

/** Where the STS endpoint can be set, for messages. */
const ENDPOINT_SETTINGS = 'AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or endpoint_url in the AWS config file';

/** Which service a call goes to. */
function service(context: CallContext): 'STS' | 'IAM' {
  return serviceOf(context.action);
}

/** Which service an action (`GetSessionToken`, `ListMFADevices`, …) belongs to. */
export function serviceOf(action: string): 'STS' | 'IAM' {
  return action === 'GetSessionToken' || action === 'GetCallerIdentity' || action === 'AssumeRole' ? 'STS' : 'IAM';
}

/**
 * A call that got no answer within `timeoutMs`, in words: `why`, when more is known; `notSent`, when
 * its caller gave up before it was sent.
 */
export function unanswered(
  where: string,
  timeoutMs: number,
  more: { readonly why?: string; readonly cause?: Error; readonly notSent?: boolean } = {},
): MfaTrayError {
  const { why, cause, notSent } = more;
  return new MfaTrayError(
    'sts-unavailable',
    `${where} did not answer within ${Math.max(1, Math.round(timeoutMs / 1000))} s${why ? ` (${why})` : ''}. Check your network connection (VPN, proxy, firewall), then try again.`,
    { retryable: true, ...(cause ? { cause } : {}), ...(notSent ? { notSent } : {}) },
  );
}

/** Throws a RangeError for options no gateway can work with (a programming error, not the user's). */
export function checkGatewayOptions(options: Pick<SdkAwsGatewayOptions, 'timeoutMs' | 'identityMaxAttempts'>): void {
  const { timeoutMs = DEFAULT_STS_TIMEOUT_MS, identityMaxAttempts = 3 } = options;
  // At most an hour: past 2^31 ms a timer fires at once.
  if (!(timeoutMs > 0 && timeoutMs <= 3_600_000)) throw new RangeError('timeoutMs must be positive, and at most an hour');
  if (!Number.isInteger(identityMaxAttempts) || identityMaxAttempts < 1) throw new RangeError('identityMaxAttempts must be a positive integer');
}

/** The context of an IAM call signed with a key or a session. */
function iamContext(action: CallContext['action'], credentials: IamCredentials, region: string): CallContext {
  checkRegion(region);
  return {
    action,
    key: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    ...('sessionToken' in credentials ? { sessionToken: credentials.sessionToken } : {}),
    region,
  };
}

/** "STS (host)" / "IAM in region", for messages. */
function whereOf(context: CallContext): string {
  return context.host ? `${service(context)} (${context.host})` : `${service(context)} in ${context.region}`;
}

/** The service's own endpoint variable. */
function endpointVariables(context: CallContext): string {
  return `AWS_ENDPOINT_URL_${service(context)}`;
}

/** Where the service's endpoint can be set, for messages. */
function endpointSettings(context: CallContext): string {
  return `${endpointVariables(context)}, AWS_ENDPOINT_URL, or endpoint_url in the AWS config file`;
}

/** "2001-01-01 00:00 UTC". */
function formatUtc(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'an impossible date';
}

/**
 * The SDK reads both shared AWS files for its own settings on every client it makes, with a plain
 * readFile: a named pipe there would hold the call past every timeout (in libuv's thread pool), a
 * device such as /dev/zero fill the memory. Such a path is refused first; a missing file is fine.
 */
async function refuseOddSharedFiles(): Promise<void> {
  for (const path of [credentialsFilePath(), configFilePath()]) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || info.isFile()) continue;
    throw new MfaTrayError(
      'credentials-file',
      `Cannot read the AWS file ${path}: it is ${fileKind(info)}, not a regular file (the AWS SDK reads it for its settings). Nothing was sent.`,
      { notSent: true },
    );
  }
}

/** Host names that never leave this computer. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * HTTPS, or plain HTTP only to this computer (tests, local emulators): anywhere else the session's
 * secret key and token would cross the network readable by anyone on the way. Any other scheme
 * (ftp:, ws:, …) is refused too: the SDK's handler sends whatever is not https: as plain HTTP.
 * Checked on the signed request, before anything is sent.
 */
function refusePlainHttp(request: { readonly hostname?: string; readonly protocol?: string }, configured: string | undefined, named: 'STS' | 'IAM'): void {
  if (request.protocol === 'https:' || request.hostname === undefined) return;
  if (request.protocol === 'http:' && isLoopbackHost(request.hostname)) return;
  const variable = `AWS_ENDPOINT_URL_${named}`;
  const source =
    configured !== undefined
      ? `MFA Tray's ${named} endpoint setting`
      : process.env[variable]
        ? variable
        : process.env.AWS_ENDPOINT_URL
          ? 'AWS_ENDPOINT_URL'
          : 'endpoint_url in the AWS config file';
  // A host name as the user wrote it (it came from their own setting); anything odd is not echoed.
  const shown = /^[A-Za-z0-9.-]{1,253}$/.test(request.hostname) ? request.hostname : '(an unusual host name)';
  const scheme = request.protocol === undefined || !/^[a-z][a-z0-9+.-]{0,15}:$/i.test(request.protocol) ? '(an unusual scheme):' : request.protocol;
  throw new MfaTrayError(
    'invalid-input',
    `The ${named} endpoint ${scheme}//${shown} (from ${source}) is ${scheme === 'http:' ? 'plain HTTP' : 'not HTTPS'}: the session's keys would cross the network unencrypted. ` +
      'Use an https:// URL; plain http:// is allowed only to this computer (localhost, 127.0.0.1, ::1). Nothing was sent.',
    { field: 'endpoint', notSent: true },
  );
}

/** Thrown while reading an answer over {@link MAX_ANSWER_BYTES}. */
class AnswerTooLargeError extends Error {
  override readonly name = 'AnswerTooLargeError';
}

/**
 * Refuses an answer larger than {@link MAX_ANSWER_BYTES}: at once when its Content-Length says so,
 * else as soon as that much has arrived (a chunked answer), instead of reading all of it.
 */
function capAnswer(body: unknown, headers: Record<string, string | undefined> | undefined): unknown {
  if (!(body instanceof Readable)) return body;
  // Not an MfaTrayError yet: the SDK appends a hint to the message of whatever its deserializer
  // throws. #mapError turns it into the user's message.
  const tooLarge = (): AnswerTooLargeError => new AnswerTooLargeError();
  const declared = Number(headers?.['content-length'] ?? headers?.['Content-Length']);
  if (Number.isFinite(declared) && declared > MAX_ANSWER_BYTES) {
    body.destroy();
    throw tooLarge();
  }
  let received = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > MAX_ANSWER_BYTES) {
        body.destroy();
        callback(tooLarge());
        return;
      }
      callback(null, chunk);
    },
  });
  body.on('error', (error) => limiter.destroy(error));
  return body.pipe(limiter);
}

/** A region must be a host label: the SDK builds the endpoint's host name from it. */
function checkRegion(region: string): void {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(region)) {
    throw new MfaTrayError('invalid-input', `region: ${quoteIfHarmless(region)} is not an AWS region name (for example us-east-1).`, { field: 'region' });
  }
}

function sessionCredentials(make: Make, maskedKey: string): MfaTrayError {
  return make(
    'sts-session-credentials',
    `The access key stored for this profile (${maskedKey}) is a temporary session key, ` +
      "not a long-lived one, so it cannot request a session. Store the IAM user's long-lived access key (it starts with AKIA).",
  );
}

/** An STS ValidationError, told by the field STS names. STS's own text echoes the values (the code too): never shown. */
function validationError(make: Make, stsMessage: string, action: CallContext['action']): MfaTrayError {
  // AssumeRole's own parameters come from the role profile in the AWS config file.
  if (stsMessage.includes("'roleSessionName'")) {
    return make(
      'sts-validation',
      'AWS refused the role session name: it must be 2 to 64 of the characters A–Z a–z 0–9 and +=,.@-_ (role_session_name in the AWS config file).',
    );
  }
  // STS names the field in a constraint's words, or says "Request ARN is invalid" / "… is not a valid RoleARN".
  if (stsMessage.includes("'roleArn'") || (action === 'AssumeRole' && /ARN is invalid|not a valid RoleARN/i.test(stsMessage))) {
    return make(
      'sts-validation',
      "AWS refused the role's ARN: it must be an IAM role's, arn:aws:iam::<12-digit account>:role/<name> (role_arn in the AWS config file).",
    );
  }
  if (stsMessage.includes("'externalId'")) {
    return make(
      'sts-validation',
      'AWS refused the external id: it must be 2 to 1224 of the characters A–Z a–z 0–9 and +=,.@:/-_ (external_id in the AWS config file).',
    );
  }
  if (stsMessage.includes('MaxSessionDuration')) {
    return make('sts-validation', 'AWS refused the session duration: it is longer than the MaxSessionDuration set for this role.', {
      field: 'durationSeconds',
    });
  }
  if (stsMessage.includes("'durationSeconds'")) {
    return make(
      'sts-validation',
      'AWS refused the session duration: it must be 900 to 129600 seconds (15 minutes to 36 hours; ' +
        "at most 3600 for the root user). Change the profile's duration.",
      { field: 'durationSeconds' },
    );
  }
  if (stsMessage.includes("'tokenCode'")) {
    return make('sts-validation', 'AWS refused the MFA code: it must be exactly 6 digits. Type the code your MFA device shows.', { field: 'code' });
  }
  if (stsMessage.includes("'serialNumber'")) {
    return make(
      'sts-validation',
      'AWS refused the MFA device (its ARN or serial number): it must be 9 to 256 characters of letters, digits and +=/:,.@- ' +
        "(a virtual device's ARN or a hardware serial). Copy it from the IAM console.",
      { field: 'mfaSerial' },
    );
  }
  if (action === 'AssumeRole') {
    return make(
      'sts-validation',
      "AWS refused a value in the request to assume the role. Check the role profile's role_arn, role_session_name, external_id and duration_seconds in the AWS config file.",
    );
  }
  return make('sts-validation', "AWS refused a value in the request as out of range. Check the profile's duration and MFA device, and the code.");
}

/** The answer was HTTP but not STS's (a captive portal's page, cut-off XML, missing fields). */
function unreadableAnswer(context: CallContext, status: number, cause?: Error): MfaTrayError {
  const where = whereOf(context);
  return new MfaTrayError(
    'sts-unavailable',
    `${where} answered something that is not an ${service(context)} response (HTTP ${status}). A captive portal (hotel or airport Wi-Fi) or a ` +
      'proxy may be in the way: sign in to the network or check the proxy, then try again.',
    { retryable: true, ...(cause ? { cause } : {}) },
  );
}

/** Removes the code and the secret from text STS or Node produced, in case either is echoed. */
function redact(text: string, context: CallContext): string {
  let out = text;
  for (const secret of [context.code, context.key.secretAccessKey]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out.trim().replace(/\.$/, '');
}

/**
 * A short, secret-free stand-in for the SDK's error as the MfaTrayError's `cause`: the raw one holds
 * the response (and for ValidationError, STS's text with the code in it), so it is not passed on.
 */
function summarise(context: CallContext, e: SdkErrorLike, stsCode: string | undefined, status: number | undefined): Error {
  const parts = [
    stsCode ?? e.name ?? 'Error',
    e.code ? `code ${e.code}` : undefined,
    status === undefined ? undefined : `HTTP ${status}`,
    e.$metadata?.requestId ? `request id ${e.$metadata.requestId}` : undefined,
    context.host ? `host ${context.host}` : undefined,
  ].filter(Boolean);
  return new Error(`${context.action}: ${parts.join(', ')}`);
}
