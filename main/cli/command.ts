/**
 * The shape of one command: its words, options, help, and what it does.
 */
import type { OptionSpecs, ParsedArgs } from './args';
import type { CliContext } from './context';

export interface Command {
  /** The words that name it: `refresh`, `totp set`. */
  readonly name: string;
  /** One line for the overview. */
  readonly summary: string;
  /** The synopsis lines, without the leading `mfa-tray `. */
  readonly usage: readonly string[];
  /** What it does and what each option means, as printed by `--help` after the synopsis. */
  readonly details: string;
  readonly options: OptionSpecs;
  readonly positionals: { readonly min: number; readonly max: number; readonly name: string };
  /** The words after the profile are another command's, given untouched as `passThrough` (`exec`). */
  readonly passThrough?: boolean;
  /** @returns the exit status (`exec`: the command's own). */
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

/** `--help`, declared by every command so that strict parsing accepts it. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpecs;

/** The full help text of a command. */
export function commandHelp(command: Command): string {
  const usage = command.usage.map((line, i) => `${i === 0 ? 'Usage: ' : '       '}mfa-tray ${line}`).join('\n');
  return `${usage}\n\n${command.summary}\n\n${command.details.trim()}\n`;
}
