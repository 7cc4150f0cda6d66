/**
 * The person's pick among several MFA devices (`add` and `import` when no device was named), on the
 * terminal: stdin when it is one, else the controlling terminal (the secret may have come through a
 * pipe). Without a terminal there is no chooser, and the engine's error lists the devices instead.
 * Which devices are usable, and when to ask at all, is the engine's rule (aws/mfa-devices.ts).
 */
import { MfaTrayError } from '../common/errors';
import type { ChooseMfaDevice, MfaDevice } from '../engine';
import type { CliContext } from './context';
import { openTerminal, promptLine } from './terminal';

const TRIES = 3;

/** A chooser on this process's terminal, or undefined when there is none. */
export function terminalDeviceChooser(ctx: CliContext): ChooseMfaDevice | undefined {
  const { stdin, stderr } = ctx.streams;
  const onStdin = stdin.isTTY === true;
  if (!onStdin) {
    const probe = openTerminal();
    if (probe === undefined) return undefined;
    probe.close();
  }
  return async (usable, all) => {
    const terminal = onStdin ? undefined : openTerminal();
    const input = terminal?.input ?? stdin;
    const output = terminal?.output ?? stderr;
    try {
      output.write(`This IAM user has ${usable.length} MFA devices that give codes:\n`);
      usable.forEach((device, index) => output.write(`  ${index + 1}  ${describe(device)}\n`));
      for (const device of all.filter((d) => !d.usable)) output.write(`  -  ${describe(device)}\n`);
      for (let attempt = 1; ; attempt += 1) {
        const answer = (await promptLine(input, output, `Which one (1-${usable.length})? `)).trim();
        const chosen = /^\d+$/.test(answer) ? usable[Number(answer) - 1] : usable.find((d) => d.serialNumber === answer);
        if (chosen) return chosen.serialNumber;
        const message = `"${answer.slice(0, 40)}" is not one of 1-${usable.length}.`;
        if (attempt >= TRIES) throw new MfaTrayError('invalid-input', `MFA device: ${message}`, { field: 'mfaSerial' });
        output.write(`${message}\n`);
      }
    } finally {
      terminal?.close();
    }
  };
}

/** One device's line: serial, kind, when enabled; a security key says why it cannot be used. */
export function describe(device: MfaDevice): string {
  const kind =
    device.kind === 'security-key'
      ? 'security key: gives no code STS accepts'
      : `${device.kind === 'virtual' ? 'virtual (authenticator app)' : 'hardware'}${device.usable ? '' : ', not usable here'}`;
  const enabled = device.enabledAt === undefined ? '' : `, enabled ${new Date(device.enabledAt).toISOString().slice(0, 10)}`;
  return `${device.serialNumber}  (${kind}${enabled})`;
}
