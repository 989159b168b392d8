/**
 * Runs the diarizers over recordings with known turns and scores them: DER
 * (250 ms collar) and whether the number of speakers was found. Shared by
 * the evaluation test and `npm run bench:diarization`.
 *
 * Both diarizers get what they get in the server: the batch one, the
 * utterances of the voice activity segmenter; the live one, the audio in
 * 120 ms chunks and, at the end of each utterance, its words as final. The
 * words here are the utterance cut in 300 ms pieces (the diarizer uses only
 * their timings), so the evaluation needs no speech recognition.
 */
import { type DiarizationErrors, diarizationErrorRate } from '../../src/lib/diarization-error-rate.js';
import { BicDiarizer } from '../../src/pipeline/diarization/bic-diarizer.js';
import type { SpeakerTurn, TimedWord } from '../../src/pipeline/diarization/diarizer.js';
import { OnlineDiarizer } from '../../src/pipeline/diarization/online-diarizer.js';
import { type Utterance, splitUtterances } from '../../src/pipeline/segmentation/utterance-splitter.js';
import type { Recording } from './conversations.js';

export const COLLAR_MS = 250;
const CHUNK_SAMPLES = 1920;
const PSEUDO_WORD_MS = 300;

export type DiarizerKind = 'batch' | 'live';

export interface RecordingScore {
  name: string;
  audioMs: number;
  speakers: number;
  found: number;
  errors: DiarizationErrors;
  /** Wall time spent in the diarizer (feature extraction included). */
  diarizerMs: number;
}

export async function utterancesOf(samples: Int16Array): Promise<Utterance[]> {
  async function* audio() {
    yield samples;
  }
  const out: Utterance[] = [];
  for await (const u of splitUtterances(audio())) out.push(u);
  return out;
}

function pseudoWords(u: Utterance): TimedWord[] {
  const endMs = u.offsetMs + u.samples.length / 16;
  const words: TimedWord[] = [];
  for (let t = u.offsetMs; t < endMs; t += PSEUDO_WORD_MS) words.push({ startMs: t, endMs: Math.min(t + PSEUDO_WORD_MS, endMs) });
  return words;
}

function runBatch(utterances: Utterance[]): SpeakerTurn[] {
  const diarizer = new BicDiarizer();
  for (const u of utterances) diarizer.addSpeech(u.samples, u.offsetMs);
  return diarizer.finish();
}

function runLive(samples: Int16Array, utterances: Utterance[]): SpeakerTurn[] {
  const diarizer = new OnlineDiarizer();
  const labelled: SpeakerTurn[] = [];
  let pushed = 0;
  for (const u of utterances) {
    const end = u.offsetMs * 16 + u.samples.length;
    for (; pushed < end; pushed += CHUNK_SAMPLES) diarizer.push(samples.subarray(pushed, Math.min(pushed + CHUNK_SAMPLES, end)));
    pushed = end;
    const words = pseudoWords(u);
    const speakers = diarizer.labelFinal(words);
    words.forEach((w, i) => labelled.push({ ...w, speaker: speakers[i]! }));
  }
  return labelled;
}

/** Diarizes `recording` with the chosen diarizer and scores the result. */
export async function scoreRecording(recording: Recording, kind: DiarizerKind): Promise<RecordingScore> {
  const utterances = await utterancesOf(recording.samples);
  const started = performance.now();
  const hypothesis = kind === 'batch' ? runBatch(utterances) : runLive(recording.samples, utterances);
  const diarizerMs = performance.now() - started;
  return {
    name: recording.name,
    audioMs: recording.samples.length / 16,
    speakers: recording.speakers,
    found: new Set(hypothesis.map((t) => t.speaker)).size,
    errors: diarizationErrorRate(recording.reference, hypothesis, COLLAR_MS),
    diarizerMs,
  };
}

/** DER over a group: errors summed over its recordings, divided by their speech. */
export function pooledDer(scores: readonly RecordingScore[]): number {
  const sum = (f: (e: DiarizationErrors) => number) => scores.reduce((n, s) => n + f(s.errors), 0);
  return (sum((e) => e.missedMs) + sum((e) => e.falseAlarmMs) + sum((e) => e.confusionMs)) / sum((e) => e.speechMs);
}
