import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError, realtimeErrors } from './realtime-errors.js';

/** The codes `mapErrorResponse` of the Soniox SDKs turns into typed errors (API.md §9.4, item 25). */
const SDK_BRANCHES = new Set([400, 401, 402, 408, 429, 500, 503]);

describe('realtimeErrors', () => {
  it('every error a session can send lands on a branch of the SDK mapping', () => {
    for (const [name, make] of Object.entries(realtimeErrors)) {
      const error = (make as (...args: unknown[]) => RealtimeError)('x', 1);
      assert.ok(error instanceof RealtimeError, name);
      assert.ok(SDK_BRANCHES.has(error.code), `${name}: ${error.code}`);
      assert.ok(error.message.length > 0, name);
    }
  });

  it('limits name the key as the project and the server as the organization', () => {
    assert.equal(realtimeErrors.rateLimited().message, 'Rate limit for your project has been exceeded.');
    assert.equal(realtimeErrors.tooManyKeySessions().message, 'Your project has exceeded max number of concurrent requests.');
    assert.equal(realtimeErrors.tooManySessions().message, 'Your organization has exceeded max number of concurrent requests.');
    assert.equal(realtimeErrors.tooManyAuthFailures().message, 'Rate limit for your organization has been exceeded.');
  });
});
