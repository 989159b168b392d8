import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterAnchored, clusterSegments, firstAppearanceOrder } from './agglomerative-clustering.js';
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
