/**
 * Canary secrets for the secrets audit, and the search for them in everything MFA Tray produced.
 *
 * The canaries are valid secrets (STS accepts them: the loopback server registers users with them),
 * so every flow runs for real. A leak may be partial or re-encoded, so each canary is searched
 * whole, by a distinctive part, lower-cased, and (the TOTP secret) as the bytes it decodes to in hex
 * and base64. Session credentials are whatever STS issued during the run.
 */
import { readdir, readFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';

/** A long-lived secret access key: 40 of [A-Za-z0-9/+]. */
export const LONG_SECRET = 'CanaryLongLivedSecret+Key0123456789abcdE';
/** Another one, for a wrong key: also must never show. */
export const WRONG_SECRET = 'CanaryWrongSecretAccess/Key9876543210xyZ';
/** A TOTP secret: base32, 20 bytes. */
export const TOTP_SECRET = 'CANARYTOTPSECRETQWERTYUPASDFGHJK';

function base32Bytes(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

if (LONG_SECRET.length !== 40 || WRONG_SECRET.length !== 40) throw new Error('canary secrets must be 40 characters');

/** One place something was found, or an artifact to search. */
export interface Artifact {
  /** Where it came from ("stderr of mfa-tray refresh", "bridge result of submitCode", a path). */
  readonly where: string;
  readonly text: string;
  /** May hold session credentials (the credentials file, export output); never long-lived or TOTP secrets. */
  readonly sessionsAllowed?: boolean;
}

/** What must never be found, by name. */
function alwaysSecret(): Array<readonly [string, string]> {
  const totpBytes = base32Bytes(TOTP_SECRET);
  return [
    ['long-lived secret', LONG_SECRET],
    ['long-lived secret (part)', LONG_SECRET.slice(0, 16)],
    ['long-lived secret (part)', LONG_SECRET.slice(-16)],
    ['long-lived secret (lower case)', LONG_SECRET.toLowerCase()],
    ['wrong secret', WRONG_SECRET],
    ['wrong secret (part)', WRONG_SECRET.slice(0, 16)],
    ['TOTP secret', TOTP_SECRET],
    ['TOTP secret (part)', TOTP_SECRET.slice(8, 24)],
    ['TOTP secret (lower case)', TOTP_SECRET.toLowerCase()],
    ['TOTP secret (hex)', totpBytes.toString('hex')],
    ['TOTP secret (base64)', totpBytes.toString('base64').replace(/=+$/, '')],
  ];
}

/** Session credentials issued during the run. */
export interface IssuedSecret {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/**
 * Searches every artifact. @returns one line per finding: what was found where. Session
 * credentials count only where they are not allowed.
 */
export function findLeaks(artifacts: readonly Artifact[], sessions: readonly IssuedSecret[]): string[] {
  const sessionNeedles: Array<readonly [string, string]> = sessions.flatMap((s) => [
    ['session token', s.sessionToken] as const,
    // A distinctive stretch from the random middle: a truncated token counts too.
    ['session token (part)', s.sessionToken.slice(40, 72)] as const,
    ['session secret key', s.secretAccessKey] as const,
  ]);
  const findings: string[] = [];
  for (const artifact of artifacts) {
    const needles = artifact.sessionsAllowed ? alwaysSecret() : [...alwaysSecret(), ...sessionNeedles];
    for (const [what, needle] of needles) {
      if (needle.length >= 12 && artifact.text.includes(needle)) findings.push(`${what} in ${artifact.where}`);
    }
  }
  return [...new Set(findings)];
}

/** Every file under `dir` (recursively, symlinks not followed), as artifacts. */
export async function filesUnder(dir: string, sessionsAllowed: (path: string) => boolean = () => false): Promise<Artifact[]> {
  const found: Artifact[] = [];
  async function walk(path: string): Promise<void> {
    const info = await lstat(path).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of await readdir(path)) await walk(join(path, name));
    } else if (info.isFile()) {
      found.push({ where: path, text: (await readFile(path)).toString('latin1'), sessionsAllowed: sessionsAllowed(path) });
    }
  }
  await walk(dir);
  return found;
}

/** An error as a developer would see it logged: message, stack, properties and causes. */
export function errorText(error: unknown): string {
  return inspect(error, { depth: 8, showHidden: false });
}

/**
 * Captures what the current process writes to stdout and stderr (console included) while `run`
 * runs, passing it through.
 */
export async function capturingOutput<T>(run: () => Promise<T>, into: string[]): Promise<T> {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream, i) => {
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (originals[i] as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  });
  try {
    return await run();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
}
