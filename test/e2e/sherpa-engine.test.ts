/**
 * HARK_ENGINE=sherpa-onnx through the real server, with the constructed tone
 * model (test/support/tone-ctc-model.ts) run by the real sherpa-onnx runtime:
 * async transcripts, /v1/models, live partials and sherpa's endpoint rule
 * ending an utterance that Hark's energy detector still hears as speech,
 * and the errors a broken model gives at start. The official SDK is the client.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { toneWav as wav, writeToneModels } from '../support/tone-ctc-model.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const work = mkdtempSync(join(tmpdir(), 'hark-sherpa-e2e-'));
const models = writeToneModels(work);
after(() => rmSync(work, { recursive: true, force: true }));

// Hark's own voice detector must be the energy one: a neural one would not call pure tones speech.
const ENGINE_ENV = { HARK_VAD: 'energy', HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_ENGINE: 'sherpa-onnx' };

describe('sherpa-onnx engine, offline model, async and real-time transcription', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...ENGINE_ENV, HARK_ENGINE_MODEL: models.offline });
  });
  after(() => hark.dispose());

  test('transcribes the tones to their words, at their times, through the SDK', async () => {
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const transcription = await client.stt.transcribe({
      model: 'stt-async-v4',
      file: wav([{ tone: null, ms: 520 }, { tone: 'low', ms: 400 }, { tone: null, ms: 920 }, { tone: 'high', ms: 320 }, { tone: 'er', ms: 280 }, { tone: null, ms: 1_200 }]),
      filename: 'tones.wav',
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 120_000 },
    });
    assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
    const transcript = (await transcription.getTranscript())!;
    const spoken = transcript.tokens.filter((t) => /\p{L}/u.test(t.text));
    assert.deepEqual(spoken.map((t) => t.text.trim().toLowerCase()), ['low', 'higher']);
    // Hark cuts utterances on its own 10 ms grid, the model steps by 40 ms: start times agree to one step.
    assert.ok(Math.abs(spoken[0]!.start_ms! - 520) <= 40, `low at ${spoken[0]!.start_ms}`);
    assert.ok(Math.abs(spoken[1]!.start_ms! - 1_840) <= 40, `higher at ${spoken[1]!.start_ms}`);
    assert.ok(spoken.every((t) => t.end_ms! > t.start_ms! && t.confidence === 1));
  });

  test('real time: the offline model makes the finals (in a final worker), whatever PocketSphinx streamed', async () => {
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    const bytes = wav([{ tone: null, ms: 520 }, { tone: 'low', ms: 400 }, { tone: null, ms: 920 }, { tone: 'high', ms: 320 }, { tone: 'er', ms: 280 }, { tone: null, ms: 1_200 }]);
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto' });
    const finals: string[] = [];
    session.on('result', (result) => {
      for (const t of result.tokens) if (t.is_final) finals.push(t.text);
    });
    await session.connect();
    for (let at = 0; at < bytes.length; at += 3_200) {
      session.sendAudio(bytes.subarray(at, at + 3_200));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await session.finish();
    // PocketSphinx hears no English in pure tones; only the model knows these words.
    assert.deepEqual(finals.filter((t) => /\p{L}/u.test(t)).map((t) => t.trim().toLowerCase()), ['low', 'higher'], finals.join('|'));
  });

  test('/v1/models reports the installed model’s languages', async () => {
    const { status, body } = await api(hark, 'GET', '/v1/models');
    assert.equal(status, 200);
    const models = (body as { models: { languages: { code: string }[] }[] }).models;
    assert.ok(models.length > 0);
    for (const model of models) assert.deepEqual(model.languages.map((l) => l.code), ['en']);
  });
});

describe('sherpa-onnx engine, streaming model, real-time session', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...ENGINE_ENV, HARK_ENGINE_MODEL: models.streaming });
  });
  after(() => hark.dispose());

  test('partials while the tones play; sherpa’s endpoint rule ends an utterance Hark’s detector hears as speech', async () => {
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    // The hum between the words is loud to an energy detector and blank to the model.
    const bytes = wav([{ tone: null, ms: 520 }, { tone: 'low', ms: 400 }, { tone: 'hum', ms: 1_600 }, { tone: 'high', ms: 320 }, { tone: 'er', ms: 280 }, { tone: null, ms: 1_600 }]);
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', enable_endpoint_detection: true, max_endpoint_delay_ms: 3_000 });
    const finals: string[] = [];
    const nonFinals: string[] = [];
    let endpoints = 0;
    session.on('result', (result) => {
      for (const t of result.tokens) (t.is_final ? finals : nonFinals).push(t.text);
    });
    // The SDK takes `<end>` out of the tokens and emits `endpoint`: put it back in its place.
    session.on('endpoint', () => {
      endpoints++;
      finals.push('<end>');
    });
    await session.connect();
    // Real-time pace: 100 ms of audio every 100 ms.
    for (let at = 0; at < bytes.length; at += 3_200) {
      session.sendAudio(bytes.subarray(at, at + 3_200));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await session.finish();
    assert.ok(nonFinals.some((t) => t.trim().toLowerCase() === 'low'), `partials: ${nonFinals.join('|')}`);
    const words = finals.filter((t) => t !== '<end>' && /\p{L}/u.test(t)).map((t) => t.trim().toLowerCase());
    assert.deepEqual(words, ['low', 'higher']);
    // Without the model's endpoint the hum keeps one utterance open: "Low higher." and a single <end>.
    const firstEnd = finals.indexOf('<end>');
    assert.ok(firstEnd > finals.findIndex((t) => /low/i.test(t)) && firstEnd < finals.findIndex((t) => /higher/i.test(t)), finals.join('|'));
    assert.equal(endpoints, 2, finals.join('|'));
  });
});

describe('sherpa-onnx engine errors at start', () => {
  function startFails(env: Record<string, string>): Promise<string> {
    return startHark({ ...ENGINE_ENV, ...env }).then(
      async (hark) => {
        await hark.dispose();
        throw new Error('the server started');
      },
      (err: Error) => err.message,
    );
  }

  test('a model id that is not installed says how to install it', async () => {
    assert.match(await startFails({ HARK_ENGINE_MODEL: 'whisper-tiny-en' }), /Model whisper-tiny-en is not installed in .*: run "hark models pull whisper-tiny-en"/);
  });

  test('sherpa-onnx without a model names the setting', async () => {
    assert.match(await startFails({}), /HARK_ENGINE=sherpa-onnx needs HARK_ENGINE_MODEL/);
  });

  test('a corrupt model is reported with the runtime’s own message, not a dead worker', async () => {
    const dir = join(work, 'corrupt');
    mkdirSync(dir);
    for (const file of ['tokens.txt', 'hark-model.json']) copyFileSync(join(models.offline, file), join(dir, file));
    writeFileSync(join(dir, 'model.onnx'), 'not an onnx file');
    assert.match(await startFails({ HARK_ENGINE_MODEL: dir }), /sherpa-onnx could not load the model in .*corrupt .*Protobuf parsing failed/);
  });
});
