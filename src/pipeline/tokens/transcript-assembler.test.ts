import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecognizedWord } from '../engines/speech-engine.js';
import { PROVISIONAL_CONFIDENCE, type StreamToken, TranscriptAssembler } from './transcript-assembler.js';

const word = (w: string, startMs: number, endMs: number, confidence = 0.9): RecognizedWord => ({ word: w, startMs, endMs, confidence });
const text = (tokens: StreamToken[], isFinal: boolean) => tokens.filter((t) => t.isFinal === isFinal).map((t) => t.text).join('');

describe('TranscriptAssembler', () => {
  it('shows the partial hypothesis as non-final, then the resolved words as final once', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 800);
    t.updatePartial(1, [{ word: 'he', startMs: 1000, endMs: 1200 }]);
    const first = t.take({ totalAudioMs: 1300, settledMs: 600 })!;
    assert.deepEqual(first, {
      tokens: [{ text: 'He', startMs: 1000, endMs: 1200, confidence: PROVISIONAL_CONFIDENCE, isFinal: false }],
      finalAudioProcMs: 600,
      totalAudioProcMs: 1300,
    });
    t.closeUtterance(1, 1800, true);
    t.resolve(1, [word('he', 1000, 1200), word('was', 1200, 1500)]);
    const second = t.take({ totalAudioMs: 2400, settledMs: 1800 })!;
    assert.equal(text(second.tokens, true), 'He was.');
    assert.equal(text(second.tokens, false), '');
    assert.equal(second.finalAudioProcMs, 1800);
    assert.equal(t.take({ totalAudioMs: 2400, settledMs: 1800 }), null, 'nothing new, no message');
    const repeat = t.take({ totalAudioMs: 2400, settledMs: 1800 }, true)!;
    assert.deepEqual(repeat.tokens, [], 'finals are never sent twice');
  });

  it('finalizes utterances in order, formatting each after the ones before', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 1000, true);
    t.openUtterance(2, 1500);
    t.closeUtterance(2, 2500, false);
    t.setProvisional(1, [word('hi', 100, 400)]);
    t.resolve(2, [word('there', 1600, 2000)]);
    const waiting = t.take({ totalAudioMs: 3000, settledMs: 2500 })!;
    assert.equal(text(waiting.tokens, true), '', 'utterance 2 waits for utterance 1');
    assert.equal(text(waiting.tokens, false), 'Hi. There');
    assert.equal(waiting.finalAudioProcMs, 0);
    t.resolve(1, [word('hi', 100, 400)]);
    const both = t.take({ totalAudioMs: 3000, settledMs: 2500 })!;
    assert.equal(text(both.tokens, true), 'Hi. There');
    assert.equal(both.finalAudioProcMs, 2500);
  });

  it('sends <end> only after words, <fin> every time, and one marker per message', () => {
    const t = new TranscriptAssembler();
    const texts = () => t.take({ totalAudioMs: 2100, settledMs: 2000 }, true)!.tokens.map((x) => x.text);
    t.addMarker('<fin>');
    t.openUtterance(1, 0);
    t.closeUtterance(1, 1000, true);
    t.addMarker('<end>');
    t.resolve(1, []);
    assert.deepEqual(texts(), ['<fin>']);
    assert.deepEqual(texts(), [], 'no words, no <end>');
    t.openUtterance(2, 1200);
    t.updatePartial(2, [{ word: 'yes', startMs: 1300, endMs: 1600 }]);
    t.take({ totalAudioMs: 1700, settledMs: 1000 });
    t.closeUtterance(2, 2000, true);
    t.addMarker('<end>');
    t.addMarker('<fin>');
    t.resolve(2, [word('yes', 1300, 1600)]);
    assert.equal(t.hasHeldFinals(), true);
    const first = t.take({ totalAudioMs: 2100, settledMs: 2000 })!.tokens;
    assert.deepEqual(first.map((x) => x.text), ['Yes', '.', '<end>']);
    assert.deepEqual(first[2], { text: '<end>', confidence: 1, isFinal: true });
    assert.equal(t.hasHeldFinals(), true, 'the <fin> waits for the next message');
    assert.deepEqual(texts(), ['<fin>']);
    assert.equal(t.hasHeldFinals(), false);
  });

  it('keeps final tokens inside their utterance and processed audio monotonic', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 500);
    t.closeUtterance(1, 1500, true);
    // The fast pass may place a word past the utterance end (it heard the silence after).
    t.resolve(1, [word('ok', 1200, 1700)]);
    t.take({ totalAudioMs: 1600, settledMs: 500 });
    const update = t.take({ totalAudioMs: 2000, settledMs: 1500 })!;
    for (const token of update.tokens) assert.ok(token.endMs === undefined || token.endMs <= update.finalAudioProcMs);
    const later = t.take({ totalAudioMs: 1900, settledMs: 1400 }, true)!;
    assert.equal(later.totalAudioProcMs, 2000);
    assert.equal(later.finalAudioProcMs, 1500);
  });

  it('shows words as non-final before they go final, even when the fast pass had none', () => {
    const t = new TranscriptAssembler();
    t.openUtterance(1, 0);
    t.closeUtterance(1, 1000, true);
    t.resolve(1, [word('late', 100, 500)]);
    assert.equal(t.hasHeldFinals(), true);
    const first = t.take({ totalAudioMs: 1000, settledMs: 1000 })!;
    assert.deepEqual(first.tokens.map((x) => [x.text, x.isFinal]), [['Late', false], ['.', false]]);
    assert.equal(first.finalAudioProcMs, 0);
    assert.equal(t.hasHeldFinals(), true, 'a second take is due');
    const second = t.take({ totalAudioMs: 1000, settledMs: 1000 })!;
    assert.deepEqual(second.tokens.map((x) => [x.text, x.isFinal]), [['Late', true], ['.', true]]);
    assert.equal(t.hasHeldFinals(), false);
  });

  it('reports no pending work once every utterance has its words', () => {
    const t = new TranscriptAssembler();
    assert.equal(t.hasPending(), false);
    t.openUtterance(1, 0);
    assert.equal(t.hasPending(), true);
    t.closeUtterance(1, 100, true);
    t.resolve(1, []);
    assert.equal(t.hasPending(), false);
  });
});
