import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VOICES, type VoiceName, conversation, decodeClip, speechExtent, type Recording } from '../../../test/support/conversations.js';
import { diarizationErrorRate } from '../../lib/diarization-error-rate.js';
import { pseudoWordUtterances, scoreRecording } from '../../../test/support/diarization-evaluation.js';
import { type EvaluationRecording, type Pauses, buildRecording } from '../../../test/support/diarization-set.js';
import type { TimedWord } from './diarizer.js';
import { OnlineDiarizer } from './online-diarizer.js';
import { speakerNetwork } from './speaker-model.js';

/** Streams the recording: audio up to each utterance's end, then its words become final. */
async function live(recording: Recording, diarizer: OnlineDiarizer, between?: (words: TimedWord[]) => void) {
  const labelled: { startMs: number; endMs: number; speaker: string }[] = [];
  let pushed = 0;
  for (const { endSample, words } of await pseudoWordUtterances(recording.samples)) {
    // Audio arrives in 120 ms chunks, as from a real-time client.
    for (; pushed < endSample; pushed += 1920) diarizer.push(recording.samples.subarray(pushed, Math.min(pushed + 1920, endSample)));
    pushed = endSample;
    between?.(words);
    const speakers = diarizer.labelFinal(words);
    words.forEach((w, i) => labelled.push({ ...w, speaker: speakers[i]! }));
  }
  return labelled;
}

const twoVoices = conversation({ name: 'librivox + alsa', voices: ['librivox', 'alsa'], perVoiceMs: 30_000, seed: 11 });

/** 40 s of one voice of the tuning part, short turns at uneven levels, on the telephone. */
function telephoneMonologue(voice: VoiceName, pauses: Pauses, seed: number): EvaluationRecording {
  return buildRecording({ voices: [voice], conditions: { turns: 'short', pauses, levels: 'uneven', channel: 'telephone' }, perVoiceMs: 40_000, seed, part: 'tuning' });
}

describe('OnlineDiarizer', () => {
  it('labels the voices of a live conversation "1", "2" in order of first appearance', async () => {
    const labelled = await live(twoVoices, new OnlineDiarizer({}, speakerNetwork()));
    assert.deepEqual([...new Set(labelled.map((w) => w.speaker))], ['1', '2']);
    const { der } = diarizationErrorRate(twoVoices.reference, labelled, 250);
    assert.ok(der < 0.15, `DER ${der}`);
  });

  it('once about 10 s of speech is final, labels new words by spectral clustering of the recent x-vector windows', async () => {
    // Three men: the Gaussian clustering that decides before that finds a fourth voice here.
    const men = conversation({ name: 'librivox + carlo + cards', voices: ['librivox', 'carlo', 'cards'], perVoiceMs: 25_000, seed: 5 });
    const labelled = await live(men, new OnlineDiarizer({}, speakerNetwork()));
    assert.deepEqual([...new Set(labelled.map((w) => w.speaker))], ['1', '2', '3']);
    const { der } = diarizationErrorRate(men.reference, labelled, 250);
    assert.ok(der < 0.05, `DER ${der}`);
  });

  // Turns of 1–3 s cut straight together: one utterance holds many turns,
  // and the 1.5 s windows give each turn's edges to the neighbour.
  it('moves the changes of voice inside an utterance to where the frames change', async () => {
    const recording = buildRecording({
      voices: ['alsa', 'menardi'],
      conditions: { turns: 'short', pauses: 'none', levels: 'even', channel: 'clean' },
      perVoiceMs: 25_000,
      seed: 512008029,
      part: 'tuning',
    });
    const score = await scoreRecording(recording, 'live');
    const windowsOnly = await scoreRecording(recording, 'live', { live: { resegmentation: null } });
    assert.equal(score.found, 2);
    assert.equal(windowsOnly.found, 2, 'the same voices either way');
    assert.ok(score.wordsRight / score.words > 0.93, `${score.wordsRight} of ${score.words} words`);
    assert.ok(windowsOnly.wordsRight / windowsOnly.words < 0.85, `by the windows alone: ${windowsOnly.wordsRight} of ${windowsOnly.words}`);
  });

  // One utterance's 1.5 s windows agree with each other more than with
  // anything older, so spectral clustering can give them a group of their own.
  it('does not take a group of a few new windows for a new voice', async () => {
    const recording = telephoneMonologue('july', 'natural', 1235731497);
    const score = await scoreRecording(recording, 'live');
    assert.equal(score.found, 1);
    const fromThree = await scoreRecording(recording, 'live', { live: { minNewVoiceWindows: 3 } });
    assert.ok(fromThree.found > 1, 'with 3 windows enough, some of her utterances found voices');
  });

  // Her first utterance, about 12 s, is louder in some turns than in others.
  it('does not split a first long utterance of one voice in two', async () => {
    const recording = telephoneMonologue('menardi', 'none', 1486508877);
    const score = await scoreRecording(recording, 'live');
    assert.equal(score.found, 1);
    assert.equal(score.wordsRight, score.words);
    const withoutRules = await scoreRecording(recording, 'live', { live: { firstVoicesSpectral: {} } });
    assert.ok(withoutRules.found > 1, 'clustered as later words are, her first utterance was two voices');
  });

  it('final labels do not depend on the provisional labels asked for in between', async () => {
    const plain = await live(twoVoices, new OnlineDiarizer({}, speakerNetwork()));
    const asked = new OnlineDiarizer({}, speakerNetwork());
    const provisional: string[][] = [];
    const withProvisional = await live(twoVoices, asked, (words) => provisional.push(asked.labelProvisional(words)));
    assert.deepEqual(withProvisional, plain);
    assert.ok(provisional.every((labels) => labels.every((l) => /^[1-9][0-9]*$/.test(l))));
  });

  it('works provisional labels out again once the words cover 500 ms more, continuing the latest speaker meanwhile', async () => {
    const diarizer = new OnlineDiarizer({}, speakerNetwork());
    const worked: number[] = [];
    const spied = diarizer as unknown as { computeProvisional(words: readonly TimedWord[]): string[] };
    const compute = spied.computeProvisional.bind(diarizer);
    spied.computeProvisional = (words) => (worked.push(words.length), compute(words));
    const [first, second] = await pseudoWordUtterances(twoVoices.samples);
    diarizer.push(twoVoices.samples.subarray(0, second!.endSample));
    const answers = first!.words.map((_, i) => diarizer.labelProvisional(first!.words.slice(0, i + 1)));
    // Worked out at the first word, then whenever the words end 500 ms or more after the last time.
    const expected: number[] = [];
    let workedToMs = -Infinity;
    first!.words.forEach((word, i) => {
      if (word.endMs - workedToMs < 500) return;
      expected.push(i + 1);
      workedToMs = word.endMs;
    });
    assert.ok(expected.length >= 3, `the first utterance has ${first!.words.length} words`);
    assert.deepEqual(worked, expected);
    answers.forEach((labels, i) => {
      if (expected.includes(i + 1)) return;
      assert.deepEqual(labels, [...answers[i - 1]!, answers[i - 1]!.at(-1)]);
    });
    diarizer.labelFinal(first!.words);
    diarizer.labelProvisional(second!.words.slice(0, 1));
    assert.equal(worked.at(-1), 1, 'a new utterance is worked out anew');
  });

  it('finds two new voices in one batch of final words', () => {
    const [man] = VOICES.librivox.clips();
    const woman = VOICES.alsa.clips().slice(0, 3);
    const audio = [decodeClip(man!), ...woman.map(decodeClip)];
    const diarizer = new OnlineDiarizer({}, speakerNetwork());
    const words: TimedWord[] = [];
    let atMs = 0;
    for (const samples of audio) {
      diarizer.push(samples);
      const { startMs, endMs } = speechExtent(samples);
      for (let t = atMs + startMs; t + 300 <= atMs + endMs; t += 300) words.push({ startMs: t, endMs: t + 300 });
      atMs += samples.length / 16;
    }
    const labels = diarizer.labelFinal(words);
    const manWords = words.filter((w) => w.endMs <= audio[0]!.length / 16).length;
    assert.ok(labels.slice(0, manWords - 1).every((l) => l === '1'), labels.join(''));
    assert.ok(labels.slice(manWords + 1).every((l) => l === '2'), labels.join(''));
  });

  it('continues the previous speaker for words whose audio it has not heard', () => {
    const diarizer = new OnlineDiarizer({}, speakerNetwork());
    assert.deepEqual(diarizer.labelFinal([{ startMs: 0, endMs: 300 }]), ['1']);
    assert.deepEqual(diarizer.labelProvisional([{ startMs: 400, endMs: 700 }]), ['1']);
    assert.deepEqual(diarizer.labelFinal([]), []);
  });

  it('keeps telling voices apart after a minute and more of audio with no final words', () => {
    // Over 60 s of the reader before any word is final: the oldest audio is dropped, not kept.
    const reader = VOICES.librivox.clips().map(decodeClip);
    const woman = VOICES.alsa.clips().slice(0, 3).map(decodeClip);
    const diarizer = new OnlineDiarizer({}, speakerNetwork());
    let atMs = 0;
    const wordsOf = (samples: Int16Array) => {
      const { startMs, endMs } = speechExtent(samples);
      const words: TimedWord[] = [];
      for (let t = atMs + startMs; t + 300 <= atMs + endMs; t += 300) words.push({ startMs: t, endMs: t + 300 });
      return words;
    };
    const readerWords: TimedWord[] = [];
    for (let round = 0; atMs < 70_000; round++) {
      const samples = reader[round % reader.length]!;
      diarizer.push(samples);
      if (atMs > 60_000) readerWords.push(...wordsOf(samples));
      atMs += samples.length / 16;
    }
    assert.ok(diarizer.labelFinal(readerWords).every((l) => l === '1'));
    const womanWords: TimedWord[] = [];
    for (const samples of woman) {
      diarizer.push(samples);
      womanWords.push(...wordsOf(samples));
      atMs += samples.length / 16;
    }
    const labels = diarizer.labelFinal(womanWords);
    assert.ok(labels.filter((l) => l === '2').length >= labels.length * 0.8, labels.join(''));
  });

  it('never labels more speakers than allowed', async () => {
    const threeVoices = conversation({ name: 'three', voices: ['librivox', 'cards', 'alsa'], perVoiceMs: 30_000, seed: 21 });
    const labelled = await live(threeVoices, new OnlineDiarizer({ maxSpeakers: 2 }));
    assert.deepEqual([...new Set(labelled.map((w) => w.speaker))].sort(), ['1', '2']);
  });
});
