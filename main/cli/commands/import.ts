/**
 * `mfa-tray import`: moves a long-lived key from a credentials-file section into the keychain.
 */
import { validateProfileName } from '../../common/validation';
import { UsageError, flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { maskKeyId } from '../format';

export const importCommand: Command = {
  name: 'import',
  summary: 'Move a long-lived key from the credentials file into the OS keychain as a profile.',
  usage: ['import <profile> --from <section> [--mfa-serial <serial>] [--remove-plaintext] [--target <section>] [--region <r>] [--duration <s>] [--force]'],
  details: `
mfa_serial, region and duration_seconds come from the config file's [profile <section>]
(AWS_CONFIG_FILE, else ~/.aws/config) unless given here.

Options:
  --from <section>         the credentials-file section that holds the long-lived key
  --mfa-serial <serial>    the MFA device, when the config file has no mfa_serial for the section
  --remove-plaintext       remove the key from the credentials file once the keychain holds it
                           (read back and compared first; every other byte of the file is kept)
  --target <section>       section for the sessions (default: <section> with --remove-plaintext,
                           else the profile's name)
  --region <r>             overrides the config file's region
  --duration <s>           overrides the config file's duration_seconds (900..129600)
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
    const fromSection = stringOption(values, 'from');
    if (fromSection === undefined) throw new UsageError('import', 'missing --from <section>');
    const removePlaintext = flag(values, 'remove-plaintext');
    const engine = ctx.engine();
    const mfaSerial = stringOption(values, 'mfa-serial');
    const targetSection = stringOption(values, 'target');
    const region = stringOption(values, 'region');
    const durationSeconds = stringOption(values, 'duration');
    const profile = await engine.importProfile(name, {
      fromSection,
      removePlaintext,
      replace: flag(values, 'force'),
      ...(mfaSerial === undefined ? {} : { mfaSerial }),
      ...(targetSection === undefined ? {} : { targetSection }),
      ...(region === undefined ? {} : { region }),
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
    });
    const key = await engine.secrets.getLongLivedKey(profile.name);
    const file = engine.credentials.path;
    ctx.out(`Imported [${fromSection}] as profile ${profile.name}: key ${key ? maskKeyId(key.accessKeyId) : ''} in the keychain, MFA device ${profile.mfaSerial}, ` +
      `region ${profile.region}, sessions of ${profile.durationSeconds} s go to [${profile.targetSection}] in ${file}.`);
    if (removePlaintext) {
      ctx.out(`Removed the plaintext key from [${fromSection}] in ${file}.`);
    } else {
      ctx.out(`The plaintext key is still in [${fromSection}] in ${file}; once the profile works, remove it with: ` +
        `mfa-tray import ${profile.name} --from ${fromSection} --mfa-serial ${profile.mfaSerial} --target ${profile.targetSection} --remove-plaintext --force`);
    }
    ctx.out(`Get a session with: mfa-tray refresh ${profile.name}`);
    return EXIT.ok;
  },
};
