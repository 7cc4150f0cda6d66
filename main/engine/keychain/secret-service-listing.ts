/**
 * keytar's `findCredentials` for the Secret Service (Linux, the BSDs), made over D-Bus in a few round
 * trips whatever the number of entries.
 *
 * Why not keytar's own: libsecret lists by making a proxy object for each entry, and each proxy
 * costs three D-Bus round trips made one after another (`StartServiceByName`, `GetNameOwner`,
 * `GetAll`): 65–86 ms for 100 entries here, most of what `mfa-tray status` with 100 profiles spends
 * (README, benchmark row 7). Making keytar's calls side by side instead is not safe: libsecret used
 * from several threads at once has aborted processes (atom/node-keytar#283), and the store keeps
 * its calls one at a time. So this module asks the Secret Service directly, on a connection of its
 * own, with dbus-native (a D-Bus client in JavaScript): a first call that needs nothing (see
 * {@link findCredentials}), one `SearchItems`, then one session, each entry's attributes asked for
 * all at once (sent together, answered together), and one `GetSecrets`.
 *
 * The secrets come over the bus encrypted, as libsecret has them come: the Secret Service API's
 * `dh-ietf1024-sha256-aes128-cbc-pkcs7` session (a Diffie-Hellman exchange in the IKE 1024-bit MODP
 * group, an HKDF-SHA256 key, AES-128-CBC).
 * https://specifications.freedesktop.org/secret-service-spec/latest/transfer-secrets.html
 *
 * Only listing is made here; every other keychain call stays keytar's. Where this client cannot
 * begin (no session bus address or one it does not dial, a bus that refuses or closes the
 * connection before any answer, no Secret Service on it, a Secret Service without that session),
 * {@link findCredentials} throws {@link ListingNotStarted}, having read no entry, and the caller
 * lists through keytar instead, whose errors say what is missing. Anything else (a hang, a timeout,
 * a locked collection) is thrown as it is: keytar would fare no better, and its listing crashes on
 * a locked entry.
 */
import { createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type * as DbusNative from 'dbus-native';

/** One entry as keytar's `findCredentials` gives it. */
export interface Credential {
  readonly account: string;
  readonly password: string;
}

/** This client could not begin: it has read no entry, and the listing may be made another way. */
export class ListingNotStarted extends Error {}

/** Options for {@link findCredentials}. */
export interface ListingOptions {
  /** Where the session bus is found. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Gives up: the connection is closed, and every call waiting on it ends at once. */
  readonly signal?: AbortSignal;
}

const SECRETS = 'org.freedesktop.secrets';
const SERVICE_PATH = '/org/freedesktop/secrets';
const SERVICE = 'org.freedesktop.Secret.Service';
const ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7';
/** libsecret stores keytar's entries under this schema name, and keytar's searches ask for it. */
const KEYTAR_SCHEMA = 'org.freedesktop.Secret.Generic';
/**
 * How long one D-Bus call may take here: a backstop only. The keychain store's timeout (10 s by
 * default) comes first and gives up on the listing through its `abandon` (the signal above).
 */
const CALL_TIMEOUT_MS = 30_000;

/** The error replies that mean no Secret Service can be reached on this bus: keytar may say why. */
const UNREACHABLE = new Set([
  'org.freedesktop.DBus.Error.ServiceUnknown',
  'org.freedesktop.DBus.Error.NameHasNoOwner',
  'org.freedesktop.DBus.Error.Spawn.ChildExited',
  'org.freedesktop.DBus.Error.Spawn.ExecFailed',
  'org.freedesktop.DBus.Error.Spawn.FailedToSetup',
  'org.freedesktop.DBus.Error.AccessDenied',
]);

/**
 * The error replies for an object that no longer exists: the Secret Service's, D-Bus's, and
 * GDBus's for a path nothing is registered at (gnome-keyring: "Object does not exist at path").
 */
const GONE = new Set(['org.freedesktop.Secret.Error.NoSuchObject', 'org.freedesktop.DBus.Error.UnknownObject', 'org.freedesktop.DBus.Error.UnknownMethod']);

/** The session bus this process would use, as GDBus finds it (the variable, else the user's bus socket). */
export function sessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const given = env.DBUS_SESSION_BUS_ADDRESS?.split(';').find((address) => address.trim() !== '');
  if (given !== undefined) return given;
  return env.XDG_RUNTIME_DIR ? `unix:path=${env.XDG_RUNTIME_DIR}/bus` : undefined;
}

/** The message that makes the store (`backendError` in keytar-secret-store.ts) say `keychain-locked`. */
function lockedCollection(count: number): Error {
  return new Error(`${count} of the entries are in a locked collection`);
}

/**
 * Every entry of keytar's `service` that the Secret Service holds, as keytar lists them. Throws
 * {@link ListingNotStarted} where it could not begin (see the module's comment); an error that
 * names a locked collection when any entry of `service` is locked, or was locked before its secret
 * was read (keytar's listing would show an unlock prompt, or crash the process); else the D-Bus
 * error as it came.
 */
export async function findCredentials(service: string, { env = process.env, signal }: ListingOptions = {}): Promise<Credential[]> {
  if (signal?.aborted) throw new Error('the listing was given up on before it began');
  const address = sessionBusAddress(env);
  if (address === undefined) throw new ListingNotStarted('no D-Bus session bus address');
  // A socket only: dbus-native would start the program of a `unixexec:` address (with no way to
  // hear that it failed) and cannot dial `autolaunch:`; GDBus, through keytar, can try those.
  if (!/^unix:(path|abstract)=/.test(address)) throw new ListingNotStarted(`a session bus address this client does not dial (${address.split(':')[0]}:)`);
  let dbus: typeof DbusNative;
  let bus: DbusNative.MessageBus;
  try {
    dbus = await import('dbus-native');
    bus = dbus.createClient({ busAddress: address, authMethods: ['EXTERNAL'] });
  } catch (error) {
    throw new ListingNotStarted(`the session bus could not be dialled: ${messageOf(error)}`);
  }
  // The connection's own failures (refused, closed, authentication rejected): every call waiting on
  // it ends at once. Without a listener they would be thrown as an uncaught 'error' event.
  let broken: Error | undefined;
  const close = (): void => (bus.connection as { stream?: { destroy(): void } }).stream?.destroy();
  bus.connection.on('error', (error: Error) => {
    broken ??= error;
    close();
  });
  // An error reply keeps its D-Bus name apart from its text (`dbusName`): asked for below, and put
  // in the text where the text does not already say it.
  const call = <T>(path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<T> =>
    Promise.resolve(bus.invoke<T>({ destination: SECRETS, path, interface: iface, member, signature, body }, { timeout: CALL_TIMEOUT_MS })).catch(
      (error: unknown) => {
        const name = dbusNameOf(error);
        if (name === undefined || messageOf(error).includes(name)) throw error;
        throw Object.assign(new Error(`${name}: ${messageOf(error)}`, { cause: error }), { dbusName: name });
      },
    );
  // Given up on: the connection is closed, which ends every call waiting on it (one listener for
  // the listing, not one per call: a hundred would each be a listener on the signal).
  signal?.addEventListener('abort', close, { once: true });
  try {
    try {
      // First a call that needs nothing of this connection, as libsecret's first is (its proxy
      // reads the service's properties). gnome-keyring learns of a new connection in a callback of
      // its own, which may run after that connection's first call is handled, and a session opened
      // then aborts the daemon (assertion 'client' failed: seen here within seconds of four
      // processes opening sessions on new connections, never with this call first). It narrows a
      // window that gnome-keyring leaves open; libsecret's order narrows it the same way.
      await call(SERVICE_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss', [SERVICE, 'Collections']);
    } catch (error) {
      // Refused, closed before any answer, or no Secret Service: nothing was read. A hang or a
      // timeout is not this: keytar would hang on it too.
      if (signal?.aborted) throw error;
      const closed = [error, (error as { cause?: unknown }).cause].some((e) => e instanceof dbus.ConnectionClosedError);
      if (broken || closed || UNREACHABLE.has(dbusNameOf(error) ?? '')) {
        throw new ListingNotStarted(`the Secret Service could not be asked: ${messageOf(broken ?? error)}`);
      }
      throw error;
    }
    const [unlocked, locked] = await call<[string[], string[]]>(SERVICE_PATH, SERVICE, 'SearchItems', 'a{ss}', [
      [
        ['service', service],
        ['xdg:schema', KEYTAR_SCHEMA],
      ],
    ]);
    if (locked.length > 0) throw lockedCollection(locked.length);
    // Nothing to read (no TOTP secret registered, say): no session to open.
    if (unlocked.length === 0) return [];
    let exchange: KeyExchange;
    let opened: [unknown, string];
    try {
      exchange = keyExchange();
      opened = await call<[unknown, string]>(SERVICE_PATH, SERVICE, 'OpenSession', 'sv', [ALGORITHM, ['ay', exchange.publicValue]]);
    } catch (error) {
      // A Secret Service that offers only "plain" sessions: the search above read no secret.
      if (dbusNameOf(error) === 'org.freedesktop.DBus.Error.NotSupported' || !isDbusError(error, dbus)) {
        throw new ListingNotStarted(`no encrypted session: ${messageOf(error)}`);
      }
      throw error;
    }
    const [output, session] = opened;
    const key = exchange.sessionKey(variantBytes(output));
    // Sent together: the bus keeps their order, and the answers come back as fast as the service
    // gives them. `GetSecrets` first: it leaves out an item deleted or locked since the search, and
    // an item whose attributes are then still there was locked, not deleted. No `Close` of the
    // session after: the service ends it with the connection.
    const [secrets, attributes] = await Promise.all([
      call<Array<[string, [string, Buffer, Buffer, string]]>>(SERVICE_PATH, SERVICE, 'GetSecrets', 'aoo', [unlocked, session]),
      Promise.all(
        unlocked.map((item) =>
          call<unknown>(item, 'org.freedesktop.DBus.Properties', 'Get', 'ss', ['org.freedesktop.Secret.Item', 'Attributes']).catch((error: unknown) => {
            // Deleted since the search: not listed, as keytar would not have found it a moment later.
            if (GONE.has(dbusNameOf(error) ?? '')) return undefined;
            throw error;
          }),
        ),
      ),
    ]);
    const secretOf = new Map(secrets.map(([item, secret]) => [item, secret]));
    const found: Credential[] = [];
    let lockedSince = 0;
    unlocked.forEach((item, index) => {
      const attributesOf = variantValue(attributes[index]);
      // Deleted since the search.
      if (attributesOf === undefined) return;
      const account = new Map(attributesOf as Array<[string, string]>).get('account');
      // An entry without keytar's account attribute is none of keytar's.
      if (account === undefined) return;
      const secret = secretOf.get(item);
      // Its secret left out of the answer, the item still there after: locked since the search.
      if (secret === undefined) {
        lockedSince += 1;
        return;
      }
      const [, parameters, value] = secret;
      const decipher = createDecipheriv('aes-128-cbc', key, parameters);
      // As text, whatever its content type, as keytar reads it (an entry MFA Tray did not write is
      // refused later as not what it stores).
      found.push({ account, password: Buffer.concat([decipher.update(value), decipher.final()]).toString('utf8') });
    });
    if (lockedSince > 0) throw lockedCollection(lockedSince);
    return found;
  } finally {
    signal?.removeEventListener('abort', close);
    close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function dbusNameOf(error: unknown): string | undefined {
  const name = (error as { dbusName?: unknown } | undefined)?.dbusName;
  return typeof name === 'string' ? name : undefined;
}

/** Whether dbus-native raised it (an error reply, a timeout, a closed connection): not our own code's. */
function isDbusError(error: unknown, dbus: typeof DbusNative): boolean {
  return dbusNameOf(error) !== undefined || error instanceof dbus.DBusError;
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
 * The prime of the IKE 1024-bit MODP group (RFC 2409, 6.2: the second Oakley group), generator 2:
 * the group `dh-ietf1024` names.
 */
export const IETF_1024_PRIME = Buffer.from(
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
  'hex',
);
const PRIME = BigInt(`0x${IETF_1024_PRIME.toString('hex')}`);
const PRIME_BYTES = IETF_1024_PRIME.length;

/** One side of the session's key exchange. */
export interface KeyExchange {
  /** Our public value, unsigned big-endian, as the Secret Service takes it. */
  readonly publicValue: Buffer;
  /** The AES key from the service's public value. */
  sessionKey(theirs: Buffer): Buffer;
}

/**
 * A Diffie-Hellman exchange in the IKE 1024-bit group, with a 256-bit private exponent (twice the
 * group's ~80-bit strength, as OpenSSL chooses for it).
 *
 * The two modular exponentiations are written here with BigInt because Node's DH is no use for it:
 * `createDiffieHellman(prime)` checks the prime first (30–65 ms here, more than the listing), the
 * named group `modp2` and DH key objects are missing from BoringSSL, the OpenSSL Electron's Node is
 * built on (electron/electron#39603), and the tray app's keychain helper runs in Electron. They are
 * not constant-time: the private exponent is used once, for one exchange with a local service, and
 * dropped. HKDF is two HMACs (RFC 5869) for the same reason.
 */
export function keyExchange(privateBytes: Buffer = randomBytes(32)): KeyExchange {
  const exponent = BigInt(`0x${privateBytes.toString('hex')}`);
  return {
    publicValue: toBytes(modPow(2n, exponent, PRIME)),
    sessionKey(theirs) {
      const peer = BigInt(`0x${theirs.toString('hex') || '0'}`);
      if (peer <= 1n || peer >= PRIME - 1n) throw new Error('the Secret Service sent a public value outside the group');
      return hkdfSha256(toBytes(modPow(peer, exponent, PRIME), PRIME_BYTES), 16);
    },
  };
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

/** Unsigned big-endian, left-padded with zeros to `length` (as libsecret pads the shared secret). */
function toBytes(value: bigint, length = 0): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.padStart(Math.max(length * 2, hex.length + (hex.length % 2)), '0'), 'hex');
}

/**
 * HKDF-SHA256 (RFC 5869) with no salt (a hash's length of zeros) and no info, as libsecret derives
 * the key; one block, so at most 32 bytes.
 */
export function hkdfSha256(secret: Buffer, length: number): Buffer {
  if (length > 32) throw new RangeError('one HKDF-SHA256 block gives at most 32 bytes');
  const pseudorandomKey = createHmac('sha256', Buffer.alloc(32)).update(secret).digest();
  return createHmac('sha256', pseudorandomKey)
    .update(Buffer.from([1]))
    .digest()
    .subarray(0, length);
}
