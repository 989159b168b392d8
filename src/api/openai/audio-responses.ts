/**
 * A finished transcript in the response formats of OpenAI's
 * `POST /v1/audio/transcriptions`: `json`, `text`, `srt`, `vtt` and
 * `verbose_json` (with `words` and/or `segments` as
 * `timestamp_granularities[]` asks). Pure functions over wire tokens.
 */
import { whisperLanguageName } from '../../pipeline/engines/openai/whisper-languages.js';
import { formatTranscript } from '../../lib/transcript-formats.js';
import { segmentTranscript, type WireToken } from '../../lib/transcript-segments.js';

export const OPENAI_RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
export type OpenAiResponseFormat = (typeof OPENAI_RESPONSE_FORMATS)[number];
export type TimestampGranularity = 'word' | 'segment';

export interface AudioTranscript {
  tokens: WireToken[];
  audioDurationMs: number;
  /** The language the transcript is in (ISO 639-1). */
  language: string;
}

export interface FormattedResponse {
  contentType: string;
  body: string;
}

const seconds = (ms: number | null | undefined) => Math.round(ms ?? 0) / 1000;
/** A token that is a word, not punctuation alone. */
const isWord = (token: WireToken) => /[\p{L}\p{N}]/u.test(token.text);

function text(tokens: readonly WireToken[]): string {
  return tokens.map((t) => t.text).join('').trim();
}

/**
 * @example formatAudioResponse({ tokens, audioDurationMs: 2500, language: 'en' }, 'json', ['segment'])
 * // { contentType: 'application/json; charset=utf-8', body: '{"text":"He was here.","usage":{…}}' }
 */
export function formatAudioResponse(
  transcript: AudioTranscript,
  format: OpenAiResponseFormat,
  granularities: readonly TimestampGranularity[],
): FormattedResponse {
  const json = (value: unknown) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) });
  const plain = (contentType: string, body: string) => ({ contentType: `${contentType}; charset=utf-8`, body });
  const { tokens } = transcript;
  switch (format) {
    case 'text':
      return plain('text/plain', `${text(tokens)}\n`);
    case 'srt':
      return plain('text/plain', formatTranscript({ id: '', text: text(tokens), tokens }, 'srt'));
    case 'vtt':
      return plain('text/vtt', formatTranscript({ id: '', text: text(tokens), tokens }, 'vtt'));
    case 'json':
      return json({ text: text(tokens), usage: { type: 'duration', seconds: Math.ceil(transcript.audioDurationMs / 1000) } });
    case 'verbose_json':
      return json(verboseJson(transcript, granularities));
  }
}

function verboseJson(transcript: AudioTranscript, granularities: readonly TimestampGranularity[]) {
  const { tokens } = transcript;
  const body: Record<string, unknown> = {
    task: 'transcribe',
    language: whisperLanguageName(transcript.language),
    duration: seconds(transcript.audioDurationMs),
    text: text(tokens),
  };
  // OpenAI's default granularity is the segment.
  if (granularities.length === 0 || granularities.includes('segment')) {
    body.segments = segmentTranscript(tokens).map((s, id) => {
      const confidences = s.tokens.map((t) => t.confidence ?? 1);
      const mean = confidences.reduce((a, b) => a + b, 0) / Math.max(1, confidences.length);
      return {
        id, seek: 0, start: seconds(s.startMs), end: seconds(s.endMs), text: ` ${s.text}`, tokens: [],
        temperature: 0, avg_logprob: Math.log(Math.max(mean, 1e-6)), compression_ratio: 1, no_speech_prob: 0,
      };
    });
  }
  if (granularities.includes('word')) {
    // `probability` is faster-whisper's field; OpenAI's own words carry none.
    body.words = tokens.filter(isWord).map((t) => ({
      word: t.text.trim(), start: seconds(t.start_ms), end: seconds(t.end_ms), probability: t.confidence ?? 1,
    }));
  }
  return body;
}
