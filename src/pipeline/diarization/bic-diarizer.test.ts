// The batch diarizer on short real recordings; the full evaluation set
// (more voices, DER per group) is test/pipeline/diarization-evaluation.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversation, monologue, type Recording } from '../../../test/support/conversations.js';
import { diarizationErrorRate } from '../../lib/diarization-error-rate.js';
import { splitUtterances } from '../segmentation/utterance-splitter.js';
import { BicDiarizer } from './bic-diarizer.js';
import { speakerNetwork } from './speaker-model.js';

async function diarize(recording: Recording) {
  const diarizer = new BicDiarizer({}, speakerNetwork());
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

  it('keeps one voice one speaker', async () => {
    const turns = await diarize(monologue('librivox reader', 'librivox', 60_000));
    assert.ok(turns.length > 0);
    assert.ok(turns.every((t) => t.speaker === '1'));
  });

  it('returns no turns when there was no speech', () => {
    assert.deepEqual(new BicDiarizer().finish(), []);
  });
});
