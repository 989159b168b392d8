/**
 * Context and language hints reaching sherpa-onnx models through the real
 * server, the official SDK as the client: the context's terms as hotwords
 * of constructed transducers (test/support/tone-transducer-model.ts), in
 * async jobs and real-time sessions, and `language_hints` to a constructed
 * SenseVoice model (test/support/tone-sense-voice-model.ts). The models
 * find "high" a little likelier than "hi"; the term "hi" turns it over.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { toneWav, type TonePart } from '../support/tone-ctc-model.js';
import { writeToneSenseVoice } from '../support/tone-sense-voice-model.js';
import { writeToneTransducers } from '../support/tone-transducer-model.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const work = mkdtempSync(join(tmpdir(), 'hark-sherpa-context-e2e-'));
const transducers = writeToneTransducers(work);
const senseVoice = writeToneSenseVoice(join(work, 'tone-sense-voice'));
after(() => rmSync(work, { recursive: true, force: true }));

// Pure tones are speech to Hark's energy detector, not to a neural one.
const ENGINE_ENV = { HARK_VAD: 'energy', HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_ENGINE: 'sherpa-onnx' };

/** "low", a pause, a 3000 Hz tone: "high", or "hi" with the term; 60 ms steps suit SenseVoice as well. */
const LOW_HIGH: TonePart[] = [
  { tone: null, ms: 540 },
  { tone: 'low', ms: 420 },
  { tone: null, ms: 540 },
  { tone: 'high', ms: 420 },
  { tone: null, ms: 1_200 },
];

const spoken = (texts: string[]) => texts.filter((t) => /\p{L}/u.test(t)).map((t) => t.trim().toLowerCase().replace(/[.,]/g, ''));

async function transcribe(hark: HarkProcess, options: Record<string, unknown>) {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  const transcription = await client.stt.transcribe({
    model: 'stt-async-v4',
    file: toneWav(LOW_HIGH),
    filename: 'tones.wav',
    wait: true,
    wait_options: { interval_ms: 500, timeout_ms: 180_000 },
    ...options,
  } as Parameters<typeof client.stt.transcribe>[0]);
  assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
  return (await transcription.getTranscript())!.tokens;
}

/** One real-time session at real-time pace: its final and non-final token texts. */
async function stream(hark: HarkProcess, options: Record<string, unknown>) {
  const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
  const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', ...options } as Parameters<typeof client.realtime.stt>[0]);
  const finals: string[] = [];
  const partials: string[] = [];
  session.on('result', (result) => {
    for (const t of result.tokens) (t.is_final ? finals : partials).push(t.text);
  });
  await session.connect();
  const bytes = toneWav(LOW_HIGH);
  for (let at = 0; at < bytes.length; at += 3_200) {
    session.sendAudio(bytes.subarray(at, at + 3_200));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await session.finish();
  return { finals: spoken(finals), partials: spoken(partials) };
}

describe('context as hotwords: offline transducer (async jobs, real-time finals)', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...ENGINE_ENV, HARK_ENGINE_MODEL: transducers.offline });
  });
  after(() => hark.dispose());

  test('async: the term "hi" is heard; without context the model’s own "high"', async () => {
    assert.deepEqual(spoken((await transcribe(hark, {})).map((t) => t.text)), ['low', 'high']);
    assert.deepEqual(spoken((await transcribe(hark, { context: { terms: ['hi'] } })).map((t) => t.text)), ['low', 'hi']);
    assert.deepEqual(spoken((await transcribe(hark, { context: { general: [{ key: 'greeting', value: 'hi' }] } })).map((t) => t.text)), ['low', 'hi']);
  });

  test('real time: the final pass is biased by the session’s context', async () => {
    assert.deepEqual((await stream(hark, { context: { terms: ['hi'] } })).finals, ['low', 'hi']);
    assert.deepEqual((await stream(hark, {})).finals, ['low', 'high']);
  });
});

describe('context as hotwords: streaming transducer (live partials and finals)', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...ENGINE_ENV, HARK_ENGINE_MODEL: transducers.streaming });
  });
  after(() => hark.dispose());

  test('partials and finals hear "hi" with the term, "high" in a session without it', async () => {
    const biased = await stream(hark, { context: { terms: ['hi'] } });
    assert.deepEqual(biased.finals, ['low', 'hi']);
    assert.ok(biased.partials.includes('hi') && !biased.partials.includes('high'), biased.partials.join('|'));
    const plain = await stream(hark, {});
    assert.deepEqual(plain.finals, ['low', 'high']);
    assert.ok(plain.partials.includes('high') && !plain.partials.includes('hi'), plain.partials.join('|'));
  });
});

describe('language hints: SenseVoice', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...ENGINE_ENV, HARK_ENGINE_MODEL: senseVoice });
  });
  after(() => hark.dispose());

  test('the first hint the model knows is the language it hears; without hints, its own detection', async () => {
    const languages = async (options: Record<string, unknown>) => {
      const tokens = await transcribe(hark, { enable_language_identification: true, ...options });
      assert.deepEqual(spoken(tokens.map((t) => t.text)), ['low', 'high']);
      return [...new Set(tokens.map((t) => t.language))];
    };
    assert.deepEqual(await languages({}), ['en']);
    assert.deepEqual(await languages({ language_hints: ['ja'] }), ['ja']);
    assert.deepEqual(await languages({ language_hints: ['ko', 'ja'], language_hints_strict: true }), ['ko']);
    assert.deepEqual(await languages({ language_hints: ['de'] }), ['en'], 'a language the model lacks: it detects');
  });

  test('real time: the final pass is told the hint too', async () => {
    const client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', language_hints: ['ja'], enable_language_identification: true });
    const languages = new Set<string | undefined>();
    const words: string[] = [];
    session.on('result', (result) => {
      for (const t of result.tokens) if (t.is_final && /\p{L}/u.test(t.text)) (languages.add(t.language), words.push(t.text));
    });
    await session.connect();
    const bytes = toneWav(LOW_HIGH);
    for (let at = 0; at < bytes.length; at += 3_200) {
      session.sendAudio(bytes.subarray(at, at + 3_200));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await session.finish();
    assert.deepEqual(spoken(words), ['low', 'high']);
    assert.deepEqual([...languages], ['ja']);
  });

  test('/v1/models lists the languages the installed model has', async () => {
    const { status, body } = await api(hark, 'GET', '/v1/models');
    assert.equal(status, 200);
    for (const model of (body as { models: { languages: { code: string }[] }[] }).models) assert.deepEqual(model.languages.map((l) => l.code), ['zh', 'en', 'ja', 'ko', 'yue']);
  });
});
