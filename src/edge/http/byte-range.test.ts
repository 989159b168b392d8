import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteRange } from './byte-range.js';

describe('byteRange', () => {
  it('reads a closed, an open and a suffix range', () => {
    assert.deepEqual(byteRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(byteRange('bytes=100-', 1000), { start: 100, end: 999 });
    assert.deepEqual(byteRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(byteRange('bytes=-5000', 1000), { start: 0, end: 999 });
  });

  it('clamps an end past the resource', () => {
    assert.deepEqual(byteRange('bytes=500-5000', 1000), { start: 500, end: 999 });
  });

  it('refuses a range that starts past the end', () => {
    assert.equal(byteRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(byteRange('bytes=-0', 1000), 'unsatisfiable');
    assert.equal(byteRange('bytes=0-', 0), 'unsatisfiable');
  });

  it('ignores what it does not serve: no header, other units, several ranges, nonsense', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=9-3', 'bytes=a-b']) {
      assert.equal(byteRange(header, 1000), null, String(header));
    }
  });
});
