import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { FUZZ_ENV, assertDocumentedRestAnswer, formatReport, fuzz } from '../support/fuzz.js';
import { rawHttp } from '../support/raw-http.js';

/** Instants: good ones, far apart and close, and every way a timestamp can be wrong. */
const instant = fc.oneof(
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-05-01', '2026-05-01T00:00:00Z', '2026-05-01T00:00:00+02:00', '2026-05-01T00:00', '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z', '2026-05-01T00:00:00.123456789Z',
    '', 'now', '1714521600', '-1', '2026-05-01T00:00:00Z%00', '%zz', `2026-05-01T${'0'.repeat(500)}`,
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

function queryValue(cursors: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    instant,
    fc.constantFrom('1', '1000', '1001', '0', '-5', '60', '61', '3600', '86400', 'stt', 'tts', 'end_time_asc', 'end_time_desc', 'asc', '1e3'),
    fc.constantFrom(...cursors),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,250}$/),
  );
}

const queryName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('start_time', 'end_time', 'limit', 'sort', 'cursor', 'period_sec', 'kind') },
  { weight: 1, arbitrary: fc.constantFrom('START_TIME', 'start_time[]', '', '__proto__', 'constructor') },
);

function usageRequest(cursors: string[]): fc.Arbitrary<string> {
  return fc
    .record({
      path: fc.constantFrom('/v1/usage-logs', '/v1/usage/summary', '/v1/concurrent-streams-history', '/v1/concurrency-limits'),
      start: instant,
      end: instant,
      params: fc.array(fc.tuple(queryName, queryValue(cursors)), { maxLength: 4 }),
    })
    .map(({ path, start, end, params }) => {
      const query = [`start_time=${start}`, `end_time=${end}`, ...params.map(([n, v]) => `${n}=${v}`)].join('&');
      return `${path}?${query}`;
    });
}

describe('fuzz: usage and concurrency query strings', () => {
  let hark: HarkProcess;
  const cursors: string[] = ['ZmlsZXM6MQ'];
  before(async () => {
    hark = await startHark(FUZZ_ENV);
    // Two usage records, so that a real cursor exists: two transcriptions that fail fast (the file is not audio).
    for (let i = 0; i < 2; i++) {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from('not audio')]), `f${i}.wav`);
      const response = await fetch(`${hark.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form });
      const file = (await response.json()) as { id: string };
      const created = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', file_id: file.id } });
      assert.equal(created.status, 201);
    }
    const window = 'start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z';
    const page = await (async () => {
      for (let i = 0; i < 600; i++) {
        const res = await api(hark, 'GET', `/v1/usage-logs?${window}&limit=1`);
        if (res.body.next_page_cursor) return res.body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('no usage recorded');
    })();
    cursors.push(page.next_page_cursor);
  });
  after(() => hark.dispose());

  test('any window, period, sort and cursor get 200 or a documented 4xx, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      usageRequest(cursors),
      async (target) => {
        const request = `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${hark.apiKey}\r\nConnection: close\r\n\r\n`;
        const { status, body } = assertDocumentedRestAnswer(await rawHttp(hark.baseUrl, Buffer.from(request, 'latin1')), [200]);
        if (status !== 200) return;
        if (target.startsWith('/v1/usage-logs')) assert.ok(Array.isArray(body.usage_logs) && body.usage_logs.length <= 1000);
        if (target.startsWith('/v1/usage/summary')) assert.ok(body.total.days.length <= 366);
        if (target.startsWith('/v1/concurrent-streams-history')) assert.ok(body.entries.length <= 20_000);
      },
      { numRuns: 300, timeLimitMs: 5_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
