/**
 * Model and translation choices, from what `GET /v1/models` says each model
 * offers: its one-way targets and its two-way pairs ("en:es").
 */
import type { TranslationConfig, WireModel } from './api.js';
import { el, languageName, setOptions } from './dom.js';

/** The models of one mode, concrete ones only (aliases point at them), the preferred one first. */
export function modelsOf(models: readonly WireModel[], mode: WireModel['transcription_mode'], preferred: string): WireModel[] {
  return models
    .filter((m) => m.transcription_mode === mode && m.aliased_model_id === null)
    .sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred));
}

export function fillModelSelect(select: HTMLSelectElement, models: readonly WireModel[]): void {
  setOptions(
    select,
    models.map((m) => ({ value: m.id, label: m.name })),
  );
}

function oneWayTargets(model: WireModel): string[] {
  if (model.one_way_translation === 'all_languages') return model.languages.map((l) => l.code);
  return model.translation_targets.map((t) => t.target_language);
}

function twoWayPairs(model: WireModel): [string, string][] {
  if (model.two_way_translation === 'all_languages') {
    const codes = model.languages.map((l) => l.code);
    return codes.flatMap((a, i) => codes.slice(i + 1).map((b): [string, string] => [a, b]));
  }
  return model.two_way_translation_pairs
    .map((pair) => pair.split(':'))
    .filter((parts): parts is [string, string] => parts.length === 2 && parts.every((p) => p.length > 0));
}

/**
 * A translation choice: none, one-way into a target, or two-way between a
 * pair. Modes the model does not offer are not shown.
 */
export class TranslationPicker {
  readonly #mode: HTMLSelectElement;
  readonly #target: HTMLSelectElement;
  readonly #pair: HTMLSelectElement;

  /** Builds the controls into `container`; their ids start with `idPrefix` (e.g. `live-translation`). */
  constructor(container: HTMLElement, idPrefix: string) {
    this.#mode = el('select', { attrs: { id: `${idPrefix}-mode` } });
    this.#target = el('select', { attrs: { id: `${idPrefix}-target`, 'aria-label': 'Translate into' } });
    this.#pair = el('select', { attrs: { id: `${idPrefix}-pair`, 'aria-label': 'Translate between' } });
    container.append(
      el('label', { attrs: { for: `${idPrefix}-mode` } }, 'Translation'),
      this.#mode,
      this.#target,
      this.#pair,
    );
    this.#mode.addEventListener('change', () => this.#showChoice());
  }

  setModel(model: WireModel | undefined): void {
    const targets = model ? oneWayTargets(model) : [];
    const pairs = model ? twoWayPairs(model) : [];
    setOptions(this.#mode, [
      { value: 'none', label: 'None' },
      ...(targets.length > 0 ? [{ value: 'one_way', label: 'One-way into…' }] : []),
      ...(pairs.length > 0 ? [{ value: 'two_way', label: 'Two-way between…' }] : []),
    ]);
    setOptions(
      this.#target,
      targets.map((code) => ({ value: code, label: `${languageName(code)} (${code})` })),
    );
    setOptions(
      this.#pair,
      pairs.map(([a, b]) => ({ value: `${a}:${b}`, label: `${languageName(a)} ↔ ${languageName(b)}` })),
    );
    this.#showChoice();
  }

  set disabled(value: boolean) {
    for (const select of [this.#mode, this.#target, this.#pair]) select.disabled = value;
  }

  /** The `translation` object of a request, or null for none. */
  value(): TranslationConfig | null {
    if (this.#mode.value === 'one_way' && this.#target.value) return { type: 'one_way', target_language: this.#target.value };
    const [a, b] = this.#pair.value.split(':');
    if (this.#mode.value === 'two_way' && a && b) return { type: 'two_way', language_a: a, language_b: b };
    return null;
  }

  #showChoice(): void {
    this.#target.hidden = this.#mode.value !== 'one_way';
    this.#pair.hidden = this.#mode.value !== 'two_way';
  }
}
