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
 * - A click refreshes (TOTP) or opens the code prompt: `activate(profile)`; on a failure whose
 *   remedy is something else (store the key again, say), it does that: `applyRemedy(remedy)`.
 */
import type { Clock, EngineNotice } from '../engine';
import { REMEDY_WORDS } from '../common/catalog/remedies';
import type { TrayWords } from '../common/catalog/tray';
import type { Remedy } from '../common/errors';
import { formatClockTime, formatRemaining, inAppWords, trayWords, truncate, type TimeFormat } from './format';

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
  /** A click on a profile's notification: refresh it, or open its code prompt. */
  readonly activate: (profile: string) => void;
  /** A click on a failure whose remedy is not a refresh: do the remedy (open the profile window…). */
  readonly applyRemedy?: (remedy: Remedy) => void;
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
  refreshFailed(profile: string, reason: string, remedies: readonly Remedy[] = []): void {
    const words = this.#words();
    // The first remedy that is not "refresh" is what a click does; else a click tries again.
    const remedy = remedies.find((r) => r.action !== 'refresh' && r.action !== 'refresh-with-code');
    const language = this.#options.timeFormat?.().language ?? 'en';
    const body =
      remedy && this.#options.applyRemedy
        ? words.failedBodyWithRemedy(truncate(reason, BODY_MAX), REMEDY_WORDS[language][remedy.action].label)
        : words.failedBody(truncate(reason, BODY_MAX));
    this.#show(profile, { title: words.failedTitle(profile), body }, remedy);
  }

  /** Tells the user about something that went wrong for a profile (copying, forgetting): the title names both. */
  problem(title: string, profile: string, reason: string): void {
    this.#show(profile, { title, body: truncate(reason, BODY_MAX) });
  }

  #words(): TrayWords['notification'] {
    return trayWords(this.#options.timeFormat?.()).notification;
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

  #handle(notice: EngineNotice): void {
    const now = this.#options.clock.now();
    const format = this.#options.timeFormat?.() ?? {};
    switch (notice.kind) {
      case 'refreshed':
      case 'kept-written':
      case 'profile-removed':
        this.dismiss(notice.profile);
        return;
      case 'refresh-failed':
        this.refreshFailed(notice.profile, inAppWords(notice.code, notice.reason, format.language), notice.remedies ?? []);
        return;
      case 'expiring':
        // The keeper's plan says whether this is the person's job or the app's.
        if (notice.selfRefreshing) return;
        this.#show(notice.profile, {
          title: this.#words().expiringTitle(notice.profile, formatRemaining(notice.expiresAt - now, format.language)),
          body: this.#words().expiringBody(formatClockTime(notice.expiresAt, now, format)),
        });
        return;
      case 'expired':
        if (notice.selfRefreshing) return;
        this.#show(notice.profile, {
          title: this.#words().expiredTitle(notice.profile),
          body: this.#words().expiredBody(formatClockTime(notice.expiresAt, now, format)),
        });
        return;
      case 'no-session':
      case 'profile-added':
      case 'clock-jump':
        // The menu shows these; a notification at every start would be noise.
        return;
    }
  }

  #show(profile: string, content: NotificationContent, remedy?: Remedy): void {
    const { factory, activate, applyRemedy } = this.#options;
    this.dismiss(profile);
    if (!factory.isSupported()) return;
    const handle = factory.create(content, {
      onClick: () => {
        this.dismiss(profile);
        if (remedy && applyRemedy) applyRemedy(remedy);
        else activate(profile);
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
