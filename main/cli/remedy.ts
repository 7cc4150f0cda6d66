/**
 * An error's remedies as the command shows them: command lines, each after the words of the
 * shared catalog ("register the device's secret: mfa-tray totp set dev").
 */
import { REMEDY_WORDS } from '../common/catalog/remedies';
import type { Remedy } from '../common/errors';
import { remedyCommand } from '../common/remedy-command';

/** "Give the code: mfa-tray refresh dev --code <6 digits>; or register the device's secret: mfa-tray totp set dev." */
export function describeRemedies(remedies: readonly Remedy[]): string {
  const parts = remedies.map((remedy) => {
    const { phrase } = REMEDY_WORDS.en[remedy.action];
    const command = remedyCommand(remedy);
    return command === undefined ? phrase : `${phrase}: ${command}`;
  });
  const text = parts.join('; or ');
  return text === '' ? '' : `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
