/**
 * Turns recognised words into Soniox-style tokens: leading spaces, sentence
 * casing and end punctuation. Pure functions; the state between utterances is
 * an explicit value so a live session can format utterance by utterance.
 */
import type { RecognizedWord } from '../engines/speech-engine.js';
import type { Token } from './token.js';

/** The words of one utterance, in order, and how the utterance ended. */
export interface UtteranceWords {
  /** With diarization, each word's `speaker` goes to its token and to the "." after it. */
  words: readonly (RecognizedWord & { speaker?: string })[];
  /**
   * The utterance ended at a pause or at the end of the audio, so its last
   * word closes a sentence. False when it was cut only to bound its length.
   */
  endsSentence: boolean;
}

/** What formatting the next utterance needs to know about the previous ones. */
export interface TranscriptState {
  /** No token yet: the next word gets no leading space. */
  atStart: boolean;
  /** The next word opens a sentence and is capitalised. */
  sentenceStart: boolean;
}

export const INITIAL_TRANSCRIPT_STATE: TranscriptState = { atStart: true, sentenceStart: true };

// The pronoun "I" and its contractions (i'm, i'll, i've, i'd) are always capitalised.
const PRONOUN_I = /^i(?:$|')/;

// A capital anywhere: the word is a context term, already written as the term is.
const HAS_CAPITAL = /\p{Lu}/u;

// Titles the dictionary spells without capital or full stop. "dr" and "st"
// are left alone: the engine says them as "drive" and "street" as well.
const TITLES: ReadonlyMap<string, string> = new Map([
  ['mr', 'Mr.'], ['mr.', 'Mr.'], ['mrs', 'Mrs.'], ['mrs.', 'Mrs.'], ['ms', 'Ms.'],
]);

/**
 * The written form of a dictionary word: "i" and its contractions become
 * "I…", titles are written "Mr.", "Mrs.", "Ms.", and a sentence's first word
 * gets a capital first letter. Words that already have a capital are
 * context terms and keep their spelling.
 *
 * @example casedWord('he', true) // 'He'
 * @example casedWord("i'm", false) // "I'm"
 * @example casedWord('mr', false) // 'Mr.'
 * @example casedWord('iPhone', true) // 'iPhone'
 */
export function casedWord(word: string, sentenceStart: boolean): string {
  if (HAS_CAPITAL.test(word)) return word;
  const title = TITLES.get(word);
  if (title !== undefined) return title;
  if (sentenceStart || PRONOUN_I.test(word)) return word.charAt(0).toUpperCase() + word.slice(1);
  return word;
}

/**
 * Formats one utterance. A sentence-ending utterance gets a "." token after
 * its last word, timed at the word's end with the word's confidence (Soniox
 * sends punctuation as its own token without a leading space).
 *
 * @example
 * formatUtterance({ words, endsSentence: true }, INITIAL_TRANSCRIPT_STATE)
 * // tokens: "He", " was", " here", "."
 */
export function formatUtterance(
  utterance: UtteranceWords,
  state: TranscriptState,
): { tokens: Token[]; state: TranscriptState } {
  const { words, endsSentence } = utterance;
  // An utterance without words changes nothing, not even a pending sentence end.
  if (words.length === 0) return { tokens: [], state };
  const tokens: Token[] = words.map((w, i) => {
    const text = casedWord(w.word, i === 0 && state.sentenceStart);
    return {
      text: i === 0 && state.atStart ? text : ` ${text}`,
      startMs: w.startMs,
      endMs: w.endMs,
      confidence: w.confidence,
      ...(w.speaker === undefined ? {} : { speaker: w.speaker }),
      ...(w.language === undefined ? {} : { language: w.language }),
    };
  });
  const last = words[words.length - 1]!;
  // Abbreviations such as "a.m." and "Mr." already end the sentence visibly, as do a remote engine's "?" and "!".
  if (endsSentence && !/[.!?…]$/u.test(tokens[tokens.length - 1]!.text)) {
    const speaker = last.speaker === undefined ? {} : { speaker: last.speaker };
    const language = last.language === undefined ? {} : { language: last.language };
    tokens.push({ text: '.', startMs: last.endMs, endMs: last.endMs, confidence: last.confidence, ...speaker, ...language });
  }
  return { tokens, state: { atStart: false, sentenceStart: endsSentence } };
}

/**
 * Formats a whole transcript from its successive utterances.
 *
 * @example
 * wordsToTokens([{ words: heWasHere, endsSentence: true }]).map((t) => t.text).join('')
 * // 'He was here.'
 */
export function wordsToTokens(utterances: Iterable<UtteranceWords>): Token[] {
  const tokens: Token[] = [];
  let state = INITIAL_TRANSCRIPT_STATE;
  for (const utterance of utterances) {
    const formatted = formatUtterance(utterance, state);
    tokens.push(...formatted.tokens);
    state = formatted.state;
  }
  return tokens;
}
