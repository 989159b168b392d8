import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeError } from '../realtime-errors.js';
import { parseControlMessage, parseStartRequest } from './realtime.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RealtimeError);
    assert.equal(err.code, 400);
    return err.message;
  }
  assert.fail('expected a RealtimeError');
}

describe('parseStartRequest', () => {
  it('reads the Node SDK frame into camelCase, null meaning absent', () => {
    const request = parseStartRequest(
      '{"api_key":"k","model":"stt-rt-v4","audio_format":"auto","enable_endpoint_detection":true,"max_endpoint_delay_ms":1000,"sample_rate":null,"context":"legacy string","unknown_field":1}',
    );
    assert.deepEqual(request, {
      apiKey: 'k',
      model: 'stt-rt-v4',
      audioFormat: 'auto',
      enableEndpointDetection: true,
      maxEndpointDelayMs: 1000,
      context: 'legacy string',
    });
  });

  it('refuses anything but a JSON object with well-typed fields', () => {
    for (const text of [
      '',
      'not json',
      '[1,2]',
      'null',
      '"start"',
      '{"model":5}',
      '{"sample_rate":"16000"}',
      '{"sample_rate":0}',
      '{"num_channels":1.5}',
      '{"language_hints":"en"}',
      '{"enable_endpoint_detection":"yes"}',
      '{"max_endpoint_delay_ms":499}',
      '{"max_endpoint_delay_ms":3001}',
      '{"endpoint_sensitivity":2}',
      '{"endpoint_latency_adjustment_level":4}',
      '{"context":{"terms":"x"}}',
      '{"context":{"general":[{"key":"k"}]}}',
      '{"translation":"fr"}',
    ]) {
      assert.equal(refusal(() => parseStartRequest(text)), 'Start request is malformed.', text);
    }
  });

  it('refuses JSON nested deeper than 32 levels and a context outside its documented shape', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    assert.deepEqual(parseStartRequest(`{"model":"m","x":${nested(31)}}`), { model: 'm' });
    for (const text of [
      `{"model":"m","x":${nested(32)}}`,
      '['.repeat(1024 * 1024),
      `{"context":{"text":"t","general":${'['.repeat(4100)}${']'.repeat(4100)}}}`,
      '{"context":{"text":"t","extra":"x"}}',
      '{"context":{"general":[{"key":"k","value":"v","note":"n"}]}}',
      '{"context":{"translation_terms":[{"source":"a","target":"b","more":[]}]}}',
      '{"context":7}',
    ]) {
      assert.equal(refusal(() => parseStartRequest(text)), 'Start request is malformed.', text.slice(0, 80));
    }
    const context = { general: [{ key: 'k', value: 'v' }], text: 't', terms: ['a'], translation_terms: [{ source: 'a', target: 'b' }] };
    assert.deepEqual(parseStartRequest(JSON.stringify({ context })), { context });
  });
});

describe('parseControlMessage', () => {
  it('parses finalize and keepalive whatever the whitespace', () => {
    assert.deepEqual(parseControlMessage('{ "type": "finalize" }'), { type: 'finalize' });
    assert.deepEqual(parseControlMessage('{"type":"finalize","trailing_silence_ms":300}'), { type: 'finalize', trailingSilenceMs: 300 });
    assert.deepEqual(parseControlMessage('{"type":"keepalive"}'), { type: 'keepalive' });
  });

  it('tells a malformed message from an unknown type', () => {
    for (const text of ['finalize', '{', '[]', '{"type":"finalize","trailing_silence_ms":"300"}', '{"type":"finalize","trailing_silence_ms":-1}']) {
      assert.equal(refusal(() => parseControlMessage(text)), 'Control request is malformed.', text);
    }
    for (const text of [`{"type":"finalize","x":${'['.repeat(32)}${']'.repeat(32)}}`, '{'.repeat(1024 * 1024)]) {
      assert.equal(refusal(() => parseControlMessage(text)), 'Control request is malformed.', text.slice(0, 80));
    }
    for (const text of ['{}', '{"type":"pause"}', '{"type":null}']) {
      assert.equal(refusal(() => parseControlMessage(text)), 'Control request invalid type.', text);
    }
  });
});
