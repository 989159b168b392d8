/**
 * The speech models `hark models pull` knows: sherpa-onnx's own packagings of
 * public models, released as `.tar.bz2` archives under the `asr-models` tag of
 * k2-fsa/sherpa-onnx on GitHub.
 *
 * About the checks. k2-fsa's release and documentation pages, as far as we
 * could read them, publish no sha256 for these archives. The digests below are
 * the ones other projects pin for the same release assets (named in
 * `checksumSource`); where no such pin was found, `sha256` is null and a pull
 * checks the byte count only, then prints the digest it computed so it can be
 * pinned. None of these archives was downloaded on the machine that wrote
 * this list (it has no route to GitHub), so no figure here was checked by us.
 */

/** How sherpa-onnx loads a model directory; each family has its own files. */
export type ModelFamily =
  | 'zipformer-transducer-streaming'
  | 'zipformer2-ctc-streaming'
  /** Offline icefall transducer (zipformer, conformer): no catalogue entry, a directory installed by hand. */
  | 'zipformer-transducer'
  | 'zipformer-ctc'
  | 'whisper'
  | 'sense-voice'
  | 'nemo-transducer'
  | 'moonshine';

export interface CatalogueModel {
  id: string;
  family: ModelFamily;
  /** ISO 639-1 codes the publisher says the model recognises. */
  languages: readonly string[];
  /** The archive's file name; the download URL is the base URL (or HARK_MODEL_MIRROR) plus this. */
  archive: string;
  sizeBytes: number;
  /** Lower-case hex, or null when no digest was found for this archive (the size is then the only check). */
  sha256: string | null;
  /** Where `sha256` and `sizeBytes` come from, said plainly. */
  checksumSource: string;
  /** What the publisher reports for accuracy, quoted as theirs (never measured here). */
  publishedAccuracy: string;
  summary: string;
}

/** Where the official archives are published. */
export const OFFICIAL_BASE_URL = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models';

const NO_DIGEST = 'no sha256 found on the official pages or elsewhere; size pinned by a third-party catalogue (mavor)';

export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  {
    id: 'zipformer-en-streaming',
    family: 'zipformer-transducer-streaming',
    languages: ['en'],
    archive: 'sherpa-onnx-streaming-zipformer-en-2023-06-26.tar.bz2',
    sizeBytes: 310_414_022,
    sha256: null,
    checksumSource: NO_DIGEST,
    publishedAccuracy: 'icefall reports about 3% WER on LibriSpeech test-clean for this recipe (publisher figure)',
    summary: 'streaming zipformer transducer, English (true partials, hotwords)',
  },
  {
    id: 'zipformer-en-20m-streaming',
    family: 'zipformer-transducer-streaming',
    languages: ['en'],
    archive: 'sherpa-onnx-streaming-zipformer-en-20M-2023-02-17.tar.bz2',
    sizeBytes: 127_887_156,
    sha256: null,
    checksumSource: NO_DIGEST,
    publishedAccuracy: 'small (20M-parameter) model; the publisher gives no WER on its model page',
    summary: 'small streaming zipformer transducer, English (fast pass beside an offline model)',
  },
  {
    id: 'whisper-tiny-en',
    family: 'whisper',
    languages: ['en'],
    archive: 'sherpa-onnx-whisper-tiny.en.tar.bz2',
    sizeBytes: 118_071_777,
    sha256: '2bd6cf965c8bb3e068ef9fa2191387ee63a9dfa2a4e37582a8109641c20005dd',
    checksumSource: 'third-party pins (two projects pin this sha256 and size); not published by k2-fsa',
    publishedAccuracy: 'OpenAI reports about 5.6% WER on LibriSpeech test-clean for tiny.en (publisher figure)',
    summary: 'Whisper tiny.en, offline, English',
  },
  {
    id: 'moonshine-tiny-en',
    family: 'moonshine',
    languages: ['en'],
    archive: 'sherpa-onnx-moonshine-tiny-en-int8.tar.bz2',
    sizeBytes: 107_600_538,
    sha256: 'd5fe6ec4334fef36255b2a4010412cad4c007e33103fec62fb5d17cad88086f2',
    checksumSource: 'third-party pins (two projects pin this sha256; size from a third); not published by k2-fsa',
    publishedAccuracy: 'Useful Sensors report about 4.5% WER on LibriSpeech test-clean for Moonshine tiny (publisher figure)',
    summary: 'Moonshine tiny, int8, offline, English, short utterances',
  },
  {
    id: 'sense-voice',
    family: 'sense-voice',
    languages: ['zh', 'en', 'ja', 'ko', 'yue'],
    archive: 'sherpa-onnx-sense-voice-zh-en-ja-ko-yue-2024-07-17.tar.bz2',
    sizeBytes: 1_047_870_769,
    sha256: null,
    checksumSource: NO_DIGEST,
    publishedAccuracy: 'FunAudioLLM report accuracy above Whisper small on Chinese and Cantonese benchmarks (publisher claim)',
    summary: 'SenseVoice small, offline, Chinese, English, Japanese, Korean, Cantonese; reports the language',
  },
  {
    id: 'parakeet-tdt-v2-en',
    family: 'nemo-transducer',
    languages: ['en'],
    archive: 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v2-int8.tar.bz2',
    sizeBytes: 482_468_385,
    sha256: '157c157bc51155e03e37d2466522a3a737dd9c72bb25f36eb18912964161e1ad',
    checksumSource: 'third-party pins (two projects pin this sha256 and size); not published by k2-fsa',
    publishedAccuracy: 'NVIDIA report about 1.7% WER on LibriSpeech test-clean for parakeet-tdt-0.6b-v2 (publisher figure)',
    summary: 'NVIDIA Parakeet TDT 0.6B v2, int8, offline, English',
  },
  {
    id: 'parakeet-tdt-v3',
    family: 'nemo-transducer',
    languages: ['bg', 'hr', 'cs', 'da', 'nl', 'en', 'et', 'fi', 'fr', 'de', 'el', 'hu', 'it', 'lv', 'lt', 'mt', 'pl', 'pt', 'ro', 'sk', 'sl', 'es', 'sv', 'ru', 'uk'],
    archive: 'sherpa-onnx-nemo-parakeet-tdt-0.6b-v3-int8.tar.bz2',
    sizeBytes: 487_170_055,
    sha256: '5793d0fd397c5778d2cf2126994d58e9d56b1be7c04d13c7a15bb1b4eafb16bf',
    checksumSource: 'a third-party pin (one project pins this sha256 and size); not published by k2-fsa',
    publishedAccuracy: 'NVIDIA report per-language WER on FLEURS and Common Voice on the model card (publisher figures)',
    summary: 'NVIDIA Parakeet TDT 0.6B v3, int8, offline, 25 European languages',
  },
];

/** The catalogue entry with this id, or undefined. */
export function findCatalogueModel(id: string): CatalogueModel | undefined {
  return MODEL_CATALOGUE.find((model) => model.id === id);
}

/**
 * Where a pull fetches `model` from: the mirror when one is set, else the official release.
 * @example archiveUrl(model, 'http://lan-cache:8000/sherpa') // http://lan-cache:8000/sherpa/<archive>
 */
export function archiveUrl(model: CatalogueModel, mirror: string | null): URL {
  const base = (mirror ?? OFFICIAL_BASE_URL).replace(/\/+$/, '');
  return new URL(`${base}/${encodeURIComponent(model.archive)}`);
}
