/**
 * "Are you sure?" on the terminal, for commands that change what cannot be taken back (`remove`,
 * `enrol`, `unenrol`): the facts first, then "<question> [y/N]"; Enter alone is no. Without a
 * terminal nothing is asked and `--yes` is needed.
 */
import { UsageError } from './args';
import type { CliContext } from './context';
import { CancelledError, promptLine } from './terminal';

export interface Confirmation {
  readonly command: string;
  /** What will happen, said before the question (and in the refusal without a terminal). */
  readonly facts: string;
  readonly question: string;
  /** `--yes` was given. */
  readonly yes: boolean;
  /** What the refusal without a terminal ends with ("add --yes to remove it"). */
  readonly withoutTerminal: string;
  /** What Ctrl-C or Ctrl-D at the question says ("cancelled; nothing was removed"). */
  readonly cancelled: string;
}

/** @returns whether to go on. */
export async function confirm(ctx: CliContext, c: Confirmation): Promise<boolean> {
  if (c.yes) return true;
  const { stdin, stderr } = ctx.streams;
  if (stdin.isTTY !== true) throw new UsageError(c.command, `${c.facts} There is no terminal to confirm on: ${c.withoutTerminal}`);
  stderr.write(`${c.facts}\n`);
  let answer: string;
  try {
    answer = await promptLine(stdin, stderr, `${c.question} [y/N] `);
  } catch (error) {
    if (error instanceof CancelledError) throw new CancelledError(c.cancelled, error.reason);
    throw error;
  }
  return /^(y|yes)$/i.test(answer.trim());
}
