/**
 * IAM, as the engine sees it: the user's own MFA devices. One adapter (`sdk-aws-gateway.ts`).
 */
import type { LongLivedKey, SessionCredentials } from '../../common/model';

/** One MFA device as `iam:ListMFADevices` lists it. */
export interface ListedMfaDevice {
  readonly serialNumber: string;
  /** When it was enabled, ms since the epoch (when IAM said). */
  readonly enabledAt?: number;
}

/** Who signs an IAM call: the long-lived key, or an MFA session (which the self-service policy wants for removing a device). */
export type IamCredentials = LongLivedKey | SessionCredentials;

/** A virtual MFA device just created: its serial and its TOTP secret (base32). Secret. */
export interface CreatedVirtualDevice {
  readonly serialNumber: string;
  readonly base32Secret: string;
}

export interface IamGateway {
  /** The key's user's MFA devices. Throws an MfaTrayError (`sts-denied` when the policy refuses it). */
  listMfaDevices(key: LongLivedKey, region: string): Promise<readonly ListedMfaDevice[]>;
  /** `iam:CreateVirtualMFADevice`: a new, unassigned virtual device of that name. */
  createVirtualMfaDevice(credentials: IamCredentials, region: string, name: string): Promise<CreatedVirtualDevice>;
  /** `iam:EnableMFADevice`: assigns the device to the user, proven by two consecutive codes. */
  enableMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void>;
  /** `iam:ResyncMFADevice`: brings AWS's idea of the device's clock in line, from two consecutive codes. */
  resyncMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string, codes: readonly [string, string]): Promise<void>;
  /** `iam:DeactivateMFADevice`: unassigns it from the user. */
  deactivateMfaDevice(credentials: IamCredentials, region: string, userName: string, serialNumber: string): Promise<void>;
  /** `iam:DeleteVirtualMFADevice`: deletes an unassigned virtual device. */
  deleteVirtualMfaDevice(credentials: IamCredentials, region: string, serialNumber: string): Promise<void>;
}
