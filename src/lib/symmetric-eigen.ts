/**
 * Eigenvalues and eigenvectors of a real symmetric matrix: Householder
 * reduction to tridiagonal form, then the implicit QL iteration (the
 * classical method of Wilkinson and Reinsch's Handbook). O(n³): meant for
 * matrices of a few hundred rows.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** Row-major n × n: column j is the unit eigenvector of `values[j]`. */
  vectors: Float64Array;
}

/**
 * @example symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values // [1, 3]
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  const { v, d } = decompose(matrix, n, true);
  const order = Array.from(d.keys()).sort((a, b) => d[a]! - d[b]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((source, j) => {
    for (let r = 0; r < n; r++) vectors[r * n + j] = v[r * n + source]!;
  });
  return { values, vectors };
}

/**
 * The eigenvalues alone, ascending: a third of the work or less, for
 * searches that need the vectors of one matrix only.
 */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  return decompose(matrix, n, false).d.sort();
}

function decompose(matrix: Float64Array, n: number, withVectors: boolean): { v: Float64Array; d: Float64Array } {
  if (matrix.length !== n * n) throw new RangeError(`expected ${n * n} entries, got ${matrix.length}`);
  const v = Float64Array.from(matrix);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(v, d, e, n, withVectors);
    diagonalize(withVectors ? v : null, d, e, n);
  }
  return { v, d };
}

/** Householder reduction: `v` becomes the orthogonal transform, `d` the diagonal, `e` the sub-diagonal (e[0] = 0). */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number, withVectors: boolean): void {
  const at = (r: number, c: number) => r * n + c;
  for (let j = 0; j < n; j++) d[j] = v[at(n - 1, j)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[at(i - 1, j)]!;
        v[at(i, j)] = 0;
        v[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[at(j, i)] = f;
        g = e[j]! + v[at(j, j)]! * f;
        for (let k = j + 1; k < i; k++) {
          g += v[at(k, j)]! * d[k]!;
          e[k]! += v[at(k, j)]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k < i; k++) v[at(k, j)]! -= f * e[k]! + g * d[k]!;
        d[j] = v[at(i - 1, j)]!;
        v[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  if (!withVectors) {
    // The reduced diagonal is on v's; the accumulation below would move it to its last row.
    for (let j = 0; j < n; j++) d[j] = v[at(j, j)]!;
    e[0] = 0;
    return;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[at(n - 1, i)] = v[at(i, i)]!;
    v[at(i, i)] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[at(k, i + 1)]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[at(k, i + 1)]! * v[at(k, j)]!;
        for (let k = 0; k <= i; k++) v[at(k, j)]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[at(n - 1, j)]!;
    v[at(n - 1, j)] = 0;
  }
  v[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL with Wilkinson shifts on the tridiagonal (d, e), rotating `v` along (if given). */
function diagonalize(v: Float64Array | null, d: Float64Array, e: Float64Array, n: number): void {
  const at = (r: number, c: number) => r * n + c;
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let shift = 0;
  let norm = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * norm) m++;
    if (m > l) {
      for (let iteration = 0; Math.abs(e[l]!) > eps * norm; iteration++) {
        if (iteration > 60) throw new Error('symmetricEigen: no convergence');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const next = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        shift += h;
        p = d[m]!;
        let c = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; v && k < n; k++) {
            h = v[at(k, i + 1)]!;
            v[at(k, i + 1)] = s * v[at(k, i)]! + c * h;
            v[at(k, i)] = c * v[at(k, i)]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / next;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l]! += shift;
    e[l] = 0;
  }
}
