/**
 * A Soniox `context` as sherpa-onnx hotwords: the phrases its modified beam
 * search boosts (transducer models only, see model-files.ts).
 *
 * Terms come first, then the values of `general` (short facts such as a
 * name or an organisation); `text` is prose, not phrases, and is not used.
 * sherpa reads `/` as the phrase separator and a leading `:` as a boost
 * score, so both are removed from a phrase, as are line breaks. What goes
 * in is bounded on top of the contract's own context limits: each phrase
 * to {@link MAX_HOTWORD_WORDS} words and {@link MAX_HOTWORD_CHARS}
 * characters (longer ones are left out, not cut, since half a name is
 * a different phrase), and at most {@link MAX_HOTWORDS} phrases in all.
 */
import type { RecognitionContext } from '../../context/recognition-context.js';

export const MAX_HOTWORDS = 100;
export const MAX_HOTWORD_WORDS = 6;
export const MAX_HOTWORD_CHARS = 64;

function clean(phrase: string): string {
  return phrase.replace(/[/:\r\n\t]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The phrases to boost for `context`, in order, without duplicates (case-insensitive).
 * `upperCase`: the model writes only capitals (LibriSpeech zipformers), and its vocabulary has no lower-case pieces.
 * @example contextHotwords({ terms: ['Celebrex', 'a/b'], general: [{ key: 'org', value: 'Acme' }], text: '…', translationTerms: [] }, false)
 *   // ['Celebrex', 'a b', 'Acme']
 */
export function contextHotwords(context: RecognitionContext | null, upperCase: boolean): string[] {
  if (context === null) return [];
  const phrases: string[] = [];
  const seen = new Set<string>();
  for (const raw of [...context.terms, ...context.general.map((g) => g.value)]) {
    const phrase = clean(raw);
    if (phrase === '' || phrase.length > MAX_HOTWORD_CHARS || phrase.split(' ').length > MAX_HOTWORD_WORDS) continue;
    const key = phrase.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    phrases.push(upperCase ? phrase.toUpperCase() : phrase);
    if (phrases.length === MAX_HOTWORDS) break;
  }
  return phrases;
}
