// How the transcript assembler labels speakers through its diarizer; the
// rest of its behaviour is in transcript-assembler.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimedWord } from '../diarization/diarizer.js';
import type { RecognizedWord } from '../engines/speech-engine.js';
import { TranscriptAssembler } from './transcript-assembler.js';

const word = (w: string, startMs: number, endMs: number): RecognizedWord => ({ word: w, startMs, endMs, confidence: 0.9 });

/** A scripted diarizer: speaker "2" from 2 s on; provisional labels are "9" so they can be told apart. */
function scripted() {
  const finalCalls: TimedWord[][] = [];
  return {
    finalCalls,
    labelFinal: (words: readonly TimedWord[]) => {
      finalCalls.push([...words]);
      return words.map((w) => (w.startMs >= 2000 ? '2' : '1'));
    },
    labelProvisional: (words: readonly TimedWord[]) => words.map(() => '9'),
  };
}

describe('TranscriptAssembler with a diarizer', () => {
  it('labels final words once, in order, and the period with its word; non-final words provisionally', () => {
    const diarizer = scripted();
    const t = new TranscriptAssembler(diarizer);
    t.openUtterance(1, 0);
    t.closeUtterance(1, 2600, true);
    // Final words go out as non-final first (the fast pass's words here).
    t.setProvisional(1, [word('yes', 100, 400), word('no', 2100, 2500)]);
    t.take({ totalAudioMs: 2700, settledMs: 0 });
    t.openUtterance(2, 3000);
    t.updatePartial(2, [{ word: 'so', startMs: 3100, endMs: 3300 }]);
    t.resolve(1, [word('yes', 100, 400), word('no', 2100, 2500)]);
    const update = t.take({ totalAudioMs: 3400, settledMs: 2600 })!;
    assert.deepEqual(
      update.tokens.map((x) => [x.text, x.speaker, x.isFinal]),
      [['Yes', '1', true], [' no', '2', true], ['.', '2', true], [' So', '9', false]],
    );
    t.take({ totalAudioMs: 3500, settledMs: 2600 }, true);
    assert.equal(diarizer.finalCalls.length, 1, 'final words are labelled once');
    assert.deepEqual(diarizer.finalCalls[0]!.map((w) => w.startMs), [100, 2100]);
  });

  it('adds no speaker without a diarizer', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 500, true);
    t.resolve(1, [word('yes', 100, 400)]);
    assert.ok(t.take({ totalAudioMs: 500, settledMs: 500 })!.tokens.every((x) => !('speaker' in x)));
  });
});
