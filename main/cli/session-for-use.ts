/**
 * A session to use now, for `credential-process` and `exec`: the cached one when it has enough time
 * left (leadTimeMs), else a new one, got under the per-profile lock that every MFA Tray process
 * shares (AWS tools may start several at once: one refreshes, the others wait for its session).
 * The engine's keeper picks the code source; a person is asked on the terminal itself (`/dev/tty`:
 * the SDKs capture stdout and stderr). When no refresh is possible, a session that is still valid
 * is used anyway, with a note on stderr; a role profile's as well. So is one whose last refresh
 * could not reach AWS, until the keeper's backoff lets the next try start (Engine.backedOff).
 */
import { MfaTrayError, isMfaTrayError } from '../common/errors';
import type { Profile, SessionCredentials } from '../common/model';
import { servedWhileBackedOff, type Engine, type RoleProfileConfig } from '../engine';
import { LASTS_A_CALL_MS, leadTimeMs } from '../common/session-state';
import { askCode, stepWaitNotice, touchNotice } from './ask-code';
import { SERVE_CACHED_ABOVE_MS, lookUpCachedSession } from './cached-session';
import type { CliContext } from './context';
import { formatClock, formatDuration, formatLocalTime, oneLine } from './format';
import { CancelledError, openTerminal } from './terminal';

/** A role session's length: an hour at most, when assumed with a session. */
const ROLE_SESSION_MS = 3_600_000;

/**
 * How long a code is waited for on the terminal, in seconds. An AWS command waits as long as the
 * question does, and so does every other credential-process for the profile (they wait for this
 * one's refresh): a question nobody answers must end.
 */
export const CODE_TIMEOUT_ENV = 'MFA_TRAY_CODE_TIMEOUT';
const CODE_TIMEOUT_DEFAULT_SECONDS = 180;
const CODE_TIMEOUT_LIMITS = { min: 1, max: 3600 } as const;

/** The code timeout from {@link CODE_TIMEOUT_ENV}, in milliseconds; a usage error naming it when it is not a whole number in range. */
function codeTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env[CODE_TIMEOUT_ENV];
  if (raw === undefined || raw === '') return CODE_TIMEOUT_DEFAULT_SECONDS * 1000;
  const seconds = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(seconds >= CODE_TIMEOUT_LIMITS.min && seconds <= CODE_TIMEOUT_LIMITS.max)) {
    throw new MfaTrayError(
      'invalid-input',
      `${CODE_TIMEOUT_ENV}: use a whole number of seconds from ${CODE_TIMEOUT_LIMITS.min} to ${CODE_TIMEOUT_LIMITS.max} (default ${CODE_TIMEOUT_DEFAULT_SECONDS})`,
      { field: CODE_TIMEOUT_ENV },
    );
  }
  return seconds * 1000;
}

/** A session of `wanted` with time left, for `command` (its name goes into notes and errors). */
export async function sessionForUse(ctx: CliContext, wanted: string, command: string): Promise<SessionCredentials> {
  const timeoutMs = codeTimeoutMs(ctx.env);
  const engine = ctx.engine();
  // main.ts has usually served a fresh session already, without loading this module, and hands
  // over what it found otherwise; looked up here when run() is called directly.
  let lookup;
  try {
    lookup = await (ctx.takeCachedLookup(wanted) ?? lookUpCachedSession(wanted, inUse(engine)));
  } catch (error) {
    // Not a MFA Tray profile: a role profile of the config file, assumed with its source's session.
    return roleSessionForUse(ctx, engine, await engine.roleInsteadOf(wanted, error), timeoutMs, command);
  }
  const { profile, cached, fresh } = lookup;
  if (fresh && cached) return cached;
  const name = profile.name;

  let session: SessionCredentials;
  try {
    // AWS tools may start several of these at once: one refreshes, the others wait and serve its
    // session. That one may hold less than the 15 minutes asked of a cached one (a 900 s profile):
    // any new session with time left will do.
    session = await engine.whileRefreshing(
      name,
      async () => {
        const current = await lookUpCachedSession(name, inUse(engine));
        if (current.cached && (current.fresh || renewedMeanwhile(engine, current.cached, cached))) return current.cached;
        // Asked under the lock: the processes that waited for a refresh that failed serve at once.
        const served = current.cached && whileBackedOff(ctx, engine, command, name, current.cached);
        return served || refresh(engine, current.profile, current.cached, timeoutMs, ctx.streams.stderr);
      },
      { onWait: () => note(ctx, `mfa-tray ${command}: another mfa-tray is refreshing profile ${name}; waiting for its session…`) },
    );
  } catch (error) {
    // AWS gave a session the credentials file could not take: the engine kept it in the keychain (its
    // failed state shows that session's expiry), and the error says so.
    const failed = engine.state(name);
    const keptExpiry = isMfaTrayError(error) && failed.kind === 'failed' && failed.expiresAt !== cached?.expiresAt ? failed.expiresAt : undefined;
    const kept = keptExpiry === undefined ? undefined : await engine.lastSession(name).catch(() => undefined);
    if (kept && kept.expiresAt === keptExpiry && kept.expiresAt - engine.clock.now() >= LASTS_A_CALL_MS) {
      ctx.err(`mfa-tray ${command}: ${oneLine((error as Error).message)}`);
      return kept;
    }
    return stillValidAfter(error, { ctx, engine, command, name, cached });
  }
  return session;
}

/** Where a lookup finds a profile's session: the one in use (Engine.sessionInUse: the keychain's copy, or a newer one the file got and the keychain did not). */
function inUse(engine: Engine): Parameters<typeof lookUpCachedSession>[1] {
  return { settings: { getProfile: (name) => engine.profile(name) }, sessionOf: (profile) => engine.sessionInUse(profile), clock: engine.clock };
}

/**
 * Whether the session found under the per-profile lock is a new one another process got while this
 * one waited, with time enough left to serve: any will do, even under the lead time (a 900 s profile).
 */
function renewedMeanwhile(engine: Engine, current: SessionCredentials, before: SessionCredentials | undefined): boolean {
  return current.expiresAt !== before?.expiresAt && current.expiresAt - engine.clock.now() >= LASTS_A_CALL_MS;
}

/**
 * The session `cached`, when it has {@link LASTS_A_CALL_MS} left and the profile's last refresh
 * failed because AWS could not be reached and is not due again yet (Engine.backedOff): every AWS
 * command would otherwise wait on AWS again (seen: 43–60 s each while STS hung). With one note on
 * stderr. Undefined otherwise: refresh.
 */
function whileBackedOff(ctx: CliContext, engine: Engine, command: string, name: string, cached: SessionCredentials): SessionCredentials | undefined {
  const now = engine.clock.now();
  const failed = servedWhileBackedOff(engine.backedOff(name), cached.expiresAt, now);
  if (!failed) return undefined;
  const left = cached.expiresAt - now;
  ctx.err(
    `mfa-tray ${command}: using the current session of profile ${name} (${formatDuration(left)} left): its refresh failed at ${formatClock(failed.at)} (${failed.reason}), and is not tried again before ${formatClock(failed.until)} (mfa-tray refresh ${name} tries now).`,
  );
  return cached;
}

/**
 * After a refresh that failed: the session from before, when it still has {@link LASTS_A_CALL_MS}
 * left (the AWS command works now, and the next call tries again), with one note on stderr; else
 * the error. Profiles and role profiles alike.
 */
function stillValidAfter(
  error: unknown,
  at: { readonly ctx: CliContext; readonly engine: Engine; readonly command: string; readonly name: string; readonly cached: SessionCredentials | undefined },
): SessionCredentials {
  const { ctx, engine, command, name, cached } = at;
  const left = cached ? cached.expiresAt - engine.clock.now() : 0;
  if (cached && left >= LASTS_A_CALL_MS && isMfaTrayError(error)) {
    // AWS could not be reached: the next AWS commands serve this session without trying at once.
    const failed = engine.backedOff(name);
    const until = failed ? ` Not tried again before ${formatClock(failed.until)}.` : '';
    ctx.err(
      `mfa-tray ${command}: could not refresh profile ${name} (${oneLine(error.message)}); using its current session, ${formatDuration(left)} left.${until}`,
    );
    return cached;
  }
  throw error;
}

/** A new session: with the registered TOTP secret, else with a code asked for on the terminal. */
async function refresh(
  engine: Engine,
  profile: Profile,
  cached: SessionCredentials | undefined,
  timeoutMs: number,
  stderr: NodeJS.WritableStream,
): Promise<SessionCredentials> {
  const name = profile.name;
  const onWait = stepWaitNotice(stderr, profile.mfaSerial);
  // The SDKs capture stderr: a touch request goes to the terminal itself when there is one.
  const onTouch = (): void => {
    const terminal = openTerminal();
    touchNotice(terminal?.output ?? stderr, name)();
    terminal?.close();
  };
  // The engine's keeper picks the code source; a person is asked on the terminal, when there is one.
  const canAsk = openTerminal();
  canAsk?.close();
  if (!canAsk) {
    try {
      return await engine.refresh(name, { onWait, onTouch });
    } catch (error) {
      if (!isMfaTrayError(error, 'code-required')) throw error;
      throw new MfaTrayError(
        'code-required',
        `Profile ${name} needs a new session and a code from MFA device ${profile.mfaSerial}, but there is no terminal to ask on.`,
        {
          remedy: [
            { action: 'refresh', profile: name },
            { action: 'set-totp', profile: name },
          ],
        },
      );
    }
  }
  return engine.refresh(name, { onWait, onTouch, ask: () => askOnTerminal(engine, profile, cached, timeoutMs) });
}

/** The question on /dev/tty, bounded by the code timeout. */
async function askOnTerminal(engine: Engine, profile: Profile, cached: SessionCredentials | undefined, timeoutMs: number): Promise<string> {
  const name = profile.name;
  const terminal = openTerminal();
  if (!terminal) throw new MfaTrayError('code-required', `Profile ${name} needs a code, and the terminal went away.`);
  let code: string;
  try {
    const now = engine.clock.now();
    const why = !cached
      ? 'it has no current session'
      : cached.expiresAt > now
        ? `its session has ${formatDuration(cached.expiresAt - now)} left`
        : `its session expired at ${formatLocalTime(cached.expiresAt)}`;
    code = await askCode(profile, {
      input: terminal.input,
      output: terminal.output,
      note: `mfa-tray: profile ${name} needs a refresh (${why}).`,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof CancelledError && error.reason === 'aborted') {
      throw new MfaTrayError(
        'code-required',
        `No code for profile ${name} was typed within ${formatDuration(timeoutMs)}. Run the AWS command again with the MFA device at hand.`,
        { remedy: { action: 'set-totp', profile: name } },
      );
    }
    throw error;
  } finally {
    terminal.close();
  }
  return code;
}

/** A note for the person: on the terminal when there is one (the SDKs capture stderr), else on stderr. */
function note(ctx: CliContext, line: string): void {
  const terminal = openTerminal();
  if (!terminal) {
    ctx.err(line);
    return;
  }
  terminal.output.write(`${line}\n`);
  terminal.close();
}

/** A role profile's session with time left: its cached one, else assumed anew (the source refreshed first when it must be). */
async function roleSessionForUse(ctx: CliContext, engine: Engine, role: RoleProfileConfig, timeoutMs: number, command: string): Promise<SessionCredentials> {
  const serveAbove = leadTimeMs(SERVE_CACHED_ABOVE_MS, ROLE_SESSION_MS);
  const cached = await engine.lastSession(role.name).catch(() => undefined);
  if (cached && cached.expiresAt - engine.clock.now() > serveAbove) return cached;
  const source = await engine.profile(role.sourceProfile);
  try {
    return await engine.whileRefreshing(role.name, async () => {
      const current = await engine.lastSession(role.name).catch(() => undefined);
      if (current && renewedMeanwhile(engine, current, cached)) return current;
      const served = current && whileBackedOff(ctx, engine, command, role.name, current);
      if (served) return served;
      const terminal = openTerminal();
      terminal?.close();
      const input = {
        onWait: stepWaitNotice(ctx.streams.stderr, source.mfaSerial),
        ...(terminal ? { ask: () => askOnTerminal(engine, source, undefined, timeoutMs) } : {}),
      };
      return (await engine.refreshRole(role.name, input)).session;
    });
  } catch (error) {
    return stillValidAfter(error, { ctx, engine, command, name: role.name, cached });
  }
}
