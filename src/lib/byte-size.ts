/** Byte counts for people; shared by the CLI and the web app (no Node, no DOM). */

/**
 * Decimal units, three significant figures at most.
 *
 * @example formatBytes(12_345_678) // '12 MB'
 * @example formatBytes(1_234) // '1.2 kB'
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
