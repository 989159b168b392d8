import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { isApiError, openSocket, rawRequest, readResponse, type RawResponse } from '../support/raw-http.js';

const MARKER = 'ECHOED-INPUT-MARKER';

function assertApiError(res: RawResponse, status: number, errorType: string) {
  assert.equal(res.status, status, res.text);
  assert.ok(isApiError(res.body), res.text);
  assert.equal(res.body.status_code, status);
  assert.equal(res.body.error_type, errorType);
  assert.ok(!res.text.includes(MARKER), `the answer quotes the input: ${res.text}`);
}

describe('errors from the HTTP layer come in the ApiError shape and quote nothing', () => {
  let hark: HarkProcess;
  const send = (request: string) => rawRequest(hark.baseUrl, request, 30_000);
  const request = (method: string, target: string, headers = '', key: string | null = hark.apiKey) =>
    send(
      `${method} ${target} HTTP/1.1\r\nHost: x\r\n${key ? `Authorization: Bearer ${key}\r\n` : ''}${headers}Content-Length: 0\r\nConnection: close\r\n\r\n`,
    );

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_LOG_LEVEL: 'info' });
  });
  after(() => hark.dispose());

  test('a wrong method on a known path is 405 with Allow', async () => {
    const models = await request('POST', '/v1/models');
    assertApiError(models, 405, 'method_not_allowed');
    assert.equal(models.headers['allow'], 'GET, HEAD');
    assert.match(models.body.message, /GET, HEAD/);

    const file = await request('PUT', '/v1/files/3f1d2c4b-5a69-4788-9abc-def012345678');
    assertApiError(file, 405, 'method_not_allowed');
    assert.equal(file.headers['allow'], 'GET, HEAD, DELETE');

    assertApiError(await request('DELETE', '/health', '', null), 405, 'method_not_allowed');
  });

  test('a wrong method needs a key like any other request', async () => {
    assertApiError(await request('POST', '/v1/models', '', null), 401, 'unauthenticated');
  });

  test('an over-long path parameter is 414', async () => {
    assertApiError(await request('GET', `/v1/files/${MARKER}${'a'.repeat(500)}`), 414, 'invalid_request');
    assertApiError(await request('GET', `/v1/files/${MARKER}${'a'.repeat(500)}`, '', null), 401, 'unauthenticated');
  });

  test('headers over the size limit are 431', async () => {
    assertApiError(await request('GET', '/v1/models', `X-Big: ${MARKER}${'a'.repeat(20_000)}\r\n`), 431, 'invalid_request');
    assertApiError(await request('GET', `/v1/models?q=${MARKER}${'a'.repeat(20_000)}`), 431, 'invalid_request');
  });

  test('requests the HTTP parser refuses are 400', async () => {
    assertApiError(await send(`GET /v1/models HTTP/1.1\r\nHost: x\r\n${MARKER} no colon\r\n\r\n`), 400, 'invalid_request');
    assertApiError(await send(`GET /v1/models\u0001${MARKER} HTTP/1.1\r\nHost: x\r\n\r\n`), 400, 'invalid_request');
    assertApiError(
      await send(`POST /v1/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello`),
      400,
      'invalid_request',
    );
  });

  test('a path that does not decode is 400 with a key and 401 without', async () => {
    assertApiError(await request('GET', `/v1/files/%zz${MARKER}`), 400, 'invalid_request');
    assertApiError(await request('GET', `/v1/files/%zz${MARKER}`, '', null), 401, 'unauthenticated');
  });

  test("Fastify's own client errors do not quote the input", async () => {
    const res = await send(
      `POST /v1/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${hark.apiKey}\r\n` +
        `Content-Type: text/${MARKER}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    assertApiError(res, 400, 'invalid_request');
  });

  test('an answer sent before the body is read arrives, and the client may finish sending without a reset', async (t) => {
    const body = Buffer.alloc(1_100_000, 'x');
    const cases = [
      { name: 'no content type', path: '/v1/auth/temporary-api-key', headers: `Authorization: Bearer ${hark.apiKey}\r\n`, status: 400 },
      { name: 'no key', path: '/v1/files', headers: 'Content-Type: multipart/form-data; boundary=b\r\n', status: 401 },
      { name: 'over the JSON limit', path: '/v1/transcriptions', headers: `Authorization: Bearer ${hark.apiKey}\r\nContent-Type: application/json\r\n`, status: 400 },
    ];
    for (const c of cases) {
      await t.test(c.name, async () => {
        const socket = await openSocket(hark.baseUrl);
        let failure: Error | null = null;
        socket.on('error', (err) => (failure = err));
        const response = readResponse(socket);
        socket.write(`POST ${c.path} HTTP/1.1\r\nHost: x\r\n${c.headers}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
        socket.write(body.subarray(0, 64 * 1024));
        const answer = await response;
        assertApiError(answer, c.status, c.status === 401 ? 'unauthenticated' : 'invalid_request');
        assert.equal(answer.headers.connection, 'close');
        // The rest of the body, sent after the answer: a server that closed at once would reset it.
        socket.resume();
        await new Promise<void>((resolve) => socket.end(body.subarray(64 * 1024), () => resolve()));
        await answer.closed;
        assert.equal(failure, null, `the connection was reset: ${failure}`);
      });
    }
  });

  test('the server keeps serving, and client errors are never logged as warnings or errors', async () => {
    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
    const loud = hark
      .output()
      .split('\n')
      .filter((line) => /"level":(40|50|60)/.test(line));
    assert.deepEqual(loud, []);
  });
});
