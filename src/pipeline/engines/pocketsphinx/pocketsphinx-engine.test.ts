// Integration test: the real PocketSphinx libraries on LibriVox recordings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { librivoxUtterances } from '../../../../test/support/librivox.js';
import { wordErrorRate } from '../../../lib/wer.js';
import type { RecognizedWord } from '../speech-engine.js';
import { PocketSphinxEngine } from './pocketsphinx-engine.js';
import { DEFAULT_POCKETSPHINX_MODEL } from './model.js';

/** Samples of a 16 kHz mono 16-bit wav with the canonical 44-byte header. */
function wavSamples(path: string): Int16Array {
  const bytes = readFileSync(path);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
}

const text = (words: { word: string }[]) => words.map((w) => w.word).join(' ');
const [u0870, u0880, , , u0930] = librivoxUtterances();

describe('PocketSphinxEngine', () => {
  let engine: PocketSphinxEngine;
  before(() => {
    engine = new PocketSphinxEngine();
  });
  after(() => engine.close());

  function recognize(samples: Int16Array, offsetMs = 0): RecognizedWord[] {
    const recognizer = engine.createRecognizer();
    try {
      return recognizer.recognize(samples, offsetMs);
    } finally {
      recognizer.free();
    }
  }

  it('recognises a whole utterance', () => {
    const words = recognize(wavSamples(u0880!.wavPath));
    assert.ok(wordErrorRate(u0880!.reference, text(words)) <= 0.5, text(words));
    assert.ok(words.every((w) => !/[<[(]/.test(w.word)), 'no fillers or alternate markers');
  });

  it('gives word posteriors as confidences', () => {
    const words = recognize(wavSamples(u0870!.wavPath));
    assert.ok(words.every((w) => w.confidence >= 0 && w.confidence <= 1));
    // A real posterior is low on some words of this hard sentence; a fake one is 1 everywhere.
    assert.ok(words.some((w) => w.confidence < 0.5), words.map((w) => w.confidence).join(' '));
    assert.ok(words.some((w) => w.confidence > 0.9));
  });

  it('times words on the audio: ordered, inside the utterance, moved by the offset', () => {
    const samples = wavSamples(u0880!.wavPath);
    const words = recognize(samples);
    const durationMs = samples.length / 16;
    let previousEnd = 0;
    for (const w of words) {
      assert.ok(w.startMs >= previousEnd && w.endMs > w.startMs && w.endMs <= durationMs, JSON.stringify(w));
      previousEnd = w.endMs;
    }
    // "he" is the first word; the recording opens with about 200 ms of silence.
    assert.ok(words[0]!.startMs >= 150 && words[0]!.startMs <= 300, `first word at ${words[0]!.startMs}`);
    const shifted = recognize(samples, 60_000);
    assert.deepEqual(
      shifted,
      words.map((w) => ({ ...w, startMs: w.startMs + 60_000, endMs: w.endMs + 60_000 })),
    );
  });

  it('places words where they are in longer audio', () => {
    // One second of the recording's own quiet lead-in, then the recording: words move by ≈1 s.
    const samples = wavSamples(u0880!.wavPath);
    const lead = samples.subarray(0, 3200);
    const padded = new Int16Array(16_000 + samples.length);
    for (let i = 0; i < 5; i++) padded.set(lead, i * 3200);
    padded.set(samples, 16_000);
    const plain = recognize(samples);
    const moved = recognize(padded);
    // The extra audio changes the feature normalisation and so a few words; compare the shared ones.
    const shared = moved.filter((w) => plain.some((p) => p.word === w.word));
    assert.ok(shared.length >= 4, text(moved));
    for (const w of shared) {
      const p = plain.find((q) => q.word === w.word)!;
      assert.ok(Math.abs(w.startMs - 1000 - p.startMs) <= 30, `${w.word} at ${w.startMs}, was ${p.startMs}`);
    }
  });

  it('gives the same result for the same audio whatever was decoded before', () => {
    const samples = wavSamples(u0930!.wavPath);
    const first = recognize(samples);
    recognize(wavSamples(u0870!.wavPath));
    assert.deepEqual(recognize(samples), first);
  });

  it('streams: partial hypotheses mid-utterance, final words at the end', () => {
    const samples = wavSamples(u0870!.wavPath);
    const recognizer = engine.createRecognizer();
    try {
      recognizer.startUtterance(1000);
      const partials: number[] = [];
      for (let i = 0; i < samples.length; i += 8000) {
        recognizer.process(samples.subarray(i, i + 8000));
        partials.push(recognizer.partial().length);
      }
      // Words accumulate as audio arrives; partial words carry timing but no confidence.
      assert.ok(partials[2]! > 0 && partials.at(-1)! > partials[2]!, partials.join(','));
      const partial = recognizer.partial();
      assert.ok(partial.every((w) => !('confidence' in w) && w.startMs >= 1000));
      const final = recognizer.endUtterance();
      assert.ok(wordErrorRate(u0870!.reference, text(final)) <= 0.6, text(final));
      assert.ok(final.every((w) => w.confidence >= 0 && w.confidence <= 1 && w.startMs >= 1000));
    } finally {
      recognizer.free();
    }
  });

  it('streams a session to the same words however the audio is chunked, and starts each session afresh', () => {
    const session = [wavSamples(u0870!.wavPath), wavSamples(u0930!.wavPath)];
    const stream = (recognizer: ReturnType<PocketSphinxEngine['createRecognizer']>, chunk: number) =>
      session.map((samples) => {
        recognizer.startUtterance(0);
        for (let i = 0; i < samples.length; i += chunk) recognizer.process(samples.subarray(i, i + chunk));
        return text(recognizer.endUtterance());
      });
    const a = engine.createRecognizer();
    const b = engine.createRecognizer();
    try {
      const first = stream(a, 5120);
      assert.deepEqual(stream(b, 1234), first);
      // The decoder's mean now follows this session; a new one estimates its own from its first second.
      a.startSession();
      assert.deepEqual(stream(a, 5120), first);
      // Words as close to the reference as the whole-utterance decoder's on this speech.
      assert.ok(wordErrorRate(`${u0870!.reference} ${u0930!.reference}`, first.join(' ')) <= 0.35, first.join(' | '));
    } finally {
      a.free();
      b.free();
    }
  });

  it('is not affected in batch mode by an earlier streaming session', () => {
    const samples = wavSamples(u0930!.wavPath);
    const before = recognize(samples);
    const streaming = engine.createRecognizer();
    streaming.startUtterance(0);
    streaming.process(wavSamples(u0870!.wavPath));
    streaming.endUtterance();
    streaming.free();
    assert.deepEqual(recognize(samples), before);
  });

  it('returns no words for empty or tiny utterances', () => {
    assert.deepEqual(recognize(new Int16Array(0)), []);
    assert.deepEqual(recognize(new Int16Array(1)), []);
    assert.deepEqual(recognize(new Int16Array(160)), []);
  });

  it('refuses calls out of order', () => {
    const recognizer = engine.createRecognizer();
    assert.throws(() => recognizer.process(new Int16Array(160)), /expected streaming/);
    recognizer.startUtterance(0);
    assert.throws(() => recognizer.recognize(new Int16Array(160), 0), /expected ready/);
    recognizer.free();
    assert.throws(() => recognizer.startUtterance(0), /freed/);
  });

  it('fails clearly when a model file is missing', () => {
    assert.throws(
      () => new PocketSphinxEngine({ ...DEFAULT_POCKETSPHINX_MODEL, lm: '/nonexistent/en-us.lm.bin' }),
      /lm not found at \/nonexistent/,
    );
    assert.throws(
      () => new PocketSphinxEngine({ ...DEFAULT_POCKETSPHINX_MODEL, lm: '/etc/hostname' }),
      /could not load its model/,
    );
  });
});
