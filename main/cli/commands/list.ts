/**
 * `mfa-tray list`: the profiles as aws-vault's `list` shows them: each profile, where its codes
 * come from, its MFA device, its session and where the session goes.
 */
import { expiryOf } from '../../common/session-state';
import type { ShownPlan } from '../../engine';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatDuration, renderTable, stateWords } from '../format';
import { isKeychainDown } from '../../common/errors';
import { failIfIncomplete } from './status';

const CODE_WORDS: Readonly<Record<ShownPlan['source'], string>> = {
  totp: 'TOTP secret',
  command: 'mfa_process',
  yubikey: 'YubiKey',
  person: 'typed',
  // The keychain or the AWS config file cannot be read: the run ends with that error's line.
  unknown: 'unknown',
};

export const listCommand: Command = {
  name: 'list',
  summary: 'List the profiles: code source, MFA device, session and section (as aws-vault list).',
  usage: ['list'],
  details: `
One line per profile: its name, where its codes come from (a registered TOTP secret, the
mfa_process command in ~/.aws/config, a YubiKey, or typed by you; "auto" when it is refreshed
unattended; "unknown" when the keychain or ~/.aws/config cannot be read), its MFA device, its
session (time left, or expired, or none) and the credentials-file section the session goes to.
Then the role profiles of ~/.aws/config whose source_profile is one of these (role_arn in the
device column): their sessions come from the source's, with no code. status shows states and
expiry times; status --json is for scripts.

Options:
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 0, max: 0, name: '' },

  async run(ctx) {
    const engine = ctx.engine();
    // Profiles and role profiles in one go: each kind of keychain entry is read once for all of them.
    const report = await engine.statusWithRoles();
    const { profiles: statuses, roles } = report;
    if (statuses.length === 0) {
      ctx.out('No profiles yet. Add one with: mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>');
      return EXIT.ok;
    }
    const now = engine.clock.now();
    const rows = statuses.map(({ profile, state, plan }) => {
      const expiresAt = expiryOf(state);
      // A keychain that cannot be read, or a damaged entry: its words (as status has them); where
      // codes come from is then unknown (the engine's plan).
      const keychainFailed = state.kind === 'failed' && (isKeychainDown(state.code) || state.code === 'keychain-entry-corrupt');
      const session = keychainFailed
        ? stateWords(state)
        : state.kind === 'failed' && expiresAt === undefined
          ? 'refresh failed'
          : expiresAt === undefined
            ? '-'
            : expiresAt > now
              ? `${formatDuration(expiresAt - now)} left`
              : 'expired';
      const codes = `${CODE_WORDS[plan.source]}${plan.selfRefreshing ? ', auto' : ''}`;
      return [profile.name, codes, profile.mfaSerial, session, `[${profile.targetSection}]`];
    });
    // Role profiles of the config file, under their source: assumed with its MFA session, no code of their own.
    for (const { role, state } of roles) {
      const expiresAt = expiryOf(state);
      const left = expiresAt === undefined ? '-' : expiresAt > now ? `${formatDuration(expiresAt - now)} left` : 'expired';
      rows.push([role.name, `role, from ${role.sourceProfile}`, role.roleArn, left, `[${role.name}]`]);
    }
    ctx.write(renderTable(['PROFILE', 'CODES', 'MFA DEVICE', 'SESSION', 'SECTION'], rows));
    return failIfIncomplete(report);
  },
};
