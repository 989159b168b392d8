import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { FUZZ_ENV, assertDocumentedRestAnswer, formatReport, fuzz } from '../support/fuzz.js';
import { rawHttp } from '../support/raw-http.js';

/** Query values: documented ones, edge numbers, bad encodings, real and damaged cursors, long ones. */
function queryValue(cursors: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', '0', '1', '2', '1000', '1001', '-1', '1.5', '1e3', '0x10', '+5', '%205', '%zz', '%', '%00', '%ff%fe', 'null', 'true', '[]', '%E2%82%AC'),
    fc.integer().map(String),
    fc.constantFrom(...cursors),
    fc.tuple(fc.constantFrom(...cursors), fc.nat(), fc.constantFrom('A', '_', '-', '=', '%2F')).map(([c, at, ch]) => `${c.slice(0, at % c.length)}${ch}${c.slice((at % c.length) + 1)}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/),
    fc.string({ maxLength: 30 }).map(encodeURIComponent),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => 'a'.repeat(n)),
  );
}

const queryName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('limit', 'cursor') },
  { weight: 1, arbitrary: fc.constantFrom('LIMIT', 'limit[]', 'cursor[a]', '', 'unknown', '__proto__', 'constructor') },
);

/** A GET of a list endpoint with any query string, sometimes with bytes a request line should not hold. */
function listRequest(cursors: string[]): fc.Arbitrary<string> {
  return fc
    .record({
      path: fc.constantFrom('/v1/files', '/v1/transcriptions'),
      params: fc.array(fc.tuple(queryName, queryValue(cursors), fc.boolean()), { maxLength: 5 }),
      raw: fc.option(fc.constantFrom('"', '<>', '{}', '|', '\\', '^', '`', '\x7f', '\x01', '\u00e9', '#frag', '?', '&&', '=')),
    })
    .map(({ path, params, raw }) => {
      const query = params.map(([name, value, withValue]) => (withValue ? `${name}=${value}` : name)).join('&');
      return `${path}?${query}${raw ?? ''}`;
    });
}

describe('fuzz: list query strings', () => {
  let hark: HarkProcess;
  const cursors: string[] = [];
  before(async () => {
    hark = await startHark(FUZZ_ENV);
    for (let i = 0; i < 3; i++) {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(100)]), `f${i}.wav`);
      const response = await fetch(`${hark.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form });
      assert.equal(response.status, 201);
      const file = (await response.json()) as { id: string };
      const created = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: file.id } });
      assert.equal(created.status, 201);
    }
    for (const path of ['/v1/files?limit=1', '/v1/transcriptions?limit=1']) {
      const page = await api(hark, 'GET', path);
      cursors.push(page.body.next_page_cursor);
    }
  });
  after(() => hark.dispose());

  test('any query string to the list endpoints gets 200 or a documented 4xx, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      listRequest(cursors),
      async (target) => {
        const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hark.apiKey}\r\nConnection: close\r\n\r\n`;
        const { status, body } = assertDocumentedRestAnswer(await rawHttp(hark.baseUrl, Buffer.from(request, 'latin1')), [200]);
        if (status === 200) {
          const items = body.files ?? body.transcriptions;
          assert.ok(Array.isArray(items) && items.length <= 1000, JSON.stringify(body).slice(0, 300));
          assert.ok(body.next_page_cursor === null || typeof body.next_page_cursor === 'string');
        }
      },
      { numRuns: 200, timeLimitMs: 3_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
