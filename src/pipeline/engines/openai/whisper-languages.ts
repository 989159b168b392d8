/**
 * OpenAI's API and Whisper servers name the detected language in
 * `verbose_json` either by ISO 639-1 code ("en") or by Whisper's English
 * name ("english"); Hark's tokens carry the code.
 */
const WHISPER_LANGUAGES: Readonly<Record<string, string>> = {
  english: 'en', chinese: 'zh', german: 'de', spanish: 'es', russian: 'ru', korean: 'ko', french: 'fr',
  japanese: 'ja', portuguese: 'pt', turkish: 'tr', polish: 'pl', catalan: 'ca', dutch: 'nl', arabic: 'ar',
  swedish: 'sv', italian: 'it', indonesian: 'id', hindi: 'hi', finnish: 'fi', vietnamese: 'vi', hebrew: 'he',
  ukrainian: 'uk', greek: 'el', malay: 'ms', czech: 'cs', romanian: 'ro', danish: 'da', hungarian: 'hu',
  tamil: 'ta', norwegian: 'no', thai: 'th', urdu: 'ur', croatian: 'hr', bulgarian: 'bg', lithuanian: 'lt',
  latin: 'la', maori: 'mi', malayalam: 'ml', welsh: 'cy', slovak: 'sk', telugu: 'te', persian: 'fa',
  latvian: 'lv', bengali: 'bn', serbian: 'sr', azerbaijani: 'az', slovenian: 'sl', kannada: 'kn',
  estonian: 'et', macedonian: 'mk', breton: 'br', basque: 'eu', icelandic: 'is', armenian: 'hy',
  nepali: 'ne', mongolian: 'mn', bosnian: 'bs', kazakh: 'kk', albanian: 'sq', swahili: 'sw', galician: 'gl',
  marathi: 'mr', punjabi: 'pa', sinhala: 'si', khmer: 'km', shona: 'sn', yoruba: 'yo', somali: 'so',
  afrikaans: 'af', occitan: 'oc', georgian: 'ka', belarusian: 'be', tajik: 'tg', sindhi: 'sd', gujarati: 'gu',
  amharic: 'am', yiddish: 'yi', lao: 'lo', uzbek: 'uz', faroese: 'fo', 'haitian creole': 'ht', pashto: 'ps',
  turkmen: 'tk', nynorsk: 'nn', maltese: 'mt', sanskrit: 'sa', luxembourgish: 'lb', myanmar: 'my',
  tibetan: 'bo', tagalog: 'tl', malagasy: 'mg', assamese: 'as', tatar: 'tt', hawaiian: 'haw', lingala: 'ln',
  hausa: 'ha', bashkir: 'ba', javanese: 'jw', sundanese: 'su', cantonese: 'yue',
};

const CODES = new Set(Object.values(WHISPER_LANGUAGES));

/**
 * The ISO code of a language as a server names it; null when it is neither
 * a Whisper language name nor a Whisper language code.
 *
 * @example isoLanguage('English') // 'en'
 * @example isoLanguage('de') // 'de'
 * @example isoLanguage('klingon') // null
 */
export function isoLanguage(name: string): string | null {
  const key = name.trim().toLowerCase();
  if (CODES.has(key)) return key;
  return WHISPER_LANGUAGES[key] ?? null;
}

/** Whisper's English name of an ISO code, as `/v1/audio/transcriptions` reports `language`. */
export function whisperLanguageName(code: string): string {
  for (const [name, iso] of Object.entries(WHISPER_LANGUAGES)) if (iso === code) return name;
  return code;
}
