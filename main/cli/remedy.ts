/**
 * An error's remedies as the command shows them: command lines, each after the words of the
 * shared catalog ("register the device's secret: mfa-tray totp set dev").
 */
import { REMEDY_WORDS } from '../common/catalog/remedies';
import type { KeptSettings, Remedy } from '../common/errors';

/** The command line that does a remedy, or undefined when it is not a command (unlocking the keychain). */
export function remedyCommand(remedy: Remedy): string | undefined {
  switch (remedy.action) {
    case 'refresh':
      return `mfa-tray refresh ${remedy.profile}`;
    case 'refresh-with-code':
      return `mfa-tray refresh ${remedy.profile} --code <6 digits>`;
    case 'set-totp':
      return `mfa-tray totp set ${remedy.profile}`;
    case 'remove-totp':
      return `mfa-tray totp remove ${remedy.profile}`;
    case 'add-key':
      return `mfa-tray add ${remedy.profile} --force --access-key-id <id> --mfa-serial ${remedy.keep?.mfaSerial ?? '<serial>'}${keptOptions(remedy.keep)}`;
    case 'import-key':
      // --force: the profile exists (its key is what is missing or damaged).
      return (
        `mfa-tray import ${remedy.profile} --from ${remedy.section ?? '<section>'}${remedy.section ? ' --remove-plaintext' : ''} --force` +
        `${remedy.keep ? ` --mfa-serial ${remedy.keep.mfaSerial}` : ''}${keptOptions(remedy.keep)}`
      );
    case 'edit-target':
      return `mfa-tray edit ${remedy.profile} --target <section>`;
    case 'add-profile':
      return 'mfa-tray add <profile> --mfa-serial <serial> --access-key-id <id>';
    case 'diagnose':
      return `mfa-tray doctor ${remedy.profile}`;
    case 'unlock-keychain':
      return undefined;
  }
}

/** The options that keep a profile's settings when its key is stored again (none without them). */
function keptOptions(keep: KeptSettings | undefined): string {
  return keep ? ` --target ${keep.targetSection} --region ${keep.region} --duration ${keep.durationSeconds}` : '';
}

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
