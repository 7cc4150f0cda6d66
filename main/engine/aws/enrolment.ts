/**
 * Enrolling MFA Tray as a virtual MFA device of the IAM user (`enrol`), and the reverse: what no
 * other tool does. For people whose only MFA device is a passkey or a security key, which STS takes
 * no code from: IAM lets a user have up to 8 devices, and AWS's self-service MFA policy lets a user
 * create and enable their own virtual device without MFA. The long-lived key and the second factor
 * then live on the same computer; the surfaces say so before they start.
 *
 * The names, texts and checks here; the calls and storage in Engine.enrol / unenrol / resync.
 */
import { MfaTrayError, isMfaTrayError } from '../../common/errors';

/** What the self-service policy must allow without MFA for `enrol` (and `resync`). */
export const ENROL_ACTIONS = ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'] as const;

/** What `unenrol` needs (with the MFA session the device gives). */
export const UNENROL_ACTIONS = ['iam:DeactivateMFADevice', 'iam:DeleteVirtualMFADevice'] as const;

/** The new device's secret, shown once (QR code and text) so that a phone app can hold it too. Secret. */
export interface EnrolmentSecret {
  readonly serialNumber: string;
  readonly base32Secret: string;
  /** `otpauth://totp/…`, as AWS's own QR code says it ("Amazon Web Services:<user>@<account>"). */
  readonly otpauthUri: string;
}

/**
 * The IAM user name in a GetCallerIdentity ARN (`arn:aws:iam::123456789012:user/path/name`). The
 * root user and assumed roles cannot enrol a device for themselves this way.
 */
export function iamUserName(arn: string): string {
  const match = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!match?.[1]) {
    throw new MfaTrayError(
      'invalid-input',
      `The stored key belongs to ${arn}, which is not an IAM user: only an IAM user's own key can enrol an MFA device for that user.`,
    );
  }
  return match[1];
}

/** The device's default name: says which computer holds it ("mfa-tray-<host>"), in IAM's characters. */
export function defaultDeviceName(hostName: string): string {
  const host =
    hostName
      .split('.')[0]
      ?.replace(/[^\w+=,.@-]/g, '-')
      .slice(0, 48) || 'computer';
  return `mfa-tray-${host}`;
}

/** The names tried, in order, when none was given: the default, then -2 … -8 (a previous try may have left one). */
export function candidateNames(given: string | undefined, hostName: string): string[] {
  if (given !== undefined) return [given];
  const base = defaultDeviceName(hostName);
  return [base, ...[2, 3, 4, 5, 6, 7, 8].map((n) => `${base}-${n}`)];
}

/** The otpauth URI of a virtual device, as authenticator apps read it. */
export function otpauthUri(base32Secret: string, userName: string, account: string): string {
  const label = encodeURIComponent(`Amazon Web Services:${userName}@${account}`);
  return `otpauth://totp/${label}?secret=${base32Secret}&issuer=${encodeURIComponent('Amazon Web Services')}`;
}

/**
 * A refusal of the IAM user's policy, in words that name what it must allow: the self-service MFA
 * policy allows these without MFA (the `policy` command prints it filled in). Other errors pass.
 */
export function explainPolicyRefusal(error: unknown, actions: readonly string[], withMfa: boolean): unknown {
  if (!isMfaTrayError(error, 'sts-denied') || !/not authorized to perform/.test(error.message)) return error;
  return new MfaTrayError(
    'sts-denied',
    `This IAM user's policy does not allow ${actions.join(', ')}${withMfa ? '' : ' without MFA'}, which this needs. ` +
      "AWS's self-service MFA policy allows them (the policy command prints it, filled in for your account); ask whoever manages your IAM policies.",
    { cause: error },
  );
}
