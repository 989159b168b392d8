import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRecognitionContext } from './recognition-context.js';

describe('toRecognitionContext', () => {
  it('takes the structured form, every section optional', () => {
    assert.deepEqual(toRecognitionContext({ terms: ['Celebrex'], general: [{ key: 'domain', value: 'Healthcare' }] }), {
      general: [{ key: 'domain', value: 'Healthcare' }],
      text: '',
      terms: ['Celebrex'],
      translationTerms: [],
    });
  });

  it('takes a plain string as domain text', () => {
    assert.deepEqual(toRecognitionContext('A talk about Celebrex.'), {
      general: [],
      text: 'A talk about Celebrex.',
      terms: [],
      translationTerms: [],
    });
  });

  it('gives null without a context', () => {
    assert.equal(toRecognitionContext(null), null);
    assert.equal(toRecognitionContext(undefined), null);
  });
});
