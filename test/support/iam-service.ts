/**
 * The IAM half of the loopback server (sts-server.ts): the MFA-device actions, with IAM's query
 * protocol, XML and error shapes, and the two policies users have behind an MFA-deny rule: AWS's
 * self-service MFA policy (a user without MFA may list and manage their own devices) and the
 * article's minimal one (every IAM action denied without MFA). The server authenticates the request
 * (SigV4 for service `iam`) and wraps the fields this returns in `<ActionResponse>`.
 */
import { randomBytes } from 'node:crypto';
import { generateSecret, generateSync } from 'otplib';
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

/** A virtual device created (CreateVirtualMFADevice) and not assigned to a user yet. */
interface PendingDevice {
  readonly serialNumber: string;
  readonly account: string;
  readonly totpSecret: string;
}

/** IAM's quota of MFA devices per user. */
const DEVICES_PER_USER = 8;

export interface IamService {
  /** Records a device a user was registered with. */
  enrolled(user: StsUser, serialNumber: string, totpSecret: string | undefined): void;
  addDevice(user: StsUser, input: IamDeviceInput): IamMfaDevice;
  devicesOf(user: StsUser): readonly IamMfaDevice[];
  /** The user's enabled TOTP device with that serial, for STS's code check. */
  totpDevice(user: StsUser, serialNumber: string): IamMfaDevice | undefined;
  /** Answers one IAM action (the result's inner XML), or throws `fail(...)`. */
  answer(caller: Caller, params: URLSearchParams, action: string): string;
  /** Virtual devices created and not (yet) assigned, by serial (a failed enrolment may leave one). */
  pendingSerials(): readonly string[];
  /**
   * The next `n` ListMFADevices answers leave out devices enabled in the last minute: IAM's reads
   * are eventually consistent, and a list asked for right after EnableMFADevice may not show it.
   */
  staleListsNext(n: number): void;
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
  let staleLists = 0;
  const pending = new Map<string, PendingDevice>();

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

  /** The user a request names (`UserName`, or the caller), checked against the caller's policy. */
  function userFor(caller: Caller, params: URLSearchParams, action: string, needsMfa = false): StsUser {
    const userName = params.get('UserName') ?? caller.user.name;
    authorize(caller, action, userName);
    if (needsMfa && !(caller.session?.mfa ?? false)) {
      throw fail(
        'AccessDenied',
        `User: ${caller.user.arn} is not authorized to perform: iam:${action} on resource: user ${userName} because no identity-based policy allows the iam:${action} action`,
        403,
      );
    }
    return caller.user;
  }

  /** Two consecutive TOTP codes of a secret, as EnableMFADevice and ResyncMFADevice take them. */
  function checkTwoCodes(secret: string, params: URLSearchParams): void {
    const first = params.get('AuthenticationCode1') ?? '';
    const second = params.get('AuthenticationCode2') ?? '';
    const invalid = fail('InvalidAuthenticationCode', 'Authentication code for device is not valid.', 403);
    if (!/^\d{6}$/.test(first) || !/^\d{6}$/.test(second)) throw invalid;
    const current = Math.floor(now() / 30_000);
    const code = (step: number) => generateSync({ secret, epoch: step * 30, period: 30, digits: 6, algorithm: 'sha1' });
    // IAM accepts a pair from the last few minutes; both must be consecutive.
    for (let step = current - 10; step <= current; step += 1) {
      if (code(step) === first && code(step + 1) === second) return;
    }
    throw invalid;
  }

  function createVirtualMfaDevice(caller: Caller, params: URLSearchParams): string {
    const name = params.get('VirtualMFADeviceName') ?? '';
    const path = params.get('Path') ?? '/';
    if (!/^[\w+=,.@-]{1,226}$/.test(name)) {
      throw fail(
        'ValidationError',
        `1 validation error detected: Value '${name}' at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
        400,
      );
    }
    if (caller.session?.role || (caller.user.iamPolicy === 'mfa-required' && !(caller.session?.mfa ?? false))) {
      throw fail(
        'AccessDenied',
        `User: ${caller.user.arn} is not authorized to perform: iam:CreateVirtualMFADevice on resource: arn:aws:iam::${caller.user.account}:mfa${path}${name} with an explicit deny in an identity-based policy`,
        403,
      );
    }
    const serialNumber = `arn:aws:iam::${caller.user.account}:mfa${path}${name}`;
    if (pending.has(serialNumber) || devices.some((d) => d.serialNumber === serialNumber)) {
      throw fail('EntityAlreadyExists', 'MFADevice entity at the same path and name already exists.', 409);
    }
    const totpSecret = generateSecret({ length: 40 });
    pending.set(serialNumber, { serialNumber, account: caller.user.account, totpSecret });
    // Base32StringSeed is a blob: the base32 text, base64-encoded on the wire. (QRCodePNG, which AWS
    // also sends, is left out: MFA Tray draws its own QR code from the seed.)
    return [
      '    <VirtualMFADevice>',
      `      <SerialNumber>${escapeXml(serialNumber)}</SerialNumber>`,
      `      <Base32StringSeed>${Buffer.from(totpSecret, 'utf8').toString('base64')}</Base32StringSeed>`,
      '    </VirtualMFADevice>',
    ].join('\n');
  }

  function enableMfaDevice(caller: Caller, params: URLSearchParams): string {
    const user = userFor(caller, params, 'EnableMFADevice');
    const serialNumber = params.get('SerialNumber') ?? '';
    const device = pending.get(serialNumber);
    if (devices.some((d) => d.serialNumber === serialNumber)) throw fail('EntityAlreadyExists', 'MFA Device is already in use.', 409);
    if (!device || device.account !== user.account) throw fail('NoSuchEntity', `MFA Device with serial number ${serialNumber} does not exist.`, 404);
    if (devicesOf(user).length >= DEVICES_PER_USER) throw fail('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${DEVICES_PER_USER}`, 409);
    checkTwoCodes(device.totpSecret, params);
    pending.delete(serialNumber);
    devices.push({ user, serialNumber, kind: 'virtual', totpSecret: device.totpSecret, enabledAt: Math.floor(now() / 1000) * 1000 });
    return '';
  }

  function resyncMfaDevice(caller: Caller, params: URLSearchParams): string {
    const user = userFor(caller, params, 'ResyncMFADevice');
    const device = devicesOf(user).find((d) => d.serialNumber === params.get('SerialNumber'));
    if (!device?.totpSecret) throw fail('NoSuchEntity', `MFA Device with serial number ${params.get('SerialNumber') ?? ''} does not exist.`, 404);
    checkTwoCodes(device.totpSecret, params);
    return '';
  }

  function deactivateMfaDevice(caller: Caller, params: URLSearchParams): string {
    // The self-service policy lets a user deactivate their own device only with MFA.
    const user = userFor(caller, params, 'DeactivateMFADevice', true);
    const index = devices.findIndex((d) => d.user === user && d.serialNumber === params.get('SerialNumber'));
    const device = devices[index];
    if (!device) throw fail('NoSuchEntity', `MFA Device with serial number ${params.get('SerialNumber') ?? ''} does not exist.`, 404);
    devices.splice(index, 1);
    if (device.kind === 'virtual' && device.totpSecret)
      pending.set(device.serialNumber, { serialNumber: device.serialNumber, account: user.account, totpSecret: device.totpSecret });
    return '';
  }

  function deleteVirtualMfaDevice(caller: Caller, params: URLSearchParams): string {
    const serialNumber = params.get('SerialNumber') ?? '';
    if (!(caller.session?.mfa ?? false) || caller.session?.role) {
      throw fail(
        'AccessDenied',
        `User: ${caller.user.arn} is not authorized to perform: iam:DeleteVirtualMFADevice on resource: ${serialNumber} because no identity-based policy allows the iam:DeleteVirtualMFADevice action`,
        403,
      );
    }
    if (devices.some((d) => d.serialNumber === serialNumber)) throw fail('DeleteConflict', 'MFA Device is still in use', 409);
    if (!pending.delete(serialNumber)) throw fail('NoSuchEntity', `VirtualMFADevice with serial number ${serialNumber} doesn't exist.`, 404);
    return '';
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
    const stale = staleLists > 0;
    if (stale) staleLists -= 1;
    const listed = devicesOf(caller.user).filter((device) => !stale || now() - device.enabledAt > 60_000);
    const members = listed.map((device) =>
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
    staleListsNext(n) {
      staleLists = n;
    },
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
    pendingSerials: () => [...pending.keys()],
    answer(caller, params, action) {
      if (action === 'ListMFADevices') return listMfaDevices(caller, params);
      if (action === 'CreateVirtualMFADevice') return createVirtualMfaDevice(caller, params);
      if (action === 'EnableMFADevice') return enableMfaDevice(caller, params);
      if (action === 'ResyncMFADevice') return resyncMfaDevice(caller, params);
      if (action === 'DeactivateMFADevice') return deactivateMfaDevice(caller, params);
      if (action === 'DeleteVirtualMFADevice') return deleteVirtualMfaDevice(caller, params);
      throw fail('InvalidAction', `Could not find operation ${action} for version ${IAM_API_VERSION}`, 400);
    },
  };
}
