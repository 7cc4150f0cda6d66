/**
 * `mfa-tray status`: every profile, its session state and time left; `--json` for scripts.
 */
import { expiryOf } from '../../common/session-state';
import { flag } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatDuration, formatLocalTime, renderTable, stateName } from '../format';
import { toStatusJson } from '../status-json';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show every profile, its session state and time left.',
  usage: ['status [--json]'],
  details: `
Columns: profile, target section (where its sessions go in the credentials file), state (none,
valid, expiring, expired), expiry in local time, time left, and whether a TOTP secret is
registered (then refreshes need no typing).

Options:
  --json                   machine-readable output; the shape is documented and stable (version 1)
  -h, --help               this help
`,
  options: { ...HELP_OPTION, json: { type: 'boolean' } },
  positionals: { min: 0, max: 0, name: '' },

  async run(ctx, { values }) {
    const engine = ctx.engine();
    const statuses = await engine.status();
    const now = engine.clock.now();
    if (flag(values, 'json')) {
      ctx.write(`${JSON.stringify(toStatusJson(statuses, now), null, 2)}\n`);
      return EXIT.ok;
    }
    if (statuses.length === 0) {
      ctx.out('No profiles yet. Add one with: mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>');
      return EXIT.ok;
    }
    const rows = statuses.map(({ profile, state, hasTotpSecret }) => {
      const expiresAt = expiryOf(state);
      return [
        profile.name,
        `[${profile.targetSection}]`,
        stateName(state),
        expiresAt === undefined ? '-' : formatLocalTime(expiresAt),
        expiresAt === undefined ? '-' : expiresAt > now ? formatDuration(expiresAt - now) : 'expired',
        hasTotpSecret ? 'yes' : 'no',
      ];
    });
    ctx.write(renderTable(['PROFILE', 'SECTION', 'STATE', 'EXPIRES', 'LEFT', 'TOTP'], rows));
    return EXIT.ok;
  },
};
