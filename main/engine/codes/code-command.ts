/**
 * A code from a command: `mfa_process` in a profile of the AWS config file (aws-vault's key), for
 * codes kept in a password manager (`op item get work --otp`) or made by a tool (`oathtool`). The
 * command runs in the user's shell with a time limit; its output must be the 6 digits and nothing
 * else. Neither its output nor its arguments go into a message: both may hold a secret (a TOTP
 * secret on `oathtool`'s command line, a password manager's answer), so errors name the program
 * and its exit status only.
 */
import type { ChildProcess } from 'node:child_process';
import { MfaTrayError } from '../../common/errors';

/** How long a code command may take (a password manager may wait for its unlock). */
export const CODE_COMMAND_TIMEOUT_MS = 60_000;
/** More output than a code and a line break is not a code; reading stops there. */
const MAX_OUTPUT_BYTES = 1024;

/** "oathtool …": the program, without its arguments. */
export function describeCommand(command: string): string {
  const words = command.trim().split(/\s+/);
  return words.length > 1 ? `${words[0]} …` : (words[0] ?? '');
}

/**
 * Runs `command` (the `mfa_process` of `profile`) in the shell and returns the code it printed.
 */
export async function runCodeCommand(
  command: string,
  profile: string,
  options: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  // Loaded on first use: most engines never run a code command (node:child_process is ~1.7 MB).
  const { spawn } = await import('node:child_process');
  const timeoutMs = options.timeoutMs ?? CODE_COMMAND_TIMEOUT_MS;
  const named = `The code command \`${describeCommand(command)}\` (mfa_process of profile ${profile} in the AWS config file)`;
  return new Promise((resolve, reject) => {
    const fail = (message: string, retryable = false): void =>
      reject(new MfaTrayError('code-command', `${named} ${message}`, { retryable, remedy: { action: 'refresh-with-code', profile } }));
    let child;
    try {
      // The shell, as aws-vault runs mfa_process: the command may use pipes and quoting.
      // Its own process group (POSIX), so that a time-out ends the shell and whatever it started.
      child = spawn(command, {
        shell: true,
        stdio: ['ignore', 'pipe', 'ignore'],
        env: options.env ?? process.env,
        windowsHide: true,
        detached: process.platform !== 'win32',
      });
    } catch {
      fail('could not be started.');
      return;
    }
    let output = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      killGroup(child);
      fail(`did not finish within ${Math.round(timeoutMs / 1000)} s.`, true);
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (output.length <= MAX_OUTPUT_BYTES) output = Buffer.concat([output, chunk]);
    });
    child.on('error', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fail('could not be started.');
    });
    child.on('close', (status, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (status !== 0) {
        fail(
          status === null
            ? `was ended by ${signal ?? 'a signal'}.`
            : status === 127
              ? 'was not found (exit status 127).'
              : `failed with exit status ${status}.`,
        );
        return;
      }
      const code = output.length > MAX_OUTPUT_BYTES ? '' : output.toString('utf8').trim();
      if (!/^\d{6}$/.test(code)) {
        fail('did not print a 6-digit code (and nothing else).');
        return;
      }
      resolve(code);
    });
  });
}

/** Ends a timed-out command and everything it started; its output is no longer read. */
function killGroup(child: ChildProcess): void {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
  child.stdout?.destroy();
  child.unref();
}
