import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ModelFamily } from '../../../services/speech-models/model-catalogue.js';
import { toneAudio, type TonePart } from '../../../../test/support/tone-ctc-model.js';
import { writeToneSenseVoice } from '../../../../test/support/tone-sense-voice-model.js';
import { sherpaCapabilities } from './capabilities.js';
import { offlineRecognizerConfig, resolveSherpaModel } from './model-files.js';
import { SherpaOnnxEngine } from './sherpa-onnx-engine.js';

const root = mkdtempSync(join(tmpdir(), 'hark-sherpa-languages-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** SenseVoice steps by 60 ms: tones start on that grid. */
const LOW_HIGHER: TonePart[] = [
  { tone: null, ms: 540 },
  { tone: 'low', ms: 420 },
  { tone: null, ms: 540 },
  { tone: 'high', ms: 300 },
  { tone: 'er', ms: 300 },
  { tone: null, ms: 1_200 },
];

/** A model directory with empty files of the names `family` needs: enough to build its configuration (what these tests check), never to run it. */
function placeholderModelDir(family: ModelFamily, languages: string[], files: string[]) {
  const dir = join(root, `${family}-${languages.join('-')}`);
  mkdirSync(dir, { recursive: true });
  for (const file of [...files, 'tokens.txt']) writeFileSync(join(dir, file), '');
  writeFileSync(join(dir, 'hark-model.json'), JSON.stringify({ id: `placeholder-${family}`, family, languages }));
  return resolveSherpaModel(dir, root);
}

const modelOf = (config: Record<string, unknown>, key: string) => (config.modelConfig as Record<string, Record<string, unknown>>)[key]!;

describe('language hints to Whisper and SenseVoice', () => {
  it('a constructed SenseVoice model hears the language it is told, and detects one when told none', async () => {
    const notices: string[] = [];
    const engine = new SherpaOnnxEngine(resolveSherpaModel(writeToneSenseVoice(join(root, 'sense-voice')), root), (m) => notices.push(m));
    const recognizer = engine.createBatchRecognizer();
    const heard = async (language: string | null) => {
      const result = await recognizer.recognize({ samples: toneAudio(LOW_HIGHER), offsetMs: 0, language });
      assert.deepEqual(result.words.map((w) => w.word), ['low', 'higher']);
      return result.language;
    };
    assert.equal(await heard(null), 'en', 'no hint: the model’s own detection');
    assert.equal(await heard('ja'), 'ja');
    assert.equal(await heard('zh'), 'zh');
    assert.equal(await heard('ko'), 'ko', 'a third language: the oldest cached recognizer makes way');
    assert.equal(await heard('ja'), 'ja', 'and is loaded again when asked for');
    assert.equal(await heard(null), 'en', 'a job without hints after hinted ones detects again');
    assert.deepEqual(notices, []);
    // A language the model does not know: it detects, and Hark says so once.
    assert.equal(await heard('de'), 'en');
    assert.equal(await heard('de'), 'en');
    assert.deepEqual(notices, ['tone-sense-voice does not know the language "de": it detects the language itself']);
    engine.close();
  });

  it('configures SenseVoice with the hint it knows, "auto" otherwise', () => {
    const model = placeholderModelDir('sense-voice', ['zh', 'en', 'ja', 'ko', 'yue'], ['model.int8.onnx']);
    assert.equal(modelOf(offlineRecognizerConfig(model, 'yue'), 'senseVoice').language, 'yue');
    assert.equal(modelOf(offlineRecognizerConfig(model, 'fr'), 'senseVoice').language, 'auto');
    assert.equal(modelOf(offlineRecognizerConfig(model, null), 'senseVoice').language, 'auto');
  });

  it('configures multilingual Whisper with the hint it knows (task transcribe), and English-only Whisper with none', () => {
    const multilingual = placeholderModelDir('whisper', ['en', 'de', 'fr'], ['tiny-encoder.int8.onnx', 'tiny-decoder.int8.onnx']);
    assert.deepEqual(
      { ...modelOf(offlineRecognizerConfig(multilingual, 'de'), 'whisper'), encoder: undefined, decoder: undefined },
      { encoder: undefined, decoder: undefined, language: 'de', task: 'transcribe' },
    );
    assert.equal(modelOf(offlineRecognizerConfig(multilingual, 'ja'), 'whisper').language, '', 'a language the model lacks: it detects');
    assert.equal(modelOf(offlineRecognizerConfig(multilingual, null), 'whisper').language, '');
    const english = placeholderModelDir('whisper', ['en'], ['tiny.en-encoder.onnx', 'tiny.en-decoder.onnx']);
    assert.equal(modelOf(offlineRecognizerConfig(english, 'en'), 'whisper').language, '');
  });

  it('/v1/models languages and language identification come from the model description', () => {
    const senseVoice = sherpaCapabilities(resolveSherpaModel(join(root, 'sense-voice'), root));
    assert.deepEqual(senseVoice.languages, ['zh', 'en', 'ja', 'ko', 'yue']);
    assert.equal(senseVoice.languageIdentification, true);
    assert.equal(sherpaCapabilities({ id: 'w', family: 'whisper', languages: ['en'] }).languageIdentification, false);
  });
});
