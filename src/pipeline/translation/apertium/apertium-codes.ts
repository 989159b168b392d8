/**
 * Apertium names languages with ISO 639-3 codes (`eng`, `spa`, `fra`),
 * sometimes with a variant (`eng_US`); APy reports them so. Soniox uses
 * ISO 639-1 (`en`, `es`, `fr`). This is the one place that maps between them.
 */
import { type LanguagePair, pairKey } from '../translator.js';

/**
 * ISO 639-3 (and the macrolanguage or alternative codes Apertium pairs use)
 * → the ISO 639-1 code of each language Soniox lists.
 */
const TO_ISO_639_1: Readonly<Record<string, string>> = {
  afr: 'af', sqi: 'sq', ara: 'ar', aze: 'az', azb: 'az', eus: 'eu', bel: 'be', ben: 'bn', bos: 'bs',
  bul: 'bg', cat: 'ca', zho: 'zh', cmn: 'zh', hrv: 'hr', ces: 'cs', dan: 'da', nld: 'nl', eng: 'en',
  est: 'et', fin: 'fi', fra: 'fr', glg: 'gl', deu: 'de', ell: 'el', guj: 'gu', heb: 'he', hin: 'hi',
  hun: 'hu', ind: 'id', ita: 'it', jpn: 'ja', kan: 'kn', kaz: 'kk', kor: 'ko', lav: 'lv', lit: 'lt',
  mkd: 'mk', msa: 'ms', zlm: 'ms', mal: 'ml', mar: 'mr',
  // Soniox's "no" is written Norwegian, i.e. Bokmål; Nynorsk (nno) has no code of its own there.
  nor: 'no', nob: 'no',
  fas: 'fa', pes: 'fa', pol: 'pl', por: 'pt', pan: 'pa', ron: 'ro', rus: 'ru', srp: 'sr', slk: 'sk',
  slv: 'sl', spa: 'es', swa: 'sw', swe: 'sv', tgl: 'tl', tam: 'ta', tel: 'te', tha: 'th', tur: 'tr',
  ukr: 'uk', urd: 'ur', vie: 'vi', cym: 'cy',
};

const ISO_639_1 = new Set(Object.values(TO_ISO_639_1));

/** An installed Apertium direction with the Soniox codes it serves. */
export interface ApertiumPair extends LanguagePair {
  /** The `langpair` APy expects, e.g. `eng|spa`. */
  langpair: string;
}

/**
 * The Soniox code of an Apertium language, or null when Soniox has none.
 * Variants map to their language; APy passes through 2-letter codes it
 * cannot convert, and those are kept when Soniox knows them.
 *
 * @example toIsoLanguage('eng_US') // 'en'
 * @example toIsoLanguage('hbs') // null (Serbo-Croatian spans three Soniox codes)
 */
export function toIsoLanguage(apertiumCode: string): string | null {
  const base = apertiumCode.split('_')[0]!;
  if (Object.hasOwn(TO_ISO_639_1, base)) return TO_ISO_639_1[base]!;
  return ISO_639_1.has(base) ? base : null;
}

/**
 * The pairs APy lists, in Soniox codes, one per direction. A plain pair
 * wins over a variant of the same direction (`spa|eng` over `spa|eng_US`),
 * and directions Soniox cannot name are dropped.
 *
 * @example
 * toIsoPairs([{ sourceLanguage: 'eng', targetLanguage: 'spa' }, { sourceLanguage: 'spa', targetLanguage: 'eng_US' }])
 * // [{ source: 'en', target: 'es', langpair: 'eng|spa' }, { source: 'es', target: 'en', langpair: 'spa|eng_US' }]
 */
export function toIsoPairs(listed: readonly { sourceLanguage: string; targetLanguage: string }[]): ApertiumPair[] {
  const isVariant = (p: { sourceLanguage: string; targetLanguage: string }) =>
    p.sourceLanguage.includes('_') || p.targetLanguage.includes('_');
  const ordered = [...listed.filter((p) => !isVariant(p)), ...listed.filter(isVariant)];
  const pairs = new Map<string, ApertiumPair>();
  for (const p of ordered) {
    const source = toIsoLanguage(p.sourceLanguage);
    const target = toIsoLanguage(p.targetLanguage);
    if (source === null || target === null || source === target) continue;
    const key = pairKey(source, target);
    if (!pairs.has(key)) pairs.set(key, { source, target, langpair: `${p.sourceLanguage}|${p.targetLanguage}` });
  }
  return [...pairs.values()];
}
