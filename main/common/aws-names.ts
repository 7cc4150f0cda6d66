/**
 * The rules for names in the AWS shared files, in one place: what a profile name or credentials-file
 * section may be, for the validation of what users type (`validation.ts`) and for the INI editor
 * that writes the files (`engine/files/ini-edit.ts`). Pure: the renderer uses it through validation.
 */

/** The longest name accepted. */
export const SECTION_NAME_MAX_LENGTH = 64;

/** One character botocore and the JS SDK both accept in a section name we write. */
export const SECTION_NAME_CHARACTER = /^[A-Za-z0-9_.@+%:/-]$/;

/** A whole section name of those characters, 1 to {@link SECTION_NAME_MAX_LENGTH} of them. */
export const SECTION_NAME_PATTERN = /^[A-Za-z0-9_.@+%:/-]{1,64}$/;

/**
 * Names that match the pattern but break a reader: botocore turns `[DEFAULT]` into defaults for
 * every other section (a session written there would leak into every profile), and the JS SDK
 * throws on `[__proto__]` and mis-reads names of `Object.prototype` members (it indexes a plain
 * object with them).
 */
export const RESERVED_SECTION_NAMES: ReadonlySet<string> = new Set(['DEFAULT', ...Object.getOwnPropertyNames(Object.prototype)]);

/** What a section name may be, in words, for error messages. */
export const SECTION_NAME_RULE =
  'use 1 to 64 characters of A-Z a-z 0-9 and _ . @ + % : / - (no spaces or brackets), and not DEFAULT, __proto__ or another reserved name';

/** Whether `name` is a section name that both readers handle and that MFA Tray may write. */
export function isValidSectionName(name: string): boolean {
  return SECTION_NAME_PATTERN.test(name) && !RESERVED_SECTION_NAMES.has(name);
}
