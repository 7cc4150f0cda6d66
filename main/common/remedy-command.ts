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
      return `mfa-tray add ${remedy.profile} --force --access-key-id <id>${remedy.keep ? option('mfa-serial', remedy.keep.mfaSerial) : ' --mfa-serial <serial>'}${keptOptions(remedy.keep)}`;
    case 'import-key':
      // --force: the profile exists (its key is what is missing or damaged).
      return (
        `mfa-tray import ${remedy.profile}${remedy.section ? `${option('from', remedy.section)} --remove-plaintext` : ' --from <section>'} --force` +
        `${remedy.keep ? option('mfa-serial', remedy.keep.mfaSerial) : ''}${keptOptions(remedy.keep)}`
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
  return keep ? `${option('target', keep.targetSection)}${option('region', keep.region)}${option('duration', String(keep.durationSeconds))}` : '';
}

/** ` --name value`; `--name=value` for a value that starts with "-" (the parser would take it for an option). */
function option(name: string, value: string): string {
  return value.startsWith('-') ? ` --${name}=${value}` : ` --${name} ${value}`;
}
