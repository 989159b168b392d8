/**
 * Diarization error rate, as NIST's md-eval scores it: the share of reference
 * speech time that is missed, falsely detected, or given to the wrong speaker
 * under the best one-to-one mapping of hypothesis to reference speakers. A
 * collar around every reference boundary is not scored, since nobody can
 * place a turn change to the millisecond. Overlapping speech is not modelled
 * (each instant has at most one speaker on either side).
 */

/** Who speaks from `startMs` to `endMs`. */
export interface LabelledSegment {
  startMs: number;
  endMs: number;
  speaker: string;
}

export interface DiarizationErrors {
  /** Scored reference speech, ms. */
  speechMs: number;
  missedMs: number;
  falseAlarmMs: number;
  confusionMs: number;
  /** (missed + false alarm + confusion) / speech */
  der: number;
}

const STEP_MS = 10;

function speakerAt(segments: readonly LabelledSegment[], length: number, ids: Map<string, number>): Int32Array {
  const grid = new Int32Array(length).fill(-1);
  for (const s of segments) {
    if (!ids.has(s.speaker)) ids.set(s.speaker, ids.size);
    const id = ids.get(s.speaker)!;
    for (let i = Math.max(0, Math.round(s.startMs / STEP_MS)); i < Math.min(length, Math.round(s.endMs / STEP_MS)); i++) grid[i] = id;
  }
  return grid;
}

/**
 * The largest total overlap of a one-to-one mapping between reference rows
 * and hypothesis columns (dynamic programming over subsets of hypothesis
 * speakers; at most 15 of them, as the API allows).
 */
function bestMappingOverlap(overlap: number[][], hypothesisSpeakers: number): number {
  const states = 1 << hypothesisSpeakers;
  let best = new Float64Array(states).fill(-Infinity);
  best[0] = 0;
  for (const row of overlap) {
    const next = Float64Array.from(best);
    for (let used = 0; used < states; used++) {
      if (best[used] === -Infinity) continue;
      for (let h = 0; h < hypothesisSpeakers; h++) {
        if (used & (1 << h)) continue;
        const value = best[used]! + row[h]!;
        if (value > next[used | (1 << h)]!) next[used | (1 << h)] = value;
      }
    }
    best = next;
  }
  return Math.max(...best);
}

/**
 * Scores `hypothesis` against `reference` at 10 ms resolution.
 *
 * @param collarMs not scored on either side of each reference segment's start and end.
 * @throws {RangeError} the hypothesis has more than 15 speakers.
 * @example
 * diarizationErrorRate([{ startMs: 0, endMs: 1000, speaker: 'a' }], [{ startMs: 0, endMs: 1000, speaker: '1' }], 250).der // 0
 */
export function diarizationErrorRate(
  reference: readonly LabelledSegment[],
  hypothesis: readonly LabelledSegment[],
  collarMs: number,
): DiarizationErrors {
  const endMs = Math.max(0, ...reference.map((s) => s.endMs), ...hypothesis.map((s) => s.endMs));
  const length = Math.ceil(endMs / STEP_MS);
  const refIds = new Map<string, number>();
  const hypIds = new Map<string, number>();
  const ref = speakerAt(reference, length, refIds);
  const hyp = speakerAt(hypothesis, length, hypIds);
  if (hypIds.size > 15) throw new RangeError('at most 15 hypothesis speakers can be scored');
  const scored = new Uint8Array(length).fill(1);
  const collar = Math.round(collarMs / STEP_MS);
  for (const s of reference) {
    for (const edge of [Math.round(s.startMs / STEP_MS), Math.round(s.endMs / STEP_MS)]) {
      for (let i = Math.max(0, edge - collar); i < Math.min(length, edge + collar); i++) scored[i] = 0;
    }
  }
  const overlap = Array.from({ length: refIds.size }, () => new Array<number>(hypIds.size).fill(0));
  let speech = 0;
  let missed = 0;
  let falseAlarm = 0;
  let bothSpeaking = 0;
  for (let i = 0; i < length; i++) {
    if (!scored[i]) continue;
    const r = ref[i]!;
    const h = hyp[i]!;
    if (r >= 0) speech++;
    if (r >= 0 && h < 0) missed++;
    if (r < 0 && h >= 0) falseAlarm++;
    if (r >= 0 && h >= 0) {
      bothSpeaking++;
      overlap[r]![h]!++;
    }
  }
  const confusion = bothSpeaking - bestMappingOverlap(overlap, hypIds.size);
  const errors = { speechMs: speech * STEP_MS, missedMs: missed * STEP_MS, falseAlarmMs: falseAlarm * STEP_MS, confusionMs: confusion * STEP_MS };
  return { ...errors, der: speech === 0 ? 0 : (missed + falseAlarm + confusion) / speech };
}
