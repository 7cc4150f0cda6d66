/**
 * `mfa-tray remove`: forgets a profile and its keychain entries, after saying what will be lost.
 *
 * After `import --remove-plaintext` the keychain may hold the only copy of a long-lived key, so the
 * command says so and asks on a terminal; without one it refuses unless `--yes`. `--restore-plaintext`
 * writes the key back into a credentials-file section first (the way back from `--remove-plaintext`).
 */
import type { RemovalImpact } from '../../engine';
import { checkTargetSection, unwrap, validateProfileName } from '../../common/validation';
import { UsageError, flag, stringOption } from '../args';
import { HELP_OPTION, type Command } from '../command';
import { EXIT } from '../exit-codes';
import { confirm } from '../confirm';

export const removeCommand: Command = {
  name: 'remove',
  summary: 'Forget a profile and its keychain entries (key, TOTP secret, cached session).',
  usage: ['remove <profile> [--yes] [--forget-session] [--restore-plaintext [--to <section>]]'],
  details: `
Says what will be lost (the access key, and whether any other copy of it exists; the TOTP secret)
and asks on a terminal. Without a terminal it refuses unless --yes is given.

The session in the credentials file stays until it expires, so that AWS commands running now keep
working; --forget-session removes it too (only the keys MFA Tray wrote; the rest of the file is kept,
and so is another tool's session that took the section since).

Options:
  --yes                    do not ask (for scripts)
  --forget-session         also remove the session from the profile's credentials-file section
  --restore-plaintext      first write the access key back into the credentials file (the way back
                           from import --remove-plaintext); if that fails, nothing is forgotten
  --to <section>           the section for --restore-plaintext (default: <profile>-long-term, the
                           aws-mfa layout); a section holding a session or another key is refused
  -h, --help               this help
`,
  options: {
    ...HELP_OPTION,
    yes: { type: 'boolean' },
    'forget-session': { type: 'boolean' },
    'restore-plaintext': { type: 'boolean' },
    to: { type: 'string' },
  },
  positionals: { min: 1, max: 1, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const name = validateProfileName(positionals[0]);
    const forgetSession = flag(values, 'forget-session');
    const to = stringOption(values, 'to');
    if (to !== undefined && !flag(values, 'restore-plaintext')) throw new UsageError('remove', '--to goes with --restore-plaintext');
    const restoreKeyTo = flag(values, 'restore-plaintext') ? unwrap(checkTargetSection(to ?? `${name}-long-term`)) : undefined;
    const engine = ctx.engine();
    // Read first: a locked keychain or an unknown profile stops here, before any question or change.
    const impact = await engine.removalImpact(name);
    const sure = await confirm(ctx, {
      command: 'remove',
      facts: describeLoss(impact, restoreKeyTo),
      question: `Remove profile ${name}?`,
      yes: flag(values, 'yes'),
      withoutTerminal: 'add --yes to remove it',
      cancelled: 'cancelled; nothing was removed',
    });
    if (!sure) {
      ctx.out(`Nothing was removed; profile ${name} and its key stay.`);
      return EXIT.cancelled;
    }

    const outcome = await engine.removeProfile(name, { forgetSession, ...(restoreKeyTo === undefined ? {} : { restoreKeyTo }) });
    if (restoreKeyTo !== undefined) ctx.out(`Wrote access key ${impact.maskedKeyId ?? ''} back into [${restoreKeyTo}] in ${impact.credentialsPath}.`);
    // Named here too: with --yes (or no terminal) the question that named them was not shown.
    ctx.out(`Removed profile ${name} and its keychain entries: ${keychainEntries(impact).join(', ')}.`);
    const section = `[${impact.targetSection}] in ${impact.credentialsPath}`;
    ctx.out(
      outcome.session === 'removed'
        ? `Removed its session from ${section}.`
        : outcome.session === 'not-ours'
          ? `The session in ${section} is not one MFA Tray wrote${outcome.otherMaskedKeyId ? ` (${outcome.otherMaskedKeyId})` : ''}: it was left as it is.`
          : outcome.session === 'none'
            ? `There was no session in [${impact.targetSection}] to remove.`
            : `Its session (if any) stays in ${section} until it expires.`,
    );
    if (outcome.earlierSection !== undefined) {
      ctx.out(`Removed its session from [${outcome.earlierSection}] too, where MFA Tray wrote it before its target section was changed.`);
    }
    return EXIT.ok;
  },
};

/** The profile's keychain entries a removal forgets, in words. */
function keychainEntries(impact: RemovalImpact): string[] {
  return [
    impact.maskedKeyId ? `its access key ${impact.maskedKeyId}` : 'no access key (none is stored)',
    ...(impact.hasTotpSecret ? ['its TOTP secret'] : []),
    'its cached session',
  ];
}

/** What removing the profile loses, in one sentence or two. */
function describeLoss(impact: RemovalImpact, restoreKeyTo: string | undefined): string {
  const lost = `Removing profile ${impact.profile} forgets from the keychain: ${keychainEntries(impact).join(', ')}.`;
  if (!impact.maskedKeyId) return lost;
  if (restoreKeyTo !== undefined) return `${lost} The key is first written back into [${restoreKeyTo}] of ${impact.credentialsPath}.`;
  if (impact.keyCopies.length > 0)
    return `${lost} Another copy of the key stays in ${impact.keyCopies.map((s) => `[${s}]`).join(', ')} of ${impact.credentialsPath}.`;
  return `${lost} The keychain holds the only copy of that key: it cannot be recovered afterwards (keep it with --restore-plaintext).`;
}
