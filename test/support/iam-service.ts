/**
 * The IAM half of the loopback server (sts-server.ts): the MFA-device actions, with IAM's query
 * protocol, XML and error shapes, and the two policies users have behind an MFA-deny rule: AWS's
 * self-service MFA policy (a user without MFA may list and manage their own devices) and the
 * article's minimal one (every IAM action denied without MFA). The server authenticates the request
 * (SigV4 for service `iam`) and wraps the fields this returns in `<ActionResponse>`.
 */
import { randomBytes } from 'node:crypto';
import { generateSecret } from 'otplib';
import type { Caller, StsUser } from './sts-server';

export const IAM_API_VERSION = '2010-05-08';
export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** See {@link StsUserInput.iamPolicy} in sts-server.ts. */
export type IamPolicy = 'self-service' | 'mfa-required';

/** One MFA device of a user, as IAM keeps it. */
export interface IamMfaDevice {
  readonly user: StsUser;
  readonly serialNumber: string;
  readonly kind: 'virtual' | 'hardware' | 'security-key';
  /** The TOTP secret (virtual and hardware TOTP devices). */
  readonly totpSecret: string | undefined;
  /** When it was enabled, ms since the epoch. */
  readonly enabledAt: number;
}

/** What {@link StsServer.addDevice} takes. */
export interface IamDeviceInput {
  readonly kind: IamMfaDevice['kind'];
  /** The device's name (virtual devices and security keys; default: a random one). */
  readonly name?: string;
}

type Fail = (code: string, message: string, status: number) => Error;

export interface IamService {
  /** Records a device a user was registered with. */
  enrolled(user: StsUser, serialNumber: string, totpSecret: string | undefined): void;
  addDevice(user: StsUser, input: IamDeviceInput): IamMfaDevice;
  devicesOf(user: StsUser): readonly IamMfaDevice[];
  /** The user's enabled TOTP device with that serial, for STS's code check. */
  totpDevice(user: StsUser, serialNumber: string): IamMfaDevice | undefined;
  /** Answers one IAM action (the result's inner XML), or throws `fail(...)`. */
  answer(caller: Caller, params: URLSearchParams, action: string): string;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** IAM's timestamps: ISO 8601 with seconds, UTC. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function createIamService(options: { readonly now: () => number; readonly fail: Fail }): IamService {
  const { now, fail } = options;
  const devices: IamMfaDevice[] = [];

  function kindOf(serialNumber: string): IamMfaDevice['kind'] {
    if (/:u2f\//.test(serialNumber)) return 'security-key';
    return serialNumber.startsWith('arn:') ? 'virtual' : 'hardware';
  }

  function devicesOf(user: StsUser): readonly IamMfaDevice[] {
    return devices.filter((device) => device.user === user);
  }

  /**
   * The caller's identity-based policy, as IAM evaluates it: the self-service policy allows a user
   * their own devices with or without MFA; the minimal policy denies everything without MFA.
   * Assumed-role sessions have no IAM rights here.
   */
  function authorize(caller: Caller, action: string, userName: string): void {
    const principal = caller.session?.role
      ? `arn:aws:sts::${caller.session.role.role.account}:assumed-role/${caller.session.role.role.name}/${caller.session.role.sessionName}`
      : caller.user.arn;
    const resource = `user ${userName}`;
    if (caller.session?.role || userName !== caller.user.name) {
      throw fail(
        'AccessDenied',
        `User: ${principal} is not authorized to perform: iam:${action} on resource: ${resource} because no identity-based policy allows the iam:${action} action`,
        403,
      );
    }
    const mfa = caller.session?.mfa ?? false;
    if (caller.user.iamPolicy === 'mfa-required' && !mfa) {
      throw fail(
        'AccessDenied',
        `User: ${principal} is not authorized to perform: iam:${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
        403,
      );
    }
  }

  function listMfaDevices(caller: Caller, params: URLSearchParams): string {
    const userName = params.get('UserName') ?? caller.user.name;
    if (!/^[\w+=,.@-]{1,128}$/.test(userName)) {
      throw fail(
        'ValidationError',
        `1 validation error detected: Value '${userName}' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
        400,
      );
    }
    authorize(caller, 'ListMFADevices', userName);
    const members = devicesOf(caller.user).map((device) =>
      [
        '      <member>',
        `        <UserName>${escapeXml(device.user.name)}</UserName>`,
        `        <SerialNumber>${escapeXml(device.serialNumber)}</SerialNumber>`,
        `        <EnableDate>${isoSeconds(device.enabledAt)}</EnableDate>`,
        '      </member>',
      ].join('\n'),
    );
    return ['    <MFADevices>', ...members, '    </MFADevices>', '    <IsTruncated>false</IsTruncated>'].join('\n');
  }

  return {
    enrolled(user, serialNumber, totpSecret) {
      devices.push({ user, serialNumber, kind: kindOf(serialNumber), totpSecret, enabledAt: Math.floor(now() / 1000) * 1000 });
    },
    addDevice(user, input) {
      const name = input.name ?? `device-${randomBytes(3).toString('hex')}`;
      const serialNumber =
        input.kind === 'virtual'
          ? `arn:aws:iam::${user.account}:mfa/${name}`
          : input.kind === 'security-key'
            ? `arn:aws:iam::${user.account}:u2f/user/${user.name}/${name}-${randomBytes(13).toString('hex').toUpperCase()}`
            : `GAKT${String(randomBytes(4).readUInt32BE(0)).padStart(8, '0').slice(0, 8)}`;
      const device: IamMfaDevice = {
        user,
        serialNumber,
        kind: input.kind,
        totpSecret: input.kind === 'security-key' ? undefined : generateSecret({ length: 40 }),
        enabledAt: Math.floor(now() / 1000) * 1000,
      };
      devices.push(device);
      return device;
    },
    devicesOf,
    totpDevice(user, serialNumber) {
      return devices.find((device) => device.user === user && device.serialNumber === serialNumber && device.totpSecret !== undefined);
    },
    answer(caller, params, action) {
      if (action === 'ListMFADevices') return listMfaDevices(caller, params);
      throw fail('InvalidAction', `Could not find operation ${action} for version ${IAM_API_VERSION}`, 400);
    },
  };
}
