import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EmbeddingSum, clusterAnchored, clusterSegments, firstAppearanceOrder } from './agglomerative-clustering.js';
import { gaussianSegment } from './gaussian-frames.test-helper.js';

const VOICES = [
  [0, 0, 0, 0],
  [1.5, -1, 0, 0.5],
  [-1, 1, 1.5, 0],
];
const options = { penalty: 1, maxClusters: 15 };

/** 200-frame segments of the given voices, in order. */
const segments = (voices: number[], seed = 1) => voices.map((v, i) => gaussianSegment(VOICES[v]!, 200, seed * 1000 + i));

describe('clusterSegments', () => {
  it('finds the number of voices and groups their segments, labelled in order of first appearance', () => {
    assert.deepEqual(clusterSegments(segments([1, 0, 1, 2, 0, 2, 1]), options), [0, 1, 0, 2, 1, 2, 0]);
  });

  it('keeps segments of one voice together', () => {
    assert.deepEqual(clusterSegments(segments([0, 0, 0, 0, 0, 0]), options), [0, 0, 0, 0, 0, 0]);
  });

  it('merges past the BIC until at most maxClusters remain', () => {
    const labels = clusterSegments(segments([0, 1, 2, 0, 1, 2]), { penalty: 1, maxClusters: 2 });
    assert.equal(new Set(labels).size, 2);
  });

  it('clusters a long recording in blocks, then the blocks together', () => {
    const voices = Array.from({ length: 700 }, (_, i) => (i * 7) % 3);
    const labels = clusterSegments(segments(voices, 2), options);
    assert.equal(new Set(labels).size, 3);
    const errors = labels.filter((l, i) => l !== labels[voices[i]!]!).length;
    assert.ok(errors <= 7, `${errors} of 700 segments misplaced`);
  });
});

/** A unit embedding along axis `axis` of 4, tilted by `tilt` towards the next axis. */
const embedding = (axis: number, tilt = 0): EmbeddingSum => {
  const sum = new Float64Array(4);
  sum[axis] = Math.cos(tilt);
  sum[(axis + 1) % 4] = Math.sin(tilt);
  return { sum, size: 1 };
};

describe('clusterSegments with speaker embeddings', () => {
  const withEmbeddings = { ...options, similarityMerge: 0.4, establishedFloor: 0.35, establishedSize: 5 };

  it('merges what the embeddings call one voice, though the BIC calls it two', () => {
    const voices = [0, 1, 0, 1, 0, 1];
    assert.deepEqual(clusterSegments(segments(voices), options), [0, 1, 0, 1, 0, 1]);
    const same = voices.map((_, i) => embedding(0, i * 0.05));
    assert.deepEqual(clusterSegments(segments(voices), withEmbeddings, same), [0, 0, 0, 0, 0, 0]);
  });

  it('keeps established clusters apart that the embeddings call two voices, though the BIC calls them one', () => {
    const voices = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert.equal(new Set(clusterSegments(segments(voices), options)).size, 1);
    // Two speakers, six segments each, whose embeddings agree within a speaker and not across (cosine 0 > 0.4 apart).
    const two = voices.map((_, i) => embedding(i % 2 === 0 ? 0 : 2, (i % 3) * 0.1));
    const labels = clusterSegments(segments(voices), withEmbeddings, two);
    assert.deepEqual(labels, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('lets the BIC decide for clusters too small to trust their embeddings', () => {
    const voices = [0, 0, 0, 0];
    const apart = voices.map((_, i) => embedding(i % 2 === 0 ? 0 : 2));
    assert.deepEqual(clusterSegments(segments(voices), withEmbeddings, apart), [0, 0, 0, 0]);
  });
});

describe('clusterAnchored', () => {
  it('never merges clusters anchored to different speakers', () => {
    const [a, b] = segments([0, 0]);
    const { labels, anchors } = clusterAnchored([a!, b!], [0, 1], options);
    assert.deepEqual(labels, [0, 1]);
    assert.deepEqual(anchors, [0, 1]);
  });

  it('lets unanchored segments join the anchor of their voice', () => {
    const { labels, anchors } = clusterAnchored(segments([0, 1, 1, 0]), [0, -1, -1, -1], options);
    assert.deepEqual(labels, [0, 1, 1, 0]);
    assert.deepEqual(anchors, [0, -1]);
  });
});

describe('firstAppearanceOrder', () => {
  it('renumbers labels 0, 1, … as they first occur', () => {
    assert.deepEqual(firstAppearanceOrder([7, 3, 7, 9, 3]), [0, 1, 0, 2, 1]);
  });
});
