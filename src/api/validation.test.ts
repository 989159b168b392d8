import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTemporaryKeySchema, createTranscriptionSchema, listQuerySchema } from './schemas/requests.js';
import { validate } from './validation.js';

describe('request validation speaks pydantic, as Soniox does', () => {
  it('accepts null for every optional field', () => {
    const body = Object.fromEntries(
      Object.keys((createTranscriptionSchema as { properties: object }).properties).map((k) => [k, null]),
    );
    assert.deepEqual(validate(createTranscriptionSchema, { ...body, model: 'stt-async-v4' }, 'body.payload'), []);
  });

  it('reports nested locations and the structured or string context', () => {
    const issues = validate(
      createTranscriptionSchema,
      { model: 'm', translation: { type: 'three_way' }, context: { terms: ['a', 7], general: [{ key: 'k' }] } },
      'body.payload',
    );
    assert.deepEqual(issues.map((i) => [i.location, i.errorType]), [
      ['body.payload.translation.type', 'enum'],
      ['body.payload.context.general.0.value', 'missing'],
      ['body.payload.context.terms.1', 'string_type'],
    ]);
    assert.deepEqual(validate(createTranscriptionSchema, { model: 'm', context: 'free text' }, 'body.payload'), []);
    assert.deepEqual(
      validate(createTranscriptionSchema, { model: 'm', context: 7 }, 'body.payload').map((i) => [i.location, i.errorType]),
      [['body.payload.context', 'union_type']],
    );
  });

  it('allows nothing in a context but its documented sections', () => {
    const context = {
      general: [{ key: 'domain', value: 'medicine', note: 'x' }],
      text: 'Notes',
      terms: ['Hark'],
      translation_terms: [{ source: 'a', target: 'b', nested: [[[]]] }],
      extra: { deeper: [] },
    };
    assert.deepEqual(validate(createTranscriptionSchema, { model: 'm', context }, 'body.payload'), [
      { errorType: 'extra_forbidden', location: 'body.payload.context.general.0.note', message: 'Extra inputs are not permitted' },
      { errorType: 'extra_forbidden', location: 'body.payload.context.translation_terms.0.nested', message: 'Extra inputs are not permitted' },
      { errorType: 'extra_forbidden', location: 'body.payload.context.extra', message: 'Extra inputs are not permitted' },
    ]);
  });

  it('counts string lengths in code points, not UTF-16 units', () => {
    const emoji = '\u{1F600}';
    assert.deepEqual(validate(createTranscriptionSchema, { model: 'm', client_reference_id: emoji.repeat(256) }, 'b'), []);
    assert.deepEqual(validate(createTranscriptionSchema, { model: 'm', client_reference_id: emoji.repeat(257) }, 'b'), [
      { errorType: 'string_too_long', location: 'b.client_reference_id', message: 'String should have at most 256 characters' },
    ]);
  });

  it('bounds integers and coerces query strings', () => {
    assert.deepEqual(validate(createTemporaryKeySchema, { usage_type: 'transcribe_websocket', expires_in_seconds: 0 }, 'b'), [
      { errorType: 'greater_than_equal', location: 'b.expires_in_seconds', message: 'Input should be greater than or equal to 1' },
    ]);
    assert.deepEqual(validate(listQuerySchema, { limit: '10' }, 'query', true), []);
    assert.equal(validate(listQuerySchema, { limit: '1.5' }, 'query', true)[0]?.errorType, 'int_type');
  });

  it('checks uuids, patterns and list lengths', () => {
    const issues = validate(
      createTranscriptionSchema,
      { model: 'm', file_id: 'nope', audio_url: 'http://has space', language_hints: Array(101).fill('en') },
      'body.payload',
    );
    assert.deepEqual(issues.map((i) => i.errorType), ['string_pattern_mismatch', 'uuid_parsing', 'too_long']);
  });
});
