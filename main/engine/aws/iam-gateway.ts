/**
 * IAM, as the engine sees it: the user's own MFA devices. One adapter (`sdk-aws-gateway.ts`).
 */
import type { LongLivedKey } from '../../common/model';

/** One MFA device as `iam:ListMFADevices` lists it. */
export interface ListedMfaDevice {
  readonly serialNumber: string;
  /** When it was enabled, ms since the epoch (when IAM said). */
  readonly enabledAt?: number;
}

export interface IamGateway {
  /** The key's user's MFA devices. Throws an MfaTrayError (`sts-denied` when the policy refuses it). */
  listMfaDevices(key: LongLivedKey, region: string): Promise<readonly ListedMfaDevice[]>;
}
