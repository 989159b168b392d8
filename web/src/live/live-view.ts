/** The Live tab: settings, Start/Stop, status and errors, and the captions. */
import type { HarkApi, WireModel } from '../api.js';
import { byId, showMessage } from '../dom.js';
import { TranslationPicker, fillModelSelect, modelsOf } from '../model-options.js';
import { CaptionView } from './caption-view.js';
import { LiveSession } from './live-session.js';

type LiveState = 'idle' | 'starting' | 'listening' | 'stopping';

export class LiveView {
  readonly #model = byId('live-model', HTMLSelectElement);
  readonly #diarize = byId('live-diarize', HTMLInputElement);
  readonly #languageId = byId('live-language-id', HTMLInputElement);
  readonly #start = byId('live-start', HTMLButtonElement);
  readonly #stop = byId('live-stop', HTMLButtonElement);
  readonly #clear = byId('live-clear', HTMLButtonElement);
  readonly #status = byId('live-status', HTMLElement);
  readonly #error = byId('live-error', HTMLElement);
  readonly #captionsElement = byId('captions', HTMLElement);
  readonly #captions = new CaptionView(this.#captionsElement);
  readonly #translation = new TranslationPicker(byId('live-translation', HTMLElement), 'live-translation');
  #session: LiveSession | null = null;
  #state: LiveState = 'idle';
  /** Stop was pressed while the session was still starting. */
  #stopRequested = false;

  constructor(
    private readonly api: HarkApi,
    models: readonly WireModel[],
  ) {
    const realTime = modelsOf(models, 'real_time', 'stt-rt-v4');
    fillModelSelect(this.#model, realTime);
    const update = () => this.#translation.setModel(realTime.find((m) => m.id === this.#model.value));
    this.#model.addEventListener('change', update);
    update();
    this.#start.addEventListener('click', () => void this.#begin());
    this.#stop.addEventListener('click', () => this.#end());
    this.#clear.addEventListener('click', () => {
      this.#captions.clear();
      showMessage(this.#error, null);
    });
    this.#setState('idle');
  }

  async #begin(): Promise<void> {
    showMessage(this.#error, null);
    this.#stopRequested = false;
    this.#setState('starting');
    try {
      this.#session = await LiveSession.start(
        this.api,
        {
          model: this.#model.value,
          enableSpeakerDiarization: this.#diarize.checked,
          enableLanguageIdentification: this.#languageId.checked,
          translation: this.#translation.value(),
        },
        {
          result: (result) => {
            if (this.#state === 'starting') this.#setState('listening');
            this.#captions.update(result.tokens);
            this.#captionsElement.dataset.finalAudioMs = String(result.finalAudioMs);
            if (this.#state === 'listening') this.#status.textContent = `Listening · ${(result.totalAudioMs / 1000).toFixed(1)} s`;
          },
          finished: () => {
            this.#session = null;
            this.#setState('idle', 'Finished');
          },
          failed: (message) => {
            this.#session = null;
            showMessage(this.#error, message);
            this.#setState('idle', 'Stopped');
          },
        },
      );
      // It may have failed already (no temporary key): then it is over.
      if (this.#state === 'idle') this.#session = null;
      else if (this.#stopRequested) this.#end();
      else if (this.#state === 'starting') this.#setState('listening');
    } catch (err) {
      showMessage(this.#error, err instanceof Error ? err.message : String(err));
      this.#setState('idle');
    }
  }

  #end(): void {
    if (!this.#session) {
      this.#stopRequested = true;
      return;
    }
    this.#setState('stopping');
    this.#session.stop();
  }

  #setState(state: LiveState, idleText = 'Ready'): void {
    this.#state = state;
    const busy = state !== 'idle';
    this.#start.disabled = busy;
    this.#stop.disabled = state !== 'listening' && state !== 'starting';
    this.#model.disabled = busy;
    this.#diarize.disabled = busy;
    this.#languageId.disabled = busy;
    this.#translation.disabled = busy;
    this.#status.dataset.state = state;
    this.#status.textContent =
      state === 'idle' ? idleText : state === 'starting' ? 'Connecting…' : state === 'stopping' ? 'Finishing…' : 'Listening';
  }
}
