/**
 * Ctrl-C during a refresh. The signal (SIGINT) still ends the process at once, with the exit status
 * of a Ctrl-C at a question (130), but first one line says where each refresh still under way was
 * (Engine.refreshStage): a code on its way to AWS may have been used up, so the next refresh needs
 * a new one; a code not yet sent was not; a role's source may have got its session first. A
 * session AWS gave that is being written is let finish first (the credentials file's calls and
 * one keychain write, each bounded by its own time limit), so that no file or entry is left
 * half-changed. A second Ctrl-C ends the process at once.
 */
import type { Engine } from '../engine';
import type { CliContext } from './context';
import { EXIT } from './exit-codes';
import { isTty } from './terminal';

/** How long a session's write is let finish after Ctrl-C (the keychain's own time limit is shorter). */
const WRITE_GRACE_MS = 15_000;
const POLL_MS = 10;

/**
 * Runs `work` (refreshes of the profiles and role profiles `running()` names while they are under
 * way) with Ctrl-C answered as the module says, for `command` (its name starts the line); `onStop`
 * is told at the first Ctrl-C, to start nothing more.
 */
export async function withInterruptNote<T>(
  ctx: CliContext,
  engine: Engine,
  command: string,
  running: () => readonly string[],
  work: () => Promise<T>,
  onStop?: () => void,
): Promise<T> {
  let stopping: Promise<void> | undefined;
  const onSignal = (): void => {
    if (stopping) {
      stopNow();
      return;
    }
    // Nothing new starts while a write under way is let finish.
    onStop?.();
    stopping = (async () => {
      const deadline = Date.now() + WRITE_GRACE_MS;
      while (running().some((name) => engine.refreshStage(name) === 'writing') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const names = running();
      // On a terminal, after its "^C" (echoed without a line of its own).
      if (isTty(ctx.streams.stderr)) ctx.streams.stderr.write('\n');
      if (names.length > 0) ctx.err(`mfa-tray ${command}: ${stoppedWords(names, (name) => engine.refreshStage(name))}`);
      stopNow();
    })();
  };
  // An exit, not the signal raised again: proper-lockfile's signal-exit listens to SIGINT too, and
  // swallowed the signal raised again in a test; an exit runs its handlers (locks let go) all the same.
  const stopNow = (): never => process.exit(EXIT.cancelled);
  process.on('SIGINT', onSignal);
  let result: T;
  try {
    result = await work();
  } finally {
    // Stopped meanwhile: the note, then the exit, end the process (the work's end is not its end).
    if (stopping) await stopping;
    process.off('SIGINT', onSignal);
  }
  return result;
}

/** The line: which profiles' codes may be used up, and which had none sent. */
function stoppedWords(names: readonly string[], stageOf: (name: string) => string | undefined): string {
  const sent = names.filter((name) => stageOf(name) === 'sending');
  const unsent = names.filter((name) => stageOf(name) === undefined);
  const assuming = names.filter((name) => stageOf(name) === 'assuming');
  const writing = names.filter((name) => stageOf(name) === 'writing');
  const written = names.filter((name) => stageOf(name) === 'written');
  const parts: string[] = [];
  if (sent.length > 0) {
    const one = sent.length === 1;
    parts.push(
      `while AWS was answering for ${profiles(sent)}: ${one ? 'its code' : 'their codes'} may be used up (AWS accepts each code once), so ${one ? 'the next refresh needs a new one' : 'their next refreshes need new ones'}`,
    );
  }
  if (assuming.length > 0) parts.push(`while AWS was assuming ${roleProfiles(assuming)} (no code is spent on that)`);
  if (unsent.length > 0) parts.push(`before a code was sent for ${profiles(unsent)}`);
  const said = parts.length > 0 ? `${parts.join(', and ')}; nothing was written${written.length > 0 ? ' for it' : ''}` : '';
  // A role's source, refreshed before AssumeRole: its new session is in, its code used.
  const got = written.length > 0 ? `${profiles(written)} got ${written.length === 1 ? 'its' : 'their'} new session first (its code used)` : '';
  // Only when a write outlived its grace (a keychain that stopped answering): the file's write is atomic.
  const still = writing.length > 0 ? `the session AWS gave ${profiles(writing)} was still being written: mfa-tray status shows where it is` : '';
  return `stopped (Ctrl-C) ${[said, got, still].filter(Boolean).join('; ')}.`;
}

/**
 * What Ctrl-C stops midway in a role profile's refresh: its source while the source's session is got
 * (the source's own stage tells of its code), then the role, with its source when the source got a
 * new session first.
 */
export function roleUnderWay(engine: Engine, role: string, source: string): readonly string[] {
  if (engine.refreshStage(role) === 'source') return [source];
  return engine.refreshStage(source) === 'written' ? [role, source] : [role];
}

function roleProfiles(names: readonly string[]): string {
  return `${names.length === 1 ? 'role profile' : 'role profiles'} ${names.join(', ')}`;
}

function profiles(names: readonly string[]): string {
  return `${names.length === 1 ? 'profile' : 'profiles'} ${names.join(', ')}`;
}
