// How the transcript assembler labels speakers through its diarizer, whose
// final labels arrive later (they are decided off the event loop); the rest
// of its behaviour is in transcript-assembler.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TimedWord } from '../diarization/diarizer.js';
import type { RecognizedWord } from '../engines/speech-engine.js';
import { type StreamToken, TranscriptAssembler } from './transcript-assembler.js';

const word = (w: string, startMs: number, endMs: number): RecognizedWord => ({ word: w, startMs, endMs, confidence: 0.9 });
const settled = (ms: number) => ({ totalAudioMs: ms + 100, settledMs: ms });
const arrived = () => new Promise((resolve) => setImmediate(resolve));
const finals = (tokens: StreamToken[]) => tokens.filter((x) => x.isFinal).map((x) => [x.text, x.speaker]);

/**
 * A scripted diarizer that answers final labels when told: speaker "2" from
 * 2 s on; provisional labels are "9" so they can be told apart.
 */
function scripted() {
  const asked: { words: TimedWord[]; answer(): void; fail(err: Error): void }[] = [];
  const events = { labelled: 0, failures: [] as Error[] };
  const diarizer = {
    labelFinal: (words: readonly TimedWord[]) =>
      new Promise<string[]>((resolve, reject) => {
        asked.push({ words: [...words], answer: () => resolve(words.map((w) => (w.startMs >= 2000 ? '2' : '1'))), fail: reject });
      }),
    labelProvisional: (words: readonly TimedWord[]) => words.map(() => '9'),
  };
  const assembler = new TranscriptAssembler({
    diarizer,
    labelled: () => events.labelled++,
    failed: (err) => events.failures.push(err),
  });
  return { assembler, asked, events };
}

/** Utterance `id` from `startMs` to `endMs`, its words resolved and already shown as non-final. */
function spoken(t: TranscriptAssembler, id: number, startMs: number, endMs: number, words: RecognizedWord[]) {
  t.openUtterance(id, startMs);
  t.closeUtterance(id, endMs, true);
  t.setProvisional(id, words);
  t.take(settled(startMs), true);
  t.resolve(id, words);
}

describe('TranscriptAssembler with a diarizer', () => {
  it('withholds final words until their speakers arrive, then sends them labelled, the period with its word', async () => {
    const { assembler: t, asked, events } = scripted();
    spoken(t, 1, 0, 2600, [word('yes', 100, 400), word('no', 2100, 2500)]);
    t.openUtterance(2, 3000);
    t.updatePartial(2, [{ word: 'so', startMs: 3100, endMs: 3300 }]);
    assert.equal(t.hasHeldFinals(), true, 'a take is due: it asks for the speakers');
    const waiting = t.take(settled(2600))!;
    assert.deepEqual(finals(waiting.tokens), [], 'no final before its speakers');
    assert.equal(waiting.finalAudioProcMs, 0);
    assert.deepEqual(
      waiting.tokens.map((x) => [x.text, x.speaker]),
      [['Yes', '9'], [' no', '9'], ['.', '9'], [' So', '9']],
      'meanwhile every word is shown non-final, with provisional speakers',
    );
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0]!.words.map((w) => w.startMs), [100, 2100]);
    assert.equal(t.hasHeldFinals(), false, 'nothing to take until the speakers arrive: no busy loop');
    assert.equal(t.hasPending(), true, 'the end of the stream waits for them');
    t.take(settled(2600), true);
    assert.equal(asked.length, 1, 'final words are labelled once');

    asked[0]!.answer();
    await arrived();
    assert.equal(events.labelled, 1);
    assert.equal(t.hasHeldFinals(), true);
    const update = t.take(settled(2600))!;
    assert.deepEqual(
      update.tokens.map((x) => [x.text, x.speaker, x.isFinal]),
      [['Yes', '1', true], [' no', '2', true], ['.', '2', true], [' So', '9', false]],
    );
    assert.equal(update.finalAudioProcMs, 2600);
    assert.equal(t.hasPending(), true, 'utterance 2 still has no final words');
    t.closeUtterance(2, 3500, true);
    t.resolve(2, []);
    assert.equal(t.hasPending(), false);
  });

  it('keeps the order: later utterances and markers wait for the speakers of the one before, which are asked for first', async () => {
    const { assembler: t, asked } = scripted();
    spoken(t, 1, 0, 1000, [word('one', 100, 500)]);
    t.addMarker('<end>');
    spoken(t, 2, 1500, 3000, [word('two', 2100, 2500)]);
    t.addMarker('<fin>');
    t.take(settled(3000));
    assert.deepEqual(asked.map((a) => a.words.map((w) => w.startMs)), [[100]], 'utterance 2 is asked for once utterance 1 is final');

    asked[0]!.answer();
    await arrived();
    const first = t.take(settled(3000))!;
    assert.deepEqual(finals(first.tokens), [['One', '1'], ['.', '1'], ['<end>', undefined]]);
    assert.equal(first.finalAudioProcMs, 1500);
    assert.equal(t.hasHeldFinals(), true, 'one marker per message: utterance 2 is asked for in the next take');
    assert.deepEqual(finals(t.take(settled(3000), true)!.tokens), [], 'the <fin> waits for utterance 2');
    assert.deepEqual(asked.map((a) => a.words.map((w) => w.startMs)), [[100], [2100]]);

    asked[1]!.answer();
    await arrived();
    assert.deepEqual(finals(t.take(settled(3000))!.tokens), [[' Two', '2'], ['.', '2'], ['<fin>', undefined]]);
    assert.equal(t.hasHeldFinals(), false);
    assert.equal(t.hasPending(), false);
  });

  it('asks for the speakers while the words are first shown, and finalizes them in the take after', async () => {
    const { assembler: t, asked } = scripted();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 1000, true);
    t.resolve(1, [word('late', 100, 500)]);
    const shown = t.take(settled(1000))!;
    assert.deepEqual(shown.tokens.map((x) => [x.text, x.isFinal]), [['Late', false], ['.', false]]);
    assert.equal(asked.length, 1);
    asked[0]!.answer();
    await arrived();
    assert.deepEqual(finals(t.take(settled(1000))!.tokens), [['Late', '1'], ['.', '1']]);
  });

  it('does not ask about an utterance without words', () => {
    const { assembler: t, asked } = scripted();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 1000, true);
    t.resolve(1, []);
    t.addMarker('<fin>');
    assert.deepEqual(t.take(settled(1000))!.tokens.map((x) => x.text), ['<fin>']);
    assert.equal(asked.length, 0);
    assert.equal(t.hasPending(), false);
  });

  it('reports a diarizer that cannot label the final words', async () => {
    const { assembler: t, asked, events } = scripted();
    spoken(t, 1, 0, 1000, [word('yes', 100, 400)]);
    t.take(settled(1000));
    asked[0]!.fail(new Error('thread gone'));
    await arrived();
    assert.deepEqual(events.failures.map((e) => e.message), ['thread gone']);
    assert.deepEqual(finals(t.take(settled(1000), true)!.tokens), [], 'unlabelled words never go final');
  });

  it('adds no speaker without a diarizer', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 500, true);
    t.resolve(1, [word('yes', 100, 400)]);
    assert.ok(t.take({ totalAudioMs: 500, settledMs: 500 })!.tokens.every((x) => !('speaker' in x)));
  });
});
