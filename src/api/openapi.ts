/**
 * The OpenAPI 3.1 document of the REST API Hark serves, built from the same
 * request schemas the edge validates with, so the two cannot drift apart.
 */
import {
  createTemporaryKeySchema,
  createTranscriptionSchema,
  structuredContextSchema,
} from './schemas/requests.js';
import { toJsonSchema } from './validation.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const str = { type: 'string' };
const int = { type: 'integer' };
const bool = { type: 'boolean' };

const components = {
  ApiError: {
    type: 'object',
    required: ['status_code', 'error_type', 'message', 'validation_errors', 'request_id'],
    properties: {
      status_code: int,
      error_type: str,
      message: str,
      validation_errors: { type: 'array', items: ref('ApiErrorValidationError') },
      request_id: str,
    },
  },
  ApiErrorValidationError: {
    type: 'object',
    required: ['error_type', 'location', 'message'],
    properties: { error_type: str, location: str, message: str },
  },
  File: {
    type: 'object',
    required: ['id', 'filename', 'size', 'created_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      filename: str,
      size: int,
      created_at: { type: 'string', format: 'date-time' },
      client_reference_id: nullable(str),
    },
  },
  Count: {
    type: 'object',
    required: ['total', 'public_api', 'playground'],
    properties: { total: int, public_api: int, playground: int },
  },
  Transcription: {
    type: 'object',
    required: ['id', 'status', 'created_at', 'model', 'filename', 'enable_speaker_diarization', 'enable_language_identification'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['queued', 'processing', 'completed', 'error'] },
      created_at: { type: 'string', format: 'date-time' },
      model: str,
      audio_url: nullable(str),
      file_id: nullable({ type: 'string', format: 'uuid' }),
      filename: str,
      language_hints: nullable({ type: 'array', items: str }),
      enable_speaker_diarization: bool,
      enable_language_identification: bool,
      audio_duration_ms: nullable(int),
      error_type: nullable(str),
      error_message: nullable(str),
      webhook_url: nullable(str),
      webhook_auth_header_name: nullable(str),
      webhook_auth_header_value: nullable({ type: 'string', description: 'Always masked.' }),
      webhook_status_code: nullable(int),
      client_reference_id: nullable(str),
      context: nullable({ anyOf: [toJsonSchema(structuredContextSchema), str] }),
    },
  },
  TranscriptToken: {
    type: 'object',
    description: 'speaker, language, is_audio_event and translation_status are on every token, null where they do not apply.',
    required: ['text', 'confidence', 'speaker', 'language', 'is_audio_event', 'translation_status'],
    properties: {
      text: str,
      start_ms: { type: 'integer', description: 'Absent on translation tokens.' },
      end_ms: { type: 'integer', description: 'Absent on translation tokens.' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
      speaker: nullable(str),
      language: nullable(str),
      is_audio_event: nullable(bool),
      translation_status: nullable({ type: 'string', enum: ['none', 'original', 'translation'] }),
      source_language: { type: 'string', description: 'Only on translation tokens.' },
    },
  },
  TranscriptionTranscript: {
    type: 'object',
    required: ['id', 'text', 'tokens'],
    properties: { id: { type: 'string', format: 'uuid' }, text: str, tokens: { type: 'array', items: ref('TranscriptToken') } },
  },
  Model: {
    type: 'object',
    properties: {
      id: str,
      aliased_model_id: nullable(str),
      name: str,
      context_version: nullable(int),
      transcription_mode: { type: 'string', enum: ['real_time', 'async'] },
      languages: { type: 'array', items: { type: 'object', properties: { code: str, name: str } } },
      supports_language_hints_strict: bool,
      supports_max_endpoint_delay: bool,
      translation_targets: { type: 'array', items: { type: 'object' } },
      two_way_translation_pairs: { type: 'array', items: str },
      one_way_translation: nullable(str),
      two_way_translation: nullable(str),
    },
  },
  UsageLog: {
    type: 'object',
    description: 'One async transcription or real-time session. Costs are always "0"; tokens are not counted. hark_* fields are Hark\'s own.',
    required: ['uuid', 'request_scope', 'client_reference_id', 'model', 'start_time', 'end_time', 'input_audio_duration_ms', 'cost_usd'],
    properties: {
      uuid: { type: 'string', format: 'uuid' },
      request_scope: str,
      client_reference_id: { type: 'string', description: 'The request\'s, else the temporary key\'s; "" for none.' },
      model: str,
      start_time: { type: 'string', format: 'date-time' },
      end_time: { type: 'string', format: 'date-time' },
      ...Object.fromEntries(
        ['input_text_tokens', 'input_audio_tokens', 'input_audio_duration_ms', 'output_text_tokens', 'output_audio_tokens', 'output_audio_duration_ms'].map((f) => [f, int]),
      ),
      ...Object.fromEntries(
        ['cost_usd', 'input_cost_usd', 'input_text_cost_usd', 'input_audio_cost_usd', 'output_cost_usd', 'output_text_cost_usd', 'output_audio_cost_usd'].map((f) => [f, str]),
      ),
      hark_kind: { type: 'string', enum: ['async', 'real_time'] },
      hark_status: { type: 'string', enum: ['running', 'completed', 'error', 'canceled', 'interrupted'] },
      hark_transcription_id: nullable(str),
      hark_api_key_id: nullable(str),
      hark_temporary_key: bool,
      hark_temporary_key_client_reference_id: nullable(str),
      hark_features: {
        type: 'object',
        properties: { speaker_diarization: bool, language_identification: bool, translation: bool },
      },
    },
  },
  UsageSummaryEntry: {
    type: 'object',
    description: 'Per-day arrays are aligned to days; costs are always "0".',
    properties: {
      model: nullable(str),
      days: { type: 'array', items: { type: 'string', format: 'date' } },
      total_num_requests: int,
      total_input_audio_duration_ms: int,
      num_requests: { type: 'array', items: int },
      input_audio_duration_ms: { type: 'array', items: int },
      total_cost_usd: str,
    },
  },
  ConcurrencyScope: {
    type: 'object',
    properties: {
      current: { type: 'object', properties: { transcribe_concurrent: int, tts_concurrent: int } },
      limits: { type: 'object', properties: { transcribe_concurrent: nullable(int), tts_concurrent: nullable(int) } },
    },
  },
  ConcurrentStreamsHistoryEntry: {
    type: 'object',
    properties: {
      period_start: { type: 'string', format: 'date-time' },
      period_sec: int,
      sample_min: int,
      sample_max: int,
      sample_sum: int,
      sample_count: int,
      total_count: int,
    },
  },
  CreateTranscriptionPayload: toJsonSchema(createTranscriptionSchema),
  CreateTemporaryApiKeyPayload: toJsonSchema(createTemporaryKeySchema),
};

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object) => ({ description, ...json(schema) });
const error = (description: string) => ok(description, ref('ApiError'));
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
const listParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 } },
  { name: 'cursor', in: 'query', schema: nullable(str) },
];
const timeParams = [
  { name: 'start_time', in: 'query', required: true, schema: { type: 'string', format: 'date-time' } },
  { name: 'end_time', in: 'query', required: true, schema: { type: 'string', format: 'date-time' } },
];
const common = { '401': error('Missing or invalid API key'), '500': error('Internal error') };
const noContent = { '204': { description: 'Deleted' } };

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hark Speech-to-Text API',
      version: '1.0.0',
      description: 'Self-hosted implementation of the Soniox REST API v1.',
    },
    components: {
      schemas: components,
      securitySchemes: { PublicApiAuth: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ PublicApiAuth: [] }],
    paths: {
      '/v1/files': {
        get: {
          operationId: 'get_files',
          parameters: listParams,
          responses: {
            '200': ok('Files, newest first', {
              type: 'object',
              required: ['files', 'next_page_cursor'],
              properties: { files: { type: 'array', items: ref('File') }, next_page_cursor: nullable(str) },
            }),
            '400': error('Invalid cursor'),
            ...common,
          },
        },
        post: {
          operationId: 'upload_file',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', format: 'binary' }, client_reference_id: nullable(str) },
                },
              },
            },
          },
          responses: { '201': ok('Uploaded', ref('File')), '400': error('Invalid request or quota exceeded'), ...common },
        },
      },
      '/v1/files/count': { get: { operationId: 'get_files_count', responses: { '200': ok('Counts', ref('Count')), ...common } } },
      '/v1/files/{file_id}': {
        get: {
          operationId: 'get_file',
          parameters: [idParam('file_id')],
          responses: { '200': ok('File', ref('File')), '404': error('File not found'), ...common },
        },
        delete: {
          operationId: 'delete_file',
          parameters: [idParam('file_id')],
          responses: { ...noContent, '404': error('File not found'), ...common },
        },
      },
      '/v1/files/{file_id}/url': {
        get: {
          operationId: 'get_file_url',
          parameters: [idParam('file_id')],
          responses: {
            '200': ok('A link that serves the bytes without a key for one hour', {
              type: 'object',
              required: ['url'],
              properties: { url: str },
            }),
            '404': error('File not found'),
            ...common,
          },
        },
      },
      '/v1/models': {
        get: {
          operationId: 'get_models',
          responses: {
            '200': ok('Models', { type: 'object', properties: { models: { type: 'array', items: ref('Model') } } }),
            ...common,
          },
        },
      },
      '/v1/transcriptions': {
        get: {
          operationId: 'get_transcriptions',
          parameters: listParams,
          responses: {
            '200': ok('Transcriptions, newest first', {
              type: 'object',
              required: ['transcriptions', 'next_page_cursor'],
              properties: {
                transcriptions: { type: 'array', items: ref('Transcription') },
                next_page_cursor: nullable(str),
              },
            }),
            '400': error('Invalid cursor'),
            ...common,
          },
        },
        post: {
          operationId: 'create_transcription',
          requestBody: { required: true, ...json(ref('CreateTranscriptionPayload')) },
          responses: {
            '201': ok('Queued', ref('Transcription')),
            '400': error('Invalid request or quota exceeded'),
            '404': error('File not found'),
            ...common,
          },
        },
      },
      '/v1/transcriptions/count': {
        get: { operationId: 'get_transcriptions_count', responses: { '200': ok('Counts', ref('Count')), ...common } },
      },
      '/v1/transcriptions/{transcription_id}': {
        get: {
          operationId: 'get_transcription',
          parameters: [idParam('transcription_id')],
          responses: { '200': ok('Transcription', ref('Transcription')), '404': error('Not found'), ...common },
        },
        delete: {
          operationId: 'delete_transcription',
          parameters: [idParam('transcription_id')],
          responses: { ...noContent, '404': error('Not found'), '409': error('Processing'), ...common },
        },
      },
      '/v1/transcriptions/{transcription_id}/transcript': {
        get: {
          operationId: 'get_transcription_transcript',
          parameters: [idParam('transcription_id')],
          responses: {
            '200': ok('Transcript', ref('TranscriptionTranscript')),
            '404': error('Not found'),
            '409': error('Not completed'),
            ...common,
          },
        },
      },
      '/v1/usage-logs': {
        get: {
          operationId: 'get_usage_logs',
          description: "The key's project's usage records whose end time is in [start_time, end_time).",
          parameters: [
            ...timeParams,
            listParams[0],
            { name: 'sort', in: 'query', schema: { type: 'string', enum: ['end_time_asc', 'end_time_desc'], default: 'end_time_asc' } },
            listParams[1],
          ],
          responses: {
            '200': ok('Usage records', {
              type: 'object',
              required: ['usage_logs', 'next_page_cursor'],
              properties: { usage_logs: { type: 'array', items: ref('UsageLog') }, next_page_cursor: nullable(str) },
            }),
            '400': error('Invalid window or cursor'),
            ...common,
          },
        },
      },
      '/v1/usage/summary': {
        get: {
          operationId: 'get_usage_summary',
          description: 'Per UTC day and model, over the days the window touches (at most 366).',
          parameters: timeParams,
          responses: {
            '200': ok('Usage summary', {
              type: 'object',
              required: ['total', 'models'],
              properties: { total: ref('UsageSummaryEntry'), models: { type: 'array', items: ref('UsageSummaryEntry') } },
            }),
            '400': error('Invalid window'),
            ...common,
          },
        },
      },
      '/v1/concurrency-limits': {
        get: {
          operationId: 'get_concurrency_limits',
          description: 'Real-time sessions open now and the most allowed, for the key\'s project and for the organization (the whole server).',
          responses: {
            '200': ok('Concurrency', {
              type: 'object',
              required: ['project', 'organization'],
              properties: { project: ref('ConcurrencyScope'), organization: ref('ConcurrencyScope') },
            }),
            ...common,
          },
        },
      },
      '/v1/concurrent-streams-history': {
        get: {
          operationId: 'get_concurrent_streams_history',
          parameters: [
            ...timeParams,
            { name: 'period_sec', in: 'query', required: true, schema: { type: 'integer', enum: [60, 3600, 86400] } },
            { name: 'kind', in: 'query', required: true, schema: { type: 'string', enum: ['stt', 'tts'] } },
          ],
          responses: {
            '200': ok('Every period of the window, idle ones all zero', {
              type: 'object',
              required: ['kind', 'entries'],
              properties: { kind: { type: 'string', enum: ['stt', 'tts'] }, entries: { type: 'array', items: ref('ConcurrentStreamsHistoryEntry') } },
            }),
            '400': error('Invalid window or period'),
            ...common,
          },
        },
      },
      '/v1/auth/temporary-api-key': {
        post: {
          operationId: 'create_temporary_api_key',
          requestBody: { required: true, ...json(ref('CreateTemporaryApiKeyPayload')) },
          responses: {
            '201': ok('Temporary key for the WebSocket API', {
              type: 'object',
              required: ['api_key', 'expires_at'],
              properties: { api_key: str, expires_at: { type: 'string', format: 'date-time' } },
            }),
            '400': error('Invalid request'),
            ...common,
          },
        },
      },
    },
  };
}
