/**
 * One transcription: its status while it runs, then its transcript in
 * speaker turns with a timestamp per segment that seeks the audio player,
 * low-confidence words marked, the translation beside the original, exports
 * and delete.
 */
import {
  type TranscriptFormat,
  type WireTranscript,
  TRANSCRIPT_FORMATS,
  clockTime,
  formatTranscript,
  speakerName,
} from '../../../src/lib/transcript-formats.js';
import { type TranscriptSegment, segmentTranscript } from '../../../src/lib/transcript-segments.js';
import type { HarkApi, WireTranscription } from '../api.js';
import { byId, el, languageName, showMessage, speakerColour } from '../dom.js';

/** Words the engine was less sure of than this are underlined. */
const LOW_CONFIDENCE = 0.5;

const STATUS_TEXT: Record<WireTranscription['status'], string> = {
  queued: 'Queued: waiting for a recognition worker…',
  processing: 'Processing…',
  completed: '',
  error: 'Failed',
};

/** Saves `text` as a file through a temporary blob link. */
function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el('a', { attrs: { href: url, download: filename } });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const MIME_TYPES: Record<TranscriptFormat, string> = {
  txt: 'text/plain;charset=utf-8',
  srt: 'application/x-subrip;charset=utf-8',
  vtt: 'text/vtt;charset=utf-8',
  json: 'application/json',
};

export class TranscriptView {
  readonly #root = byId('transcript', HTMLElement);
  readonly #title = byId('transcript-title', HTMLElement);
  readonly #status = byId('transcript-status', HTMLElement);
  readonly #error = byId('transcript-error', HTMLElement);
  readonly #player = byId('player', HTMLAudioElement);
  readonly #body = byId('transcript-body', HTMLElement);
  readonly #exports = byId('transcript-exports', HTMLElement);
  readonly #delete = byId('transcript-delete', HTMLButtonElement);
  #shown: WireTranscription | null = null;
  #transcript: WireTranscript | null = null;

  constructor(
    private readonly api: HarkApi,
    /** Called after the shown transcription was deleted. */
    private readonly onDeleted: (id: string) => void,
  ) {
    for (const format of TRANSCRIPT_FORMATS) {
      const button = el('button', { attrs: { type: 'button', 'data-format': format } }, format.toUpperCase());
      button.addEventListener('click', () => this.#export(format));
      this.#exports.append(button);
    }
    this.#delete.addEventListener('click', () => void this.#remove());
    // Clicking a timestamp or a word plays the audio from there.
    this.#body.addEventListener('click', (event) => {
      const target = (event.target as Element).closest<HTMLElement>('[data-start-ms]');
      if (!target || this.#player.hidden) return;
      this.#player.currentTime = Number(target.dataset.startMs) / 1000;
      void this.#player.play().catch(() => undefined);
    });
  }

  get shownId(): string | null {
    return this.#shown?.id ?? null;
  }

  /** Shows a transcription, or refreshes it when its status changed. */
  async show(transcription: WireTranscription): Promise<void> {
    const same = this.#shown?.id === transcription.id;
    if (same && this.#shown?.status === transcription.status) return;
    this.#shown = transcription;
    this.#root.hidden = false;
    this.#root.dataset.status = transcription.status;
    this.#title.textContent = transcription.filename;
    this.#resetDelete();
    showMessage(this.#error, null);
    if (!same) {
      this.#transcript = null;
      this.#body.replaceChildren();
      await this.#loadAudio(transcription);
    }
    this.#exports.hidden = transcription.status !== 'completed';
    if (transcription.status === 'error') {
      this.#status.textContent = `${STATUS_TEXT.error}: ${transcription.error_message ?? transcription.error_type ?? 'unknown error'}`;
      return;
    }
    this.#status.textContent = STATUS_TEXT[transcription.status];
    if (transcription.status !== 'completed') return;
    try {
      const transcript = await this.api.transcript(transcription.id);
      if (this.#shown?.id !== transcription.id) return;
      this.#transcript = transcript;
      this.#render(transcript);
    } catch (err) {
      showMessage(this.#error, err instanceof Error ? err.message : String(err));
    }
  }

  hide(): void {
    this.#shown = null;
    this.#transcript = null;
    this.#root.hidden = true;
    this.#player.removeAttribute('src');
    this.#player.load();
  }

  async #loadAudio(transcription: WireTranscription): Promise<void> {
    this.#player.hidden = true;
    this.#player.removeAttribute('src');
    if (!transcription.file_id) return;
    try {
      const url = await this.api.fileUrl(transcription.file_id);
      if (url && this.#shown?.id === transcription.id) {
        this.#player.src = url;
        this.#player.hidden = false;
      }
    } catch {
      // No player then; the transcript is still worth showing.
    }
  }

  #render(transcript: WireTranscript): void {
    const segments = segmentTranscript(transcript.tokens);
    const translated = segments.some((s) => s.translation !== null);
    this.#body.classList.toggle('with-translation', translated);
    if (segments.length === 0) {
      this.#body.replaceChildren(el('p', { class: 'empty' }, 'No speech was recognised.'));
      return;
    }
    let speaker: string | null = null;
    const rows = segments.map((segment) => {
      const newTurn = segment.speaker !== null && segment.speaker !== speaker;
      speaker = segment.speaker;
      return this.#segmentRow(segment, newTurn, translated);
    });
    this.#body.replaceChildren(
      el('p', { class: 'legend' }, `Underlined words: confidence below ${LOW_CONFIDENCE * 100}%. Click a time or a word to play from there.`),
      ...rows,
    );
  }

  #segmentRow(segment: TranscriptSegment, newTurn: boolean, translated: boolean): HTMLElement {
    const row = el('div', { class: newTurn ? 'segment turn-start' : 'segment' });
    if (segment.speaker !== null) {
      row.dataset.speaker = segment.speaker;
      row.dataset.color = speakerColour(segment.speaker);
    }
    const time = el(
      'button',
      { class: 'time', attrs: { type: 'button', 'data-start-ms': String(segment.startMs), title: 'Play from here' } },
      clockTime(segment.startMs),
    );
    const original = el('p', { class: 'original' });
    if (segment.language) original.lang = segment.language;
    if (newTurn) original.append(el('span', { class: 'speaker' }, speakerName(segment.speaker!)));
    segment.tokens.forEach((token, i) => {
      // The space before a word stays outside its span, so marks cover the word only.
      const [, space = '', text = ''] = /^(\s*)([\s\S]*)$/.exec(token.text) ?? [];
      if (i > 0 && space) original.append(space);
      const low = token.confidence !== undefined && token.confidence !== null && token.confidence < LOW_CONFIDENCE;
      const word = el('span', { class: low ? 'word low-confidence' : 'word' }, text);
      if (token.start_ms !== undefined && token.start_ms !== null) word.dataset.startMs = String(token.start_ms);
      if (low) word.title = `Confidence ${Math.round(token.confidence! * 100)}%`;
      original.append(word);
    });
    row.append(time, original);
    if (translated) {
      const translation = el('p', { class: 'translation' });
      if (segment.translation) {
        translation.lang = segment.translation.language;
        translation.title = `Translation into ${languageName(segment.translation.language)}`;
        translation.textContent = segment.translation.text;
      }
      row.append(translation);
    }
    return row;
  }

  #export(format: TranscriptFormat): void {
    if (!this.#transcript || !this.#shown) return;
    const stem = this.#shown.filename.replace(/\.[^.]+$/, '') || this.#shown.id;
    download(formatTranscript(this.#transcript, format), `${stem}.${format}`, MIME_TYPES[format]);
  }

  /** Two clicks: the first asks, the second deletes the transcription and its file. */
  async #remove(): Promise<void> {
    const shown = this.#shown;
    if (!shown) return;
    if (this.#delete.dataset.confirm !== 'yes') {
      this.#delete.dataset.confirm = 'yes';
      this.#delete.textContent = 'Delete transcription and audio?';
      return;
    }
    this.#delete.disabled = true;
    try {
      await this.api.deleteTranscription(shown.id);
      if (shown.file_id) await this.api.deleteFile(shown.file_id);
      this.hide();
      this.onDeleted(shown.id);
    } catch (err) {
      showMessage(this.#error, err instanceof Error ? err.message : String(err));
      this.#resetDelete();
    }
  }

  #resetDelete(): void {
    this.#delete.disabled = false;
    delete this.#delete.dataset.confirm;
    this.#delete.textContent = 'Delete';
  }
}
