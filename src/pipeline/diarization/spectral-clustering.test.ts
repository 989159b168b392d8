import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SPECTRAL_OPTIONS, clusterEmbeddings } from './spectral-clustering.js';

const DIM = 128;

function generator(seed: number) {
  let state = seed;
  const uniform = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

function unit(v: Float64Array): Float32Array {
  const norm = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / norm);
}

/**
 * Window x-vectors of `voices` speakers whose voices share a common part
 * (their mean embeddings' cosines are about 0.5, as real voices' are), each
 * window its voice plus noise (about 0.7 to its own mean): turns of
 * `turnWindows` windows, taking turns in order.
 */
function conversation(voices: number, turns: number, turnWindows: number, seed = 1): { embeddings: Float32Array[]; truth: number[] } {
  const gauss = generator(seed);
  const common = Float64Array.from({ length: DIM }, gauss);
  const centres = Array.from({ length: voices }, () => Float64Array.from({ length: DIM }, (_, i) => common[i]! + gauss()));
  const embeddings: Float32Array[] = [];
  const truth: number[] = [];
  for (let t = 0; t < turns; t++) {
    const voice = t % voices;
    for (let w = 0; w < turnWindows; w++) {
      embeddings.push(unit(Float64Array.from(centres[voice]!, (x) => x + 0.9 * gauss())));
      truth.push(voice);
    }
  }
  return { embeddings, truth };
}

describe('clusterEmbeddings', () => {
  it('finds three voices and labels every window, in order of first appearance', () => {
    const { embeddings, truth } = conversation(3, 12, 6);
    assert.deepEqual(clusterEmbeddings(embeddings), truth);
  });

  it('keeps one voice one cluster', () => {
    const { embeddings } = conversation(1, 10, 8, 2);
    assert.deepEqual(new Set(clusterEmbeddings(embeddings)), new Set([0]));
  });

  it('tells five voices apart', () => {
    const { embeddings, truth } = conversation(5, 20, 5, 3);
    assert.deepEqual(clusterEmbeddings(embeddings), truth);
  });

  it('clusters an even subsample of a long recording and gives the rest to the nearest voice', () => {
    const { embeddings, truth } = conversation(2, 20, 15, 4);
    assert.deepEqual(clusterEmbeddings(embeddings, { ...DEFAULT_SPECTRAL_OPTIONS, maxWindows: 60 }), truth);
  });

  it('finds a voice that says little, which the eigengaps miss, by splitting the group it was put in', () => {
    const gauss = generator(7);
    const common = Float64Array.from({ length: DIM }, gauss);
    // Voices about 0.35 alike (real pairs: 0.1–0.7), so that the brief one's halves fall below the split cosine.
    const [talker, brief] = [1, 0.6].map((shared) => Float64Array.from(common, (x) => shared * x + gauss()));
    const windows = (centre: Float64Array, count: number) => Array.from({ length: count }, () => unit(Float64Array.from(centre, (x) => x + 0.9 * gauss())));
    const embeddings = [...windows(talker!, 100), ...windows(brief!, 5)];
    const truth = [...new Array<number>(100).fill(0), ...new Array<number>(5).fill(1)];
    assert.deepEqual(clusterEmbeddings(embeddings), truth);
    // Every level sees one voice here, so the check of the graph's halves must be off too.
    assert.notDeepEqual(clusterEmbeddings(embeddings, { ...DEFAULT_SPECTRAL_OPTIONS, splitCosine: null, twoVoicesBelowCosine: null }), truth);
  });

  it('calls a handful of windows one voice', () => {
    const { embeddings } = conversation(2, 2, 2, 5);
    assert.deepEqual(clusterEmbeddings(embeddings), [0, 0, 0, 0]);
  });
});
