import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeTranslator } from '../../../test/support/fake-translator.js';
import { SentenceLanguageIdentifier } from '../language/language-identifier.js';
import type { StreamToken, TranscriptUpdate } from '../tokens/transcript-assembler.js';
import { LiveTranslation, type LiveTranslationEvents } from './live-translation.js';
import { TranslationPairs } from './translation-pairs.js';

const pairs = new TranslationPairs([{ source: 'en', target: 'es' }], ['en']);
const route = pairs.route({ type: 'one_way', targetLanguage: 'es', languageA: null, languageB: null });
const identifier = new SentenceLanguageIdentifier('en');

/** Word tokens 100 ms apart from `startMs`; a final '.' when the text ends with one. */
function words(text: string, isFinal: boolean, startMs: number): StreamToken[] {
  const tokens: StreamToken[] = text
    .replace(/\.$/, '')
    .split(' ')
    .map((w, i) => ({ text: ` ${w}`, startMs: startMs + i * 100, endMs: startMs + i * 100 + 80, confidence: 0.9, isFinal }));
  const last = tokens.at(-1)!;
  if (text.endsWith('.')) tokens.push({ text: '.', startMs: last.endMs!, endMs: last.endMs!, confidence: 0.9, isFinal });
  return tokens;
}

const update = (tokens: StreamToken[], finalMs: number, totalMs: number): TranscriptUpdate => ({
  tokens,
  finalAudioProcMs: finalMs,
  totalAudioProcMs: totalMs,
});

/** "text|final|status|language" of each token. */
const show = (u: TranscriptUpdate | null) =>
  u?.tokens.map((t) => [t.text.trim(), t.isFinal ? 'F' : 'n', t.translationStatus ?? '-', t.language ?? '-'].join('|'));

function setUp(withRoute = true) {
  const translator = new FakeTranslator();
  translator.hold = true;
  const events: LiveTranslationEvents & { next(): Promise<void> } = {
    changed: () => {},
    next: () => new Promise<void>((resolve) => (events.changed = resolve)),
  };
  const stage = new LiveTranslation(
    identifier,
    withRoute ? route : null,
    (text, source, target, signal) => translator.translate(text, source, target, signal),
    events,
  );
  return { translator, events, stage };
}

describe('LiveTranslation', () => {
  it('with language identification only: labels every spoken token, finals and non-finals, and leaves markers alone', () => {
    const { stage } = setUp(false);
    const out = stage.apply(update([...words('he was here.', true, 0), { text: '<end>', confidence: 1, isFinal: true }, ...words('she', false, 1000)], 400, 1100));
    assert.deepEqual(show(out), ['he|F|-|en', 'was|F|-|en', 'here|F|-|en', '.|F|-|en', '<end>|F|-|-', 'she|n|-|en']);
    assert.equal(out!.finalAudioProcMs, 400);
    assert.equal(stage.apply(null), null, 'nothing changed');
  });

  it('sends originals at once, marked for translation, and the translation in a later message with the tail repeated', async () => {
    const { translator, events, stage } = setUp();
    const first = stage.apply(update([...words('he was here.', true, 0), ...words('she', false, 1000)], 400, 1100));
    assert.deepEqual(show(first), ['he|F|original|en', 'was|F|original|en', 'here|F|original|en', '.|F|original|en', 'she|n|original|en']);
    const ready = events.next();
    translator.release();
    await ready;
    const second = stage.apply(null);
    assert.deepEqual(show(second), ['ES|F|translation|es', 'he|F|translation|es', 'was|F|translation|es', 'here|F|translation|es', '.|F|translation|es', 'she|n|original|en']);
    assert.equal(second!.tokens[0]!.sourceLanguage, 'en');
    assert.equal(second!.totalAudioProcMs, 1100);
  });

  it('shows finals waiting behind a translation as non-final, and keeps final_audio_proc_ms before them', async () => {
    const { translator, events, stage } = setUp();
    stage.apply(update(words('he was here.', true, 0), 400, 500));
    const waiting = stage.apply(update(words('she came.', true, 1000), 1300, 1400));
    assert.deepEqual(show(waiting), ['she|n|original|en', 'came|n|original|en', '.|n|original|en']);
    assert.equal(waiting!.finalAudioProcMs, 1000, 'capped at the first waiting token');
    const ready = events.next();
    translator.release();
    await ready;
    const released = stage.apply(null);
    assert.deepEqual(
      show(released)!.map((s) => s.split('|').slice(0, 2).join('|')),
      ['ES|F', 'he|F', 'was|F', 'here|F', '.|F', 'she|F', 'came|F', '.|F'],
    );
    assert.equal(released!.finalAudioProcMs, 1300);
  });

  it('at the end of the stream, settles every translation before the last message', async () => {
    const { translator, stage } = setUp();
    translator.hold = false;
    stage.apply(update(words('one.', true, 0), 200, 200));
    await stage.settle(update(words('two.', true, 500), 700, 700));
    const last = stage.apply(update([], 700, 700), true);
    assert.deepEqual(last!.tokens.map((t) => t.text.trim()), ['ES', 'one', '.', 'two', '.', 'ES', 'two', '.']);
    assert.ok(last!.tokens.every((t) => t.isFinal));
  });
});
