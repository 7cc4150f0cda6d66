/**
 * The one-time code as the user types or pastes it: pure helpers shared by the code prompt and the
 * profile list's inline code entry.
 */
import { checkCode, withoutCodeSeparators, type FieldIssue } from '../../main/common/validation';

/** What the code field holds after cleaning: the text to show, and whether it is ready to send. */
export interface CodeEntry {
  /** The field's cleaned text (spaces and dashes gone, full-width digits folded). */
  readonly text: string;
  /** The code to send once it is six digits, else undefined. */
  readonly code?: string;
  /** Why it cannot be sent, once it never could be (a letter); undefined while still being typed. */
  readonly issue?: FieldIssue;
}

/**
 * Cleans a code as typed or pasted ("123 456", "123-456", "１２３ー４５６") as `checkCode` does
 * (`withoutCodeSeparators`). Reports an issue early only for what more typing cannot fix (anything
 * but digits, or more than six).
 */
export function readCodeEntry(raw: string): CodeEntry {
  const text = withoutCodeSeparators(raw);
  if (text === '') return { text };
  const checked = checkCode(text);
  if (checked.ok) return { text, code: checked.value };
  if (/^[0-9]{1,5}$/.test(text)) return { text };
  return { text, issue: checked.issue };
}
