/**
 * Several refreshes at once (`refresh --all`, the tray's "Refresh all"): which of them may run side
 * by side, and which must wait for which. The keeper says where each profile's code comes from
 * (`SessionKeeper.sourcesOf`); this module only orders the refreshes:
 * - a code a program makes (TOTP secret, code command) waits for no other profile's: up to
 *   {@link REFRESH_CONCURRENCY} refreshes run at once, so N devices take about one refresh's time;
 * - profiles of one MFA device go one after another, in the order given: AWS takes each code of a
 *   device once, and the device's next code comes with its next time step (the used-code record
 *   then makes the later one wait for it);
 * - YubiKey reads go one after another: one key, one touch, one ykman at a time;
 * - codes a person types are asked one at a time, in the order given, once every other refresh has
 *   ended, so that a question is never interleaved with another refresh's output or wait.
 * Each refresh ends on its own: one failing stops none of the others.
 */
import type { CodeSource } from './keeper';

/** How many refreshes run at once at most. */
export const REFRESH_CONCURRENCY = 8;

/** One refresh to run. */
export interface SideBySideItem {
  /** The profile's MFA device (its serial): refreshes of one device never overlap. */
  readonly device: string;
  /** Where its code comes from; `given` for a code already typed (`--code`). */
  readonly source: CodeSource | 'given';
}

/** How one refresh ended: its result, its error, or not started (the run was stopped first). */
export type SideBySideOutcome<T> =
  { readonly kind: 'done'; readonly value: T } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'skipped' };

export interface SideBySideOptions<T> {
  /** At most this many at once (default {@link REFRESH_CONCURRENCY}). */
  readonly concurrency?: number;
  /** Once aborted, refreshes not started yet are skipped (the ones running finish). */
  readonly signal?: AbortSignal;
  /** Told of each outcome as it comes (in the order they end), with the item's index. */
  readonly onEnded?: (outcome: SideBySideOutcome<T>, index: number) => void;
}

/** Whether a person takes part (types the code): such refreshes are asked one at a time, after the others. */
function needsPerson(item: SideBySideItem): boolean {
  return item.source === 'person' || item.source === 'given';
}

/** The lanes an item runs in: within a lane, one at a time, in the order given. */
function lanesOf(item: SideBySideItem): string[] {
  const lanes = [`device ${item.device}`];
  if (item.source === 'yubikey') lanes.push('yubikey');
  if (needsPerson(item)) lanes.push('person');
  return lanes;
}

/**
 * Runs `refresh` for every item, side by side as the rules above allow. @returns every outcome,
 * in the order of `items`; never rejects (a failure is its item's outcome).
 */
export async function refreshSideBySide<I extends SideBySideItem, T>(
  items: readonly I[],
  refresh: (item: I, index: number) => Promise<T>,
  options: SideBySideOptions<T> = {},
): Promise<SideBySideOutcome<T>[]> {
  const slots = new Slots(Math.max(1, options.concurrency ?? REFRESH_CONCURRENCY));
  /** The end of the last item queued in each lane. */
  const lanes = new Map<string, Promise<void>>();
  /** The ends of the items no person takes part in: the people's turn comes after all of them. */
  const unattended: Promise<void>[] = [];
  const outcomes: Promise<SideBySideOutcome<T>>[] = [];
  // Queued in this order (the unattended ones first), so that the lanes order them the same way.
  const order = [...items.keys()].sort((a, b) => Number(needsPerson(items[a] as I)) - Number(needsPerson(items[b] as I)) || a - b);
  for (const index of order) {
    const item = items[index] as I;
    const lanesOfItem = lanesOf(item);
    const before = lanesOfItem.map((lane) => lanes.get(lane) ?? Promise.resolve());
    if (needsPerson(item)) before.push(...unattended);
    const outcome = Promise.all(before)
      .then(() => slots.run(() => (options.signal?.aborted ? undefined : refresh(item, index).then((value) => ({ value })))))
      .then(
        (ran): SideBySideOutcome<T> => (ran === undefined ? { kind: 'skipped' } : { kind: 'done', value: ran.value }),
        (error: unknown): SideBySideOutcome<T> => ({ kind: 'failed', error }),
      )
      .then((ended) => {
        try {
          options.onEnded?.(ended, index);
        } catch {
          // A listener's failure is not the refresh's.
        }
        return ended;
      });
    const end = outcome.then(() => undefined);
    for (const lane of lanesOfItem) lanes.set(lane, end);
    if (!needsPerson(item)) unattended.push(end);
    outcomes[index] = outcome;
  }
  return Promise.all(outcomes);
}

/** At most `size` tasks at once; the others wait in the order they came. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free += 1;
    }
  }
}
