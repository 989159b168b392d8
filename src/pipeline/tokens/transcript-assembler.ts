/**
 * The bookkeeping of a live transcript (API.md §7.7–§7.11): which tokens are
 * final, which are still provisional, when the `<end>` and `<fin>` markers
 * go out, and how far the audio is processed. No I/O: the live pipeline tells
 * it what the recognizers found, and takes one update per result message;
 * only speakers come back by themselves ({@link SpeakerLabelling.labelled}).
 *
 * Utterances are finalized strictly in order, so a final token is sent once,
 * never changed, and always formatted (spacing, casing, end punctuation)
 * exactly as the async transcript of the same utterances would be. With
 * speaker labels, an utterance's final words wait for their speakers, which
 * are decided off the event loop.
 */
import type { AsyncLiveDiarizer } from '../diarization/diarizer.js';
import type { PartialWord, RecognizedWord } from '../engines/speech-engine.js';
import { INITIAL_TRANSCRIPT_STATE, type TranscriptState, formatUtterance } from './format-tokens.js';

/** A token of a result message, camelCase; markers carry no timestamps. */
export interface StreamToken {
  text: string;
  startMs?: number;
  endMs?: number;
  confidence: number;
  isFinal: boolean;
  /** With diarization. */
  speaker?: string;
  /** With language identification or translation. */
  language?: string;
  /** With translation. */
  translationStatus?: 'none' | 'original' | 'translation';
  /** Only on translation tokens. */
  sourceLanguage?: string;
}

/** One result message's content. */
export interface TranscriptUpdate {
  /** Tokens finalized since the previous update, then the whole current non-final tail. */
  tokens: StreamToken[];
  finalAudioProcMs: number;
  totalAudioProcMs: number;
}

export type Marker = '<end>' | '<fin>';

/**
 * PocketSphinx has word posteriors only at the end of an utterance, so words
 * of the utterance still being spoken carry this neutral value until then.
 */
export const PROVISIONAL_CONFIDENCE = 0.5;

interface UtteranceEntry {
  kind: 'utterance';
  id: number;
  startMs: number;
  /** Null while the utterance is still being spoken. */
  endMs: number | null;
  endsSentence: boolean;
  /** Latest partial hypothesis. */
  partial: readonly PartialWord[];
  /** Words of the fast pass, once the utterance is closed. */
  provisional: readonly RecognizedWord[] | null;
  /** The words to finalize with, once known. */
  final: readonly RecognizedWord[] | null;
  /** Some of its words went out as non-final: they may go final now. */
  shown: boolean;
  /** With a diarizer: its final words' speakers were asked for (once, when it was the head). */
  speakersAsked: boolean;
  /** Its final words' speakers, once they arrived. */
  speakers: readonly string[] | null;
}

type Entry = UtteranceEntry | { kind: 'marker'; text: Marker };

/** How the transcript gets its speakers. */
export interface SpeakerLabelling {
  diarizer: Pick<AsyncLiveDiarizer, 'labelFinal' | 'labelProvisional'>;
  /** Final words' speakers arrived: a {@link TranscriptAssembler.take} is due. */
  labelled(): void;
  /** The diarizer could not label final words: the transcript cannot be finalized. */
  failed(err: Error): void;
}

/** The final words, kept inside their utterance: a final token must not end after the audio it was finalized from. */
function keptInside(words: readonly RecognizedWord[], startMs: number, endMs: number): RecognizedWord[] {
  return words.map((w) => {
    const end = Math.min(Math.max(w.endMs, startMs), endMs);
    return { ...w, startMs: Math.min(Math.max(w.startMs, startMs), end), endMs: end };
  });
}

/** The utterance's speakers were asked for and have not arrived. */
function awaitsSpeakers(entry: UtteranceEntry): boolean {
  return entry.speakersAsked && entry.speakers === null;
}

/**
 * @example
 * const t = new TranscriptAssembler();
 * t.openUtterance(1, 800);
 * t.updatePartial(1, [{ word: 'he', startMs: 1000, endMs: 1200 }]);
 * t.take({ totalAudioMs: 1300, settledMs: 600 }); // "He" non-final, final 600, total 1300
 * t.closeUtterance(1, 1500, true);
 * t.resolve(1, words);
 * t.take({ totalAudioMs: 2000, settledMs: 1500 }); // "He", " was", "." final
 */
export class TranscriptAssembler {
  private readonly entries: Entry[] = [];
  private state: TranscriptState = INITIAL_TRANSCRIPT_STATE;
  private finalsNotTaken: StreamToken[] = [];
  /** Words were finalized since the last marker: an `<end>` now ends something. */
  private wordsSinceMarker = false;
  private finalMs = 0;
  private totalMs = 0;
  private lastTail = '[]';

  /** @param labelling labels the words with speakers: final ones once, in order; null: no speakers. */
  constructor(private readonly labelling: SpeakerLabelling | null = null) {}

  openUtterance(id: number, startMs: number): void {
    this.entries.push({
      kind: 'utterance', id, startMs, endMs: null, endsSentence: false, partial: [], provisional: null, final: null, shown: false,
      speakersAsked: false, speakers: null,
    });
  }

  updatePartial(id: number, words: readonly PartialWord[]): void {
    const entry = this.find(id);
    if (entry && entry.endMs === null) entry.partial = words;
  }

  /** The utterance ended at `endMs`; its words are still to come. */
  closeUtterance(id: number, endMs: number, endsSentence: boolean): void {
    const entry = this.find(id);
    if (!entry) return;
    entry.endMs = endMs;
    entry.endsSentence = endsSentence;
  }

  /** The fast pass's words: shown as non-final until {@link resolve}. */
  setProvisional(id: number, words: readonly RecognizedWord[]): void {
    const entry = this.find(id);
    if (entry) entry.provisional = words;
  }

  /** The words the utterance is finalized with. */
  resolve(id: number, words: readonly RecognizedWord[]): void {
    const entry = this.find(id);
    if (entry && entry.endMs !== null && entry.final === null) entry.final = words;
  }

  /** A marker after everything added so far; sent once all of it is final. */
  addMarker(text: Marker): void {
    this.entries.push({ kind: 'marker', text });
  }

  /** True while some utterance still waits for its final words, or for their speakers. */
  hasPending(): boolean {
    return this.entries.some((e) => e.kind === 'utterance' && (e.final === null || awaitsSpeakers(e)));
  }

  /** Utterances whose final words are known but not sent: they wait for the one before, or for their speakers. */
  finalsWaiting(): number {
    return this.entries.filter((e) => e.kind === 'utterance' && e.final !== null).length;
  }

  /**
   * True when final tokens are ready but not taken: a {@link take} is due.
   * (A message carries at most one marker; and when none of an utterance's
   * words went out as non-final before, because the fast pass was behind,
   * the next take shows them non-final and the one after finalizes them.)
   * False while the head's speakers are on their way: their arrival calls
   * {@link SpeakerLabelling.labelled}.
   */
  hasHeldFinals(): boolean {
    const head = this.entries[0];
    if (head?.kind === 'marker') return true;
    if (head === undefined || head.final === null || head.endMs === null) return false;
    return (!head.shown && head.final.length > 0) || !awaitsSpeakers(head);
  }

  /**
   * The next result message, or null when it would repeat the previous one.
   *
   * @param progress `totalAudioMs`: audio the recognizers have processed;
   *   `settledMs`: no utterance can start before this any more.
   * @param always return an update even when it repeats the previous one.
   */
  take(progress: { totalAudioMs: number; settledMs: number }, always = false): TranscriptUpdate | null {
    this.finalizeReady();
    let tailState = this.state;
    const tail: StreamToken[] = [];
    const open = this.entries.filter((e): e is UtteranceEntry => e.kind === 'utterance');
    const openWords = open.map((e) => e.final ?? e.provisional ?? e.partial.map((w) => ({ ...w, confidence: PROVISIONAL_CONFIDENCE })));
    // All non-final words at once: a speaker's turn may span utterances.
    const speakers = this.labelling?.diarizer.labelProvisional(openWords.flat());
    let labelled = 0;
    for (const [i, entry] of open.entries()) {
      const words = speakers ? openWords[i]!.map((w) => ({ ...w, speaker: speakers[labelled++]! })) : openWords[i]!;
      const formatted = formatUtterance({ words, endsSentence: entry.endMs !== null && entry.endsSentence }, tailState);
      tailState = formatted.state;
      for (const t of formatted.tokens) tail.push({ ...t, isFinal: false });
      if (formatted.tokens.length > 0) entry.shown = true;
    }
    const firstOpen = this.entries.find((e): e is UtteranceEntry => e.kind === 'utterance');
    const finalMs = Math.max(this.finalMs, Math.min(firstOpen?.startMs ?? Infinity, progress.settledMs));
    // Audio made final is processed, even when the fast pass has not reached it yet.
    const totalMs = Math.max(this.totalMs, progress.totalAudioMs, finalMs);
    const tailKey = JSON.stringify(tail);
    const unchanged = this.finalsNotTaken.length === 0 && tailKey === this.lastTail && totalMs === this.totalMs && finalMs === this.finalMs;
    if (unchanged && !always) {
      return null;
    }
    const tokens = [...this.finalsNotTaken, ...tail];
    this.finalsNotTaken = [];
    this.lastTail = tailKey;
    this.totalMs = totalMs;
    this.finalMs = finalMs;
    return { tokens, finalAudioProcMs: finalMs, totalAudioProcMs: totalMs };
  }

  /** Moves resolved utterances and markers at the head into the finals. */
  private finalizeReady(): void {
    while (this.entries.length > 0) {
      const head = this.entries[0]!;
      if (head.kind === 'marker') {
        // `<end>` closes an utterance, so it needs one; `<fin>` answers a request, so it always goes out.
        if (head.text === '<fin>' || this.wordsSinceMarker) {
          this.finalsNotTaken.push({ text: head.text, confidence: 1, isFinal: true });
          this.wordsSinceMarker = false;
          // One marker per message: the SDKs raise one endpoint (or finalized)
          // event per message, however many markers it holds.
          this.entries.shift();
          return;
        }
      } else {
        if (head.final === null || head.endMs === null) return;
        const words = keptInside(head.final, head.startMs, head.endMs);
        // Asked for now, while the words are shown as non-final, so that they arrive sooner.
        this.askSpeakers(head, words);
        // Every final word is sent as non-final first (API.md §7.9).
        if ((!head.shown && head.final.length > 0) || awaitsSpeakers(head)) return;
        const { speakers } = head;
        const labelled = speakers ? words.map((w, i) => ({ ...w, speaker: speakers[i]! })) : words;
        const formatted = formatUtterance({ words: labelled, endsSentence: head.endsSentence }, this.state);
        this.state = formatted.state;
        for (const t of formatted.tokens) this.finalsNotTaken.push({ ...t, isFinal: true });
        if (formatted.tokens.length > 0) this.wordsSinceMarker = true;
      }
      this.entries.shift();
    }
  }

  /** Asks the diarizer for the head's speakers, once; they are stored on it when they arrive. */
  private askSpeakers(head: UtteranceEntry, words: readonly RecognizedWord[]): void {
    const labelling = this.labelling;
    if (!labelling || head.speakersAsked) return;
    head.speakersAsked = true;
    // No words, nothing to decide: the diarizer's answer would be [] and change nothing.
    if (words.length === 0) {
      head.speakers = [];
      return;
    }
    labelling.diarizer.labelFinal(words).then(
      (speakers) => {
        head.speakers = speakers;
        labelling.labelled();
      },
      (err: unknown) => labelling.failed(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private find(id: number): UtteranceEntry | undefined {
    return this.entries.find((e): e is UtteranceEntry => e.kind === 'utterance' && e.id === id);
  }
}
