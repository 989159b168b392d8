import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { api, startHark, waitFor, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { closedWithin, isApiError, openSocket, rawRequest, readResponse } from '../support/raw-http.js';

/** Generous: CI machines are slow and loaded; the bound is what matters, not its precision. */
const SLACK_MS = 15_000;

/** Writes `text` one byte at a time, every `everyMs`, until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

const modelsRequest = (key: string) => `GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`;

describe('slow clients are closed within the configured bounds', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({
      ...ONE_WORKER_ENV,
      HARK_HTTP_HEADERS_TIMEOUT_MS: '1500',
      HARK_HTTP_IDLE_TIMEOUT_MS: '2000',
      HARK_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      HARK_HTTP_MIN_BODY_BYTES_PER_SECOND: '200',
    });
  });
  after(() => hark.dispose());

  test('headers sent a byte at a time (slowloris) get 408 and the connection is closed', async () => {
    const socket = await openSocket(hark.baseUrl);
    const response = readResponse(socket, SLACK_MS);
    trickle(socket, `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(1000)}\r\n\r\n`, 100);
    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
    const answer = await response;
    assert.equal(answer.status, 408);
    assert.equal(answer.body.error_type, 'request_timeout');
    assert.ok(isApiError(answer.body));
    await answer.closed;
  });

  test('a connection that never sends a request is closed', async () => {
    const socket = await openSocket(hark.baseUrl);
    await closedWithin(socket, 1500 + SLACK_MS);
  });

  for (const authorized of [true, false]) {
    test(`a trickling upload body ${authorized ? 'with' : 'without'} a key is cut off`, async () => {
      const socket = await openSocket(hark.baseUrl);
      const closed = closedWithin(socket, 2 * 2000 + SLACK_MS);
      const authorization = authorized ? `Authorization: Bearer ${hark.apiKey}\r\n` : '';
      socket.write(
        `POST /v1/files HTTP/1.1\r\nHost: x\r\n${authorization}Content-Type: multipart/form-data; boundary=b\r\n` +
          `Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`,
      );
      trickle(socket, 'x'.repeat(100_000), 50);
      assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
      await closed;
      assert.equal((await api(hark, 'GET', '/v1/files/count')).body.total, 0);
    });
  }

  test('an idle keep-alive connection is closed after its timeout', async () => {
    const socket = await openSocket(hark.baseUrl);
    const response = readResponse(socket);
    socket.write(`GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${hark.apiKey}\r\n\r\n`);
    assert.equal((await response).status, 200);
    await closedWithin(socket, 1000 + SLACK_MS);
  });
});

describe('open connections are capped per client address and in all', () => {
  let hark: HarkProcess;
  const held: Socket[] = [];

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '3', HARK_HTTP_MAX_CONNECTIONS: '6' });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await hark.dispose();
  });

  /** Opens a connection that sends nothing, so it stays open until the test ends it. */
  async function hold(from: string): Promise<Socket> {
    const socket = await openSocket(hark.baseUrl, from);
    socket.on('error', () => {});
    held.push(socket);
    return socket;
  }

  test('an address over its cap gets 429; other addresses keep working', async () => {
    const first = await hold('127.0.0.3');
    await hold('127.0.0.3');
    await hold('127.0.0.3');
    const refused = await rawRequest(hark.baseUrl, modelsRequest(hark.apiKey), SLACK_MS, '127.0.0.3');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error_type, 'too_many_requests');
    assert.ok(isApiError(refused.body));
    await refused.closed;

    assert.equal((await rawRequest(hark.baseUrl, modelsRequest(hark.apiKey), SLACK_MS, '127.0.0.4')).status, 200);

    first.destroy();
    await waitFor(async () => (await rawRequest(hark.baseUrl, modelsRequest(hark.apiKey), SLACK_MS, '127.0.0.3')).status === 200);
  });

  test('past the global cap every address gets 429 until connections close', async () => {
    for (const from of ['127.0.0.5', '127.0.0.6', '127.0.0.7', '127.0.0.8']) await hold(from);
    const refused = await rawRequest(hark.baseUrl, modelsRequest(hark.apiKey), SLACK_MS, '127.0.0.9');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.message, 'Too many open connections. Try again later.');
    for (const socket of held) socket.destroy();
    await waitFor(async () => (await api(hark, 'GET', '/v1/models')).status === 200);
  });
});
