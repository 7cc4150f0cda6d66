/**
 * Talking to the person at the terminal: reading a piped secret, asking without echo, asking for a
 * line, and reaching the terminal itself (`/dev/tty`) when stdin and stdout are pipes, as they are
 * for `credential_process` (the SDKs capture stdout and stderr).
 */
import { closeSync, openSync } from 'node:fs';
import { clearScreenDown, createInterface, cursorTo, moveCursor, type Interface } from 'node:readline';
import { ReadStream, WriteStream, isatty } from 'node:tty';

/** Why a question ended without an answer. */
export type CancelReason = 'interrupt' | 'end-of-input' | 'skipped' | 'aborted';

/** The person cancelled a prompt (Ctrl-C, or Ctrl-D on an empty line). Exit status 130. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';

  constructor(
    message = 'cancelled',
    readonly reason: CancelReason = 'interrupt',
  ) {
    super(message);
  }
}

/** The most a piped secret may be: a TOTP URI or a key is far less; more is not a secret but a mistake. */
const MAX_STDIN_BYTES = 64 * 1024;

/**
 * Reads all of stdin (a pipe or a file) as UTF-8, without the surrounding white space (the newline
 * `echo` adds, a CRLF from Windows). Empty input is returned as ''.
 */
export async function readPipedText(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new RangeError('stdin');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').trim();
}

// Bracketed-paste markers and other escape sequences (arrow keys) a terminal sends in raw mode.
// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point
const ESCAPE_SEQUENCE = /\u001b\[[0-9;?]*[A-Za-z~]|\u001b[^[]/g;

/**
 * Asks for a secret on a terminal without echoing it: raw mode, Enter ends, Backspace and Ctrl-U
 * edit, Ctrl-C (or Ctrl-D on an empty line) cancels. Nothing of the secret is written anywhere.
 */
export function promptHidden(input: ReadStream, output: NodeJS.WritableStream, question: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    // Raw mode (no echo) before the question appears: whatever is typed after seeing it stays hidden.
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    output.write(question);
    let value = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      signal?.removeEventListener('abort', onAbort);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onAbort = (): void => finish(new CancelledError('cancelled', 'aborted'));
    const onData = (chunk: Buffer | string): void => {
      const text = (typeof chunk === 'string' ? chunk : chunk.toString('utf8')).replace(ESCAPE_SEQUENCE, '');
      for (const character of text) {
        if (character === '\r' || character === '\n') return finish();
        if (character === '\u0003') return finish(new CancelledError());
        if (character === '\u0004') return value === '' ? finish(new CancelledError('cancelled', 'end-of-input')) : finish();
        if (character === '\u007f' || character === '\b') value = [...value].slice(0, -1).join('');
        else if (character === '\u0015') value = '';
        else if (character >= ' ') value += character;
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    input.on('data', onData);
    input.resume();
  });
}

/** The question open on a terminal now ({@link promptLine}), for the lines printed meanwhile ({@link writeLine}). */
let openQuestion: { readonly rl: Interface; readonly output: NodeJS.WritableStream } | undefined;

/** Whether `stream` is a terminal (Node sets `isTTY` only on a tty's streams). */
export function isTty(stream: NodeJS.WritableStream | NodeJS.ReadableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Writes one line to `stream`. While a question is open on the terminal and `stream` is a terminal
 * too (`watch`'s event lines, on stdout, while its code question waits on stderr), the line goes
 * above the question, which is then shown again with what was typed so far (seen: the line landed
 * after the question, which was not shown again).
 */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  const open = openQuestion;
  if (!open || !isTty(stream) || !isTty(open.output)) {
    stream.write(`${line}\n`);
    return;
  }
  // From the question's first row: erased, then the line.
  const { rows } = open.rl.getCursorPos();
  moveCursor(open.output, 0, -rows);
  cursorTo(open.output, 0);
  clearScreenDown(open.output);
  stream.write(`${line}\n`);
  // readline draws the question again from as many rows above the cursor as the cursor was below
  // its start (its last drawing's row, which it keeps up to date with each key): so many new rows.
  open.output.write('\n'.repeat(rows));
  open.rl.prompt(true);
}

/**
 * Asks for one line (with echo and line editing on a terminal). Ctrl-C, Ctrl-D or `signal`
 * cancel with a {@link CancelledError}.
 */
export function promptLine(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string, signal?: AbortSignal): Promise<string> {
  // Given up on already: not asked (an 'abort' listener added now would never run).
  if (signal?.aborted) return Promise.reject(new CancelledError('cancelled', 'aborted'));
  return new Promise((resolve, reject) => {
    const terminal = isTty(input);
    const rl = createInterface({ input, output, terminal });
    const asked = { rl, output };
    if (terminal) openQuestion = asked;
    let answered = false;
    let reason: CancelReason = 'end-of-input';
    const onAbort = (): void => {
      reason = 'aborted';
      rl.close();
    };
    // In terminal mode readline takes Ctrl-C itself instead of the SIGINT the terminal would send.
    rl.on('SIGINT', () => {
      reason = 'interrupt';
      rl.close();
    });
    rl.on('close', () => {
      if (openQuestion === asked) openQuestion = undefined;
      signal?.removeEventListener('abort', onAbort);
      if (answered) return;
      output.write('\n');
      reject(new CancelledError('cancelled', reason));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

/** The terminal itself, opened apart from stdin/stdout/stderr. */
export interface Terminal {
  readonly input: ReadStream;
  readonly output: WriteStream;
  close(): void;
}

/**
 * Opens the controlling terminal (`/dev/tty`; `CONIN$`/`CONOUT$` on Windows), or returns undefined
 * when the process has none (started by a GUI, cron, a CI job, or with `setsid`).
 */
export function openTerminal(platform: NodeJS.Platform = process.platform): Terminal | undefined {
  const [inPath, outPath] = platform === 'win32' ? ['CONIN$', 'CONOUT$'] : ['/dev/tty', '/dev/tty'];
  let inFd: number | undefined;
  let outFd: number | undefined;
  try {
    inFd = openSync(inPath, 'r');
    outFd = openSync(outPath, 'w');
    if (!isatty(inFd) || !isatty(outFd)) throw new Error('not a terminal');
  } catch {
    for (const fd of [inFd, outFd]) if (fd !== undefined) closeSync(fd);
    return undefined;
  }
  const input = new ReadStream(inFd);
  const output = new WriteStream(outFd);
  return {
    input,
    output,
    close() {
      input.destroy();
      output.destroy();
    },
  };
}
