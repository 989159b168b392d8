/**
 * The only place domain objects and errors become wire JSON (snake_case,
 * every documented field present, null when unset).
 */
import type { ApiError } from './errors.js';
import type { RealtimeError } from './realtime-errors.js';
import type { StreamToken, TranscriptUpdate } from '../pipeline/tokens/transcript-assembler.js';
import type { FileRecord, StoredToken, Transcript, TranscriptionRecord } from '../storage/ports.js';
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

export function transcriptToWire(id: string, transcript: Transcript) {
  return { id, text: transcript.text, tokens: transcript.tokens.map(tokenToWire) };
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
