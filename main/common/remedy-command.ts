/**
 * The command line that does a remedy ({@link Remedy}): the command prints it after the remedy's
 * words (main/cli/remedy.ts), and doctor's fixes use it, so a remedy reads the same everywhere.
 */
import type { KeptSettings, Remedy } from './errors';

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
