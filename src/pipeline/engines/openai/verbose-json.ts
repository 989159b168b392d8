/**
 * Reads an OpenAI-style `verbose_json` transcription (as OpenAI, speaches,
 * faster-whisper-server and whisper.cpp's server answer it) into Hark's
 * words. The response is untrusted input: anything of the wrong shape is
 * skipped or refused, never trusted.
 */
import type { RecognizedWord } from '../speech-engine.js';
import { isoLanguage } from './whisper-languages.js';

export interface RemoteTranscription {
  words: RecognizedWord[];
  /** ISO 639-1, when the server named a language Hark knows. */
  language?: string;
}

/** The response is not a transcription at all. */
export class MalformedTranscriptionError extends Error {
  override name = 'MalformedTranscriptionError';
}

interface Timed {
  start: number;
  end: number;
}

/** The confidence of a word the server gave no probability for, nor a segment log probability. */
export const UNKNOWN_CONFIDENCE = 1;

/** Quotes and brackets around a word; apostrophes, commas and stops stay with it. */
const OUTER_PUNCTUATION = /^[\s"“”„«»¿¡([{]+|[\s"“”„«»)\]}]+$/gu;
/** An utterance's last word ends a sentence (format-tokens.ts adds the stop): no comma before it. */
const TRAILING_PAUSE = /[,;:]+$/u;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

function timed(value: Record<string, unknown>): Timed | null {
  const { start, end } = value;
  if (!isTime(start) || !isTime(end)) return null;
  return { start, end: Math.max(start, end) };
}

function probability(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}

/** exp(avg_logprob) of the segment holding `at` seconds: Whisper's own per-segment confidence. */
function segmentConfidence(segments: (Timed & { confidence: number | null })[], at: number): number | null {
  const segment = segments.find((s) => at >= s.start && at <= s.end);
  return segment?.confidence ?? null;
}

/** A word's text without the punctuation around it; empty for punctuation alone. */
export function wordText(raw: string): string {
  return raw.replace(OUTER_PUNCTUATION, '');
}

/**
 * Hark's words for one utterance: times offset by `offsetMs` and bounded by
 * the utterance's `durationMs`, in order. Without word timestamps (a server
 * that ignores `timestamp_granularities[]`), a segment's words share its
 * time in proportion to their length.
 *
 * @throws {MalformedTranscriptionError} the body is not an object with `text`, `words` or `segments`.
 * @example
 * fromVerboseJson({ language: 'english', words: [{ word: ' Hi', start: 0.1, end: 0.4 }] }, 1000, 2000)
 * // { words: [{ word: 'Hi', startMs: 1100, endMs: 1400, confidence: 1 }], language: 'en' }
 */
export function fromVerboseJson(body: unknown, offsetMs: number, durationMs: number): RemoteTranscription {
  if (!isObject(body) || !(typeof body.text === 'string' || Array.isArray(body.words) || Array.isArray(body.segments))) {
    throw new MalformedTranscriptionError('The speech engine answered something that is not a transcription');
  }
  const segments = (Array.isArray(body.segments) ? body.segments : []).filter(isObject).flatMap((s) => {
    const span = timed(s);
    if (!span) return [];
    const logprob = typeof s.avg_logprob === 'number' && Number.isFinite(s.avg_logprob) ? Math.exp(Math.min(0, s.avg_logprob)) : null;
    return [{ ...span, confidence: logprob, text: typeof s.text === 'string' ? s.text : '' }];
  });
  let raw: { text: string; start: number; end: number; confidence: number | null }[];
  if (Array.isArray(body.words)) {
    raw = body.words.filter(isObject).flatMap((w) => {
      const span = timed(w);
      const text = typeof w.word === 'string' ? w.word : null;
      if (!span || text === null) return [];
      return [{ text, ...span, confidence: probability(w.probability) ?? segmentConfidence(segments, span.start) }];
    });
  } else {
    raw = segments.flatMap((s) => spreadOverSegment(s.text, s, s.confidence));
  }
  const seconds = durationMs / 1000;
  const words: RecognizedWord[] = [];
  // Times only move forward: a server's overlapping or reordered words keep their order.
  let previousStartMs = offsetMs;
  for (const w of raw) {
    const text = wordText(w.text);
    if (!/[\p{L}\p{N}]/u.test(text)) continue;
    const startMs = Math.max(previousStartMs, offsetMs + Math.round(Math.min(w.start, seconds) * 1000));
    const endMs = Math.max(startMs, offsetMs + Math.round(Math.min(w.end, seconds) * 1000));
    words.push({ word: text, startMs, endMs, confidence: w.confidence ?? UNKNOWN_CONFIDENCE });
    previousStartMs = startMs;
  }
  const last = words[words.length - 1];
  if (last) last.word = last.word.replace(TRAILING_PAUSE, '');
  const language = typeof body.language === 'string' ? isoLanguage(body.language) : null;
  return language === null ? { words } : { words, language };
}

function spreadOverSegment(text: string, span: Timed, confidence: number | null) {
  const parts = text.split(/\s+/).filter((p) => p.length > 0);
  const letters = parts.reduce((n, p) => n + p.length, 0);
  let at = span.start;
  return parts.map((p) => {
    const length = letters === 0 ? 0 : ((span.end - span.start) * p.length) / letters;
    const word = { text: p, start: at, end: at + length, confidence };
    at += length;
    return word;
  });
}
