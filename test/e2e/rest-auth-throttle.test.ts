import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { isApiError, openSocket, readResponse } from '../support/raw-http.js';

const BUDGET = 5;

/** GET /v1/models with `key`, sent from the loopback address `from`. */
async function modelsFrom(hark: HarkProcess, from: string, key: string) {
  const socket = await openSocket(hark.baseUrl, from);
  const response = readResponse(socket);
  socket.write(`GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
  try {
    return await response;
  } finally {
    socket.destroy();
  }
}

async function uploadedFileId(hark: HarkProcess): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from('bytes')]), 'a.wav');
  const response = await fetch(`${hark.baseUrl}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hark.apiKey}` },
    body: form,
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { id: string }).id;
}

describe('wrong keys are throttled per client address, on their own budget', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_AUTH_FAILURES_PER_MINUTE: String(BUDGET) });
  });
  after(() => hark.dispose());

  test('wrong keys get 401 until the budget is spent, then 429 with Retry-After; a valid key still works', async () => {
    for (let i = 0; i < BUDGET; i++) {
      const res = await api(hark, 'GET', '/v1/files', { key: `wrong-${i}` });
      assert.equal(res.status, 401);
    }
    const throttled = await api(hark, 'GET', '/v1/files', { key: 'wrong-again' });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error_type, 'too_many_requests');
    assert.ok(isApiError(throttled.body));
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await api(hark, 'GET', '/v1/files', { key: null })).status, 429);

    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
  });

  test('a forged X-Forwarded-For does not give a fresh budget', async () => {
    for (const forwarded of ['10.1.2.3', '203.0.113.9, 10.0.0.1', '2001:db8::1']) {
      const res = await api(hark, 'GET', '/v1/files', { key: 'wrong', headers: { 'x-forwarded-for': forwarded } });
      assert.equal(res.status, 429, `X-Forwarded-For: ${forwarded}`);
    }
  });

  test('another address has a budget of its own', async () => {
    const other = await modelsFrom(hark, '127.0.0.2', 'wrong');
    assert.equal(other.status, 401);
    assert.equal(other.body.error_type, 'unauthenticated');
  });

  test('a forged X-Forwarded-Host or -Proto does not pick the host of signed file links', async () => {
    const id = await uploadedFileId(hark);
    const res = await api(hark, 'GET', `/v1/files/${id}/url`, {
      headers: { 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' },
    });
    assert.equal(res.status, 200);
    assert.ok(res.body.url.startsWith(`${hark.baseUrl}/v1/files/${id}/content?`), res.body.url);
  });
});

describe('a proxy named in HARK_TRUSTED_PROXIES is believed', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_AUTH_FAILURES_PER_MINUTE: '1', HARK_TRUSTED_PROXIES: '127.0.0.1/32' });
  });
  after(() => hark.dispose());

  test('its X-Forwarded-For names the client whose budget is counted', async () => {
    const from = (client: string) => ({ key: 'wrong', headers: { 'x-forwarded-for': client } });
    assert.equal((await api(hark, 'GET', '/v1/files', from('198.51.100.1'))).status, 401);
    assert.equal((await api(hark, 'GET', '/v1/files', from('198.51.100.1'))).status, 429);
    assert.equal((await api(hark, 'GET', '/v1/files', from('198.51.100.2'))).status, 401);
  });

  test('its X-Forwarded-Host and -Proto are the host of signed file links', async () => {
    const id = await uploadedFileId(hark);
    const res = await api(hark, 'GET', `/v1/files/${id}/url`, {
      headers: { 'x-forwarded-host': 'hark.example', 'x-forwarded-proto': 'https' },
    });
    assert.ok(res.body.url.startsWith(`https://hark.example/v1/files/${id}/content?`), res.body.url);
  });
});
