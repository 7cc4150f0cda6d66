/**
 * A session as a section of the credentials file holds it: what makes a section a session (a
 * session token), and the complete session read from its values. Apart from credentials-file.ts
 * (which also locks and writes) so that `credential-process`'s fast path can read a session
 * without loading the writer.
 */
import type { Remedy } from '../../common/errors';
import { maskKeyId } from '../../common/key-id';
import type { SessionCredentials } from '../../common/model';
import { findSections, parseIniFor, sectionValues, type IniDocument } from './ini-edit';

/**
 * botocore's older name for the session token (read when `aws_session_token` is absent). Some tools
 * still write both; when the target has it we keep it in step with `aws_session_token` (a stale one
 * would hand old tools a token that does not match the key) and remove it on forget. Never added.
 */
export const LEGACY_TOKEN_KEY = 'aws_security_token';

/**
 * aws-mfa's record of its session's end, in its own format (`2026-01-01 00:00:00`, UTC:
 * {@link AWS_MFA_EXPIRY_VALUE}), which it reads to decide whether to ask for a code again. Kept in
 * step with the session when the target has one in that format (a stale one says an old session's
 * end; a forget before 2026-12-06 left it behind without its session), removed with the session on
 * forget. Never added.
 */
export const AWS_MFA_EXPIRY_KEY = 'expiration';
export const AWS_MFA_EXPIRY_VALUE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** What a section's values hold, credential-wise. */
export function credentialKind(values: ReadonlyMap<string, string>): 'session' | 'long-lived' | 'none' {
  if (values.get('aws_session_token') || values.get(LEGACY_TOKEN_KEY)) return 'session';
  // Half a key (only the secret, say) is still the user's key material: treat it as long-lived.
  if (values.get('aws_access_key_id') || values.get('aws_secret_access_key')) return 'long-lived';
  return 'none';
}

/** The complete session in a section's values (all three values and a readable `x_security_token_expires`), else undefined. */
export function sessionOfValues(values: ReadonlyMap<string, string>): SessionCredentials | undefined {
  const accessKeyId = values.get('aws_access_key_id');
  const secretAccessKey = values.get('aws_secret_access_key');
  const sessionToken = values.get('aws_session_token') || values.get(LEGACY_TOKEN_KEY);
  const expiresAt = parseExpiry(values.get('x_security_token_expires'));
  if (!accessKeyId || !secretAccessKey || !sessionToken || expiresAt === undefined) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt };
}

/** Reads `x_security_token_expires`: RFC 3339 with a time zone, else `undefined`. */
function parseExpiry(value: string | undefined): number | undefined {
  if (!value || !/^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.test(value)) return undefined;
  const ms = Date.parse(value.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The session in `section` of the file's text when every AWS tool reads it the same way, else
 * undefined: a section given once, with no key given twice, in a file with no lone-CR line ending (botocore reads those as
 * line breaks, the JS SDKs and this parser do not) and no byte-order mark (botocore on Linux cannot
 * read such a file at all). `text` is the file decoded as latin1, as the writer decodes it.
 */
export function unambiguousSession(text: string, section: string): SessionCredentials | undefined {
  if (/\r(?!\n)/.test(text) || text.startsWith('\xEF\xBB\xBF') || text.startsWith('\uFEFF')) return undefined;
  const { doc } = parseIniFor(text, section);
  const found = findSections(doc, section);
  if (found.length !== 1) return undefined;
  // A key given twice: botocore refuses the file, the JS SDKs take the last.
  const keys = found[0]?.entries.map((e) => e.key) ?? [];
  if (new Set(keys).size !== keys.length) return undefined;
  const values = sectionValues(doc, section);
  return values && sessionOfValues(values);
}

/**
 * Why the credentials file (parsed, 'missing', or 'unreadable': a folder or a pipe in its place, say)
 * does not hold the session whose access key id is `keyId` in the profile's section, as the SDKs
 * read it (a repeated key: the last one), and what fixes it; undefined when it does. MFA Tray shows
 * its cached session, but the AWS tools read the file, which another tool (or a refresh whose write
 * failed) may have left without it: for `doctor` and `status`. A refresh is the fix only where a
 * refresh would write: not into a section holding a long-lived key, nor one that appears twice, nor
 * while the file or its folder cannot be written (`options.unwritable`: {@link CredentialsFile.unwritable}'s
 * answer), where a refresh stops before its code: then the why says what fixes that.
 */
export function sessionMissingFrom(
  credentials: IniDocument | 'missing' | 'unreadable',
  profile: { readonly name: string; readonly targetSection: string },
  keyId: string,
  options: {
    readonly unwritable?: { readonly reason: string; readonly fix: string } | undefined;
    /** Why it is missing, when known beyond what the file shows ("since the file could not take …"). */
    readonly since?: string | undefined;
  } = {},
): { readonly why: string; readonly remedies: readonly Remedy[] } | undefined {
  const found = whatTheSectionLacks(credentials, profile, keyId);
  if (found === undefined) return undefined;
  // Where a refresh would not write either (the section is refused, the file unreadable), the
  // writer's promise to put a kept session there does not hold: the finding and its fix alone.
  if (found.fix !== 'refresh') return { why: found.why, remedies: found.fix };
  const why = options.since === undefined ? found.why : `${found.why}, ${options.since}`;
  const { unwritable } = options;
  if (unwritable === undefined) return { why, remedies: [{ action: 'refresh', profile: profile.name }] };
  const reason = `${unwritable.reason.charAt(0).toLowerCase()}${unwritable.reason.slice(1)}`;
  return { why: `${why}, and a refresh cannot put it there while ${reason}: ${unwritable.fix}`, remedies: [] };
}

/** What {@link sessionMissingFrom} finds in the file, and whether a refresh (when it can write) is the fix. */
function whatTheSectionLacks(
  credentials: IniDocument | 'missing' | 'unreadable',
  profile: { readonly name: string; readonly targetSection: string },
  keyId: string,
): { readonly why: string; readonly fix: 'refresh' | readonly Remedy[] } | undefined {
  const section = profile.targetSection;
  if (credentials === 'missing') return { why: 'the file does not exist', fix: 'refresh' };
  // A refresh cannot help a file that cannot be read: what can is in the file's own error.
  if (credentials === 'unreadable') return { why: 'the file cannot be read', fix: [] };
  const count = findSections(credentials, section).length;
  if (count > 1) return { why: `[${section}] appears ${count} times in it, which the AWS CLI cannot read: merge them into one`, fix: [] };
  const values = sectionValues(credentials, section);
  const inFile = values?.get('aws_access_key_id');
  if (inFile === keyId) return undefined;
  if (values === undefined) return { why: `it has no [${section}] section`, fix: 'refresh' };
  // Not an import as the fix: importing over the profile would take its settings from the files anew
  // (and the key in the section may be another user's); the refusal's own words say how to import.
  if (credentialKind(values) === 'long-lived') {
    return {
      why: `its [${section}] holds a long-lived key${inFile ? ` (${maskKeyId(inFile)})` : ''}, which MFA Tray does not overwrite`,
      fix: [{ action: 'edit-target', profile: profile.name }],
    };
  }
  return { why: `its [${section}] holds ${inFile ? `another key (${maskKeyId(inFile)})` : 'no key'}`, fix: 'refresh' };
}

/** The words for a cached session the credentials file does not hold (see {@link sessionMissingFrom}). */
export function notInFileMessage(profile: { readonly name: string; readonly targetSection: string }, path: string, left: string, why: string): string {
  return `The session MFA Tray has for ${profile.name} (${left} left) is not in the credentials file ${path}: ${why}. AWS tools that read the file with profile ${profile.targetSection} do not get it.`;
}
