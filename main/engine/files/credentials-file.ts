/**
 * The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`): where the
 * temporary session goes so that every AWS CLI and SDK finds it.
 *
 * The contract (docs: DESIGN.md, "The credentials file"): change only the target section's
 * credential keys, every other byte stays; write what botocore and the JS SDK both read the same way;
 * never overwrite a long-lived key unless asked to; write atomically under a lock and re-apply when
 * another program changed the file meanwhile ({@link updateFileAtomic}).
 *
 * The editing rules are pure functions ({@link withSession}, {@link withoutSession}, ...) so that
 * they can be re-applied to whatever another program wrote, and tested over generated files.
 * {@link CredentialsFile} puts them on disk.
 */
import { channel } from 'node:diagnostics_channel';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import { invalidInput, MfaTrayError } from '../../common/errors';
import type { LongLivedKey, SessionCredentials } from '../../common/model';
import { danglingLink, FileUpdates, notWritableWords, problemSentence, resolveTarget, whyNotWritable, type AtomicUpdateOptions } from './atomic-file';
import { isMountPoint } from './mount-point';
import { fileError, isNotFound } from './file-errors';
import { fsCalls } from './fs-calls';
import { readRegularFile } from './regular-file';
import { AWS_MFA_EXPIRY_KEY, AWS_MFA_EXPIRY_VALUE, credentialKind, LEGACY_TOKEN_KEY, sessionOfValues } from './session-section';
import { isValidSectionName, SECTION_NAME_RULE } from '../../common/aws-names';
import { credentialsFilePath, type Env } from './aws-config';
import {
  assertWritable as assertEntriesWritable,
  DuplicateSectionError,
  findSections,
  parseIni,
  parseIniFor,
  removeKeys,
  sectionValues,
  setKeys,
  setKeysChange,
  type IniDocument,
  type SectionScope,
  type TextChange,
} from './ini-edit';

/** The keys a session consists of, in the order new lines are written. */
export const SESSION_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'x_security_token_expires'] as const;

/** What a section holds, credential-wise. */
export type SectionKind =
  /** The section is not in the file. */
  | 'absent'
  /** An access key (or secret) without a session token: a long-lived IAM user key. */
  | 'long-lived'
  /** Temporary credentials: an access key with a session token. */
  | 'session'
  /** No credentials (maybe other settings). */
  | 'none';

/** Options for {@link CredentialsFile.writeSession} and {@link withSession}. */
export interface WriteSessionOptions {
  /** Overwrite a section that holds a long-lived key. Only when the user asked for exactly that. */
  readonly overwriteLongLived?: boolean;
  /**
   * Write only when this says yes, given the section's current session (undefined: none): asked
   * with the text read under the file's lock, so that what another process wrote meanwhile is seen
   * (a kept session written late goes in only over what the section held when it was kept: see
   * SessionService.writeKept). No: the file is left as it is.
   */
  readonly onlyIf?: (inFile: SessionCredentials | undefined) => boolean;
}

/** What {@link CredentialsFile.forgetSession} did. */
export type ForgetResult =
  /** The section held nothing but the session: it is gone, header and all. */
  | 'section-removed'
  /** The session keys are gone; the section stays for its other settings or comments. */
  | 'keys-removed'
  /** Nothing to forget: no such section, no session in it, or a long-lived key (never touched). */
  | 'unchanged'
  /** A session is there, but not one of the key IDs given as ours: another tool's, left as it is. */
  | 'not-ours';

/**
 * The expiry as written to `x_security_token_expires`: RFC 3339 UTC to the second
 * (`2026-11-28T05:12:00Z`), as saml2aws and gimme-aws-creds write it. Fractions of a second are
 * dropped (rounding down: never claim a session lives longer than it does).
 */
export function formatExpiry(expiresAt: number): string {
  const date = new Date(Math.floor(expiresAt / 1000) * 1000);
  const year = date.getUTCFullYear();
  // toISOString writes other years (and refuses an invalid date) its own way.
  if (!(year >= 0 && year <= 9999)) return date.toISOString().replace(/\.000Z$/, 'Z');
  // Put together from Date's UTC fields rather than by toISOString: a process's first toISOString
  // costs ~1 ms (measured on Node 20), ~5% of a cold write of a large file (bench row 3).
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())}T${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}Z`;
}

/** Whether a section name may be written, with an `invalid-input` error naming `field` if not. */
export function assertSectionName(name: string, field = 'targetSection'): void {
  if (typeof name !== 'string' || !isValidSectionName(name)) throw invalidInput(field, `the section name must ${SECTION_NAME_RULE}`);
}

/**
 * What a section of the file holds. Credentials count where botocore reads them (top-level keys;
 * an empty value is no value).
 *
 * @throws DuplicateSectionError when the section appears more than once.
 */
export function sectionKind(doc: IniDocument, section: string): SectionKind {
  const found = findSections(doc, section);
  if (found.length > 1)
    throw new DuplicateSectionError(
      section,
      found.map((s) => s.header + 1),
    );
  const values = sectionValues(doc, section);
  return values === undefined ? 'absent' : credentialKind(values);
}

/** The last text and section {@link parsedOnce} parsed, and its document. */
let lastParsed: { readonly text: string; readonly section: string; readonly scope: SectionScope } | undefined;

/**
 * The file's text parsed for `section` (parseIniFor), or what the same text and section gave just
 * before: a refresh checks the file (`assertWritable`, before a code is spent) and then writes it,
 * and the file rarely changes in between. Mostly that parse reads the one section; for a section
 * not in the file yet it is the whole file's, which in a file of a thousand profiles is most of an
 * edit's cost. Documents are never changed by the edits, so sharing one is safe; the text is
 * compared in full.
 */
function parsedOnce(text: string, section: string): SectionScope {
  if (lastParsed?.text !== text || lastParsed.section !== section) lastParsed = { text, section, scope: parseIniFor(text, section) };
  return lastParsed.scope;
}

/**
 * The time each session write took, as `{ ms }`, for the benchmark (bench/run.mjs, row 3r: the
 * write as a refresh makes it, timed inside the command). Nothing is published while no one subscribes.
 */
const WRITE_TIMES = channel('mfa-tray:credentials-write');

/**
 * The file's text with `session` in `section`, every other byte unchanged (see {@link setKeys}).
 *
 * @throws MfaTrayError `invalid-input` (bad section name or session value: nothing is written),
 *   `long-lived-section` (the section holds a long-lived key and `overwriteLongLived` is not set),
 *   or DuplicateSectionError.
 */
export function withSession(text: string, section: string, session: SessionCredentials, options: WriteSessionOptions = {}): string {
  const change = sessionChange(text, section, session, options);
  return change === undefined ? text : text.slice(0, change.start) + change.text + text.slice(change.end);
}

/** {@link withSession} as the change it makes to the text (undefined: none, `onlyIf` said no). */
function sessionChange(text: string, section: string, session: SessionCredentials, options: WriteSessionOptions): TextChange | undefined {
  assertSectionName(section);
  const entries = sessionEntries(session);
  const scope = parsedOnce(text, section);
  const { hasLegacyToken, hasAwsMfaExpiry } = sessionTarget(scope.doc, section, options);
  if (options.onlyIf) {
    const values = sectionValues(scope.doc, section);
    if (!options.onlyIf(values && sessionOfValues(values))) return undefined;
  }
  return setKeysChange(scope, section, [
    ...entries,
    ...(hasLegacyToken ? [[LEGACY_TOKEN_KEY, session.sessionToken] as const] : []),
    ...(hasAwsMfaExpiry ? [[AWS_MFA_EXPIRY_KEY, formatExpiry(session.expiresAt).replace('T', ' ').replace(/Z$/, '')] as const] : []),
  ]);
}

/**
 * Whether a session may be written into `section` of this file (what {@link withSession} refuses),
 * without making the edit: for {@link CredentialsFile.assertWritable}.
 */
export function checkSessionTarget(text: string, section: string, options: WriteSessionOptions = {}): void {
  assertSectionName(section);
  sessionTarget(parsedOnce(text, section).doc, section, options);
}

/** The section a session goes into: refused when it holds a long-lived key (unless allowed) or appears twice. */
function sessionTarget(
  doc: IniDocument,
  section: string,
  options: WriteSessionOptions,
): { readonly hasLegacyToken: boolean; readonly hasAwsMfaExpiry: boolean } {
  const kind = sectionKind(doc, section);
  if (kind === 'long-lived' && !options.overwriteLongLived) {
    throw new MfaTrayError(
      'long-lived-section',
      `The section [${section}] of the credentials file holds a long-lived access key, which MFA Tray does not overwrite. Choose another target section for this profile, or import that key into the keychain first (mfa-tray import <profile> --from ${section} --remove-plaintext). Nothing was changed.`,
      { field: 'targetSection' },
    );
  }
  const entries = kind === 'absent' ? [] : (findSections(doc, section)[0]?.entries ?? []);
  return { hasLegacyToken: entries.some((e) => e.key === LEGACY_TOKEN_KEY), hasAwsMfaExpiry: hasAwsMfaExpiry(entries) };
}

/** Whether a section's lines hold aws-mfa's `expiration` (by its format: another value is someone else's). */
function hasAwsMfaExpiry(entries: readonly { readonly key: string; readonly value: string }[]): boolean {
  return entries.some((e) => e.key === AWS_MFA_EXPIRY_KEY && AWS_MFA_EXPIRY_VALUE.test(e.value.trim()));
}

/**
 * The file's text without the session in `section`: the session keys removed, and the section
 * itself (with the blank line before it) when nothing else is left in it. Sections without a
 * session, and long-lived keys, are left alone.
 *
 * Removing a section that {@link withSession} appended gives back the original text exactly.
 * With `ours`, only a session whose access key ID is one of them is removed: another tool's (`aws
 * configure set`, aws-mfa, a script) is left as it is ('not-ours').
 *
 * @throws MfaTrayError `invalid-input` for a bad section name, or DuplicateSectionError.
 */
export function withoutSession(text: string, section: string, ours?: ReadonlySet<string>): { readonly text: string; readonly result: ForgetResult } {
  assertSectionName(section);
  const doc = parseIni(text);
  if (sectionKind(doc, section) !== 'session') return { text, result: 'unchanged' };
  if (ours && !ours.has(sectionValues(doc, section)?.get('aws_access_key_id') ?? '')) return { text, result: 'not-ours' };
  const keys = [...SESSION_KEYS, LEGACY_TOKEN_KEY, ...(hasAwsMfaExpiry(findSections(doc, section)[0]?.entries ?? []) ? [AWS_MFA_EXPIRY_KEY] : [])];
  const next = removeKeys(doc, section, keys, { dropEmptySection: true });
  const gone = findSections(parseIni(next), section).length === 0;
  return { text: next, result: next === text ? 'unchanged' : gone ? 'section-removed' : 'keys-removed' };
}

/**
 * The file's text without the long-lived key in `section` (its `aws_access_key_id` and
 * `aws_secret_access_key` lines; the section and everything else in it stay).
 *
 * @param expectedAccessKeyId when given, remove only if the section still holds this key id.
 * @throws MfaTrayError `credentials-file` when the section holds another key than expected, or
 *   DuplicateSectionError.
 */
export function withoutLongLivedKey(text: string, section: string, expectedAccessKeyId?: string): string {
  assertSectionName(section, 'section');
  const doc = parseIni(text);
  if (sectionKind(doc, section) !== 'long-lived') return text;
  if (expectedAccessKeyId !== undefined && sectionValues(doc, section)?.get('aws_access_key_id') !== expectedAccessKeyId) {
    throw new MfaTrayError(
      'credentials-file',
      `The section [${section}] of the credentials file no longer holds the access key that was imported (it changed meanwhile), so its key was not removed. Check the file, then remove the key by hand or import again.`,
    );
  }
  return removeKeys(doc, section, ['aws_access_key_id', 'aws_secret_access_key']);
}

/**
 * The file's text with a long-lived key in `section` (for `remove --restore-plaintext`): the
 * section is created at the end when missing; one that already holds this very key is left as it
 * is; one that holds another key or a session is refused, naming it. Nothing else changes.
 */
export function withLongLivedKey(text: string, section: string, key: LongLivedKey): string {
  assertSectionName(section, 'section');
  const scope = parseIniFor(text, section);
  const kind = sectionKind(scope.doc, section);
  const values = sectionValues(scope.doc, section);
  if (kind === 'long-lived' && values?.get('aws_access_key_id') === key.accessKeyId && values.get('aws_secret_access_key') === key.secretAccessKey) return text;
  if (kind === 'long-lived' || kind === 'session') {
    throw new MfaTrayError(
      'long-lived-section',
      `The section [${section}] of the credentials file already holds ${kind === 'session' ? 'a session' : 'another access key'}, which MFA Tray does not overwrite; choose another section with --to. Nothing was changed.`,
      { field: 'section' },
    );
  }
  return setKeys(scope, section, [
    ['aws_access_key_id', key.accessKeyId],
    ['aws_secret_access_key', key.secretAccessKey],
  ]);
}

/**
 * Names of the sections holding a long-lived key, in file order, each once: what `import` can
 * offer. Sections whose names MFA Tray cannot use (spaces, brackets...) are left out.
 */
export function longLivedSections(text: string): string[] {
  const doc = parseIni(text);
  const names = new Set<string>();
  for (const section of doc.sections) {
    const name = section.name;
    if (name === undefined || section.header < 0 || names.has(name) || !isValidSectionName(name)) continue;
    const values = sectionValues(doc, name);
    if (values && credentialKind(values) === 'long-lived') names.add(name);
  }
  return [...names];
}

/**
 * Checks a session before anything is written: values on one line of printable ASCII without
 * spaces (what STS hands out; anything else could break the file or read back differently), and an
 * expiry that is a real time. Errors name the field, never the value.
 */
function sessionEntries(session: SessionCredentials): Array<readonly [string, string]> {
  const values: Array<[keyof SessionCredentials, string, string | undefined]> = [
    ['accessKeyId', 'aws_access_key_id', session?.accessKeyId],
    ['secretAccessKey', 'aws_secret_access_key', session?.secretAccessKey],
    ['sessionToken', 'aws_session_token', session?.sessionToken],
  ];
  const entries: Array<readonly [string, string]> = [];
  for (const [field, key, value] of values) {
    if (typeof value !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(value)) {
      throw invalidInput(`session.${field}`, 'must be 1 to 8192 printable ASCII characters without spaces or line breaks');
    }
    entries.push([key, value]);
  }
  const expiresAt = session?.expiresAt;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt < 0 || expiresAt > 253402300799000) {
    throw invalidInput('session.expiresAt', 'must be a time between 1970 and 9999 (milliseconds since the epoch)');
  }
  entries.push(['x_security_token_expires', formatExpiry(expiresAt)]);
  return entries;
}

/** Options for {@link CredentialsFile}. */
export interface CredentialsFileOptions {
  /** Where to find `AWS_SHARED_CREDENTIALS_FILE` and the home folder, at each call. Default `process.env`. */
  readonly env?: Env;
  /** A fixed path instead of the one the environment names. */
  readonly path?: string;
  /** Passed to `updateFileAtomic`: the lock timeout, and the test hooks. */
  readonly atomic?: Pick<AtomicUpdateOptions, 'lockTimeoutMs' | 'beforeRename' | 'afterLastLook'>;
}

/**
 * The shared credentials file on disk.
 *
 * Every write goes through `updateFileAtomic` (lock, temp file, fsync, re-read and re-apply,
 * rename; mode, owner and symlinks kept; read-only files refused). The file is handled as bytes
 * (`latin1`), so whatever encoding the user's comments are in, they come back byte for byte.
 */
export class CredentialsFile {
  readonly #env: Env | undefined;
  readonly #path: string | undefined;
  /** Writes of this file, made together when several come at once (refresh --all). */
  readonly #updates: FileUpdates;

  constructor(options: CredentialsFileOptions = {}) {
    this.#env = options.env;
    this.#path = options.path;
    this.#updates = new FileUpdates({ ...options.atomic, errorCode: 'credentials-file', description: 'credentials file' });
  }

  /** The file's absolute path, resolved now from the environment (it may change between calls). */
  get path(): string {
    return this.#path ?? credentialsFilePath(this.#env ?? process.env);
  }

  /**
   * Writes a session into `section`: its credential keys only, everything else in the file as it
   * was. Creates the section, the file (0600) and its folder (0700) when missing.
   *
   * @returns whether the file changed (not when it held this session already, or `onlyIf` said no).
   * @throws MfaTrayError `invalid-input`, `long-lived-section`, `credentials-file` (including a
   *   section that appears twice), `lock-timeout`. In every case the file is as it was.
   */
  async writeSession(section: string, session: SessionCredentials, options: WriteSessionOptions = {}): Promise<boolean> {
    // Validate before touching the disk: bad input changes nothing, not even a folder. (Not by an
    // edit of an empty text: that would take the place of the file's last parse, see parsedOnce.)
    assertSectionName(section);
    assertEntriesWritable(section, sessionEntries(session));
    const began = performance.now();
    try {
      return await this.#update((text) => sessionChange(text, section, session, options) ?? text);
    } finally {
      if (WRITE_TIMES.hasSubscribers) WRITE_TIMES.publish({ ms: performance.now() - began });
    }
  }

  /**
   * Checks that `section` may take MFA Tray's sessions: not a section holding a long-lived key, nor
   * one that appears twice (a missing file or section may). For a new target section, before the
   * profile names it.
   */
  async assertSessionTarget(section: string): Promise<void> {
    const text = await this.#read();
    if (text === undefined) return;
    try {
      checkSessionTarget(text, section);
    } catch (error) {
      throw this.#mapError(error, this.path);
    }
  }

  /**
   * Checks, without writing, that a session could be written into `section` now: the section is
   * not refused (long-lived key, duplicated) and the file is not read-only. Called before a code is
   * sent to STS, so that a refresh that could not be saved does not spend the code.
   */
  async assertWritable(section: string): Promise<void> {
    const text = await this.#read();
    try {
      refuseLoneCr(text ?? '', this.path);
      checkSessionTarget(text ?? '', section);
    } catch (error) {
      // The same words as every other edit of this file: a duplicated section is the user's to fix.
      throw this.#mapError(error, this.path);
    }
    const why = await this.unwritable(text !== undefined);
    if (why) {
      throw new MfaTrayError(
        'credentials-file',
        problemSentence(why, `${text === undefined ? 'nothing was changed' : 'it was left unchanged'} and no code was sent`),
      );
    }
  }

  /**
   * Why a session could not be written into the file now, and what to do (lower case), or undefined
   * when it could: the file (or its folder) is a link to nothing ({@link danglingLink}), the file is
   * read-only or a mount point of its own (a file mounted alone into a container), or the nearest folder that exists does not let this user write (the write puts a
   * lock and a temp file beside the file, and makes its folder when missing; seen: a root-owned
   * ~/.aws took the code, then refused the lock). `exists`: whether the file does.
   */
  async unwritable(exists: boolean): Promise<{ readonly reason: string; readonly fix: string } | undefined> {
    const io = fsCalls();
    const dangling = await danglingLink(this.path, 'credentials file');
    if (dangling !== undefined) return dangling;
    const target = await resolveTarget(this.path).catch(() => this.path);
    if (exists) {
      const info = await io.stat(target).catch(() => undefined);
      const why = info && ((await whyNotWritable(target, info)) ?? ((await isMountPoint(target)) ? 'mount-point' : undefined));
      if (why) {
        const { reason, fix } = notWritableWords(why, target);
        return { reason: `The credentials file ${this.path} ${reason}`, fix };
      }
      // A file MFA Tray does not edit (refuseLoneCr): said here too, so that doctor and status do
      // not offer a refresh that stops at it.
      const text = await readRegularFile(target).then(
        (bytes) => bytes.toString('latin1'),
        () => undefined,
      );
      const loneCr = text === undefined ? undefined : loneCrLine(text);
      if (loneCr !== undefined) {
        return {
          reason: `The credentials file ${this.path} has a line ending of a lone CR (line ${loneCr}; an old Mac format)`,
          fix: 'convert its line endings to LF (mac2unix, from the dos2unix package)',
        };
      }
    }
    for (let folder = dirname(target); ; folder = dirname(folder)) {
      const error = await io.access(folder, constants.W_OK | constants.X_OK).then(
        () => undefined,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      if (error === undefined) return undefined;
      if (isNotFound(error) && dirname(folder) !== folder) continue;
      if (error.code !== 'EACCES' && error.code !== 'EPERM' && error.code !== 'EROFS') return undefined; // the write itself will say what it is
      return {
        reason: `The folder ${folder} does not let you write in it${error.code === 'EROFS' ? ' (a read-only file system)' : ''}, so the credentials file ${this.path} cannot be ${exists ? 'updated' : 'made'}`,
        fix: 'make the folder writable for your user, or set AWS_SHARED_CREDENTIALS_FILE to a file elsewhere',
      };
    }
  }

  /**
   * Forgets the session in `section` (see {@link withoutSession}): with `ours`, only a session of
   * one of those access key IDs. A section holding a long-lived key is never touched.
   */
  async forgetSession(section: string, options: { readonly ours?: ReadonlySet<string> } = {}): Promise<ForgetResult> {
    assertSectionName(section);
    let result: ForgetResult = 'unchanged';
    await this.#update((text) => {
      const next = withoutSession(text, section, options.ours);
      result = next.result;
      return next.text;
    });
    return result;
  }

  /**
   * The session in `section`, or `undefined` when the file or section is missing or holds no
   * complete session (all three values and a readable `x_security_token_expires`).
   */
  async readSession(section: string): Promise<SessionCredentials | undefined> {
    assertSectionName(section, 'section');
    const text = await this.#read();
    if (text === undefined) return undefined;
    const values = this.#values(text, section);
    return values && sessionOfValues(values);
  }

  /** The access key ID of the session in `section` (complete or not), or undefined when it holds none. */
  async sessionKeyId(section: string): Promise<string | undefined> {
    assertSectionName(section, 'section');
    const text = await this.#read();
    const values = text === undefined ? undefined : this.#values(text, section);
    return values && credentialKind(values) === 'session' ? values.get('aws_access_key_id') : undefined;
  }

  /**
   * The long-lived key in `section`, for `import`.
   *
   * @throws MfaTrayError `not-found` when the file or section is missing, holds no key, only half
   *   of one, or a temporary session instead; `credentials-file` when unreadable or duplicated.
   */
  async readLongLivedKey(section: string): Promise<LongLivedKey> {
    assertSectionName(section, 'section');
    const text = await this.#read();
    if (text === undefined)
      throw new MfaTrayError('not-found', `The credentials file ${this.path} does not exist, so there is no key in [${section}] to import.`, {
        field: 'section',
      });
    const values = this.#values(text, section);
    const notFound = (why: string): MfaTrayError =>
      new MfaTrayError('not-found', `The section [${section}] of the credentials file ${this.path} ${why}.`, { field: 'section' });
    if (!values) throw notFound('does not exist');
    const kind = credentialKind(values);
    if (kind === 'session') throw notFound('holds temporary session credentials, not a long-lived access key');
    const accessKeyId = values.get('aws_access_key_id');
    const secretAccessKey = values.get('aws_secret_access_key');
    if (!accessKeyId && !secretAccessKey) throw notFound('holds no access key');
    if (!accessKeyId) throw notFound('has aws_secret_access_key but no aws_access_key_id');
    if (!secretAccessKey) throw notFound('has aws_access_key_id but no aws_secret_access_key');
    return { accessKeyId, secretAccessKey };
  }

  /**
   * The first of `keys` that `section` sets, with its value (for `import`: aws-mfa keeps the MFA
   * device as `aws_mfa_device` beside the key). Undefined without a file, section or such key.
   */
  async readSetting(section: string, keys: readonly string[]): Promise<{ readonly key: string; readonly value: string } | undefined> {
    assertSectionName(section, 'section');
    const text = await this.#read();
    const values = text === undefined ? undefined : this.#values(text, section);
    for (const key of keys) {
      const value = values?.get(key);
      if (value) return { key, value };
    }
    return undefined;
  }

  /**
   * The whole file parsed (for checks over many sections at once), or 'missing'.
   *
   * @throws MfaTrayError `credentials-file` when it cannot be read.
   */
  async document(): Promise<IniDocument | 'missing'> {
    const text = await this.#read();
    return text === undefined ? 'missing' : parseIni(text);
  }

  /** Whether `section` holds a long-lived key (an access key without a session token). */
  async holdsLongLivedKey(section: string): Promise<boolean> {
    const text = await this.#read();
    return text !== undefined && longLivedSections(text).includes(section);
  }

  /** Writes a long-lived key back into `section` ({@link withLongLivedKey}), atomically and locked. */
  async writeLongLivedKey(section: string, key: LongLivedKey): Promise<void> {
    withLongLivedKey('', section, key);
    await this.#update((text) => withLongLivedKey(text, section, key));
  }

  /** The sections holding this access key id as a long-lived key: other copies of a stored key. */
  async sectionsWithKey(accessKeyId: string): Promise<string[]> {
    const text = await this.#read();
    if (text === undefined) return [];
    const doc = parseIni(text);
    return longLivedSections(text).filter((name) => sectionValues(doc, name)?.get('aws_access_key_id') === accessKeyId);
  }

  /** Names of the sections holding a long-lived key ({@link longLivedSections}); `[]` without a file. */
  async listLongLivedSections(): Promise<string[]> {
    const text = await this.#read();
    return text === undefined ? [] : longLivedSections(text);
  }

  /**
   * Removes the long-lived key lines of `section` (after `import --remove-plaintext`); the section
   * and everything else stay.
   *
   * @param expectedAccessKeyId remove only if the section still holds this key (the one imported).
   * @returns whether a key was removed (`false`: no file, no section, or no long-lived key in it).
   */
  async removeLongLivedKey(section: string, expectedAccessKeyId?: string): Promise<boolean> {
    assertSectionName(section, 'section');
    return this.#update((text) => withoutLongLivedKey(text, section, expectedAccessKeyId));
  }

  /**
   * Applies a pure edit of the file's text under `updateFileAtomic`, with other edits asked for
   * meanwhile (FileUpdates): `edit` gives the new text, or the change it makes to the text (`text`
   * itself: none).
   */
  async #update(edit: (text: string) => string | TextChange): Promise<boolean> {
    const path = this.path;
    try {
      return await this.#updates.update(path, (current) => {
        const text = current?.toString('latin1') ?? '';
        refuseLoneCr(text, path);
        const next = edit(text);
        if (typeof next === 'string') return next === text ? undefined : Buffer.from(next, 'latin1');
        if (next.text === text.slice(next.start, next.end)) return undefined;
        // Read as latin1, the text is the file's bytes one for one: the bytes around the change are
        // copied as they were, not encoded again from a text joined of three pieces (in a file of a
        // thousand profiles ~1 ms of a fresh process's write: the join made flat, then encoded).
        const bytes = current ?? Buffer.alloc(0);
        return Buffer.concat([bytes.subarray(0, next.start), Buffer.from(next.text, 'latin1'), bytes.subarray(next.end)]);
      });
    } catch (error) {
      throw this.#mapError(error, path);
    }
  }

  async #read(): Promise<string | undefined> {
    const path = this.path;
    try {
      return (await readRegularFile(path)).toString('latin1');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw fileError('credentials-file', `Cannot read the credentials file ${path}`, error);
    }
  }

  #values(text: string, section: string): Map<string, string> | undefined {
    const doc = parseIni(text);
    try {
      sectionKind(doc, section);
    } catch (error) {
      throw this.#mapError(error, this.path);
    }
    return sectionValues(doc, section);
  }

  /**
   * A section that appears twice is refused rather than guessed at: botocore (the AWS CLI) rejects
   * the whole file, the JS SDK merges the copies key by key, so no single edit is right for both,
   * and a merged read could import or overwrite the wrong key. The user fixes it once, by hand.
   */
  #mapError(error: unknown, path: string): unknown {
    if (!(error instanceof DuplicateSectionError)) return error;
    return new MfaTrayError(
      'credentials-file',
      `The credentials file ${path} has the section [${error.section}] ${error.lineNumbers.length} times (lines ${error.lineNumbers.join(', ')}). The AWS CLI refuses such a file and the SDKs merge the copies, so MFA Tray does not guess which one to use. Merge them into one section, then try again. Nothing was changed.`,
      { cause: error },
    );
  }
}

/** The number of the first line (as LF counts them) that has a lone CR in it, or undefined when none has. */
export function loneCrLine(text: string): number | undefined {
  const at = text.search(/\r(?!\n)/);
  if (at < 0) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

/**
 * Refuses to edit a file whose lines end in a lone CR (classic Mac OS): botocore (the AWS CLI)
 * takes a lone CR as a line break, the JS SDKs and this module's parser as part of a line, so a
 * section found by one is not there for the other, and an edit would add a second copy of it (the
 * AWS CLI then refuses the whole file). Reading it is left alone; only edits are refused.
 */
function refuseLoneCr(text: string, path: string): void {
  const line = loneCrLine(text);
  if (line === undefined) return;
  throw new MfaTrayError(
    'credentials-file',
    `The credentials file ${path} has a line ending of a lone CR (line ${line}; an old Mac format): the AWS CLI and the SDKs read such a file differently, so MFA Tray does not edit it. Convert its line endings to LF (mac2unix, from the dos2unix package), then try again. Nothing was changed.`,
  );
}
