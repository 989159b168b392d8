import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WireToken } from '../lib/transcript-segments.js';
import { LiveTranscriptWriter, cursorAfter } from './live-transcript-writer.js';

/**
 * Just enough of a terminal to check what is left on screen: printing with
 * wrap at the margin (deferred, as terminals do), LF as CR LF (the tty's
 * onlcr), CR, cursor up and forward, erase to end of screen, SGR ignored.
 */
class Screen {
  rows: string[][] = [[]];
  row = 0;
  col = 0;
  pendingWrap = false;

  constructor(readonly columns: number) {}

  write(text: string): boolean {
    const re = /\x1b\[([\d;]*)([A-Za-z])|([\s\S])/gu;
    for (const m of text.matchAll(re)) {
      if (m[2] !== undefined) {
        const first = m[1]!.split(';')[0]!;
        this.#csi(Number(first || '1'), first === '' ? 0 : Number(first), m[2]);
      } else this.#char(m[3]!);
    }
    return true;
  }

  text(): string {
    return this.rows.map((r) => r.join('').trimEnd()).join('\n').trimEnd();
  }

  #line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }

  #char(char: string): void {
    if (char === '\n') {
      this.row += 1;
      this.col = 0;
      this.pendingWrap = false;
      this.#line();
      return;
    }
    if (char === '\r') {
      this.col = 0;
      this.pendingWrap = false;
      return;
    }
    if (this.pendingWrap) {
      this.row += 1;
      this.col = 0;
      this.pendingWrap = false;
    }
    const line = this.#line();
    while (line.length < this.col) line.push(' ');
    line[this.col] = char;
    if (this.col === this.columns - 1) this.pendingWrap = true;
    else this.col += 1;
  }

  #csi(n: number, raw: number, command: string): void {
    this.pendingWrap = false;
    if (command === 'A') this.row = Math.max(0, this.row - n);
    else if (command === 'C') this.col = Math.min(this.columns - 1, this.col + n);
    else if (command === 'J' && raw === 0) {
      this.#line().splice(this.col);
      this.rows.splice(this.row + 1);
    } else if (command === 'K') this.#line().splice(0);
  }
}

const t = (text: string, isFinal: boolean, extra: Partial<WireToken> = {}): WireToken => ({ text, is_final: isFinal, ...extra });

describe('LiveTranscriptWriter in place', () => {
  it('keeps final text and replaces the non-final tail with each message', () => {
    const screen = new Screen(80);
    const writer = new LiveTranscriptWriter(screen, { inPlace: true, colour: true });
    writer.update([t('Hello', false), t(' word', false)]);
    assert.equal(screen.text(), 'Hello word');
    writer.update([t('Hello', true), t(' world', false), t(' and', false)]);
    assert.equal(screen.text(), 'Hello world and');
    writer.update([t(' world', true), t(' all', false)]);
    assert.equal(screen.text(), 'Hello world all');
    writer.update([t(' all', true), t('<end>', true)]);
    writer.update([t(' Next', false)]);
    assert.equal(screen.text(), 'Hello world all\nNext');
    writer.update([]);
    writer.finish();
    assert.equal(screen.text(), 'Hello world all');
  });

  it('erases a non-final tail that wrapped over several rows, from a final text at the margin', () => {
    const screen = new Screen(10);
    const writer = new LiveTranscriptWriter(screen, { inPlace: true, colour: false });
    writer.update([t('abcdefghij', true), t(' one two three four five', false)]);
    writer.update([t(' six', false)]);
    // The space before the word lands at the start of the row, as on any terminal.
    assert.equal(screen.text(), 'abcdefghij\n six');
    writer.update([t('xy', true), t(' long tail that wraps twice', false)]);
    writer.update([t(' z', true)]);
    writer.finish();
    assert.equal(screen.text(), 'abcdefghij\nxy z');
  });

  it('labels speakers, languages and translations as the docs do', () => {
    const screen = new Screen(80);
    const writer = new LiveTranscriptWriter(screen, { inPlace: true, colour: true });
    writer.update([
      t('Hi', true, { speaker: '1', language: 'en', translation_status: 'original' }),
      t('.', true, { speaker: '1', language: 'en', translation_status: 'original' }),
      t(' Hola.', true, { speaker: '1', language: 'es', translation_status: 'translation', source_language: 'en' }),
      t(' Yes', false, { speaker: '2', language: 'en', translation_status: 'original' }),
    ]);
    assert.equal(screen.text(), 'Speaker 1:\n[en] Hi.\n[Translation] [es] Hola.\n\nSpeaker 2:\n[en] Yes');
    writer.finish();
    assert.equal(screen.text(), 'Speaker 1:\n[en] Hi.\n[Translation] [es] Hola.');
  });
});

describe('LiveTranscriptWriter not on a terminal', () => {
  it('writes final text only, one line per utterance, without escapes', () => {
    let out = '';
    const writer = new LiveTranscriptWriter({ write: (s) => ((out += s), true) }, { inPlace: false, colour: false });
    writer.update([t('Hello', false)]);
    writer.update([t('Hello', true), t(' there', true), t('<fin>', true)]);
    writer.update([t('Bye', true, { speaker: '2' })]);
    writer.finish();
    assert.equal(out, 'Hello there\n\nSpeaker 2: Bye\n');
  });
});

describe('cursorAfter', () => {
  it('wraps at the margin only when the next character comes', () => {
    assert.deepEqual(cursorAfter(0, 'abcde', 5), { rows: 0, column: 5 });
    assert.deepEqual(cursorAfter(0, 'abcdef', 5), { rows: 1, column: 1 });
    assert.deepEqual(cursorAfter(3, 'ab\ncd', 5), { rows: 1, column: 2 });
    assert.deepEqual(cursorAfter(0, '\x1b[2mab\x1b[0m', 5), { rows: 0, column: 2 });
    assert.deepEqual(cursorAfter(0, '日本語', 5), { rows: 1, column: 2 });
  });
});
