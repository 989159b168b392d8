/**
 * The language stage of a live session: between the live transcript's
 * updates and the result messages, it labels every spoken token with its
 * language and, with translation, streams each final run's translation
 * right after it (see translation-interleaver.ts).
 *
 * Finals of a run waiting behind a translation still in progress are shown
 * as non-final until it arrives, so the client's display never lags the
 * recognizer; `final_audio_proc_ms` stops before them meanwhile.
 */
import type { LanguageIdentifier } from '../language/language-identifier.js';
import type { TranscriptToken } from '../tokens/token.js';
import type { StreamToken, TranscriptUpdate } from '../tokens/transcript-assembler.js';
import { type ChunkTranslator, type InterleaverEvents, TranslationInterleaver } from './translation-interleaver.js';
import type { TranslationRoute } from './translation-pairs.js';

export interface LiveTranslationEvents extends InterleaverEvents {
  /** A translation is ready: send {@link LiveTranslation.apply}(null). */
  changed(): void;
}

const isMarker = (token: StreamToken) => token.text === '<end>' || token.text === '<fin>';

function withoutFinality({ isFinal: _, ...token }: StreamToken): TranscriptToken {
  return token;
}

/**
 * @example
 * const stage = new LiveTranslation(identifier, route, translate, { changed: () => send(stage.apply(null)) });
 * send(stage.apply(live.take()));   // for each update of the live transcript
 * await stage.settle(live.take());  // at the end of the stream, then send stage.apply(live.take(true), true)
 */
export class LiveTranslation {
  private readonly interleaver: TranslationInterleaver | null;
  /** The current non-final tail, labelled: repeated when only a translation changed. */
  private tail: StreamToken[] = [];
  /** Labelled finals not sent yet, without translation (with it, the interleaver keeps them). */
  private readonly finals: StreamToken[] = [];
  private recognizedFinalMs = 0;
  private totalMs = 0;
  private sentFinalMs = 0;

  /** @param route null: label languages only (no translation requested). */
  constructor(
    private readonly identifier: LanguageIdentifier,
    private readonly route: TranslationRoute | null,
    translate: ChunkTranslator,
    events: LiveTranslationEvents,
  ) {
    this.interleaver = route ? new TranslationInterleaver(route, translate, events) : null;
  }

  /**
   * The result message for `update` (the live transcript's next one), or for
   * translations that became ready when `update` is null. Null when there is
   * nothing new to send, unless `always`.
   */
  apply(update: TranscriptUpdate | null, always = false): TranscriptUpdate | null {
    if (update) this.ingest(update);
    const released = this.interleaver ? this.interleaver.take().map((t) => ({ ...t, isFinal: true })) : this.finals.splice(0);
    if (!update && released.length === 0 && !always) return null;
    const held = this.interleaver ? this.interleaver.held() : [];
    const heldFromMs = held[0]?.startMs ?? Infinity;
    this.sentFinalMs = Math.max(this.sentFinalMs, Math.min(this.recognizedFinalMs, heldFromMs));
    return {
      tokens: [...released, ...held.map((t) => ({ ...t, isFinal: false })), ...this.tail],
      finalAudioProcMs: this.sentFinalMs,
      totalAudioProcMs: this.totalMs,
    };
  }

  /** Takes `update` (the last of the stream, if any) and resolves once every translation was released. */
  async settle(update: TranscriptUpdate | null): Promise<void> {
    if (update) this.ingest(update);
    await this.interleaver?.settled();
  }

  /** Abandons pending translations. */
  close(): void {
    this.interleaver?.close();
  }

  /** Labels the update's tokens and queues its finals (in the interleaver, with translation). */
  private ingest(update: TranscriptUpdate): void {
    this.recognizedFinalMs = update.finalAudioProcMs;
    this.totalMs = update.totalAudioProcMs;
    const finals = this.label(update.tokens.filter((t) => t.isFinal));
    this.tail = this.label(update.tokens.filter((t) => !t.isFinal)).map((t) => this.withStatus(t));
    if (!this.interleaver) this.finals.push(...finals);
    else if (finals.length > 0) {
      this.interleaver.push(finals.map(withoutFinality));
      // Finals arrive an utterance at a time, so the last one ends a stable run.
      this.interleaver.flush();
    }
  }

  /** Sets `language` on spoken tokens (one language per sentence); markers stay as they are. */
  private label(tokens: StreamToken[]): StreamToken[] {
    const languages = this.identifier.identify(tokens.filter((t) => !isMarker(t)));
    let next = 0;
    return tokens.map((t) => (isMarker(t) ? t : languages[next++]!));
  }

  /** A non-final token says whether it will be translated, as its final twin will. */
  private withStatus(token: StreamToken): StreamToken {
    if (!this.route || isMarker(token)) return token;
    return { ...token, translationStatus: this.route.targetFor(token.language) ? 'original' : 'none' };
  }
}
