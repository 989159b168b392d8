/**
 * The embedded translation engine: Apertium, through an APy server (the one
 * Hark supervises, or an external one). Rule-based, so a translation takes a
 * few milliseconds and the same text always gives the same result.
 */
import { type LanguagePair, type Translator, TranslationError } from '../translator.js';
import { type ApertiumPair, toIsoPairs } from './apertium-codes.js';
import type { ApyClient } from './apy-client.js';

/**
 * Apertium's own markers in its output: `*` unknown word (APy strips it
 * when asked), `@` no bilingual entry, `#` no generation. A listener
 * gets the bare word instead.
 */
const ENGINE_MARKS = /(^|[\s¿¡"(])[*@#](?=[\p{L}\p{N}])/gu;

/**
 * Apertium's output as the Translator interface promises it: marks removed,
 * single spaces, nothing around (Apertium keeps the input's blanks and adds
 * some of its own, e.g. `" Soy John  y  quiero"`).
 *
 * @example cleanOutput(' Soy  #querer  aquí. ') // 'Soy querer aquí.'
 */
export function cleanOutput(text: string): string {
  return text.replace(ENGINE_MARKS, '$1').replace(/\s+/g, ' ').trim();
}

/**
 * @example
 * const translator = new ApertiumTranslator(new ApyClient(() => Promise.resolve('http://127.0.0.1:2737'), 10_000));
 * await translator.translate('He was here.', 'en', 'es'); // 'Era aquí.'
 */
export class ApertiumTranslator implements Translator {
  private installed: Promise<ApertiumPair[]> | null = null;

  constructor(private readonly client: ApyClient) {}

  async pairs(): Promise<LanguagePair[]> {
    return (await this.installedPairs()).map(({ source, target }) => ({ source, target }));
  }

  async translate(text: string, source: string, target: string, signal?: AbortSignal): Promise<string> {
    const pair = (await this.installedPairs(signal)).find((p) => p.source === source && p.target === target);
    if (!pair) throw new TranslationError(`No Apertium pair translates ${source} into ${target}`);
    return cleanOutput(await this.client.translate(text, pair.langpair, signal));
  }

  /** Installed pairs do not change while APy runs; a failed lookup is retried next time. */
  private installedPairs(signal?: AbortSignal): Promise<ApertiumPair[]> {
    if (!this.installed) {
      const lookup = this.client.listPairs(signal).then(toIsoPairs);
      this.installed = lookup;
      lookup.catch(() => {
        if (this.installed === lookup) this.installed = null;
      });
    }
    return this.installed;
  }
}
