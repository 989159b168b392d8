/**
 * The form fields of `POST /v1/audio/transcriptions` (OpenAI's audio API),
 * validated. Pure: the route collects the multipart text fields, this
 * decides what they mean, and fuzz tests drive it directly.
 */
import { ApiError } from '../errors.js';
import { OPENAI_RESPONSE_FORMATS, type OpenAiResponseFormat, type TimestampGranularity } from './audio-responses.js';

/**
 * Models the route answers to: OpenAI's transcription models and Hark's
 * async ones. All are the one engine Hark runs.
 */
export const OPENAI_AUDIO_MODELS: readonly string[] = [
  'whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe',
  'stt-async-v4', 'stt-async-v5', 'stt-async-v3', 'stt-async-preview', 'stt-async-preview-v1',
];

export interface AudioTranscriptionRequest {
  model: string;
  /** ISO 639-1, one the engine recognises; null: the engine's default. */
  language: string | null;
  /** Text before the audio, as Whisper takes it: Hark's context text. */
  prompt: string | null;
  responseFormat: OpenAiResponseFormat;
  timestampGranularities: TimestampGranularity[];
}

export interface AudioFieldLimits {
  languages: readonly string[];
  maxPromptChars: number;
}

/** Text fields the route keeps; others are ignored, as OpenAI ignores unknown ones. */
export const OPENAI_AUDIO_FIELDS = new Set(['model', 'language', 'prompt', 'response_format', 'timestamp_granularities[]', 'temperature']);

function invalid(param: string, message: string): ApiError {
  return new ApiError(400, 'invalid_request', message, [{ errorType: 'value_error', location: param, message }]);
}

/**
 * @param fields each field's values in the order sent (only `timestamp_granularities[]` may repeat).
 * @throws {ApiError} 400 naming the offending field (`location`) when one is missing or invalid.
 * @example parseAudioFields(new Map([['model', ['whisper-1']]]), { languages: ['en'], maxPromptChars: 20000 })
 * // { model: 'whisper-1', language: null, prompt: null, responseFormat: 'json', timestampGranularities: [] }
 */
export function parseAudioFields(fields: ReadonlyMap<string, readonly string[]>, limits: AudioFieldLimits): AudioTranscriptionRequest {
  const single = (name: string): string | null => {
    const values = fields.get(name) ?? [];
    if (values.length > 1) throw invalid(name, `'${name}' was given more than once.`);
    return values[0] ?? null;
  };
  const model = single('model');
  if (model === null || model === '') throw invalid('model', "Missing required parameter: 'model'.");
  if (!OPENAI_AUDIO_MODELS.includes(model)) {
    throw invalid('model', `Unsupported model. Supported models: ${OPENAI_AUDIO_MODELS.join(', ')}.`);
  }
  const language = single('language') || null;
  if (language !== null && !limits.languages.includes(language)) {
    throw invalid('language', `Unsupported language. Supported languages (ISO 639-1): ${limits.languages.join(', ')}.`);
  }
  const prompt = single('prompt') || null;
  if (prompt !== null && Array.from(prompt).length > limits.maxPromptChars) {
    throw invalid('prompt', `The prompt is longer than ${limits.maxPromptChars} characters.`);
  }
  const format = single('response_format') || 'json';
  if (!(OPENAI_RESPONSE_FORMATS as readonly string[]).includes(format)) {
    throw invalid('response_format', `Unsupported response_format. Supported: ${OPENAI_RESPONSE_FORMATS.join(', ')}.`);
  }
  const granularities = fields.get('timestamp_granularities[]') ?? [];
  if (granularities.length > 4 || granularities.some((g) => g !== 'word' && g !== 'segment')) {
    throw invalid('timestamp_granularities[]', "timestamp_granularities[] takes 'word' and/or 'segment'.");
  }
  // Accepted for compatibility and ignored: recognition here has no sampling temperature.
  const temperature = single('temperature');
  if (temperature !== null && !(temperature.trim() !== '' && Number(temperature) >= 0 && Number(temperature) <= 1)) {
    throw invalid('temperature', 'temperature must be a number between 0 and 1.');
  }
  return {
    model,
    language,
    prompt,
    responseFormat: format as OpenAiResponseFormat,
    timestampGranularities: [...new Set(granularities)] as TimestampGranularity[],
  };
}
