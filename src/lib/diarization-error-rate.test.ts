import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diarizationErrorRate } from './diarization-error-rate.js';

const reference = [
  { startMs: 0, endMs: 4000, speaker: 'alice' },
  { startMs: 5000, endMs: 9000, speaker: 'bob' },
];

describe('diarizationErrorRate', () => {
  it('is zero for the reference itself, whatever the labels are called', () => {
    const hypothesis = reference.map((s) => ({ ...s, speaker: s.speaker === 'alice' ? '2' : '1' }));
    assert.deepEqual(diarizationErrorRate(reference, hypothesis, 0), { speechMs: 8000, missedMs: 0, falseAlarmMs: 0, confusionMs: 0, der: 0 });
  });

  it('counts missed speech, false alarms and confusion under the best mapping', () => {
    const hypothesis = [
      { startMs: 0, endMs: 3000, speaker: 'x' }, // 1 s of alice missed
      { startMs: 4000, endMs: 4500, speaker: 'x' }, // 0.5 s false alarm
      { startMs: 5000, endMs: 8000, speaker: 'y' },
      { startMs: 8000, endMs: 9000, speaker: 'x' }, // 1 s of bob given to alice's label
    ];
    const errors = diarizationErrorRate(reference, hypothesis, 0);
    assert.deepEqual(errors, { speechMs: 8000, missedMs: 1000, falseAlarmMs: 500, confusionMs: 1000, der: 2500 / 8000 });
  });

  it('does not score the collar around reference boundaries', () => {
    // The change is placed 200 ms late: inside a 250 ms collar, no error.
    const hypothesis = [
      { startMs: 0, endMs: 4200, speaker: 'a' },
      { startMs: 5000, endMs: 9000, speaker: 'b' },
    ];
    assert.equal(diarizationErrorRate(reference, hypothesis, 250).der, 0);
    // 250 ms of speech on the inner side of each of the four boundaries is not scored.
    assert.equal(diarizationErrorRate(reference, hypothesis, 250).speechMs, 8000 - 4 * 250);
    assert.ok(diarizationErrorRate(reference, hypothesis, 0).der > 0);
  });

  it('maps each hypothesis speaker to at most one reference speaker', () => {
    const one = reference.map((s) => ({ ...s, speaker: 'same' }));
    assert.equal(diarizationErrorRate(reference, one, 0).confusionMs, 4000);
  });
});
