import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, waitFor, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { errorOf, runSession } from '../support/realtime-client.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const MODEL = 'stt-async-v4';
const EMOJI = '\u{1F600}';
/** A page budget small enough that a few large records fill a page. */
const PAGE_BYTES = 60_000;

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A structured context whose compact JSON is exactly `chars` characters (code points). */
function contextOf(chars: number) {
  const base = {
    general: [{ key: 'domain', value: 'medicine' }],
    terms: ['Hark', `${EMOJI}term`],
    translation_terms: [{ source: 'Hark', target: 'Harken' }],
    text: '',
  };
  const overhead = [...JSON.stringify(base)].length;
  return { ...base, text: `${EMOJI}${'t'.repeat(chars - overhead - 1)}` };
}

describe('bodies: nesting, context shape, code-point lengths and bounded list pages', () => {
  let hark: HarkProcess;
  let fileId: string;
  let receiver: Server;
  let receiverUrl: string;
  const delivered: unknown[] = [];

  async function upload(clientReferenceId: string | null): Promise<{ status: number; body: any }> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('not audio at all')]), 'noise.bin');
    if (clientReferenceId !== null) form.append('client_reference_id', clientReferenceId);
    const response = await fetch(`${hark.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hark.apiKey}` },
      body: form,
    });
    return { status: response.status, body: await response.json() };
  }

  async function assertServing(): Promise<void> {
    const models = await api(hark, 'GET', '/v1/models');
    assert.equal(models.status, 200);
  }

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_MAX_LIST_PAGE_BYTES: String(PAGE_BYTES), HARK_WEBHOOK_ATTEMPTS: '1' });
    const uploaded = await upload(null);
    assert.equal(uploaded.status, 201);
    fileId = uploaded.body.id;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        delivered.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
        response.end('ok');
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  after(async () => {
    receiver.close();
    await hark.dispose();
  });

  test('the deepest and largest accepted body is stored, processed and served by GET and every list page', async () => {
    const webhookUrl = `${receiverUrl}/hook/${'w'.repeat(256 - receiverUrl.length - 6)}`;
    assert.equal(webhookUrl.length, 256);
    const payload = {
      model: MODEL,
      file_id: fileId,
      context: contextOf(20_000),
      client_reference_id: EMOJI.repeat(256),
      webhook_url: webhookUrl,
      webhook_auth_header_name: `X-${'h'.repeat(254)}`,
      webhook_auth_header_value: 'v'.repeat(256),
      enable_speaker_diarization: true,
      enable_language_identification: true,
    };
    // Depth 32 through a field the contract does not know (ignored, never stored).
    const rawBody = `${JSON.stringify(payload).slice(0, -1)},"x":${nested(31)}}`;
    const created = await api(hark, 'POST', '/v1/transcriptions', { rawBody });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.deepEqual(created.body.context, payload.context);

    // The job ends (the file is not audio), and its webhook is delivered with the longest header.
    const ended = await waitFor(async () => {
      const res = await api(hark, 'GET', `/v1/transcriptions/${id}`);
      return res.body.status === 'error' && res.body.webhook_status_code !== null ? res : null;
    }, 120_000, 200);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.error_type, 'audio_decode_error');
    assert.equal(ended.body.webhook_status_code, 200);
    assert.ok(delivered.some((d: any) => d.body.id === id && d.headers[payload.webhook_auth_header_name.toLowerCase()] === payload.webhook_auth_header_value));
    const { status: _s, error_type: _t, error_message: _m, webhook_status_code: _w, audio_duration_ms: _d, ...stable } = created.body;
    for (const [key, value] of Object.entries(stable)) assert.deepEqual(ended.body[key], value, key);

    // Every page that holds it, at every page size, serves the same item.
    for (const limit of [1, 7, 1000]) {
      let cursor: string | null = null;
      let found = 0;
      do {
        const query: string = cursor === null ? `limit=${limit}` : `limit=${limit}&cursor=${cursor}`;
        const page = await api(hark, 'GET', `/v1/transcriptions?${query}`);
        assert.equal(page.status, 200);
        for (const item of page.body.transcriptions) {
          if (item.id === id) {
            found++;
            assert.deepEqual(item, ended.body);
          }
        }
        cursor = page.body.next_page_cursor;
      } while (cursor !== null);
      assert.equal(found, 1, `limit=${limit}`);
    }
    await assertServing();
  });

  test('REST: JSON nested deeper than 32 levels is 400 before it is parsed; 32 is accepted', async () => {
    const tooDeep = {
      status_code: 400,
      error_type: 'invalid_request',
      message: 'Invalid request.',
      validation_errors: [{ error_type: 'json_invalid', location: 'body', message: 'JSON is nested too deeply (max depth 32)' }],
    };
    const post = (path: string, rawBody: string) => api(hark, 'POST', path, { rawBody });
    for (const [path, rawBody] of [
      ['/v1/transcriptions', `{"model":"${MODEL}","file_id":"${fileId}","x":${nested(32)}}`],
      // Issue 10, item 4: a context about 4,100 levels deep that stays under 20,000 characters.
      ['/v1/transcriptions', `{"model":"${MODEL}","file_id":"${fileId}","context":{"text":"t","general":${nested(4100)}}}`],
      ['/v1/transcriptions', '['.repeat(1_000_000)],
      ['/v1/auth/temporary-api-key', `{"usage_type":"transcribe_websocket","expires_in_seconds":60,"x":${nested(40)}}`],
    ] as const) {
      const res = await post(path, rawBody);
      assert.equal(res.status, 400, rawBody.slice(0, 80));
      const { request_id: _, ...body } = res.body;
      assert.deepEqual(body, tooDeep);
    }
    const accepted = await post('/v1/transcriptions', `{"model":"${MODEL}","file_id":"${fileId}","x":${nested(31)}}`);
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    await assertServing();
  });

  test('REST: context must have its documented shape; each wrong part is named', async () => {
    const create = (context: unknown) => api(hark, 'POST', '/v1/transcriptions', { body: { model: MODEL, file_id: fileId, context } });
    const cases: [unknown, [string, string][]][] = [
      [{ text: 't', extra: { deeper: [] } }, [['body.payload.context.extra', 'extra_forbidden']]],
      [{ general: [{ key: 'k' }] }, [['body.payload.context.general.0.value', 'missing']]],
      [{ general: [{ key: 'k', value: 'v', note: 'n' }] }, [['body.payload.context.general.0.note', 'extra_forbidden']]],
      [{ terms: ['a', 7] }, [['body.payload.context.terms.1', 'string_type']]],
      [{ translation_terms: [{ source: 'a', target: ['b'] }] }, [['body.payload.context.translation_terms.0.target', 'string_type']]],
      [{ text: 5 }, [['body.payload.context.text', 'string_type']]],
      [7, [['body.payload.context', 'union_type']]],
      [[{ text: 't' }], [['body.payload.context', 'union_type']]],
    ];
    for (const [context, expected] of cases) {
      const res = await create(context);
      assert.equal(res.status, 400, JSON.stringify(context));
      assert.equal(res.body.error_type, 'invalid_request');
      assert.deepEqual(
        res.body.validation_errors.map((v: { location: string; error_type: string }) => [v.location, v.error_type]),
        expected,
      );
    }
    // The 20,000-character limit counts characters of the compact JSON: an emoji is one.
    assert.equal((await create(EMOJI.repeat(20_000))).status, 201);
    assert.equal((await create(contextOf(20_000))).status, 201);
    for (const context of [EMOJI.repeat(20_001), contextOf(20_001)]) {
      const res = await create(context);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.validation_errors, [
        { error_type: 'value_error', location: 'body.payload.context', message: 'Context is too long (max length 20000).' },
      ]);
    }
  });

  test('client_reference_id is counted in code points on files, transcriptions and temporary keys', async () => {
    const longest = EMOJI.repeat(256);
    const tooLong = EMOJI.repeat(257);
    const file = await upload(longest);
    assert.equal(file.status, 201, JSON.stringify(file.body));
    assert.equal(file.body.client_reference_id, longest);
    const refusedFile = await upload(tooLong);
    assert.equal(refusedFile.status, 400);
    assert.deepEqual(refusedFile.body.validation_errors, [
      { error_type: 'string_too_long', location: 'file.client_reference_id', message: 'String should have at most 256 characters' },
    ]);
    const create = (ref: string) =>
      api(hark, 'POST', '/v1/transcriptions', { body: { model: MODEL, file_id: fileId, client_reference_id: ref } });
    const created = await create(longest);
    assert.equal(created.status, 201);
    assert.equal(created.body.client_reference_id, longest);
    const refused = await create(tooLong);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.validation_errors[0].location, 'body.payload.client_reference_id');
    const key = (ref: string) =>
      api(hark, 'POST', '/v1/auth/temporary-api-key', {
        body: { usage_type: 'transcribe_websocket', expires_in_seconds: 60, client_reference_id: ref },
      });
    assert.equal((await key(longest)).status, 201);
    assert.equal((await key(tooLong)).status, 400);
  });

  test('WebSocket: deep JSON and a misshapen context are the documented 400s; reference ids count code points', async () => {
    const start = (fields: object) => ({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1, ...fields });
    const refusal = async (options: Parameters<typeof runSession>[1]) => {
      const run = await runSession(hark.wsUrl, { timeoutMs: 30_000, ...options });
      assert.equal(run.closeCode, 1000);
      return errorOf(run);
    };
    const startRefused = { tokens: [], error_code: 400, error_message: 'Start request is malformed.' };
    assert.deepEqual(await refusal({ start: `{"api_key":"${hark.apiKey}","x":${nested(32)}}` }), startRefused);
    assert.deepEqual(await refusal({ start: '['.repeat(1_000_000) }), startRefused);
    assert.deepEqual(await refusal({ start: start({ context: { text: 't', extra: 1 } }) }), startRefused);
    assert.deepEqual(await refusal({ start: start({ context: { general: [{ key: 'k', value: 'v', x: [] }] } }) }), startRefused);
    assert.deepEqual(await refusal({ start: start({ client_reference_id: EMOJI.repeat(257) }) }), {
      tokens: [],
      error_code: 400,
      error_message: 'Client reference ID is too long (max length 256)',
    });
    assert.deepEqual(await refusal({ start: start({ context: EMOJI.repeat(20_001) }) }), {
      tokens: [],
      error_code: 400,
      error_message: 'Context is too long (max length 20000).',
    });
    // Accepted starts: the session gets as far as its audio, of which there is none.
    const noAudio = { tokens: [], error_code: 400, error_message: 'No audio received.' };
    assert.deepEqual(await refusal({ start: start({ client_reference_id: EMOJI.repeat(256), context: contextOf(20_000) }), frames: [''] }), noAudio);
    assert.deepEqual(
      await refusal({ start: start({}), frames: [`{"type":"keepalive","x":${nested(32)}}`] }),
      { tokens: [], error_code: 400, error_message: 'Control request is malformed.' },
    );
    await assertServing();
  });

  test('a list page stops at the byte budget and the cursor continues to the full set, for the SDK too', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await api(hark, 'POST', '/v1/transcriptions', {
        body: { model: MODEL, file_id: fileId, context: 'c'.repeat(19_000) },
      });
      assert.equal(res.status, 201);
      ids.add(res.body.id);
    }
    const total = (await api(hark, 'GET', '/v1/transcriptions/count')).body.total as number;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await fetch(`${hark.baseUrl}/v1/transcriptions?limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`, {
        headers: { authorization: `Bearer ${hark.apiKey}` },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const text = await response.text();
      const page = JSON.parse(text) as { transcriptions: { id: string }[]; next_page_cursor: string | null };
      pages++;
      assert.ok(page.transcriptions.length >= 1);
      // A record that would pass the budget starts the next page, unless it is the page's first.
      const bytes = Buffer.byteLength(text);
      assert.ok(page.transcriptions.length === 1 || bytes <= PAGE_BYTES * 1.1, `${page.transcriptions.length} items in ${bytes} bytes`);
      seen.push(...page.transcriptions.map((t) => t.id));
      cursor = page.next_page_cursor;
    } while (cursor !== null);
    assert.ok(pages >= 4, `${pages} pages`);
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    for (const id of ids) assert.ok(seen.includes(id));

    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const viaSdk: string[] = [];
    for await (const t of await client.stt.list({ limit: 1000 })) viaSdk.push(t.id);
    assert.deepEqual(viaSdk, seen);
    // Not through the SDK: its file class refuses a client_reference_id over 256 UTF-16 units,
    // and this server holds one of 256 emoji (the contract counts characters, as Soniox's server does).
    const files: string[] = [];
    let fileCursor: string | null = null;
    do {
      const query: string = fileCursor === null ? 'limit=2' : `limit=2&cursor=${fileCursor}`;
      const page = await api(hark, 'GET', `/v1/files?${query}`);
      assert.equal(page.status, 200);
      files.push(...page.body.files.map((f: { id: string }) => f.id));
      fileCursor = page.body.next_page_cursor;
    } while (fileCursor !== null);
    assert.equal(new Set(files).size, (await api(hark, 'GET', '/v1/files/count')).body.total);
    await assertServing();
  });
});
