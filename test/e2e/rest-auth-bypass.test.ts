import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { isApiError, rawRequest } from '../support/raw-http.js';

const UNKNOWN_ID = '3f1d2c4b-5a69-4788-9abc-def012345678';

/** Every spelling of `path` a router might take for it while a string test would not. */
function variants(path: string, origin: string): string[] {
  const segments = path.split('/').slice(1);
  const encodeFirst = (i: number) =>
    '/' + segments.map((s, j) => (j === i ? `%${s.charCodeAt(0).toString(16)}${s.slice(1)}` : s)).join('/');
  const encodeAll = '/' + segments.map((s) => [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')).join('/');
  return [
    path,
    ...segments.map((_, i) => encodeFirst(i)),
    encodeAll,
    path.replace('/v1/', '/v%31/'),
    path.replace('/v1/', '/V1/'),
    path.toUpperCase(),
    `http://x${path}`,
    `${origin}${path}`,
    `/${path}`,
    path.replace('/v1/', '/v1//'),
    `${path}/`,
    `${path};x`,
    path.replace('/v1/', '/v1;/'),
    `${path}?`,
    `${path}?x=1`,
    path.replace('/v1/', '/v1/x/../'),
    path.replace('/v1/', '/v1/./'),
  ];
}

describe('REST authentication cannot be skipped by spelling a path differently', () => {
  let hark: HarkProcess;
  let routes: { method: string; path: string }[];
  let temporaryKey: string;

  before(async () => {
    // Hundreds of refused requests from one address: the failure budget is not what this tests.
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_AUTH_FAILURES_PER_MINUTE: '1000000' });
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const file = await client.files.upload(Buffer.from('RIFF not really audio'), { filename: 'a.wav' });
    temporaryKey = (await client.auth.createTemporaryKey({ usage_type: 'transcribe_websocket', expires_in_seconds: 600 }))
      .api_key;
    // The routes the server itself documents as needing a key, with real ids where a bypass would show data.
    const document = (await api(hark, 'GET', '/v1/openapi.json', { key: null })).body;
    routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      // Fastify answers HEAD for every GET route, so those are routes too.
      Object.keys(operations)
        .flatMap((method) => (method === 'get' ? ['GET', 'HEAD'] : [method.toUpperCase()]))
        .map((method) => ({
          method,
          path: path.replace('{file_id}', file.id).replace('{transcription_id}', UNKNOWN_ID),
        })),
    );
    assert.ok(routes.length >= 12, `only ${routes.length} routes documented`);
  });
  after(() => hark.dispose());

  for (const credential of ['no key', 'a temporary key'] as const) {
    test(`every documented route, in every spelling, answers 401 with ${credential}`, async () => {
      const authorization = credential === 'no key' ? '' : `Authorization: Bearer ${temporaryKey}\r\n`;
      const failures: string[] = [];
      for (const { method, path } of routes) {
        for (const target of variants(path, hark.baseUrl)) {
          const response = await rawRequest(
            hark.baseUrl,
            `${method} ${target} HTTP/1.1\r\nHost: x\r\n${authorization}Content-Length: 0\r\nConnection: close\r\n\r\n`,
          );
          // A HEAD answer has no body to check.
          const refused =
            response.status === 401 && (method === 'HEAD' || (isApiError(response.body) && response.body.error_type === 'unauthenticated'));
          if (!refused) failures.push(`${method} ${target} → ${response.status} ${response.text}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  test('an unknown path is 401 without a key and the ApiError 404 with one', async () => {
    const withoutKey = await api(hark, 'GET', '/v2/files', { key: null });
    assert.equal(withoutKey.status, 401);
    assert.ok(isApiError(withoutKey.body));
    const withKey = await api(hark, 'GET', '/v2/files');
    assert.equal(withKey.status, 404);
    assert.equal(withKey.body.error_type, 'not_found');
    assert.ok(isApiError(withKey.body));
  });

  test('public routes answer without a key', async () => {
    const health = await api(hark, 'GET', '/health', { key: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok' });
    assert.equal((await api(hark, 'GET', '/v1/openapi.json', { key: null })).status, 200);
    const page = await fetch(`${hark.baseUrl}/`);
    await page.arrayBuffer();
    assert.ok(page.status === 200 || page.status === 503, `web app page: ${page.status}`);
  });
});
