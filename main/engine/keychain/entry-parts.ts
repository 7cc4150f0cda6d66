/**
 * Values too large for one keychain entry, kept as several. Windows Credential Manager holds at most
 * 2,560 bytes per entry, and a session's token has no fixed size (AWS says to assume none; a role
 * session's easily passes 1,500 bytes, with session tags more): such a value is cut into parts, the
 * first in the profile's own entry behind a header that says how many there are and a hash of the
 * whole, the others under the account `<profile>#part<n>` (`#` is never in a profile name).
 */
const HEADER = /^mfa-tray-parts:(\d{1,2}):([0-9a-f]{16}):/;

/** The account of part `n` (2, 3, …) of a profile's value. */
export function partAccount(profile: string, n: number): string {
  return `${profile}#part${n}`;
}

/** True for an account that holds a part, not a profile's own entry. */
export function isPartAccount(account: string): boolean {
  return /#part\d+$/.test(account);
}

/**
 * The first 16 hex digits of the value's SHA-256, from Web Crypto: node:crypto is not imported
 * here, because the keychain adapter is on credential-process's cached path, where loading it
 * (with Node's streams) costs milliseconds; only a value kept in parts needs a hash.
 */
async function hashOf(value: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return Buffer.from(digest).toString('hex').slice(0, 16);
}

/** Cuts text into pieces of at most `maxBytes` UTF-8 bytes each, never inside a character. */
function cut(text: string, firstMaxBytes: number, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > (pieces.length === 0 ? firstMaxBytes : maxBytes)) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += character;
    bytes += size;
  }
  pieces.push(piece);
  return pieces;
}

/**
 * The entries to write for a value: one, the value itself, when it fits in `maxBytes`; else the
 * head (header and first piece) and the further pieces, each within `maxBytes`.
 */
export async function splitValue(value: string, maxBytes: number): Promise<string[]> {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return [value];
  const headerBytes = 'mfa-tray-parts:00:0000000000000000:'.length;
  const pieces = cut(value, maxBytes - headerBytes, maxBytes);
  if (pieces.length > 99) throw new RangeError('value too large for the keychain');
  return [`mfa-tray-parts:${pieces.length}:${await hashOf(value)}:${pieces[0] ?? ''}`, ...pieces.slice(1)];
}

/** How many entries a stored head says the value has (1 for a plain value). */
export function partCount(head: string): number {
  const match = HEADER.exec(head);
  return match ? Number(match[1]) : 1;
}

/**
 * The whole value from its head and the further parts (by number), or the head as it is when a
 * part is missing or the parts do not add up to what the header says (a write under way, or damage):
 * the reader then sees an entry it cannot read, which it reports as such.
 */
export async function joinValue(head: string, part: (n: number) => string | undefined): Promise<string> {
  const match = HEADER.exec(head);
  if (!match) return head;
  const count = Number(match[1]);
  let value = head.slice(match[0].length);
  for (let n = 2; n <= count; n += 1) {
    const piece = part(n);
    if (piece === undefined) return head;
    value += piece;
  }
  return (await hashOf(value)) === match[2] ? value : head;
}
