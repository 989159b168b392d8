import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SonioxHttpError, SonioxNodeClient } from '@soniox/node';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';

const UNKNOWN_ID = '3f1d2c4b-5a69-4788-9abc-def012345678';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertApiError(
  res: { status: number; headers: Headers; body: any },
  status: number,
  errorType: string,
  message?: string,
) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status_code, status);
  assert.equal(res.body.error_type, errorType);
  assert.equal(typeof res.body.message, 'string');
  if (message !== undefined) assert.equal(res.body.message, message);
  assert.ok(Array.isArray(res.body.validation_errors));
  assert.match(res.body.request_id, UUID_RE);
  assert.equal(res.headers.get('x-request-id'), res.body.request_id);
}

function locations(res: { body: any }): string[] {
  return res.body.validation_errors.map((v: { location: string }) => v.location);
}

describe('REST errors follow the Soniox error format', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_MAX_FILE_SIZE: '50000', HARK_MAX_FILES: '3' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  });
  after(() => hark.dispose());

  test('a missing, malformed or unknown key is 401 unauthenticated on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/files'],
      ['GET', '/v1/models'],
      ['POST', '/v1/transcriptions'],
      ['GET', `/v1/transcriptions/${UNKNOWN_ID}`],
      ['POST', '/v1/auth/temporary-api-key'],
    ] as const) {
      assertApiError(await api(hark, method, path, { key: null }), 401, 'unauthenticated');
      assertApiError(await api(hark, method, path, { key: 'wrong-key' }), 401, 'unauthenticated');
      assertApiError(
        await api(hark, method, path, { key: null, headers: { authorization: 'Basic abc' } }),
        401,
        'unauthenticated',
      );
    }
    const wrong = new SonioxNodeClient({ api_key: 'wrong-key', base_url: hark.baseUrl });
    await assert.rejects(wrong.models.list(), (err: unknown) => err instanceof SonioxHttpError && err.statusCode === 401);
  });

  test('temporary keys are minted per the contract and refused on REST', async () => {
    const key = await client.auth.createTemporaryKey({ usage_type: 'transcribe_websocket', expires_in_seconds: 60 });
    assert.match(key.api_key, /^temp:[A-Z0-9]{20,}$/);
    const expiresIn = Date.parse(key.expires_at) - Date.now();
    assert.ok(expiresIn > 55_000 && expiresIn <= 60_000, `expires_at ${key.expires_at}`);
    assertApiError(await api(hark, 'GET', '/v1/files', { key: key.api_key }), 401, 'unauthenticated');

    const tooLong = await api(hark, 'POST', '/v1/auth/temporary-api-key', {
      body: { usage_type: 'transcribe_websocket', expires_in_seconds: 3601 },
    });
    assertApiError(tooLong, 400, 'invalid_request', 'Invalid request.');
    assert.deepEqual(tooLong.body.validation_errors, [
      {
        error_type: 'less_than_equal',
        location: 'body.payload.expires_in_seconds',
        message: 'Input should be less than or equal to 3600',
      },
    ]);
    const bad = await api(hark, 'POST', '/v1/auth/temporary-api-key', {
      body: { usage_type: 'nope', max_session_duration_seconds: 0 },
    });
    assertApiError(bad, 400, 'invalid_request');
    assert.deepEqual(locations(bad).sort(), [
      'body.payload.expires_in_seconds',
      'body.payload.max_session_duration_seconds',
      'body.payload.usage_type',
    ]);
  });

  test('bad JSON, missing and wrongly typed fields list their locations', async () => {
    const badJson = await api(hark, 'POST', '/v1/transcriptions', { rawBody: '{"model": ' });
    assertApiError(badJson, 400, 'invalid_request');
    assert.equal(badJson.body.validation_errors[0].error_type, 'json_invalid');

    const empty = await api(hark, 'POST', '/v1/transcriptions', { rawBody: '' });
    assertApiError(empty, 400, 'invalid_request');

    const missing = await api(hark, 'POST', '/v1/transcriptions', { body: { audio_url: 'https://x.test/a.mp3' } });
    assertApiError(missing, 400, 'invalid_request');
    assert.deepEqual(missing.body.validation_errors, [
      { error_type: 'missing', location: 'body.payload.model', message: 'Field required' },
    ]);

    const typed = await api(hark, 'POST', '/v1/transcriptions', {
      body: {
        model: 42,
        audio_url: 'ftp://x',
        enable_speaker_diarization: 'yes',
        language_hints: 'en',
        webhook_url: 'x'.repeat(300),
      },
    });
    assertApiError(typed, 400, 'invalid_request');
    const byLocation = Object.fromEntries(
      typed.body.validation_errors.map((v: { location: string; error_type: string }) => [v.location, v.error_type]),
    );
    assert.deepEqual(byLocation, {
      'body.payload.model': 'string_type',
      'body.payload.audio_url': 'string_pattern_mismatch',
      'body.payload.enable_speaker_diarization': 'bool_type',
      'body.payload.language_hints': 'list_type',
      'body.payload.webhook_url': 'string_too_long',
    });

    const wrongType = await api(hark, 'POST', '/v1/transcriptions', {
      rawBody: 'model=x',
      headers: { 'content-type': 'text/plain' },
    });
    assertApiError(wrongType, 400, 'invalid_request');
  });

  test('transcription rules: model, exactly one source, header pair, hints, context size', async () => {
    const create = (body: object) => api(hark, 'POST', '/v1/transcriptions', { body });
    const invalidModel = await create({ model: 'stt-rt-v4', audio_url: 'https://x.test/a.mp3' });
    assertApiError(invalidModel, 400, 'invalid_request');
    assert.deepEqual(invalidModel.body.validation_errors, [
      { error_type: 'value_error', location: 'body.payload.model', message: 'Invalid model' },
    ]);
    const both = await create({ model: 'stt-async-v4', audio_url: 'https://x.test/a.mp3', file_id: UNKNOWN_ID });
    assertApiError(both, 400, 'invalid_request');
    assert.deepEqual(locations(both), ['body.payload.audio_url']);
    const neither = await create({ model: 'stt-async-v4' });
    assertApiError(neither, 400, 'invalid_request');
    const header = await create({
      model: 'stt-async-v4',
      audio_url: 'https://x.test/a.mp3',
      webhook_url: 'https://x.test/hook',
      webhook_auth_header_name: 'X-Secret',
    });
    assert.deepEqual(locations(header), ['body.payload.webhook_auth_header_value']);
    const hints = await create({ model: 'stt-async-v4', audio_url: 'https://x.test/a.mp3', language_hints: ['en', 'xx', 'en'] });
    assert.deepEqual(locations(hints), ['body.payload.language_hints.1', 'body.payload.language_hints']);
    const context = await create({ model: 'stt-async-v4', audio_url: 'https://x.test/a.mp3', context: 'w'.repeat(20_001) });
    assert.deepEqual(locations(context), ['body.payload.context']);
    const unknownFile = await create({ model: 'stt-async-v4', file_id: UNKNOWN_ID });
    assertApiError(unknownFile, 404, 'file_not_found', 'File could not be found.');
    const nothingStored = await api(hark, 'GET', '/v1/transcriptions/count');
    assert.equal(nothingStored.body.total, 0);
  });

  test('unknown ids, malformed ids and unknown routes are 404 in the same format', async () => {
    for (const id of [UNKNOWN_ID, 'not-a-uuid']) {
      assertApiError(await api(hark, 'GET', `/v1/files/${id}`), 404, 'file_not_found', 'File could not be found.');
      assertApiError(await api(hark, 'DELETE', `/v1/files/${id}`), 404, 'file_not_found');
      assertApiError(await api(hark, 'GET', `/v1/files/${id}/url`), 404, 'file_not_found');
      assertApiError(
        await api(hark, 'GET', `/v1/transcriptions/${id}`),
        404,
        'transcription_not_found',
        'Transcription could not be found.',
      );
      assertApiError(await api(hark, 'GET', `/v1/transcriptions/${id}/transcript`), 404, 'transcription_not_found');
      assertApiError(await api(hark, 'DELETE', `/v1/transcriptions/${id}`), 404, 'transcription_not_found');
    }
    assertApiError(await api(hark, 'GET', '/v1/nothing-here'), 404, 'not_found');
    assert.equal(await client.files.get(UNKNOWN_ID), null);
    assert.equal(await client.stt.get(UNKNOWN_ID), null);
    await client.stt.delete(UNKNOWN_ID);
  });

  test('a cursor this server did not produce is 400 invalid_cursor', async () => {
    for (const path of ['/v1/files', '/v1/transcriptions']) {
      assertApiError(
        await api(hark, 'GET', `${path}?cursor=bm9wZQ`),
        400,
        'invalid_cursor',
        'Invalid cursor parameter.',
      );
      assertApiError(await api(hark, 'GET', `${path}?limit=0`), 400, 'invalid_request');
      assertApiError(await api(hark, 'GET', `${path}?limit=1001`), 400, 'invalid_request');
      assertApiError(await api(hark, 'GET', `${path}?limit=abc`), 400, 'invalid_request');
      const first = await api(hark, 'GET', `${path}?cursor=`);
      assert.equal(first.status, 200);
      assert.equal(first.body.next_page_cursor, null);
    }
    const filesCursor = Buffer.from('files:1').toString('base64url');
    assertApiError(await api(hark, 'GET', `/v1/transcriptions?cursor=${filesCursor}`), 400, 'invalid_cursor');
  });

  test('bodiless GET and DELETE with Content-Type: application/json are accepted', async () => {
    const res = await api(hark, 'GET', '/v1/files/count', { headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { total: 0, public_api: 0, playground: 0 });
    assert.match(res.headers.get('x-request-id') ?? '', UUID_RE);
  });

  test('uploads: missing part, over the size limit and over the file count store nothing', async () => {
    const form = new FormData();
    form.append('client_reference_id', 'no-file');
    const noFile = await fetch(`${hark.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hark.apiKey}` },
      body: form,
    });
    const noFileBody = (await noFile.json()) as any;
    assert.equal(noFile.status, 400);
    assert.deepEqual(noFileBody.validation_errors, [{ error_type: 'missing', location: 'file.file', message: 'Field required' }]);

    await assert.rejects(
      client.files.upload(Buffer.alloc(60_000, 1), { filename: 'big.raw' }),
      (err: unknown) =>
        err instanceof SonioxHttpError &&
        err.statusCode === 400 &&
        (err.bodyText ?? '').includes('Exceeded maximum file size (maximum is 50000 bytes).'),
    );
    assert.equal((await client.files.list()).files.length, 0);

    const refTooLong = new FormData();
    refTooLong.append('file', new Blob([Buffer.alloc(10)]), 'a.wav');
    refTooLong.append('client_reference_id', 'r'.repeat(257));
    const refRes = await fetch(`${hark.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hark.apiKey}` },
      body: refTooLong,
    });
    assert.equal(refRes.status, 400);
    assert.equal(((await refRes.json()) as any).validation_errors[0].location, 'file.client_reference_id');

    for (let i = 0; i < 3; i++) await client.files.upload(Buffer.alloc(100, i), { filename: `f${i}.raw` });
    await assert.rejects(
      client.files.upload(Buffer.alloc(100), { filename: 'one-too-many.raw' }),
      (err: unknown) =>
        err instanceof SonioxHttpError && err.statusCode === 400 && (err.bodyText ?? '').includes('maximum number of files'),
    );
    const count = await api(hark, 'GET', '/v1/files/count');
    assert.equal(count.body.total, 3);
    const { readdir } = await import('node:fs/promises');
    const blobs = (await readdir(`${hark.dataDir}/blobs`)).filter((n) => !n.startsWith('.'));
    assert.equal(blobs.length, 3);
    assert.deepEqual(await readdir(`${hark.dataDir}/blobs/.incoming`), []);
  });

  test('the OpenAPI document of what Hark serves is public', async () => {
    const res = await api(hark, 'GET', '/v1/openapi.json', { key: null });
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    for (const path of ['/v1/files', '/v1/transcriptions/{transcription_id}/transcript', '/v1/auth/temporary-api-key']) {
      assert.ok(res.body.paths[path], path);
    }
  });
});
