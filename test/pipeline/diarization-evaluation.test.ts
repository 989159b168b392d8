// The diarizers (with the x-vector speaker network, as the server runs
// them) on the held-apart part of the evaluation set: real
// recordings of ten people from Debian packages, joined into conversations
// of 1 to 5 speakers with known turns, quick or paused turns, uneven levels
// and one voice on a telephone line (test/support/diarization-set.ts). The
// settings were tuned on the other part only.
// Figures, goals and how they were tuned: docs/diarization.md.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type DiarizerKind, type RecordingScore, pooledDer, pooledWordAccuracy, scoreRecording } from '../support/diarization-evaluation.js';
import { type EvaluationRecording, evaluationPart } from '../support/diarization-set.js';
import { speakerNetwork } from '../../src/pipeline/diarization/speaker-model.js';

/**
 * Bounds per diarizer, a few points below what it measures on the held-apart
 * part (docs/diarization.md), so that a regression fails while run-to-run
 * equality of the (deterministic) set keeps them from flaking. They are
 * below the goals, which are not met: see the docs.
 */
const BOUNDS: Record<DiarizerKind, { words: number; der: number; countAccuracy: number }> = {
  batch: { words: 0.9, der: 0.1, countAccuracy: 0.6 },
  live: { words: 0.84, der: 0.13, countAccuracy: 0.55 },
};

let recordings: EvaluationRecording[];
before(() => {
  // The figures below are those of the x-vector path: without the model
  // (scripts/setup.mjs fetches it) they would silently be the Gaussians' alone.
  assert.ok(speakerNetwork(), 'the speaker model is installed');
  recordings = evaluationPart('held-apart');
});

for (const kind of ['batch', 'live'] as const) {
  describe(`${kind} diarization of the held-apart evaluation recordings`, () => {
    const scores: RecordingScore[] = [];
    before(async () => {
      for (const r of recordings) scores.push(await scoreRecording(r, kind));
      const found = scores.map((s) => `${s.speakers}→${s.found}`).join(' ');
      console.log(`${kind}: ${(pooledWordAccuracy(scores) * 100).toFixed(1)}% of words right, DER ${(pooledDer(scores) * 100).toFixed(1)}%; speakers ${found}`);
    });

    // One of the three (July, at uneven levels) is found as two today
    // (docs/diarization.md); the unit tests hold monologues to one speaker.
    test('single speakers stay one speaker in at least two recordings of three', () => {
      const single = scores.filter((s) => s.speakers === 1);
      assert.equal(single.length, 3);
      assert.ok(single.filter((s) => s.found === 1).length >= 2, single.map((s) => `${s.name}: ${s.found}`).join(', '));
    });

    test(`at least ${BOUNDS[kind].words * 100}% of the words go to the right speaker`, () => {
      const words = pooledWordAccuracy(scores);
      assert.ok(words >= BOUNDS[kind].words, `${words}`);
    });

    test(`DER stays under ${BOUNDS[kind].der * 100}%`, () => {
      const der = pooledDer(scores);
      assert.ok(der < BOUNDS[kind].der, `${der}`);
    });

    test(`the number of speakers is found for at least ${BOUNDS[kind].countAccuracy * 100}% of the recordings`, () => {
      const right = scores.filter((s) => s.found === s.speakers).length;
      assert.ok(right / scores.length >= BOUNDS[kind].countAccuracy, `${right} of ${scores.length}`);
    });
  });
}
