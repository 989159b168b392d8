// The diarizers on the evaluation set: real recordings of seven people from
// Debian packages, joined into conversations of 2, 3 and 4 speakers with
// known turns (some with quick turn-taking), and single-speaker recordings
// (test/support/conversations.ts).
// Figures and how they were tuned: docs/diarization.md.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { evaluationSet, type Recording } from '../support/conversations.js';
import { type DiarizerKind, type RecordingScore, pooledDer, scoreRecording } from '../support/diarization-evaluation.js';

/**
 * Bounds per diarizer, with margin over what it measures (docs/diarization.md):
 * most DER allowed per group (pooled), and for the quick turn-taking group,
 * which is much harder live (a voice is labelled as it is first heard, from
 * a second or two of it); least share of recordings with the right number
 * of speakers.
 */
const BOUNDS: Record<DiarizerKind, { der: number; quickDer: number; countAccuracy: number }> = {
  batch: { der: 0.1, quickDer: 0.1, countAccuracy: 0.9 },
  live: { der: 0.25, quickDer: 0.45, countAccuracy: 0.7 },
};

let set: Record<string, Recording[]>;
before(() => {
  set = evaluationSet();
});

for (const kind of ['batch', 'live'] as const) {
  describe(`${kind} diarization of the evaluation set`, () => {
    const scores = new Map<string, RecordingScore[]>();
    before(async () => {
      for (const [group, recordings] of Object.entries(set)) {
        const groupScores: RecordingScore[] = [];
        for (const r of recordings) groupScores.push(await scoreRecording(r, kind));
        scores.set(group, groupScores);
      }
      for (const [group, groupScores] of scores) {
        const found = groupScores.map((s) => `${s.name}: ${s.found}`).join(', ');
        console.log(`${kind} ${group}: DER ${(pooledDer(groupScores) * 100).toFixed(1)}%; speakers found: ${found}`);
      }
    });

    test('a single speaker stays one speaker', () => {
      for (const s of scores.get('single')!) assert.equal(s.found, 1, s.name);
    });

    test(`DER stays under ${BOUNDS[kind].der * 100}% for every number of speakers, ${BOUNDS[kind].quickDer * 100}% with quick turns`, () => {
      for (const [group, groupScores] of scores) {
        const der = pooledDer(groupScores);
        assert.ok(der < (group === 'quick' ? BOUNDS[kind].quickDer : BOUNDS[kind].der), `${group}: DER ${der}`);
      }
    });

    test(`the number of speakers is found for at least ${BOUNDS[kind].countAccuracy * 100}% of the recordings`, () => {
      const all = [...scores.values()].flat();
      const right = all.filter((s) => s.found === s.speakers).length;
      assert.ok(right / all.length >= BOUNDS[kind].countAccuracy, `${right} of ${all.length}`);
    });
  });
}
