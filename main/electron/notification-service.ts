/**
 * Turns the engine's notices into OS notifications.
 *
 * - One before expiry (the scheduler's lead time), one at expiry that replaces it, one when a
 *   refresh fails, with the engine's plain-words reason.
 * - At most one live notification per profile: a new one closes the old one first, and a refresh
 *   closes the warning it made moot.
 * - Profiles that refresh themselves (TOTP registered, auto-refresh on) stay silent unless a
 *   refresh fails: their "expiring" is the app's job, not the user's, and an "expired" seen after a
 *   wake-up is followed at once by the unattended refresh (or by its failure).
 * - A click refreshes (TOTP) or opens the code prompt: `activate(profile)`.
 */
import type { Clock } from '../engine/clock';
import type { EngineNotice } from '../engine/engine';
import { formatClockTime, formatRemaining, inAppWords, truncate, type TimeFormat } from './format';

/** What a notification says. */
export interface NotificationContent {
  readonly title: string;
  readonly body: string;
}

/** A shown notification, as the service keeps it. */
export interface NotificationHandle {
  show(): void;
  close(): void;
}

/** Makes OS notifications; the adapter wraps Electron's `Notification`. */
export interface NotificationFactory {
  isSupported(): boolean;
  create(content: NotificationContent, events: { readonly onClick: () => void; readonly onClose: () => void }): NotificationHandle;
}

export interface NotificationServiceOptions {
  readonly factory: NotificationFactory;
  readonly clock: Clock;
  readonly timeFormat?: () => TimeFormat;
  /** Whether a profile refreshes itself (TOTP registered and auto-refresh on). */
  readonly isSelfRefreshing: (profile: string) => Promise<boolean>;
  /** A click on a profile's notification: refresh it, or open its code prompt. */
  readonly activate: (profile: string) => void;
  readonly onError?: (error: unknown) => void;
}

const BODY_MAX = 240;

export class NotificationService {
  readonly #options: NotificationServiceOptions;
  /** The live notification of each profile. Kept referenced: macOS drops unreferenced ones' clicks. */
  readonly #live = new Map<string, NotificationHandle>();
  /** Notices are handled one at a time, in order, although deciding may wait on the keychain. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: NotificationServiceOptions) {
    this.#options = options;
  }

  /** Handles one engine notice. @returns when it has been handled (tests await it). */
  handle(notice: EngineNotice): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(notice)).catch((error: unknown) => this.#options.onError?.(error));
    return this.#queue;
  }

  /** Settles when every notice so far has been handled. */
  whenIdle(): Promise<void> {
    return this.#queue;
  }

  /** Reports a failed refresh the user started from the tray (the engine emits notices only for unattended ones). */
  refreshFailed(profile: string, reason: string): void {
    this.#show(profile, { title: `${profile}: refresh failed`, body: `${truncate(reason, BODY_MAX)} Click to try again.` });
  }

  /** Tells the user about something that went wrong for a profile (copying, forgetting). */
  problem(profile: string, title: string, reason: string): void {
    this.#show(profile, { title: `${profile}: ${title}`, body: truncate(reason, BODY_MAX) });
  }

  /** Closes a profile's live notification, if any. */
  dismiss(profile: string): void {
    const live = this.#live.get(profile);
    this.#live.delete(profile);
    live?.close();
  }

  /** The profiles that have a live notification. */
  get liveProfiles(): readonly string[] {
    return [...this.#live.keys()];
  }

  closeAll(): void {
    for (const profile of [...this.#live.keys()]) this.dismiss(profile);
  }

  async #handle(notice: EngineNotice): Promise<void> {
    const { profile } = notice;
    const now = this.#options.clock.now();
    const format = this.#options.timeFormat?.() ?? {};
    switch (notice.kind) {
      case 'refreshed':
        this.dismiss(profile);
        return;
      case 'refresh-failed':
        this.refreshFailed(profile, inAppWords(notice.code, notice.reason));
        return;
      case 'expiring':
        if (await this.#silent(profile)) return;
        this.#show(profile, {
          title: `${profile}: session expires in ${formatRemaining(notice.expiresAt - now)}`,
          body: `Its credentials run out at ${formatClockTime(notice.expiresAt, now, format)}. Click to refresh.`,
        });
        return;
      case 'expired':
        if (await this.#silent(profile)) return;
        this.#show(profile, {
          title: `${profile}: session expired`,
          body: `Its credentials ran out at ${formatClockTime(notice.expiresAt, now, format)}; AWS tools using it now fail. Click to refresh.`,
        });
        return;
    }
  }

  async #silent(profile: string): Promise<boolean> {
    return this.#options.isSelfRefreshing(profile).catch(() => false);
  }

  #show(profile: string, content: NotificationContent): void {
    const { factory, activate } = this.#options;
    this.dismiss(profile);
    if (!factory.isSupported()) return;
    const handle = factory.create(content, {
      onClick: () => {
        this.dismiss(profile);
        activate(profile);
      },
      onClose: () => {
        // Only forget it if it is still the live one: closing an old one must not drop its successor.
        if (this.#live.get(profile) === handle) this.#live.delete(profile);
      },
    });
    this.#live.set(profile, handle);
    handle.show();
  }
}
