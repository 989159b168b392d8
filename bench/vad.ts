/**
 * Voice activity detection benchmark: the energy classifier against the
 * Silero VAD, on the LibriVox sentences clean and in real babble at 20, 10
 * and 5 dB SNR (test/support/babble.ts). Per detector and condition:
 *
 * - WER of async transcription (PocketSphinx on the utterances the detector cut);
 * - boundaries inside sentences and cuts mid-word, async segmentation;
 * - real-time endpointing (max_endpoint_delay_ms 2000 and 500): false `<end>`
 *   inside a sentence, sentences with no `<end>`, end of speech → end
 *   decided p50 / p95 over several stretches of babble;
 * - event-loop cost: CPU time of the live segmenter per time of audio.
 *
 * Definitions in test/support/vad-evaluation.ts. Prints figures; never fails.
 */
import { availableParallelism, loadavg } from 'node:os';
import { wordErrorRate } from '../src/lib/wer.js';
import { PocketSphinxEngine } from '../src/pipeline/engines/pocketsphinx/pocketsphinx-engine.js';
import { SileroModel } from '../src/pipeline/segmentation/silero-model.js';
import type { VoiceDetector } from '../src/pipeline/segmentation/speech-classifier.js';
import { speechMix } from '../test/support/babble.js';
import {
  alignSentences,
  boundariesInsideSentences,
  liveEndpoints,
  midWordCuts,
  percentile,
  recognizeUtterances,
  segmentAsync,
  segmenterCost,
} from '../test/support/vad-evaluation.js';

const CONDITIONS: (number | null)[] = [null, 20, 10, 5];
const DETECTORS: VoiceDetector[] = ['energy', 'silero'];
const DELAYS = [2000, 500];
/** Stretches of babble per condition for the endpoint figures (5 sentence ends each). */
const SEEDS = Number(process.env.HARK_BENCH_VAD_SEEDS ?? 4);

const engine = new PocketSphinxEngine();
const clean = speechMix(null);
const alignment = alignSentences(clean, engine);
const reference = clean.sentences.map((s) => s.reference).join(' ');
const loadBefore = loadavg()[0]!;
const loadSamples: number[] = [];
SileroModel.get();

console.log(`Voice activity detection: ${availableParallelism()} cores, load average ${loadBefore.toFixed(2)} at start`);
console.log(`${(clean.samples.length / 16_000).toFixed(1)} s per mix: 5 LibriVox sentences, 1.2 s pauses; babble of 8 talkers from 9 other recordings`);
console.log(`Endpoint figures over ${SEEDS} stretches of babble (${SEEDS * 5} sentence ends per cell)\n`);

const header = [
  'condition', 'detector', 'WER', 'async: splits / mid-word',
  ...DELAYS.map((d) => `live ${d}: false <end> / missed / end p50 / p95`),
  'event loop',
];
// Rows print as they are measured: a run on a busy machine takes minutes.
const widths = [9, 8, 6, 30, 44, 43, 10];
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(header));
for (const snr of CONDITIONS) {
  for (const detector of DETECTORS) {
    const mix = snr === null ? clean : speechMix(snr, 0);
    const utterances = await segmentAsync(mix, detector);
    const words = recognizeUtterances(utterances, engine);
    const wer = wordErrorRate(reference, words.map((w) => w.word).join(' '));
    const live = DELAYS.map((delay) => {
      const runs = Array.from({ length: snr === null ? 1 : SEEDS }, (_, seed) =>
        liveEndpoints(snr === null ? clean : speechMix(snr, seed), detector, delay, alignment),
      );
      const latencies = runs.flatMap((r) => r.latenciesMs);
      const sum = (key: 'falseEnds' | 'missedEnds') => runs.reduce((total, r) => total + r[key], 0);
      return `${sum('falseEnds')} / ${sum('missedEnds')} / ${Math.round(percentile(latencies, 50))} / ${Math.round(percentile(latencies, 95))} ms`;
    });
    const cost = segmenterCost(mix, detector);
    loadSamples.push(loadavg()[0]!);
    console.log(line([
      snr === null ? 'clean' : `${snr} dB`,
      detector,
      `${(wer * 100).toFixed(1)}%`,
      `${boundariesInsideSentences(utterances, alignment)} / ${midWordCuts(utterances, alignment)} (${utterances.length} utt.)`,
      ...live,
      `${(cost * 100).toFixed(2)}%`,
    ]));
  }
}
engine.close();

console.log(`\nload average during the run: ${Math.min(...loadSamples).toFixed(2)}–${Math.max(...loadSamples).toFixed(2)}`);
