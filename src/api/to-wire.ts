/**
 * The only place domain objects and errors become wire JSON (snake_case,
 * every documented field present, null when unset).
 */
import type { ApiError } from './errors.js';
import type { RealtimeError } from './realtime-errors.js';
import type { StreamToken, TranscriptUpdate } from '../pipeline/tokens/transcript-assembler.js';
import type { FileRecord, StoredToken, Transcript, TranscriptionRecord, UsageRecord } from '../storage/ports.js';
import type { HistoryEntry, UsageSeries, UsageSummary } from '../services/usage/usage-service.js';
import type { Language, ModelInfo } from '../services/models/model-catalog.js';
import type { TranslationPairs } from '../pipeline/translation/translation-pairs.js';

export const MASKED_SECRET = '******************';

export function fileToWire(file: FileRecord) {
  return {
    id: file.id,
    filename: file.filename,
    size: file.sizeBytes,
    created_at: file.createdAt,
    client_reference_id: file.clientReferenceId,
  };
}

export function transcriptionToWire(t: TranscriptionRecord) {
  return {
    id: t.id,
    status: t.status,
    created_at: t.createdAt,
    model: t.model,
    audio_url: t.audioUrl,
    file_id: t.fileId,
    filename: t.filename,
    language_hints: t.languageHints,
    enable_speaker_diarization: t.enableSpeakerDiarization,
    enable_language_identification: t.enableLanguageIdentification,
    audio_duration_ms: t.audioDurationMs,
    error_type: t.errorType,
    error_message: t.errorMessage,
    webhook_url: t.webhookUrl,
    webhook_auth_header_name: t.webhookAuthHeaderName,
    webhook_auth_header_value: t.webhookAuthHeaderValue === null ? null : MASKED_SECRET,
    webhook_status_code: t.webhookStatusCode,
    client_reference_id: t.clientReferenceId,
    context: t.context ?? null,
  };
}

/**
 * A token with the fields that apply to it and none that do not: the
 * real-time form (see {@link realtimeTokenToWire}). Unlike the transcript,
 * real-time tokens leave such fields out instead of sending null: the docs'
 * real-time messages show them so, the Node SDK's `RealtimeToken` type
 * declares them optional and never null (its parser and the Python SDK's
 * take either), and every message re-sends the non-final tail, so four
 * nulls a token would be paid again and again.
 */
export function tokenToWire(token: StoredToken) {
  const out: Record<string, unknown> = { text: token.text };
  if (token.startMs !== undefined) out.start_ms = token.startMs;
  if (token.endMs !== undefined) out.end_ms = token.endMs;
  out.confidence = token.confidence;
  if (token.speaker !== undefined) out.speaker = token.speaker;
  if (token.language !== undefined) out.language = token.language;
  if (token.translationStatus !== undefined) out.translation_status = token.translationStatus;
  if (token.sourceLanguage !== undefined) out.source_language = token.sourceLanguage;
  return out;
}

/**
 * A transcript token (REST). Soniox serialises `speaker`, `language`,
 * `is_audio_event` and `translation_status` on every token, null where they
 * do not apply, and clients test `translation_status === null`. Hark detects
 * no audio events, so `is_audio_event` is always null. Timestamps stay
 * absent on translation tokens and `source_language` is only on them, as the
 * SDKs' transcript type describes.
 */
export function transcriptTokenToWire(token: StoredToken) {
  return {
    text: token.text,
    ...(token.startMs === undefined ? {} : { start_ms: token.startMs }),
    ...(token.endMs === undefined ? {} : { end_ms: token.endMs }),
    confidence: token.confidence,
    speaker: token.speaker ?? null,
    language: token.language ?? null,
    is_audio_event: null,
    translation_status: token.translationStatus ?? null,
    ...(token.sourceLanguage === undefined ? {} : { source_language: token.sourceLanguage }),
  };
}

export function transcriptToWire(id: string, transcript: Transcript) {
  return { id, text: transcript.text, tokens: transcript.tokens.map(transcriptTokenToWire) };
}

/**
 * A model. Translation is listed explicitly (targets and pairs of what is
 * installed), never as `"all_languages"`: Hark translates only what its
 * engine has pairs for. Pairs read `en:es`.
 */
export function modelToWire(model: ModelInfo, languages: Language[], translation: TranslationPairs) {
  const realTime = model.transcriptionMode === 'real_time';
  return {
    id: model.id,
    aliased_model_id: model.aliasedModelId,
    name: model.name,
    context_version: 2,
    transcription_mode: model.transcriptionMode,
    languages,
    supports_language_hints_strict: true,
    supports_max_endpoint_delay: realTime,
    translation_targets: translation.oneWayTargets().map((t) => ({
      target_language: t.targetLanguage,
      source_languages: t.sourceLanguages,
      exclude_source_languages: [],
    })),
    two_way_translation_pairs: translation.twoWayPairs(),
    one_way_translation: null,
    two_way_translation: null,
    // Real-time models honour the endpoint controls (pipeline/stream.ts endpointPauseMs).
    supports_endpoint_sensitivity: realTime,
    supports_endpoint_latency_adjustment: realTime,
    endpoint_latency_adjustment_max_level: realTime ? 3 : 0,
  };
}

export function errorToWire(error: ApiError, requestId: string) {
  return {
    status_code: error.statusCode,
    error_type: error.errorType,
    message: error.message,
    validation_errors: error.validationErrors.map((v) => ({
      error_type: v.errorType,
      location: v.location,
      message: v.message,
    })),
    request_id: requestId,
  };
}

/** OpenAI's `error.type` by HTTP status, as its SDK and clients expect them. */
function openAiErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * An error on OpenAI's routes (`/v1/audio/…`) in OpenAI's shape:
 * `{ error: { message, type, param, code } }`; the field at fault is `param`.
 */
export function openAiErrorToWire(error: ApiError) {
  const issue = error.validationErrors[0];
  return {
    error: {
      message: issue && error.message === 'Invalid request.' ? issue.message : error.message,
      type: openAiErrorType(error.statusCode),
      param: issue?.location ?? null,
      code: error.statusCode === 401 ? 'invalid_api_key' : error.errorType,
    },
  };
}

/** Paths answered in OpenAI's error shape. */
export function isOpenAiRoute(url: string): boolean {
  return url === '/v1/audio' || url.startsWith('/v1/audio/') || url.startsWith('/v1/audio?');
}

/** A real-time token: the transcript token fields plus `is_final`; markers have no timestamps. */
export function realtimeTokenToWire(token: StreamToken) {
  return { ...tokenToWire(token), is_final: token.isFinal };
}

/**
 * A real-time result message. It never has `error_code` or `error_message`
 * keys, not even null: the Soniox SDKs take any message with one for an error.
 */
export function realtimeResultToWire(update: TranscriptUpdate, finished: boolean) {
  return {
    tokens: update.tokens.map(realtimeTokenToWire),
    final_audio_proc_ms: update.finalAudioProcMs,
    total_audio_proc_ms: update.totalAudioProcMs,
    ...(finished ? { finished: true as const } : {}),
  };
}

/** The real-time error message, sent just before the server closes the connection. */
export function realtimeErrorToWire(error: RealtimeError) {
  return { tokens: [], error_code: error.code, error_message: error.message };
}

/** Hark runs on its own machine: nothing it does costs money, so every cost is zero. */
const NO_COST = '0';

/**
 * A usage record as `@soniox/node` (SonioxUsageLog) and soniox-python
 * (UsageLogEntry, which requires `client_reference_id` as a string: "" for
 * none) read it. Tokens are not counted; audio is. The `hark_*` fields are
 * Hark's own additions, ignored by both SDKs.
 */
export function usageLogToWire(u: UsageRecord) {
  return {
    uuid: u.id,
    request_scope: 'api',
    client_reference_id: u.clientReferenceId ?? u.temporaryKeyClientReferenceId ?? '',
    model: u.model,
    start_time: u.startTime,
    end_time: u.endTime,
    input_text_tokens: 0,
    input_audio_tokens: 0,
    input_audio_duration_ms: u.audioDurationMs,
    output_text_tokens: 0,
    output_audio_tokens: 0,
    output_audio_duration_ms: 0,
    cost_usd: NO_COST,
    input_cost_usd: NO_COST,
    input_text_cost_usd: NO_COST,
    input_audio_cost_usd: NO_COST,
    output_cost_usd: NO_COST,
    output_text_cost_usd: NO_COST,
    output_audio_cost_usd: NO_COST,
    hark_kind: u.kind,
    hark_status: u.status,
    hark_transcription_id: u.transcriptionId,
    hark_api_key_id: u.apiKeyId,
    hark_temporary_key: u.temporaryKey,
    hark_temporary_key_client_reference_id: u.temporaryKeyClientReferenceId,
    hark_features: {
      speaker_diarization: u.features.speakerDiarization,
      language_identification: u.features.languageIdentification,
      translation: u.features.translation,
    },
  };
}

function usageSeriesToWire(days: string[], s: UsageSeries) {
  const zeros = days.map(() => 0);
  const noCost = days.map(() => NO_COST);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  return {
    model: s.model,
    days,
    total_cost_usd: NO_COST,
    total_input_cost_usd: NO_COST,
    total_output_cost_usd: NO_COST,
    total_duration_cost_usd: NO_COST,
    cost_usd: noCost,
    input_cost_usd: noCost,
    output_cost_usd: noCost,
    duration_cost_usd: noCost,
    total_num_requests: sum(s.requests),
    total_input_text_tokens: 0,
    total_input_audio_tokens: 0,
    total_input_audio_duration_ms: sum(s.audioDurationMs),
    total_output_text_tokens: 0,
    total_output_audio_tokens: 0,
    total_output_audio_duration_ms: 0,
    total_duration_ms: 0,
    num_requests: s.requests,
    input_text_tokens: zeros,
    input_audio_tokens: zeros,
    input_audio_duration_ms: s.audioDurationMs,
    output_text_tokens: zeros,
    output_audio_tokens: zeros,
    output_audio_duration_ms: zeros,
    duration_ms: zeros,
  };
}

/** `GET /v1/usage/summary` as `@soniox/node` (UsageSummaryResponse) reads it. */
export function usageSummaryToWire(summary: UsageSummary) {
  return {
    total: usageSeriesToWire(summary.days, summary.total),
    models: summary.models.map((m) => usageSeriesToWire(summary.days, m)),
  };
}

/** `GET /v1/concurrent-streams-history` (ConcurrentStreamsHistoryResponse). Hark records no minimum: 0, as Soniox. */
export function streamsHistoryToWire(kind: 'stt' | 'tts', entries: HistoryEntry[]) {
  return {
    kind,
    entries: entries.map((e) => ({
      period_start: new Date(e.periodStartMs).toISOString(),
      period_sec: e.periodSec,
      sample_min: 0,
      sample_max: e.sampleMax,
      sample_sum: e.sampleSum,
      sample_count: e.sampleCount,
      total_count: e.totalCount,
    })),
  };
}

/** `GET /v1/concurrency-limits` (ConcurrencyLimitsResponse). Hark has no text-to-speech: none runs, none may. */
export function concurrencyLimitsToWire(c: {
  project: { current: number; limit: number };
  organization: { current: number; limit: number };
}) {
  const scope = (s: { current: number; limit: number }) => ({
    current: { transcribe_concurrent: s.current, tts_concurrent: 0 },
    limits: { transcribe_concurrent: s.limit, tts_concurrent: 0 },
  });
  return { project: scope(c.project), organization: scope(c.organization) };
}
