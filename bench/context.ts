/**
 * Context biasing: word error rate on the LibriVox recordings without and
 * with context, and how long applying a context to a decoder takes (what a
 * real-time session waits for before its first words), with a 10,000-character
 * context on the accurate (async) and the fast (real-time) decoder settings.
 */
import { readFileSync } from 'node:fs';
import { STREAMING_DECODER_ARGS } from '../src/jobs/realtime-recognition-worker.js';
import { wordErrors } from '../src/lib/wer.js';
import type { RecognitionContext } from '../src/pipeline/context/recognition-context.js';
import { DEFAULT_POCKETSPHINX_MODEL } from '../src/pipeline/engines/pocketsphinx/model.js';
import { PocketSphinxEngine } from '../src/pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import { AUSTEN_CONTEXT, AUSTEN_TERMS, AUSTEN_TEXT } from '../test/support/austen-context.js';
import { librivoxUtterances } from '../test/support/librivox.js';

const context = (fields: Partial<RecognitionContext>): RecognitionContext => ({
  general: [], text: '', terms: [], translationTerms: [], ...fields,
});

function wavSamples(path: string): Int16Array {
  const bytes = readFileSync(path);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.length));
}

function errorRates(engine: PocketSphinxEngine): void {
  const utterances = librivoxUtterances().map((u) => ({ ...u, samples: wavSamples(u.wavPath) }));
  const medical = context({
    terms: ['HbA1c', 'Celebrex', 'Zyrtec', 'metformin', 'lisinopril', 'Xanax', 'Prilosec'],
    text: 'The patient has type two diabetes and hypertension. His HbA1c was eight point one percent at the last visit. ' +
      'He takes metformin twice daily and lisinopril in the morning, Celebrex for joint pain and Zyrtec for allergies.',
  });
  const cases: [string, RecognitionContext | null][] = [
    ['no context', null],
    ['names as terms', context({ terms: [...AUSTEN_TERMS] })],
    ['book summary as text', context({ text: AUSTEN_TEXT })],
    ['terms, text and general', AUSTEN_CONTEXT],
    ['unrelated (medical) context', medical],
  ];
  const audioMs = utterances.reduce((sum, u) => sum + u.samples.length / 16, 0);
  console.log('| Context | WER | "Dashwood" recognised | decoding time / audio time |\n|---|---|---|---|');
  for (const [label, ctx] of cases) {
    const recognizer = engine.createRecognizer();
    if (ctx) recognizer.setContext!(ctx);
    let errors = 0;
    let words = 0;
    let dashwood = false;
    const started = performance.now();
    for (const u of utterances) {
      const hypothesis = recognizer.recognize(u.samples, 0).map((w) => w.word).join(' ');
      dashwood ||= /dashwood/i.test(hypothesis);
      const counts = wordErrors(u.reference, hypothesis);
      errors += counts.errors;
      words += counts.referenceWords;
    }
    const decodingMs = performance.now() - started;
    recognizer.free();
    const wer = `${((errors / words) * 100).toFixed(1)}% (${errors}/${words})`;
    console.log(`| ${label} | ${wer} | ${dashwood ? 'yes' : 'no'} | ${(decodingMs / audioMs).toFixed(2)} |`);
  }
}

/** 10,000 characters of real English prose, many distinct words, plus the terms. */
function largeContext(variant: number): RecognitionContext {
  const prose = readFileSync('/usr/share/common-licenses/GPL-3', 'utf8').replace(/\s+/g, ' ');
  const terms = [...AUSTEN_TERMS, `Variant${variant}`];
  let text = prose.slice(variant * 1000, variant * 1000 + 10_000);
  // The limit counts the serialised context, as the API does.
  while (JSON.stringify({ terms, text }).length > 10_000) text = text.slice(0, -10);
  return context({ terms, text });
}

function applyLatency(label: string, engine: PocketSphinxEngine): void {
  const times: number[] = [];
  for (let variant = 0; variant < 6; variant++) {
    const recognizer = engine.createRecognizer();
    const started = performance.now();
    recognizer.setContext!(largeContext(variant));
    times.push(performance.now() - started);
    recognizer.free();
  }
  const recognizer = engine.createRecognizer();
  recognizer.setContext!(largeContext(0));
  recognizer.setContext!(null);
  const started = performance.now();
  recognizer.setContext!(largeContext(0));
  const cachedMs = performance.now() - started;
  recognizer.free();
  const [first, ...rest] = times;
  const sorted = rest.sort((a, b) => a - b);
  console.log(
    `| ${label} | ${first!.toFixed(0)} ms | ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms | ${sorted.at(-1)!.toFixed(0)} ms | ${cachedMs.toFixed(1)} ms |`,
  );
}

const accurate = new PocketSphinxEngine();
errorRates(accurate);
console.log('\nApplying a 10,000-character context:\n');
console.log('| Decoder | first in process | median of 5 more | slowest | again, recently used |\n|---|---|---|---|---|');
applyLatency('async jobs', accurate);
accurate.close();
const fast = new PocketSphinxEngine(DEFAULT_POCKETSPHINX_MODEL, STREAMING_DECODER_ARGS);
applyLatency('real-time (streaming search)', fast);
fast.close();
