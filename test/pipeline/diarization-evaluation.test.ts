// The diarizers (with the x-vector speaker network, as the server runs
// them) on the two held-apart parts of the evaluation set: real
// recordings of ten people from Debian packages (and of seven more that only
// the new-voices part has), joined into conversations
// of 1 to 5 speakers with known turns, quick or paused turns, uneven levels
// and one voice on a telephone line (test/support/diarization-set.ts). The
// settings were tuned on the other part only.
// Figures, goals and how they were tuned: docs/diarization.md.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type DiarizerKind, type RecordingScore, pooledDer, pooledWordAccuracy, scoreRecording } from '../support/diarization-evaluation.js';
import { type EvaluationRecording, type Part, evaluationPart } from '../support/diarization-set.js';
import { speakerNetwork } from '../../src/pipeline/diarization/speaker-model.js';

/**
 * Bounds per part and diarizer, a few points below what each measures
 * (docs/diarization.md), so that a regression fails while run-to-run
 * equality of the (deterministic) set keeps them from flaking. They are
 * below the goals where those are not met: see the docs. `single`:
 * of how many monologues, how many must stay one speaker (at uneven levels,
 * July of the held-apart part and Nynorsk of the new voices are found as two
 * in real time today; July was in async too).
 */
const PARTS = {
  'held-apart': {
    single: { of: 3, batch: 2, live: 2 },
    batch: { words: 0.95, der: 0.05, countAccuracy: 0.75 },
    live: { words: 0.86, der: 0.12, countAccuracy: 0.55 },
  },
  // Seven voices neither other part has; scored once, after every setting was chosen.
  'new-voices': {
    single: { of: 2, batch: 2, live: 1 },
    batch: { words: 0.95, der: 0.05, countAccuracy: 8 / 12 },
    live: { words: 0.93, der: 0.07, countAccuracy: 10 / 12 },
  },
} satisfies Record<Exclude<Part, 'tuning'>, { single: { of: number } & Record<DiarizerKind, number> } & Record<DiarizerKind, { words: number; der: number; countAccuracy: number }>>;

before(() => {
  // The figures below are those of the x-vector path: without the model
  // (scripts/setup.mjs fetches it) they would silently be the Gaussians' alone.
  assert.ok(speakerNetwork(), 'the speaker model is installed');
});

for (const [part, bounds] of Object.entries(PARTS)) {
  let recordings: EvaluationRecording[];
  before(() => {
    recordings = evaluationPart(part as Part);
  });

  for (const kind of ['batch', 'live'] as const) {
    describe(`${kind} diarization of the ${part} evaluation recordings`, () => {
      const scores: RecordingScore[] = [];
      before(async () => {
        for (const r of recordings) scores.push(await scoreRecording(r, kind));
        const found = scores.map((s) => `${s.speakers}→${s.found}`).join(' ');
        console.log(`${part}, ${kind}: ${(pooledWordAccuracy(scores) * 100).toFixed(1)}% of words right, DER ${(pooledDer(scores) * 100).toFixed(1)}%; speakers ${found}`);
      });

      test(`single speakers stay one speaker in at least ${bounds.single[kind]} recordings of ${bounds.single.of}`, () => {
        const single = scores.filter((s) => s.speakers === 1);
        assert.equal(single.length, bounds.single.of);
        assert.ok(single.filter((s) => s.found === 1).length >= bounds.single[kind], single.map((s) => `${s.name}: ${s.found}`).join(', '));
      });

      test(`at least ${(bounds[kind].words * 100).toFixed(0)}% of the words go to the right speaker`, () => {
        const words = pooledWordAccuracy(scores);
        assert.ok(words >= bounds[kind].words, `${words}`);
      });

      test(`DER stays under ${(bounds[kind].der * 100).toFixed(0)}%`, () => {
        const der = pooledDer(scores);
        assert.ok(der < bounds[kind].der, `${der}`);
      });

      test(`the number of speakers is found for at least ${(bounds[kind].countAccuracy * 100).toFixed(0)}% of the recordings`, () => {
        const right = scores.filter((s) => s.found === s.speakers).length;
        assert.ok(right / scores.length >= bounds[kind].countAccuracy, `${right} of ${scores.length}`);
      });
    });
  }
}
