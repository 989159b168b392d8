import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeTranslator } from '../../../test/support/fake-translator.js';
import type { TranscriptToken } from '../tokens/token.js';
import { type InterleaverEvents, TranslationInterleaver } from './translation-interleaver.js';
import { type TranslationRequest, TranslationPairs } from './translation-pairs.js';

const pairs = new TranslationPairs(
  [
    { source: 'en', target: 'es' },
    { source: 'es', target: 'en' },
  ],
  ['en'],
);
const ONE_WAY_ES: TranslationRequest = { type: 'one_way', targetLanguage: 'es', languageA: null, languageB: null };
const TWO_WAY_EN_ES: TranslationRequest = { type: 'two_way', targetLanguage: null, languageA: 'en', languageB: 'es' };

/** Spoken tokens of one sentence: 'He was here.' → 'He', ' was', ' here', '.' */
function sentence(text: string, language = 'en', speaker?: string, first = false): TranscriptToken[] {
  const words = text.replace(/\.$/, '').split(' ');
  const tokens = words.map((w, i) => ({ text: i === 0 && first ? w : ` ${w}`, startMs: i * 100, endMs: i * 100 + 80, confidence: 0.8, language }));
  if (text.endsWith('.')) tokens.push({ text: '.', startMs: 300, endMs: 300, confidence: 0.8, language });
  return speaker === undefined ? tokens : tokens.map((t) => ({ ...t, speaker }));
}

const marker = (text: '<end>' | '<fin>'): TranscriptToken => ({ text, confidence: 1 });

/** "text/status/language" of each token, compactly. */
const show = (tokens: TranscriptToken[]) =>
  tokens.map((t) => [t.text.trim(), t.translationStatus ?? '-', t.language ?? '-', t.sourceLanguage ?? ''].join('/').replace(/\/$/, ''));

function setUp(request: TranslationRequest, events: InterleaverEvents = {}) {
  const translator = new FakeTranslator();
  translator.hold = true;
  const interleaver = new TranslationInterleaver(
    pairs.route(request),
    (text, source, target, signal) => translator.translate(text, source, target, signal),
    events,
  );
  return { translator, interleaver };
}

/** Resolves on the next `changed` event. */
function nextChange(events: { changed?: () => void }): Promise<void> {
  return new Promise((resolve) => (events.changed = resolve));
}

describe('TranslationInterleaver', () => {
  it('releases originals at once, marked "original", and their translation when it is ready', async () => {
    const events: InterleaverEvents = {};
    const { translator, interleaver } = setUp(ONE_WAY_ES, events);
    interleaver.push(sentence('He was here.', 'en', undefined, true));
    assert.deepEqual(show(interleaver.take()), ['He/original/en', 'was/original/en', 'here/original/en', './original/en']);
    assert.deepEqual(translator.calls, [{ text: 'He was here.', source: 'en', target: 'es' }]);

    const changed = nextChange(events);
    translator.release();
    await changed;
    const translation = interleaver.take();
    assert.deepEqual(show(translation), ['ES/translation/es/en', 'He/translation/es/en', 'was/translation/es/en', 'here/translation/es/en', './translation/es/en']);
    for (const token of translation) {
      assert.equal(token.startMs, undefined);
      assert.equal(token.endMs, undefined);
      assert.equal(token.confidence, 0.8);
    }
    assert.equal(translation[0]!.text, ' ES', 'a translation starts with a space');
  });

  it('holds the next run behind a pending translation, then releases it in order', async () => {
    const events: InterleaverEvents = {};
    const { translator, interleaver } = setUp(ONE_WAY_ES, events);
    interleaver.push(sentence('He was here.'));
    interleaver.take();
    interleaver.push(sentence('She came.'));
    assert.deepEqual(interleaver.take(), [], 'the second sentence waits');
    assert.deepEqual(show(interleaver.held()), ['She/original/en', 'came/original/en', './original/en']);
    // Both are being translated already.
    assert.equal(translator.waiting, 2);

    let changed = nextChange(events);
    translator.release();
    await changed;
    assert.deepEqual(
      interleaver.take().map((t) => t.text),
      [' ES', ' He', ' was', ' here', '.', ' She', ' came', '.'],
    );
    assert.deepEqual(interleaver.held(), []);
    changed = nextChange(events);
    translator.release();
    await changed;
    assert.deepEqual(interleaver.take().map((t) => t.text), [' ES', ' She', ' came', '.']);
  });

  it('sends a marker after the translation of the run it closes', async () => {
    const events: InterleaverEvents = {};
    const { translator, interleaver } = setUp(ONE_WAY_ES, events);
    interleaver.push([...sentence('he was here'), marker('<end>')]);
    assert.deepEqual(interleaver.take().map((t) => t.text), [' he', ' was', ' here']);
    const changed = nextChange(events);
    translator.release();
    await changed;
    assert.deepEqual(interleaver.take().map((t) => t.text), [' ES', ' he', ' was', ' here', '<end>']);
  });

  it('translates an unfinished sentence when flushed', () => {
    const { translator, interleaver } = setUp(ONE_WAY_ES);
    interleaver.push(sentence('he was'));
    assert.equal(translator.calls.length, 0);
    interleaver.flush();
    assert.deepEqual(translator.calls.map((c) => c.text), ['he was']);
  });

  it('two-way: each language to the other; a third language is only transcribed ("none") and never waits', async () => {
    const { translator, interleaver } = setUp(TWO_WAY_EN_ES);
    translator.hold = false;
    interleaver.push([...sentence('Hola.', 'es'), ...sentence('Bonjour.', 'fr'), ...sentence('Hello.', 'en')]);
    await interleaver.settled();
    assert.deepEqual(show(interleaver.take()), [
      'Hola/original/es', './original/es',
      'EN/translation/en/es', 'Hola/translation/en/es', './translation/en/es',
      'Bonjour/none/fr', './none/fr',
      'Hello/original/en', './original/en',
      'ES/translation/es/en', 'Hello/translation/es/en', './translation/es/en',
    ]);
    assert.deepEqual(translator.calls.map((c) => `${c.source}>${c.target}`), ['es>en', 'en>es']);
  });

  it('splits runs where the speaker changes, and keeps the speaker on the translation', async () => {
    const { translator, interleaver } = setUp(ONE_WAY_ES);
    translator.hold = false;
    interleaver.push([...sentence('yes I', 'en', '1'), ...sentence('no', 'en', '2')]);
    await interleaver.settled();
    const tokens = interleaver.take();
    assert.deepEqual(
      tokens.map((t) => `${t.speaker}:${t.text.trim()}`),
      ['1:yes', '1:I', '1:ES', '1:yes', '1:I', '2:no', '2:ES', '2:no'],
    );
  });

  it('leaves a run untranslated when its translation fails, and goes on', async () => {
    const failures: unknown[] = [];
    const { translator, interleaver } = setUp(ONE_WAY_ES, { failed: (err) => failures.push(err) });
    translator.hold = false;
    translator.failing.add('Broken.');
    interleaver.push([...sentence('Broken.'), ...sentence('Fine.')]);
    await interleaver.settled();
    assert.deepEqual(interleaver.take().map((t) => t.text.trim()), ['Broken', '.', 'Fine', '.', 'ES', 'Fine', '.']);
    assert.equal(failures.length, 1);
  });

  it('reports how long each translation took after its run became complete', async () => {
    const delays: number[] = [];
    const { translator, interleaver } = setUp(ONE_WAY_ES, { translated: (ms) => delays.push(ms) });
    translator.hold = false;
    interleaver.push([...sentence('One.'), ...sentence('Two.')]);
    await interleaver.settled();
    assert.equal(delays.length, 2);
    assert.ok(delays.every((ms) => ms >= 0));
  });

  it('asks for at most four translations at once, in order', () => {
    const { translator, interleaver } = setUp(ONE_WAY_ES);
    interleaver.push(['A.', 'B.', 'C.', 'D.', 'E.', 'F.'].flatMap((s) => sentence(s)));
    assert.deepEqual(translator.calls.map((c) => c.text), ['A.', 'B.', 'C.', 'D.']);
  });

  it('rejects settled() when closed, and drops what was pending', async () => {
    const { interleaver } = setUp(ONE_WAY_ES);
    interleaver.push(sentence('Pending.'));
    const settled = interleaver.settled();
    interleaver.close(new Error('session ended'));
    await assert.rejects(settled, /session ended/);
    assert.deepEqual(interleaver.held(), []);
  });
});
