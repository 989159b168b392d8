/**
 * The real-time WebSocket messages clients send (API.md §7.2, §7.5), as on
 * the wire, and their one converter each to the camelCase the services use.
 * Only the shape is checked here; what the values mean (model, audio format,
 * languages, limits) is the realtime service's business.
 */
import { exceedsJsonDepth } from '../json-depth.js';
import { type RealtimeError, realtimeErrors } from '../realtime-errors.js';
import { type Schema, validate } from '../validation.js';
import type { TranslationRequest } from '../../pipeline/translation/translation-pairs.js';
import {
  type WireTranslationConfig,
  structuredContextSchema,
  translationConfigSchema,
  translationFromWire,
} from './requests.js';

/** The start message, camelCase. Absent and `null` fields are both `undefined`. */
export interface StartRequest {
  apiKey?: string;
  model?: string;
  audioFormat?: string;
  sampleRate?: number;
  numChannels?: number;
  languageHints?: string[];
  languageHintsStrict?: boolean;
  /** Structured object or legacy string, kept as sent. */
  context?: unknown;
  enableSpeakerDiarization?: boolean;
  enableLanguageIdentification?: boolean;
  enableEndpointDetection?: boolean;
  maxEndpointDelayMs?: number;
  endpointSensitivity?: number;
  endpointLatencyAdjustmentLevel?: number;
  clientReferenceId?: string;
  translation?: TranslationRequest;
}

/** A text frame after the start message. */
export type ControlMessage = { type: 'finalize'; trailingSilenceMs?: number } | { type: 'keepalive' };

const optionalString: Schema = { type: 'string', nullable: true };
const optionalBoolean: Schema = { type: 'boolean', nullable: true };

// Field types only; ranges with documented messages are checked by the service.
const startRequestSchema: Schema = {
  type: 'object',
  properties: {
    api_key: optionalString,
    model: optionalString,
    audio_format: optionalString,
    // Their ranges matter only for raw formats, so the service checks them.
    sample_rate: { type: 'integer', minimum: 1, nullable: true },
    num_channels: { type: 'integer', minimum: 1, nullable: true },
    language_hints: { type: 'array', nullable: true, items: { type: 'string' } },
    language_hints_strict: optionalBoolean,
    context: { anyOf: [structuredContextSchema, { type: 'string' }], nullable: true },
    enable_speaker_diarization: optionalBoolean,
    enable_language_identification: optionalBoolean,
    enable_endpoint_detection: optionalBoolean,
    max_endpoint_delay_ms: { type: 'integer', minimum: 500, maximum: 3000, nullable: true },
    endpoint_latency_adjustment_level: { type: 'integer', minimum: 0, maximum: 3, nullable: true },
    client_reference_id: optionalString,
    translation: translationConfigSchema,
  },
};

function parseJsonObject(text: string, malformed: () => RealtimeError): Record<string, unknown> {
  if (exceedsJsonDepth(text)) throw malformed();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  return value as Record<string, unknown>;
}

/** `null` means absent on the wire (API.md §1.3). */
function present<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

/**
 * Parses the start message.
 *
 * @throws {RealtimeError} 400 `Start request is malformed.` for anything but a
 *   JSON object, nested at most `MAX_JSON_DEPTH` deep, whose known fields have
 *   their documented types (`context` its documented shape); out-of-range
 *   endpoint parameters count as malformed (API.md §7.2).
 * @example parseStartRequest('{"api_key":"k","model":"stt-rt-v4","audio_format":"auto"}')
 * // { apiKey: 'k', model: 'stt-rt-v4', audioFormat: 'auto' }
 */
export function parseStartRequest(text: string): StartRequest {
  const body = parseJsonObject(text, realtimeErrors.startMalformed);
  if (validate(startRequestSchema, body, 'start').length > 0) throw realtimeErrors.startMalformed();
  const sensitivity = present<unknown>(body.endpoint_sensitivity);
  if (sensitivity !== undefined && !(typeof sensitivity === 'number' && sensitivity >= -1 && sensitivity <= 1)) {
    throw realtimeErrors.startMalformed();
  }
  const request: StartRequest = {};
  const set = <K extends keyof StartRequest>(key: K, value: unknown) => {
    const v = present<StartRequest[K]>(value);
    if (v !== undefined) request[key] = v;
  };
  set('apiKey', body.api_key);
  set('model', body.model);
  set('audioFormat', body.audio_format);
  set('sampleRate', body.sample_rate);
  set('numChannels', body.num_channels);
  set('languageHints', body.language_hints);
  set('languageHintsStrict', body.language_hints_strict);
  set('context', body.context);
  set('enableSpeakerDiarization', body.enable_speaker_diarization);
  set('enableLanguageIdentification', body.enable_language_identification);
  set('enableEndpointDetection', body.enable_endpoint_detection);
  set('maxEndpointDelayMs', body.max_endpoint_delay_ms);
  set('endpointSensitivity', sensitivity);
  set('endpointLatencyAdjustmentLevel', body.endpoint_latency_adjustment_level);
  set('clientReferenceId', body.client_reference_id);
  set('translation', translationFromWire(body.translation as WireTranslationConfig | null | undefined));
  return request;
}

/**
 * Parses a non-empty text frame after the start message. Whitespace inside
 * the JSON varies between clients, so it is parsed, never compared.
 *
 * @throws {RealtimeError} 400 `Control request is malformed.` when the frame
 *   is not a JSON object nested at most `MAX_JSON_DEPTH` deep (or `trailing_silence_ms` is not a non-negative
 *   number), `Control request invalid type.` for an unknown `type`.
 * @example parseControlMessage('{ "type": "finalize" }') // { type: 'finalize' }
 */
export function parseControlMessage(text: string): ControlMessage {
  const body = parseJsonObject(text, realtimeErrors.controlMalformed);
  if (body.type === 'keepalive') return { type: 'keepalive' };
  if (body.type !== 'finalize') throw realtimeErrors.controlInvalidType();
  const trailing = present<unknown>(body.trailing_silence_ms);
  if (trailing === undefined) return { type: 'finalize' };
  if (typeof trailing !== 'number' || !Number.isFinite(trailing) || trailing < 0) throw realtimeErrors.controlMalformed();
  return { type: 'finalize', trailingSilenceMs: trailing };
}
