/**
 * Modal dialogs on the native `<dialog>`: focus is kept inside, Esc cancels, and the focus goes
 * back to the control that opened it.
 */
import { append, el, uniqueId, type Child } from './dom';

export interface DialogHandle {
  readonly dialog: HTMLDialogElement;
  /** Closes and removes the dialog. */
  close(): void;
  /** While busy, Esc does not cancel (an operation is on its way). */
  setBusy(busy: boolean): void;
}

/** Opens a modal dialog titled `title` holding `content`; it is removed from the page when closed. */
export function openDialog(options: {
  readonly title: string;
  readonly className?: string;
  readonly content: (handle: DialogHandle) => Child[];
  readonly onClosed?: () => void;
}): DialogHandle {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const titleId = uniqueId('dialog-title');
  const dialog = el('dialog', { className: options.className ?? '', attrs: { 'aria-labelledby': titleId } });
  let busy = false;
  const handle: DialogHandle = {
    dialog,
    close: () => dialog.close(),
    setBusy(value) {
      busy = value;
      dialog.setAttribute('aria-busy', String(value));
    },
  };
  dialog.addEventListener('cancel', (event) => {
    if (busy) event.preventDefault();
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    options.onClosed?.();
  });
  dialog.append(el('h2', { id: titleId, className: 'dialog-title' }, options.title));
  append(dialog, ...options.content(handle));
  document.body.append(dialog);
  dialog.showModal();
  return handle;
}

/** Whether a modal dialog is open (the window's own Esc handling then stays out of the way). */
export function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}
