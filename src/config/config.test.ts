import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolve } from 'node:path';
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

describe('engine settings', () => {
  test('PocketSphinx unless HARK_ENGINE says otherwise', () => {
    assert.deepEqual(loadConfig({}).engine, { id: 'pocketsphinx' });
  });

  test('openai: the URL without its trailing slash, defaults for the rest', () => {
    const { engine } = loadConfig({ HARK_ENGINE: 'openai', HARK_ENGINE_URL: 'http://127.0.0.1:8000/v1/' });
    assert.deepEqual(engine, {
      id: 'openai', url: 'http://127.0.0.1:8000/v1', apiKey: null, model: 'whisper-1', languages: ['en'],
      concurrency: 4, timeoutMs: 120_000, retries: 2, backoffMs: 500,
    });
  });

  test('openai: every setting read', () => {
    const { engine } = loadConfig({
      HARK_ENGINE: 'openai', HARK_ENGINE_URL: 'https://api.openai.com/v1', HARK_ENGINE_API_KEY: 'sk-x',
      HARK_ENGINE_MODEL: 'gpt-4o-transcribe', HARK_ENGINE_LANGUAGES: 'de, en,de', HARK_ENGINE_CONCURRENCY: '8',
      HARK_ENGINE_TIMEOUT_MS: '5000', HARK_ENGINE_RETRIES: '0', HARK_ENGINE_BACKOFF_MS: '0',
    });
    assert.deepEqual(engine, {
      id: 'openai', url: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4o-transcribe', languages: ['de', 'en'],
      concurrency: 8, timeoutMs: 5000, retries: 0, backoffMs: 0,
    });
  });

  test('an unknown engine, a missing or odd URL, unknown languages and a zero concurrency are refused at boot', () => {
    const openai = { HARK_ENGINE: 'openai', HARK_ENGINE_URL: 'http://127.0.0.1:8000/v1' };
    for (const env of [
      { HARK_ENGINE: 'whisper' },
      { HARK_ENGINE: 'openai' },
      { ...openai, HARK_ENGINE_URL: 'ftp://host/v1' },
      { ...openai, HARK_ENGINE_URL: 'http://user:pw@host/v1' },
      { ...openai, HARK_ENGINE_URL: 'not a url' },
      { ...openai, HARK_ENGINE_LANGUAGES: 'en,xx' },
      { ...openai, HARK_ENGINE_LANGUAGES: ' , ' },
      { ...openai, HARK_ENGINE_CONCURRENCY: '0' },
    ]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
  });
});

describe('sherpa-onnx engine and model settings', () => {
  test('HARK_ENGINE_MODEL names an installed model id or a directory, described by its hark-model.json', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'hark-config-sherpa-'));
    try {
      const dir = join(dataDir, 'models', 'whisper-tiny-en');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id: 'whisper-tiny-en', family: 'whisper', languages: ['en'] }));
      const byId = loadConfig({ HARK_DATA_DIR: dataDir, HARK_ENGINE: 'sherpa-onnx', HARK_ENGINE_MODEL: 'whisper-tiny-en' }).engine;
      assert.deepEqual(byId, { id: 'sherpa-onnx', model: { id: 'whisper-tiny-en', family: 'whisper', languages: ['en'], dir, streaming: false } });
      const byPath = loadConfig({ HARK_DATA_DIR: '/nonexistent', HARK_ENGINE: 'sherpa-onnx', HARK_ENGINE_MODEL: dir }).engine;
      assert.deepEqual(byPath, byId);
      assert.throws(() => loadConfig({ HARK_DATA_DIR: dataDir, HARK_ENGINE: 'sherpa-onnx' }), /HARK_ENGINE=sherpa-onnx needs HARK_ENGINE_MODEL/);
      assert.throws(
        () => loadConfig({ HARK_DATA_DIR: dataDir, HARK_ENGINE: 'sherpa-onnx', HARK_ENGINE_MODEL: 'moonshine-tiny-en' }),
        (err: unknown) => err instanceof ConfigError && /^HARK_ENGINE_MODEL: Model moonshine-tiny-en is not installed/.test(err.message),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('HARK_MODEL_MIRROR is an http(s) base URL, without trailing slashes', () => {
    assert.equal(loadConfig({}).models.mirror, null);
    assert.equal(loadConfig({ HARK_MODEL_MIRROR: 'http://cache.lan:8000/asr-models//' }).models.mirror, 'http://cache.lan:8000/asr-models');
    assert.throws(() => loadConfig({ HARK_MODEL_MIRROR: 'cache.lan' }), ConfigError);
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

describe('cluster settings', () => {
  test('HARK_ROLE is api, worker or all (the default); anything else is refused', () => {
    assert.equal(loadConfig({}).role, 'all');
    assert.equal(loadConfig({ HARK_ROLE: 'api' }).role, 'api');
    assert.equal(loadConfig({ HARK_ROLE: 'worker' }).role, 'worker');
    assert.throws(() => loadConfig({ HARK_ROLE: 'both' }), /HARK_ROLE must be one of api, worker, all, got "both"/);
  });

  test('HARK_BLOB_DIR is made absolute; unset, blobs stay under the data dir', () => {
    assert.equal(loadConfig({}).blobDir, null);
    assert.equal(loadConfig({ HARK_BLOB_DIR: 'shared/blobs' }).blobDir, resolve('shared/blobs'));
  });
});

describe('database setting', () => {
  test('SQLite by default; HARK_DATABASE_URL takes postgres:// and postgresql:// URLs', () => {
    assert.equal(loadConfig({}).databaseUrl, null);
    assert.equal(loadConfig({ HARK_DATABASE_URL: 'postgres://hark:pw@db.internal:5432/hark' }).databaseUrl, 'postgres://hark:pw@db.internal:5432/hark');
    assert.equal(loadConfig({ HARK_DATABASE_URL: 'postgresql://db/hark' }).databaseUrl, 'postgresql://db/hark');
  });

  test('anything else is refused at boot, without echoing a password', () => {
    for (const bad of ['mysql://u:secret@db/hark', 'db.internal:5432', 'postgres://', 'sqlite:///x.db']) {
      assert.throws(() => loadConfig({ HARK_DATABASE_URL: bad }), (err: unknown) => err instanceof ConfigError && !err.message.includes('secret'), bad);
    }
  });
});

describe('recognition worker priority', () => {
  test('workers run at nice 10 unless HARK_WORKER_NICE says otherwise, from 0 to 19', () => {
    assert.equal(loadConfig({}).workerNice, 10);
    assert.equal(loadConfig({ HARK_WORKER_NICE: '0' }).workerNice, 0);
    assert.equal(loadConfig({ HARK_WORKER_NICE: '19' }).workerNice, 19);
    for (const bad of ['20', '-1', 'low', '2.5']) assert.throws(() => loadConfig({ HARK_WORKER_NICE: bad }), ConfigError, bad);
  });

  test('workers have 5 min to load their engine unless HARK_WORKER_START_TIMEOUT_MS says otherwise', () => {
    assert.equal(loadConfig({}).workerStartTimeoutMs, 300_000);
    assert.equal(loadConfig({ HARK_WORKER_START_TIMEOUT_MS: '60000' }).workerStartTimeoutMs, 60_000);
    for (const bad of ['0', '-1', 'soon', '2.5']) assert.throws(() => loadConfig({ HARK_WORKER_START_TIMEOUT_MS: bad }), ConfigError, bad);
  });
});
