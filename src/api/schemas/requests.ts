import { HEADER_NAME_PATTERN, HEADER_VALUE_PATTERN } from '../../lib/http-header-rules.js';
import type { TranslationRequest } from '../../pipeline/translation/translation-pairs.js';
import { codePointLength } from '../../lib/code-points.js';
import type { Schema } from '../validation.js';

/** Request schemas, as on the wire (snake_case). They mirror shared/reference/openapi.json. */

const HTTP_URL = '^https?://[^\\s]+$';

const optionalString = (maxLength: number): Schema => ({ type: 'string', maxLength, nullable: true });
const optionalBoolean: Schema = { type: 'boolean', nullable: true };

export const translationConfigSchema: Schema = {
  type: 'object',
  nullable: true,
  required: ['type'],
  properties: {
    type: { type: 'string', enum: ['one_way', 'two_way'] },
    target_language: optionalString(10),
    language_a: optionalString(10),
    language_b: optionalString(10),
  },
};

/** The `translation` object as on the wire, after {@link translationConfigSchema}. */
export interface WireTranslationConfig {
  type: 'one_way' | 'two_way';
  target_language?: string | null;
  language_a?: string | null;
  language_b?: string | null;
}

/**
 * The one converter of `translation` (REST and WebSocket) to camelCase; null when absent.
 * @example translationFromWire({ type: 'one_way', target_language: 'es' })
 * // { type: 'one_way', targetLanguage: 'es', languageA: null, languageB: null }
 */
export function translationFromWire(wire: WireTranslationConfig | null | undefined): TranslationRequest | null {
  if (!wire) return null;
  return {
    type: wire.type,
    targetLanguage: wire.target_language ?? null,
    languageA: wire.language_a ?? null,
    languageB: wire.language_b ?? null,
  };
}

/**
 * `context` in its object form (API.md §7.14): every section optional, nothing
 * else allowed, so a stored context is never deeper than three levels.
 */
export const structuredContextSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    general: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        required: ['key', 'value'],
        additionalProperties: false,
        properties: { key: { type: 'string' }, value: { type: 'string' } },
      },
    },
    text: { type: 'string', nullable: true },
    terms: { type: 'array', nullable: true, items: { type: 'string' } },
    translation_terms: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        required: ['source', 'target'],
        additionalProperties: false,
        properties: { source: { type: 'string' }, target: { type: 'string' } },
      },
    },
  },
};

/**
 * The size the context limit (`Context is too long (max length 20000).`)
 * measures: characters (code points) of the string form, or of the object
 * form's compact JSON, so that whitespace a client adds does not count.
 *
 * @example contextLength({ terms: ['Hark'] }) // 17
 */
export function contextLength(context: unknown): number {
  return codePointLength(typeof context === 'string' ? context : (JSON.stringify(context) ?? ''));
}

export const createTranscriptionSchema: Schema = {
  type: 'object',
  required: ['model'],
  properties: {
    model: { type: 'string', maxLength: 32 },
    audio_url: { type: 'string', maxLength: 4096, pattern: HTTP_URL, nullable: true },
    file_id: { type: 'string', format: 'uuid', nullable: true },
    language_hints: { type: 'array', maxItems: 100, nullable: true, items: { type: 'string', maxLength: 10 } },
    language_hints_strict: optionalBoolean,
    enable_speaker_diarization: optionalBoolean,
    enable_language_identification: optionalBoolean,
    translation: translationConfigSchema,
    context: { anyOf: [structuredContextSchema, { type: 'string' }], nullable: true },
    webhook_url: { type: 'string', maxLength: 256, pattern: HTTP_URL, nullable: true },
    webhook_auth_header_name: { type: 'string', maxLength: 256, pattern: HEADER_NAME_PATTERN, nullable: true },
    webhook_auth_header_value: { type: 'string', maxLength: 256, pattern: HEADER_VALUE_PATTERN, nullable: true },
    client_reference_id: optionalString(256),
  },
};

export const createTemporaryKeySchema: Schema = {
  type: 'object',
  required: ['usage_type', 'expires_in_seconds'],
  properties: {
    usage_type: { type: 'string', enum: ['transcribe_websocket', 'tts_rt'] },
    expires_in_seconds: { type: 'integer', minimum: 1, maximum: 3600 },
    client_reference_id: optionalString(256),
    single_use: optionalBoolean,
    max_session_duration_seconds: { type: 'integer', minimum: 1, maximum: 18000, nullable: true },
  },
};

export const listQuerySchema: Schema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, nullable: true },
    cursor: { type: 'string', nullable: true },
  },
};

export const uploadFieldsSchema: Schema = {
  type: 'object',
  properties: { client_reference_id: optionalString(256) },
};

/** A UTC instant as the usage endpoints take it (ISO 8601; Soniox's examples: `2026-04-28T09:00:00Z`). */
const isoInstant = { type: 'string', maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?)?$' } as const;

export const usageLogsQuerySchema: Schema = {
  type: 'object',
  required: ['start_time', 'end_time'],
  properties: {
    start_time: isoInstant,
    end_time: isoInstant,
    limit: { type: 'integer', minimum: 1, maximum: 1000, nullable: true },
    sort: { type: 'string', enum: ['end_time_asc', 'end_time_desc'], nullable: true },
    cursor: { type: 'string', maxLength: 200, nullable: true },
  },
};

export const usageSummaryQuerySchema: Schema = {
  type: 'object',
  required: ['start_time', 'end_time'],
  properties: { start_time: isoInstant, end_time: isoInstant },
};

export const streamsHistoryQuerySchema: Schema = {
  type: 'object',
  required: ['start_time', 'end_time', 'period_sec', 'kind'],
  properties: {
    start_time: isoInstant,
    end_time: isoInstant,
    // One of 60, 3600, 86400: checked by the route, as the schema language has no integer enum.
    period_sec: { type: 'integer', minimum: 60, maximum: 86400 },
    kind: { type: 'string', enum: ['stt', 'tts'] },
  },
};
