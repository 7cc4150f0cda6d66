/**
 * `mfa-tray export`: prints the current session in the formats of `aws configure
 * export-credentials`, plus fish.
 */
import { MfaTrayError, isMfaTrayError } from '../../common/errors';
import { validateProfileName } from '../../common/validation';
import { EXPORT_FORMATS, isExportFormat } from '../../engine';
import { stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatLocalTime } from '../format';

/** The default format: shell lines, as this command is mostly used with `eval "$(...)"`. */
const DEFAULT_FORMAT = 'env';

export const exportCommand: Command = {
  name: 'export',
  summary: "Print a profile's current session for a shell, or as credential_process JSON.",
  usage: [`export <profile> [--format ${EXPORT_FORMATS.join('|')}]`],
  details: `
The formats, and their output, are those of "aws configure export-credentials", plus fish:
  env              export AWS_ACCESS_KEY_ID=...          (bash, zsh; the default here)
  env-no-export    AWS_ACCESS_KEY_ID=...                 (.env files)
  fish             set -gx AWS_ACCESS_KEY_ID "..."
  powershell       $Env:AWS_ACCESS_KEY_ID="..."
  windows-cmd      set AWS_ACCESS_KEY_ID=...
  process          credential_process JSON (Version 1)
Each includes AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION. Use it as
  eval "$(mfa-tray export work)"
Fails, and names the command that fixes it, when the profile has no current session.
(Unlike the AWS CLI, whose default is process, the default here is env.)

Options:
  --format <format>        one of ${EXPORT_FORMATS.join(', ')} (default ${DEFAULT_FORMAT})
  -h, --help               this help
`,
  options: { ...HELP_OPTION, format: { type: 'string' } },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const format = stringOption(values, 'format') ?? DEFAULT_FORMAT;
    if (!isExportFormat(format)) {
      throw new MfaTrayError('invalid-input', `--format: "${format.slice(0, 40)}" is not a format; use one of ${EXPORT_FORMATS.join(', ')}`, {
        field: 'format',
      });
    }
    const engine = ctx.engine();
    try {
      ctx.write(await engine.exportSession(name, format));
    } catch (error) {
      if (!isMfaTrayError(error, 'no-session')) throw error;
      // Say "expired at …" rather than "no session" when there was one.
      const stale = await engine.lastSession(name).catch(() => undefined);
      if (stale) {
        throw new MfaTrayError('no-session', `The session of profile ${name} expired at ${formatLocalTime(stale.expiresAt)} local time.`, {
          remedy: { action: 'refresh', profile: name },
        });
      }
      throw error;
    }
    return EXIT.ok;
  },
};
