import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission } from './admission.js';

describe('Admission', () => {
  it('admits up to the per-key limit and frees slots on release', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxSessionsPerKey: 2, maxConcurrentSessions: 10 });
    const a = admission.admit('k', 0);
    const b = admission.admit('k', 1);
    assert.deepEqual([a.verdict, b.verdict], ['admitted', 'admitted']);
    assert.equal(admission.admit('k', 2).verdict, 'key-busy');
    assert.equal(admission.admit('other', 2).verdict, 'admitted', 'another key has slots of its own');
    a.release();
    a.release();
    assert.equal(admission.openSessions, 2, 'release is idempotent');
    assert.equal(admission.admit('k', 3).verdict, 'admitted');
  });

  it('caps sessions over all keys', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxSessionsPerKey: 10, maxConcurrentSessions: 2 });
    const a = admission.admit('a', 0);
    admission.admit('b', 0);
    assert.equal(admission.admit('c', 0).verdict, 'server-busy');
    a.release();
    assert.equal(admission.admit('c', 0).verdict, 'admitted');
  });

  it('caps sessions at a measured capacity, read at each start', () => {
    let capacity = 1;
    const admission = new Admission({ requestsPerMinute: 100, maxSessionsPerKey: 10, maxConcurrentSessions: () => capacity });
    admission.admit('a', 0);
    assert.equal(admission.admit('b', 0).verdict, 'server-busy');
    capacity = 2;
    assert.equal(admission.admit('b', 0).verdict, 'admitted');
  });

  it('limits starts per key per sliding minute, refused ones included', () => {
    const admission = new Admission({ requestsPerMinute: 3, maxSessionsPerKey: 1, maxConcurrentSessions: 10 });
    assert.equal(admission.admit('k', 0).verdict, 'admitted');
    assert.equal(admission.admit('k', 10_000).verdict, 'key-busy');
    assert.equal(admission.admit('k', 20_000).verdict, 'key-busy');
    assert.equal(admission.admit('k', 30_000).verdict, 'key-rate-limited');
    assert.equal(admission.admit('other', 30_000).verdict, 'admitted', 'the rate is per key');
    // The first start leaves the window at 60 s.
    assert.equal(admission.admit('k', 60_000).verdict, 'key-busy');
    assert.equal(admission.admit('k', 60_001).verdict, 'key-rate-limited');
  });

  it('keeps no state for keys idle for a minute', () => {
    const admission = new Admission({ requestsPerMinute: 1, maxSessionsPerKey: 1, maxConcurrentSessions: 10 });
    for (let i = 0; i < 1000; i++) admission.admit(`key-${i}`, 0).release();
    assert.equal(admission.admit('key-0', 1).verdict, 'key-rate-limited');
    assert.equal(admission.admit('key-0', 60_000).verdict, 'admitted');
    assert.equal((admission as unknown as { keys: Map<string, unknown> }).keys.size, 1);
  });
});
