/**
 * A recognition context as the `prompt` of an OpenAI-style transcription
 * request. Whisper reads the prompt as text that came before the audio and
 * keeps only its last 224 tokens, so the terms (the spellings that matter
 * most) come first and the whole is bounded.
 */
import type { RecognitionContext } from '../../context/recognition-context.js';

/** About 224 Whisper tokens of English. */
export const MAX_PROMPT_CHARS = 900;

/**
 * @example contextPrompt({ terms: ['HbA1c', 'Dr. Bose'], text: 'A diabetes clinic.', general: [], translationTerms: [] })
 * // 'HbA1c, Dr. Bose. A diabetes clinic.'
 */
export function contextPrompt(context: RecognitionContext | null): string | null {
  if (context === null) return null;
  const parts: string[] = [];
  const terms = context.terms.map((t) => t.trim()).filter((t) => t.length > 0);
  if (terms.length > 0) parts.push(`${terms.join(', ')}.`);
  const general = context.general.map((g) => `${g.key}: ${g.value}`.trim()).filter((g) => g.length > 2);
  if (general.length > 0) parts.push(`${general.join('; ')}.`);
  if (context.text.trim().length > 0) parts.push(context.text.trim());
  const prompt = parts.join(' ');
  if (prompt.length === 0) return null;
  // Cut at a code point boundary.
  return Array.from(prompt).slice(0, MAX_PROMPT_CHARS).join('');
}
