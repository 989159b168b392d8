/**
 * The Python SDK's REST calls with `api_base_url="http://host:port/v1"`
 * (issue 12). The SDK cannot be installed here (no PyPI), so this sends what
 * it sends, read from its source (test/support/python-sdk.ts): httpx joins
 * the SDK's paths (`/files`, `/transcriptions/{id}/transcript`) to the base's
 * `/v1`, and `stt.transcribe_and_wait_with_tokens(file=…)` is an upload,
 * a create, polling, then the transcript.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { librivoxUtterances } from '../support/librivox.js';
import { startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

/** What httpx sends with every request of the SDK's client. */
function pythonHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'user-agent': 'python-httpx/0.28.1', accept: '*/*', 'accept-encoding': 'gzip, deflate' };
}

/** httpx's `base_url` join: the base gets a trailing slash and the request path its leading one dropped. */
function httpxUrl(apiBaseUrl: string, path: string): string {
  return `${apiBaseUrl.replace(/\/?$/, '/')}${path.replace(/^\//, '')}`;
}

describe('the Python SDK REST calls, at api_base_url http://host:port/v1', () => {
  let hark: HarkProcess;
  let apiBaseUrl: string;
  before(async () => {
    hark = await startHark();
    // As a user would: copied from the start-up banner.
    apiBaseUrl = /api_base_url="([^"]+)"/.exec(hark.output())![1]!;
  });
  after(() => hark.dispose());

  test("the banner gives each client's form of the URLs", async () => {
    assert.equal(apiBaseUrl, `${hark.baseUrl}/v1`);
    assert.equal(/websocket_base_url="([^"]+)"/.exec(hark.output())![1], hark.wsUrl);
    const node = /base_url: '([^']+)', realtime: \{ ws_base_url: '([^']+)' \}/.exec(hark.output())!;
    assert.deepEqual([node[1], node[2]], [hark.baseUrl, hark.wsUrl]);
    assert.match(hark.output(), new RegExp(`SONIOX_API_BASE_URL=${hark.baseUrl} SONIOX_WS_URL=${hark.wsUrl}`));
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: node[1]!, realtime: { ws_base_url: node[2]! } });
    const file = await client.files.upload(await readFile(librivoxUtterances()[0]!.wavPath), { filename: 'node.wav' });
    assert.equal((await client.files.get(file.id))?.filename, 'node.wav');
  });

  async function call(method: string, path: string, init: { json?: unknown; body?: Buffer; headers?: Record<string, string> } = {}) {
    const headers = { ...pythonHeaders(hark.apiKey), ...init.headers };
    let body: Buffer | string | undefined = init.body;
    if (init.json !== undefined) {
      // httpx 0.28 writes JSON compactly.
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(httpxUrl(apiBaseUrl, path), { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** `files.upload(path)`: httpx's multipart body, one `file` part named after the file, its type guessed from the name. */
  async function upload(wavPath: string) {
    const boundary = randomBytes(16).toString('hex');
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="speech.wav"\r\nContent-Type: audio/x-wav\r\n\r\n`),
      await readFile(wavPath),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return call('POST', '/files', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  }

  /** `stt.transcribe_and_wait_with_tokens(file=…, config=…)` with the SDK's default model (stt-async-v5). */
  async function transcribeAndWait(wavPath: string, options: Record<string, unknown>) {
    const file = await upload(wavPath);
    assert.equal(file.status, 201, JSON.stringify(file.body));
    const created = await call('POST', '/transcriptions', { json: { model: 'stt-async-v5', file_id: file.body.id, ...options } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const done = await waitFor(
      async () => {
        const t = await call('GET', `/transcriptions/${created.body.id}`);
        return t.body.status === 'queued' || t.body.status === 'processing' ? null : t;
      },
      180_000,
      500,
    );
    assert.equal(done.body.status, 'completed', JSON.stringify(done.body));
    const transcript = await call('GET', `/transcriptions/${created.body.id}/transcript`);
    assert.equal(transcript.status, 200);
    return { fileId: file.body.id as string, transcriptionId: created.body.id as string, transcript: transcript.body };
  }

  test('models, upload, transcription, transcript, lists and deletes all answer under /v1', async () => {
    const models = await call('GET', '/models');
    assert.equal(models.status, 200);
    assert.ok(models.body.models.some((m: { id: string }) => m.id === 'stt-async-v5'));

    const utterance = librivoxUtterances()[0]!;
    const { fileId, transcriptionId, transcript } = await transcribeAndWait(utterance.wavPath, {});
    const wer = wordErrorRate(utterance.reference, transcript.text);
    console.log(`python REST: WER ${(wer * 100).toFixed(1)}%: ${transcript.text}`);
    assert.ok(wer <= 0.5, transcript.text);

    const files = await call('GET', '/files?limit=100');
    assert.ok(files.body.files.some((f: { id: string }) => f.id === fileId));
    const transcriptions = await call('GET', '/transcriptions?limit=100');
    assert.ok(transcriptions.body.transcriptions.some((t: { id: string }) => t.id === transcriptionId));
    assert.ok([200, 204].includes((await call('DELETE', `/transcriptions/${transcriptionId}`)).status));
    assert.ok([200, 204].includes((await call('DELETE', `/files/${fileId}`)).status));
    assert.equal((await call('GET', `/files/${fileId}`)).status, 404);
  });

  test('transcript tokens carry speaker, language, is_audio_event and translation_status, null where they do not apply', async () => {
    const wavPath = librivoxUtterances()[1]!.wavPath;
    const plain = (await transcribeAndWait(wavPath, {})).transcript;
    assert.ok(plain.tokens.length > 3);
    for (const token of plain.tokens) {
      for (const field of ['speaker', 'language', 'is_audio_event', 'translation_status']) {
        assert.ok(field in token, `${field} in ${JSON.stringify(token)}`);
        assert.equal(token[field], null, `${field} in ${JSON.stringify(token)}`);
      }
      assert.equal(typeof token.start_ms, 'number');
      assert.ok(!('source_language' in token), 'source_language is only on translation tokens');
    }

    const labelled = (await transcribeAndWait(wavPath, { enable_speaker_diarization: true, enable_language_identification: true })).transcript;
    for (const token of labelled.tokens) {
      assert.equal(token.speaker, '1', JSON.stringify(token));
      assert.equal(token.language, 'en', JSON.stringify(token));
      assert.equal(token.translation_status, null, 'no translation asked for');
      assert.equal(token.is_audio_event, null);
    }
  });
});
