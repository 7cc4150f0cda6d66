/**
 * `mfa-tray totp set|remove`: registers or forgets a profile's TOTP secret.
 *
 * The secret comes from stdin (a pipe or a file) or, on a terminal, a prompt without echo. Nothing
 * of it, and no code made from it, is ever printed.
 */
import { MfaTrayError } from '../../common/errors';
import { validateProfileName } from '../../common/validation';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { promptHidden, readPipedText } from '../terminal';

export const totpSetCommand: Command = {
  name: 'totp set',
  summary: "Register a profile's TOTP secret, so that MFA Tray makes the codes itself (opt-in).",
  usage: ['totp set <profile>'],
  details: `
The secret is read from stdin when stdin is not a terminal, else asked for without echo: the
base32 secret AWS showed when the virtual MFA device was assigned ("Show secret key"; spaces,
dashes and lower case are fine), or its otpauth://totp/ URI. Nothing of it is printed.

Opt-in, and worth a thought: with the secret in this computer's keychain, the computer holds both
factors. In return, refresh and credential-process need no typing, and watch refreshes unattended.

Options:
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { positionals }) {
    const name = validateProfileName(positionals[0]);
    const engine = ctx.engine();
    const profile = await engine.profile(name);
    const secret = await readTotpSecret(ctx, name);
    const replaced = await engine.hasTotpSecret(name);
    await engine.setTotpSecret(name, secret);
    ctx.out(
      `${replaced ? 'Replaced' : 'Registered'} the TOTP secret of profile ${name} (in the keychain). ` +
        (profile.autoRefresh
          ? 'refresh, credential-process and watch now make the codes themselves.'
          : 'refresh and credential-process now make the codes themselves (auto-refresh is off for this profile).'),
    );
    return EXIT.ok;
  },
};

export const totpRemoveCommand: Command = {
  name: 'totp remove',
  summary: "Forget a profile's TOTP secret; codes are asked for again.",
  usage: ['totp remove <profile>'],
  details: `
Removes the TOTP secret from the keychain. Succeeds also when none was registered.

Options:
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { positionals }) {
    const name = validateProfileName(positionals[0]);
    const removed = await ctx.engine().removeTotpSecret(name);
    ctx.out(removed ? `Forgot the TOTP secret of profile ${name}; its codes will be asked for.` : `Profile ${name} had no TOTP secret; nothing to forget.`);
    return EXIT.ok;
  },
};

async function readTotpSecret(ctx: CliContext, name: string): Promise<string> {
  const { stdin, stderr } = ctx.streams;
  if (stdin.isTTY === true) return promptHidden(stdin, stderr, `TOTP secret or otpauth:// URI for profile ${name} (not shown): `);
  let text: string;
  try {
    text = await readPipedText(stdin);
  } catch {
    throw new MfaTrayError('invalid-totp-secret', 'stdin holds more than a TOTP secret; pipe only the base32 secret or the otpauth://totp/ URI.', {
      field: 'totpSecret',
    });
  }
  if (text === '') {
    throw new MfaTrayError(
      'invalid-totp-secret',
      'stdin was empty; pipe the base32 secret or the otpauth://totp/ URI into the command, or run it in a terminal to be asked for it.',
      { field: 'totpSecret' },
    );
  }
  return text;
}
