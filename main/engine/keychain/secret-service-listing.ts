/**
 * keytar's `findCredentials` for the Secret Service (Linux, the BSDs), made over D-Bus in a few round
 * trips whatever the number of entries.
 *
 * Why not keytar's own: libsecret lists by making a proxy object for each entry, and each proxy
 * costs three D-Bus round trips made one after another (`StartServiceByName`, `GetNameOwner`,
 * `GetAll`): 65–86 ms for 100 entries here, most of what `mfa-tray status` with 100 profiles spends
 * (README, benchmark row 7). Making keytar's calls side by side instead is not safe: libsecret used
 * from several threads at once has aborted processes (atom/node-keytar#283) and gnome-keyring itself
 * (basecamp/hey-cli#352). So this module asks the Secret Service directly, on one connection of its
 * own, with dbus-native (a D-Bus client in JavaScript): one `OpenSession`, one `SearchItems`, each
 * entry's attributes asked for all at once (sent together, answered together), one `GetSecrets`.
 *
 * The secrets come over the bus encrypted, as libsecret has them come: the Secret Service API's
 * `dh-ietf1024-sha256-aes128-cbc-pkcs7` session (a Diffie-Hellman exchange in the IKE 1024-bit MODP
 * group, an HKDF-SHA256 key, AES-128-CBC), all of its arithmetic done by Node's OpenSSL.
 * https://specifications.freedesktop.org/secret-service-spec/latest/transfer-secrets.html
 *
 * Only listing is made here; every other keychain call stays keytar's. Where this client cannot
 * begin (no session bus address, a bus that refuses the connection, a Secret Service that does not
 * offer that session), {@link findCredentials} says so with {@link ListingNotStarted} before it has
 * asked for anything, and the caller lists through keytar instead, whose errors say what is missing.
 */
import { createPublicKey, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';

/** One entry as keytar's `findCredentials` gives it. */
export interface Credential {
  readonly account: string;
  readonly password: string;
}

/** This client could not begin; nothing was asked of the Secret Service. */
export class ListingNotStarted extends Error {}

/** An error reply, by its D-Bus name. */
class DbusReplyError extends Error {
  constructor(
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The names an object that no longer exists is answered with: the Secret Service's, D-Bus's, and
 * GDBus's for a path nothing is registered at (gnome-keyring: "Object does not exist at path").
 * `GetSecrets` leaves such an item out of its answer.
 */
const GONE = new Set(['org.freedesktop.Secret.Error.NoSuchObject', 'org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownMethod']);

const SECRETS = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';
const ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';
/** libsecret stores keytar's entries under this schema name, and keytar's searches ask for it. */
const KEYTAR_SCHEMA = 'org.freedesktop.Secret.Generic';
/** The IKE 1024-bit MODP group's prime takes 128 bytes: the shared secret is that long. */
const PRIME_BYTES = 128;
/** How long one D-Bus call may take here; the keychain store's own timeout is over the whole listing. */
const CALL_TIMEOUT_MS = 10_000;

/** The session bus this process would use, as GDBus finds it (the variable, else the user's bus socket). */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const given = env.DBUS_SESSION_BUS_ADDRESS?.split(';').find((address) => address.trim() !== '');
  if (given !== undefined) return given;
  return env.XDG_RUNTIME_DIR ? `unix:path=${env.XDG_RUNTIME_DIR}/bus` : undefined;
}

/**
 * Every entry of keytar's `service` that the Secret Service holds unlocked, as keytar lists them.
 * Throws {@link ListingNotStarted} when it could not begin; an error that names a locked collection
 * when any entry of `service` is locked (keytar's listing would show an unlock prompt, or crash the
 * process); else the D-Bus error as it came.
 */
export async function findCredentials(service: string, env: NodeJS.ProcessEnv = process.env): Promise<Credential[]> {
  const address = sessionBusAddress(env);
  if (address === undefined) throw new ListingNotStarted('no D-Bus session bus address');
  const { createClient } = await import('dbus-native');
  const bus = createClient({ busAddress: address, authMethods: ['EXTERNAL'] });
  // The connection's own failures (refused, closed) end every call waiting on it; without a
  // listener they would be thrown as an uncaught 'error' event.
  let broken: Error | undefined;
  bus.connection.on('error', (error: Error) => {
    broken ??= error;
  });
  try {
    // An error reply carries its D-Bus name apart from its text: the text alone may not say what it is.
    const call = <T>(path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<T> =>
      Promise.resolve(bus.invoke<T>({ destination: SECRETS, path, interface: iface, member, signature, body }, { timeout: CALL_TIMEOUT_MS })).catch(
        (error: unknown) => {
          const name = (error as { dbusName?: unknown }).dbusName;
          throw typeof name === 'string' && !messageOf(error).includes(name) ? new DbusReplyError(name, `${name}: ${messageOf(error)}`) : error;
        },
      );
    const ours = dhKeyPair();
    const ourSpki = ours.publicKey.export({ type: 'spki', format: 'der' });
    let opened: [unknown, string];
    try {
      // First a call that needs nothing of this connection, as libsecret's first (its proxy reads
      // the service's properties): gnome-keyring learns of a new connection in a callback of its
      // own, which may come after that connection's first call is handled, and a session opened
      // then aborts the daemon (assertion 'client' failed; seen here within seconds of four
      // processes opening sessions on new connections, never with this call first).
      await call(SERVICE_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss', [SERVICE, 'Collections']);
      opened = await call<[unknown, string]>(SERVICE_PATH, SERVICE, 'OpenSession', 'sv', [ALGORITHM, ['ay', publicValue(ourSpki)]]);
    } catch (error) {
      throw new ListingNotStarted(`the Secret Service could not be asked: ${messageOf(broken ?? error)}`);
    }
    const [output, session] = opened;
    const key = sessionKey(ours.privateKey, ourSpki, variantBytes(output));
    const [unlocked, locked] = await call<[string[], string[]]>(SERVICE_PATH, SERVICE, 'SearchItems', 'a{ss}', [
      [
        ['service', service],
        ['xdg:schema', KEYTAR_SCHEMA],
      ],
    ]);
    if (locked.length > 0) throw new Error(`${locked.length} of the entries are in a locked collection`);
    if (unlocked.length === 0) return [];
    // Sent together: the bus keeps their order, and the answers come back as fast as the service gives them.
    const [attributes, secrets] = await Promise.all([
      Promise.all(
        unlocked.map((item) =>
          call<unknown>(item, 'org.freedesktop.DBus.Properties', 'Get', 'ss', ['org.freedesktop.Secret.Item', 'Attributes']).catch((error: unknown) => {
            // Deleted since the search: not listed, as keytar would not have found it a moment later.
            if (error instanceof DbusReplyError && GONE.has(error.dbusName)) return undefined;
            throw error;
          }),
        ),
      ),
      call<Array<[string, [string, Buffer, Buffer, string]]>>(SERVICE_PATH, SERVICE, 'GetSecrets', 'aoo', [unlocked, session]),
    ]);
    await call(session, 'org.freedesktop.Secret.Session', 'Close').catch(() => undefined);
    const secretOf = new Map(secrets.map(([item, secret]) => [item, secret]));
    const found: Credential[] = [];
    unlocked.forEach((item, index) => {
      const account = new Map((variantValue(attributes[index]) ?? []) as Array<[string, string]>).get('account');
      const secret = secretOf.get(item);
      // An entry without keytar's account attribute is none of keytar's; one whose secret did not come
      // is one keytar would not list either.
      if (account === undefined || secret === undefined) return;
      const [, parameters, value] = secret;
      const decipher = createDecipheriv('aes-128-cbc', key, parameters);
      found.push({ account, password: Buffer.concat([decipher.update(value), decipher.final()]).toString('utf8') });
    });
    return found;
  } finally {
    bus.connection.end();
  }
}

/**
 * A key pair in the IKE 1024-bit MODP group (RFC 2409's second Oakley group, OpenSSL's modp2), in
 * OpenSSL's key generation (0.3 ms; `getDiffieHellman('modp2').generateKeys()` takes ~27 ms).
 * @types/node does not declare the `dh` type of generateKeyPairSync, which Node has had since 13.9.
 */
function dhKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  const generate = generateKeyPairSync as unknown as (type: 'dh', options: { group: string }) => { publicKey: KeyObject; privateKey: KeyObject };
  return generate('dh', { group: 'modp2' });
}

/** A variant as dbus-native gives it: its signature, then its value in a list of one. */
function variantValue(variant: unknown): unknown {
  return Array.isArray(variant) && Array.isArray(variant[1]) ? variant[1][0] : undefined;
}

function variantBytes(variant: unknown): Buffer {
  const value = variantValue(variant);
  if (!Buffer.isBuffer(value)) throw new Error('the Secret Service answered OpenSession without a public key');
  return value;
}

/**
 * The AES key of the session: HKDF-SHA256 of the Diffie-Hellman secret, no salt, no info, 16
 * bytes, the secret padded to the prime's length (as libsecret and gnome-keyring compute it).
 */
function sessionKey(privateKey: KeyObject, ourSpki: Buffer, theirs: Buffer): Buffer {
  const publicKey = createPublicKey({ key: withPublicValue(ourSpki, theirs), format: 'der', type: 'spki' });
  const shared = diffieHellman({ privateKey, publicKey });
  const padded = Buffer.concat([Buffer.alloc(Math.max(0, PRIME_BYTES - shared.length)), shared]);
  return Buffer.from(hkdfSync('sha256', padded, Buffer.alloc(0), Buffer.alloc(0), 16));
}

// A DH public key as OpenSSL exports it (SubjectPublicKeyInfo, DER): SEQUENCE { the algorithm and
// the group, BIT STRING { INTEGER y } }. The Secret Service trades y alone, as unsigned big-endian
// bytes; Node can neither give nor take a DH key's y by itself, so the two DER shapes below are
// written out here (the group's part is copied from our own key as it is).

/** One DER element at `at`: its tag, where its content starts and ends. */
function element(der: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = der[at] as number;
  const first = der[at + 1] as number;
  if (first < 0x80) return { tag, start: at + 2, end: at + 2 + first };
  const size = first & 0x7f;
  const length = der.subarray(at + 2, at + 2 + size).reduce((sum, byte) => sum * 256 + byte, 0);
  return { tag, start: at + 2 + size, end: at + 2 + size + length };
}

function encoded(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const head = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...head]), content]);
}

/** The public key's y, as unsigned big-endian bytes. */
export function publicValue(spki: Buffer): Buffer {
  const outer = element(spki, 0);
  const algorithm = element(spki, outer.start);
  const bits = element(spki, algorithm.end);
  const integer = element(spki, bits.start + 1); // after the BIT STRING's count of unused bits
  if (outer.tag !== 0x30 || bits.tag !== 0x03 || integer.tag !== 0x02) throw new Error('not a DH public key');
  const y = spki.subarray(integer.start, integer.end);
  return y[0] === 0 ? y.subarray(1) : y;
}

/** Our public key's DER with `y` in place of ours: the peer's key, in the same group. */
export function withPublicValue(spki: Buffer, y: Buffer): Buffer {
  const outer = element(spki, 0);
  const algorithm = element(spki, outer.start);
  let start = 0;
  while (start < y.length - 1 && y[start] === 0) start += 1;
  const trimmed = y.subarray(start);
  const integer = encoded(0x02, (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
  const bits = encoded(0x03, Buffer.concat([Buffer.from([0]), integer]));
  return encoded(0x30, Buffer.concat([spki.subarray(outer.start, algorithm.end), bits]));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
