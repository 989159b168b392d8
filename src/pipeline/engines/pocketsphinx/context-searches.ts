/**
 * Context biasing on one PocketSphinx decoder. A context becomes a search of
 * its own, named and kept next to the decoder's default search, which is
 * never modified:
 *
 * - words the dictionary lacks are added to the dictionary only (not through
 *   ps_add_word, which would also add them to the default language model
 *   for good). A dictionary word is reachable only from searches whose
 *   language model knows it, and only the context's search does;
 * - the search's language model combines the decoder's own model with a
 *   small model of the context (context-language-model.ts).
 *
 * Selecting another context, or none, switches searches: nothing of one
 * context reaches the next. Building a search takes 0.1–0.3 s and ≈40 MB
 * (a lexicon tree over the whole vocabulary), so a few are kept for reuse.
 * Added words stay in the decoder's dictionary (bytes each), unreachable
 * from searches that do not ask for them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContextNgrams, contextNgrams, toArpa } from '../../context/context-language-model.js';
import { type ContextPhrases, type ContextWord, contextPhrases } from '../../context/context-phrases.js';
import { pronounce } from '../../context/pronounce.js';
import type { RecognitionContext } from '../../context/recognition-context.js';
import { TermSpelling } from '../../context/term-spelling.js';
import type { Pointer, PocketSphinxLibrary } from './ffi.js';

/** The search ps_init creates from `-lm`, and the name its language model has inside its set. */
const DEFAULT_SEARCH = '_default';
const DEFAULT_LM = 'default';
const NGRAM_ARPA = 1;
/**
 * Words given pronunciations per context, terms first. espeak-ng needs about
 * 0.4 ms a word; this keeps a large text full of unknown words from
 * delaying a session's start.
 */
const MAX_NEW_WORDS = 300;

/** What the active context changes in a recognizer's output. */
export interface ActiveContext {
  spelling: TermSpelling;
}

interface ContextSearch extends ActiveContext {
  name: string;
}

let searchCount = 0;

/**
 * @example
 * const searches = new ContextSearches(ps, decoder, 1);
 * const active = searches.select(context); // before ps_start_utt
 * searches.select(null); // back to the default search
 */
export class ContextSearches {
  /** Built searches by context, least recently used first. */
  private readonly cache = new Map<string, ContextSearch>();
  private dictionary: ReturnType<PocketSphinxLibrary['decoderDictionary']> | null = null;

  /** @param capacity searches kept built, the selected one included (at least 1). */
  constructor(
    private readonly ps: PocketSphinxLibrary,
    private readonly decoder: Pointer,
    private readonly capacity: number,
  ) {}

  /**
   * Makes the decoder recognise with `context` (null: without any). Call
   * between utterances.
   *
   * @returns what the context changes in the output; null without context.
   * @throws {Error} the library refused the context's language model or search.
   */
  select(context: RecognitionContext | null): ActiveContext | null {
    const phrases = context === null ? null : contextPhrases(context);
    if (phrases === null || (phrases.terms.length === 0 && phrases.sentences.length === 0)) {
      this.switchTo(DEFAULT_SEARCH);
      return null;
    }
    const key = JSON.stringify(phrases);
    let search = this.cache.get(key);
    if (search) {
      this.cache.delete(key);
    } else {
      this.switchTo(DEFAULT_SEARCH);
      while (this.cache.size >= Math.max(1, this.capacity)) this.evictOldest();
      search = this.build(phrases);
    }
    this.cache.set(key, search);
    this.switchTo(search.name);
    return search;
  }

  /** Selects the default search and frees every context search. */
  clear(): void {
    this.switchTo(DEFAULT_SEARCH);
    while (this.cache.size > 0) this.evictOldest();
  }

  private build(phrases: ContextPhrases): ContextSearch {
    const known = this.addMissingWords(phrases);
    const name = `context-${++searchCount}`;
    this.addSearch(name, contextNgrams(phrases, (key) => known.has(key)));
    return { name, spelling: new TermSpelling(phrases.terms) };
  }

  /**
   * Gives the words of `phrases` that the dictionary lacks a pronunciation:
   * from their hyphen-separated parts when the dictionary knows them all,
   * otherwise generated. Returns every key the dictionary now holds.
   */
  private addMissingWords(phrases: ContextPhrases): Set<string> {
    const { dict, dict2pid, mdef } = this.dictionaryOf();
    const known = new Set<string>();
    const missing = new Map<string, string>();
    for (const word of [...phrases.terms.flat(), ...phrases.sentences.flat()]) {
      if (known.has(word.key) || missing.has(word.key)) continue;
      if (this.ps.dict_wordid(dict, word.key) >= 0) known.add(word.key);
      else if (missing.size < MAX_NEW_WORDS) missing.set(word.key, word.written);
    }
    const generated: ContextWord[] = [];
    const pronunciations = new Map<string, string[]>();
    for (const [key, written] of missing) {
      const parts = key.split('-').map((part) => this.ps.ps_lookup_word(this.decoder, part));
      if (parts.length > 1 && parts.every((p) => p !== null)) pronunciations.set(key, parts.join(' ').split(' '));
      else generated.push({ key, written });
    }
    const phones = pronounce(generated.map((w) => w.written));
    generated.forEach((w, i) => pronunciations.set(w.key, phones[i]!));

    for (const [key, pronunciation] of pronunciations) {
      const ids = Int16Array.from(pronunciation, (phone) => this.ps.bin_mdef_ciphone_id(mdef, phone));
      if (ids.length === 0 || ids.some((id) => id < 0)) continue;
      const wordId = this.ps.dict_add_word(dict, key, ids, ids.length);
      if (wordId < 0) continue;
      this.ps.dict2pid_add_word(dict2pid, wordId);
      known.add(key);
    }
    return known;
  }

  /** Adds a search named `name` over the default model interpolated with the context's. */
  private addSearch(name: string, ngrams: ContextNgrams): void {
    const config = this.ps.ps_get_config(this.decoder);
    const defaultSet = this.ps.ps_get_lm(this.decoder, DEFAULT_SEARCH);
    const base = defaultSet === null ? null : this.ps.ngram_model_set_lookup(defaultSet, DEFAULT_LM);
    if (base === null) throw new Error('PocketSphinx decoder has no default n-gram search to bias');

    // The library reads language models from files only.
    const dir = mkdtempSync(join(tmpdir(), 'hark-context-'));
    let context: Pointer | null;
    try {
      const path = join(dir, 'context.arpa');
      writeFileSync(path, toArpa(ngrams));
      context = this.ps.ngram_model_read(config, path, NGRAM_ARPA, this.ps.ps_get_logmath(this.decoder));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (context === null) throw new Error('PocketSphinx could not read the context language model');

    // Weights 1 and 1: each model's language-weighted score counts fully,
    // so a word scores about the better of the two (README: Context).
    const set = this.ps.ngram_model_set_init(config, [base, context], ['base', 'context'], new Float32Array([1, 1]), 2);
    this.ps.ngram_model_free(context);
    if (set === null) throw new Error('PocketSphinx could not combine the context language model');
    const result = this.ps.ps_set_lm(this.decoder, name, set);
    // The search holds its own reference.
    this.ps.ngram_model_free(set);
    if (result < 0) throw new Error(`PocketSphinx could not create the context search (${result})`);
  }

  private dictionaryOf(): ReturnType<PocketSphinxLibrary['decoderDictionary']> {
    this.dictionary ??= this.ps.decoderDictionary(this.decoder);
    return this.dictionary;
  }

  private switchTo(name: string): void {
    const result = this.ps.ps_set_search(this.decoder, name);
    if (result < 0) throw new Error(`PocketSphinx could not select the ${name} search (${result})`);
  }

  private evictOldest(): void {
    const [key, search] = this.cache.entries().next().value!;
    this.cache.delete(key);
    this.ps.ps_unset_search(this.decoder, search.name);
  }
}
