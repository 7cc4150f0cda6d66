/**
 * `mfa-tray enrol` / `unenrol`: MFA Tray as a virtual MFA device of the IAM user, for people whose
 * only device is a passkey or security key (which STS takes no code from). What happens is the
 * engine's (Engine.enrol, engine/aws/enrolment.ts); this asks first, shows the secret once on the
 * terminal (QR code and text, so a phone app can hold it too), and says what changed.
 */
import { MfaTrayError } from '../../common/errors';
import { checkAccessKeyId, invalidInputs, validateProfileName, validateSecretAccessKey } from '../../common/validation';
import type * as QRCode from 'qrcode';
import type { Engine } from '../../engine';
import { DeviceSteps } from '../ask-code';
import { UsageError, flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { confirm } from '../confirm';
import { openTerminal, type Terminal } from '../terminal';
import { readSecretKey } from './add';
import { codeInput } from './refresh';

/** The terminal to show the secret on: stderr when it is one, else the controlling terminal; never stdout (it may be logged). */
function secretDisplay(ctx: CliContext): { readonly write: (text: string) => void; readonly close: () => void } | undefined {
  const stderr = ctx.streams.stderr as NodeJS.WritableStream & { readonly isTTY?: boolean };
  if (stderr.isTTY === true) return { write: (text) => stderr.write(text), close: () => undefined };
  const terminal: Terminal | undefined = openTerminal();
  return terminal ? { write: (text) => terminal.output.write(text), close: () => terminal.close() } : undefined;
}

export const enrolCommand: Command = {
  name: 'enrol',
  summary: 'Make MFA Tray an MFA device of the IAM user (for people whose only device is a passkey or security key).',
  usage: [
    'enrol <profile> [--name <device name>] [--yes]',
    'enrol <profile> --access-key-id <id> [--region <r>] [--name <device name>] [--yes]',
    'enrol <profile> --resync',
  ],
  details: `
Creates a virtual MFA device for the profile's IAM user with the stored long-lived key
(iam:CreateVirtualMFADevice, named mfa-tray-<this computer> unless --name says otherwise), shows
its secret once on the terminal as a QR code and as text (add it to a phone app too, if you want
a second place), enables it with two consecutive codes (iam:EnableMFADevice), keeps the secret
in the keychain and makes it the profile's MFA device: sessions are then refreshed unattended.

A user whose only device is a passkey cannot add a profile (it has no device to name): give the
key here instead (--access-key-id; the secret from stdin, or asked without echo) and the profile
is created with its new device.

What it means: the access key and the second factor then live on the same computer. AWS's
self-service MFA policy allows these actions without MFA (mfa-tray policy prints it).

Options:
  --name <device name>  the device's name in IAM (letters, digits and _+=,.@-)
  --access-key-id <id>  create the profile: its IAM user's long-lived key (AKIA...)
  --region <r>          with --access-key-id: the region whose STS is used (default us-east-1)
  --resync              the profile's device was enrolled, and AWS now refuses its codes:
                        send two consecutive codes to bring it back in line (iam:ResyncMFADevice)
  --yes                 do not ask first (needed without a terminal)
  -h, --help            this help
`,
  options: {
    ...HELP_OPTION,
    name: { type: 'string' },
    'access-key-id': { type: 'string' },
    region: { type: 'string' },
    resync: { type: 'boolean' },
    yes: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const engine = ctx.engine();
    const keyId = stringOption(values, 'access-key-id');
    const region = stringOption(values, 'region');
    const exists = (await engine.profiles()).some((p) => p.name === name);
    if (exists && keyId !== undefined) throw new UsageError('enrol', `profile ${name} exists already and has its key: leave out --access-key-id`);
    if (!exists && keyId === undefined) {
      throw new MfaTrayError(
        'not-found',
        `There is no profile "${name}". To create it with its new device, give its key: mfa-tray enrol ${name} --access-key-id AKIA...`,
      );
    }
    if (region !== undefined && keyId === undefined) throw new UsageError('enrol', '--region goes with --access-key-id (an existing profile keeps its region)');
    if (flag(values, 'resync')) {
      const profile = await engine.profile(name);
      await engine.resync(name);
      ctx.out(`AWS took two consecutive codes of ${profile.mfaSerial}: its codes count again.`);
      return EXIT.ok;
    }
    const facts =
      `This makes MFA Tray an MFA device of the IAM user of profile ${name}. Its secret stays in this computer's keychain next to the ` +
      'long-lived access key, so whoever can use your account on this computer has both factors. It is for people whose only MFA device ' +
      'is a passkey or security key, which the AWS CLI cannot use.';
    const question = 'Enrol MFA Tray as an MFA device?';
    if (
      !(await confirm(ctx, {
        command: 'enrol',
        facts,
        question,
        yes: flag(values, 'yes'),
        withoutTerminal: 'add --yes',
        cancelled: 'cancelled; nothing was changed',
      }))
    ) {
      ctx.out('Nothing was changed.');
      return EXIT.cancelled;
    }
    const deviceName = stringOption(values, 'name');
    const checkedKeyId = keyId === undefined ? undefined : checkAccessKeyId(keyId);
    if (checkedKeyId && !checkedKeyId.ok) throw invalidInputs([checkedKeyId.issue]);
    const newKeyId = checkedKeyId?.value;
    const newProfile =
      newKeyId === undefined
        ? undefined
        : {
            key: { accessKeyId: newKeyId, secretAccessKey: validateSecretAccessKey(await readSecretKey(ctx, newKeyId)) },
            ...(region === undefined ? {} : { region }),
          };
    const display = secretDisplay(ctx);
    let shown = false;
    try {
      const enrolled = await engine.enrol(name, {
        ...(deviceName === undefined ? {} : { deviceName }),
        ...(newProfile === undefined ? {} : { newProfile }),
        show: async (secret) => {
          if (!display) return;
          // A CommonJS module: its functions are on `default` once bundled, named under tsx.
          const loaded = (await import('qrcode')) as typeof QRCode & { readonly default?: typeof QRCode };
          const qr = await (loaded.default ?? loaded).toString(secret.otpauthUri, { type: 'utf8', errorCorrectionLevel: 'M' });
          display.write(
            `\nThe new device's secret, shown once. To have it on your phone as well, scan it now:\n\n${qr}\n` + `Or type it: ${secret.base32Secret}\n\n`,
          );
          shown = true;
        },
      });
      ctx.out(`Enrolled ${enrolled.serialNumber} as an MFA device of IAM user ${enrolled.userName}.`);
      ctx.out(
        `${newProfile ? `Added profile ${name} with it` : `Profile ${name} now uses it`}; its secret is in the keychain, so sessions are refreshed without a code.`,
      );
      if (!shown) ctx.out('Its secret was not shown (no terminal): it is only in the keychain.');
      if (enrolled.previousSerial !== undefined && enrolled.previousSerial !== enrolled.serialNumber) {
        ctx.out(`Your other MFA devices (such as ${enrolled.previousSerial}) stay assigned; mfa-tray unenrol ${name} removes this one again.`);
      }
      return EXIT.ok;
    } finally {
      display?.close();
    }
  },
};

export const unenrolCommand: Command = {
  name: 'unenrol',
  summary: "Remove the profile's virtual MFA device from the IAM user, and forget its secret.",
  usage: ['unenrol <profile> [--code <6 digits>] [--yes]'],
  details: `
Deactivates and deletes the profile's virtual MFA device (iam:DeactivateMFADevice,
iam:DeleteVirtualMFADevice), signed with the profile's MFA session (AWS's self-service policy
allows removing a device only with MFA; a session is got first if there is none), then forgets
its TOTP secret. The profile keeps its key; give it another device (mfa-tray edit <profile>
--mfa-serial …) before its next session.

Options:
  --code <code>      a code for the session, if one is needed and no secret is stored
  -t, --token <code> the same as --code
  --yes              do not ask first (needed without a terminal)
  -h, --help         this help
`,
  options: { ...HELP_OPTION, code: { type: 'string' }, token: { type: 'string', short: 't' }, yes: { type: 'boolean' } },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const engine: Engine = ctx.engine();
    const profile = await engine.profile(name);
    const facts = `This deactivates and deletes ${profile.mfaSerial} in IAM and forgets its secret; codes from it (on a phone too) stop working.`;
    const question = `Remove the MFA device of profile ${name}?`;
    if (
      !(await confirm(ctx, {
        command: 'unenrol',
        facts,
        question,
        yes: flag(values, 'yes'),
        withoutTerminal: 'add --yes',
        cancelled: 'cancelled; nothing was changed',
      }))
    ) {
      ctx.out('Nothing was changed.');
      return EXIT.cancelled;
    }
    const code = stringOption(values, 'code') ?? stringOption(values, 'token');
    const { serialNumber } = await engine.unenrol(name, codeInput(ctx, profile, code, new DeviceSteps(() => engine.awsNow())));
    ctx.out(`Removed ${serialNumber} from the IAM user and forgot its secret.`);
    ctx.out(`Profile ${name} has no working MFA device now: give it another with mfa-tray edit ${name} --mfa-serial <serial>.`);
    return EXIT.ok;
  },
};
