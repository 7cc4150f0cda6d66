/**
 * Deterministic credentials-file versions for the fault tests: version k is "write session k into
 * section target<k mod 4>", so that a test can tell, from the bytes alone, which version a file is
 * (and compute the bytes every version must have with the engine's own pure edit, withSession).
 */
import type { SessionCredentials } from '../../main/common/model';

/** How many sections the versions rotate over. */
export const VERSION_SECTIONS = 4;

/** The section version `k` writes. */
export function versionSection(k: number): string {
  return `target${k % VERSION_SECTIONS}`;
}

/** The session version `k` writes: every value names `k`, and is of STS's shape. */
export function versionSession(k: number): SessionCredentials {
  const n = String(k).padStart(8, '0');
  return {
    accessKeyId: `ASIAFAULTV${n}XX`.slice(0, 20),
    secretAccessKey: `faultsecret/${n}+`.padEnd(40, 'S'),
    sessionToken: `IQoJb3JpZ2luX2VjEFAULT${n}${'Tok3n+/'.repeat(50)}`,
    expiresAt: Date.UTC(2030, 0, 1) + k * 1000,
  };
}

/**
 * A large-ish credentials file as users have them: `profiles` sections of long-lived keys,
 * sessions written by other tools, comments, blank lines, unknown keys and an indented `s3 =` block;
 * `target0` and `target1` exist in the middle (with sessions), `target2`/`target3` do not yet.
 */
export function largeCredentialsFile(profiles: number): string {
  const lines: string[] = ['# ~/.aws/credentials: kept by hand, and by several tools', ''];
  for (let i = 0; i < profiles; i += 1) {
    if (i === Math.floor(profiles / 3) || i === Math.floor((2 * profiles) / 3)) {
      const t = i === Math.floor(profiles / 3) ? 0 : 1;
      lines.push(
        `[target${t}]`,
        '# written by MFA Tray',
        'aws_access_key_id = ASIAOLDOLDOLDOLDOLD1',
        `aws_secret_access_key = ${'o'.repeat(40)}`,
        `aws_session_token = ${'OldToken'.repeat(40)}`,
        'x_security_token_expires = 2020-01-01T00:00:00Z',
        'region = eu-west-1',
        '',
      );
    }
    const id = `AKIA${String(i).padStart(16, '0')}`;
    if (i % 5 === 0) {
      lines.push(
        `[team-${i}]`,
        `aws_access_key_id = ${id}`,
        `aws_secret_access_key = ${'k'.repeat(36)}${String(i).padStart(4, '0')}`,
        `aws_session_token = ${'SessTok'.repeat(30)}`,
        '',
      );
    } else if (i % 7 === 0) {
      lines.push(
        `; profile ${i} uses a custom endpoint`,
        `[svc-${i}]`,
        `aws_access_key_id = ${id}`,
        `aws_secret_access_key = ${'q'.repeat(40)}`,
        's3 =',
        '    max_concurrent_requests = 20',
        '    addressing_style = path',
        '',
      );
    } else {
      lines.push(
        `[user-${i}]`,
        `aws_access_key_id = ${id}`,
        `aws_secret_access_key = ${'s'.repeat(36)}${String(i).padStart(4, '0')}`,
        `# rotated ${2020 + (i % 5)}`,
        '',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
