/**
 * Field validation with messages a user can act on, shared by the engine, the command and the
 * renderer (pure code: no Node, no Electron), so that a form and the engine refuse the same values
 * with the same words.
 *
 * Every refusal is a {@link FieldIssue}: the field's machine name, a stable {@link ValidationRule},
 * parameters for translation, and an English message "<field label>: <what is wrong>; <what is
 * allowed>". The renderer can translate from `field` + `rule` + `params` and fall back to `message`.
 * A message never repeats a secret value (secret access key, code).
 *
 * Each field has a non-throwing `check…` (returns {@link Checked}) and, for the fields the engine
 * takes from users, a throwing `validate…` (throws {@link InvalidInputError}). Validators take
 * `unknown` because their input comes from argv, IPC and form fields, and return the normalised
 * value (trimmed, code without spaces, numbers parsed from digit strings).
 */
import { RESERVED_SECTION_NAMES, SECTION_NAME_CHARACTER, SECTION_NAME_MAX_LENGTH } from './aws-names';
import { MfaTrayError } from './errors';
import { APP_SETTINGS_DEFAULTS, PROFILE_DEFAULTS, type AppSettings, type LongLivedKey, type Profile } from './model';

/** The fields validated here: a profile's and the app settings' property names, plus credentials. */
export type ValidatedField = keyof Profile | keyof AppSettings | 'accessKeyId' | 'secretAccessKey' | 'code';

/** Why a value was refused, machine-readable and stable (the renderer translates by it). */
export type ValidationRule =
  /** Missing or empty. */
  | 'required'
  /** Not the expected kind of value (text, number, true/false). */
  | 'type'
  /** Contains a control character or line break. */
  | 'control-character'
  /** Too short or too long; `params.min`/`params.max` (and `params.actual` where harmless). */
  | 'length'
  /** Contains a character outside the allowed set; `params.character` unless the field is secret. */
  | 'characters'
  /** Wrong overall shape (an ARN, a key id, a region code). */
  | 'format'
  /** An ARN of a partition that is not supported; `params.partition`. */
  | 'partition'
  /** A security-key (FIDO, `:u2f/`) serial: produces no code STS accepts. */
  | 'security-key'
  /** An ARN of something other than an MFA device (for example a user); `params.resource`. */
  | 'not-mfa-device'
  /** An `ASIA…` (temporary) access key id where a long-lived `AKIA…` key is needed. */
  | 'temporary-key'
  /** Not a whole number. */
  | 'integer'
  /** A number outside `params.min`..`params.max`. */
  | 'range'
  /** Not one of `params.choices`. */
  | 'choice'
  /** A field that does not exist (for example a secret offered to the settings file). */
  | 'unknown-field'
  /** The region is not in the MFA serial's partition; `params.partition`. */
  | 'partition-mismatch'
  /** A field that cannot be changed this way (a profile's name in an update). */
  | 'immutable'
  /** The value is taken by another profile; `params.profile`. */
  | 'in-use'
  /** A name that readers of the credentials file treat specially (`DEFAULT`, `__proto__`, ...). */
  | 'reserved';

/** One refused field. */
export interface FieldIssue {
  /** The field's machine name (a {@link ValidatedField}, or the offending key for `unknown-field`). */
  readonly field: string;
  readonly rule: ValidationRule;
  /** English, "<label>: <what is wrong>; <what is allowed>". Never contains a secret. */
  readonly message: string;
  /** Values for a translated message (limits, choices, the offending character). */
  readonly params?: Readonly<Record<string, string | number>>;
}

/** The result of a `check…` function: the normalised value, or why it was refused. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: FieldIssue };

/** The result of checking several fields: the value, or every refused field (for forms). */
export type CheckedAll<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * An `invalid-input` {@link MfaTrayError} that also carries its {@link FieldIssue}.
 *
 * A subclass rather than a new option on MfaTrayError, so that `code`/`field` stay the one contract
 * every caller switches on, and `rule`/`params` are there for those who translate.
 */
export class InvalidInputError extends MfaTrayError {
  /** Every refused field, `issue` first: one run reports them all, not one per try. */
  readonly issues: readonly FieldIssue[];

  constructor(
    readonly issue: FieldIssue,
    others: readonly FieldIssue[] = [],
  ) {
    super('invalid-input', [issue, ...others].map((i) => i.message).join(' · '), { field: issue.field });
    this.issues = [issue, ...others];
  }

  /** Why the value was refused. */
  get rule(): ValidationRule {
    return this.issue.rule;
  }
}

/** Human labels used in messages, by field. */
export const FIELD_LABELS: Readonly<Record<ValidatedField, string>> = {
  name: 'profile name',
  targetSection: 'target section',
  mfaSerial: 'MFA device',
  durationSeconds: 'session duration',
  region: 'region',
  autoRefresh: 'auto-refresh',
  accessKeyId: 'access key ID',
  secretAccessKey: 'secret access key',
  code: 'MFA code',
  notifyBeforeMinutes: 'notify before expiry (minutes)',
  autoRefreshBeforeMinutes: 'auto-refresh before expiry (minutes)',
  clipboardClearSeconds: 'clear clipboard after (seconds)',
  launchAtLogin: 'launch at login',
  language: 'language',
};

/** Limits, exported so that forms can set `min`/`max`/`maxlength` from the same numbers. */
export const LIMITS = {
  nameMaxLength: SECTION_NAME_MAX_LENGTH,
  durationSeconds: { min: 900, max: 129_600, rootMax: 3600 },
  hardwareSerialLength: { min: 9, max: 256 },
  notifyBeforeMinutes: { min: 0, max: 120 },
  autoRefreshBeforeMinutes: { min: 1, max: 120 },
  clipboardClearSeconds: { min: 0, max: 3600 },
} as const;

/** The languages the UI offers. */
export const LANGUAGES: readonly AppSettings['language'][] = ['auto', 'en', 'ja'];

/** MFA ARN partitions accepted, with a region of each (the default region for its profiles). */
export const PARTITION_DEFAULT_REGIONS: Readonly<Record<string, string>> = {
  aws: PROFILE_DEFAULTS.region,
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

// ---------------------------------------------------------------------------------------------
// Building blocks

function fail<T>(field: string, rule: ValidationRule, detail: string, params?: FieldIssue['params']): Checked<T> {
  const label = (FIELD_LABELS as Record<string, string | undefined>)[field] ?? field;
  return { ok: false, issue: { field, rule, message: `${label}: ${detail}`, ...(params ? { params } : {}) } };
}

function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

/** Whether `text` holds a C0/C1 control character, DEL, or a Unicode line/paragraph separator. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** "1 character", "5 characters". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Names a character for a message: "a space", or the character in quotes. */
function describeCharacter(character: string): string {
  return character === ' ' ? 'a space' : `"${character}"`;
}

/** The first character of `text` that does not match `allowed` (one character class). */
function firstOutside(text: string, allowed: RegExp): string | undefined {
  for (const character of text) {
    if (!allowed.test(character)) return character;
  }
  return undefined;
}

/**
 * The common start of every text field: text, no control characters, surrounding spaces trimmed
 * where `trim` (pasted values often carry them; a space is never part of these values).
 */
function text(field: ValidatedField, value: unknown, allowed: string, trim: boolean): Checked<string> {
  if (value === undefined || value === null || value === '') return fail(field, 'required', `missing; ${allowed}`);
  if (typeof value !== 'string') return fail(field, 'type', `must be text; ${allowed}`);
  if (hasControlCharacter(value)) return fail(field, 'control-character', `remove the line break or control character; ${allowed}`);
  const result = trim ? value.replace(/^ +| +$/g, '') : value;
  if (result === '') return fail(field, 'required', `missing; ${allowed}`);
  return ok(result);
}

/** A whole number from a number or a string of digits (argv and form fields give strings). */
function integer(field: ValidatedField, value: unknown, range: { readonly min: number; readonly max: number }, allowed: string): Checked<number> {
  if (value === undefined || value === null || value === '') return fail(field, 'required', `missing; ${allowed}`);
  let number: number;
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string') {
    if (hasControlCharacter(value)) return fail(field, 'control-character', `remove the line break or control character; ${allowed}`);
    // Full-width digits and minus (a Japanese IME's) are folded to ASCII first.
    const digits = /^(-?)0*([0-9]+)$/.exec(value.normalize('NFKC').trim());
    if (!digits) return fail(field, 'integer', `not a whole number; ${allowed}`);
    const [, sign = '', magnitude = ''] = digits;
    // Past 15 digits a Number is no longer exact; such a number is out of every range here.
    if (magnitude.length > 15) return fail(field, 'range', `${sign}${magnitude} is out of range; ${allowed}`, { min: range.min, max: range.max });
    number = Number(sign + magnitude);
  } else {
    return fail(field, 'type', `must be a number; ${allowed}`);
  }
  if (!Number.isSafeInteger(number)) return fail(field, 'integer', `not a whole number; ${allowed}`);
  if (number < range.min || number > range.max) return fail(field, 'range', `${number} is out of range; ${allowed}`, { min: range.min, max: range.max });
  return ok(number);
}

function boolean(field: ValidatedField, value: unknown): Checked<boolean> {
  if (typeof value === 'boolean') return ok(value);
  return fail(field, value === undefined || value === null ? 'required' : 'type', 'use true or false');
}

// ---------------------------------------------------------------------------------------------
// Names

const NAME_ALLOWED = `use 1–${LIMITS.nameMaxLength} of the characters A–Z a–z 0–9 _ . @ + % : / -`;

function name(field: 'name' | 'targetSection', value: unknown): Checked<string> {
  // Not trimmed: a name is looked up again later, and a silently changed name would not be found.
  const base = text(field, value, NAME_ALLOWED, false);
  if (!base.ok) return base;
  const bad = firstOutside(base.value, SECTION_NAME_CHARACTER);
  if (bad !== undefined) return fail(field, 'characters', `${describeCharacter(bad)} is not allowed; ${NAME_ALLOWED}`, { character: bad });
  if (base.value.length > LIMITS.nameMaxLength) {
    return fail(field, 'length', `${count(base.value.length, 'character')} is too long; ${NAME_ALLOWED}`, {
      min: 1,
      max: LIMITS.nameMaxLength,
      actual: base.value.length,
    });
  }
  if (RESERVED_SECTION_NAMES.has(base.value)) {
    const isDefault = base.value === 'DEFAULT';
    return fail(
      field,
      'reserved',
      `"${base.value}" is reserved: ${isDefault ? 'botocore applies a [DEFAULT] section to every profile' : 'the JS SDK misreads the names of JavaScript object members (constructor, toString, __proto__, …)'}; choose another name`,
      { kind: isDefault ? 'default' : 'object-member' },
    );
  }
  return base;
}

/**
 * A profile name: 1–64 of `[A-Za-z0-9_.@+%:/-]`.
 *
 * The same set as a credentials-file section, which both botocore and the JS SDK parse alike; a
 * profile's name is its default section.
 */
export function checkProfileName(value: unknown): Checked<string> {
  return name('name', value);
}

/** A credentials-file section name: 1–64 of `[A-Za-z0-9_.@+%:/-]` (what both SDKs parse alike). */
export function checkTargetSection(value: unknown): Checked<string> {
  return name('targetSection', value);
}

// ---------------------------------------------------------------------------------------------
// MFA serial

const SERIAL_CHARACTER = /^[\w+=/:,.@-]$/;
const SERIAL_ALLOWED =
  "use the virtual MFA device's ARN, arn:aws:iam::<12-digit account>:mfa/<name> (partitions aws, aws-cn, aws-us-gov; " +
  `a path such as mfa/team/<name> is fine), or a hardware device's serial number (${LIMITS.hardwareSerialLength.min}–${LIMITS.hardwareSerialLength.max} ` +
  'of the characters A–Z a–z 0–9 _ + = / : , . @ -)';
const SECURITY_KEY_REASON = 'security keys (FIDO) produce no code that STS accepts — use a virtual or hardware TOTP device';
// IAM's pattern for a virtual MFA device's name and its path segments.
const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;
const MFA_RESOURCE = /^mfa\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;

/**
 * An MFA device serial as `sts:GetSessionToken` takes it.
 *
 * Anything starting `arn:` must be an IAM virtual-device ARN of a supported partition; anything else
 * is taken as a hardware serial. STS itself allows 9–256 of `[\w+=/:,.@-]` for either. A security
 * key (`:u2f/`) is refused with the reason, as DESIGN.md asks: it can be registered as MFA, but it
 * never yields a code to send.
 */
export function checkMfaSerial(value: unknown): Checked<string> {
  const base = text('mfaSerial', value, SERIAL_ALLOWED, true);
  if (!base.ok) return base;
  const serial = base.value;
  if (serial.includes(':u2f/')) return fail('mfaSerial', 'security-key', `this is a security key (…:u2f/…); ${SECURITY_KEY_REASON}`);

  const bad = firstOutside(serial, SERIAL_CHARACTER);
  if (bad !== undefined) return fail('mfaSerial', 'characters', `${describeCharacter(bad)} is not allowed; ${SERIAL_ALLOWED}`, { character: bad });
  const { min, max } = LIMITS.hardwareSerialLength;
  if (serial.length < min || serial.length > max) {
    return fail('mfaSerial', 'length', `${count(serial.length, 'character')} is ${serial.length < min ? 'too short' : 'too long'}; ${SERIAL_ALLOWED}`, {
      min,
      max,
      actual: serial.length,
    });
  }

  if (!serial.startsWith('arn:')) return ok(serial);
  const parts = ARN.exec(serial);
  if (!parts) return fail('mfaSerial', 'format', `not a complete ARN; ${SERIAL_ALLOWED}`);
  const [, partition = '', service, region, account = '', resource = ''] = parts;
  if (!Object.hasOwn(PARTITION_DEFAULT_REGIONS, partition)) {
    return fail(
      'mfaSerial',
      'partition',
      `the partition "${partition}" is not supported; use an ARN in the aws, aws-cn or aws-us-gov partition, or a hardware serial number`,
      { partition },
    );
  }
  if (service === 'iam' && region === '' && /^[0-9]{12}$/.test(account)) {
    if (MFA_RESOURCE.test(resource)) return ok(serial);
    const kind = /^([\w-]+)\//.exec(resource)?.[1];
    if (kind !== undefined && kind !== 'mfa') {
      // The classic mistake: pasting the user's own ARN (…:user/alice) instead of the device's.
      return fail(
        'mfaSerial',
        'not-mfa-device',
        `this is the ARN of a ${kind}, not of an MFA device; use the device's ARN (IAM > Users > Security credentials > Multi-factor authentication), arn:aws:iam::<12-digit account>:mfa/<name>`,
        { resource: kind },
      );
    }
  }
  return fail('mfaSerial', 'format', `not an MFA device ARN; ${SERIAL_ALLOWED}`);
}

/** The partition of a virtual-device ARN (`aws`, `aws-cn`, `aws-us-gov`), or undefined for a hardware serial. */
export function mfaSerialPartition(serial: string): string | undefined {
  const partition = /^arn:([^:]*):/.exec(serial)?.[1];
  return partition !== undefined && Object.hasOwn(PARTITION_DEFAULT_REGIONS, partition) ? partition : undefined;
}

/** The region a profile gets when none is given: its MFA device's partition's (us-east-1 for a hardware serial). */
export function defaultRegionFor(mfaSerial: string): string {
  return PARTITION_DEFAULT_REGIONS[mfaSerialPartition(mfaSerial) ?? 'aws'] ?? PROFILE_DEFAULTS.region;
}

// ---------------------------------------------------------------------------------------------
// Credentials and codes

const ACCESS_KEY_ALLOWED = 'use the long-lived access key ID of an IAM user: AKIA followed by 16 of the characters A–Z 2–7';

/**
 * A long-lived access key id: `AKIA` + 16 of `[A-Z2-7]`, surrounding spaces trimmed.
 *
 * An `ASIA…` id gets its own message: it is the commonest mistake (copying a session's key), and
 * STS refuses GetSessionToken with session credentials.
 */
export function checkAccessKeyId(value: unknown): Checked<string> {
  const base = text('accessKeyId', value, ACCESS_KEY_ALLOWED, true);
  if (!base.ok) return base;
  const id = base.value;
  if (/^ASIA/.test(id)) {
    return fail(
      'accessKeyId',
      'temporary-key',
      "an access key ID starting with ASIA is temporary (from a session), not long-lived; use the IAM user's own access key, which starts with AKIA (IAM > Users > Security credentials > Access keys)",
    );
  }
  if (!/^AKIA[A-Z2-7]{16}$/.test(id)) {
    if (id.length !== 20)
      return fail('accessKeyId', 'length', `${count(id.length, 'character')}; ${ACCESS_KEY_ALLOWED} (20 in all)`, { min: 20, max: 20, actual: id.length });
    return fail('accessKeyId', 'format', ACCESS_KEY_ALLOWED);
  }
  return ok(id);
}

const SECRET_ALLOWED = 'use the 40 characters A–Z a–z 0–9 / + exactly as AWS showed them when the key was created';

/**
 * A secret access key: exactly 40 of `[A-Za-z0-9/+]`, surrounding spaces trimmed.
 *
 * Messages never quote the value or a character of it; only its length, which for a fixed-length
 * key tells nothing.
 */
export function checkSecretAccessKey(value: unknown): Checked<string> {
  const base = text('secretAccessKey', value, SECRET_ALLOWED, true);
  if (!base.ok) return base;
  const secret = base.value;
  if (!/^[A-Za-z0-9/+]*$/.test(secret)) return fail('secretAccessKey', 'characters', `contains a character that is not allowed; ${SECRET_ALLOWED}`);
  if (secret.length !== 40)
    return fail('secretAccessKey', 'length', `${count(secret.length, 'character')}; ${SECRET_ALLOWED}`, { min: 40, max: 40, actual: secret.length });
  return ok(secret);
}

const CODE_ALLOWED = 'use the 6 digits your MFA device shows now';

/**
 * A code as typed or pasted, without what may separate its digits: full-width digits and spaces
 * (typed with a Japanese IME) folded to ASCII (NFKC), then spaces and dashes removed: hyphens, the
 * dashes U+2010–2015, the minus sign, and the long-vowel mark "ー", which a Japanese IME in kana
 * mode types for "-". The code prompt's field shows what this leaves as it is typed.
 */
export function withoutCodeSeparators(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-\u2010-\u2015\u2212\u30fc]/g, '');
}

/**
 * A one-time code: exactly 6 digits once separators are removed ("123 456", "123-456",
 * "１２３ー４５６": {@link withoutCodeSeparators}). The message never quotes the code.
 */
export function checkCode(value: unknown): Checked<string> {
  const base = text('code', value, CODE_ALLOWED, false);
  if (!base.ok) return base;
  const code = withoutCodeSeparators(base.value);
  if (code === '') return fail('code', 'required', `missing; ${CODE_ALLOWED}`);
  if (!/^[0-9]*$/.test(code)) return fail('code', 'characters', `contains something other than digits; ${CODE_ALLOWED}`);
  if (code.length !== 6) return fail('code', 'length', `${count(code.length, 'digit')}; ${CODE_ALLOWED}`, { min: 6, max: 6, actual: code.length });
  return ok(code);
}

// ---------------------------------------------------------------------------------------------
// Profile settings

const { min: DURATION_MIN, max: DURATION_MAX, rootMax: ROOT_MAX } = LIMITS.durationSeconds;
const DURATION_ALLOWED = `use a whole number of seconds from ${DURATION_MIN} (15 minutes) to ${DURATION_MAX} (36 hours), or hours and minutes such as 90m, 12h or 1h30m; root users get at most ${ROOT_MAX} (1 hour)`;

/** "90m", "12h", "1h30m", "2h15m30s" in seconds; undefined when the text is not of that form (plain seconds included). */
export function parseDurationText(text: string): number | undefined {
  const match = /^(?:(\d{1,3})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(text.trim());
  if (!match || (match[1] === undefined && match[2] === undefined && match[3] === undefined)) return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** A session duration: whole seconds 900..129600 (STS's limits; root users get at most 3600), or `90m`, `12h`, `1h30m`. */
export function checkDurationSeconds(value: unknown): Checked<number> {
  const fromText = typeof value === 'string' && !hasControlCharacter(value) ? parseDurationText(value.normalize('NFKC')) : undefined;
  return integer('durationSeconds', fromText ?? value, LIMITS.durationSeconds, DURATION_ALLOWED);
}

const REGION_ALLOWED = 'use an AWS region code such as us-east-1, eu-central-2, ap-southeast-4, cn-north-1 or us-gov-west-1';
// The shape of every region code so far: area (us, eu, ap, cn, eusc…), optional qualifiers
// (gov, iso, isob, de…), a direction, and a number. A shape, not a list: new regions keep coming.
const REGION = /^[a-z]{2,4}(?:-[a-z]{2,4})?(?:-(?:north|south|east|west|central|northeast|northwest|southeast|southwest))-[1-9][0-9]?$/;

/** A region code (`us-east-1`, `cn-north-1`, `us-gov-west-1`, …), by shape; surrounding spaces trimmed. */
export function checkRegion(value: unknown): Checked<string> {
  const base = text('region', value, REGION_ALLOWED, true);
  if (!base.ok) return base;
  if (!REGION.test(base.value)) return fail('region', 'format', `${quoteIfHarmless(base.value)} is not a region code; ${REGION_ALLOWED}`);
  return base;
}

/**
 * A value for an error message only if it cannot be something pasted into the wrong field (a key,
 * a secret): short and of region-like characters. Anything else is described, not quoted.
 */
export function quoteIfHarmless(value: string): string {
  return value.length <= 20 && /^[a-z0-9-]*$/i.test(value) ? `"${value}"` : 'the value given';
}

/** The partition a region belongs to, from its name. */
export function regionPartition(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (/^[a-z]+-iso/.test(region)) return 'aws-iso';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** Whether profiles refresh unattended (a boolean). */
export function checkAutoRefresh(value: unknown): Checked<boolean> {
  return boolean('autoRefresh', value);
}

// ---------------------------------------------------------------------------------------------
// App settings

/** Minutes before expiry to notify: whole number 0 (no advance notice) to 120. */
export function checkNotifyBeforeMinutes(value: unknown): Checked<number> {
  const { min, max } = LIMITS.notifyBeforeMinutes;
  return integer('notifyBeforeMinutes', value, LIMITS.notifyBeforeMinutes, `use a whole number of minutes from ${min} (no advance notice) to ${max}`);
}

/**
 * Minutes before expiry to refresh unattended: whole number 1 to 120.
 *
 * Not 0: refreshing at the moment of expiry leaves the tools without credentials meanwhile. The
 * scheduler still has to cap it below a short session's lifetime (900 s sessions, 120 min lead).
 */
export function checkAutoRefreshBeforeMinutes(value: unknown): Checked<number> {
  const { min, max } = LIMITS.autoRefreshBeforeMinutes;
  return integer('autoRefreshBeforeMinutes', value, LIMITS.autoRefreshBeforeMinutes, `use a whole number of minutes from ${min} to ${max}`);
}

/** Seconds after which copied exports are cleared from the clipboard: 0 (never) to 3600. */
export function checkClipboardClearSeconds(value: unknown): Checked<number> {
  const { min, max } = LIMITS.clipboardClearSeconds;
  return integer('clipboardClearSeconds', value, LIMITS.clipboardClearSeconds, `use a whole number of seconds from ${min} (never clear) to ${max}`);
}

/** Start with the OS session (a boolean). */
export function checkLaunchAtLogin(value: unknown): Checked<boolean> {
  return boolean('launchAtLogin', value);
}

/** The UI language: `auto`, `en` or `ja`. */
export function checkLanguage(value: unknown): Checked<AppSettings['language']> {
  const allowed = `use ${LANGUAGES.join(', ').replace(/, ([^,]*)$/, ' or $1')}`;
  const base = text('language', value, allowed, true);
  if (!base.ok) return base;
  const language = LANGUAGES.find((l) => l === base.value);
  return language === undefined ? fail('language', 'choice', allowed, { choices: LANGUAGES.join(',') }) : ok(language);
}

// ---------------------------------------------------------------------------------------------
// Throwing forms

/** The value of a {@link Checked}, or its issue thrown as an {@link InvalidInputError}. */
export function unwrap<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new InvalidInputError(checked.issue);
  return checked.value;
}

/** {@link checkProfileName}, throwing. */
export const validateProfileName = (value: unknown): string => unwrap(checkProfileName(value));
/** {@link checkMfaSerial}, throwing. */
export const validateMfaSerial = (value: unknown): string => unwrap(checkMfaSerial(value));
/** {@link checkAccessKeyId}, throwing. */
export const validateAccessKeyId = (value: unknown): string => unwrap(checkAccessKeyId(value));
/** {@link checkSecretAccessKey}, throwing. */
export const validateSecretAccessKey = (value: unknown): string => unwrap(checkSecretAccessKey(value));
/** {@link checkCode}, throwing. */
export const validateCode = (value: unknown): string => unwrap(checkCode(value));
/** A long-lived key pair, both parts checked; throws the first refused field. */
export function validateLongLivedKey(input: { readonly accessKeyId?: unknown; readonly secretAccessKey?: unknown }): LongLivedKey {
  return { accessKeyId: validateAccessKeyId(input.accessKeyId), secretAccessKey: validateSecretAccessKey(input.secretAccessKey) };
}

// ---------------------------------------------------------------------------------------------
// Whole objects

/** A profile as a user or a caller gives it: any field may be missing or of the wrong kind. */
export type ProfileInput = { readonly [K in keyof Profile]?: unknown };

/** Changes to a profile: every field but its name (keychain entries are keyed by the name). */
export type ProfilePatch = { readonly [K in Exclude<keyof Profile, 'name'>]?: unknown };

/** Changes to the app settings. */
export type SettingsPatch = { readonly [K in keyof AppSettings]?: unknown };

const PROFILE_CHECKS: { readonly [K in keyof Profile]: (value: unknown) => Checked<Profile[K]> } = {
  name: checkProfileName,
  mfaSerial: checkMfaSerial,
  durationSeconds: checkDurationSeconds,
  region: checkRegion,
  targetSection: checkTargetSection,
  autoRefresh: checkAutoRefresh,
};

const SETTINGS_CHECKS: { readonly [K in keyof AppSettings]: (value: unknown) => Checked<AppSettings[K]> } = {
  notifyBeforeMinutes: checkNotifyBeforeMinutes,
  autoRefreshBeforeMinutes: checkAutoRefreshBeforeMinutes,
  clipboardClearSeconds: checkClipboardClearSeconds,
  launchAtLogin: checkLaunchAtLogin,
  language: checkLanguage,
};

/** The property names of a {@link Profile}, in the order the settings file keeps them. */
export const PROFILE_FIELDS = Object.keys(PROFILE_CHECKS) as readonly (keyof Profile)[];
/** The property names of {@link AppSettings}, in the order the settings file keeps them. */
export const SETTINGS_FIELDS = Object.keys(SETTINGS_CHECKS) as readonly (keyof AppSettings)[];

/** A printable form of an unknown key for a message (keys come from callers and files). */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function unknownFields(input: object, known: readonly string[], what: string): FieldIssue[] {
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      field: key,
      rule: 'unknown-field' as const,
      // Refused, not dropped: a caller that passes a secret here must learn it was not stored.
      message: `${what}: there is no field ${quoteKey(key)}; allowed are ${known.join(', ')}. Secrets (keys, TOTP secrets) go to the keychain, never to the settings file`,
    }));
}

function notAnObject(what: string): FieldIssue {
  return { field: what, rule: 'type', message: `${what}: must be an object with named fields` };
}

/** Runs the checks of the fields present in `input` (undefined counts as absent). */
function checkPresent<T extends object>(
  input: Readonly<Record<string, unknown>>,
  checks: { readonly [K in keyof T]: (value: unknown) => Checked<T[K]> },
  issues: FieldIssue[],
): Partial<T> {
  const value: Partial<T> = {};
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    if (input[key] === undefined) continue;
    const checked = checks[key](input[key]);
    if (checked.ok) value[key] = checked.value;
    else issues.push(checked.issue);
  }
  return value;
}

/** The region must be in the serial's partition: a key of one partition is unknown to another's STS. */
function partitionIssue(mfaSerial: string, region: string): FieldIssue | undefined {
  const partition = mfaSerialPartition(mfaSerial);
  if (partition === undefined || regionPartition(region) === partition) return undefined;
  const example = PARTITION_DEFAULT_REGIONS[partition] ?? PROFILE_DEFAULTS.region;
  return {
    field: 'region',
    rule: 'partition-mismatch',
    message: `region: ${region} is not in the ${partition} partition of the MFA serial, so its STS would not know the key; use a region of ${partition} such as ${example}`,
    params: { partition, example },
  };
}

/**
 * Checks a whole profile and fills in defaults, reporting every refused field (for forms).
 *
 * Defaults: {@link PROFILE_DEFAULTS}; `targetSection` is the name; `region` is the partition's
 * usual region for an `aws-cn` / `aws-us-gov` ARN (us-east-1 cannot work there). Unknown fields
 * are refused, so that nothing (a secret least of all) is silently dropped or stored.
 */
export function checkProfileInput(input: unknown): CheckedAll<Profile> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, issues: [notAnObject('profile')] };
  const record = input as Readonly<Record<string, unknown>>;
  const issues: FieldIssue[] = [];
  const present = checkPresent<Profile>(record, PROFILE_CHECKS, issues);
  // The two fields without a default: checking `undefined` yields their "missing" issue.
  const name = PROFILE_CHECKS.name(record.name);
  const mfaSerial = PROFILE_CHECKS.mfaSerial(record.mfaSerial);
  if (record.name === undefined && !name.ok) issues.push(name.issue);
  if (record.mfaSerial === undefined && !mfaSerial.ok) issues.push(mfaSerial.issue);
  issues.push(...unknownFields(record, PROFILE_FIELDS, 'profile'));
  if (issues.length > 0 || !name.ok || !mfaSerial.ok) return { ok: false, issues: sortIssues(issues, PROFILE_FIELDS) };

  const profile: Profile = {
    name: name.value,
    mfaSerial: mfaSerial.value,
    durationSeconds: present.durationSeconds ?? PROFILE_DEFAULTS.durationSeconds,
    region: present.region ?? defaultRegionFor(mfaSerial.value),
    targetSection: present.targetSection ?? name.value,
    autoRefresh: present.autoRefresh ?? PROFILE_DEFAULTS.autoRefresh,
  };
  const mismatch = partitionIssue(profile.mfaSerial, profile.region);
  return mismatch ? { ok: false, issues: [mismatch] } : { ok: true, value: profile };
}

/** {@link checkProfileInput}, returning the {@link Profile} or throwing the first refused field. */
export function validateProfileInput(input: unknown): Profile {
  const checked = checkProfileInput(input);
  if (!checked.ok) throw invalidInputs(checked.issues);
  return checked.value;
}

/** A profile's checked changes: the fields of a {@link ProfilePatch}, normalised. */
export type ProfileChanges = Partial<Omit<Profile, 'name'>>;

/**
 * Checks the fields of changes to the profile called `name`, reporting every refused field.
 *
 * A `name` in the patch is refused unless it is that same name: renaming would orphan the keychain
 * entries, which are keyed by name. Rules across fields need the whole profile: see
 * {@link checkPatchedProfile}.
 */
export function checkProfilePatch(name: string, patch: unknown): CheckedAll<ProfileChanges> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { ok: false, issues: [notAnObject('profile changes')] };
  const record = patch as Readonly<Record<string, unknown>>;
  const issues: FieldIssue[] = [];
  if (record.name !== undefined && record.name !== name) {
    issues.push({ field: 'name', rule: 'immutable', message: 'profile name: cannot be changed; add a profile with the new name and remove the old one' });
  }
  const { name: _name, ...changes } = checkPresent<Profile>(record, PROFILE_CHECKS, issues);
  issues.push(...unknownFields(record, PROFILE_FIELDS, 'profile'));
  return issues.length > 0 ? { ok: false, issues: sortIssues(issues, PROFILE_FIELDS) } : { ok: true, value: changes };
}

/** {@link checkProfilePatch}, returning the checked changes or throwing the first refused field. */
export function validateProfilePatch(name: string, patch: unknown): ProfileChanges {
  const checked = checkProfilePatch(name, patch);
  if (!checked.ok) throw invalidInputs(checked.issues);
  return checked.value;
}

/**
 * `current` with checked `changes` applied, with the rules across fields: the region must be in
 * the MFA serial's partition.
 */
export function checkPatchedProfile(current: Profile, changes: ProfileChanges): CheckedAll<Profile> {
  const profile: Profile = { ...current, ...changes, name: current.name };
  const mismatch = partitionIssue(profile.mfaSerial, profile.region);
  return mismatch ? { ok: false, issues: [mismatch] } : { ok: true, value: profile };
}

/** {@link checkPatchedProfile}, returning the changed profile or throwing the first refused field. */
export function validatePatchedProfile(current: Profile, changes: ProfileChanges): Profile {
  const checked = checkPatchedProfile(current, changes);
  if (!checked.ok) throw invalidInputs(checked.issues);
  return checked.value;
}

/** Checks changes to the app settings; returns the checked changes, or every refused field. */
export function checkSettingsPatch(patch: unknown): CheckedAll<Partial<AppSettings>> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { ok: false, issues: [notAnObject('settings')] };
  const record = patch as Readonly<Record<string, unknown>>;
  const issues: FieldIssue[] = [];
  const present = checkPresent<AppSettings>(record, SETTINGS_CHECKS, issues);
  issues.push(...unknownFields(record, SETTINGS_FIELDS, 'settings'));
  return issues.length > 0 ? { ok: false, issues: sortIssues(issues, SETTINGS_FIELDS) } : { ok: true, value: present };
}

/** {@link checkSettingsPatch}, returning the checked changes or throwing the first refused field. */
export function validateSettingsPatch(patch: unknown): Partial<AppSettings> {
  const checked = checkSettingsPatch(patch);
  if (!checked.ok) throw invalidInputs(checked.issues);
  return checked.value;
}

/** Whole app settings: the patch's fields over {@link APP_SETTINGS_DEFAULTS}. Throws the first refused field. */
export function validateAppSettings(input: unknown): AppSettings {
  return { ...APP_SETTINGS_DEFAULTS, ...validateSettingsPatch(input) };
}

/** Issues in form order (the order of the fields), so that "the first error" is the top-most one. */
function sortIssues(issues: FieldIssue[], order: readonly string[]): FieldIssue[] {
  const rank = (issue: FieldIssue): number => {
    const index = order.indexOf(issue.field);
    return index === -1 ? order.length : index;
  };
  return [...issues].sort((a, b) => rank(a) - rank(b));
}

/** An {@link InvalidInputError} naming every refused field, the first of them as its `field`. */
export function invalidInputs(issues: readonly FieldIssue[]): InvalidInputError {
  const [first, ...others] = issues;
  if (first === undefined) return new InvalidInputError({ field: 'input', rule: 'type', message: 'validation failed without saying why' });
  return new InvalidInputError(first, others);
}
