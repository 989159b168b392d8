/**
 * A transcript as plain text, SubRip (.srt), WebVTT (.vtt) or JSON: the
 * export formats of the CLI and the web app. Shared by both (no Node, no DOM).
 */
import { type TranscriptSegment, type WireToken, segmentTranscript, speakerTurns } from './transcript-segments.js';

export const TRANSCRIPT_FORMATS = ['txt', 'srt', 'vtt', 'json'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** The transcript as `GET /v1/transcriptions/{id}/transcript` returns it. */
export interface WireTranscript {
  id: string;
  text: string;
  tokens: WireToken[];
}

export function isTranscriptFormat(value: string): value is TranscriptFormat {
  return (TRANSCRIPT_FORMATS as readonly string[]).includes(value);
}

/**
 * `h:mm:ss` (or `m:ss` under an hour), for people.
 *
 * @example clockTime(75_400) // '1:15'
 */
export function clockTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `hh:mm:ss<sep>mmm`: SubRip uses a comma, WebVTT a full stop. */
function cueTime(ms: number, separator: ',' | '.'): string {
  const t = Math.max(0, Math.round(ms));
  const h = String(Math.floor(t / 3_600_000)).padStart(2, '0');
  const m = String(Math.floor((t % 3_600_000) / 60_000)).padStart(2, '0');
  const s = String(Math.floor((t % 60_000) / 1000)).padStart(2, '0');
  return `${h}:${m}:${s}${separator}${String(t % 1000).padStart(3, '0')}`;
}

export function speakerName(speaker: string): string {
  return `Speaker ${speaker}`;
}

/** A cue lasts at least this long, so a one-word segment can be read. */
const MIN_CUE_MS = 500;

function cueEnd(segment: TranscriptSegment, next: TranscriptSegment | undefined): number {
  const end = Math.max(segment.endMs, segment.startMs + MIN_CUE_MS);
  // …but never overlaps the next cue.
  return next ? Math.min(end, Math.max(next.startMs, segment.endMs)) : end;
}

/**
 * SubRip: one cue per segment, the speaker in brackets, the translation on
 * the cue's second line.
 */
function toSrt(segments: readonly TranscriptSegment[]): string {
  return segments
    .map((segment, i) => {
      const lines = [
        String(i + 1),
        `${cueTime(segment.startMs, ',')} --> ${cueTime(cueEnd(segment, segments[i + 1]), ',')}`,
        segment.speaker === null ? segment.text : `[${speakerName(segment.speaker)}] ${segment.text}`,
      ];
      if (segment.translation) lines.push(segment.translation.text);
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** WebVTT: speakers as voice spans (`<v Speaker 1>`), translations as language spans. */
function toVtt(segments: readonly TranscriptSegment[]): string {
  const cues = segments.map((segment, i) => {
    const text = escapeVtt(segment.text);
    const lines = [
      `${cueTime(segment.startMs, '.')} --> ${cueTime(cueEnd(segment, segments[i + 1]), '.')}`,
      segment.speaker === null ? text : `<v ${escapeVtt(speakerName(segment.speaker))}>${text}`,
    ];
    if (segment.translation) {
      lines.push(`<lang ${escapeVtt(segment.translation.language)}>${escapeVtt(segment.translation.text)}</lang>`);
    }
    return lines.join('\n');
  });
  return `WEBVTT\n\n${cues.map((cue) => `${cue}\n`).join('\n')}`;
}

/**
 * Paragraphs of speaker turns: `Speaker 1 (0:04)` over what they said; a
 * translation follows its paragraph, tagged with its language.
 */
function toPlainText(segments: readonly TranscriptSegment[]): string {
  return speakerTurns(segments)
    .map((turn) => {
      const first = turn[0]!;
      const lines: string[] = [];
      if (first.speaker !== null) lines.push(`${speakerName(first.speaker)} (${clockTime(first.startMs)})`);
      lines.push(turn.map((s) => s.text).join(' '));
      const translated = turn.filter((s) => s.translation !== null);
      if (translated.length > 0) {
        lines.push(`[${translated[0]!.translation!.language}] ${translated.map((s) => s.translation!.text).join(' ')}`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/**
 * A transcript in one of the export formats. `json` is the API's transcript
 * object, unchanged.
 *
 * @example formatTranscript(transcript, 'srt') // '1\n00:00:00,220 --> 00:00:02,740\nHe was not…'
 */
export function formatTranscript(transcript: WireTranscript, format: TranscriptFormat): string {
  if (format === 'json') return `${JSON.stringify(transcript, null, 2)}\n`;
  const segments = segmentTranscript(transcript.tokens);
  if (format === 'srt') return toSrt(segments);
  if (format === 'vtt') return toVtt(segments);
  return toPlainText(segments);
}
