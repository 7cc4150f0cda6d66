/**
 * How a failure reaches the person: one line, `mfa-tray <command>: <what failed and what to do>`,
 * and an exit status from the error's stable code. Never a stack trace (unless MFA_TRAY_DEBUG is
 * set, for a bug report) and never a secret: engine messages are built without secrets, and for
 * anything else only the error's name and first line are shown.
 */
import { isMfaTrayError } from '../common/errors';
import { UsageError } from './args';
import { EXIT, exitStatusOf, type ExitStatus } from './exit-codes';
import { oneLine } from './format';
import { describeRemedies } from './remedy';
import { CancelledError } from './terminal';

export interface Failure {
  readonly status: ExitStatus;
  /** One line, without the `mfa-tray <command>: ` prefix. */
  readonly message: string;
}

/** The exit status and the one-line message for anything a command threw. */
export function describeFailure(error: unknown, command: string | undefined): Failure {
  if (error instanceof UsageError) {
    const help = error.command === undefined ? 'mfa-tray --help' : `mfa-tray ${error.command} --help`;
    return { status: EXIT.usage, message: `${oneLine(error.message)}; see ${help}` };
  }
  if (error instanceof CancelledError) return { status: EXIT.cancelled, message: oneLine(error.message) };
  if (isMfaTrayError(error)) {
    // The facts, then what to do about them as command lines (the error carries the remedy as data).
    const remedies = describeRemedies(error.remedies);
    return { status: exitStatusOf(error.code), message: oneLine(remedies === '' ? error.message : `${error.message} ${remedies}`) };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  const first = (e.message.split('\n')[0] ?? '').trim();
  return {
    status: EXIT.internal,
    message:
      `unexpected failure${command ? ` in ${command}` : ''} (${e.name}${first ? `: ${first}` : ''}). ` +
      'Please report it; run again with MFA_TRAY_DEBUG=1 for the details.',
  };
}
