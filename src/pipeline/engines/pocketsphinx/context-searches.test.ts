// Integration test: context biasing with the real PocketSphinx libraries on
// the LibriVox recordings, where "Dashwood" is misrecognised by default.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AUSTEN_CONTEXT, AUSTEN_TERMS } from '../../../../test/support/austen-context.js';
import { librivoxUtterances } from '../../../../test/support/librivox.js';
import { wordErrors } from '../../../lib/wer.js';
import type { RecognitionContext } from '../../context/recognition-context.js';
import { PocketSphinxEngine, type Recognizer } from './pocketsphinx-engine.js';

function wavSamples(path: string): Int16Array {
  const bytes = readFileSync(path);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
}

const utterances = librivoxUtterances();
const dashwoodSentence = wavSamples(utterances[0]!.wavPath);
const terms = (...list: string[]): RecognitionContext => ({ general: [], text: '', terms: list, translationTerms: [] });
const said = (recognizer: Recognizer, samples = dashwoodSentence) => recognizer.recognize(samples, 0).map((w) => w.word);

describe('PocketSphinx context biasing', () => {
  let engine: PocketSphinxEngine;
  before(() => {
    engine = new PocketSphinxEngine();
  });
  after(() => engine.close());

  function withRecognizer<T>(use: (recognizer: Recognizer) => T): T {
    const recognizer = engine.createRecognizer();
    try {
      return use(recognizer);
    } finally {
      recognizer.free();
    }
  }

  it('recognises a misrecognised proper name given as a term, spelled as the term', () => {
    assert.ok(!withRecognizer((r) => said(r)).some((w) => /dashwood/i.test(w)), 'misrecognised without context');
    const words = withRecognizer((r) => {
      r.setContext!(terms('John Dashwood'));
      return said(r);
    });
    assert.ok(words.join(' ').includes('John Dashwood'), words.join(' '));
  });

  it('does not carry a context over to the next recognizer of the same decoder', () => {
    withRecognizer((r) => {
      r.setContext!(terms('Dashwood'));
      assert.ok(said(r).includes('Dashwood'));
    });
    // The engine lends its one idle decoder again: the same native decoder.
    const after = withRecognizer((r) => said(r));
    assert.ok(!after.some((w) => /dashwood/i.test(w)), after.join(' '));
  });

  it('removes a context from a recognizer on request, and switches back to a recent one', () => {
    withRecognizer((r) => {
      r.setContext!(terms('Dashwood'));
      assert.ok(said(r).includes('Dashwood'));
      r.setContext!(null);
      assert.ok(!said(r).some((w) => /dashwood/i.test(w)));
      r.setContext!(terms('Dashwood'));
      assert.ok(said(r).includes('Dashwood'));
    });
  });

  it('adds a term the dictionary lacks with a generated pronunciation, for that recognizer only', () => {
    // "Dashwud" is no dictionary word: its pronunciation comes from espeak-ng
    // (or the letter-to-sound rules), and it is what the speaker says.
    const words = withRecognizer((r) => {
      r.setContext!(terms('Dashwud'));
      return said(r);
    });
    assert.ok(words.includes('Dashwud'), words.join(' '));
    const later = withRecognizer((r) => {
      r.setContext!(terms('Willoughby'));
      return said(r);
    });
    assert.ok(!later.some((w) => /dashwud/i.test(w)), later.join(' '));
  });

  it('keeps unrelated speech as it was with an empty context', () => {
    const plain = withRecognizer((r) => said(r, wavSamples(utterances[4]!.wavPath)));
    const empty = withRecognizer((r) => {
      r.setContext!({ general: [], text: '  ', terms: [], translationTerms: [] });
      return said(r, wavSamples(utterances[4]!.wavPath));
    });
    assert.deepEqual(empty, plain);
  });

  it('is not less accurate on the LibriVox recordings with the names as terms and the book as text', (t) => {
    const errorRate = (context: RecognitionContext | null) =>
      withRecognizer((r) => {
        if (context) r.setContext!(context);
        let errors = 0;
        let words = 0;
        for (const u of utterances) {
          const counts = wordErrors(u.reference, said(r, wavSamples(u.wavPath)).join(' '));
          errors += counts.errors;
          words += counts.referenceWords;
        }
        return errors / words;
      });
    const without = errorRate(null);
    const withTerms = errorRate(terms(...AUSTEN_TERMS));
    const withBoth = errorRate(AUSTEN_CONTEXT);
    t.diagnostic(`WER without context ${(without * 100).toFixed(1)}%, terms ${(withTerms * 100).toFixed(1)}%, terms and text ${(withBoth * 100).toFixed(1)}%`);
    assert.ok(withTerms <= without && withBoth <= without);
  });
});
