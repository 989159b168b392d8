/**
 * How live captions are laid out, as in the Soniox docs' examples: a new
 * speaker starts a turn ("Speaker 2:"), a change of language or between
 * speech and its translation starts a line with a tag ("[en]",
 * "[Translation] [es]"), and an endpoint (`<end>`) or finalization (`<fin>`)
 * ends the line. Shared by `hark stream` and the web app (no Node, no DOM).
 */
import { type WireToken, isTranslationToken } from './transcript-segments.js';

/** Where the previous token left the captions. */
export interface CaptionPosition {
  speaker: string | null;
  language: string | null;
  translation: boolean;
  /** A `<end>` or `<fin>` came after the previous token. */
  lineEnded: boolean;
}

/** What comes before a token: nothing, a new line, or a new speaker turn. */
export type CaptionBreak = 'none' | 'line' | 'turn';

/**
 * The break before `token`, given where the captions are.
 *
 * @example captionBreak(null, { text: 'Hi', speaker: '1' }) // 'turn'
 */
export function captionBreak(position: CaptionPosition | null, token: WireToken): CaptionBreak {
  const speaker = token.speaker ?? null;
  if (position === null) return speaker !== null ? 'turn' : 'line';
  if (speaker !== null && speaker !== position.speaker) return 'turn';
  if (position.lineEnded) return 'line';
  if ((token.language ?? null) !== position.language) return 'line';
  if (isTranslationToken(token) !== position.translation) return 'line';
  return 'none';
}

/** The position after `token`. */
export function advance(position: CaptionPosition | null, token: WireToken): CaptionPosition {
  return {
    speaker: token.speaker ?? position?.speaker ?? null,
    language: token.language ?? null,
    translation: isTranslationToken(token),
    lineEnded: false,
  };
}

/** The position after an `<end>` or `<fin>` marker. */
export function endLine(position: CaptionPosition | null): CaptionPosition | null {
  return position === null ? null : { ...position, lineEnded: true };
}

/**
 * The tag that opens a line: the language, marked when it is a translation.
 * Null without language identification or translation.
 *
 * @example lineTag({ text: ' hola', language: 'es', translation_status: 'translation' }) // '[Translation] [es]'
 */
export function lineTag(token: WireToken): string | null {
  if (!token.language) return null;
  return isTranslationToken(token) ? `[Translation] [${token.language}]` : `[${token.language}]`;
}
