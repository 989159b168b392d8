/**
 * From "who spoke when" to "who said which word": a word takes the speaker
 * whose turns overlap it most, so a word is never split between speakers.
 */
import type { SpeakerTurn, TimedWord } from './diarizer.js';

/** Index of the first turn that ends after `ms` (turns in time order). */
function firstEndingAfter(turns: readonly SpeakerTurn[], ms: number): number {
  let lo = 0;
  let hi = turns.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (turns[mid]!.endMs <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The speaker of each word: the one with the most overlap; a word in no
 * turn (e.g. in the quiet padding around speech) takes the nearest turn's
 * speaker. Without turns there are no speakers, and every word gets "1".
 *
 * @example
 * speakersOfWords([{ startMs: 900, endMs: 1300 }], [
 *   { startMs: 0, endMs: 1000, speaker: '1' },
 *   { startMs: 1000, endMs: 3000, speaker: '2' },
 * ]) // ['2']
 */
export function speakersOfWords(words: readonly TimedWord[], turns: readonly SpeakerTurn[]): string[] {
  if (turns.length === 0) return words.map(() => '1');
  return words.map((word) => {
    const first = firstEndingAfter(turns, word.startMs);
    const overlap = new Map<string, number>();
    for (let t = first; t < turns.length && turns[t]!.startMs < word.endMs; t++) {
      const turn = turns[t]!;
      const ms = Math.min(turn.endMs, word.endMs) - Math.max(turn.startMs, word.startMs);
      if (ms > 0) overlap.set(turn.speaker, (overlap.get(turn.speaker) ?? 0) + ms);
    }
    let best: string | null = null;
    for (const [speaker, ms] of overlap) if (best === null || ms > overlap.get(best)!) best = speaker;
    if (best !== null) return best;
    // No overlap: the turn just before or just after, whichever is closer.
    const before = turns[first - 1];
    const after = turns[first];
    if (!after) return before!.speaker;
    if (!before) return after.speaker;
    return word.startMs - before.endMs <= after.startMs - word.endMs ? before.speaker : after.speaker;
  });
}

/**
 * `words` with their speakers.
 *
 * @example withSpeakers(words, diarizer.finish()) // [{ word: 'he', …, speaker: '1' }, …]
 */
export function withSpeakers<W extends TimedWord>(words: readonly W[], turns: readonly SpeakerTurn[]): (W & { speaker: string })[] {
  const speakers = speakersOfWords(words, turns);
  return words.map((w, i) => ({ ...w, speaker: speakers[i]! }));
}
