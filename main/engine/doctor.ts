/**
 * `doctor`: everything that makes a session fail, checked one by one, each with a verdict and the
 * fix. One home for these checks: the command prints them, the Diagnose window shows them.
 *
 * Read-only: it reads the environment, the keychain, the two AWS files and asks AWS only what needs
 * no MFA (sts:GetCallerIdentity, iam:ListMFADevices where the policy allows it). Nothing is written.
 */
import { constants, type Stats } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { ClockUnknownBecause, DiagnosisWords, FoundError, NotOwnEntry } from '../common/diagnosis';
import { isMfaTrayError, type Remedy } from '../common/errors';
import { formatDuration } from '../common/duration';
import { maskKeyId } from '../common/key-id';
import type { LongLivedKey, Profile, SessionState } from '../common/model';
import { policyTargetOf } from '../common/mfa-policy';
import { remedyCommand } from '../common/remedy-command';
import { describeOffset, roundedSpan } from './clock/clock';
import { fileError, isNotFound } from './files/file-errors';
import { awsCliReadProblem, parseIni, type AwsCliReadProblem, type IniDocument } from './files/ini-edit';
import { commandWords, credentialProcessProfile, profileName } from './files/aws-config';
import { isOwnFolder, notOwnBecause } from './files/own-file';
import { CONFIG_FILE_NAMES } from './files/paths';
import { readRegularFile } from './files/regular-file';
import { notInFileMessage, sessionMissingFrom } from './files/session-section';
import { keyRemedies } from './keychain/profile-secrets';

/** A session check's fix where a refresh is not the fix: the files check says what is. */
const SEE_FILES_CHECK = 'see the files check';

/** The command that gets a profile a new session. */
function refreshCommand(profile: string): string {
  return `mfa-tray refresh ${profile}`;
}

export type Verdict = 'pass' | 'warn' | 'fail';

/** One check's outcome: what was checked, the verdict, the facts, and the fix when it is not a pass. */
export interface Check {
  readonly check: string;
  readonly profile?: string;
  readonly verdict: Verdict;
  /** What was found, as data, for words in another language than the message's English. */
  readonly words: DiagnosisWords;
  readonly message: string;
  readonly fix?: string;
}

/** What the checks read, as the engine gives it. */
export interface DoctorDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly profiles: () => Promise<readonly Profile[]>;
  /** What MFA Tray serves to AWS commands run with AWS_PROFILE set to this (engine's awsProfileServes). */
  readonly awsProfileServes: (name: string) => Promise<string | undefined>;
  /** The role profiles of the config file assumed from MFA Tray's profiles (engine's roleProfiles). */
  readonly roleProfiles: () => Promise<readonly { readonly name: string }[]>;
  /** The profiles' stored keys in one keychain read (a damaged entry is its error); throws when the keychain is locked or unreachable. */
  readonly longLivedKeys: (profiles: readonly string[]) => Promise<ReadonlyMap<string, LongLivedKey | Error>>;
  readonly callerIdentity: (key: LongLivedKey, region: string) => Promise<{ readonly arn: string; readonly account: string }>;
  readonly mfaDevices: (key: LongLivedKey, region: string) => Promise<readonly { readonly serialNumber: string }[]>;
  /** AWS's clock minus this computer's, once measured (after a call to AWS). */
  readonly clockOffsetMs: () => number | undefined;
  /** Another MFA Tray process's recent measurement (clock-offset.json), while it may still be used. */
  readonly rememberedOffset: () => Promise<{ readonly offsetMs: number; readonly measuredAt: number } | undefined>;
  readonly state: (profile: string) => Promise<SessionState>;
  /** The access key id of the profile's cached session, if there is one. */
  readonly sessionKeyId: (profile: string) => Promise<string | undefined>;
  readonly credentialsPath: string;
  /** Why a session could not be written into the credentials file now ({@link CredentialsFile.unwritable}), or undefined. */
  readonly credentialsUnwritable: (exists: boolean) => Promise<{ readonly reason: string; readonly fix: string } | undefined>;
  readonly configPath: string;
  /** MFA Tray's own folder (settings, records, code cache). */
  readonly configDir: string;
  readonly now: () => number;
}

const CLOCK_WARN_MS = 30_000;
const CLOCK_FAIL_MS = 5 * 60_000;

/** An error a check found, as its words carry it: an unexpected one as `internal`, with `otherwise` for its message. */
function found(error: unknown, otherwise: string): FoundError {
  return isMfaTrayError(error) ? { code: error.code, message: error.message } : { code: 'internal', message: otherwise };
}

function check(name: string, verdict: Verdict, words: DiagnosisWords, message: string, fix?: string, profile?: string): Check {
  return { check: name, verdict, words, message, ...(fix === undefined ? {} : { fix }), ...(profile === undefined ? {} : { profile }) };
}

/** Every check, in the order a person would fix them; `only` limits the per-profile ones to one profile. */
export async function diagnose(deps: DoctorDeps, only?: string): Promise<Check[]> {
  const named = deps.env.AWS_PROFILE;
  const served = named ? await deps.awsProfileServes(named).catch(() => undefined) : undefined;
  const checks: Check[] = [...environmentChecks(deps.env, served)];
  let profiles: readonly Profile[] = [];
  // Unknown when the settings cannot be read: then no check says a profile is missing.
  let known = true;
  try {
    profiles = await deps.profiles();
  } catch (error) {
    known = false;
    const why = found(error, 'The settings file could not be read.');
    checks.push(check('settings', 'fail', { id: 'settings-unreadable', error: why }, why.message));
  }
  const chosen = only === undefined ? profiles : profiles.filter((p) => p.name === only);
  if (only !== undefined && chosen.length === 0)
    checks.push(
      check('profile', 'fail', { id: 'no-such-profile', profile: only }, `There is no profile "${only}".`, 'mfa-tray list shows the profiles there are.'),
    );

  // The keychain, once (every key in one read): reachable and unlocked.
  let keys: ReadonlyMap<string, LongLivedKey | Error> | undefined;
  try {
    keys = await deps.longLivedKeys(chosen.map((p) => p.name));
    checks.push(check('keychain', 'pass', { id: 'keychain-ok' }, 'The keychain answers and is unlocked.'));
  } catch (error) {
    const why = found(error, 'The keychain could not be read.');
    checks.push(check('keychain', 'fail', { id: 'keychain-unreadable', error: why }, why.message, 'Unlock it (or start its service), then run doctor again.'));
  }
  const keychainOk = keys !== undefined;

  /** The errors of the calls to AWS that failed for another reason than the key's own. */
  const unanswered: unknown[] = [];
  for (const profile of chosen) if (keys) checks.push(...(await profileChecks(deps, profile, keys.get(profile.name), unanswered)));
  const measured = deps.clockOffsetMs();
  const remembered = measured === undefined ? await deps.rememberedOffset().catch(() => undefined) : undefined;
  const unknownBecause =
    chosen.length === 0
      ? 'no-key'
      : !keychainOk
        ? 'keychain'
        : unanswered.length > 0 && unanswered.every((error) => isMfaTrayError(error) && error.notSent)
          ? 'not-sent'
          : 'no-answer';
  checks.push(
    remembered === undefined ? clockCheck(measured, unknownBecause) : clockCheck(remembered.offsetMs, unknownBecause, deps.now() - remembered.measuredAt),
  );
  const files = await fileChecks(deps, profiles, known);
  checks.push(...files.checks);
  for (const profile of keychainOk ? chosen : []) {
    const state = await deps.state(profile.name).catch((error: unknown) => error);
    if (isMfaTrayError(state) || state instanceof Error) {
      const why = found(state, 'The session could not be read.');
      checks.push(check('session', 'fail', { id: 'session-unreadable', error: why }, why.message, undefined, profile.name));
      continue;
    }
    const known = state as SessionState;
    const session = sessionCheck(profile.name, known, deps.now(), files.unwritable !== undefined);
    const live = known.kind === 'valid' || known.kind === 'expiring' ? known.expiresAt - deps.now() : undefined;
    const missing = live === undefined ? undefined : await sessionNotInFile(deps, profile, files, live);
    checks.push(missing ?? session);
  }
  return checks;
}

/**
 * The cached session is what MFA Tray shows, but the AWS tools read the credentials file: a file
 * rewritten by another tool (or by hand) may no longer hold it. A fail when it does not.
 */
async function sessionNotInFile(deps: DoctorDeps, profile: Profile, files: FileChecks, leftMs: number): Promise<Check | undefined> {
  const cached = await deps.sessionKeyId(profile.name).catch(() => undefined);
  if (cached === undefined) return undefined;
  // Unreadable (undefined): not in it either, as status says; the files check says why and what fixes it.
  const missing = sessionMissingFrom(files.credentials ?? 'unreadable', profile, cached, { unwritable: files.unwritable });
  if (missing === undefined) return undefined;
  // Where a refresh would not write (the file, or the section, is the trouble), the files check has the fix.
  const refresh = missing.remedies.some((remedy) => remedy.action === 'refresh') ? refreshCommand(profile.name) : null;
  const fix = refresh ?? SEE_FILES_CHECK;
  const words: DiagnosisWords = {
    id: 'session-not-in-file',
    profile: profile.name,
    target: profile.targetSection,
    leftMs,
    path: deps.credentialsPath,
    refresh,
  };
  return check('session', 'fail', words, notInFileMessage(profile, deps.credentialsPath, formatDuration(leftMs), missing.why), fix, profile.name);
}

/** Variables that take precedence over every profile in the AWS CLI and SDKs. */
function environmentChecks(env: DoctorDeps['env'], served: string | undefined): Check[] {
  const set = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].filter((name) => env[name]);
  const checks: Check[] = [];
  if (set.length > 0) {
    checks.push(
      check(
        'environment',
        'fail',
        { id: 'environment-shadowed', names: set },
        `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set in this environment: the AWS CLI and SDKs use ${set.length === 1 ? 'it' : 'them'} before any profile, so your MFA session is never used (the usual cause of "AccessDenied" after a refresh).`,
        `unset ${set.join(' ')}`,
      ),
    );
  } else {
    checks.push(check('environment', 'pass', { id: 'environment-clear' }, 'No AWS credentials in the environment shadow the profiles.'));
  }
  // One MFA Tray serves (itself, or through a credential_process line, as the README sets it up): as meant.
  if (env.AWS_PROFILE && served !== undefined) {
    const value = env.AWS_PROFILE;
    checks.push(
      check(
        'environment',
        'pass',
        { id: 'aws-profile-ours', value, profile: served },
        `AWS_PROFILE=${value}: AWS commands in this shell use ${served === value ? `MFA Tray's profile ${value}` : `profile ${value}, which gets MFA Tray's profile ${served} through credential_process`}.`,
      ),
    );
  } else if (env.AWS_PROFILE)
    checks.push(
      check(
        'environment',
        'warn',
        { id: 'aws-profile-set', value: env.AWS_PROFILE },
        `AWS_PROFILE=${env.AWS_PROFILE} picks the profile for every AWS command in this shell.`,
        'unset AWS_PROFILE if that is not meant',
      ),
    );
  return checks;
}

/** Errors of sts:GetCallerIdentity that are the key's own fault: the fix is another key. */
const KEY_FAULTS = ['sts-invalid-key', 'sts-bad-signature', 'sts-session-credentials'] as const;

/**
 * Errors that leave the key unchecked and that another check fails with its own fix (the files, the
 * clock), or that pass by themselves (the network, throttling): a warning. Any other failure (STS
 * not activated in the region, an unusable AWS_CA_BUNDLE, …) fails the key check, with its message.
 */
const KEY_UNCHECKED = ['sts-unavailable', 'sts-throttled', 'credentials-file', 'clock-skew'] as const;

/**
 * The stored key: long-lived and active; the device: in that user's account (and listed, where
 * allowed). A call to AWS that was not answered adds its error to `unanswered`.
 */
async function profileChecks(deps: DoctorDeps, profile: Profile, key: LongLivedKey | Error | undefined, unanswered: unknown[]): Promise<Check[]> {
  const { name } = profile;
  // Storing the key again keeps the profile's settings (keyRemedies).
  const storeCommands = keyRemedies(profile).map((remedy) => remedyCommand(remedy) ?? '');
  const storeAgain = storeCommands.join(', or ');
  if (key instanceof Error) {
    const why = found(key, 'The key could not be read.');
    return [check('key', 'fail', { id: 'key-unreadable', commands: storeCommands, error: why }, why.message, storeAgain, name)];
  }
  if (!key) return [check('key', 'fail', { id: 'key-missing', commands: storeCommands }, 'No access key is stored.', storeAgain, name)];
  const masked = maskKeyId(key.accessKeyId);
  // The whole command, the profile's settings kept (seen in review: "add work --force" alone is refused, missing its options).
  const storeAnother = remedyCommand(keyRemedies(profile)[0] as Remedy) ?? '';
  if (!key.accessKeyId.startsWith('AKIA')) {
    return [
      check(
        'key',
        'fail',
        { id: 'key-not-long-lived', key: masked, command: storeAnother },
        `The stored key ${masked} is not a long-lived IAM user key (AKIA…).`,
        `${storeAnother}, with the IAM user's own access key (AKIA…)`,
        name,
      ),
    ];
  }
  let identity;
  try {
    identity = await deps.callerIdentity(key, profile.region);
  } catch (error) {
    const why = found(error, 'sts:GetCallerIdentity failed.');
    const { message } = why;
    if (isMfaTrayError(error, ...KEY_FAULTS))
      return [
        check(
          'key',
          'fail',
          { id: 'key-refused', key: masked, command: storeAnother, error: why },
          `${masked}: ${message}`,
          `${storeAnother}, with a working key`,
          name,
        ),
      ];
    unanswered.push(error);
    if (!isMfaTrayError(error, ...KEY_UNCHECKED))
      return [
        check('key', 'fail', { id: 'key-unchecked', key: masked, temporary: false, error: why }, `${masked} could not be checked: ${message}`, undefined, name),
      ];
    const temporary = isMfaTrayError(error, 'sts-unavailable', 'sts-throttled');
    return [
      check(
        'key',
        'warn',
        { id: 'key-unchecked', key: masked, temporary, error: why },
        `${masked} could not be checked: ${message}`,
        temporary ? 'run doctor again once AWS can be reached' : undefined,
        name,
      ),
    ];
  }
  const checks = [
    check('key', 'pass', { id: 'key-ok', key: masked, arn: identity.arn }, `${masked} is long-lived and active: ${identity.arn}.`, undefined, name),
  ];
  const device = policyTargetOf(profile.mfaSerial);
  if (device && device.account !== identity.account) {
    checks.push(
      check(
        'device',
        'fail',
        {
          id: 'device-other-account',
          device: profile.mfaSerial,
          deviceAccount: device.account,
          keyAccount: identity.account,
          arn: identity.arn,
          profile: name,
        },
        `The MFA device ${profile.mfaSerial} is in account ${device.account}, the key's user in ${identity.account}: STS will refuse every code.`,
        `mfa-tray edit ${name} --mfa-serial <the device of ${identity.arn}>`,
        name,
      ),
    );
    return checks;
  }
  try {
    const devices = await deps.mfaDevices(key, profile.region);
    const listed = devices.some((d) => d.serialNumber === profile.mfaSerial);
    checks.push(
      listed
        ? check('device', 'pass', { id: 'device-ok', device: profile.mfaSerial }, `${profile.mfaSerial} is one of this user's MFA devices.`, undefined, name)
        : check(
            'device',
            'fail',
            { id: 'device-not-listed', device: profile.mfaSerial, devices: devices.map((d) => d.serialNumber), profile: name },
            `${profile.mfaSerial} is not among this user's MFA devices (${devices.map((d) => d.serialNumber).join(', ') || 'none'}).`,
            `mfa-tray edit ${name} --mfa-serial <one of them>`,
            name,
          ),
    );
  } catch {
    checks.push(
      check(
        'device',
        'warn',
        { id: 'device-not-checked', device: profile.mfaSerial },
        `${profile.mfaSerial} could not be checked: the policy does not allow listing MFA devices without MFA.`,
        undefined,
        name,
      ),
    );
  }
  return checks;
}

/**
 * The clock against AWS's: measured by this doctor, else as another process measured it recently
 * (`agoMs`), else why it could not be asked.
 */
function clockCheck(offsetMs: number | undefined, unknownBecause: ClockUnknownBecause, agoMs?: number): Check {
  if (offsetMs === undefined) {
    const unknown = "This computer's clock could not be compared with AWS's";
    const words: DiagnosisWords = { id: 'clock-unknown', because: unknownBecause };
    if (unknownBecause === 'no-answer') return check('clock', 'warn', words, `${unknown}: AWS did not answer.`, 'run doctor again once AWS can be reached');
    if (unknownBecause === 'not-sent') {
      return check(
        'clock',
        'warn',
        words,
        `${unknown}: nothing could be sent to AWS (the key check says why).`,
        'see the key check above, then run doctor again',
      );
    }
    if (unknownBecause === 'keychain') {
      return check(
        'clock',
        'warn',
        words,
        `${unknown}: the keychain could not be read, so no stored key could ask AWS.`,
        'unlock the keychain, then run doctor again',
      );
    }
    return check('clock', 'warn', words, `${unknown}: there is no stored key to ask AWS with.`, 'add a profile, then run doctor again');
  }
  const agoMinutes = agoMs === undefined ? undefined : Math.max(0, Math.floor(agoMs / 60_000));
  const ago = agoMinutes === undefined ? {} : { agoMinutes };
  const when = agoMinutes === undefined ? '' : ` (measured by MFA Tray ${agoMinutes} min ago)`;
  const off = Math.abs(offsetMs);
  if (off <= CLOCK_WARN_MS) {
    const withinSeconds = Math.max(1, Math.round(off / 1000));
    return check('clock', 'pass', { id: 'clock-ok', withinSeconds, ...ago }, `This computer's clock is within ${withinSeconds} s of AWS's${when}.`);
  }
  const refused = off > CLOCK_FAIL_MS;
  return check(
    'clock',
    refused ? 'fail' : 'warn',
    { id: 'clock-off', ahead: offsetMs < 0, by: roundedSpan(offsetMs), refused, ...ago },
    `This computer's clock is ${describeOffset(offsetMs)}${when}${refused ? ': AWS refuses requests signed that far off' : ': MFA Tray allows for it, other tools may not'}.`,
    'turn on automatic date and time in the system settings',
  );
}

/**
 * The file's sections; undefined when it does not exist; a failed check when it cannot be read.
 * What keeps the AWS CLI from the file is pushed onto `checks` (what keeps MFA Tray's edits from it is the refresh's own check, `credentialsUnwritable`).
 */
async function readIni(path: string, checks: Check[]): Promise<IniDocument | Check | undefined> {
  try {
    const bytes = await readRegularFile(path);
    const text = bytes.toString('utf8');
    const problem = awsCliReadProblem(bytes);
    if (problem) checks.push(check('files', 'fail', { id: 'file-cli-cannot-read', path, problem }, ...awsCliProblemWords(problem, path)));
    return parseIni(text);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    const { message } = fileError('credentials-file', `Cannot read ${path}`, error);
    return check(
      'files',
      'fail',
      { id: 'file-unreadable', path },
      message.replace(/ Nothing was changed\.$/, ' The AWS CLI and SDKs cannot read it either.'),
      `make ${path} a regular file you can read, or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE elsewhere`,
    );
  }
}

/**
 * The key of a config profile that makes botocore (the AWS CLI) take the profile's credentials
 * elsewhere before it reads the credentials file, or undefined. It goes by the key being there at
 * all, value or none (measured with the AWS CLI): `role_arn` (a role to assume, or web identity;
 * without its source it fails: "Partial credentials found in assume-role"), `sso_account_id` or
 * `sso_role_name` (IAM Identity Center; when incomplete: "configured to use SSO but is missing
 * required configuration"). `sso_session` or `sso_start_url` alone leave the file's keys in use.
 * `credential_process` is not one either: the credentials file comes before it.
 */
function credentialsElsewhere(entries: readonly { readonly key: string }[]): { readonly key: string } | undefined {
  return entries.find((e) => e.key === 'role_arn' || e.key === 'sso_account_id' || e.key === 'sso_role_name');
}

/** The sections that appear more than once in a file, with how often. */
function sectionsTwice(doc: IniDocument): Array<[string, number]> {
  const seen = new Map<string, number>();
  for (const section of doc.sections) if (section.name !== undefined) seen.set(section.name, (seen.get(section.name) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1);
}

function sectionTwiceWords(name: string, count: number, path: string): string {
  return `[${name}] appears ${count} times in ${path}: the AWS CLI cannot read a file like that.`;
}

/**
 * Why the AWS CLI cannot read the file at `path`, whose bytes these are, in the files check's words
 * (the first reason), or undefined: for a refresh to say, after writing into such a file, that the
 * AWS tools will not get the session from it.
 */
export function awsCliCannotRead(bytes: Buffer, path: string): string | undefined {
  const problem = awsCliReadProblem(bytes);
  if (problem) return awsCliProblemWords(problem, path)[0];
  const [twice] = sectionsTwice(parseIni(bytes.toString('utf8')));
  return twice && sectionTwiceWords(twice[0], twice[1], path);
}

/** A file the AWS CLI cannot read, in a check's words: the message, and what to do. */
function awsCliProblemWords(problem: AwsCliReadProblem, path: string): [string, string] {
  const cannot = 'the AWS CLI cannot read it.';
  switch (problem.kind) {
    case 'not-utf8':
      return [`${path} holds bytes that are not UTF-8: ${cannot}`, 'save it as UTF-8 (iconv -f latin1 -t utf-8, for a file written as Latin-1)'];
    case 'nested-not-a-key':
      return [
        `Line ${problem.line} of ${path} is indented under a key with no value (such as s3 =), and is no key = value: ${cannot}`,
        'make it key = value, or a comment (#)',
      ];
    case 'bom':
      return [`${path} begins with a byte-order mark (BOM): ${cannot}`, `save it as UTF-8 without a BOM (sed -i '1s/^\\xEF\\xBB\\xBF//' ${path})`];
    case 'before-section':
      return [`Line ${problem.line} of ${path} comes before any [section]: ${cannot}`, 'move it under its [section], or make it a comment (#)'];
    case 'not-a-key':
      return [
        `Line ${problem.line} of ${path} is neither a [section], a key = value nor a comment: ${cannot}`,
        'finish it as key = value, or make it a comment (#)',
      ];
    case 'key-twice':
      return [
        `[${problem.section}] in ${path} sets ${problem.key} twice (line ${problem.line}; keys are compared without case): ${cannot}`,
        `keep one ${problem.key} line in [${problem.section}]`,
      ];
  }
}

/** What the files checks found: their checks, the credentials file as read, and why a session could not be written into it. */
interface FileChecks {
  readonly checks: Check[];
  /** Parsed; 'missing' when there is no file; undefined when it cannot be read (a check says why). */
  readonly credentials: IniDocument | 'missing' | undefined;
  readonly unwritable?: { readonly reason: string; readonly fix: string };
}

/** The two AWS files: modes, duplicate sections, mixed sections, a differing mfa_serial, credential_process lines. */
async function fileChecks(deps: DoctorDeps, profiles: readonly Profile[], profilesKnown: boolean): Promise<FileChecks> {
  const checks: Check[] = [];
  /** The file's text parsed; 'missing' when there is no file; undefined when it cannot be read (a check says why). */
  const read = async (path: string): Promise<IniDocument | 'missing' | undefined> => {
    const result = await readIni(path, checks);
    if (result === undefined) return 'missing';
    if ('sections' in result) return result;
    checks.push(result);
    return undefined;
  };
  const credentialsRead = await read(deps.credentialsPath);
  const credentials = credentialsRead === 'missing' ? undefined : credentialsRead;
  const configRead = await read(deps.configPath);
  const config = configRead === 'missing' ? undefined : configRead;
  // Only for a file read as one: a folder's or a device's mode is not a file's (chmod 600 through a
  // link to /dev/null, run as root, would change it for the whole system).
  if (process.platform !== 'win32' && credentials !== undefined) {
    const mode = await stat(deps.credentialsPath).then(
      (s) => s.mode & 0o777,
      () => undefined,
    );
    if (mode !== undefined && (mode & 0o077) !== 0) {
      checks.push(
        check(
          'files',
          'warn',
          { id: 'credentials-readable-by-others', path: deps.credentialsPath, mode: mode.toString(8) },
          `${deps.credentialsPath} can be read by other users (mode ${mode.toString(8)}).`,
          `chmod 600 ${deps.credentialsPath}`,
        ),
      );
    }
  }
  // What a refresh checks before it sends a code (a read-only file, a folder this user cannot write in).
  const unwritable = credentialsRead === undefined ? undefined : await deps.credentialsUnwritable(credentialsRead !== 'missing');
  if (unwritable)
    checks.push(check('files', 'fail', { id: 'credentials-unwritable' }, `${unwritable.reason}: a refresh stops before sending its code.`, unwritable.fix));
  const notOwn = await notOwnConfigEntries(deps.configDir);
  if (notOwn.length > 0) {
    const quoted = `'${deps.configDir.replaceAll("'", "'\\''")}'`;
    const command = `sudo chown -R "$USER" ${quoted} && chmod -R go-w ${quoted}`;
    checks.push(
      check(
        'files',
        'warn',
        { id: 'config-dir-not-own', dir: deps.configDir, entries: notOwn, command },
        `Files in ${deps.configDir} that are not yours alone: ${notOwn.map(notOwnWords).join(', ')}. MFA Tray cannot always update them, and ignores its records among them (the record of failed refreshes, say: the wait after an outage is then off).`,
        command,
      ),
    );
  }
  for (const [path, doc] of [
    [deps.credentialsPath, credentials],
    [deps.configPath, config],
  ] as const) {
    if (!doc) continue;
    for (const [name, count] of sectionsTwice(doc)) {
      checks.push(
        check(
          'files',
          'fail',
          { id: 'section-twice', section: name, count, path },
          sectionTwiceWords(name, count, path),
          `merge the [${name}] sections into one`,
        ),
      );
    }
  }
  for (const profile of profiles) {
    const section = credentials?.sections.find((s) => s.name === profile.targetSection);
    if (section) {
      const keyId = section.entries.find((e) => e.key === 'aws_access_key_id')?.value ?? '';
      const token = section.entries.some((e) => e.key === 'aws_session_token' && e.value !== '');
      if (keyId.startsWith('AKIA')) {
        const command = `mfa-tray import ${profile.name} --from ${profile.targetSection} --remove-plaintext --force`;
        checks.push(
          check(
            'files',
            'fail',
            { id: 'long-lived-in-target', section: profile.targetSection, path: deps.credentialsPath, withToken: token, profile: profile.name, command },
            `[${profile.targetSection}] in ${deps.credentialsPath} holds a long-lived key${token ? ' next to a session token' : ''}, and profile ${profile.name}'s sessions go there.`,
            `${command}, or give the profile another --target`,
            profile.name,
          ),
        );
      }
    }
    const configured = config?.sections.find((s) => s.name === `profile ${profile.name}` || (profile.name === 'default' && s.name === 'default'));
    const serial = configured?.entries.find((e) => e.key === 'mfa_serial')?.value;
    if (serial && serial !== profile.mfaSerial) {
      checks.push(
        check(
          'files',
          'warn',
          { id: 'config-serial-differs', profile: profile.name, path: deps.configPath, serial, ours: profile.mfaSerial },
          `[profile ${profile.name}] in ${deps.configPath} says mfa_serial = ${serial}; MFA Tray's profile uses ${profile.mfaSerial}.`,
          `make them the same (mfa-tray edit ${profile.name} --mfa-serial …, or edit the config file)`,
          profile.name,
        ),
      );
    }
  }
  // A config profile of the name the AWS tools are given (the target section) that gets its
  // credentials another way, which botocore tries before the credentials file: the session there is never used.
  for (const profile of profiles) {
    const target = profile.targetSection;
    const configured = config?.sections.find((s) => s.name !== undefined && (profileName(s.name) === target || (target === 'default' && s.name === 'default')));
    const overriding = configured && credentialsElsewhere(configured.entries);
    if (configured && overriding) {
      checks.push(
        check(
          'files',
          'fail',
          {
            id: 'credentials-elsewhere',
            section: configured.name ?? '',
            path: deps.configPath,
            key: overriding.key,
            target,
            credentialsPath: deps.credentialsPath,
            profile: profile.name,
          },
          `[${configured.name ?? ''}] in ${deps.configPath} sets ${overriding.key}: the AWS CLI then gets --profile ${target}'s credentials that way, and never uses the session MFA Tray writes into [${target}] of ${deps.credentialsPath}.`,
          `remove ${overriding.key} (and what goes with it) from [${configured.name ?? ''}], or give profile ${profile.name} another target section (mfa-tray edit ${profile.name} --target …)`,
          profile.name,
        ),
      );
    }
  }
  // The profiles `credential-process` serves: MFA Tray's, and the role profiles assumed from them
  // (undefined when that cannot be known: the settings or the config file unreadable).
  const roles = profilesKnown ? await deps.roleProfiles().catch(() => undefined) : undefined;
  const served = roles && new Set([...profiles.map((p) => p.name), ...roles.map((role) => role.name)]);
  for (const section of config?.sections ?? []) {
    const line = section.entries.find((e) => e.key === 'credential_process')?.value;
    if (!line || !/mfa-tray/.test(line)) continue;
    const program = commandWords(line)[0] ?? '';
    const found = await findProgram(program, deps.env.PATH ?? '');
    const sectionName = section.name ?? '';
    const profile = credentialProcessProfile(line);
    if (!found) {
      const onPath = !program.includes('/') && !isAbsolute(program);
      checks.push(
        check(
          'credential_process',
          'fail',
          { id: 'credential-process-missing', section: sectionName, path: deps.configPath, program, onPath },
          `[${sectionName}] in ${deps.configPath} runs "${program}", which ${onPath ? 'is not on PATH' : 'does not exist or cannot be run'}: every AWS command with that profile fails.`,
          'put mfa-tray on PATH (see the README), or write its full path in credential_process',
        ),
      );
    } else if (profile === null) {
      checks.push(
        check(
          'credential_process',
          'fail',
          { id: 'credential-process-unnamed', section: sectionName, path: deps.configPath },
          `[${sectionName}] in ${deps.configPath} runs mfa-tray credential-process without a profile: the AWS CLI does not pass its profile to the command, so it fails unless AWS_PROFILE names one of MFA Tray's.`,
          `name the profile in that line (mfa-tray credential-process <profile>)`,
        ),
      );
    } else if (profile !== undefined && served !== undefined && !served.has(profile)) {
      checks.push(
        check(
          'credential_process',
          'fail',
          { id: 'credential-process-no-profile', section: sectionName, path: deps.configPath, profile },
          `[${sectionName}] in ${deps.configPath} runs mfa-tray credential-process ${profile}, but MFA Tray has no profile ${profile}: every AWS command with that profile fails.`,
          `add it (mfa-tray add ${profile} …), or name a profile MFA Tray has (mfa-tray list) in that line`,
        ),
      );
    } else {
      checks.push(
        check('credential_process', 'pass', { id: 'credential-process-ok', section: sectionName, program: found }, `[${sectionName}] runs ${found}.`),
      );
    }
  }
  if (checks.length === 0) {
    const said = (path: string, read: IniDocument | 'missing' | undefined): string =>
      `${path} ${read === 'missing' ? 'does not exist (yet)' : 'reads cleanly'}`;
    const words: DiagnosisWords = {
      id: 'files-ok',
      credentialsPath: deps.credentialsPath,
      credentialsMissing: credentialsRead === 'missing',
      configPath: deps.configPath,
      configMissing: configRead === 'missing',
    };
    checks.push(check('files', 'pass', words, `${said(deps.credentialsPath, credentialsRead)}; ${said(deps.configPath, configRead)}.`));
  }
  return { checks, credentials: credentialsRead, ...(unwritable ? { unwritable } : {}) };
}

/**
 * MFA Tray's own folder and the files and folders it keeps there ({@link CONFIG_FILE_NAMES}; the
 * code cache's files too, not the locks', which come and go) that are not this user's alone, each
 * with why ({@link notOwnBecause}: running a command with sudo leaves root's files). MFA Tray writes
 * in all of them, so a folder is held to the files' rule too; and the folders above it as
 * `readOwnFile` holds them ({@link isOwnFolder}). Nothing on Windows, which has no owner bits to
 * check, when the folder is not there yet, or for root looking at another user's folder (whose
 * entries are that user's to own).
 */
async function notOwnConfigEntries(dir: string): Promise<NotOwnEntry[]> {
  const uid = process.getuid?.();
  const folder = uid === undefined ? undefined : await stat(dir).catch(() => undefined);
  if (uid === undefined || !folder || (uid === 0 && folder.uid !== 0)) return [];
  const entries: NotOwnEntry[] = [];
  const note = (name: string | null, info: Stats): void => {
    const why = notOwnBecause(info, uid);
    if (why === 'another-users') entries.push({ kind: why, name, uid: info.uid });
    else if (why === 'writable-by-others') entries.push({ kind: why, name });
  };
  note(null, folder);
  if (entries.length === 0 && !isOwnFolder(dir)) entries.push({ kind: 'folder-above' });
  for (const name of Object.values(CONFIG_FILE_NAMES).sort()) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (!info) continue;
    note(name, info);
    if (name !== CONFIG_FILE_NAMES.codeCache || !info.isDirectory()) continue;
    for (const cached of (await readdir(join(dir, name)).catch(() => [] as string[])).sort()) {
      const file = await stat(join(dir, name, cached)).catch(() => undefined);
      if (file) note(join(name, cached), file);
    }
  }
  return entries;
}

/** An entry {@link notOwnConfigEntries} found, in words: "settings.json (root's)". */
function notOwnWords(entry: NotOwnEntry): string {
  if (entry.kind === 'folder-above') return 'a folder above it (others could change what is in it)';
  const name = entry.name ?? 'the folder itself';
  if (entry.kind === 'another-users') return `${name} (${entry.uid === 0 ? 'root' : `user ${entry.uid}`}'s)`;
  return `${name} (writable by group or others)`;
}

/** A program as a shell would find it: a path as given, else the first executable of that name on PATH. */
async function findProgram(program: string, path: string): Promise<string | undefined> {
  const executable = (file: string) =>
    access(file, constants.X_OK).then(
      () => file,
      () => undefined,
    );
  if (program.includes('/') || isAbsolute(program)) return executable(program);
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const found = await executable(join(dir, program));
    if (found) return found;
  }
  return undefined;
}

/** `unwritable`: a refresh would stop before its code (the files check says why), so it is not the fix offered. */
function sessionCheck(profile: string, state: SessionState, now: number, unwritable: boolean): Check {
  const expiresAt = 'expiresAt' in state ? state.expiresAt : undefined;
  const time = formatDuration(expiresAt === undefined ? 0 : expiresAt - now);
  const command = unwritable ? null : refreshCommand(profile);
  const refresh = command ?? SEE_FILES_CHECK;
  const leftMs = expiresAt === undefined ? 0 : Math.max(0, expiresAt - now);
  const fixed = { refresh: command };
  switch (state.kind) {
    case 'valid':
      return check('session', 'pass', { id: 'session-valid', leftMs }, `A session with ${time} left.`, undefined, profile);
    case 'expiring':
      return check('session', 'warn', { id: 'session-ending', leftMs, ...fixed }, `The session ends in ${time}.`, refresh, profile);
    case 'failed':
      return check(
        'session',
        'fail',
        { id: 'session-failed', error: { code: state.code, message: state.reason }, ...fixed },
        `The last refresh failed: ${state.reason}`,
        refresh,
        profile,
      );
    case 'refreshing':
      return check('session', 'pass', { id: 'session-refreshing' }, 'A refresh is under way.', undefined, profile);
    default:
      return state.kind === 'expired'
        ? check('session', 'warn', { id: 'session-expired', ...fixed }, 'The session has expired.', refresh, profile)
        : check('session', 'warn', { id: 'session-none', ...fixed }, 'No session yet.', refresh, profile);
  }
}
