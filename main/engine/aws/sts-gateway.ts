/**
 * STS, as the engine sees it: a port with one adapter (`sdk-aws-gateway.ts`, the AWS SDK).
 */
import type { LongLivedKey, SessionCredentials } from '../../common/model';

export interface GetSessionTokenRequest {
  readonly key: LongLivedKey;
  readonly mfaSerial: string;
  /** Exactly 6 digits. Sent once: never retried. */
  readonly code: string;
  readonly durationSeconds: number;
  readonly region: string;
}

export interface AssumeRoleRequest {
  /** The source profile's MFA session: the role is assumed with it, so no new code is needed. */
  readonly session: SessionCredentials;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string;
  readonly durationSeconds: number;
  readonly region: string;
}

export interface CallerIdentity {
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
}

export interface StsGateway {
  /**
   * Starts loading what a call needs (the AWS SDK), so that it loads while the caller still waits
   * for the keychain and its files; a call made meanwhile waits for the same load. Never throws:
   * a load that fails fails the call that needs it, in that call's words.
   */
  prepare?(): void;
  /** Trades a code for a session. Throws an MfaTrayError with an `sts-*`/`clock-skew` code. */
  getSessionToken(request: GetSessionTokenRequest): Promise<SessionCredentials>;
  /**
   * Who the long-lived key belongs to (needs no MFA). `signal`: the caller no longer needs the
   * answer; the request is dropped and the call fails.
   */
  getCallerIdentity(key: LongLivedKey, region: string, signal?: AbortSignal): Promise<CallerIdentity>;
  /** A role's session, assumed with a session (the role's trust sees that session's MFA). */
  assumeRole(request: AssumeRoleRequest): Promise<SessionCredentials>;
}
