/**
 * `mfa-tray status`: every profile, its session state and time left; `--json` for scripts.
 */
import { MfaTrayError, isKeychainDown } from '../../common/errors';
import { type ProfileStatus, type StatusReport, describeOffset } from '../../engine';
import { expiryOf } from '../../common/session-state';
import type { SessionState } from '../../common/model';
import { flag } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatClock, formatDuration, formatLocalTime, renderTable, stateWords } from '../format';
import { describeRemedies } from '../remedy';
import { shownBackoff, toStatusJson } from '../status-json';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show every profile, its session state and time left.',
  usage: ['status [--json]'],
  details: `
Columns: profile, target section (where its sessions go in the credentials file), state (none,
valid, expiring, expired; "keychain locked" when the keychain cannot be read, and then the exit
status is 5 after the table; "keychain entry damaged" for a profile whose cached session entry was
changed outside MFA Tray; "not in file" when the credentials file no longer holds the session MFA
Tray has; each failure is explained under the table, with what to do), expiry in local time, time left,
and whether a TOTP secret is registered (then refreshes need no typing; "?" when the keychain
cannot be read). A profile (or role profile) whose last refresh could not reach AWS gets a line
saying so, and until when credential-process and exec serve its session without trying again.
Then, once any MFA Tray process has talked to STS,
how far this computer's clock is from AWS's and when that was measured (codes are made in AWS's
time, so a clock off by up to a few minutes still works).

Options:
  --json                   machine-readable output; the shape is documented and stable (version 1)
  -h, --help               this help
`,
  options: { ...HELP_OPTION, json: { type: 'boolean' } },
  positionals: { min: 0, max: 0, name: '' },

  async run(ctx, { values }) {
    const engine = ctx.engine();
    // Profiles and role profiles in one go: each kind of keychain entry is read once for all of them.
    const report = await engine.statusWithRoles();
    const { profiles: statuses, roles } = report;
    const now = engine.clock.now();
    const clock = await engine.clockStatus();
    const backedOff = engine.backedOffAll();
    if (flag(values, 'json')) {
      ctx.write(`${JSON.stringify(toStatusJson(statuses, now, clock, roles, backedOff), null, 2)}\n`);
      return failIfIncomplete(report);
    }
    if (statuses.length === 0) {
      ctx.out('No profiles yet. Add one with: mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>');
      return EXIT.ok;
    }
    const row = (name: string, section: string, state: SessionState, totp: string): string[] => {
      const expiresAt = expiryOf(state);
      return [
        name,
        `[${section}]`,
        stateWords(state),
        expiresAt === undefined ? '-' : formatLocalTime(expiresAt),
        expiresAt === undefined ? '-' : expiresAt > now ? formatDuration(expiresAt - now) : 'expired',
        totp,
      ];
    };
    const rows = statuses.map(({ profile, state, hasTotpSecret }) =>
      row(profile.name, profile.targetSection, state, hasTotpSecret === undefined ? '?' : hasTotpSecret ? 'yes' : 'no'),
    );
    // Role profiles under their source: no code of their own ("role of <source>" in the TOTP column).
    for (const { role, state } of roles) rows.push(row(role.name, role.name, state, `role of ${role.sourceProfile}`));
    ctx.write(renderTable(['PROFILE', 'SECTION', 'STATE', 'EXPIRES', 'LEFT', 'TOTP'], rows));
    // What a failure means and what to do (the keychain's own, and an unreadable credentials
    // file's, is the line the run ends with).
    for (const { profile, state } of statuses) {
      if (state.kind !== 'failed' || isKeychainDown(state.code)) continue;
      if (report.credentialsUnread && state.code === 'session-not-in-file') continue;
      const fix = describeRemedies(state.remedies ?? []);
      ctx.out(`\n${profile.name}: ${state.reason}${fix === '' ? '' : ` ${fix}.`}`);
    }
    // A session still served while the last refresh could not reach AWS (as session-for-use.ts
    // serves it: a minute or more left): why, and until when. Role profiles too.
    for (const [name, state] of [...statuses.map((s) => [s.profile.name, s.state] as const), ...roles.map((r) => [r.role.name, r.state] as const)]) {
      const failed = shownBackoff(state, backedOff.get(name), now);
      if (!failed) continue;
      ctx.out(
        `\n${name}: its last refresh, at ${formatClock(failed.at)}, failed: ${failed.reason} credential-process and exec use its current session without trying again until ${formatClock(failed.until)}; mfa-tray refresh ${name} tries now.`,
      );
    }
    if (clock) {
      const off = Math.abs(clock.offsetMs) >= 1000;
      ctx.out(
        `\nClock: this computer's clock is ${describeOffset(clock.offsetMs)} (measured ${formatDuration(now - clock.measuredAt)} ago)` +
          `${off ? "; codes are made in AWS's time" : ''}.`,
      );
    }
    return failIfIncomplete(report);
  },
};

/**
 * Throws the keychain's own error (exit 5, how to unlock it) when the statuses could not read it:
 * locked, unavailable, or no answer in time (a prompt nobody answers).
 */
export function failIfKeychainDown(statuses: readonly ProfileStatus[]): void {
  for (const { state } of statuses) {
    if (state.kind === 'failed' && isKeychainDown(state.code)) throw new MfaTrayError(state.code, state.reason);
  }
}

/**
 * The end of `status` and `list`, once their table is out. The profiles are listed from the settings
 * file even when the keychain cannot be read, and the role profiles left out when the config file
 * cannot be read; the run still fails then, with one line saying why (exit 5 for the keychain, as
 * every command does then, before the files' 6: the credentials file's, then the config file's).
 */
export function failIfIncomplete(report: StatusReport): typeof EXIT.ok {
  failIfKeychainDown(report.profiles);
  if (report.credentialsUnread) throw report.credentialsUnread;
  const unread = report.rolesUnread;
  if (unread) throw new MfaTrayError(unread.code, `${unread.message} Role profiles are not shown.`, { cause: unread });
  return EXIT.ok;
}
