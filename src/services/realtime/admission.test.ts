import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admission } from './admission.js';

describe('Admission', () => {
  it('admits up to the concurrent-session limit and frees slots on release', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxConcurrentSessions: 2 });
    const a = admission.admit(0);
    const b = admission.admit(1);
    assert.deepEqual([a.verdict, b.verdict], ['admitted', 'admitted']);
    assert.equal(admission.admit(2).verdict, 'too-many-sessions');
    a.release();
    a.release();
    assert.equal(admission.openSessions, 1, 'release is idempotent');
    assert.equal(admission.admit(3).verdict, 'admitted');
  });

  it('limits starts per sliding minute, refused ones included', () => {
    const admission = new Admission({ requestsPerMinute: 3, maxConcurrentSessions: 1 });
    assert.equal(admission.admit(0).verdict, 'admitted');
    assert.equal(admission.admit(10_000).verdict, 'too-many-sessions');
    assert.equal(admission.admit(20_000).verdict, 'too-many-sessions');
    assert.equal(admission.admit(30_000).verdict, 'rate-limited');
    // The first start leaves the window at 60 s.
    assert.equal(admission.admit(60_000).verdict, 'too-many-sessions');
    assert.equal(admission.admit(60_001).verdict, 'rate-limited');
  });
});
