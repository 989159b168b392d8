/**
 * sherpa-onnx's results as Hark's words. Pure functions, tested directly.
 *
 * sherpa gives sub-word tokens, each with a start time in seconds (from the
 * start of the stream it decoded), and for some models a duration or a log
 * probability. A token that begins with a space (sentencepiece's "▁") starts
 * a word; one that does not continues it ("high" + "er"), except that each
 * CJK character is a word of its own and punctuation joins the word before.
 */
import type { PartialWord, RecognizedWord } from '../speech-engine.js';

/** The fields of a sherpa-onnx-node result that Hark reads. */
export interface SherpaResult {
  tokens: string[];
  timestamps: number[];
  durations?: number[];
  /** Online recognizers: per-token log probabilities (transducers; empty for CTC). */
  ys_probs?: number[];
  /** Offline recognizers: the same. */
  ys_log_probs?: number[];
  /** SenseVoice and Whisper: the language heard, as `<|en|>` or `en`. */
  lang?: string;
}

/**
 * sherpa gives token start times only (durations for TDT models): a token then
 * ends where the next begins, but at most this long after its own start, so a
 * word before a pause does not stretch over the pause.
 */
export const MAX_TOKEN_MS = 480;

/** Stand-in confidence for models that give no probabilities (CTC, Whisper, Moonshine). */
export const NO_PROBABILITY_CONFIDENCE = 1;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const PUNCTUATION_ONLY = /^[\p{P}]+$/u;
const BYTE_FALLBACK = /^<0x[0-9A-F]{2}>$/;

interface Piece {
  text: string;
  startMs: number;
  endMs: number;
  logProb: number | null;
}

function pieces(result: SherpaResult, offsetMs: number, endMs: number): Piece[] {
  const logProbs = result.ys_log_probs?.length ? result.ys_log_probs : result.ys_probs?.length ? result.ys_probs : null;
  const starts = result.tokens.map((_, i) => offsetMs + Math.round((result.timestamps[i] ?? 0) * 1000));
  return result.tokens.map((text, i) => {
    const startMs = starts[i]!;
    const duration = result.durations?.[i];
    const next = starts[i + 1] ?? endMs;
    const end = duration !== undefined && duration > 0 ? startMs + Math.round(duration * 1000) : Math.min(next, startMs + MAX_TOKEN_MS);
    return { text: text.replace(/▁/g, ' '), startMs, endMs: Math.max(startMs + 1, Math.min(end, Math.max(endMs, startMs + 1))), logProb: logProbs?.[i] ?? null };
  });
}

function group(result: SherpaResult, offsetMs: number, endMs: number): { text: string; startMs: number; endMs: number; logProbs: number[] }[] {
  const words: { text: string; startMs: number; endMs: number; logProbs: number[] }[] = [];
  for (const piece of pieces(result, offsetMs, endMs)) {
    if (BYTE_FALLBACK.test(piece.text.trim()) || piece.text.trim() === '') continue;
    const core = piece.text.trim();
    const last = words.at(-1);
    const startsWord = last === undefined || /^\s/.test(piece.text) || CJK.test(core) || CJK.test(last.text.slice(-1));
    if (startsWord && !(last !== undefined && PUNCTUATION_ONLY.test(core))) {
      words.push({ text: core, startMs: piece.startMs, endMs: piece.endMs, logProbs: piece.logProb === null ? [] : [piece.logProb] });
    } else {
      last!.text += core;
      last!.endMs = Math.max(last!.endMs, piece.endMs);
      if (piece.logProb !== null) last!.logProbs.push(piece.logProb);
    }
  }
  // Models trained on upper-case transcripts (LibriSpeech zipformers) shout; Hark's words are lower-case unless a model writes case.
  const shouting = words.length > 0 && !words.some((w) => /\p{Ll}/u.test(w.text));
  return shouting ? words.map((w) => ({ ...w, text: w.text.toLowerCase() })) : words;
}

/**
 * Final words of one utterance, times offset by `offsetMs` (where the decoded audio starts) and
 * clipped to `endMs` (where it ends). Confidence is the product of the word's token probabilities.
 * @example toRecognizedWords({ tokens: [' high', 'er'], timestamps: [1.44, 1.76] }, 0, 2000)
 *   // [{ word: 'higher', startMs: 1440, endMs: 2000, confidence: 1 }]
 */
export function toRecognizedWords(result: SherpaResult, offsetMs: number, endMs: number): RecognizedWord[] {
  return group(result, offsetMs, endMs).map((w) => ({
    word: w.text,
    startMs: w.startMs,
    endMs: w.endMs,
    confidence: w.logProbs.length > 0 ? Math.min(1, Math.exp(w.logProbs.reduce((a, b) => a + b, 0))) : NO_PROBABILITY_CONFIDENCE,
  }));
}

/** Words of a partial hypothesis (no confidence mid-utterance). */
export function toPartialWords(result: SherpaResult, offsetMs: number, endMs: number): PartialWord[] {
  return group(result, offsetMs, endMs).map(({ text, startMs, endMs: end }) => ({ word: text, startMs, endMs: end }));
}

/** The ISO 639 code in sherpa's `lang` field (`<|en|>`, `en`), or null when it names none. */
export function resultLanguage(result: SherpaResult): string | null {
  const match = /^(?:<\|)?([a-z]{2,3})(?:\|>)?$/.exec(result.lang?.trim() ?? '');
  return match ? match[1]! : null;
}
