/**
 * `mfa-tray add`: stores a profile, its long-lived key in the keychain.
 *
 * The secret access key never comes from the command line (shell history, the process list): it is
 * read from stdin when stdin is a pipe or a file, and asked for without echo on a terminal.

Without --mfa-serial, the user's MFA devices are listed with the key (iam:ListMFADevices, which
AWS's self-service MFA policy allows without MFA): the only one that gives codes is taken, and
among several you pick on the terminal. Security keys (FIDO) are listed but cannot be used.
 * Everything else is checked before the secret is asked for, so a typo in a flag costs no paste.
 */
import { MfaTrayError } from '../../common/errors';
import type { LongLivedKey, Profile } from '../../common/model';
import { checkAccessKeyId, checkProfileInput, invalidInputs, validateProfileInput, validateSecretAccessKey } from '../../common/validation';
import { pickMfaDevice, type Engine } from '../../engine';
import { UsageError, flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { maskKeyId } from '../format';
import { terminalDeviceChooser } from '../pick-device';
import { promptHidden, readPipedText } from '../terminal';

export const addCommand: Command = {
  name: 'add',
  summary: 'Store a profile; its long-lived access key goes into the OS keychain.',
  usage: ['add <profile> --access-key-id <id> [--mfa-serial <serial>] [--duration <s>] [--region <r>] [--target <section>] [--force] [--verify]'],
  details: `
The secret access key is never an option (shell history, process list). It is read from stdin
when stdin is not a terminal, for example
  printf '%s' "$SECRET" | mfa-tray add work --mfa-serial <serial> --access-key-id AKIA...
and asked for without echo on a terminal.

Options:
  --mfa-serial <serial>    the MFA device: arn:aws:iam::<account>:mfa/<name>, or a hardware serial
                           (default: looked up, see above)
  --access-key-id <id>     the IAM user's long-lived access key id (AKIA...)
  --duration <s>           session length in seconds, 900..129600 (default 43200)
  --region <r>             region whose STS is used (default us-east-1; the partition's for aws-cn/aws-us-gov)
  --target <section>       credentials-file section for the sessions (default: the profile's name)
  --force                  replace an existing profile of that name (and its key)
  --verify                 check the key first with sts:GetCallerIdentity and print whose it is
  -h, --help               this help
`,
  options: {
    ...HELP_OPTION,
    'mfa-serial': { type: 'string' },
    'access-key-id': { type: 'string' },
    duration: { type: 'string' },
    region: { type: 'string' },
    target: { type: 'string' },
    force: { type: 'boolean' },
    verify: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const mfaSerial = stringOption(values, 'mfa-serial');
    const accessKeyId = stringOption(values, 'access-key-id');
    if (accessKeyId === undefined) throw new UsageError('add', 'missing --access-key-id <id>');
    const force = flag(values, 'force');
    // Every refused value in one run: a typo in one flag should not hide the next.
    const input = {
      name: positionals[0],
      ...optional('durationSeconds', stringOption(values, 'duration')),
      ...optional('region', stringOption(values, 'region')),
      ...optional('targetSection', stringOption(values, 'target')),
    };
    const checked = checkProfileInput({ ...input, mfaSerial });
    // Without --mfa-serial the device is looked up below; every other field is checked now.
    const issues = checked.ok ? [] : checked.issues.filter((issue) => !(mfaSerial === undefined && issue.field === 'mfaSerial' && issue.rule === 'required'));
    const checkedKeyId = checkAccessKeyId(accessKeyId);
    if (issues.length > 0 || !checkedKeyId.ok) throw invalidInputs([...issues, ...(checkedKeyId.ok ? [] : [checkedKeyId.issue])]);
    const keyId = checkedKeyId.value;

    const engine = ctx.engine();
    const name = positionals[0] ?? '';
    const existing = (await engine.profiles()).find((p) => p.name === name);
    if (existing && !force) {
      throw new MfaTrayError(
        'already-exists',
        `A profile named "${name}" exists already; replace it with --force, or remove it first (mfa-tray remove ${name}).`,
        { field: 'name' },
      );
    }

    const secretAccessKey = validateSecretAccessKey(await readSecretKey(ctx, keyId));
    const key = { accessKeyId: keyId, secretAccessKey };
    const profile = checked.ok
      ? checked.value
      : validateProfileInput({ ...input, mfaSerial: await lookUpDevice(ctx, engine, key, stringOption(values, 'region')) });
    if (flag(values, 'verify')) {
      const identity = await engine.verifyKey(key, profile.region);
      ctx.out(`Verified: key ${maskKeyId(keyId)} belongs to ${identity.arn}`);
    }
    // add has no option for auto-refresh: the engine's default, or what a replaced profile had.
    const { autoRefresh: _unset, ...given } = profile;
    const { profile: stored, replaced, forgotTotpSecret } = await engine.addProfile({ ...given, ...key }, { replace: force });
    const was = replaced?.maskedKeyId !== undefined && replaced.maskedKeyId !== maskKeyId(keyId) ? ` (was ${replaced.maskedKeyId})` : '';
    ctx.out(
      `${replaced ? 'Replaced' : 'Added'} profile ${stored.name}: key ${maskKeyId(keyId)} in the keychain${was}, MFA device ${stored.mfaSerial}, ` +
        `region ${stored.region}, sessions of ${stored.durationSeconds} s go to [${stored.targetSection}] in ${engine.credentialsPath}.`,
    );
    if (replaced?.forgotSession) ctx.out(forgotSessionLine(replaced));
    if (replaced && forgotTotpSecret) ctx.out(forgotTotpLine(replaced.profile, stored.name));
    ctx.out(`Get a session with: mfa-tray refresh ${stored.name}`);
    return EXIT.ok;
  },
};

/** What `add --force` and `import --force` say when the replaced profile's session was forgotten (it was another key's). */
export function forgotSessionLine(replaced: { readonly profile: Profile; readonly maskedKeyId: string | undefined }): string {
  const key = replaced.maskedKeyId === undefined ? 'key' : `key ${replaced.maskedKeyId}`;
  return `Forgot the session of the previous ${key}: it was another key's, so it is no longer in the keychain or in [${replaced.profile.targetSection}].`;
}

/** What `add --force` and `import --force` say when the replaced profile's TOTP secret was forgotten. */
export function forgotTotpLine(replaced: Profile, name: string): string {
  return `Forgot the TOTP secret registered for the previous MFA device ${replaced.mfaSerial}; register the new device's with: mfa-tray totp set ${name}`;
}

/** The device when none was named: the engine's pick among the user's devices, the person's on a terminal. */
async function lookUpDevice(ctx: CliContext, engine: Engine, key: LongLivedKey, region: string | undefined): Promise<string> {
  const devices = await engine.mfaDevices({ key }, region);
  const serial = await pickMfaDevice(devices, terminalDeviceChooser(ctx));
  if (devices.filter((device) => device.usable).length === 1) ctx.out(`MFA device ${serial}: the IAM user's only device that gives codes.`);
  return serial;
}

function optional(field: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [field]: value };
}

export async function readSecretKey(ctx: CliContext, keyId: string): Promise<string> {
  const { stdin, stderr } = ctx.streams;
  if (stdin.isTTY === true) {
    return promptHidden(stdin, stderr, `Secret access key for ${maskKeyId(keyId)} (not shown): `);
  }
  let text: string;
  try {
    text = await readPipedText(stdin);
  } catch {
    throw new MfaTrayError('invalid-input', 'secret access key: stdin holds more than a key; pipe only the 40-character secret access key.', {
      field: 'secretAccessKey',
    });
  }
  if (text === '') {
    throw new MfaTrayError(
      'invalid-input',
      'secret access key: stdin was empty; pipe the 40-character secret access key into the command, or run it in a terminal to be asked for it.',
      { field: 'secretAccessKey' },
    );
  }
  return text;
}
