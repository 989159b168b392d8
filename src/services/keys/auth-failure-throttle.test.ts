import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthFailureThrottle, throttleAddress } from './auth-failure-throttle.js';

test('an address is throttled once it spends its budget, and renewed after a minute', () => {
  const throttle = new AuthFailureThrottle({ failuresPerMinute: 3 });
  const t0 = 1_000_000;
  assert.deepEqual([1, 2, 3, 4].map((i) => throttle.fail('10.0.0.1', t0 + i)), [false, false, false, true]);
  assert.equal(throttle.fail('10.0.0.2', t0), false, 'other addresses keep their own budget');
  assert.equal(throttle.retryAfterSeconds('10.0.0.1', t0 + 30_000), 31);
  assert.equal(throttle.fail('10.0.0.1', t0 + 60_001), false);
});

test('IPv4-mapped addresses count as IPv4, IPv6 addresses per /64', () => {
  assert.equal(throttleAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(throttleAddress('2001:db8:0:1::5'), '2001:db8:0:1::/64');
  assert.equal(throttleAddress('2001:0db8:0000:0001:ffff::9'), '2001:db8:0:1::/64');
  assert.equal(throttleAddress('::1'), '0:0:0:0::/64');
  const throttle = new AuthFailureThrottle({ failuresPerMinute: 1 });
  throttle.fail('2001:db8:0:1::5', 0);
  assert.equal(throttle.fail('2001:db8:0:1::6', 1), true);
});

test('memory is bounded by the number of addresses remembered', () => {
  const throttle = new AuthFailureThrottle({ failuresPerMinute: 1 }, 2);
  throttle.fail('10.0.0.1', 0);
  throttle.fail('10.0.0.2', 0);
  throttle.fail('10.0.0.3', 0);
  assert.equal(throttle.fail('10.0.0.1', 1), false, 'the oldest address was forgotten');
});
