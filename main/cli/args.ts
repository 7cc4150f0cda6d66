/**
 * Command-line parsing on `node:util` `parseArgs`, with usage errors in plain words.
 *
 * Each command declares its options; parsing is strict (an unknown option or a missing value is a
 * usage error naming the option, never echoing a value, which might be a secret pasted in the wrong
 * place). `--help` / `-h` anywhere before `--` wins over everything else, so that
 * `mfa-tray add --help` works without the command's required options.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line. Exit status 2; the message ends by pointing at `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    /** The command (`refresh`, `totp set`) whose help to point at, or undefined for the top level. */
    readonly command: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The options of a command, in parseArgs' form. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** Parsed options: string options as strings, boolean ones as booleans, absent ones undefined. */
export type ParsedValues = Readonly<Record<string, string | boolean | undefined>>;

export interface ParsedArgs {
  readonly values: ParsedValues;
  readonly positionals: readonly string[];
  /** For a command that runs another (`exec`): the words after the profile, untouched. */
  readonly passThrough?: readonly string[];
  /** The profile is AWS_PROFILE's (none was given). */
  readonly profileFromEnvironment?: true;
}

/**
 * Splits `exec`'s arguments: its own options and the profile first, then the command to run with
 * its own arguments, which are not parsed (`exec dev aws s3 ls --region x`, or `exec dev -- …`).
 * A profile given with `--profile` (or none, for AWS_PROFILE) makes the first word the command.
 */
export function splitPassThrough(argv: readonly string[], options: OptionSpecs): { readonly own: string[]; readonly passThrough: string[] } {
  const own: string[] = [];
  let profileTaken = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') return { own, passThrough: argv.slice(i + 1) };
    if (arg.startsWith('-') && arg !== '-') {
      own.push(arg);
      const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
      const spec = name === 'profile' ? { type: 'string' } : (options[name] ?? Object.values(options).find((o) => o.short === name));
      if (name === 'profile') profileTaken = true;
      if (spec?.type === 'string' && !arg.includes('=') && i + 1 < argv.length) own.push(argv[(i += 1)] as string);
      continue;
    }
    if (profileTaken) return { own, passThrough: argv.slice(i) };
    own.push(arg);
    profileTaken = true;
  }
  return { own, passThrough: [] };
}

/** Whether the arguments ask for help (`--help` or `-h` before a `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** The name part of an option as typed: `--code=123` → `--code` (the value is never repeated). */
function optionName(text: string): string {
  return text.split('=')[0] ?? text;
}

/**
 * Parses a command's arguments strictly.
 *
 * @param command For messages ("mfa-tray refresh: …").
 * @param positionals How many positional arguments are allowed, and what they are called.
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  commandOptions: OptionSpecs,
  positionals: { readonly min: number; readonly max: number; readonly name: string },
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedArgs {
  // Every command that takes a profile also takes `--profile <p>` and defaults to AWS_PROFILE, as
  // the AWS CLI and aws-vault do.
  const takesProfile = positionals.name === '<profile>';
  const options: OptionSpecs = takesProfile ? { ...commandOptions, profile: { type: 'string' } } : commandOptions;
  let parsed: { values: Record<string, unknown>; positionals: string[]; tokens: Array<{ kind: string; name?: string }> };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw translateParseError(command, error, options, argv);
  }
  // parseArgs keeps the last of two values without a word; a serial or code given twice is a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || token.name === undefined || options[token.name]?.type !== 'string' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(command, `--${token.name} is given twice; give it once`);
    seen.add(token.name);
  }
  let fromEnvironment = false;
  if (takesProfile) {
    const given = parsed.values.profile;
    delete parsed.values.profile;
    if (typeof given === 'string') {
      if (parsed.positionals.length >= positionals.max) throw new UsageError(command, 'give the profile once: as an argument or with --profile');
      parsed.positionals.unshift(given);
    } else if (parsed.positionals.length === 0 && parsed.values.all !== true && env.AWS_PROFILE) {
      parsed.positionals.push(env.AWS_PROFILE);
      fromEnvironment = true;
    }
  }
  const count = parsed.positionals.length;
  if (count < positionals.min) {
    const missing = takesProfile ? `missing ${positionals.name} (or --profile <p>, or AWS_PROFILE)` : `missing ${positionals.name}`;
    throw new UsageError(command, count === 0 ? missing : `expected at least ${positionals.min} ${positionals.name} arguments`);
  }
  if (count > positionals.max) {
    const extra = parsed.positionals[positionals.max] ?? '';
    const what = extra.startsWith('-')
      ? `unexpected argument "${optionName(extra)}"`
      : positionals.max === 0
        ? 'takes no arguments'
        : `takes ${positionals.max === 1 ? 'one' : `at most ${positionals.max}`} ${positionals.name}; unexpected extra argument`;
    throw new UsageError(command, what);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' || typeof value === 'boolean') values[key] = value;
  }
  return { values, positionals: parsed.positionals, ...(fromEnvironment ? { profileFromEnvironment: true as const } : {}) };
}

/** Turns parseArgs' TypeErrors (long, and quoting the argument) into short usage errors. */
function translateParseError(command: string, error: unknown, options: OptionSpecs, argv: readonly string[]): Error {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? '';
  const quoted = /'(-[^']*)'/.exec(message)?.[1];
  const name = quoted === undefined ? undefined : optionName(quoted.split(' ')[0] ?? quoted);
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      if (name !== undefined && /^--?secret/.test(name)) {
        return new UsageError(
          command,
          `${name} is not accepted: a secret on the command line ends up in your shell history and in the process list; pipe it on stdin or type it at the prompt instead`,
        );
      }
      return new UsageError(command, `unknown option ${name ?? ''}`.trim());
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const known =
        name !== undefined
          ? Object.entries(options).find(([long, spec]) => `--${long}` === name || (spec.short !== undefined && `-${spec.short}` === name))
          : undefined;
      if (known && known[1].type === 'boolean') return new UsageError(command, `--${known[0]} takes no value`);
      const option = known ? `--${known[0]}` : (name ?? 'an option');
      // parseArgs' "ambiguous": the next argument starts with a dash: another option of this
      // command (the value was forgotten), or a value that starts with "-" (a negative number, say).
      if (message.includes('ambiguous')) {
        const spellings = known ? [`--${known[0]}`, ...(known[1].short === undefined ? [] : [`-${known[1].short}`])] : [];
        const at = argv.findIndex((word) => spellings.includes(word));
        const next = at === -1 ? undefined : argv[at + 1];
        const nextName = next === undefined ? undefined : next.split('=')[0];
        const isOption =
          nextName !== undefined &&
          Object.entries(options).some(([long, spec]) => `--${long}` === nextName || (spec.short !== undefined && `-${spec.short}` === nextName));
        if (isOption) return new UsageError(command, `${option} needs a value; ${nextName} is another option`);
        return new UsageError(command, `${option} needs a value; to give one that starts with "-", write ${option}=<value>`);
      }
      return new UsageError(command, `${option} needs a value`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(command, 'unexpected argument');
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/** A string option's value, or undefined. */
export function stringOption(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A boolean option's value (false when absent). */
export function flag(values: ParsedValues, name: string): boolean {
  return values[name] === true;
}
