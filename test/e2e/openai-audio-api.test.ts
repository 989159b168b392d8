// OpenAI's audio API on Hark, through the official `openai` npm package:
// response formats, the error shape, keys and limits.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import OpenAI, { toFile } from 'openai';
import { wordErrorRate } from '../../src/lib/wer.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { speechPcm } from '../support/speech-audio.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';

const MAX_FILE_SIZE = 2_000_000;

describe('POST /v1/audio/transcriptions through the openai SDK', () => {
  let hark: HarkProcess;
  let openai: OpenAI;
  const utterances = librivoxUtterances();
  const wav = () => readFile(utterances[1]!.wavPath);

  before(async () => {
    hark = await startHark({ HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_MAX_FILE_SIZE: String(MAX_FILE_SIZE) });
    openai = new OpenAI({ apiKey: hark.apiKey, baseURL: `${hark.baseUrl}/v1`, maxRetries: 0, timeout: 300_000 });
  });
  after(() => hark.dispose());

  /** The SDK's error for a call expected to fail, with OpenAI's `error` body. */
  async function failure(call: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
    try {
      await call();
    } catch (err) {
      assert.ok(err instanceof OpenAI.APIError, String(err));
      return err;
    }
    assert.fail('the call succeeded');
  }

  test('json for each LibriVox recording: the words of the reference, within PocketSphinx’s accuracy', async () => {
    const references: string[] = [];
    const hypotheses: string[] = [];
    for (const u of utterances) {
      const result = await openai.audio.transcriptions.create({ file: await toFile(await readFile(u.wavPath), `${u.id}.wav`), model: 'whisper-1' });
      assert.match(result.text, /^[A-Z].*\.$/, 'a sentence');
      references.push(u.reference);
      hypotheses.push(result.text.toLowerCase().replace(/[^a-z' ]/g, ''));
    }
    const wer = wordErrorRate(references.join(' '), hypotheses.join(' '));
    console.log(`openai SDK, json: WER ${(wer * 100).toFixed(1)}% over ${utterances.length} recordings`);
    // The async suite measures ≈30 % for the same engine on the same audio.
    assert.ok(wer <= 0.4, `${wer}`);
  });

  test('text, srt, vtt and verbose_json (words and segments) describe the same transcript', async () => {
    const file = async () => toFile(await wav(), 'speech.wav');
    const verbose = await openai.audio.transcriptions.create({
      file: await file(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'], temperature: 0.3, language: 'en',
    });
    assert.equal(verbose.language, 'english');
    assert.ok(verbose.duration > 2 && verbose.duration < 4, `${verbose.duration}`);
    const words = verbose.words!;
    assert.ok(words.length >= 5);
    let previous = 0;
    for (const w of words) {
      assert.match(w.word, /^[\p{L}'.]+$/u);
      assert.ok(w.start >= previous && w.end >= w.start && w.end <= verbose.duration, JSON.stringify(w));
      previous = w.start;
    }
    assert.equal(words.map((w) => w.word).join(' ').toLowerCase().replace(/\./g, ''), verbose.text.toLowerCase().replace(/[.,]/g, ''));
    assert.ok(verbose.segments!.length >= 1);
    assert.equal(verbose.segments!.map((s) => s.text.trim()).join(' '), verbose.text);

    const text = await openai.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'text' });
    assert.equal(String(text).trim(), verbose.text);
    const srt = String(await openai.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'srt' }));
    assert.match(srt, /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
    const vtt = String(await openai.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'vtt' }));
    assert.match(vtt, /^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
    for (const caption of [srt, vtt]) assert.equal(caption.split('\n').filter((l) => /[a-z]/i.test(l) && !l.startsWith('WEBVTT')).join(' '), verbose.text);
  });

  test('a prompt is taken as context', async () => {
    const result = await openai.audio.transcriptions.create({ file: await toFile(await wav(), 'speech.wav'), model: 'whisper-1', prompt: 'Dashwood, Norland Park.' });
    assert.ok(result.text.length > 0);
  });

  test('each answered request writes a usage record, read through the Soniox SDK', async () => {
    const soniox = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const hour = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();
    const window = { start_time: hour(Date.now() - 3_600_000), end_time: hour(Date.now() + 7_200_000) };
    const before = (await soniox.usageLogs.list(window)).usage_logs.filter((l) => l.model === 'gpt-4o-transcribe').length;
    const verbose = await openai.audio.transcriptions.create({ file: await toFile(await wav(), 'speech.wav'), model: 'gpt-4o-transcribe', response_format: 'verbose_json' });
    const logs = (await soniox.usageLogs.list(window)).usage_logs.filter((l) => l.model === 'gpt-4o-transcribe');
    assert.equal(logs.length, before + 1, JSON.stringify(logs));
    const log = logs.find((l) => Math.abs(l.input_audio_duration_ms - verbose.duration * 1000) < 50)!;
    assert.ok(log, `${verbose.duration} s: ${JSON.stringify(logs)}`);
    assert.ok(Date.parse(log.end_time) >= Date.parse(log.start_time));
    const extra = log as unknown as Record<string, unknown>;
    assert.deepEqual([extra.hark_kind, extra.hark_status, extra.hark_transcription_id], ['async', 'completed', null]);
  });

  test('errors come in OpenAI’s shape, naming the field', async () => {
    const unauthorised = await failure(async () =>
      new OpenAI({ apiKey: 'wrong', baseURL: `${hark.baseUrl}/v1`, maxRetries: 0 }).audio.transcriptions.create({ file: await toFile(await wav(), 'a.wav'), model: 'whisper-1' }));
    assert.equal(unauthorised.status, 401);
    assert.ok(unauthorised instanceof OpenAI.AuthenticationError);
    assert.equal(unauthorised.code, 'invalid_api_key');

    const model = await failure(async () => openai.audio.transcriptions.create({ file: await toFile(await wav(), 'a.wav'), model: 'gpt-5' }));
    assert.ok(model instanceof OpenAI.BadRequestError);
    assert.deepEqual([model.type, model.param], ['invalid_request_error', 'model']);

    const language = await failure(async () => openai.audio.transcriptions.create({ file: await toFile(await wav(), 'a.wav'), model: 'whisper-1', language: 'fr' }));
    assert.deepEqual([language.status, language.param], [400, 'language']);

    const garbage = await failure(async () => openai.audio.transcriptions.create({ file: await toFile(Buffer.from('not audio at all'.repeat(100)), 'a.wav'), model: 'whisper-1' }));
    assert.deepEqual([garbage.status, garbage.param], [400, 'file']);
    assert.match(garbage.message, /could not be decoded/);

    const tooLarge = await failure(async () => openai.audio.transcriptions.create({ file: await toFile(Buffer.alloc(MAX_FILE_SIZE + 1000), 'big.wav'), model: 'whisper-1' }));
    assert.equal(tooLarge.status, 400);
    assert.match(tooLarge.message, /maximum file size/);

    const noFile = await fetch(`${hark.baseUrl}/v1/audio/transcriptions`, {
      method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: (() => { const f = new FormData(); f.append('model', 'whisper-1'); return f; })(),
    });
    assert.equal(noFile.status, 400);
    assert.deepEqual(((await noFile.json()) as { error: { param: string } }).error.param, 'file');

    const wrongMethod = await fetch(`${hark.baseUrl}/v1/audio/transcriptions`, { headers: { authorization: `Bearer ${hark.apiKey}` } });
    assert.equal(wrongMethod.status, 405);
    const body = (await wrongMethod.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  });

  test('translations are refused with a clear 400 rather than an English transcript', async () => {
    const refused = await failure(async () => openai.audio.translations.create({ file: await toFile(await wav(), 'a.wav'), model: 'whisper-1' }));
    assert.ok(refused instanceof OpenAI.BadRequestError);
    assert.match(refused.message, /does not translate audio into English/);
  });
});

describe('POST /v1/audio/transcriptions on a long file', () => {
  let hark: HarkProcess;
  before(async () => {
    // An idle timeout far below the time recognition of the file takes on any machine.
    hark = await startHark({ HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_HTTP_IDLE_TIMEOUT_MS: '1000' });
  });
  after(() => hark.dispose());

  test('the answer is not cut off by the idle timeout while the engine works; the file is segmented', async () => {
    const openai = new OpenAI({ apiKey: hark.apiKey, baseURL: `${hark.baseUrl}/v1`, maxRetries: 0, timeout: 600_000 });
    // The five recordings with pauses: 31 s, longer than the 30 s recognised whole.
    const pcm = speechPcm();
    const wav = Buffer.concat([pcmWavHeader(16_000, 1, pcm.length), pcm]);
    const started = performance.now();
    const result = await openai.audio.transcriptions.create({ file: await toFile(wav, 'long.wav'), model: 'whisper-1', response_format: 'verbose_json' });
    const tookMs = performance.now() - started;
    assert.ok(tookMs > 1000, `recognition took ${Math.round(tookMs)} ms, not longer than the idle timeout: the test proves nothing`);
    assert.ok(result.duration > 30, `${result.duration}`);
    const references = librivoxUtterances().map((u) => u.reference).join(' ');
    const wer = wordErrorRate(references, result.text.toLowerCase().replace(/[^a-z' ]/g, ''));
    assert.ok(wer <= 0.4, `${wer}: ${result.text}`);
    assert.ok(result.segments!.length >= 5, 'one segment or more per sentence');
  });
});
