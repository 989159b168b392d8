import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CaptionBreak, type CaptionPosition, advance, captionBreak, endLine, lineTag } from './caption-lines.js';
import type { WireToken } from './transcript-segments.js';

/** The break before each token, following the tokens (and markers) in order. */
function breaks(tokens: WireToken[]): CaptionBreak[] {
  let position: CaptionPosition | null = null;
  const out: CaptionBreak[] = [];
  for (const token of tokens) {
    if (token.text === '<end>') {
      position = endLine(position);
      continue;
    }
    out.push(captionBreak(position, token));
    position = advance(position, token);
  }
  return out;
}

describe('captionBreak', () => {
  it('starts a turn for each new speaker and a line for each language or translation change', () => {
    assert.deepEqual(
      breaks([
        { text: 'Hi', speaker: '1', language: 'en', translation_status: 'original' },
        { text: ' there', speaker: '1', language: 'en', translation_status: 'original' },
        { text: ' Hola', speaker: '1', language: 'es', translation_status: 'translation' },
        { text: ' Yes', speaker: '2', language: 'en', translation_status: 'original' },
        { text: ' Oui', speaker: '2', language: 'fr', translation_status: 'none' },
      ]),
      ['turn', 'none', 'line', 'turn', 'line'],
    );
  });

  it('starts a line after an endpoint, and one line at the start without speakers', () => {
    assert.deepEqual(breaks([{ text: 'Hi' }, { text: ' you' }, { text: '<end>' }, { text: ' Next' }]), ['line', 'none', 'line']);
  });
});

describe('lineTag', () => {
  it('names the language, and marks translations', () => {
    assert.equal(lineTag({ text: 'Hi', language: 'en' }), '[en]');
    assert.equal(lineTag({ text: ' Hola', language: 'es', translation_status: 'translation' }), '[Translation] [es]');
    assert.equal(lineTag({ text: 'Hi' }), null);
  });
});
