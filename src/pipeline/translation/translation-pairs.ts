/**
 * What a `translation` request may ask for, given the installed language
 * pairs, and where each spoken language goes (API.md §7.13).
 */
import { type LanguagePair, pairKey } from './translator.js';

/** The `translation` object of a request, camelCase; null fields were absent. */
export interface TranslationRequest {
  type: 'one_way' | 'two_way';
  targetLanguage: string | null;
  languageA: string | null;
  languageB: string | null;
}

/** A request field that names a language. */
export type TranslationField = 'target_language' | 'language_a' | 'language_b';

/** A one-way target as the models endpoint lists it (camelCase of the wire's `translation_targets`). */
export interface TranslationTarget {
  targetLanguage: string;
  sourceLanguages: string[];
}

/**
 * The installed directions, judged against the languages the speech engine
 * hears.
 *
 * - One-way: the target must be reachable from a heard language (nothing
 *   else could ever be translated into it).
 * - Two-way: both directions must be installed. Neither language has to be
 *   heard: speech in other languages is only transcribed, as documented.
 *
 * @example
 * const pairs = new TranslationPairs([{ source: 'en', target: 'es' }, { source: 'es', target: 'en' }], ['en']);
 * pairs.invalidFields({ type: 'one_way', targetLanguage: 'fr', languageA: null, languageB: null }) // ['target_language']
 */
export class TranslationPairs {
  private readonly directions: Set<string>;
  private readonly languages: Set<string>;

  constructor(
    pairs: readonly LanguagePair[],
    private readonly heard: readonly string[],
  ) {
    this.directions = new Set(pairs.map((p) => pairKey(p.source, p.target)));
    this.languages = new Set(pairs.flatMap((p) => [p.source, p.target]));
  }

  /** False when no pair is installed (or the engine is unreachable): the models do not translate. */
  get available(): boolean {
    return this.directions.size > 0;
  }

  has(source: string, target: string): boolean {
    return this.directions.has(pairKey(source, target));
  }

  /**
   * The fields naming a language that cannot be used; empty when the request
   * is valid. A missing field counts as invalid.
   */
  invalidFields(request: TranslationRequest): TranslationField[] {
    if (request.type === 'one_way') {
      const target = request.targetLanguage;
      const reachable = target !== null && this.heard.some((source) => source !== target && this.has(source, target));
      return reachable ? [] : ['target_language'];
    }
    const { languageA: a, languageB: b } = request;
    const invalid: TranslationField[] = [];
    if (a === null || !this.languages.has(a)) invalid.push('language_a');
    if (b === null || !this.languages.has(b)) invalid.push('language_b');
    if (invalid.length > 0) return invalid;
    return a !== b && this.has(a!, b!) && this.has(b!, a!) ? [] : ['language_b'];
  }

  /** One-way targets, each with the heard languages that translate into it. */
  oneWayTargets(): TranslationTarget[] {
    const targets = new Map<string, string[]>();
    for (const key of this.directions) {
      const [source, target] = key.split(':') as [string, string];
      if (!this.heard.includes(source)) continue;
      targets.set(target, [...(targets.get(target) ?? []), source]);
    }
    return [...targets].sort(([a], [b]) => a.localeCompare(b)).map(([targetLanguage, sourceLanguages]) => ({
      targetLanguage,
      sourceLanguages: sourceLanguages.sort(),
    }));
  }

  /** Two-way pairs with a heard language, as `a:b` with a heard language first. */
  twoWayPairs(): string[] {
    const pairs = new Set<string>();
    for (const key of this.directions) {
      const [source, target] = key.split(':') as [string, string];
      if (this.heard.includes(source) && this.has(target, source)) pairs.add(pairKey(source, target));
    }
    return [...pairs].sort();
  }

  /** Where speech goes under `request` (which must be valid). */
  route(request: TranslationRequest): TranslationRoute {
    return new TranslationRoute(request, this);
  }
}

/**
 * The target of each spoken language under one request: one-way sends every
 * language but the target to the target; two-way sends each of the two
 * languages to the other. Anything else (and a direction that is not
 * installed) is only transcribed.
 *
 * @example
 * const route = pairs.route({ type: 'two_way', targetLanguage: null, languageA: 'en', languageB: 'es' });
 * route.targetFor('es') // 'en'
 * route.targetFor('fr') // null
 */
export class TranslationRoute {
  constructor(
    private readonly request: TranslationRequest,
    private readonly pairs: Pick<TranslationPairs, 'has'>,
  ) {}

  targetFor(source: string | undefined): string | null {
    if (source === undefined) return null;
    const { type, targetLanguage, languageA, languageB } = this.request;
    let target: string | null = null;
    if (type === 'one_way') target = targetLanguage;
    else if (source === languageA) target = languageB;
    else if (source === languageB) target = languageA;
    return target !== null && target !== source && this.pairs.has(source, target) ? target : null;
  }
}
