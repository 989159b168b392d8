/**
 * The Soniox model ids Hark answers to (API.md §6). Every id maps to the
 * embedded engine; aliases point at the concrete v4 models as Soniox's do.
 */
import { TranslationPairs } from '../../pipeline/translation/translation-pairs.js';

export type TranscriptionMode = 'real_time' | 'async';

export interface Language {
  code: string;
  name: string;
}

export interface ModelInfo {
  id: string;
  aliasedModelId: string | null;
  name: string;
  transcriptionMode: TranscriptionMode;
}

const MODELS: readonly ModelInfo[] = [
  { id: 'stt-rt-v4', aliasedModelId: null, name: 'Speech-to-Text Real-time v4', transcriptionMode: 'real_time' },
  { id: 'stt-async-v4', aliasedModelId: null, name: 'Speech-to-Text Async v4', transcriptionMode: 'async' },
  { id: 'stt-rt-v5', aliasedModelId: 'stt-rt-v4', name: 'Speech-to-Text Real-time v5', transcriptionMode: 'real_time' },
  { id: 'stt-async-v5', aliasedModelId: 'stt-async-v4', name: 'Speech-to-Text Async v5', transcriptionMode: 'async' },
  { id: 'stt-rt-v3', aliasedModelId: 'stt-rt-v4', name: 'Speech-to-Text Real-time v3', transcriptionMode: 'real_time' },
  { id: 'stt-async-v3', aliasedModelId: 'stt-async-v4', name: 'Speech-to-Text Async v3', transcriptionMode: 'async' },
  { id: 'stt-rt-preview', aliasedModelId: 'stt-rt-v4', name: 'Speech-to-Text Real-time Preview', transcriptionMode: 'real_time' },
  { id: 'stt-async-preview', aliasedModelId: 'stt-async-v4', name: 'Speech-to-Text Async Preview', transcriptionMode: 'async' },
  { id: 'stt-rt-v3-preview', aliasedModelId: 'stt-rt-v4', name: 'Speech-to-Text Real-time v3 Preview', transcriptionMode: 'real_time' },
  { id: 'stt-rt-preview-v2', aliasedModelId: 'stt-rt-v4', name: 'Speech-to-Text Real-time Preview v2', transcriptionMode: 'real_time' },
  { id: 'stt-async-preview-v1', aliasedModelId: 'stt-async-v4', name: 'Speech-to-Text Async Preview v1', transcriptionMode: 'async' },
];

/** English names of the ISO 639-1 codes Soniox lists; an engine reports a subset. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  af: 'Afrikaans', sq: 'Albanian', ar: 'Arabic', az: 'Azerbaijani', eu: 'Basque', be: 'Belarusian',
  bn: 'Bengali', bs: 'Bosnian', bg: 'Bulgarian', ca: 'Catalan', zh: 'Chinese', hr: 'Croatian',
  cs: 'Czech', da: 'Danish', nl: 'Dutch', en: 'English', et: 'Estonian', fi: 'Finnish', fr: 'French',
  gl: 'Galician', de: 'German', el: 'Greek', gu: 'Gujarati', he: 'Hebrew', hi: 'Hindi', hu: 'Hungarian',
  id: 'Indonesian', it: 'Italian', ja: 'Japanese', kn: 'Kannada', kk: 'Kazakh', ko: 'Korean',
  lv: 'Latvian', lt: 'Lithuanian', mk: 'Macedonian', ms: 'Malay', ml: 'Malayalam', mr: 'Marathi',
  no: 'Norwegian', fa: 'Persian', pl: 'Polish', pt: 'Portuguese', pa: 'Punjabi', ro: 'Romanian',
  ru: 'Russian', sr: 'Serbian', sk: 'Slovak', sl: 'Slovenian', es: 'Spanish', sw: 'Swahili',
  sv: 'Swedish', tl: 'Tagalog', ta: 'Tamil', te: 'Telugu', th: 'Thai', tr: 'Turkish', uk: 'Ukrainian',
  ur: 'Urdu', vi: 'Vietnamese', cy: 'Welsh',
};

/** True for any language code Soniox accepts as a hint (hints bias, they do not restrict). */
export function isKnownLanguageCode(code: string): boolean {
  return Object.hasOwn(LANGUAGE_NAMES, code);
}

export function languageName(code: string): string {
  return LANGUAGE_NAMES[code] ?? code;
}

export class ModelCatalog {
  constructor(
    private readonly engineLanguages: readonly string[],
    /** What the installed translation engine offers every model; nothing by default. */
    readonly translation: TranslationPairs = new TranslationPairs([], engineLanguages),
  ) {}

  all(): readonly ModelInfo[] {
    return MODELS;
  }

  find(id: string, mode: TranscriptionMode): ModelInfo | null {
    return MODELS.find((m) => m.id === id && m.transcriptionMode === mode) ?? null;
  }

  languages(): Language[] {
    return this.engineLanguages.map((code) => ({ code, name: languageName(code) }));
  }
}
