/**
 * `mfa-tray import`: moves a long-lived key from a credentials-file section into the keychain.
 * Where each setting comes from is the engine's rule (`Engine.planImport`); this command only says it.
 */
import { validateProfileName } from '../../common/validation';
import type { ChooseMfaDevice, ImportPlan, Sourced } from '../../engine';
import { flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { terminalDeviceChooser } from '../pick-device';
import { forgotSessionLine, forgotTotpLine } from './add';

export const importCommand: Command = {
  name: 'import',
  summary: 'Move a long-lived key from the credentials file into the OS keychain as a profile.',
  usage: ['import <profile> [--from <section>] [--mfa-serial <serial>] [--remove-plaintext] [--target <section>] [--region <r>] [--duration <s>] [--force]'],
  details: `
The key comes from --from <section>; without it from [<profile>] when that section holds a
long-lived key, else from [<profile>-long-term] (aws-mfa's layout: the key and aws_mfa_device in
[<name>-long-term], sessions in [<name>]). Sessions go to [<profile>] unless --target says
otherwise.

The MFA device, region and duration come from the option when given, else from the config
file's [profile <profile>] (AWS_CONFIG_FILE, else ~/.aws/config), else from [profile <section>],
else (the device) from the section's own mfa_serial or aws_mfa_device, else from the IAM user's
devices (iam:ListMFADevices with the key: the only one that gives codes, or your pick on the
terminal among several). The output says where each value came from.

Options:
  --from <section>         the credentials-file section that holds the long-lived key
  --mfa-serial <serial>    the MFA device (ARN of a virtual device, or a hardware serial)
  --remove-plaintext       remove the key from the credentials file once the keychain holds it
                           (read back and compared first; every other byte of the file is kept;
                           remove --restore-plaintext puts it back)
  --target <section>       section for the sessions (default: the profile's name)
  --region <r>             the region whose STS is used
  --duration <s>           session length in seconds (900..129600)
  --force                  replace an existing profile of that name
  -h, --help               this help
`,
  options: {
    ...HELP_OPTION,
    from: { type: 'string' },
    'mfa-serial': { type: 'string' },
    'remove-plaintext': { type: 'boolean' },
    target: { type: 'string' },
    region: { type: 'string' },
    duration: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const removePlaintext = flag(values, 'remove-plaintext');
    const engine = ctx.engine();
    const given = {
      fromSection: stringOption(values, 'from'),
      mfaSerial: stringOption(values, 'mfa-serial'),
      targetSection: stringOption(values, 'target'),
      region: stringOption(values, 'region'),
      durationSeconds: stringOption(values, 'duration'),
    };
    const { profile, plan, maskedKeyId, replaced, forgotTotpSecret, plaintextCopies } = await engine.importProfile(name, {
      removePlaintext,
      replace: flag(values, 'force'),
      ...chooser(terminalDeviceChooser(ctx)),
      ...Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)),
    });
    const file = engine.credentialsPath;
    const { fromSection } = plan;
    // Over an existing profile (--force): what each line replaced, where it differs.
    const was = (now: string, before: string | undefined): string => (replaced && before !== undefined && before !== now ? ` (was ${before})` : '');
    const old = replaced?.profile;
    ctx.out(`Imported [${fromSection}] as profile ${profile.name}${describeSource(plan)}${replaced ? ', replacing the profile of that name' : ''}:`);
    ctx.out(`  access key      ${maskedKeyId}, now in the keychain${was(maskedKeyId, replaced?.maskedKeyId)}`);
    ctx.out(`  MFA device      ${profile.mfaSerial} ${origin(plan.mfaSerial)}${was(profile.mfaSerial, old?.mfaSerial)}`);
    ctx.out(`  region          ${profile.region} ${origin(plan.region)}${was(profile.region, old?.region)}`);
    ctx.out(
      `  duration        ${profile.durationSeconds} s ${origin(plan.durationSeconds)}${was(`${profile.durationSeconds} s`, old && `${old.durationSeconds} s`)}`,
    );
    ctx.out(
      `  sessions go to  [${profile.targetSection}] of ${file} ${origin(plan.targetSection)}${was(`[${profile.targetSection}]`, old && `[${old.targetSection}]`)}`,
    );
    if (replaced?.forgotSession) ctx.out(forgotSessionLine(replaced));
    if (replaced && forgotTotpSecret) ctx.out(forgotTotpLine(replaced.profile, profile.name));
    if (removePlaintext) {
      const copies = [...plaintextCopies.credentials.map((s) => `[${s}] of ${file}`), ...plaintextCopies.config.map((s) => `[${s}] of ${engine.configPath}`)];
      ctx.out(
        `Removed the plaintext key from [${fromSection}] in ${file}.` +
          (copies.length > 0 ? ` It is still in plain text in ${copies.join(' and in ')}: remove it there too.` : '') +
          ` (mfa-tray remove ${profile.name} --restore-plaintext${fromSection === `${profile.name}-long-term` ? '' : ` --to ${fromSection}`}` +
          `${fromSection === profile.targetSection ? ' --forget-session' : ''} puts it back.)`,
      );
    } else {
      ctx.out(
        `The plaintext key is still in [${fromSection}] in ${file}; once the profile works, remove it with: ` +
          `mfa-tray import ${profile.name} --from ${fromSection} --mfa-serial ${profile.mfaSerial} --region ${profile.region} ` +
          `--duration ${profile.durationSeconds} --target ${profile.targetSection} --remove-plaintext --force`,
      );
    }
    ctx.out(`Get a session with: mfa-tray refresh ${profile.name}`);
    return EXIT.ok;
  },
};

function chooser(choose: ChooseMfaDevice | undefined): { readonly chooseMfaDevice?: ChooseMfaDevice } {
  return choose ? { chooseMfaDevice: choose } : {};
}

function describeSource(plan: ImportPlan): string {
  switch (plan.fromSectionWhy) {
    case 'given':
      return '';
    case 'same-name':
      return ' (the section of the same name)';
    case 'aws-mfa':
      return ` (aws-mfa's layout: the long-lived key in [${plan.fromSection}])`;
  }
}

function origin(value: Sourced<unknown> | undefined): string {
  return value === undefined ? '(default)' : `(from ${value.from})`;
}
