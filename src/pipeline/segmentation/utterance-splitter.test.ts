import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitUtterances, type Utterance } from './utterance-splitter.js';
import { synth } from './synth.test-helper.js';

async function* chunks(samples: Int16Array, size: number): AsyncGenerator<Int16Array> {
  for (let i = 0; i < samples.length; i += size) yield samples.slice(i, i + size);
}

async function collect(samples: Int16Array, size = 3000, options = {}): Promise<Utterance[]> {
  const out: Utterance[] = [];
  for await (const u of splitUtterances(chunks(samples, size), options)) out.push(u);
  return out;
}

describe('splitUtterances', () => {
  it('yields each utterance with its offset and exactly its samples', async () => {
    const samples = synth([['noise', 1000], ['speech', 1500], ['noise', 1000], ['speech', 800], ['noise', 1000]]);
    const utterances = await collect(samples);
    assert.deepEqual(
      utterances.map((u) => [u.offsetMs, u.samples.length / 16, u.endsSentence]),
      [
        [800, 1900, true],
        [3300, 1200, true],
      ],
    );
    for (const u of utterances) {
      assert.deepEqual(u.samples, samples.slice(u.offsetMs * 16, u.offsetMs * 16 + u.samples.length));
    }
  });

  it('marks length cuts as not ending a sentence and loses no sample across them', async () => {
    const samples = synth([['speech', 25_000]]);
    const utterances = await collect(samples, 4096, { maxUtteranceMs: 10_000 });
    assert.ok(utterances.length >= 3);
    assert.deepEqual(
      utterances.map((u) => u.endsSentence),
      utterances.map((_, i) => i === utterances.length - 1),
    );
    const total = utterances.reduce((n, u) => n + u.samples.length, 0);
    assert.equal(total, samples.length);
    assert.ok(utterances.every((u) => u.samples.length <= 10_000 * 16));
  });

  it('yields nothing for silence', async () => {
    assert.deepEqual(await collect(synth([['noise', 5000]])), []);
  });

  it('works with chunks smaller than a frame', async () => {
    const samples = synth([['noise', 600], ['speech', 700], ['noise', 800]]);
    const small = await collect(samples, 7);
    const large = await collect(samples, 100_000);
    assert.deepEqual(small, large);
    assert.equal(small.length, 1);
  });
});
