import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelDirectoryError } from '../../../services/speech-models/installed-models.js';
import { toneAudio, writeToneModels, type TonePart } from '../../../../test/support/tone-ctc-model.js';
import { resolveSherpaModel } from './model-files.js';
import { ModelLoadError, probeSherpaModel } from './load-probe.js';
import { sherpaCapabilities } from './capabilities.js';
import { SherpaOnnxEngine } from './sherpa-onnx-engine.js';

const root = mkdtempSync(join(tmpdir(), 'hark-sherpa-engine-'));
const dirs = writeToneModels(root);
after(() => rmSync(root, { recursive: true, force: true }));

/** "low", a pause shorter than the endpoint rule, then "higher" (high + er), then a long pause. */
const SENTENCE: TonePart[] = [
  { tone: null, ms: 520 },
  { tone: 'low', ms: 400 },
  { tone: null, ms: 520 },
  { tone: 'high', ms: 320 },
  { tone: 'er', ms: 280 },
  { tone: null, ms: 1_200 },
];
const SENTENCE_MS = 3_240;

const words = (list: { word: string; startMs: number }[]) => list.map(({ word, startMs }) => [word, startMs]);

describe('sherpa-onnx engine with the constructed tone model', () => {
  it('recognises a whole utterance with an offline CTC model: words and start times exact', async () => {
    const engine = new SherpaOnnxEngine(resolveSherpaModel(dirs.offline, root));
    const result = await engine.createBatchRecognizer().recognize({ samples: toneAudio(SENTENCE), offsetMs: 60_000 });
    assert.deepEqual(words(result.words), [['low', 60_520], ['higher', 61_440]]);
    assert.ok(result.words.every((w) => w.endMs > w.startMs && w.endMs <= 60_000 + SENTENCE_MS));
    assert.equal(result.language, undefined);
    engine.close();
  });

  it('decodes a whole utterance with the streaming model too, to the same words', async () => {
    const engine = new SherpaOnnxEngine(resolveSherpaModel(dirs.streaming, root));
    const result = await engine.createBatchRecognizer().recognize({ samples: toneAudio(SENTENCE), offsetMs: 0 });
    assert.deepEqual(words(result.words), [['low', 520], ['higher', 1_440]]);
  });

  it('streams: partials grow as audio arrives, sherpa’s endpoint fires only after the sentence, finals match', () => {
    const engine = new SherpaOnnxEngine(resolveSherpaModel(dirs.streaming, root));
    const stream = engine.createStream();
    const audio = toneAudio(SENTENCE);
    stream.startUtterance(5_000);
    const seen: { atMs: number; words: string[]; endpoint: boolean }[] = [];
    for (let at = 0; at < audio.length; at += 1_600) {
      stream.process(audio.subarray(at, at + 1_600));
      seen.push({ atMs: Math.min(at + 1_600, audio.length) / 16, words: stream.partial().map((w) => w.word), endpoint: stream.endpointDetected() });
    }
    // A 40 ms step is decoded once its 320 ms chunk is complete: "low" (from 520 ms) is out by 900 ms.
    assert.deepEqual(seen.find((s) => s.atMs === 900)?.words, ['low']);
    assert.deepEqual(seen.find((s) => s.atMs === 1_400)?.words, ['low'], 'the pause inside the sentence');
    assert.deepEqual(seen.at(-1)?.words, ['low', 'higher']);
    // No endpoint in the 520 ms pause inside the sentence; one in the final 1.2 s of silence (rule 2: 0.8 s),
    // once the 320 ms chunks decoded reach 0.8 s past the last tone (2 040 ms).
    const firstEndpoint = seen.find((s) => s.endpoint);
    assert.ok(firstEndpoint !== undefined, 'an endpoint after the sentence');
    assert.ok(firstEndpoint.atMs > 2_040 + 800 - 40 && firstEndpoint.atMs <= SENTENCE_MS, `endpoint at ${firstEndpoint.atMs} ms`);
    assert.deepEqual(words(stream.endUtterance()), [['low', 5_520], ['higher', 6_440]]);
    // The next utterance starts clean.
    stream.startUtterance(10_000);
    stream.process(toneAudio([{ tone: 'high', ms: 400 }, { tone: null, ms: 400 }]));
    assert.equal(stream.endpointDetected(), false);
    assert.deepEqual(words(stream.endUtterance()), [['high', 10_000]]);
    stream.free();
  });

  it('declares what the model supports from its description, without loading it', () => {
    assert.deepEqual(sherpaCapabilities(resolveSherpaModel(dirs.streaming, root)), {
      streaming: true,
      batch: true,
      wordTimestamps: true,
      confidences: false,
      languages: ['en'],
      languageIdentification: false,
      context: 'none',
      batchConcurrency: 1,
    });
    const senseVoice = sherpaCapabilities({ id: 'sense-voice', family: 'sense-voice', languages: ['zh', 'en', 'ja', 'ko', 'yue'] });
    assert.equal(senseVoice.streaming, false);
    assert.equal(senseVoice.languageIdentification, true);
    assert.deepEqual(senseVoice.languages, ['zh', 'en', 'ja', 'ko', 'yue']);
  });
});

describe('sherpa-onnx model errors', () => {
  function brokenCopy(name: string, change: (dir: string) => void): string {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const file of ['model.onnx', 'tokens.txt', 'hark-model.json']) copyFileSync(join(dirs.streaming, file), join(dir, file));
    change(dir);
    return dir;
  }

  it('names an id that is not installed, and a directory without a description', () => {
    assert.throws(() => resolveSherpaModel('whisper-tiny-en', root), /Model whisper-tiny-en is not installed in .*models: run "hark models pull whisper-tiny-en"/);
    const bare = join(root, 'bare');
    mkdirSync(bare);
    assert.throws(() => resolveSherpaModel(bare, root), (err: unknown) => err instanceof ModelDirectoryError && /hark-model\.json is missing/.test(err.message));
  });

  it('a missing model file is an error before the runtime is touched', () => {
    const dir = brokenCopy('no-onnx', (d) => rmSync(join(d, 'model.onnx')));
    assert.throws(() => new SherpaOnnxEngine(resolveSherpaModel(dir, root)), /has no CTC model/);
  });

  it('a corrupt model, which aborts sherpa-onnx, is reported by the load probe with the library’s message', async () => {
    const dir = brokenCopy('corrupt', (d) => writeFileSync(join(d, 'model.onnx'), 'not a protobuf'));
    await assert.rejects(probeSherpaModel(resolveSherpaModel(dir, root)), (err: unknown) => {
      assert.ok(err instanceof ModelLoadError);
      assert.match(err.message, /could not load the model in .*corrupt \(the loader (was killed by SIGABRT|exited with \d+)\): .*Protobuf parsing failed/);
      return true;
    });
  });

  it('tokens without a blank symbol, on which sherpa-onnx exits, are reported too; a good model passes', async () => {
    const dir = brokenCopy('no-blank', (d) => writeFileSync(join(d, 'tokens.txt'), 'a 0\nb 1\nc 2\nd 3\n'));
    await assert.rejects(probeSherpaModel(resolveSherpaModel(dir, root)), /tokens\.txt contains the symbol <blk>/);
    await probeSherpaModel(resolveSherpaModel(dirs.streaming, root));
  });
});
