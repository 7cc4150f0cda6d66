/**
 * The command's dispatcher: finds the command, parses its arguments, runs it, and turns any
 * failure into one line on stderr and an exit status (see exit-codes.ts).
 */
import packageJson from '../../package.json';
import { UsageError, parseCommandArgs, splitPassThrough, wantsHelp, type ParsedArgs } from './args';
import { commandHelp, type Command } from './command';
import { DEBUG_ENV, type CliContext } from './context';
import { EXIT } from './exit-codes';
import { describeFailure } from './report';

/**
 * Every command's words, in the order the overview lists them, and its module: only the command
 * that runs is loaded (the fifteen together are ~100 KB of code, ~5 ms of every run).
 */
const COMMAND_MODULES: ReadonlyArray<readonly [name: string, load: () => Promise<Command>]> = [
  ['add', async () => (await import('./commands/add')).addCommand],
  ['import', async () => (await import('./commands/import')).importCommand],
  ['edit', async () => (await import('./commands/edit')).editCommand],
  ['totp set', async () => (await import('./commands/totp')).totpSetCommand],
  ['totp remove', async () => (await import('./commands/totp')).totpRemoveCommand],
  ['refresh', async () => (await import('./commands/refresh')).refreshCommand],
  ['status', async () => (await import('./commands/status')).statusCommand],
  ['list', async () => (await import('./commands/list')).listCommand],
  ['export', async () => (await import('./commands/export')).exportCommand],
  ['exec', async () => (await import('./commands/exec')).execCommand],
  ['credential-process', async () => (await import('./commands/credential-process')).credentialProcessCommand],
  ['watch', async () => (await import('./commands/watch')).watchCommand],
  ['remove', async () => (await import('./commands/remove')).removeCommand],
  ['enrol', async () => (await import('./commands/enrol')).enrolCommand],
  ['unenrol', async () => (await import('./commands/enrol')).unenrolCommand],
  ['policy', async () => (await import('./commands/policy')).policyCommand],
  ['doctor', async () => (await import('./commands/doctor')).doctorCommand],
];

/** Every command's words, in the order the overview lists them. */
export const COMMAND_NAMES: readonly string[] = COMMAND_MODULES.map(([name]) => name);

/** Every command (for the overview, which lists their summaries). */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_MODULES.map(([, load]) => load()));
}

async function loadCommand(name: string): Promise<Command | undefined> {
  return COMMAND_MODULES.find(([n]) => n === name)?.[1]();
}

/** The overview `mfa-tray --help` prints. */
function overview(commands: readonly Command[]): string {
  return `mfa-tray: AWS sessions from an MFA code, with long-lived keys kept in the OS keychain.

Usage: mfa-tray <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(20)} ${c.summary}`).join('\n')}

Run mfa-tray <command> --help for a command's options. Every command that takes a <profile> also
takes --profile <p>, and uses AWS_PROFILE when no profile is given.

Exit status: 0 success; 1 unexpected failure; 2 bad command line or value; 3 no such profile or
section, or already exists; 4 needs a session, a code or a key first; 5 keychain unavailable or
locked; 6 a file cannot be used; 7 AWS refused (code, key, device, clock); 8 temporary, try again
later; 9 doctor found a check that did not pass; 130 cancelled.

Environment: MFA_TRAY_CONFIG_DIR (settings folder, an absolute path), AWS_SHARED_CREDENTIALS_FILE,
AWS_CONFIG_FILE, AWS_ENDPOINT_URL_STS, MFA_TRAY_KEYCHAIN_SERVICE (keychain service prefix, default
"MFA Tray"; for tests and separate installs), MFA_TRAY_CODE_TIMEOUT (seconds credential-process
waits for a typed code, default 180), MFA_TRAY_DEBUG=1 (stack traces of unexpected failures).
`;
}

/** Runs the command line `argv` (without `node` and the script). @returns the exit status. */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  // The engine's own timers are unref'd (they must not keep the tray app's helpers alive), so a
  // command waiting on one of them (the next TOTP step, a keychain timeout) would otherwise just
  // end mid-way. This keeps the process alive until the command has finished.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  let command: Command | undefined;
  try {
    const found = await findCommand(argv);
    if (found === 'overview') {
      ctx.write(overview(await loadCommands()));
      return EXIT.ok;
    }
    if (found === 'version') {
      ctx.out(packageJson.version);
      return EXIT.ok;
    }
    if (found === 'totp-overview') {
      const totp = await Promise.all(COMMAND_MODULES.filter(([name]) => name.startsWith('totp ')).map(([, load]) => load()));
      ctx.write(totp.map(commandHelp).join('\n'));
      return EXIT.ok;
    }
    command = found.command;
    // exec's command has options of its own (`exec dev -- aws --help`): only exec's own words count.
    const split = command.passThrough ? splitPassThrough(found.rest, command.options) : undefined;
    if (wantsHelp(split?.own ?? found.rest)) {
      ctx.write(commandHelp(command));
      return EXIT.ok;
    }
    const parsed = await servedByAwsProfile(parseCommandArgs(command.name, split?.own ?? found.rest, command.options, command.positionals, ctx.env), ctx);
    const args = split ? { ...parsed, passThrough: split.passThrough } : parsed;
    return await command.run(ctx, args);
  } catch (error) {
    const failure = describeFailure(error, command?.name);
    ctx.err(`mfa-tray${command ? ` ${command.name}` : ''}: ${failure.message}`);
    if (ctx.env[DEBUG_ENV]) {
      for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
        ctx.err(`${depth === 0 ? '' : 'caused by: '}${e.stack ?? e.message}`);
      }
    }
    return failure.status;
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * A profile taken from AWS_PROFILE: what MFA Tray serves to AWS commands run with it
 * (`Engine.awsProfileServes`): itself, or the profile its `credential_process` line names (as the
 * README sets up `work-mfa`). One it does not lead to is kept, and refused by the command.
 */
async function servedByAwsProfile(parsed: ParsedArgs, ctx: CliContext): Promise<ParsedArgs> {
  const [named, ...rest] = parsed.positionals;
  if (!parsed.profileFromEnvironment || named === undefined) return parsed;
  const served = await ctx
    .engine()
    .awsProfileServes(named)
    .catch(() => undefined);
  return served === undefined || served === named ? parsed : { ...parsed, positionals: [served, ...rest] };
}

type Found = 'overview' | 'version' | 'totp-overview' | { readonly command: Command; readonly rest: readonly string[] };

async function findCommand(argv: readonly string[]): Promise<Found> {
  const [first, second, ...rest] = argv;
  if (first === undefined) {
    throw new UsageError(undefined, `no command given; the commands are ${COMMAND_NAMES.join(', ')}`);
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && second !== undefined) return findCommand([second, ...(rest[0] === undefined ? [] : [rest[0]]), '--help']);
    return 'overview';
  }
  if (first === '--version' || first === '-V') return 'version';
  if (first === 'totp') {
    if (second === '--help' || second === '-h') return 'totp-overview';
    if (second === undefined) {
      throw new UsageError(undefined, 'totp needs a subcommand: mfa-tray totp set <profile>, or mfa-tray totp remove <profile>');
    }
    const sub = await loadCommand(`totp ${second}`);
    // Quoted only when it looks like a mistyped word: a secret typed where the subcommand belongs
    // (`mfa-tray totp <secret>`) must not be printed.
    if (!sub) throw new UsageError(undefined, `unknown totp subcommand${harmlessWord(second)}; use totp set <profile> or totp remove <profile>`);
    return { command: sub, rest };
  }
  const command = await loadCommand(first);
  if (!command) {
    // Quoted only when it looks like a mistyped command, never something pasted (a key, a secret).
    throw new UsageError(undefined, `unknown command${harmlessWord(first)}; the commands are ${COMMAND_NAMES.join(', ')}`);
  }
  return { command, rest: second === undefined ? [] : [second, ...rest] };
}

/** ` "word"` for a short lower-case word (a mistyped command), else nothing: never echo a pasted secret. */
function harmlessWord(text: string): string {
  return /^[a-z-]{1,24}$/.test(text) ? ` "${text}"` : '';
}
