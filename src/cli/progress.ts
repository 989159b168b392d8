/**
 * Progress on stderr, so stdout carries only the result. On a terminal one
 * status line is redrawn in place (a bar, a ticking clock); elsewhere (a log,
 * a pipe, a test) each step is printed once, and a bar only every quarter.
 */
import { formatBytes } from '../lib/byte-size.js';

export interface ProgressOutput {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export class Progress {
  #transient = false;
  #lastQuarter = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly quiet = false,
  ) {}

  get interactive(): boolean {
    return this.out.isTTY === true;
  }

  /** A line that stays. */
  step(text: string): void {
    if (this.quiet) return;
    this.#clear();
    this.out.write(`${text}\n`);
  }

  /** A line that the next one replaces (on a terminal only; elsewhere it is not printed). */
  status(text: string): void {
    if (this.quiet || !this.interactive) return;
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    this.out.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.#transient = true;
  }

  /** `label [#####     ] 48% 1.2 MB of 2.5 MB` */
  bar(label: string, done: number, total: number): void {
    if (this.quiet) return;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(fraction * 100);
    const figures = `${percent}% ${formatBytes(done)} of ${formatBytes(total)}`;
    if (this.interactive) {
      const cells = 24;
      const filled = Math.round(fraction * cells);
      this.status(`${label} [${'#'.repeat(filled)}${' '.repeat(cells - filled)}] ${figures}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.out.write(`${label}: ${figures}\n`);
    }
  }

  /** Removes the status line, if one is shown. */
  done(): void {
    this.#clear();
  }

  #clear(): void {
    if (!this.#transient) return;
    this.out.write('\r\x1b[2K');
    this.#transient = false;
  }
}
