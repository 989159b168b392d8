import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { speakerChanges } from './change-detection.js';
import { gaussianFrames } from './gaussian-frames.test-helper.js';

const A = [0, 0, 0, 0];
const B = [1.2, -1, 0.8, 0];

/** Frames of the given voices one after the other, `lengths` frames each. */
function voices(parts: [number[], number][], seed = 1): Float32Array {
  const out = new Float32Array(parts.reduce((n, [, length]) => n + length, 0) * 4);
  let at = 0;
  parts.forEach(([means, length], i) => {
    out.set(gaussianFrames(means, length, seed * 10 + i), at * 4);
    at += length;
  });
  return out;
}

describe('speakerChanges', () => {
  it('finds where one voice gives way to another, within a few frames', () => {
    const changes = speakerChanges(voices([[A, 340], [B, 260], [A, 400]]), 4, 0, 1000);
    assert.equal(changes.length, 2, `${changes}`);
    assert.ok(Math.abs(changes[0]! - 340) <= 10, `${changes}`);
    assert.ok(Math.abs(changes[1]! - 600) <= 10, `${changes}`);
  });

  it('finds none in one voice, however long', () => {
    assert.deepEqual(speakerChanges(voices([[A, 2000]]), 4, 0, 2000), []);
  });

  it('works on a range of the frames, reporting absolute indexes', () => {
    const frames = voices([[B, 100], [A, 300], [B, 300]]);
    const changes = speakerChanges(frames, 4, 100, 700);
    assert.equal(changes.length, 1);
    assert.ok(Math.abs(changes[0]! - 400) <= 10, `${changes}`);
  });

  it('finds none in a stretch too short to hold two voices of the minimum length', () => {
    assert.deepEqual(speakerChanges(voices([[A, 60], [B, 50]]), 4, 0, 110), []);
  });
});
