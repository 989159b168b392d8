/**
 * `context.translation_terms` (API.md §7.14): wherever a term's `source`
 * phrase is spoken, its translation is the term's `target`, verbatim.
 *
 * Each phrase is swapped for a placeholder that reads as an unknown proper
 * noun (`Zxq0q`): a rule-based engine passes it through unchanged and still
 * translates the words around it as a sentence with a name in it. The
 * placeholders are then replaced by the targets. Should a placeholder not
 * come back intact, the text is translated piecewise around the phrases
 * instead (worse grammar, same guarantee).
 */
import type { Translator } from './translator.js';

export interface TranslationTerm {
  source: string;
  target: string;
}

const PLACEHOLDER = /Zxq(\d+)q/g;
const placeholder = (index: number) => `Zxq${index}q`;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches every term's source phrase as whole words, ignoring case and
 * spacing (speech recognisers choose the case); longer phrases win.
 * Null when there is nothing to match.
 */
function termPattern(terms: readonly TranslationTerm[]): RegExp | null {
  const sources = [...new Set(terms.map((t) => t.source.trim().toLowerCase()).filter((s) => s.length > 0))];
  if (sources.length === 0) return null;
  sources.sort((a, b) => b.length - a.length);
  const alternatives = sources.map((s) => s.split(/\s+/).map(escapeRegExp).join('\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/**
 * The target of the term whose source phrase `matched` is (the first one
 * given wins); the phrase itself should case folding ever disagree with the
 * pattern's.
 */
function targetOf(terms: readonly TranslationTerm[], matched: string): string {
  const key = matched.replace(/\s+/g, ' ').toLowerCase();
  return terms.find((t) => t.source.trim().replace(/\s+/g, ' ').toLowerCase() === key)?.target ?? matched;
}

const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Translates `text` from `source` to `target`, keeping each spoken term's
 * given translation.
 *
 * @throws whatever `translator.translate` throws.
 * @example
 * await translateWithTerms(translator, 'I am John Smith.', 'en', 'es', [{ source: 'Smith', target: 'Smith' }])
 * // 'Soy John Smith.' (Apertium alone says 'Soy John Herrero.')
 */
export async function translateWithTerms(
  translator: Pick<Translator, 'translate'>,
  text: string,
  source: string,
  target: string,
  terms: readonly TranslationTerm[],
  signal?: AbortSignal,
): Promise<string> {
  const pattern = termPattern(terms);
  if (!pattern || !pattern.test(text)) return translator.translate(text, source, target, signal);
  pattern.lastIndex = 0;

  const targets: string[] = [];
  const protectedText = text.replace(pattern, (matched) => {
    const termTarget = targetOf(terms, matched);
    let index = targets.indexOf(termTarget);
    if (index < 0) index = targets.push(termTarget) - 1;
    return placeholder(index);
  });
  const translated = await translator.translate(protectedText, source, target, signal);
  const expected = protectedText.match(PLACEHOLDER)?.sort().join() ?? '';
  if ((translated.match(PLACEHOLDER)?.sort().join() ?? '') === expected) {
    return tidy(translated.replace(PLACEHOLDER, (_, index: string) => targets[Number(index)]!));
  }

  // The engine changed a placeholder: translate the stretches between phrases on their own.
  const pieces: Promise<string>[] = [];
  const stretch = (piece: string) =>
    pieces.push(/[\p{L}\p{N}]/u.test(piece) ? translator.translate(piece, source, target, signal) : Promise.resolve(piece));
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    stretch(text.slice(last, match.index));
    pieces.push(Promise.resolve(targetOf(terms, match[0])));
    last = match.index + match[0].length;
  }
  stretch(text.slice(last));
  return tidy((await Promise.all(pieces)).join(' ').replace(/ ([.,;:!?])/g, '$1'));
}
