/**
 * A scriptable Translator for unit tests: instant or held answers, failures,
 * and a record of every call. Never an engine a user can select.
 */
import { type LanguagePair, type Translator, TranslationError } from '../../src/pipeline/translation/translator.js';

export interface FakeTranslateCall {
  text: string;
  source: string;
  target: string;
}

/** By default a translation is the text after the target's code in capitals: `ES He was here.` */
export type FakeTranslation = (text: string, source: string, target: string) => string;

const tagged: FakeTranslation = (text, _source, target) => `${target.toUpperCase()} ${text}`;

export class FakeTranslator implements Translator {
  readonly calls: FakeTranslateCall[] = [];
  /** While true, answers wait until {@link release} (in call order). */
  hold = false;
  /** Texts whose translation fails with a TranslationError. */
  readonly failing = new Set<string>();
  private readonly held: (() => void)[] = [];

  constructor(
    private readonly installed: LanguagePair[] = [
      { source: 'en', target: 'es' },
      { source: 'es', target: 'en' },
    ],
    private readonly script: FakeTranslation = tagged,
  ) {}

  async pairs(): Promise<LanguagePair[]> {
    return this.installed;
  }

  async translate(text: string, source: string, target: string, signal?: AbortSignal): Promise<string> {
    this.calls.push({ text, source, target });
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.held.push(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    }
    signal?.throwIfAborted();
    if (this.failing.has(text)) throw new TranslationError(`scripted failure for "${text}"`);
    if (!this.installed.some((p) => p.source === source && p.target === target)) {
      throw new TranslationError(`no pair ${source}→${target}`);
    }
    return this.script(text, source, target);
  }

  /** Number of translations waiting for {@link release}. */
  get waiting(): number {
    return this.held.length;
  }

  /** Lets the oldest held translation (or `count` of them) answer. */
  release(count = 1): void {
    for (const resolve of this.held.splice(0, count)) resolve();
  }
}
