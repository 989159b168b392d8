import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

describe('HTTP settings', () => {
  test('defaults trust no proxy and bound slow clients generously', () => {
    const { http } = loadConfig({});
    assert.deepEqual(http.trustedProxies, []);
    assert.equal(http.headersTimeoutMs, 30_000);
    assert.equal(http.idleTimeoutMs, 60_000);
    assert.equal(http.minBodyBytesPerSecond, 1024);
    assert.equal(http.maxConnectionsPerAddress, 128);
  });

  test('trusted proxies are a comma list of addresses and CIDRs', () => {
    const { http } = loadConfig({ HARK_TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,::1,fd00::/8' });
    assert.deepEqual(http.trustedProxies, ['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8']);
  });

  test('anything else in the list is refused at boot', () => {
    for (const bad of ['proxy.example', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0', 'loopback']) {
      assert.throws(() => loadConfig({ HARK_TRUSTED_PROXIES: bad }), ConfigError, bad);
    }
  });

  test('a header timeout longer than the whole-request timeout is refused', () => {
    assert.throws(
      () => loadConfig({ HARK_HTTP_HEADERS_TIMEOUT_MS: '5000', HARK_HTTP_REQUEST_TIMEOUT_MS: '1000' }),
      ConfigError,
    );
    assert.equal(loadConfig({ HARK_HTTP_REQUEST_TIMEOUT_MS: '0' }).http.requestTimeoutMs, 0);
  });
});

describe('real-time capacity settings', () => {
  test('sessions at once default to the measured capacity; a number or `auto` may be given', () => {
    assert.equal(loadConfig({}).realtime.maxConcurrentSessions, 'auto');
    assert.equal(loadConfig({ HARK_MAX_CONCURRENT_SESSIONS: 'auto' }).realtime.maxConcurrentSessions, 'auto');
    assert.equal(loadConfig({ HARK_MAX_CONCURRENT_SESSIONS: '4' }).realtime.maxConcurrentSessions, 4);
    assert.throws(() => loadConfig({ HARK_MAX_CONCURRENT_SESSIONS: 'many' }), ConfigError);
    assert.throws(() => loadConfig({ HARK_MAX_CONCURRENT_SESSIONS: '0' }), ConfigError);
  });

  test('warm decoders default to 8 and may be 0', () => {
    assert.equal(loadConfig({}).realtime.warmDecoders, 8);
    assert.equal(loadConfig({ HARK_REALTIME_WARM_DECODERS: '0' }).realtime.warmDecoders, 0);
    assert.throws(() => loadConfig({ HARK_REALTIME_WARM_DECODERS: '-1' }), ConfigError);
  });
});
