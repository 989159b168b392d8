import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RecognitionContext } from '../../context/recognition-context.js';
import { toneAudio, writeToneModels, type TonePart } from '../../../../test/support/tone-ctc-model.js';
import { writeToneTransducers } from '../../../../test/support/tone-transducer-model.js';
import { sherpaCapabilities } from './capabilities.js';
import { offlineRecognizerConfig, onlineRecognizerConfig, resolveSherpaModel } from './model-files.js';
import { SHERPA_ENDPOINT_RULES, SherpaOnnxEngine } from './sherpa-onnx-engine.js';

const root = mkdtempSync(join(tmpdir(), 'hark-sherpa-hotwords-'));
const transducers = writeToneTransducers(root);
const ctc = writeToneModels(root);
after(() => rmSync(root, { recursive: true, force: true }));

/** "low", a pause, then a 3000 Hz tone: "high", or "hi" (a token the model finds slightly less likely) when boosted. */
const LOW_HIGH: TonePart[] = [
  { tone: null, ms: 520 },
  { tone: 'low', ms: 400 },
  { tone: null, ms: 520 },
  { tone: 'high', ms: 400 },
  { tone: null, ms: 1_200 },
];

const context = (terms: string[], extra: Partial<RecognitionContext> = {}): RecognitionContext => ({ general: [], text: '', terms, translationTerms: [], ...extra });
const words = (list: { word: string; startMs: number }[]) => list.map(({ word, startMs }) => [word, startMs]);

describe('hotwords on a constructed transducer, through sherpa-onnx’s modified beam search', () => {
  it('offline: the term "hi" turns "high" into "hi"; without it, or with other terms, the model’s own choice stands', async () => {
    const notices: string[] = [];
    const engine = new SherpaOnnxEngine(resolveSherpaModel(transducers.offline, root), (m) => notices.push(m));
    const recognizer = engine.createBatchRecognizer();
    const recognize = async (c: RecognitionContext | null) => words((await recognizer.recognize({ samples: toneAudio(LOW_HIGH), offsetMs: 1_000, context: c })).words);
    assert.deepEqual(await recognize(null), [['low', 1_520], ['high', 2_440]]);
    assert.deepEqual(await recognize(context(['hi'])), [['low', 1_520], ['hi', 2_440]]);
    assert.deepEqual(await recognize(context(['low'])), [['low', 1_520], ['high', 2_440]], 'boosting what was heard anyway changes nothing');
    // A general value is a phrase too; free text is not used.
    assert.deepEqual(await recognize(context([], { general: [{ key: 'greeting', value: 'hi' }] })), [['low', 1_520], ['hi', 2_440]]);
    assert.deepEqual(await recognize(context([], { text: 'hi' })), [['low', 1_520], ['high', 2_440]]);
    // A hotword the vocabulary cannot spell is skipped by sherpa; recognition goes on.
    assert.deepEqual(await recognize(context(['Zürich', 'hi'])), [['low', 1_520], ['hi', 2_440]]);
    assert.deepEqual(notices, []);
    engine.close();
  });

  it('streaming, in batch: the same flip through a recognizer loaded with the hotwords', async () => {
    const engine = new SherpaOnnxEngine(resolveSherpaModel(transducers.streaming, root));
    const recognizer = engine.createBatchRecognizer();
    const recognize = async (c: RecognitionContext | null) => words((await recognizer.recognize({ samples: toneAudio(LOW_HIGH), offsetMs: 0, context: c })).words);
    assert.deepEqual(await recognize(null), [['low', 520], ['high', 1_440]]);
    assert.deepEqual(await recognize(context(['hi'])), [['low', 520], ['hi', 1_440]]);
    assert.deepEqual(await recognize(null), [['low', 520], ['high', 1_440]], 'the next job without context is unbiased');
    engine.close();
  });

  it('live: setContext biases partials and finals from the next utterance on, and null removes it', () => {
    const engine = new SherpaOnnxEngine(resolveSherpaModel(transducers.streaming, root));
    const stream = engine.createStream();
    const utterance = (offsetMs: number) => {
      stream.startUtterance(offsetMs);
      stream.process(toneAudio(LOW_HIGH));
      const partial = stream.partial().map((w) => w.word);
      return { partial, final: words(stream.endUtterance()) };
    };
    assert.deepEqual(utterance(0), { partial: ['low', 'high'], final: [['low', 520], ['high', 1_440]] });
    stream.setContext(context(['hi']));
    assert.deepEqual(utterance(10_000), { partial: ['low', 'hi'], final: [['low', 10_520], ['hi', 11_440]] });
    stream.setContext(null);
    assert.deepEqual(utterance(20_000), { partial: ['low', 'high'], final: [['low', 20_520], ['high', 21_440]] });
    stream.free();
    engine.close();
  });

  it('decodes with modified beam search and the BPE vocabulary when the model takes hotwords, greedy search otherwise', () => {
    const offline = offlineRecognizerConfig(resolveSherpaModel(transducers.offline, root), null);
    assert.equal(offline.decodingMethod, 'modified_beam_search');
    assert.equal(offline.hotwordsScore, 1.5);
    assert.deepEqual(
      { ...(offline.modelConfig as Record<string, unknown>), transducer: undefined, tokens: undefined },
      { transducer: undefined, tokens: undefined, numThreads: 1, debug: 0, provider: 'cpu', modelingUnit: 'bpe', bpeVocab: join(transducers.offline, 'bpe.vocab'), modelType: 'transducer' },
    );
    const online = onlineRecognizerConfig(resolveSherpaModel(transducers.streaming, root), SHERPA_ENDPOINT_RULES, '/tmp/hw.txt');
    assert.equal(online.decodingMethod, 'modified_beam_search');
    assert.equal(online.hotwordsFile, '/tmp/hw.txt');
    assert.equal(offlineRecognizerConfig(resolveSherpaModel(ctc.offline, root), null).decodingMethod, 'greedy_search');
  });

  it('declares context biasing only for a transducer with a bpe.vocab', () => {
    assert.equal(sherpaCapabilities(resolveSherpaModel(transducers.offline, root)).context, 'bias');
    assert.equal(sherpaCapabilities(resolveSherpaModel(transducers.streaming, root)).context, 'bias');
    assert.equal(sherpaCapabilities(resolveSherpaModel(ctc.streaming, root)).context, 'none');
    const bare = join(root, 'transducer-without-vocab');
    cpSync(transducers.offline, bare, { recursive: true });
    rmSync(join(bare, 'bpe.vocab'));
    const model = resolveSherpaModel(bare, root);
    assert.equal(sherpaCapabilities(model).context, 'none');
    assert.equal(offlineRecognizerConfig(model, null).decodingMethod, 'greedy_search');
    // Without a description of where it lives, a transducer cannot be known to take hotwords.
    assert.equal(sherpaCapabilities({ id: 'x', family: 'nemo-transducer', languages: ['en'] }).context, 'none');
  });

  it('a model without hotwords ignores context, says so once, and recognises as before', async () => {
    const notices: string[] = [];
    const engine = new SherpaOnnxEngine(resolveSherpaModel(ctc.offline, root), (m) => notices.push(m));
    const recognizer = engine.createBatchRecognizer();
    const samples = toneAudio([{ tone: null, ms: 520 }, { tone: 'low', ms: 400 }, { tone: null, ms: 600 }]);
    for (let i = 0; i < 3; i++) assert.deepEqual(words((await recognizer.recognize({ samples, offsetMs: 0, context: context(['hi']) })).words), [['low', 520]]);
    assert.deepEqual(notices, ['tone-ctc (zipformer-ctc) takes no hotwords: the context of requests is ignored']);
    engine.close();
  });
});
