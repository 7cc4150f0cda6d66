/**
 * `mfa-tray remove`: forgets a profile and its keychain entries.
 */
import { validateProfileName } from '../../common/validation';
import { flag } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';

export const removeCommand: Command = {
  name: 'remove',
  summary: 'Forget a profile and its keychain entries (key, TOTP secret, cached session).',
  usage: ['remove <profile> [--forget-session]'],
  details: `
The session in the credentials file stays until it expires, so that AWS commands running now keep
working; --forget-session removes it too (only the keys MFA Tray wrote; the rest of the file is kept).

Options:
  --forget-session         also remove the session from the profile's credentials-file section
  -h, --help               this help
`,
  options: { ...HELP_OPTION, 'forget-session': { type: 'boolean' } },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const forgetSession = flag(values, 'forget-session');
    const engine = ctx.engine();
    const profile = await engine.settings.getProfile(name);
    await engine.removeProfile(name, { forgetSession });
    ctx.out(`Removed profile ${name} and its keychain entries.`);
    ctx.out(forgetSession
      ? `Removed its session from [${profile.targetSection}] in ${engine.credentials.path}.`
      : `Its session (if any) stays in [${profile.targetSection}] in ${engine.credentials.path} until it expires.`);
    return EXIT.ok;
  },
};
