/**
 * Transcript tokens as the API sends them, grouped into the segments people
 * read: a speaker's sentence or two, with its start and end time and, when
 * translation was asked for, its translation beside it.
 *
 * Shared by the CLI and the web app (bundled by Vite), so it uses neither
 * Node nor the DOM.
 */

/** A token as on the wire (REST transcript or real-time result), snake_case. */
export interface WireToken {
  text: string;
  start_ms?: number | null | undefined;
  end_ms?: number | null | undefined;
  confidence?: number | null | undefined;
  is_final?: boolean | undefined;
  speaker?: string | null | undefined;
  language?: string | null | undefined;
  translation_status?: 'none' | 'original' | 'translation' | null | undefined;
  source_language?: string | null | undefined;
}

export interface TranscriptSegment {
  /** The speaker label ("1", "2", …) with diarization, else null. */
  speaker: string | null;
  /** The spoken language with language identification or translation, else null. */
  language: string | null;
  startMs: number;
  endMs: number;
  /** The spoken tokens, in order (their text concatenated is `text`, untrimmed). */
  tokens: WireToken[];
  /** The spoken text, trimmed. */
  text: string;
  /** The translation of exactly this segment's speech, when there is one. */
  translation: { language: string; text: string } | null;
}

export interface SegmentOptions {
  /** A pause this long between two words starts a new segment. */
  maxGapMs?: number;
  /** An untranslated segment is cut at a word boundary once it lasts this long… */
  maxDurationMs?: number;
  /** …or has this many characters (a two-line subtitle). */
  maxChars?: number;
}

const DEFAULTS: Required<SegmentOptions> = { maxGapMs: 1500, maxDurationMs: 7000, maxChars: 84 };

const SENTENCE_END = /[.!?…。！？]["'»”’)]*$/u;

export function isTranslationToken(token: WireToken): boolean {
  return token.translation_status === 'translation';
}

/** A real-time marker token (`<end>`, `<fin>`); never part of the text. */
export function isMarkerToken(token: WireToken): boolean {
  return token.text === '<end>' || token.text === '<fin>';
}

interface Piece {
  speaker: string | null;
  language: string | null;
  tokens: WireToken[];
  translation: WireToken[];
  /** The piece was closed by a sentence end or a pause, not by a translation. */
  closed: boolean;
}

function startOf(token: WireToken): number {
  return token.start_ms ?? 0;
}

function endOf(token: WireToken): number {
  return token.end_ms ?? token.start_ms ?? 0;
}

/**
 * Spoken tokens cut at speaker and language changes, sentence ends, long
 * pauses and translations; each translation goes to the piece it follows
 * (the API sends a run of originals, then that run's translation).
 */
function pieces(tokens: readonly WireToken[], maxGapMs: number): Piece[] {
  const out: Piece[] = [];
  let current: Piece | null = null;
  for (const token of tokens) {
    if (isMarkerToken(token)) {
      if (current) current.closed = true;
      continue;
    }
    if (isTranslationToken(token)) {
      const last = out.at(-1);
      if (last) {
        last.translation.push(token);
        current = null;
      }
      continue;
    }
    const speaker = token.speaker ?? null;
    const language = token.language ?? null;
    const previous = current?.tokens.at(-1);
    const continues =
      current !== null &&
      previous !== undefined &&
      !current.closed &&
      current.speaker === speaker &&
      current.language === language &&
      startOf(token) - endOf(previous) < maxGapMs;
    if (!continues) {
      if (current && previous && startOf(token) - endOf(previous) >= maxGapMs) current.closed = true;
      current = { speaker, language, tokens: [], translation: [], closed: false };
      out.push(current);
    }
    current!.tokens.push(token);
    if (SENTENCE_END.test(token.text)) current!.closed = true;
  }
  return out;
}

function joined(tokens: readonly WireToken[]): string {
  return tokens.map((t) => t.text).join('');
}

function segmentOf(tokens: WireToken[], speaker: string | null, language: string | null, translation: WireToken[]): TranscriptSegment {
  const translationLanguage = translation.find((t) => t.language)?.language ?? null;
  return {
    speaker,
    language,
    startMs: startOf(tokens[0]!),
    endMs: Math.max(...tokens.map(endOf)),
    tokens,
    text: joined(tokens).trim(),
    translation:
      translation.length > 0 ? { language: translationLanguage ?? '', text: joined(translation).trim() } : null,
  };
}

/** Cuts an untranslated piece that is too long for one subtitle, at word boundaries. */
function splitLong(piece: Piece, options: Required<SegmentOptions>): TranscriptSegment[] {
  if (piece.translation.length > 0) return [segmentOf(piece.tokens, piece.speaker, piece.language, piece.translation)];
  const out: TranscriptSegment[] = [];
  let tokens: WireToken[] = [];
  for (const token of piece.tokens) {
    const wordStart = /^\s/.test(token.text);
    const first = tokens[0];
    const tooLong =
      first !== undefined &&
      (endOf(token) - startOf(first) > options.maxDurationMs || joined(tokens).trim().length + token.text.length > options.maxChars);
    if (wordStart && tooLong) {
      out.push(segmentOf(tokens, piece.speaker, piece.language, []));
      tokens = [];
    }
    tokens.push(token);
  }
  if (tokens.length > 0) out.push(segmentOf(tokens, piece.speaker, piece.language, []));
  return out;
}

/**
 * Groups a transcript's tokens into segments: one speaker and language each,
 * cut at sentence ends, long pauses and subtitle length. Pieces that were cut
 * only because a translation chunk followed (Soniox translates mid-sentence)
 * are merged back, their translations with them, so a segment's translation
 * is always the translation of that segment.
 *
 * @example
 * segmentTranscript([{ text: 'Hi', start_ms: 0, end_ms: 300 }, { text: '.', start_ms: 300, end_ms: 300 }])
 * // [{ speaker: null, language: null, startMs: 0, endMs: 300, text: 'Hi.', translation: null, tokens: [...] }]
 */
export function segmentTranscript(tokens: readonly WireToken[], options: SegmentOptions = {}): TranscriptSegment[] {
  const settings = { ...DEFAULTS, ...options };
  const merged: Piece[] = [];
  for (const piece of pieces(tokens, settings.maxGapMs)) {
    const last = merged.at(-1);
    const lastToken = last?.tokens.at(-1);
    const mergeable =
      last !== undefined &&
      lastToken !== undefined &&
      !last.closed &&
      last.translation.length > 0 &&
      piece.translation.length > 0 &&
      last.speaker === piece.speaker &&
      last.language === piece.language &&
      endOf(piece.tokens.at(-1)!) - startOf(last.tokens[0]!) <= settings.maxDurationMs;
    if (mergeable) {
      last.tokens.push(...piece.tokens);
      last.translation.push(...piece.translation);
      last.closed = piece.closed;
    } else merged.push({ ...piece, tokens: [...piece.tokens], translation: [...piece.translation] });
  }
  return merged.flatMap((piece) => splitLong(piece, settings));
}

/** Consecutive segments of one speaker: the paragraphs of a transcript. */
export function speakerTurns(segments: readonly TranscriptSegment[]): TranscriptSegment[][] {
  const turns: TranscriptSegment[][] = [];
  for (const segment of segments) {
    const turn = turns.at(-1);
    if (turn && turn[0]!.speaker === segment.speaker) turn.push(segment);
    else turns.push([segment]);
  }
  return turns;
}
