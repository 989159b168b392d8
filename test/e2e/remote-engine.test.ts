// A Hark with HARK_ENGINE=openai in front of a second Hark (PocketSphinx)
// serving POST /v1/audio/transcriptions: the Soniox API through the first,
// recognition by the second, over real HTTP, through the official SDK.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { type Recording, conversation } from '../support/conversations.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { assertWellFormed, finalText, finalTokens, runSession, slices } from '../support/realtime-client.js';
import { encode, speechPcm } from '../support/speech-audio.js';

interface WireToken {
  text: string;
  start_ms?: number;
  end_ms?: number;
  speaker?: string;
  language?: string;
  translation_status?: string;
}

/** Spoken words without case or punctuation: what both servers must agree on. */
const words = (tokens: readonly WireToken[]) =>
  tokens.filter((t) => t.start_ms !== undefined && /[\p{L}\p{N}]/u.test(t.text)).map((t) => ({
    word: t.text.trim().toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
    startMs: t.start_ms!,
    endMs: t.end_ms!,
  }));

describe('HARK_ENGINE=openai against another Hark', () => {
  let engineHark: HarkProcess;
  let hark: HarkProcess;
  let engineClient: SonioxNodeClient;
  let client: SonioxNodeClient;
  let work: string;
  let enginePort: string;

  // Logging requests lets the tests count what the engine Hark was asked.
  const startEngine = (dataDir?: string) =>
    startHark({ HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_LOG_LEVEL: 'info', ...(enginePort ? { HARK_PORT: enginePort } : {}) }, dataDir);
  const engineRequests = () =>
    engineHark.output().split('\n').filter((l) => l.includes('"msg":"incoming request"') && l.includes('"url":"/v1/audio/transcriptions"')).length;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-remote-engine-'));
    engineHark = await startEngine(join(work, 'engine-data'));
    enginePort = new URL(engineHark.baseUrl).port;
    hark = await startHark({
      HARK_WORKERS: '1',
      HARK_REALTIME_WORKERS: '1',
      HARK_ENGINE: 'openai',
      HARK_ENGINE_URL: `${engineHark.baseUrl}/v1`,
      HARK_ENGINE_API_KEY: engineHark.apiKey,
      HARK_ENGINE_LANGUAGES: 'en,es',
      // As many requests as the engine Hark recognises at once, so none waits out its time limit in a queue there.
      HARK_ENGINE_CONCURRENCY: '1',
      HARK_ENGINE_TIMEOUT_MS: '600000',
      HARK_ENGINE_RETRIES: '1',
      HARK_ENGINE_BACKOFF_MS: '200',
    });
    engineClient = new SonioxNodeClient({ api_key: engineHark.apiKey, base_url: engineHark.baseUrl });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
  });
  after(async () => {
    await hark?.dispose();
    await engineHark?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  async function transcript(through: SonioxNodeClient, path: string, extra: Record<string, unknown> = {}) {
    const transcription = await through.stt.transcribe({
      model: 'stt-async-v4',
      file: await readFile(path),
      filename: 'speech.wav',
      ...extra,
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 300_000 },
    });
    assert.equal(transcription.status, 'completed', transcription.error_message ?? '');
    return (await transcription.getTranscript())!;
  }

  test('/v1/models reports the engine’s languages, with translation where Apertium has pairs', async () => {
    const { body } = await api(hark, 'GET', '/v1/models');
    const model = (body.models as { id: string; languages: { code: string }[]; two_way_translation_pairs: string[] }[]).find((m) => m.id === 'stt-async-v4')!;
    assert.deepEqual(model.languages.map((l) => l.code), ['en', 'es']);
    assert.ok(model.two_way_translation_pairs.includes('en:es'), model.two_way_translation_pairs.join());
  });

  test('async: the LibriVox transcripts equal the engine Hark’s own (same words, times within 50 ms), language from the engine', async () => {
    // All at once: the jobs queue in both servers instead of each waiting out the SDK's polls in turn.
    const pairs = await Promise.all(
      librivoxUtterances().map(async (u) => {
        const [own, remote] = await Promise.all([
          transcript(engineClient, u.wavPath),
          transcript(client, u.wavPath, { enable_language_identification: true }),
        ]);
        return { u, own, remote };
      }),
    );
    for (const { u, own, remote } of pairs) {
      const [a, b] = [words(own.tokens as WireToken[]), words(remote.tokens as WireToken[])];
      assert.deepEqual(b.map((w) => w.word), a.map((w) => w.word), `${u.id}\n own:    ${own.text}\n remote: ${remote.text}`);
      b.forEach((w, i) => {
        assert.ok(Math.abs(w.startMs - a[i]!.startMs) <= 50 && Math.abs(w.endMs - a[i]!.endMs) <= 50, `${u.id} "${w.word}": ${w.startMs}-${w.endMs} vs ${a[i]!.startMs}-${a[i]!.endMs}`);
      });
      assert.ok((remote.tokens as WireToken[]).every((t) => t.language === 'en'), 'language identification labels every token');
    }
  });

  test('real time: finals come from the engine per utterance; with endpoint detection every sentence ends with <end>', async () => {
    const pcm = speechPcm([1, 4]);
    const wav = encode(work, pcm, 'two-sentences.wav');
    const asyncText = (await transcript(client, wav)).text;
    const start = { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 };
    const asked = engineRequests();
    const [plain, endpointing] = await Promise.all([
      runSession(hark.wsUrl, { start, frames: [...slices(pcm, 16_000), Buffer.alloc(0)], paceMs: 50, timeoutMs: 300_000 }),
      runSession(hark.wsUrl, {
        start: { ...start, enable_endpoint_detection: true, max_endpoint_delay_ms: 3000 },
        frames: [...slices(pcm, 3840), Buffer.alloc(0)],
        paceMs: 120,
        timeoutMs: 300_000,
      }),
    ]);
    for (const run of [plain, endpointing]) assertWellFormed(run);
    // The engine is the final pass: the session without endpointing (no deadline) sent both its
    // utterances; the other's went too unless their deadline had already passed for the estimate.
    assert.ok(engineRequests() - asked >= 2, `${engineRequests() - asked} requests to the engine`);
    // In time, the finals are the engine's words, those of the async transcript. A final
    // the engine cannot deliver by its deadline (the endpoint delay; 30 s for a client
    // at real-time pace, as a starved engine on a loaded machine may make it) is the
    // fast pass's word instead (stream.ts): still a transcript of the same speech.
    for (const [label, run] of [['faster than real time', plain], ['real-time pace, endpoint detection', endpointing]] as const) {
      const wer = wordErrorRate(asyncText, finalText(run));
      console.log(`${label}: WER stream vs async ${(wer * 100).toFixed(1)}%${wer === 0 ? ' (the engine’s words)' : ''}`);
      assert.ok(wer <= 0.5, `${label}: ${finalText(run)}`);
    }
    const texts = finalTokens(endpointing).map((t) => t.text as string);
    const ends = texts.flatMap((t, i) => (t === '<end>' ? [i] : []));
    assert.equal(ends.length, 2, texts.join('|'));
    for (const i of ends) assert.equal(texts[i - 1], '.', '<end> closes its utterance');
    assert.ok(!finalTokens(plain).some((t) => t.text === '<end>'), 'no <end> without endpoint detection');
  });

  test('translation and diarization work over the remote engine', async () => {
    const english = librivoxUtterances()[3]!.wavPath;
    const translated = await transcript(client, english, { translation: { type: 'one_way', target_language: 'es' } });
    const tokens = translated.tokens as WireToken[];
    assert.ok(tokens.some((t) => t.translation_status === 'original' && t.language === 'en'));
    const spanish = tokens.filter((t) => t.translation_status === 'translation');
    assert.ok(spanish.length > 3 && spanish.every((t) => t.language === 'es'), JSON.stringify(spanish));

    const recording: Recording = conversation({ name: 'librivox + alsa', voices: ['librivox', 'alsa'], perVoiceMs: 20_000, seed: 11 });
    const pcm = Buffer.from(recording.samples.buffer, recording.samples.byteOffset, recording.samples.byteLength);
    const diarized = await transcript(client, encode(work, pcm, 'conversation.wav'), { enable_speaker_diarization: true });
    const spoken = (diarized.tokens as WireToken[]).filter((t) => t.start_ms !== undefined);
    assert.ok(spoken.length > 20);
    assert.ok(spoken.every((t) => /^[1-9]$/.test(t.speaker ?? '')), 'every token has a speaker');
    assert.deepEqual([...new Set(spoken.map((t) => t.speaker))].sort(), ['1', '2']);
  });

  test('the engine dying fails the job and the live session cleanly; once it is back, new jobs succeed', async () => {
    const long = encode(work, speechPcm([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]), 'long.wav');
    const file = await client.files.upload(await readFile(long), { filename: 'long.wav' });
    const job = await client.stt.create({ model: 'stt-async-v4', file_id: file.id });
    await waitFor(async () => (await api(hark, 'GET', `/v1/transcriptions/${job.id}`)).body.status === 'processing', 60_000);
    const pcm = speechPcm([0, 1, 2]);
    const live = runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
      frames: [...slices(pcm, 16_000), Buffer.alloc(0)],
      paceMs: 200,
      timeoutMs: 300_000,
    });
    await engineHark.crash();

    const failed = await waitFor(async () => {
      const { body } = await api(hark, 'GET', `/v1/transcriptions/${job.id}`);
      return body.status === 'error' ? body : null;
    }, 120_000);
    assert.equal(failed.error_type, 'internal_error');
    assert.match(failed.error_message, /^The speech engine could not be reached \(ECONNREFUSED\)\.$|^The speech engine/, failed.error_message);
    const run = await live;
    const last = run.received.at(-1)!.message;
    assert.equal(last.error_code, 503, JSON.stringify(last));
    assert.match(last.error_message, /^Cannot continue request/);

    engineHark = await startEngine(join(work, 'engine-data'));
    const again = await transcript(client, librivoxUtterances()[0]!.wavPath);
    assert.ok(again.text.length > 10, again.text);
  });
});
