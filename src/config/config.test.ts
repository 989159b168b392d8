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

describe('Voice activity detection setting', () => {
  test('HARK_VAD picks the detector; energy when unset', () => {
    assert.equal(loadConfig({}).vad, 'energy');
    assert.equal(loadConfig({ HARK_VAD: 'silero' }).vad, 'silero');
    assert.equal(loadConfig({ HARK_VAD: 'energy' }).vad, 'energy');
  });

  test('any other name is refused at boot, naming the choices', () => {
    for (const bad of ['Silero', 'webrtc', ' silero', 'energy,silero']) {
      assert.throws(() => loadConfig({ HARK_VAD: bad }), /HARK_VAD must be one of energy, silero/, bad);
    }
  });
});
