import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codePointLength } from './code-points.js';

describe('string length in code points', () => {
  it('counts an astral character once and a lone surrogate once', () => {
    assert.equal(codePointLength(''), 0);
    assert.equal(codePointLength('abc'), 3);
    assert.equal(codePointLength('\u{1F600}'.repeat(256)), 256);
    assert.equal(codePointLength('a\uD800b\uDC00'), 4);
    assert.equal(codePointLength('\uD83D\uDE00\uD83D'), 2);
  });
});
