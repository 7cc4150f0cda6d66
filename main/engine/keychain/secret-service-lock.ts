/**
 * Whether the Secret Service (Linux, BSD) holds our entries locked: the one question keytar cannot
 * answer.
 *
 * keytar reads through libsecret, which on a locked collection tries to show an unlock prompt and,
 * when that fails (headless, over SSH, or the user dismisses it), reports a locked entry as absent
 * (`getPassword` → null, `deletePassword` → false), and `findCredentials` dereferences the missing
 * secret and kills the process (SIGSEGV; keytar is archived, so this will not be fixed upstream:
 * https://github.com/atom/node-keytar/issues/477); keytar's listing is made only where the listing
 * over D-Bus (secret-service-listing.ts, which refuses a locked collection itself) cannot begin.
 * The Secret Service API itself says it plainly: `SearchItems` answers two lists, the unlocked and
 * the locked matches. That call is made here with the D-Bus command-line client every desktop has
 * (`dbus-send`, else GLib's `gdbus`), only when keytar's answer is ambiguous or before keytar lists.
 * A process of its own, so that the paths that probe, the command's fast path among them, never
 * load the D-Bus client in JavaScript that listings use (secret-service-listing.ts).
 */

/** What the Secret Service says of the entries of one service name. */
export type LockState = 'locked' | 'unlocked' | 'unknown';

/**
 * Asks whether any entry of `service` (and of `account`, when given: keytar's two attributes) is
 * locked. Never throws; 'unknown' when it cannot tell.
 */
export type LockProbe = (service: string, account?: string) => Promise<LockState>;

/** How long one probe may take: D-Bus answers in milliseconds unless the bus itself is stuck. */
const PROBE_TIMEOUT_MS = 3_000;

async function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // Loaded on the first probe: the keychain adapter is on credential-process's cached path, which
  // never probes, and node:child_process costs milliseconds to load there.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/**
 * Reads `dbus-send --print-reply` output of a `(ao ao)` answer: "array [ object path "…" ] array [ … ]".
 * @returns whether the second (locked) list has an entry, or undefined when the text is not that shape.
 */
export function parseDbusSendLocked(text: string): boolean | undefined {
  const lists = text.split('array [').slice(1);
  if (lists.length !== 2) return undefined;
  return /object path/.test(lists[1] as string);
}

/** Reads `gdbus call` output of a `(ao ao)` answer: `([objectpath '…'], @ao [])`. */
export function parseGdbusLocked(text: string): boolean | undefined {
  const match = /^\((@ao )?\[(.*?)\], (@ao )?\[(.*?)\],?\)\s*$/s.exec(text.trim());
  if (!match) return undefined;
  return /objectpath|'\//.test(match[4] as string);
}

/** The probe against the session bus of `env` (the process's own by default). */
export function secretServiceLockProbe(env: NodeJS.ProcessEnv = process.env): LockProbe {
  return async (service, account) => {
    const attributes: Array<[string, string]> = [['service', service], ...(account === undefined ? [] : [['account', account] as [string, string]])];
    // dbus-send's dict syntax separates keys and values with commas.
    const dict = attributes.some(([, value]) => value.includes(',')) ? undefined : `dict:string:string:${attributes.flat().join(',')}`;
    const viaDbusSend =
      dict === undefined
        ? undefined
        : await run(
            'dbus-send',
            [
              '--session',
              '--print-reply',
              `--reply-timeout=${PROBE_TIMEOUT_MS - 500}`,
              '--dest=org.freedesktop.secrets',
              '/org/freedesktop/secrets',
              'org.freedesktop.Secret.Service.SearchItems',
              dict,
            ],
            env,
          );
    let locked = viaDbusSend === undefined ? undefined : parseDbusSendLocked(viaDbusSend);
    if (locked === undefined) {
      const quote = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
      const literal = `{${attributes.map(([key, value]) => `${quote(key)}: ${quote(value)}`).join(', ')}}`;
      const viaGdbus = await run(
        'gdbus',
        [
          'call',
          '--session',
          '--timeout',
          String(Math.floor(PROBE_TIMEOUT_MS / 1000)),
          '--dest',
          'org.freedesktop.secrets',
          '--object-path',
          '/org/freedesktop/secrets',
          '--method',
          'org.freedesktop.Secret.Service.SearchItems',
          literal,
        ],
        env,
      );
      locked = viaGdbus === undefined ? undefined : parseGdbusLocked(viaGdbus);
    }
    if (locked === undefined) return 'unknown';
    return locked ? 'locked' : 'unlocked';
  };
}
