/**
 * Puts translation tokens into a stream of final transcript tokens, in the
 * order Soniox documents (API.md §7.13): a run of original tokens, then its
 * translation, then the next run.
 *
 * Final spoken tokens are grouped into chunks: one language and one speaker,
 * closed at the end of a sentence, at an `<end>`/`<fin>` marker, or when the
 * caller says the stream is at a stable point ({@link TranslationInterleaver.flush}).
 * A closed chunk is translated at once (a few at a time, in order).
 *
 * Originals of the chunk at the head of the stream go out as soon as they
 * are pushed; the chunk's translation follows as soon as it is ready. Later
 * chunks (and markers, which must come after the translation they close)
 * wait behind it: {@link TranslationInterleaver.held} shows them so a live
 * session can display them as non-final meanwhile.
 */
import type { TranscriptToken } from '../tokens/token.js';
import type { TranslationRoute } from './translation-pairs.js';
import { translationTokens } from './translation-tokens.js';

/** Translates one chunk's text (terms included). Rejects with `signal.reason` when aborted. */
export type ChunkTranslator = (text: string, source: string, target: string, signal: AbortSignal) => Promise<string>;

export interface InterleaverEvents {
  /** A translation finished: there are tokens to {@link TranslationInterleaver.take}. */
  changed?(): void;
  /** A chunk could not be translated; its originals stand without a translation. */
  failed?(err: unknown): void;
  /** A translation was released `delayMs` after its source chunk became complete. */
  translated?(delayMs: number): void;
}

interface Chunk {
  kind: 'chunk';
  language: string | undefined;
  speaker: string | undefined;
  /** Null: only transcribed (`translation_status: "none"`). */
  target: string | null;
  tokens: TranscriptToken[];
  /** How many of `tokens` went out. */
  released: number;
  /** performance.now() when the chunk was closed; null while open. */
  closedAt: number | null;
  started: boolean;
  /** Set once translated (empty when there was nothing to translate, or it failed). */
  translation: TranscriptToken[] | null;
}

type Entry = Chunk | { kind: 'marker'; token: TranscriptToken };

const MARKERS: ReadonlySet<string> = new Set(['<end>', '<fin>']);
const SENTENCE_END = /[.!?…]$/u;
/** Translations requested at once; more wait (a long async transcript has thousands of chunks). */
const MAX_IN_FLIGHT = 4;

/**
 * @example
 * const interleaver = new TranslationInterleaver(route, translate, { changed: () => send(interleaver.take()) });
 * interleaver.push(finalTokens);
 * interleaver.flush();
 * send(interleaver.take()); // originals now; their translation arrives through `changed`
 */
export class TranslationInterleaver {
  private readonly queue: Entry[] = [];
  private open: Chunk | null = null;
  private out: TranscriptToken[] = [];
  private inFlight = 0;
  private readonly abort = new AbortController();
  private readonly waiters: { resolve(): void; reject(err: unknown): void }[] = [];

  constructor(
    private readonly route: TranslationRoute,
    private readonly translate: ChunkTranslator,
    private readonly events: InterleaverEvents = {},
  ) {}

  /** Takes final tokens in stream order: spoken tokens with `language` set, and markers. */
  push(tokens: readonly TranscriptToken[]): void {
    for (const token of tokens) {
      if (MARKERS.has(token.text)) {
        this.closeOpen();
        this.queue.push({ kind: 'marker', token });
        continue;
      }
      if (this.open && (this.open.language !== token.language || this.open.speaker !== token.speaker)) this.closeOpen();
      if (!this.open) {
        const target = this.route.targetFor(token.language);
        this.open = {
          kind: 'chunk', language: token.language, speaker: token.speaker, target,
          tokens: [], released: 0, closedAt: null, started: false, translation: null,
        };
        this.queue.push(this.open);
      }
      this.open.tokens.push({ ...token, translationStatus: this.open.target ? 'original' : 'none' });
      if (SENTENCE_END.test(token.text)) this.closeOpen();
    }
    this.pump();
  }

  /** The stream is at a stable point (no token will join the open chunk): translate it now. */
  flush(): void {
    this.closeOpen();
    this.pump();
  }

  /** Tokens released since the last call, in stream order; all final. */
  take(): TranscriptToken[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Spoken tokens pushed but waiting behind a translation that is not ready yet. */
  held(): TranscriptToken[] {
    return this.queue.slice(1).flatMap((e) => (e.kind === 'chunk' ? e.tokens : []));
  }

  /**
   * Flushes, then resolves once every token pushed so far was released.
   * @throws the close reason if {@link close} is called first.
   */
  settled(): Promise<void> {
    this.flush();
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Abandons every pending translation. */
  close(reason: unknown = new Error('translation closed')): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(reason);
    this.queue.length = 0;
    this.open = null;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  private closeOpen(): void {
    const chunk = this.open;
    if (!chunk) return;
    this.open = null;
    chunk.closedAt = performance.now();
    const hasWords = chunk.tokens.some((t) => /[\p{L}\p{N}]/u.test(t.text));
    if (!chunk.target || !hasWords) chunk.translation = [];
    this.startTranslations();
  }

  private startTranslations(): void {
    for (const entry of this.queue) {
      if (this.inFlight >= MAX_IN_FLIGHT) return;
      if (entry.kind === 'chunk' && entry.closedAt !== null && entry.translation === null && !entry.started) this.start(entry);
    }
  }

  private start(chunk: Chunk): void {
    chunk.started = true;
    this.inFlight++;
    const text = chunk.tokens.map((t) => t.text).join('').trim();
    const confidence = chunk.tokens.reduce((sum, t) => sum + t.confidence, 0) / chunk.tokens.length;
    const info = {
      language: chunk.target!,
      sourceLanguage: chunk.language!,
      confidence: Math.round(confidence * 1000) / 1000,
      ...(chunk.speaker !== undefined ? { speaker: chunk.speaker } : {}),
    };
    this.translate(text, info.sourceLanguage, info.language, this.abort.signal)
      .then(
        (translated) => (chunk.translation = translationTokens(translated, info)),
        (err: unknown) => {
          chunk.translation = [];
          if (!this.abort.signal.aborted) this.events.failed?.(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.abort.signal.aborted) return;
        this.startTranslations();
        if (this.pump()) this.events.changed?.();
      });
  }

  /** Releases what is ready from the head of the queue; true when something was released. */
  private pump(): boolean {
    let released = false;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'marker') {
        this.out.push(head.token);
        this.queue.shift();
        released = true;
        continue;
      }
      if (head.released < head.tokens.length) {
        this.out.push(...head.tokens.slice(head.released));
        head.released = head.tokens.length;
        released = true;
      }
      if (head === this.open || head.translation === null) break;
      if (head.translation.length > 0) {
        this.out.push(...head.translation);
        this.events.translated?.(performance.now() - head.closedAt!);
      }
      this.queue.shift();
      released = true;
    }
    if (this.queue.length === 0) for (const waiter of this.waiters.splice(0)) waiter.resolve();
    return released;
  }
}
