/**
 * The windows' sizes, of the page inside (the frame around it differs between systems), and how the
 * ones the user cannot resize fit a long message. The Electron layer opens its windows at these
 * sizes (window-factory.ts); the windows' tests lay the pages out at them.
 */

/** Each window's page size, px. */
export const WINDOW_SIZES = {
  prompt: { width: 400, height: 320 },
  profiles: { width: 780, height: 640 },
  settings: { width: 540, height: 560 },
} as const;

export type SizedWindow = keyof typeof WINDOW_SIZES;

/** The smallest the user can make the profiles window's page, px (the others cannot be resized). */
export const PROFILES_MIN_SIZE = { width: 600, height: 460 } as const;

/**
 * The height a window's page gets for content `contentHeight` px high (`fitWindow`, which the
 * fixed-size windows ask for whenever their content's height changes): never less than its own
 * size, as much more as a long message needs, and no more than `room` (what the screen has under
 * the frame; beyond it the page scrolls). Undefined for the profiles window, which the user sizes.
 */
export function fittedContentHeight(window: SizedWindow, contentHeight: number, room: number): number | undefined {
  if (window === 'profiles') return undefined;
  const base = WINDOW_SIZES[window].height;
  return Math.max(base, Math.min(Math.ceil(contentHeight), Math.floor(room)));
}
