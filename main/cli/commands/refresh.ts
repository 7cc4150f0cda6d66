/**
 * `mfa-tray refresh`: gets new sessions and writes them into the credentials file.
 *
 * Where the code comes from, in order: `--code`; the registered TOTP secret; a question on the
 * terminal naming the profile and its device. Without a terminal (stdin a pipe, cron, CI) and
 * without either of the first two, the refresh fails with what to do.
 */
import { MfaTrayError } from '../../common/errors';
import type { Profile } from '../../common/model';
import { validateCode, validateProfileName } from '../../common/validation';
import type { RefreshInput, RefreshOutcome, RoleProfileConfig } from '../../engine';
import { UsageError, flag, stringOption } from '../args';
import { DeviceSteps, askCode, sleep, stepWaitNotice, touchNotice } from '../ask-code';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { EXIT, type ExitStatus } from '../exit-codes';
import { describeExpiry } from '../format';
import { roleUnderWay, withInterruptNote } from '../interrupt';
import { describeFailure } from '../report';
import { CancelledError } from '../terminal';

export const refreshCommand: Command = {
  name: 'refresh',
  summary: 'Get new sessions and write them into the credentials file.',
  usage: ['refresh <profile>... [--code|-t|--token <6 digits>]', 'refresh --all'],
  details: `
The code comes from --code, else from the profile's registered TOTP secret (mfa-tray totp set),
else it is asked for on the terminal, naming the profile and its MFA device. Without a terminal
and without --code or a TOTP secret, the refresh fails and says what to do.

With several profiles (or --all), profiles whose codes are generated (TOTP secret, mfa_process)
are refreshed side by side, several at once; profiles of one MFA device and YubiKey reads go one
after another, and codes to be typed are asked one at a time, in order, after the others. One
failing does not stop the others. Profiles of one MFA device need one code each: the second waits
for the device's next code (AWS accepts a code only once).

Prints, per profile and in the order given, the credentials-file section written and the expiry
in local time and as time left. Exit status: 0 when every refresh succeeded, else that of the
first failure.

Options:
  --code <6 digits>        the code your MFA device shows now (one profile only)
  -t, --token <6 digits>   the same (aws-vault's name for it)
  --profile <p>            the profile (default: AWS_PROFILE)
  --all                    every profile
  -h, --help               this help
`,
  options: { ...HELP_OPTION, code: { type: 'string' }, token: { type: 'string', short: 't' }, all: { type: 'boolean' } },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY, name: '<profile>' },

  async run(ctx, { values, positionals }) {
    const all = flag(values, 'all');
    if (stringOption(values, 'code') !== undefined && stringOption(values, 'token') !== undefined) {
      throw new UsageError('refresh', '--code and --token are the same option (aws-vault calls it -t/--token): give one');
    }
    const rawCode = stringOption(values, 'code') ?? stringOption(values, 'token');
    if (all && positionals.length > 0) throw new UsageError('refresh', 'give profile names or --all, not both');
    if (!all && positionals.length === 0) throw new UsageError('refresh', 'missing <profile> (or --all, --profile <p>, AWS_PROFILE)');
    if (rawCode !== undefined && (all || positionals.length > 1)) {
      throw new UsageError('refresh', '--code goes with exactly one profile: a code works once, for one MFA device');
    }
    const code = rawCode === undefined ? undefined : validateCode(rawCode);
    const names = [...new Set(positionals.map((name) => validateProfileName(name)))];

    const engine = ctx.engine();
    let profiles: readonly Profile[];
    const roles: RoleProfileConfig[] = [];
    if (all) {
      profiles = await engine.profiles();
      if (profiles.length === 0) {
        throw new MfaTrayError('not-found', 'There are no profiles yet; add one with: mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>');
      }
    } else {
      // Every name is checked before anything is sent: a typo fails fast, with the profiles there are.
      // A name that is no MFA Tray profile may be a role profile of the config file.
      const found: Profile[] = [];
      for (const name of names) {
        try {
          found.push(await engine.profile(name));
        } catch (error) {
          roles.push(await engine.roleInsteadOf(name, error));
        }
      }
      profiles = found;
    }

    const steps = new DeviceSteps(() => engine.awsNow());
    let firstFailure: ExitStatus | undefined;
    // Role profiles are assumed in turn (each may refresh its source); one failing does not stop the others.
    const attempt = async (name: string, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        const failure = describeFailure(error, 'refresh');
        ctx.err(`mfa-tray refresh: ${name}: ${failure.message}`);
        firstFailure ??= failure.status;
      }
    };
    // What Ctrl-C stops midway (cli/interrupt.ts): the role under way (its source while the source's
    // session is got), then the profiles not yet ended.
    let underWay: () => readonly string[] = () => [];
    // Ctrl-C (at a question, or anywhere: cli/interrupt.ts): nothing more is asked or started.
    const stop = new AbortController();
    return withInterruptNote(
      ctx,
      engine,
      'refresh',
      () => underWay(),
      async () => {
        for (const role of roles) {
          if (stop.signal.aborted) break;
          await attempt(role.name, async () => {
            const source = await engine.profile(role.sourceProfile);
            underWay = () => roleUnderWay(engine, role.name, source.name);
            const { session, shortenedFrom } = await engine.refreshRole(role.name, codeInput(ctx, source, code, steps));
            ctx.out(
              `${role.name}: new role session (${role.roleArn}, from profile ${source.name}'s MFA session) in [${role.name}] of ${engine.credentialsPath}, ${describeExpiry(session.expiresAt, engine.clock.now())}` +
                (shortenedFrom === undefined
                  ? ''
                  : `; a role assumed with a session lasts at most 1 hour, so the ${shortenedFrom} s of duration_seconds were shortened to 3600`),
            );
          });
          underWay = () => [];
        }
        // Side by side where that is safe (the engine decides: generated codes at once, one device's
        // profiles and typed codes one after another); the lines come in the order the profiles were given.
        let cancelled: CancelledError | undefined;
        const ended = new Map<number, RefreshOutcome>();
        let printed = 0;
        const print = (outcome: RefreshOutcome): void => {
          const { profile } = outcome;
          if (outcome.kind === 'refreshed') {
            ctx.out(
              `${profile.name}: new session in [${profile.targetSection}] of ${engine.credentialsPath}, ${describeExpiry(outcome.session.expiresAt, engine.clock.now())}`,
            );
          } else if (outcome.kind === 'failed' && !(outcome.error instanceof CancelledError)) {
            const failure = describeFailure(outcome.error, 'refresh');
            ctx.err(`mfa-tray refresh: ${profile.name}: ${failure.message}`);
            firstFailure ??= failure.status;
          }
        };
        underWay = () => profiles.filter((_, index) => !ended.has(index)).map((profile) => profile.name);
        if (profiles.length > 0) {
          await engine.refreshMany(profiles, {
            inputFor: (profile) => codeInput(ctx, profile, code, steps),
            signal: stop.signal,
            onEnded: (outcome, index) => {
              // Sent or not, the code counts as used: AWS may have seen it.
              if (outcome.kind !== 'skipped') steps.used(outcome.profile.mfaSerial);
              if (outcome.kind === 'failed' && outcome.error instanceof CancelledError) {
                // Ctrl-C at a question: nothing more is asked or started; what runs finishes.
                cancelled ??= outcome.error;
                stop.abort();
              }
              ended.set(index, outcome);
              for (let next = ended.get(printed); next !== undefined; next = ended.get(printed)) {
                print(next);
                printed += 1;
              }
            },
          });
        }
        // A session written into a file the AWS CLI cannot read reaches no AWS command: said, with where the fix is.
        if ([...ended.values()].some((outcome) => outcome.kind === 'refreshed')) {
          const unreadable = await engine.credentialsUnreadableByAwsCli();
          if (unreadable)
            ctx.err(`mfa-tray refresh: note: ${unreadable} AWS commands do not get the new session until it is fixed (mfa-tray doctor says how).`);
        }
        if (cancelled) throw cancelled;
        return firstFailure ?? EXIT.ok;
      },
      () => stop.abort(),
    );
  },
};

/** What the refresh is given: the typed --code, else the terminal's question (the engine's keeper picks the code source). */
export function codeInput(ctx: CliContext, profile: Profile, code: string | undefined, steps: DeviceSteps): RefreshInput {
  if (code !== undefined) return { code };
  const onWait = stepWaitNotice(ctx.streams.stderr, profile.mfaSerial);
  const onTouch = touchNotice(ctx.streams.stderr, profile.name);
  if (!ctx.interactive) return { onWait, onTouch };
  return {
    onWait,
    onTouch,
    ask: async (asked) => {
      const wait = steps.waitMs(asked.mfaSerial);
      if (wait > 0) {
        onWait(wait);
        await sleep(wait);
      }
      return askCode(asked, { input: ctx.streams.stdin, output: ctx.streams.stderr });
    },
  };
}
