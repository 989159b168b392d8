import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { FUZZ_ENV, assertDocumentedRestAnswer, formatReport, fuzz, hostile, mutatedObject, notAnObject, contextValue, withField } from '../support/fuzz.js';
import { rawHttp } from '../support/raw-http.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';

/** 0.3 s of 16 kHz mono silence as a WAV file. */
function silenceWav(): Blob {
  const samples = Buffer.alloc(9600);
  const header = pcmWavHeader(16_000, 1, samples.length);
  return new Blob([header, samples]);
}

/** CreateTranscriptionPayload (API.md §3.3); every URL points at a closed local port, never at the network. */
function transcriptionBody(fileId: string): fc.Arbitrary<string> {
  return mutatedObject(
    {
      model: fc.oneof({ weight: 6, arbitrary: fc.constant('stt-async-v4') }, fc.constantFrom('stt-async-preview', 'stt-rt-v4', 'x'.repeat(33))),
      file_id: fc.oneof({ weight: 4, arbitrary: fc.constant(fileId) }, fc.uuid(), fc.string({ maxLength: 40 })),
      audio_url: fc.constantFrom('http://127.0.0.1:9/a.wav', 'https://127.0.0.1:9/a.wav', 'ftp://127.0.0.1/a.wav', 'http://a b', `http://127.0.0.1:9/${'a'.repeat(5000)}`),
      language_hints: fc.array(fc.constantFrom('en', 'fr', 'xx', 'english-us'), { maxLength: 4 }),
      language_hints_strict: fc.boolean(),
      enable_speaker_diarization: fc.boolean(),
      enable_language_identification: fc.boolean(),
      translation: fc.record(
        { type: fc.constantFrom('one_way', 'two_way', 'three_way'), target_language: fc.constantFrom('fr', 'xx'), language_a: fc.constantFrom('en', 'xx'), language_b: fc.constantFrom('es', 'xx') },
        { requiredKeys: ['type'] },
      ),
      context: contextValue,
      webhook_url: fc.constantFrom('http://127.0.0.1:9/hook', 'http://127.0.0.1:9/hook?x=1&y=%20', 'not a url'),
      webhook_auth_header_name: fc.constantFrom('X-Auth', 'Authorization', 'Host', 'Content-Length', 'X\r\nInjected: 1', '', 'x'.repeat(257)),
      webhook_auth_header_value: fc.string({ maxLength: 40 }),
      client_reference_id: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('😀'.repeat(200), 'é'.repeat(256))),
    },
    ['model', 'file_id'],
  );
}

/** CreateTemporaryApiKeyPayload (API.md §3.4). */
const temporaryKeyBody = mutatedObject(
  {
    usage_type: fc.constantFrom('transcribe_websocket', 'tts_rt', 'other'),
    expires_in_seconds: fc.integer({ min: 1, max: 3600 }),
    client_reference_id: fc.string({ maxLength: 300 }),
    single_use: fc.boolean(),
    max_session_duration_seconds: fc.integer({ min: 1, max: 18000 }),
  },
  ['usage_type', 'expires_in_seconds'],
);

/**
 * A JSON body as clients may send it: mostly `json`, or the smallest valid
 * body `minimal` with a deeply nested `context`, or something else
 * entirely; with some content type.
 */
const request = (json: fc.Arbitrary<string>, minimal: object) =>
  fc.record({
    body: fc.oneof(
      { weight: 8, arbitrary: json },
      { weight: 2, arbitrary: withField(fc.constant(JSON.stringify(minimal)), 'context', hostile.nested) },
      { weight: 1, arbitrary: notAnObject },
      { weight: 1, arbitrary: hostile.nested },
      // Over the 1 MB JSON body limit.
      { weight: 1, arbitrary: fc.constant(`{"context":"${'x'.repeat(1_100_000)}"}`) },
    ),
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', null),
    ),
  });

function encode(apiKey: string, path: string, r: { body: string; contentType: string | null }): Buffer {
  const body = Buffer.from(r.body);
  const head = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', `Authorization: Bearer ${apiKey}`, 'Connection: close', `Content-Length: ${body.length}`];
  if (r.contentType !== null) head.push(`Content-Type: ${r.contentType}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]);
}

describe('fuzz: JSON bodies', () => {
  let hark: HarkProcess;
  let fileId: string;
  before(async () => {
    hark = await startHark({ ...FUZZ_ENV, HARK_WORKERS: '1', HARK_MAX_PENDING_TRANSCRIPTIONS: '100000', HARK_MAX_TRANSCRIPTIONS: '100000' });
    const form = new FormData();
    form.append('file', silenceWav(), 'silence.wav');
    const response = await fetch(`${hark.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form });
    assert.equal(response.status, 201);
    fileId = ((await response.json()) as { id: string }).id;
  });
  after(() => hark.dispose());

  test('any body to POST /v1/transcriptions gets 201 or a documented 4xx, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      request(transcriptionBody(fileId), { model: 'stt-async-v4', file_id: fileId }),
      async (r) => {
        const { status, body } = assertDocumentedRestAnswer(await rawHttp(hark.baseUrl, encode(hark.apiKey, '/v1/transcriptions', r)), [201]);
        if (status === 201) {
          assert.equal(body.status, 'queued');
          // What was stored can be served, alone and in a list page (newest first: it is on the first).
          const stored = await api(hark, 'GET', `/v1/transcriptions/${body.id}`);
          assert.equal(stored.status, 200, JSON.stringify(stored.body).slice(0, 300));
          const page = await api(hark, 'GET', '/v1/transcriptions?limit=1');
          assert.equal(page.status, 200, JSON.stringify(page.body).slice(0, 300));
        }
      },
      { numRuns: 200, timeLimitMs: 3_000 },
    );
    t.diagnostic(formatReport(report));
  });

  test('any body to POST /v1/auth/temporary-api-key gets 201 or a documented 4xx, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      request(temporaryKeyBody, { usage_type: 'transcribe_websocket', expires_in_seconds: 60 }),
      async (r) => {
        const { status, body } = assertDocumentedRestAnswer(await rawHttp(hark.baseUrl, encode(hark.apiKey, '/v1/auth/temporary-api-key', r)), [201]);
        if (status === 201) assert.match(body.api_key, /^temp:/);
      },
      { numRuns: 200, timeLimitMs: 3_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
