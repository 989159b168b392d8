import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { daysCovering, historyEntries } from './usage-service.js';

const T = Date.parse('2026-05-01T10:00:00Z');
const MIN = 60_000;

describe('usage summary days and concurrency roll-ups', () => {
  test('a window covers every UTC day it touches; one ending at midnight leaves that day out', () => {
    assert.deepEqual(daysCovering(Date.parse('2026-05-01T23:59:00Z'), Date.parse('2026-05-03T00:00:00Z')), ['2026-05-01', '2026-05-02']);
    assert.deepEqual(daysCovering(Date.parse('2026-05-01T00:00:00Z'), Date.parse('2026-05-01T00:00:01Z')), ['2026-05-01']);
  });

  test('per-minute entries: every minute present, samples as recorded, idle minutes all zero', () => {
    const entries = historyEntries([{ minuteStartMs: T + MIN, max: 3, sum: 5, count: 4 }], T, T + 3 * MIN, 60);
    assert.deepEqual(entries.map((e) => [e.periodStartMs - T, e.sampleMax, e.sampleSum, e.sampleCount, e.totalCount]), [
      [0, 0, 0, 0, 0],
      [MIN, 3, 5, 4, 1],
      [2 * MIN, 0, 0, 0, 0],
    ]);
  });

  test('periods start at multiples of the period, from the first inside the window', () => {
    const entries = historyEntries([], T + 30_000, T + 3 * MIN, 60);
    assert.deepEqual(entries.map((e) => e.periodStartMs - T), [MIN, 2 * MIN]);
  });

  test('an hour rolls up its minutes: the exact peak, the sum of minute peaks, the active minutes counted', () => {
    const minutes = [
      { minuteStartMs: T, max: 2, sum: 3, count: 3 },
      { minuteStartMs: T + MIN, max: 0, sum: 0, count: 1 },
      { minuteStartMs: T + 5 * MIN, max: 4, sum: 4, count: 1 },
      { minuteStartMs: T + 60 * MIN, max: 1, sum: 1, count: 1 },
    ];
    const [first, second] = historyEntries(minutes, T, T + 120 * MIN, 3600);
    assert.deepEqual(first, { periodStartMs: T, periodSec: 3600, sampleMax: 4, sampleSum: 6, sampleCount: 2, totalCount: 60 });
    assert.deepEqual(second, { periodStartMs: T + 60 * MIN, periodSec: 3600, sampleMax: 1, sampleSum: 1, sampleCount: 1, totalCount: 60 });
  });

  test('a day rolls up its hours: at most 24 counted, each with its peak', () => {
    const day = Date.parse('2026-05-01T00:00:00Z');
    const minutes = [
      { minuteStartMs: T, max: 1, sum: 1, count: 1 },
      { minuteStartMs: T + MIN, max: 3, sum: 3, count: 1 },
      { minuteStartMs: T + 2 * 60 * MIN, max: 2, sum: 2, count: 1 },
    ];
    const [entry] = historyEntries(minutes, day, day + 86_400_000, 86400);
    assert.deepEqual(entry, { periodStartMs: day, periodSec: 86400, sampleMax: 3, sampleSum: 5, sampleCount: 2, totalCount: 24 });
  });
});
