/**
 * Where the AWS shared files are, and what a profile's `[profile X]` section of the shared config
 * file says about MFA: `mfa_serial`, `region`, `duration_seconds`. Read-only: MFA Tray never writes
 * the config file.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { absoluteAsOpened, joinAsOpened } from './paths';
import { invalidInput } from '../../common/errors';
import { fileError, isNotFound } from './file-errors';
import { readRegularFile } from './regular-file';
import { isValidSectionName, SECTION_NAME_RULE } from '../../common/aws-names';
import { findSections, parseIni, type IniDocument } from './ini-edit';

/** Environment variables, as `process.env` has them. Injectable so that tests need not mutate it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the config file says about a profile; a key that is absent or unusable is left out. */
export interface ProfileConfig {
  readonly mfaSerial?: string;
  readonly region?: string;
  readonly durationSeconds?: number;
  /** `mfa_process`: a command whose output is the MFA code (aws-vault's key). */
  readonly mfaProcess?: string;
  /** `yubikey_oath_account`: the YubiKey OATH account whose code is the profile's MFA code. */
  readonly yubikeyOathAccount?: string;
  /** `yubikey_serial`: which YubiKey, when several are plugged in. */
  readonly yubikeySerial?: string;
  /** The MFA Tray profile its `credential_process` serves (`mfa-tray credential-process <p>`; {@link credentialProcessProfile}). */
  readonly mfaTrayProfile?: string;
}

/** A command line's words, as a shell splits them: a word in quotes (a path with spaces) is one word, without its quotes. */
export function commandWords(line: string): string[] {
  return (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((word) => word.replace(/^(["'])(.*)\1$/s, '$2'));
}

/**
 * The MFA Tray profile a `credential_process` line serves: the profile after `credential-process`
 * (or its `--profile`) in a line that runs mfa-tray (`mfa-tray`, `/path/mfa-tray.cmd`, `node
 * …/bin/mfa-tray.js`); null for such a line that names none (it serves AWS_PROFILE's, as the
 * AWS tool's environment has it); undefined for any other line. A word in quotes (a path with spaces) is one word, as to a shell.
 */
export function credentialProcessProfile(line: string): string | null | undefined {
  const words = commandWords(line);
  const at = words.indexOf('credential-process');
  if (at < 1 || !words.slice(0, at).some((word) => /(^|[/\\])mfa-tray(\.js|\.cmd)?$/.test(word))) return undefined;
  const rest = words.slice(at + 1);
  const flag = rest.indexOf('--profile');
  return (flag >= 0 ? rest[flag + 1] : rest.find((word) => !word.startsWith('-'))) ?? null;
}

/**
 * The user's home folder as the AWS SDKs find it: `HOME`, else `USERPROFILE`, else
 * `HOMEDRIVE` + `HOMEPATH` (Windows), else the OS's answer.
 */
export function homeDir(env: Env = process.env): string {
  if (env.HOME) return env.HOME;
  if (env.USERPROFILE) return env.USERPROFILE;
  if (env.HOMEPATH) return `${env.HOMEDRIVE ?? 'C:'}${env.HOMEPATH}`;
  return homedir();
}

/** Expands a leading `~` (alone, or followed by `/` or `\`) to the home folder; `..` after it is left to the system (see absoluteAsOpened). */
export function expandHome(path: string, env: Env = process.env): string {
  if (path === '~') return homeDir(env);
  if (path.startsWith('~/') || path.startsWith('~\\')) return joinAsOpened(homeDir(env), path.slice(2));
  return path;
}

/**
 * The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`, as an
 * absolute path. An empty variable counts as unset, as in the SDKs.
 */
export function credentialsFilePath(env: Env = process.env): string {
  return sharedFilePath(env.AWS_SHARED_CREDENTIALS_FILE, 'credentials', env);
}

/** The shared config file: `AWS_CONFIG_FILE`, else `~/.aws/config`, as an absolute path. */
export function configFilePath(env: Env = process.env): string {
  return sharedFilePath(env.AWS_CONFIG_FILE, 'config', env);
}

function sharedFilePath(fromEnv: string | undefined, name: string, env: Env): string {
  return absoluteAsOpened(fromEnv ? expandHome(fromEnv, env) : join(homeDir(env), '.aws', name));
}

/** Options for {@link readProfileConfig}. */
export interface ReadProfileConfigOptions {
  /** Where to find `AWS_CONFIG_FILE` and the home folder. Default `process.env`. */
  readonly env?: Env;
  /** The config file to read, instead of the one the environment names. */
  readonly path?: string;
}

/**
 * Reads `mfa_serial`, `region` and `duration_seconds` for a profile from the shared config file, as
 * the AWS CLI does when a profile is set up.
 *
 * A missing file or section gives `{}`: those settings are optional. The file is read only.
 *
 * @throws MfaTrayError `invalid-input` for a name that is not a valid profile name, and
 *   `credentials-file` when the file exists but cannot be read.
 */
export async function readProfileConfig(name: string, options: ReadProfileConfigOptions = {}): Promise<ProfileConfig> {
  if (!isValidSectionName(name)) throw invalidInput('profile', SECTION_NAME_RULE);
  const doc = await readConfig(options);
  return doc === undefined ? {} : configOf(doc, name);
}

/**
 * The pure part of {@link readProfileConfig}: the profile's settings from the config file's text.
 *
 * The section is `[profile NAME]` (also with the name quoted, as botocore allows), and for
 * `default` also `[default]`. Sections that appear more than once merge, the last value winning, as
 * in the JS SDK. Only top-level keys count (not `s3 =` style nested ones). `duration_seconds` must
 * be a plain non-negative integer; anything else is ignored rather than guessed at. The range
 * (900..129600) is checked where the profile is validated, with a message that says so.
 */
export function parseProfileConfig(text: string, name: string): ProfileConfig {
  return configOf(parseIni(text), name);
}

function configOf(doc: IniDocument, name: string): ProfileConfig {
  const values = new Map<string, string>();
  for (const section of profileSections(doc, name)) {
    for (const entry of section.entries) values.set(entry.key, entry.value);
  }
  const mfaSerial = values.get('mfa_serial');
  const region = values.get('region');
  const duration = values.get('duration_seconds');
  const mfaProcess = values.get('mfa_process')?.trim();
  const yubikeyOathAccount = values.get('yubikey_oath_account')?.trim();
  const yubikeySerial = values.get('yubikey_serial')?.trim();
  const mfaTrayProfile = credentialProcessProfile(values.get('credential_process') ?? '') ?? undefined;
  const durationSeconds = duration !== undefined && /^\d{1,9}$/.test(duration) ? Number.parseInt(duration, 10) : undefined;
  return {
    ...(mfaSerial ? { mfaSerial } : {}),
    ...(region ? { region } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(mfaProcess ? { mfaProcess } : {}),
    ...(yubikeyOathAccount ? { yubikeyOathAccount } : {}),
    ...(yubikeySerial && /^\d{1,12}$/.test(yubikeySerial) ? { yubikeySerial } : {}),
    ...(mfaTrayProfile ? { mfaTrayProfile } : {}),
  };
}

/**
 * The config file's sections for a profile, in file order. For `default`, a plain `[default]` comes
 * first so that a `[profile default]` (which the JS SDK prefers) overrides it.
 */
function profileSections(doc: IniDocument, name: string): IniDocument['sections'] {
  const prefixed = doc.sections.filter((s) => s.header >= 0 && s.name !== undefined && profileName(s.name) === name);
  return name === 'default' ? [...findSections(doc, 'default'), ...prefixed] : prefixed;
}

/** The config file parsed, or undefined when there is none. @throws MfaTrayError `credentials-file` when it cannot be read. */
async function readConfig(options: ReadProfileConfigOptions): Promise<IniDocument | undefined> {
  const path = options.path ?? configFilePath(options.env);
  try {
    return parseIni((await readRegularFile(path)).toString('utf8'));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw fileError('credentials-file', `Cannot read the AWS config file ${path}`, error);
  }
}

/** What the config file says about each of these profiles, in one read (profiles it does not name are left out). */
export async function readProfileConfigs(names: readonly string[], options: ReadProfileConfigOptions = {}): Promise<ReadonlyMap<string, ProfileConfig>> {
  const doc = await readConfig(options);
  if (doc === undefined) return new Map();
  return new Map(names.map((name) => [name, configOf(doc, name)]));
}

/** The config file's sections (`[profile x]`, as written) that hold the access key `accessKeyId` in plain text; none without a file. */
export async function configSectionsWithKey(accessKeyId: string, options: ReadProfileConfigOptions = {}): Promise<readonly string[]> {
  const doc = await readConfig(options);
  if (doc === undefined) return [];
  return doc.sections
    .filter((s) => s.name !== undefined && s.entries.some((e) => e.key === 'aws_access_key_id' && e.value === accessKeyId))
    .map((s) => s.name as string);
}

/** `profile NAME`, `profile "NAME"` or `profile 'NAME'` → NAME; anything else → undefined. */
export function profileName(header: string): string | undefined {
  const match = /^profile[ \t]+(["']?)([^"' \t]+)\1[ \t]*$/.exec(header);
  return match?.[2];
}

/** A role profile of the config file: `role_arn` with a `source_profile`, read as the AWS CLI reads them. */
export interface RoleProfileConfig {
  readonly name: string;
  readonly roleArn: string;
  readonly sourceProfile: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
  readonly region?: string;
  readonly mfaSerial?: string;
}

/** Every role profile of the config file (those with `role_arn` and `source_profile`), in file order. */
export async function readRoleProfiles(options: ReadProfileConfigOptions = {}): Promise<readonly RoleProfileConfig[]> {
  const doc = await readConfig(options);
  if (doc === undefined) return [];
  const names = new Set<string>();
  for (const section of doc.sections) {
    const name = section.header >= 0 && section.name !== undefined ? (section.name === 'default' ? 'default' : profileName(section.name)) : undefined;
    if (name !== undefined && isValidSectionName(name)) names.add(name);
  }
  const roles: RoleProfileConfig[] = [];
  for (const name of names) {
    const values = new Map<string, string>();
    for (const section of profileSections(doc, name)) for (const entry of section.entries) values.set(entry.key, entry.value.trim());
    const roleArn = values.get('role_arn');
    const sourceProfile = values.get('source_profile');
    if (!roleArn || !sourceProfile) continue;
    const duration = values.get('duration_seconds');
    const pick = (key: string): string | undefined => values.get(key) || undefined;
    const roleSessionName = pick('role_session_name');
    const externalId = pick('external_id');
    const region = pick('region');
    const mfaSerial = pick('mfa_serial');
    roles.push({
      name,
      roleArn,
      sourceProfile,
      ...(roleSessionName ? { roleSessionName } : {}),
      ...(externalId ? { externalId } : {}),
      ...(duration !== undefined && /^\d{1,9}$/.test(duration) ? { durationSeconds: Number(duration) } : {}),
      ...(region ? { region } : {}),
      ...(mfaSerial ? { mfaSerial } : {}),
    });
  }
  return roles;
}
