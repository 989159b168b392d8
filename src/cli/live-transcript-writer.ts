/**
 * Real-time tokens on a terminal, as the Soniox docs' examples render them
 * ("Speaker 1:", "[en]", "[Translation] [es]"), but in place: final text is
 * written once and stays, and the non-final tail is drawn after it (dimmed)
 * and erased and redrawn with each message. Not on a terminal (a pipe, a
 * file), only final text is written, so the output is the transcript.
 */
import { type CaptionPosition, advance, captionBreak, endLine, lineTag } from '../lib/caption-lines.js';
import { type WireToken, isMarkerToken, isTranslationToken } from '../lib/transcript-segments.js';

export interface TerminalOutput {
  write(text: string): boolean;
  columns?: number;
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const SPEAKER_COLOURS = [36, 33, 32, 35, 34, 31];

/** Cells a code point takes on a terminal: 2 for East Asian wide ones and emoji, 0 for combining marks. */
function cellWidth(codePoint: number): number {
  if (codePoint >= 0x300 && codePoint <= 0x36f) return 0;
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

/**
 * Where the cursor ends after writing `text` from `column` on a terminal
 * `columns` wide: rows moved down and the new column. A column equal to
 * `columns` is the terminal's pending wrap (the next character wraps).
 */
export function cursorAfter(column: number, text: string, columns: number): { rows: number; column: number } {
  let rows = 0;
  let col = column;
  for (const char of text.replace(ANSI, '')) {
    if (char === '\n') {
      rows += 1;
      col = 0;
      continue;
    }
    const width = cellWidth(char.codePointAt(0)!);
    if (col + width > columns) {
      rows += 1;
      col = 0;
    }
    col += width;
  }
  return { rows, column: col };
}

export class LiveTranscriptWriter {
  #position: CaptionPosition | null = null;
  #column = 0;
  /** Rows the drawn non-final text goes below the final text, or null when none is drawn. */
  #provisionalRows: number | null = null;

  constructor(
    private readonly out: TerminalOutput,
    private readonly options: {
      /** Draw and redraw non-final text (a terminal); otherwise write final text only. */
      inPlace: boolean;
      colour: boolean;
    },
  ) {}

  /**
   * Draws one result: `tokens` as the message has them, finals (with any
   * `<end>` or `<fin>` among them) first, then the non-final tail.
   */
  update(tokens: readonly WireToken[]): void {
    this.#eraseProvisional();
    let committed = '';
    for (const token of tokens) {
      if (!token.is_final) continue;
      if (isMarkerToken(token)) {
        this.#position = endLine(this.#position);
        continue;
      }
      committed += this.#render(this.#position, token, false);
      this.#position = advance(this.#position, token);
    }
    if (committed) this.#write(committed);
    if (!this.options.inPlace) return;
    let provisional = '';
    let position = this.#position;
    for (const token of tokens) {
      if (token.is_final || isMarkerToken(token)) continue;
      provisional += this.#render(position, token, true);
      position = advance(position, token);
    }
    if (provisional) {
      this.out.write(provisional);
      this.#provisionalRows = cursorAfter(this.#column, provisional, this.#columns()).rows;
    }
  }

  /** Ends the output: no non-final text left, and a final newline. */
  finish(): void {
    this.#eraseProvisional();
    if (this.#column > 0) this.#write('\n');
  }

  #columns(): number {
    return Math.max(10, this.out.columns ?? 80);
  }

  #write(text: string): void {
    this.out.write(text);
    const after = cursorAfter(this.#column, text, this.#columns());
    this.#column = after.column;
    // At the margin the terminal waits to wrap, and moving the cursor back
    // there would lose that: wrap now, so erasing can always return here.
    if (this.options.inPlace && this.#column >= this.#columns()) {
      this.out.write('\n');
      this.#column = 0;
    }
  }

  #eraseProvisional(): void {
    if (this.#provisionalRows === null) return;
    const up = this.#provisionalRows > 0 ? `\x1b[${this.#provisionalRows}A` : '';
    const across = this.#column > 0 ? `\x1b[${this.#column}C` : '';
    this.out.write(`${up}\r${across}\x1b[J`);
    this.#provisionalRows = null;
  }

  #paint(text: string, codes: string): string {
    return this.options.colour && codes && text ? `\x1b[${codes}m${text}\x1b[0m` : text;
  }

  /** A token's text with what comes before it: a speaker label, a line break, a language tag. */
  #render(position: CaptionPosition | null, token: WireToken, provisional: boolean): string {
    const kind = captionBreak(position, token);
    const tag = kind === 'none' ? null : lineTag(token);
    let text = kind === 'none' ? token.text : token.text.trimStart();
    text = this.#paint(text, provisional ? '2' : isTranslationToken(token) ? '35' : '');
    const tagText = tag === null ? '' : `${this.#paint(tag, '2')} `;
    if (kind === 'turn') {
      const speaker = token.speaker!;
      const colour = SPEAKER_COLOURS[(Math.max(1, Number.parseInt(speaker, 10) || 1) - 1) % SPEAKER_COLOURS.length];
      const label = this.#paint(`Speaker ${speaker}:`, `1;${colour}`);
      const before = position === null ? '' : '\n\n';
      return tag === null ? `${before}${label} ${text}` : `${before}${label}\n${tagText}${text}`;
    }
    if (kind === 'line') return `${position === null ? '' : '\n'}${tagText}${text}`;
    return text;
  }
}
