/** The upload form: a file and its transcription settings; upload progress, then the new transcription. */
import type { CreateTranscription, HarkApi, WireModel, WireTranscription } from '../api.js';
import { formatBytes } from '../../../src/lib/byte-size.js';
import { byId, showMessage } from '../dom.js';
import { TranslationPicker, fillModelSelect, modelsOf } from '../model-options.js';

function listOf(text: string, separator: RegExp): string[] {
  return text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export class UploadForm {
  readonly #form = byId('upload-form', HTMLFormElement);
  readonly #file = byId('upload-file', HTMLInputElement);
  readonly #model = byId('upload-model', HTMLSelectElement);
  readonly #diarize = byId('upload-diarize', HTMLInputElement);
  readonly #languageId = byId('upload-language-id', HTMLInputElement);
  readonly #hints = byId('upload-hints', HTMLInputElement);
  readonly #terms = byId('upload-terms', HTMLTextAreaElement);
  readonly #submit = byId('upload-submit', HTMLButtonElement);
  readonly #progress = byId('upload-progress', HTMLElement);
  readonly #bar = byId('upload-bar', HTMLProgressElement);
  readonly #progressText = byId('upload-progress-text', HTMLElement);
  readonly #error = byId('upload-error', HTMLElement);
  readonly #translation = new TranslationPicker(byId('upload-translation', HTMLElement), 'upload-translation');
  readonly #models: WireModel[];

  constructor(
    private readonly api: HarkApi,
    models: readonly WireModel[],
    private readonly onCreated: (transcription: WireTranscription) => void,
  ) {
    this.#models = modelsOf(models, 'async', 'stt-async-v4');
    fillModelSelect(this.#model, this.#models);
    this.#model.addEventListener('change', () => this.#showTranslations());
    this.#showTranslations();
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.#submitFile();
    });
  }

  #showTranslations(): void {
    this.#translation.setModel(this.#models.find((m) => m.id === this.#model.value));
  }

  async #submitFile(): Promise<void> {
    const file = this.#file.files?.[0];
    if (!file) {
      showMessage(this.#error, 'Choose an audio or video file first.');
      return;
    }
    showMessage(this.#error, null);
    this.#submit.disabled = true;
    this.#progress.hidden = false;
    this.#bar.max = file.size || 1;
    this.#bar.value = 0;
    this.#progressText.textContent = `Uploading ${file.name}…`;
    try {
      const uploaded = await this.api.upload(file, (sent, total) => {
        this.#bar.max = total || 1;
        this.#bar.value = sent;
        this.#progressText.textContent = `Uploading ${file.name}: ${formatBytes(sent)} of ${formatBytes(total)} (${Math.floor((100 * sent) / (total || 1))}%)`;
      });
      this.#bar.value = this.#bar.max;
      this.#progressText.textContent = `Uploaded ${file.name} (${formatBytes(uploaded.size)}). Starting the transcription…`;
      const payload: CreateTranscription = {
        model: this.#model.value,
        file_id: uploaded.id,
        enable_speaker_diarization: this.#diarize.checked,
        enable_language_identification: this.#languageId.checked,
      };
      const hints = listOf(this.#hints.value, /[\s,]+/);
      if (hints.length > 0) payload.language_hints = hints;
      const terms = listOf(this.#terms.value, /\n/);
      if (terms.length > 0) payload.context = { terms };
      const translation = this.#translation.value();
      if (translation) payload.translation = translation;
      let transcription: WireTranscription;
      try {
        transcription = await this.api.createTranscription(payload);
      } catch (err) {
        // Do not leave an orphan file behind a refused request.
        await this.api.deleteFile(uploaded.id).catch(() => undefined);
        throw err;
      }
      this.#progressText.textContent = `Uploaded ${file.name}.`;
      this.#form.reset();
      this.#showTranslations();
      this.onCreated(transcription);
    } catch (err) {
      this.#progress.hidden = true;
      showMessage(this.#error, err instanceof Error ? err.message : String(err));
    } finally {
      this.#submit.disabled = false;
    }
  }
}
