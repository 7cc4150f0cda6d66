/**
 * Which MFA device a profile uses when nobody named one: the user's devices from
 * `iam:ListMFADevices`, which of them can give a code STS accepts, and the choice (the only usable
 * one is taken; among several, the person picks; none, or a policy that hides them, is said plainly).
 * `add`, `import` and the windows all come here.
 */
import { MfaTrayError } from '../../common/errors';
import type { LongLivedKey } from '../../common/model';
import { checkMfaSerial } from '../../common/validation';
import type { IamGateway } from './iam-gateway';

/** A device as the surfaces show it. */
export interface MfaDevice {
  readonly serialNumber: string;
  /** `security-key`: FIDO/passkey, which STS cannot take a code from. */
  readonly kind: 'virtual' | 'hardware' | 'security-key';
  readonly enabledAt?: number;
  /** Whether it gives a code STS accepts (a TOTP device whose serial MFA Tray can use). */
  readonly usable: boolean;
}

/** Where the IAM console shows a user's devices, for messages. */
const WHERE_IN_CONSOLE = 'IAM console: Users, your user, Security credentials, Multi-factor authentication (MFA)';

/** The key's user's MFA devices, each marked usable or not. */
export async function listMfaDevices(iam: IamGateway, key: LongLivedKey, region: string): Promise<readonly MfaDevice[]> {
  let listed;
  try {
    listed = await iam.listMfaDevices(key, region);
  } catch (error) {
    if (error instanceof MfaTrayError && error.code === 'sts-denied') {
      throw new MfaTrayError(
        'sts-denied',
        "This IAM user's policy does not let a key without MFA list its MFA devices (iam:ListMFADevices), so they cannot be looked up. " +
          `Give the MFA device's ARN or serial yourself; it is in the ${WHERE_IN_CONSOLE}.`,
        { field: 'mfaSerial', cause: error },
      );
    }
    throw error;
  }
  return listed.map((device) => {
    const serial = device.serialNumber;
    const kind = serial.includes(':u2f/') ? 'security-key' : serial.startsWith('arn:') ? 'virtual' : 'hardware';
    return { serialNumber: serial, kind, ...(device.enabledAt === undefined ? {} : { enabledAt: device.enabledAt }), usable: checkMfaSerial(serial).ok };
  });
}

/** Asks the person to pick one of several usable devices (all of them given to show); resolves to its serial. */
export type ChooseMfaDevice = (usable: readonly MfaDevice[], all: readonly MfaDevice[]) => Promise<string>;

/**
 * The device to use: the only usable one, else the person's pick (with `choose`), else an error
 * that lists them. An error too when none is usable, saying why (security keys named as such).
 */
export async function pickMfaDevice(devices: readonly MfaDevice[], choose?: ChooseMfaDevice): Promise<string> {
  const usable = devices.filter((device) => device.usable);
  const [only] = usable;
  if (only !== undefined && usable.length === 1) return only.serialNumber;
  if (usable.length > 1) {
    if (choose) {
      const picked = await choose(usable, devices);
      if (!usable.some((device) => device.serialNumber === picked)) {
        throw new MfaTrayError('invalid-input', 'MFA device: the one picked is not among the listed devices.', { field: 'mfaSerial' });
      }
      return picked;
    }
    throw new MfaTrayError(
      'invalid-input',
      `MFA device: this IAM user has ${usable.length} devices that give codes (${usable.map((d) => d.serialNumber).join(', ')}); name the one to use.`,
      { field: 'mfaSerial' },
    );
  }
  const keys = devices.filter((device) => device.kind === 'security-key');
  if (keys.length > 0) {
    throw new MfaTrayError(
      'invalid-input',
      `MFA device: this IAM user's only ${keys.length === 1 ? 'device is a security key' : 'devices are security keys'} (FIDO: ${keys.map((d) => d.serialNumber).join(', ')}). ` +
        'AWS takes no security key for sts:GetSessionToken, so no tool can use it from the command line. ' +
        `Assign a virtual (authenticator app) MFA device as well (a user may have up to 8) in the ${WHERE_IN_CONSOLE}, then use its ARN.`,
      { field: 'mfaSerial' },
    );
  }
  throw new MfaTrayError(
    'invalid-input',
    `MFA device: this IAM user has none. Assign a virtual (authenticator app) MFA device in the ${WHERE_IN_CONSOLE}, then use its ARN.`,
    { field: 'mfaSerial' },
  );
}
