import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, startHark, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';

const NAME_PATTERN = "String should match pattern '^[!#$%&'*+.^_`|~0-9A-Za-z-]+$'";
const VALUE_PATTERN = "String should match pattern '^[\\t\\x20-\\x7E\\x80-\\xFF]*$'";
const RESERVED = 'Value error, webhook_auth_header_name is a header Hark sets itself or one that frames the request';

describe('webhook auth headers that could never be delivered are refused at creation', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark(ONE_WORKER_ENV);
  });
  after(() => hark.dispose());

  const create = (name: string, value: string) =>
    api(hark, 'POST', '/v1/transcriptions', {
      body: {
        model: 'stt-async-v4',
        audio_url: 'https://example.test/a.wav',
        webhook_url: 'https://example.test/hook',
        webhook_auth_header_name: name,
        webhook_auth_header_value: value,
      },
    });

  function assertRefused(res: { status: number; body: any }, location: string, errorType: string, message: string) {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error_type, 'invalid_request');
    assert.equal(res.body.message, 'Invalid request.');
    assert.deepEqual(res.body.validation_errors, [{ error_type: errorType, location: `body.payload.${location}`, message }]);
  }

  test('names with CR/LF, spaces, colons or non-ASCII, and empty names', async () => {
    for (const name of ['X-Secret\r\nX-Injected: 1', 'X-Secret\n', 'X Secret', 'X-Secret:', 'Authorizatión', '', 'X-\u0000']) {
      assertRefused(await create(name, 'v'), 'webhook_auth_header_name', 'string_pattern_mismatch', NAME_PATTERN);
    }
  });

  test('reserved names, in any case', async () => {
    for (const name of ['Host', 'content-length', 'Transfer-Encoding', 'CONNECTION', 'Content-Type', 'Upgrade', 'TE', 'Expect']) {
      assertRefused(await create(name, 'v'), 'webhook_auth_header_name', 'value_error', RESERVED);
    }
  });

  test('values with CR, LF, NUL or other control characters, or beyond Latin-1', async () => {
    for (const value of ['secret\r\nX-Injected: 1', 'secret\n', 'sec\u0000ret', 'sec\u0007ret', 'sec\u007fret', 'sécret\u20ac']) {
      const res = await create('X-Webhook-Secret', value);
      assertRefused(res, 'webhook_auth_header_value', 'string_pattern_mismatch', VALUE_PATTERN);
      assert.doesNotMatch(JSON.stringify(res.body), /secret|sec/, 'the secret is not echoed');
    }
  });

  test('ordinary auth headers are accepted and nothing else changed', async () => {
    for (const [name, value] of [
      ['Authorization', 'Bearer abc.def-ghi_123'],
      ['X-Webhook-Secret', 's3cret value with spaces\tand tab'],
      ["x-weird!#$%&'*+.^_`|~", 'caf\u00e9'],
    ] as const) {
      const res = await create(name, value);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.webhook_auth_header_name, name);
      assert.equal(res.body.webhook_auth_header_value, '******************');
    }
    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
  });
});
