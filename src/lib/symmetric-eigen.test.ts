import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symmetricEigen, symmetricEigenvalues } from './symmetric-eigen.js';

/** A deterministic symmetric n × n matrix with entries in [−1, 1). */
function randomSymmetric(n: number, seed: number): Float64Array {
  let state = seed;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = m[j * n + i] = next();
  return m;
}

describe('symmetricEigen', () => {
  it('finds the eigenvalues of a 2 × 2 matrix, ascending', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    assert.ok(Math.abs(values[0]! - 1) < 1e-12 && Math.abs(values[1]! - 3) < 1e-12, String(values));
    // (1, 1) / √2 belongs to 3.
    assert.ok(Math.abs(Math.abs(vectors[1]!) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[1]! - vectors[3]!) < 1e-12);
  });

  it('gives orthonormal vectors with A v = λ v for a random 40 × 40 matrix', () => {
    const n = 40;
    const a = randomSymmetric(n, 7);
    const { values, vectors } = symmetricEigen(a, n);
    for (let j = 1; j < n; j++) assert.ok(values[j]! >= values[j - 1]!);
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let c = 0; c < n; c++) av += a[r * n + c]! * vectors[c * n + j]!;
        assert.ok(Math.abs(av - values[j]! * vectors[r * n + j]!) < 1e-9, `column ${j}, row ${r}`);
      }
      for (let k = j; k < n; k++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += vectors[r * n + j]! * vectors[r * n + k]!;
        assert.ok(Math.abs(dot - (j === k ? 1 : 0)) < 1e-9, `columns ${j} and ${k}`);
      }
    }
  });

  it('gives the same eigenvalues without the vectors', () => {
    const n = 40;
    const a = randomSymmetric(n, 11);
    const all = symmetricEigen(a, n).values;
    const alone = symmetricEigenvalues(a, n);
    for (let j = 0; j < n; j++) assert.ok(Math.abs(all[j]! - alone[j]!) < 1e-9, `value ${j}: ${all[j]} against ${alone[j]}`);
  });

  it('handles repeated eigenvalues, a diagonal matrix and the empty matrix', () => {
    assert.deepEqual(Array.from(symmetricEigen(Float64Array.of(3, 0, 0, 0, 1, 0, 0, 0, 1), 3).values), [1, 1, 3]);
    assert.equal(symmetricEigen(new Float64Array(0), 0).values.length, 0);
  });

  it('refuses a matrix of the wrong size', () => {
    assert.throws(() => symmetricEigen(new Float64Array(5), 2), RangeError);
  });
});
