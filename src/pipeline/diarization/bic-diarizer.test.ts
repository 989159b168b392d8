// The batch diarizer on short real recordings; the full evaluation set
// (more voices, DER per group) is test/pipeline/diarization-evaluation.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversation, monologue, type Recording } from '../../../test/support/conversations.js';
import { diarizationErrorRate } from '../../lib/diarization-error-rate.js';
import { splitUtterances } from '../segmentation/utterance-splitter.js';
import { buildRecording } from '../../../test/support/diarization-set.js';
import { BicDiarizer, type BicDiarizerOptions } from './bic-diarizer.js';
import { speakerNetwork } from './speaker-model.js';
import { DEFAULT_SPECTRAL_OPTIONS } from './spectral-clustering.js';

/** How many speakers the turns name. */
const speakers = (turns: readonly { speaker: string }[]) => new Set(turns.map((t) => t.speaker)).size;

async function diarize(recording: Recording, options: Partial<BicDiarizerOptions> = {}) {
  const diarizer = new BicDiarizer(options, speakerNetwork());
  async function* audio() {
    yield recording.samples;
  }
  for await (const u of splitUtterances(audio())) diarizer.addSpeech(u.samples, u.offsetMs);
  return diarizer.finish();
}

describe('BicDiarizer', () => {
  it('finds the two voices of a conversation and where each speaks', async () => {
    const recording = conversation({ name: 'librivox + alsa', voices: ['librivox', 'alsa'], perVoiceMs: 30_000, seed: 11 });
    const turns = await diarize(recording);
    assert.deepEqual([...new Set(turns.map((t) => t.speaker))], ['1', '2'], 'labelled in order of first appearance');
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.1, `DER ${der}`);
    turns.forEach((t, i) => assert.ok(t.startMs < t.endMs && (i === 0 || t.startMs >= turns[i - 1]!.endMs), 'turns in time order'));
  });

  // 13 s of speech: about 24 windows, each with only two or three nearest
  // neighbours at the sparsest pruning levels, a graph that falls apart.
  it('finds the two voices of a short telephone call from few windows', async () => {
    const recording = buildRecording({
      voices: ['librivox', 'alsa'],
      conditions: { turns: 'long', pauses: 'natural', levels: 'uneven', channel: 'telephone' },
      perVoiceMs: 25_000,
      seed: 32676,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 2);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.05, `DER ${der}`);
    const sparse = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, minNeighbours: 2 } });
    assert.ok(speakers(sparse) > 2, 'without the floor on neighbours the graph falls apart');
  });

  // Allison, June and Carlo in 1–3 s turns: the sparser pruning levels show
  // three voices, the densest (with the best ratio, by a few per cent) one.
  it('finds three similar voices that only the sparser pruning levels tell apart', async () => {
    const recording = buildRecording({
      voices: ['allison', 'june', 'carlo'],
      conditions: { turns: 'short', pauses: 'natural', levels: 'uneven', channel: 'clean' },
      perVoiceMs: 25_000,
      seed: 167299,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 3);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.05, `DER ${der}`);
    const strict = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, countTolerance: 1, oneVoiceWhenAllLevelsAgree: false } });
    assert.equal(speakers(strict), 1, 'the best level alone finds one voice');
  });

  // Five voices in 1–3 s turns cut straight together, at uneven levels, one
  // on the telephone: every level close to the best sees one voice (windows
  // across the quick turns chain them), the sparsest five.
  it('does not take five voices for one when a sparser level tells them apart', async () => {
    const recording = buildRecording({
      voices: ['alsa', 'russian', 'june', 'july', 'armelle'],
      conditions: { turns: 'short', pauses: 'none', levels: 'uneven', channel: 'telephone' },
      perVoiceMs: 18_000,
      seed: 218776,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.ok(speakers(turns) >= 5, `${speakers(turns)} speakers`);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.2, `DER ${der}`);
    const collapsed = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, oneVoiceWhenAllLevelsAgree: false } });
    assert.equal(speakers(collapsed), 1, 'the levels close to the best alone find one voice');
  });

  // A man and a woman in 1–3 s turns cut straight together: windows across
  // the turns chain them, so every pruning level sees one voice, but the
  // best level's graph cut in two gives halves far apart.
  it('tells two voices apart when no pruning level sees more than one', async () => {
    const recording = buildRecording({
      voices: ['carlo', 'june'],
      conditions: { turns: 'short', pauses: 'none', levels: 'uneven', channel: 'clean' },
      perVoiceMs: 25_000,
      seed: 95183475,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 2);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.15, `DER ${der}`);
    const unchecked = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, twoVoicesBelowCosine: null } });
    assert.equal(speakers(unchecked), 1, 'every level alone finds one voice');
  });

  // 10 s of a man and a woman, the man on the telephone: fewer than 20
  // windows.
  it('clusters the windows of a call of about ten seconds', async () => {
    const recording = buildRecording({
      voices: ['cards', 'alsa'],
      conditions: { turns: 'long', pauses: 'none', levels: 'even', channel: 'telephone' },
      perVoiceMs: 25_000,
      seed: 1013,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 2);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.1, `DER ${der}`);
    const segments = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, minWindows: 20 } });
    assert.equal(speakers(segments), 1, 'the segments of the BIC path join the two voices');
  });

  // Three voices: June's last two turns form a group of their own, heard
  // in two stretches, whose mean x-vector is like hers.
  it('gives a voice back the turns that one stretch of its own split off', async () => {
    const recording = buildRecording({
      voices: ['librivox', 'allison', 'june'],
      conditions: { turns: 'long', pauses: 'natural', levels: 'uneven', channel: 'telephone' },
      perVoiceMs: 25_000,
      seed: 2022841908,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 3);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.05, `DER ${der}`);
    const unmerged = await diarize(recording, { spectral: { ...DEFAULT_SPECTRAL_OPTIONS, fewStretchesMergeCosine: null } });
    assert.equal(speakers(unmerged), 4, 'without the merge one voice is two');
  });

  // Carlo and June in long turns with no pauses, June 20 dB quieter: her
  // turns sit inside utterances whose loudest frames are his.
  it('gives a quieter voice its turns inside a louder one\'s utterances', async () => {
    const recording = buildRecording({
      voices: ['carlo', 'june'],
      conditions: { turns: 'long', pauses: 'none', levels: 'even', channel: 'clean' },
      perVoiceMs: 25_000,
      seed: 30_001,
      part: 'tuning',
    });
    for (const s of recording.reference.filter((r) => r.speaker === 'june')) {
      for (let i = Math.round(s.startMs * 16); i < Math.round(s.endMs * 16); i++) recording.samples[i] = Math.round(recording.samples[i]! / 10);
    }
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 2);
    const { der, missedMs, speechMs } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(missedMs < 0.02 * speechMs, `missed ${missedMs} of ${speechMs} ms`);
    assert.ok(der < 0.05, `DER ${der}`);
  });

  // Five voices in 1–3 s turns at ±10 dB, ALSA's on the telephone: the
  // frames 30–40 dB below an utterance's loudest alone would keep a sixth.
  it('keeps no voice that lives on quiet frames', async () => {
    const recording = buildRecording({
      voices: ['june', 'armelle', 'menardi', 'russian', 'alsa'],
      conditions: { turns: 'short', pauses: 'natural', levels: 'uneven', channel: 'telephone' },
      perVoiceMs: 18_000,
      seed: 1235878592,
      part: 'tuning',
    });
    const turns = await diarize(recording);
    assert.equal(speakers(turns), 5);
    const { der } = diarizationErrorRate(recording.reference, turns, 250);
    assert.ok(der < 0.05, `DER ${der}`);
  });

  it('keeps one voice one speaker', async () => {
    const turns = await diarize(monologue('librivox reader', 'librivox', 60_000));
    assert.ok(turns.length > 0);
    assert.ok(turns.every((t) => t.speaker === '1'));
  });

  it('returns no turns when there was no speech', () => {
    assert.deepEqual(new BicDiarizer().finish(), []);
  });
});
