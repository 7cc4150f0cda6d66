/**
 * `mfa-tray credential-process`: the `credential_process` of the AWS SDKs and CLI.
 *
 * It runs before every AWS command the user types, so the common path is kept cheap: a cached
 * session with more than 15 minutes left (less for short sessions: leadTimeMs) is printed straight from the keychain by
 * cached-session.ts, which main.ts runs before loading this command or the engine. Only stdout's Version 1 JSON is for the
 * SDK; the SDKs capture stdout and stderr, so a code is asked for on the terminal itself
 * (`/dev/tty`), and a failure is one line on stderr, which the SDKs include in their error. Getting
 * the session (cached, or refreshed under the shared lock) is session-for-use.ts, which `exec` uses too.
 */
import type { SessionCredentials } from '../../common/model';
import { formatExports } from '../../engine';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { sessionForUse } from '../session-for-use';

export const credentialProcessCommand: Command = {
  name: 'credential-process',
  summary: "Print a profile's session as credential_process JSON, refreshing it first when needed.",
  usage: ['credential-process <profile>'],
  details: `
For the AWS CLI and SDKs. In ~/.aws/config:
  [profile work-mfa]
  credential_process = mfa-tray credential-process work

Prints only the Version 1 JSON on stdout. A cached session with more than 15 minutes left (a
quarter of the profile's duration, for sessions under an hour) is printed as it is. Otherwise
the session is refreshed first: with the registered TOTP secret, else by asking for the code on
the terminal (/dev/tty, since the SDKs capture stdout and stderr; the question ends after
MFA_TRAY_CODE_TIMEOUT seconds, default 180). When no refresh is possible, a session that is still valid is printed anyway, with a note on stderr;
with none, the command fails with one line on stderr. After a refresh failed because AWS could not
be reached, a session with a minute or more left is printed at once, without trying again, for
30 s (then 1, 2, 5 and 10 min while failures follow one another); mfa-tray refresh tries at once. When several run at once for one profile,
one refreshes and the others wait for it (up to 5 minutes) and print the session it got.

Options:
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { positionals }) {
    return serve(ctx, await sessionForUse(ctx, positionals[0] as string, 'credential-process'));
  },
};

function serve(ctx: CliContext, session: SessionCredentials): typeof EXIT.ok {
  ctx.write(formatExports(session, 'process'));
  return EXIT.ok;
}
