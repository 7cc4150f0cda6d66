/**
 * `mfa-tray doctor`: the engine's checks (engine/doctor.ts), one line each with its verdict and fix.
 */
import { validateProfileName } from '../../common/validation';
import { flag } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';

const MARK = { pass: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check everything that makes a session fail: environment, keychain, keys, devices, clock, files, sessions.',
  usage: ['doctor [<profile>] [--json]'],
  details: `
One line per check, with its verdict (ok, warn, FAIL) and what fixes it:
  - AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or AWS_PROFILE in the environment
    shadowing the profile (the commonest cause of "it still says AccessDenied");
  - the keychain reachable and unlocked; each stored key long-lived (AKIA…) and active
    (sts:GetCallerIdentity); its MFA device in that user's account (and listed, where allowed);
  - this computer's clock against AWS's;
  - the credentials and config files: modes, duplicate sections, a profile's target section
    holding a long-lived key, a config mfa_serial that differs from the profile's device, and every
    credential_process = mfa-tray … line running a command that exists;
  - each profile's session and the time left.
Nothing is changed. Exit status 0 when every check passes, 9 otherwise.

Options:
  --json      the checks as JSON: [{ "check", "profile", "verdict", "message", "fix" }]
  -h, --help  this help
`,
  options: { ...HELP_OPTION, json: { type: 'boolean' } },
  positionals: { min: 0, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const only = positionals[0] === undefined ? undefined : validateProfileName(positionals[0]);
    const checks = await ctx.engine().diagnose(ctx.env, only);
    if (flag(values, 'json')) {
      ctx.out(
        JSON.stringify(
          checks.map((c) => ({ check: c.check, profile: c.profile ?? null, verdict: c.verdict, message: c.message, fix: c.fix ?? null })),
          null,
          2,
        ),
      );
    } else {
      for (const c of checks) {
        ctx.out(`${MARK[c.verdict]}  ${c.check}${c.profile ? ` (${c.profile})` : ''}: ${c.message}${c.fix ? ` Fix: ${c.fix}` : ''}`);
      }
    }
    return checks.every((c) => c.verdict === 'pass') ? EXIT.ok : EXIT.checksFailed;
  },
};
