/**
 * The transcriptions, newest first, with their status kept current: the list
 * is polled while any of them is queued or processing.
 */
import { clockTime } from '../../../src/lib/transcript-formats.js';
import type { HarkApi, WireTranscription } from '../api.js';
import { byId, el, showMessage } from '../dom.js';
import type { TranscriptView } from './transcript-view.js';

const POLL_MS = 1500;

export class TranscriptionList {
  readonly #rows = byId('transcription-rows', HTMLElement);
  readonly #empty = byId('transcriptions-empty', HTMLElement);
  readonly #error = byId('files-error', HTMLElement);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #items: WireTranscription[] = [];
  /** Counts refreshes, so an older one still in flight neither renders nor schedules another poll. */
  #generation = 0;

  constructor(
    private readonly api: HarkApi,
    private readonly transcript: TranscriptView,
  ) {
    this.#rows.addEventListener('click', (event) => {
      const row = (event.target as Element).closest<HTMLElement>('tr[data-id]');
      const item = this.#items.find((t) => t.id === row?.dataset.id);
      if (item) void this.#open(item);
    });
  }

  /** Fetches the list now, then again while something is pending. */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    try {
      const items = await this.api.transcriptions();
      if (generation !== this.#generation) return;
      this.#items = items;
      showMessage(this.#error, null);
    } catch (err) {
      if (generation !== this.#generation) return;
      showMessage(this.#error, err instanceof Error ? err.message : String(err));
    }
    this.#render();
    const shown = this.#items.find((t) => t.id === this.transcript.shownId);
    if (shown) await this.transcript.show(shown);
    if (this.#items.some((t) => t.status === 'queued' || t.status === 'processing')) {
      this.#timer = setTimeout(() => void this.refresh(), POLL_MS);
    }
  }

  /** Shows a new transcription at once and follows it until it is done. */
  async add(transcription: WireTranscription): Promise<void> {
    await this.#open(transcription);
    await this.refresh();
  }

  async #open(item: WireTranscription): Promise<void> {
    await this.transcript.show(item);
    this.#render();
  }

  #render(): void {
    this.#empty.hidden = this.#items.length > 0;
    this.#rows.replaceChildren(
      ...this.#items.map((t) => {
        const row = el(
          'tr',
          { attrs: { 'data-id': t.id, 'data-status': t.status, tabindex: '0' } },
          el('td', { class: 'filename' }, t.filename),
          el('td', {}, el('span', { class: `status status-${t.status}` }, t.status)),
          el('td', {}, t.audio_duration_ms === null ? '' : clockTime(t.audio_duration_ms)),
          el('td', {}, new Date(t.created_at).toLocaleString()),
        );
        if (t.id === this.transcript.shownId) row.classList.add('selected');
        row.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') void this.#open(t);
        });
        return row;
      }),
    );
  }
}
