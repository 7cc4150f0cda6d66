/**
 * Codes from a YubiKey's OATH application, read with Yubico's own command line tool, `ykman oath
 * accounts code --single <account>`, for profiles whose config-file section names the account
 * (`yubikey_oath_account`, and `yubikey_serial` when more than one key is plugged in). ykman is
 * run, not reimplemented: it owns the USB/CCID protocol, touch and password handling. When the
 * account wants a touch, ykman says so on stderr and waits: that becomes `onTouch`. A missing
 * ykman, key or account is one line saying which.
 */
import type { ChildProcess } from 'node:child_process';
import { MfaTrayError } from '../../common/errors';

/** How long ykman may take, a touch included. */
export const YUBIKEY_TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 1024;

export interface YubikeyAccount {
  /** The OATH account's name on the key ("Amazon Web Services:alice@123456789012"). */
  readonly account: string;
  /** The key's serial number, when several keys may be plugged in. */
  readonly serial?: string;
}

export interface YubikeyOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Called once when the key waits for a touch. */
  readonly onTouch?: () => void;
}

/** Reads the account's current code from the YubiKey. */
export async function readYubikeyCode(key: YubikeyAccount, profile: string, options: YubikeyOptions = {}): Promise<string> {
  // Loaded on first use: most engines never read a YubiKey (node:child_process is ~1.7 MB).
  const { spawn } = await import('node:child_process');
  const timeoutMs = options.timeoutMs ?? YUBIKEY_TIMEOUT_MS;
  const args = [...(key.serial ? ['--device', key.serial] : []), 'oath', 'accounts', 'code', '--single', '--', key.account];
  return new Promise((resolve, reject) => {
    const fail = (message: string, retryable = false): void =>
      reject(new MfaTrayError('yubikey', message, { retryable, remedy: { action: 'refresh-with-code', profile } }));
    let child: ChildProcess;
    try {
      child = spawn('ykman', args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, windowsHide: true });
    } catch {
      fail(NOT_INSTALLED);
      return;
    }
    let output = Buffer.alloc(0);
    let errors = '';
    let touched = false;
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      child.kill('SIGKILL');
      fail(
        touched ? `The YubiKey was not touched within ${Math.round(timeoutMs / 1000)} s.` : `ykman did not answer within ${Math.round(timeoutMs / 1000)} s.`,
        true,
      );
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (output.length <= MAX_OUTPUT_BYTES) output = Buffer.concat([output, chunk]);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (errors.length < MAX_OUTPUT_BYTES) errors += chunk;
      if (!touched && /touch/i.test(errors)) {
        touched = true;
        options.onTouch?.();
      }
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (!finish()) return;
      fail(error.code === 'ENOENT' ? NOT_INSTALLED : `ykman could not be started (${error.code ?? error.name}).`);
    });
    child.on('close', (status) => {
      if (!finish()) return;
      if (status !== 0) {
        fail(explain(errors, key, status));
        return;
      }
      const code = output.length > MAX_OUTPUT_BYTES ? '' : output.toString('utf8').trim();
      if (!/^\d{6}$/.test(code)) {
        fail(`The YubiKey's account "${key.account}" did not give a 6-digit code (AWS takes 6-digit TOTP codes only).`);
        return;
      }
      resolve(code);
    });
  });
}

const NOT_INSTALLED =
  'ykman (YubiKey Manager) is not installed or not on PATH. Install it (apt install yubikey-manager, brew install ykman, or pipx install yubikey-manager), or give the code by hand.';

/** ykman's failure in plain words (its own wording for the common cases, matched loosely). */
function explain(stderr: string, key: YubikeyAccount, status: number | null): string {
  if (/no yubikey|no .*device|not detected|failed to connect/i.test(stderr)) {
    return key.serial ? `No YubiKey with serial ${key.serial} is plugged in: insert it and try again.` : 'No YubiKey is plugged in: insert it and try again.';
  }
  if (/no matching account|no account/i.test(stderr)) {
    return `The YubiKey has no OATH account "${key.account}" (see: ykman oath accounts list).`;
  }
  if (/multiple/i.test(stderr)) {
    return `More than one YubiKey is plugged in: name one with yubikey_serial in the profile's section of the AWS config file.`;
  }
  if (/password/i.test(stderr)) {
    return "The YubiKey's OATH application is password-protected: remember the password on this computer once (ykman oath access remember), or give the code by hand.";
  }
  return `ykman failed (exit status ${status ?? 'none'}).`;
}
