/**
 * A span of time in the command's and the engine's English words, one rule for both (`status`'s
 * table and the messages `doctor` and `status` share).
 */

/** A span of time for people: `12 h 0 min`, `59 min`, `45 s` (rounded down). Negative spans are taken as their size. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(Math.abs(ms) / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min`;
  return `${Math.floor(totalMinutes / 60)} h ${totalMinutes % 60} min`;
}
