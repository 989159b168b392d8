import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CliError } from './cli-error.js';
import { resolveConnection, webSocketUrlFor } from './connection.js';

describe('resolveConnection', () => {
  let dataDir: string;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hark-cli-'));
    await writeFile(join(dataDir, 'api-key'), 'hark_local\n');
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('talks to a Hark on this machine with the key it generated when nothing is set', () => {
    assert.deepEqual(resolveConnection({}, { HARK_DATA_DIR: dataDir }), {
      apiKey: 'hark_local',
      baseUrl: 'http://127.0.0.1:8080',
      wsUrl: 'ws://127.0.0.1:8080/transcribe-websocket',
    });
  });

  it('reads the environment the SDK reads, and flags over it', () => {
    const env = { SONIOX_API_KEY: 'env-key', SONIOX_API_BASE_URL: 'https://stt.example.com/', SONIOX_WS_URL: 'wss://ws.example.com/x' };
    assert.deepEqual(resolveConnection({}, env), { apiKey: 'env-key', baseUrl: 'https://stt.example.com', wsUrl: 'wss://ws.example.com/x' });
    assert.deepEqual(resolveConnection({ 'api-key': 'flag-key', 'base-url': 'http://10.0.0.5:9000' }, { SONIOX_API_KEY: 'env-key' }), {
      apiKey: 'flag-key',
      baseUrl: 'http://10.0.0.5:9000',
      wsUrl: 'ws://10.0.0.5:9000/transcribe-websocket',
    });
  });

  it('goes to the Soniox cloud for a region, as the SDK does', () => {
    assert.deepEqual(resolveConnection({}, { SONIOX_API_KEY: 'k', SONIOX_REGION: 'eu' }), {
      apiKey: 'k',
      baseUrl: 'https://api.eu.soniox.com',
      wsUrl: 'wss://stt-rt.eu.soniox.com/transcribe-websocket',
    });
  });

  it('never sends a local key file to another server', () => {
    assert.throws(
      () => resolveConnection({ 'base-url': 'https://api.soniox.com' }, { HARK_DATA_DIR: dataDir }),
      (err: unknown) => err instanceof CliError && /No API key for https:\/\/api\.soniox\.com/.test(err.message),
    );
  });
});

describe('webSocketUrlFor', () => {
  it("uses Soniox's real-time host for Soniox and the same origin otherwise", () => {
    assert.equal(webSocketUrlFor('https://api.soniox.com'), 'wss://stt-rt.soniox.com/transcribe-websocket');
    assert.equal(webSocketUrlFor('https://api.jp.soniox.com'), 'wss://stt-rt.jp.soniox.com/transcribe-websocket');
    assert.equal(webSocketUrlFor('https://hark.example.org/speech/'), 'wss://hark.example.org/speech/transcribe-websocket');
    assert.equal(webSocketUrlFor('http://127.0.0.1:8080'), 'ws://127.0.0.1:8080/transcribe-websocket');
  });
});
