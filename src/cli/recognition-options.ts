/**
 * The recognition settings `hark transcribe` and `hark stream` share, from
 * flags to the request fields of the API (the same names in both).
 */
import { usageError } from './cli-error.js';

export const RECOGNITION_OPTIONS = {
  model: { type: 'string', short: 'm' },
  language: { type: 'string', short: 'l', multiple: true },
  'language-id': { type: 'boolean' },
  diarize: { type: 'boolean', short: 'd' },
  translate: { type: 'string', short: 't' },
  term: { type: 'string', multiple: true },
  context: { type: 'string' },
} as const;

export const RECOGNITION_HELP = `Recognition:
  -m, --model <id>         model (default: %MODEL%)
  -l, --language <codes>   language hints, e.g. -l en or -l en,es (repeatable)
      --language-id        label each token with its language
  -d, --diarize            label each token with its speaker
  -t, --translate <lang>   translate one way into <lang> (e.g. es), or two
                           ways between a pair (e.g. en:es)
      --term <term>        a context term to recognise, e.g. --term HbA1c
                           (repeatable)
      --context <text>     domain text that makes its words more likely`;

export interface RecognitionFlags {
  language?: string[] | undefined;
  'language-id'?: boolean | undefined;
  diarize?: boolean | undefined;
  translate?: string | undefined;
  term?: string[] | undefined;
  context?: string | undefined;
}

/** The API fields both transcription requests and real-time start messages take. */
export interface RecognitionSettings {
  language_hints?: string[];
  enable_language_identification?: boolean;
  enable_speaker_diarization?: boolean;
  translation?: { type: 'one_way'; target_language: string } | { type: 'two_way'; language_a: string; language_b: string };
  context?: { terms?: string[]; text?: string };
}

const LANGUAGE = /^[a-z]{2,3}$/;

/**
 * @throws CliError (usage) when `--translate` is neither a language nor a pair.
 */
export function recognitionSettings(flags: RecognitionFlags, usage: string): RecognitionSettings {
  const settings: RecognitionSettings = {};
  const hints = (flags.language ?? []).flatMap((l) => l.split(',')).map((l) => l.trim()).filter(Boolean);
  if (hints.length > 0) settings.language_hints = hints;
  if (flags['language-id']) settings.enable_language_identification = true;
  if (flags.diarize) settings.enable_speaker_diarization = true;
  if (flags.translate !== undefined) {
    const [a, b, ...rest] = flags.translate.split(':');
    if (b === undefined && a !== undefined && LANGUAGE.test(a)) settings.translation = { type: 'one_way', target_language: a };
    else if (rest.length === 0 && a !== undefined && b !== undefined && LANGUAGE.test(a) && LANGUAGE.test(b)) {
      settings.translation = { type: 'two_way', language_a: a, language_b: b };
    } else throw usageError(`--translate takes a language (es) or a pair (en:es), not "${flags.translate}"`, usage);
  }
  const terms = (flags.term ?? []).map((t) => t.trim()).filter(Boolean);
  if (terms.length > 0 || flags.context) {
    settings.context = { ...(terms.length > 0 ? { terms } : {}), ...(flags.context ? { text: flags.context } : {}) };
  }
  return settings;
}
