/**
 * `mfa-tray exec <profile> [--] [<command> [args…]]`: runs a command with the profile's session in
 * its environment, as `aws-vault exec` does. The session is the one `credential-process` would
 * give (session-for-use.ts: cached, or refreshed first). The command gets the terminal as it is
 * (stdin, stdout, stderr), the signals a terminal or a supervisor sends, and its exit status is
 * passed back (128 + the signal's number when a signal ended it, as shells report it).
 */
import { constants } from 'node:os';
import { isoExpiration, type Engine } from '../../engine';
import { HELP_OPTION, type Command } from '../command';
import type { CliContext } from '../context';
import { roleUnderWay, withInterruptNote } from '../interrupt';
import { sessionForUse } from '../session-for-use';

/** Variables that would make the command use other credentials or another profile than the session given. */
const REPLACED = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_CREDENTIAL_EXPIRATION'] as const;
const REMOVED = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE'] as const;
/** Signals passed on to the command (Ctrl-C reaches it from the terminal itself: the whole foreground group gets it). */
const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
/** The shell's status for "command not found". */
const NOT_FOUND = 127;

export const execCommand: Command = {
  name: 'exec',
  summary: "Run a command (or a shell) with the profile's session in its environment.",
  usage: ['exec <profile> [--] [<command> [args...]]'],
  details: `
Runs the command with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION, AWS_REGION and AWS_DEFAULT_REGION set from the profile, and AWS_PROFILE
removed, so that every AWS tool uses the session. The session is refreshed first when it is missing
or near expiry, as credential-process does (with the TOTP secret, else asking on the terminal).
Without a command, starts your shell ($SHELL). The command's input and output are the terminal's,
signals reach it, and its exit status is mfa-tray's. When this environment already holds AWS
credentials (an exec inside another), says so on stderr: the command gets this profile's.

  mfa-tray exec work -- aws s3 ls
  mfa-tray exec work terraform plan

Options:
  --profile <p>            the profile (default: AWS_PROFILE)
  -h, --help               this help
`,
  options: { ...HELP_OPTION },
  positionals: { min: 1, max: 1, name: '<profile>' },
  passThrough: true,

  async run(ctx, { positionals, passThrough = [] }) {
    const name = positionals[0] as string;
    const engine = ctx.engine();
    const { name: profileName, region, source } = await regionOf(engine, name);
    // Ctrl-C while the session is got says what it stopped (cli/interrupt.ts): a role's source while
    // the source's session is got.
    const session = await withInterruptNote(
      ctx,
      engine,
      'exec',
      () => (source === undefined ? [profileName] : roleUnderWay(engine, profileName, source)),
      () => sessionForUse(ctx, profileName, 'exec'),
    );

    const env: NodeJS.ProcessEnv = { ...ctx.env };
    const present = REPLACED.filter((key) => env[key] !== undefined && env[key] !== '');
    if (present.length > 0) {
      ctx.err(`mfa-tray exec: note: this environment already holds ${present.join(', ')}; the command gets profile ${profileName}'s session instead.`);
    }
    for (const key of [...REPLACED, ...REMOVED]) delete env[key];
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: isoExpiration(session.expiresAt),
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    });

    const [file, ...args] = passThrough.length > 0 ? passThrough : [defaultShell(ctx.env)];
    return runChild(ctx, file as string, args, env);
  },
};

/** The profile's name and region; a role profile's own region, else its source's, and its source. */
async function regionOf(engine: Engine, name: string): Promise<{ readonly name: string; readonly region: string; readonly source?: string }> {
  try {
    const profile = await engine.profile(name);
    return { name: profile.name, region: profile.region };
  } catch (error) {
    const role = await engine.roleInsteadOf(name, error);
    return { name: role.name, region: role.region ?? (await engine.profile(role.sourceProfile)).region, source: role.sourceProfile };
  }
}

function defaultShell(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return env.COMSPEC || 'cmd.exe';
  return env.SHELL || '/bin/sh';
}

/** Runs the command to its end; its exit status, or 128 + the number of the signal that ended it. */
async function runChild(ctx: CliContext, file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Loaded here: every command's bundle holds this one, and the others never start a process
  // (node:child_process is ~1.7 MB, for the whole life of `watch`).
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    // The session is in `env`, never in argv (which every local user can read in the process list).
    const child = spawn(file, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    // Ctrl-C goes to the command from the terminal; mfa-tray waits for the command to decide.
    const ignore = (): void => undefined;
    process.on('SIGINT', ignore);
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (status: number): void => {
      process.off('SIGINT', ignore);
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(status);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      ctx.err(
        error.code === 'ENOENT' ? `mfa-tray exec: ${file}: command not found` : `mfa-tray exec: ${file} could not be started (${error.code ?? error.name})`,
      );
      done(error.code === 'ENOENT' ? NOT_FOUND : 126);
    });
    child.on('exit', (code, signal) => {
      done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
