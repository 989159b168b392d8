import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('JSON nesting depth is checked on the text, before parsing', () => {
  it('accepts the bound and refuses one level more', () => {
    assert.equal(exceedsJsonDepth(nested(MAX_JSON_DEPTH)), false);
    assert.equal(exceedsJsonDepth(nested(MAX_JSON_DEPTH + 1)), true);
    assert.equal(exceedsJsonDepth(`{"a":${'{"b":'.repeat(31)}1${'}'.repeat(31)}}`), false);
    assert.equal(exceedsJsonDepth(`{"a":${'{"b":'.repeat(32)}1${'}'.repeat(32)}}`), true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(exceedsJsonDepth(JSON.stringify({ s: '['.repeat(100) }), 1), false);
    assert.equal(exceedsJsonDepth(JSON.stringify({ s: `\\"${'{'.repeat(100)}` }), 1), false);
    assert.equal(exceedsJsonDepth(`["\\\\", [[]]]`, 2), true);
  });

  it('stops early on a megabyte of open brackets', () => {
    const started = performance.now();
    assert.equal(exceedsJsonDepth('['.repeat(1024 * 1024)), true);
    assert.equal(exceedsJsonDepth('"'.padEnd(1024 * 1024, '[')), false);
    assert.ok(performance.now() - started < 1000);
  });

  it('agrees with the depth of any JSON value', () => {
    const depthOf = (v: unknown): number =>
      typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, bound) => {
        assert.equal(exceedsJsonDepth(JSON.stringify(value), bound), depthOf(value) > bound);
      }),
      { numRuns: 300 },
    );
  });
});
