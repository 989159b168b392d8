import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';
import { isApiError, rawRequest } from '../support/raw-http.js';

const FILE_PART_HEAD = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n';

describe('malformed multipart uploads get a 400, never a 500 or no answer', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark(ONE_WORKER_ENV);
  });
  after(() => hark.dispose());

  async function upload(body: string) {
    const request =
      `POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${hark.apiKey}\r\n` +
      `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
    return rawRequest(hark.baseUrl, request, 30_000);
  }

  function assertInvalid(res: Awaited<ReturnType<typeof upload>>) {
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error_type, 'invalid_request');
    assert.ok(isApiError(res.body), res.text);
  }

  test('a body cut off in the middle of the file', async () => {
    assertInvalid(await upload(`${FILE_PART_HEAD}some audio bytes`));
  });

  test('a body cut off in the middle of a part header', async () => {
    assertInvalid(await upload('--b\r\nContent-Disposition: form-da'));
  });

  test('a body without its closing boundary', async () => {
    assertInvalid(await upload(`${FILE_PART_HEAD}bytes\r\n--b\r\n`));
  });

  test('a part without Content-Disposition', async () => {
    assertInvalid(await upload('--b\r\nContent-Type: audio/wav\r\n\r\nbytes\r\n--b--\r\n'));
  });

  test('a part with thousands of headers', async () => {
    const headers = Array.from({ length: 3000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    assertInvalid(await upload(`--b\r\n${headers}Content-Disposition: form-data; name="file"; filename="a"\r\n\r\nx\r\n--b--\r\n`));
  });

  test('the error does not quote the body', async () => {
    const res = await upload(`--b\r\nContent-Disposition: form-data; name="file"; filename="<script>"\r\n${'X: y\r\n'.repeat(3000)}`);
    assertInvalid(res);
    assert.ok(!res.text.includes('<script>'), res.text);
  });

  test('the server keeps serving and stored nothing', async () => {
    assert.equal((await api(hark, 'GET', '/v1/files/count')).body.total, 0);
    assert.doesNotMatch(hark.output(), /"level":50/);
  });
});
