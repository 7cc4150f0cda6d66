/**
 * `mfa-tray edit`: changes a profile's settings without touching its key (the window's Edit, from a
 * terminal). Validation and the rules across fields are the engine's (`Engine.updateProfile`).
 */
import type { Profile } from '../../common/model';
import { validateProfileName } from '../../common/validation';
import { UsageError, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';

/** The options, the profile field each changes, and how it reads in the output. */
const FIELDS = [
  { option: 'mfa-serial', field: 'mfaSerial', label: 'MFA device' },
  { option: 'duration', field: 'durationSeconds', label: 'duration' },
  { option: 'region', field: 'region', label: 'region' },
  { option: 'target', field: 'targetSection', label: 'sessions go to' },
  { option: 'auto-refresh', field: 'autoRefresh', label: 'auto-refresh' },
] as const satisfies ReadonlyArray<{ readonly option: string; readonly field: keyof Profile; readonly label: string }>;

export const editCommand: Command = {
  name: 'edit',
  summary: "Change a profile's MFA device, duration, region, target section or auto-refresh; the key stays.",
  usage: ['edit <profile> [--mfa-serial <serial>] [--duration <s>] [--region <r>] [--target <section>] [--auto-refresh on|off]'],
  details: `
Changes only what is given; the long-lived key and the current session stay as they are. A new MFA
device forgets the TOTP secret registered for the old one (its codes would be wrong). Every
refused value is reported in one run; then nothing is changed.

Options:
  --mfa-serial <serial>    the MFA device: arn:aws:iam::<account>:mfa/<name>, or a hardware serial
  --duration <s>           session length in seconds, 900..129600
  --region <r>             region whose STS is used
  --target <section>       credentials-file section for the sessions
  --auto-refresh on|off    refresh unattended before expiry (needs a registered TOTP secret)
  -h, --help               this help
`,
  options: {
    ...HELP_OPTION,
    'mfa-serial': { type: 'string' },
    duration: { type: 'string' },
    region: { type: 'string' },
    target: { type: 'string' },
    'auto-refresh': { type: 'string' },
  },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const patch: Record<string, unknown> = {};
    for (const { option, field } of FIELDS) {
      const value = stringOption(values, option);
      if (value === undefined) continue;
      if (field === 'autoRefresh') {
        if (value !== 'on' && value !== 'off') throw new UsageError('edit', `--auto-refresh takes on or off, not ${JSON.stringify(value.slice(0, 20))}`);
        patch[field] = value === 'on';
      } else {
        patch[field] = value;
      }
    }
    if (Object.keys(patch).length === 0) {
      throw new UsageError('edit', `nothing to change: give at least one of ${FIELDS.map((f) => `--${f.option}`).join(', ')}`);
    }
    const engine = ctx.engine();
    const before = await engine.profile(name);
    const after = await engine.updateProfile(name, patch);
    const changes = FIELDS.filter(({ field }) => before[field] !== after[field]);
    if (changes.length === 0) {
      ctx.out(`Profile ${after.name}: nothing changed (it already had those settings).`);
      return EXIT.ok;
    }
    ctx.out(`Profile ${after.name} changed; its key and current session stay as they were:`);
    for (const { field, label } of changes) ctx.out(`  ${label.padEnd(15)} ${show(field, before[field])} → ${show(field, after[field])}`);
    return EXIT.ok;
  },
};

function show(field: (typeof FIELDS)[number]['field'], value: Profile[typeof field]): string {
  if (field === 'targetSection') return `[${String(value)}]`;
  if (field === 'durationSeconds') return `${String(value)} s`;
  if (field === 'autoRefresh') return value ? 'on' : 'off';
  return String(value);
}
