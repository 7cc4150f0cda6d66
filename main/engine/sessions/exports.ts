/**
 * Session exports in the formats of `aws configure export-credentials`, byte for byte, plus fish.
 *
 * Output matches `aws configure export-credentials` (AWS CLI v2): one line per variable in the
 * order key id, secret, token, expiration; `AWS_CREDENTIAL_EXPIRATION` in Python's
 * `datetime.isoformat()` form (`2026-11-28T05:12:00+00:00`); `process` is `json.dumps(indent=2)`
 * plus a newline, which is exactly what `JSON.stringify(value, null, 2)` prints.
 */
import type { SessionCredentials } from '../../common/model';

/** The export formats, named as `aws configure export-credentials --format` names them. */
export const EXPORT_FORMATS = ['env', 'env-no-export', 'fish', 'powershell', 'windows-cmd', 'process'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Whether a string is one of {@link EXPORT_FORMATS}. */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

const LINE_TEMPLATES: Record<Exclude<ExportFormat, 'process'>, (name: string, value: string) => string> = {
  env: (name, value) => `export ${name}=${value}`,
  'env-no-export': (name, value) => `${name}=${value}`,
  fish: (name, value) => `set -gx ${name} "${value}"`,
  powershell: (name, value) => `$Env:${name}="${value}"`,
  'windows-cmd': (name, value) => `set ${name}=${value}`,
};

/**
 * An expiry as botocore's `datetime.isoformat()` prints it for a UTC time: seconds precision unless
 * there are sub-second digits, and `+00:00` instead of `Z`.
 */
export function isoExpiration(expiresAt: number): string {
  const iso = new Date(expiresAt).toISOString(); // 2026-11-28T05:12:00.000Z
  const [seconds, fraction = '000Z'] = iso.split('.') as [string, string?];
  const millis = fraction.slice(0, 3);
  return millis === '000' ? `${seconds}+00:00` : `${seconds}.${millis}000+00:00`;
}

/**
 * Formats a session for a shell or for `credential_process`.
 *
 * Values are written as they are, as the AWS CLI does: STS credentials consist only of characters
 * that need no quoting ([A-Za-z0-9/+=]), which the session cache validates on the way in.
 */
export function formatExports(session: SessionCredentials, format: ExportFormat): string {
  const expiration = isoExpiration(session.expiresAt);
  if (format === 'process') {
    const body = {
      Version: 1,
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: expiration,
    };
    return `${JSON.stringify(body, null, 2)}\n`;
  }
  const line = LINE_TEMPLATES[format];
  return [
    line('AWS_ACCESS_KEY_ID', session.accessKeyId),
    line('AWS_SECRET_ACCESS_KEY', session.secretAccessKey),
    line('AWS_SESSION_TOKEN', session.sessionToken),
    line('AWS_CREDENTIAL_EXPIRATION', expiration),
  ]
    .map((l) => `${l}\n`)
    .join('');
}
