/**
 * The settings file: app settings and profiles (nothing secret), shared by the tray app and the
 * command.
 *
 * ```json
 * { "version": 1, "settings": { …AppSettings }, "profiles": [ { …Profile }, … ] }
 * ```
 *
 * Rules, and why:
 * - Checked with a zod schema on every read and again before every write, with the same field
 *   rules as user input (`main/common/validation.ts`), so the file can only hold values the engine
 *   would have accepted.
 * - A file MFA Tray cannot fully understand (not JSON, not UTF-8, a value the schema refuses, a
 *   newer `version`, a field that looks like a secret) is never overwritten: reading it fails with a
 *   `settings-file` error naming the file, what is wrong and what to do, and every change is
 *   refused the same way before anything is locked or written. Rewriting it would lose whatever the
 *   user (or a newer MFA Tray) put there.
 * - Unknown fields in a version-1 file (top level, `settings`, a profile) are preserved on rewrite
 *   and never returned. That lets a later release add an optional field without bumping the
 *   version, and an older app or command running beside it keeps that field instead of wiping it.
 *   Missing optional fields get their defaults, for the same reason.
 * - Changes are read-modify-write inside `updateFileAtomic` (atomic-file.ts): locked against the other MFA Tray
 *   processes, re-applied if the file changed meanwhile, written atomically (0600, folder 0700).
 *   Each change is first tried on an unlocked read, so that bad input, a missing profile or a
 *   broken file is reported without creating the folder or a lock, and a change that changes
 *   nothing writes nothing (a missing file stays missing until there is something to keep).
 */
import * as z from 'zod/mini';
import { MfaTrayError } from '../../common/errors';
import { APP_SETTINGS_DEFAULTS, PROFILE_DEFAULTS, type AppSettings, type Profile } from '../../common/model';
import {
  InvalidInputError,
  PROFILE_FIELDS,
  SETTINGS_FIELDS,
  checkAutoRefreshBeforeMinutes,
  checkClipboardClearSeconds,
  checkDurationSeconds,
  checkLanguage,
  checkMfaSerial,
  checkNotifyBeforeMinutes,
  checkPatchedProfile,
  checkProfileName,
  checkRegion,
  checkTargetSection,
  defaultRegionFor,
  validateProfileInput,
  validateProfileName,
  validatePatchedProfile,
  validateProfilePatch,
  validateSettingsPatch,
  type Checked,
  type ProfileInput,
  type ProfilePatch,
  type SettingsPatch,
} from '../../common/validation';
import { fileError, isNotFound } from './file-errors';
import { configDir as defaultConfigDir, settingsFile } from './paths';
// Reads through fs-calls.ts (node:fs's callbacks, or its synchronous calls in a command), never
// node:fs/promises: credential-process's fast path reads only this file, and the promise API's first
// load (with the watchers and readline it brings) is ~4 ms of a process that otherwise takes ~60 ms
// over Node's own start.
import { readRegularFile } from './regular-file';

/** The settings-file version this build reads and writes. */
export const SETTINGS_FILE_VERSION = 1;

/** What the settings file holds, as the rest of the engine sees it. */
export interface SettingsData {
  readonly settings: AppSettings;
  readonly profiles: readonly Profile[];
}

/** Where a {@link SettingsStore} keeps its file: a config folder (file `settings.json`) or the file itself. */
export type SettingsLocation = { readonly configDir: string } | { readonly file: string };

/** Options for {@link SettingsStore.addProfile}. */
export interface AddProfileOptions {
  /** Replace a profile of the same name instead of refusing with `already-exists`. */
  readonly replace?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Schema

/** A value of `type` that must pass one of validation.ts's checks (which may normalise it), with its message. */
function checked<In extends z.ZodMiniType, T>(type: In, check: (value: unknown) => Checked<T>) {
  return z.pipe(
    type,
    z.transform<z.output<In>, T>((value, ctx) => {
      const result = check(value);
      if (result.ok) return result.value;
      ctx.issues.push({ code: 'custom', message: result.issue.message, input: value });
      return z.NEVER;
    }),
  );
}

const profileSchema = z
  .pipe(
    z.looseObject({
      name: checked(z.string(), checkProfileName),
      mfaSerial: checked(z.string(), checkMfaSerial),
      durationSeconds: z._default(checked(z.number(), checkDurationSeconds), PROFILE_DEFAULTS.durationSeconds),
      region: z.optional(checked(z.string(), checkRegion)),
      targetSection: z.optional(checked(z.string(), checkTargetSection)),
      autoRefresh: z._default(z.boolean(), PROFILE_DEFAULTS.autoRefresh),
    }),
    // The defaults that depend on other fields, as validateProfileInput gives them.
    z.transform(({ region, targetSection, ...rest }) => ({
      ...rest,
      region: region ?? defaultRegionFor(rest.mfaSerial),
      targetSection: targetSection ?? rest.name,
    })),
  )
  .check(
    z.superRefine((profile, ctx) => {
      const result = checkPatchedProfile(profile, {});
      if (!result.ok) for (const issue of result.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [issue.field] });
    }),
  );

const settingsSchema = z.looseObject({
  notifyBeforeMinutes: z._default(checked(z.number(), checkNotifyBeforeMinutes), APP_SETTINGS_DEFAULTS.notifyBeforeMinutes),
  autoRefreshBeforeMinutes: z._default(checked(z.number(), checkAutoRefreshBeforeMinutes), APP_SETTINGS_DEFAULTS.autoRefreshBeforeMinutes),
  clipboardClearSeconds: z._default(checked(z.number(), checkClipboardClearSeconds), APP_SETTINGS_DEFAULTS.clipboardClearSeconds),
  launchAtLogin: z._default(z.boolean(), APP_SETTINGS_DEFAULTS.launchAtLogin),
  language: z._default(checked(z.string(), checkLanguage), APP_SETTINGS_DEFAULTS.language),
});

/**
 * The settings file's schema (version 1). Unknown fields pass through (see the module comment);
 * names are unique ignoring case and target sections unique, as {@link SettingsStore} keeps them.
 */
export const settingsFileSchema = z
  .looseObject({
    version: z.literal(SETTINGS_FILE_VERSION),
    settings: z._default(settingsSchema, () => settingsSchema.parse({})),
    profiles: z._default(z.array(profileSchema), () => []),
  })
  .check(
    z.superRefine((document, ctx) => {
      document.profiles.forEach((profile, index) => {
        const other = document.profiles.findIndex((p) => p.name.toLowerCase() === profile.name.toLowerCase());
        if (other < index) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', index, 'name'],
            message: `profile name: "${profile.name}" appears twice (names are compared ignoring upper/lower case)`,
          });
        }
        const sharing = document.profiles.findIndex((p) => p.targetSection === profile.targetSection);
        if (sharing < index) {
          ctx.addIssue({
            code: 'custom',
            path: ['profiles', index, 'targetSection'],
            message: `target section: profiles "${document.profiles[sharing]?.name}" and "${profile.name}" both write [${profile.targetSection}]`,
          });
        }
      });
    }),
  );

type SettingsDocument = z.output<typeof settingsFileSchema>;
type StoredProfile = SettingsDocument['profiles'][number];

// Field names that hold secrets in AWS tools and in our own keychain entries, compared in lower
// case without separators. A settings file holding one is refused, not rewritten: the user has to
// move the secret into the keychain (and should rotate it), not have us carry it along forever.
const SECRET_KEYS = new Set([
  'secretaccesskey',
  'awssecretaccesskey',
  'secretkey',
  'sessiontoken',
  'awssessiontoken',
  'securitytoken',
  'awssecuritytoken',
  'totpsecret',
  'mfasecret',
  'otpsecret',
  'secret',
  'password',
]);

function findSecretKey(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 8) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const where = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (!Array.isArray(value) && SECRET_KEYS.has(key.toLowerCase().replace(/[^a-z]/g, ''))) return where;
    const found = findSecretKey(inner, where, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the document

function defaultDocument(): SettingsDocument {
  return { version: SETTINGS_FILE_VERSION, settings: { ...APP_SETTINGS_DEFAULTS }, profiles: [] };
}

/** A `settings-file` error: what is wrong, what to do, and that the file was not touched. */
function unusable(file: string, problem: string, advice: string, writing: boolean): MfaTrayError {
  const kept = writing ? 'The change was not saved and the file was left unchanged.' : 'The file was left unchanged.';
  return new MfaTrayError('settings-file', `The settings file ${file} ${problem}. ${advice} ${kept}`);
}

const FIX_OR_MOVE =
  'Correct it in a text editor, or move it away to start again with default settings (the keychain entries stay and are found again when the profiles are re-added).';

/** "profiles[1].durationSeconds" from a zod path. */
function describePath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/**
 * Parses the file's bytes (`undefined`: no file) into the document, or throws a `settings-file`
 * error. Never quotes the file's content: a hand-edited file might hold something private.
 */
function parseDocument(file: string, bytes: Buffer | undefined, writing: boolean): SettingsDocument {
  if (bytes === undefined) return defaultDocument();
  let text: string;
  try {
    // fatal: a file that is not UTF-8 is not ours; decoding would silently replace bytes.
    // The decoder drops a leading BOM, which editors on Windows like to add.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unusable(file, 'is not UTF-8 text', FIX_OR_MOVE, writing);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw unusable(file, `is not valid JSON (${describeJsonError(text, error)})`, FIX_OR_MOVE, writing);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw unusable(file, 'is not a JSON object with a "version"', FIX_OR_MOVE, writing);
  }
  const version = (raw as { version?: unknown }).version;
  if (typeof version === 'number' && Number.isInteger(version) && version > SETTINGS_FILE_VERSION) {
    throw unusable(
      file,
      `was written by a newer MFA Tray (version ${version}; this one reads version ${SETTINGS_FILE_VERSION})`,
      'Update MFA Tray to use it.',
      writing,
    );
  }
  const secret = findSecretKey(raw, '');
  if (secret !== undefined) {
    throw unusable(
      file,
      `holds a secret (${secret}), but MFA Tray keeps secrets only in the OS keychain`,
      'Remove that field (store keys with "mfa-tray add" or in the app) and consider rotating that secret, as it was on disk in plain text.',
      writing,
    );
  }
  const parsed = settingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue ? describePath(issue.path) : '';
    const what =
      issue?.code === 'invalid_type'
        ? valueAt(raw, issue.path) === undefined
          ? 'is missing'
          : `must be a ${issue.expected}`
        : (issue?.message ?? 'is not valid');
    const problem =
      where === 'version'
        ? `has an unknown version (${JSON.stringify(version) ?? 'missing'})`
        : `has a value MFA Tray cannot use: ${where ? `${where}: ` : ''}${what}`;
    throw unusable(file, problem, FIX_OR_MOVE, writing);
  }
  return parsed.data;
}

/** The value at `path` in parsed JSON, or undefined when something on the way is missing. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Where JSON.parse failed, as "line 3, column 7" (its own message quotes the text: not used). */
function describeJsonError(text: string, error: unknown): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return text.trim() === '' ? 'it is empty' : 'it ends too early: truncated?';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `error at line ${line}, column ${column}`;
}

/** Known fields first, in a fixed order, then the preserved unknown ones. */
function ordered(value: Readonly<Record<string, unknown>>, known: readonly string[]): Record<string, unknown> {
  const entries = [
    ...known.filter((key) => value[key] !== undefined).map((key) => [key, value[key]] as const),
    ...Object.entries(value).filter(([key]) => !known.includes(key)),
  ];
  // fromEntries defines properties (a key "__proto__" stays a plain key).
  return Object.fromEntries(entries);
}

function serialize(document: SettingsDocument): string {
  const shaped = ordered(
    {
      ...document,
      settings: ordered(document.settings, SETTINGS_FIELDS),
      profiles: document.profiles.map((profile) => ordered(profile, PROFILE_FIELDS)),
    },
    ['version', 'settings', 'profiles'],
  );
  return `${JSON.stringify(shaped, null, 2)}\n`;
}

function toProfile(stored: StoredProfile): Profile {
  const { name, mfaSerial, durationSeconds, region, targetSection, autoRefresh } = stored;
  return { name, mfaSerial, durationSeconds, region, targetSection, autoRefresh };
}

function toSettings(stored: SettingsDocument['settings']): AppSettings {
  const { notifyBeforeMinutes, autoRefreshBeforeMinutes, clipboardClearSeconds, launchAtLogin, language } = stored;
  return { notifyBeforeMinutes, autoRefreshBeforeMinutes, clipboardClearSeconds, launchAtLogin, language };
}

function toData(document: SettingsDocument): SettingsData {
  return { settings: toSettings(document.settings), profiles: document.profiles.map(toProfile) };
}

function notFound(name: string, document: SettingsDocument): MfaTrayError {
  const names = document.profiles.map((p) => p.name);
  const known = names.length === 0 ? 'there are no profiles yet' : `the profiles are ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`;
  return new MfaTrayError('not-found', `There is no profile named "${name}"; ${known}.`, { field: 'name' });
}

/** The profile `name` with `changes` applied, checked whole (the section free), and where it is stored. */
function patchedProfile(document: SettingsDocument, name: string, changes: ReturnType<typeof validateProfilePatch>) {
  const index = findProfile(document, name);
  const stored = document.profiles[index];
  if (stored === undefined) throw notFound(name, document);
  const profile = validatePatchedProfile(toProfile(stored), changes);
  assertSectionFree(document, profile.targetSection, profile.name);
  return { index, stored, profile };
}

function findProfile(document: SettingsDocument, name: string): number {
  return document.profiles.findIndex((p) => p.name === name);
}

/** What {@link SettingsStore.addProfile} refuses: a name taken (also in another case), a section another profile writes. */
function assertAddable(document: SettingsDocument, name: string, targetSection: string, replace: boolean): void {
  const lower = name.toLowerCase();
  const twin = document.profiles.find((p) => p.name !== name && p.name.toLowerCase() === lower);
  if (twin) {
    throw new MfaTrayError(
      'already-exists',
      `A profile named "${twin.name}" exists already, and profile names must differ by more than upper/lower case (the Windows credential store does not tell them apart); choose another name.`,
      { field: 'name' },
    );
  }
  if (findProfile(document, name) !== -1 && !replace) {
    throw new MfaTrayError('already-exists', `A profile named "${name}" exists already; choose another name, or replace it.`, { field: 'name' });
  }
  assertSectionFree(document, targetSection, name);
}

/** Refuses a target section already written by another profile: the two would overwrite each other's sessions. */
function assertSectionFree(document: SettingsDocument, section: string, owner: string): void {
  const other = document.profiles.find((p) => p.targetSection === section && p.name !== owner);
  if (other) {
    throw new InvalidInputError({
      field: 'targetSection',
      rule: 'in-use',
      message: `target section: [${section}] is already where profile "${other.name}" writes its session, and two profiles in one section would overwrite each other; choose another target section`,
      params: { profile: other.name, section },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The store

/**
 * The settings file, read and changed safely by several processes at once.
 *
 * Every method reads the file afresh (the other process may have changed it); nothing is cached.
 * Every change validates its input first (`invalid-input`, nothing touched), then runs as a locked
 * read-modify-write.
 */
export class SettingsStore {
  /** The settings file's path. */
  readonly file: string;

  constructor(location: SettingsLocation = { configDir: defaultConfigDir() }) {
    this.file = 'file' in location ? location.file : settingsFile(location.configDir);
  }

  /** The settings and profiles; the defaults when there is no file yet. */
  async load(): Promise<SettingsData> {
    return toData(await this.#read(false));
  }

  /** The profiles, in the order they were added. */
  async listProfiles(): Promise<readonly Profile[]> {
    return (await this.load()).profiles;
  }

  /** One profile, or a `not-found` error naming the profiles there are. */
  async getProfile(name: string): Promise<Profile> {
    const wanted = validateProfileName(name);
    const document = await this.#read(false);
    const stored = document.profiles[findProfile(document, wanted)];
    if (stored === undefined) throw notFound(wanted, document);
    return toProfile(stored);
  }

  /**
   * Adds a profile, filling defaults (see `validateProfileInput`), and returns it as stored.
   *
   * Refuses (`already-exists`) a name in use, unless `replace`, and a name that differs from one in
   * use only by case: the Windows credential store compares names ignoring case, so the two
   * profiles would share keychain entries. Refuses (`invalid-input`, field `targetSection`) a
   * target section another profile writes. Unknown fields (a secret above all) are refused.
   */
  async addProfile(input: ProfileInput, options: AddProfileOptions = {}): Promise<Profile> {
    const profile = validateProfileInput(input);
    return this.#change((document) => {
      const index = findProfile(document, profile.name);
      assertAddable(document, profile.name, profile.targetSection, options.replace === true);
      // A replaced profile starts afresh: fields a newer release kept on the old one do not carry over.
      if (index === -1) document.profiles.push({ ...profile });
      else document.profiles[index] = { ...profile };
      return profile;
    });
  }

  /**
   * Whether a profile named `name` writing to `targetSection` could be added now (what
   * {@link addProfile} refuses: the name taken, also in another case, or the section another
   * profile's), without writing: for a caller that must know before it does what cannot be undone.
   */
  async assertAddable(name: string, targetSection: string): Promise<void> {
    assertAddable(await this.#read(false), name, targetSection, false);
  }

  /**
   * Whether {@link updateProfile} would take this patch now (the profile there, each field, the
   * fields together, the target section free), without writing: for a caller that must know before
   * it changes the keychain.
   */
  async assertUpdatable(name: string, patch: ProfilePatch): Promise<void> {
    const wanted = validateProfileName(name);
    patchedProfile(await this.#read(false), wanted, validateProfilePatch(wanted, patch));
  }

  /**
   * Changes some of a profile's fields and returns the changed profile. The name cannot change
   * (the keychain entries are keyed by it). Unknown fields the file holds for it are kept.
   */
  async updateProfile(name: string, patch: ProfilePatch): Promise<Profile> {
    const wanted = validateProfileName(name);
    const changes = validateProfilePatch(wanted, patch);
    return this.#change((document) => {
      const { index, stored, profile } = patchedProfile(document, wanted, changes);
      document.profiles[index] = { ...stored, ...profile };
      return profile;
    });
  }

  /** Removes a profile and returns it (so the caller can remove its keychain entries too). */
  async removeProfile(name: string): Promise<Profile> {
    const wanted = validateProfileName(name);
    return this.#change((document) => {
      const index = findProfile(document, wanted);
      const [removed] = index === -1 ? [] : document.profiles.splice(index, 1);
      if (removed === undefined) throw notFound(wanted, document);
      return toProfile(removed);
    });
  }

  /** Changes some app settings and returns all of them. */
  async updateSettings(patch: SettingsPatch): Promise<AppSettings> {
    const changes = validateSettingsPatch(patch);
    return this.#change((document) => {
      document.settings = { ...document.settings, ...changes };
      return toSettings(document.settings);
    });
  }

  async #read(writing: boolean): Promise<SettingsDocument> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readRegularFile(this.file);
    } catch (error) {
      if (!isNotFound(error)) throw fileError('settings-file', `Cannot read the settings file ${this.file}`, error);
    }
    return parseDocument(this.file, bytes, writing);
  }

  /**
   * Applies `change` to the document: once on an unlocked read (so that failures and no-ops touch
   * nothing, not even the folder), then, if it changes anything, under the lock via
   * updateFileAtomic, which re-applies it if another process wrote in between. The updater's one
   * side effect, keeping `change`'s result, is harmless when it runs again: the last run is the one
   * whose content was written.
   */
  async #change<T>(change: (document: SettingsDocument) => T): Promise<T> {
    const preview = await this.#read(true);
    const before = serialize(preview);
    let result = change(preview);
    if (serialize(preview) === before) return result;

    // Loaded when a change is written: reading (credential-process's cached path among others) needs
    // none of the locking and writing machinery.
    const { updateFileAtomic: update } = await import('./atomic-file');
    await update(
      this.file,
      (current) => {
        const document = parseDocument(this.file, current, true);
        const unchanged = serialize(document);
        result = change(document);
        const next = serialize(this.#checkBeforeWrite(document));
        return next === unchanged ? undefined : Buffer.from(next, 'utf8');
      },
      { errorCode: 'settings-file', description: 'settings file', newFileMode: 0o600, newDirMode: 0o700 },
    );
    return result;
  }

  /** The schema once more, on what is about to be written: a bug must not reach the file. */
  #checkBeforeWrite(document: SettingsDocument): SettingsDocument {
    const parsed = settingsFileSchema.safeParse(JSON.parse(serialize(document)));
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    throw new MfaTrayError(
      'internal',
      `MFA Tray refused to write an invalid settings file ${this.file} (${issue ? `${describePath(issue.path)}: ${issue.message}` : 'invalid'}); nothing was changed. Please report this bug.`,
    );
  }
}
