import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { wordErrorRate } from '../../src/lib/wer.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';
import { slices } from '../support/realtime-client.js';
import { encode, speechPcm } from '../support/speech-audio.js';

// Node 20 has no global WebSocket; the SDK uses the global (API.md §9.1).
(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

describe('a server segmenting with the Silero VAD (HARK_VAD=silero)', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let work: string;
  let wav: string;
  // Two LibriVox sentences, each followed by 1.2 s of silence.
  const sentences = [1, 4];
  const reference = sentences.map((i) => librivoxUtterances()[i]!.reference).join(' ');

  before(async () => {
    hark = await startHark({ HARK_VAD: 'silero' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    work = await mkdtemp(join(tmpdir(), 'hark-silero-vad-'));
    wav = encode(work, speechPcm(sentences), 'speech.wav');
  });

  after(async () => {
    await hark?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('async: the SDK gets the sentences, one final utterance each', async () => {
    const transcription = await client.stt.transcribe({
      model: 'stt-async-v4',
      file: await readFile(wav),
      filename: 'speech.wav',
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 300_000 },
    });
    assert.equal(transcription.status, 'completed');
    const transcript = (await transcription.getTranscript())!;
    const wer = wordErrorRate(reference, transcript.text);
    console.log(`async with Silero: WER ${(wer * 100).toFixed(1)}%: ${transcript.text}`);
    assert.ok(wer <= 0.4, transcript.text);
    // The words are timed inside the sentences' audio (1.2 s pauses between them).
    const words = transcript.tokens.filter((t) => t.text.trim() !== '');
    assert.ok(words.length >= 10);
    assert.ok(words.every((t) => t.start_ms! >= 0 && t.end_ms! <= 8_800 && t.start_ms! <= t.end_ms!));
  });

  test('real time: the SDK session gets finals and one <end> per sentence, none inside one', async () => {
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', enable_endpoint_detection: true, max_endpoint_delay_ms: 2000 });
    const finals: string[] = [];
    let endpoints = 0;
    session.on('result', (result) => {
      for (const t of result.tokens) if (t.is_final && t.text !== '<end>') finals.push(t.text);
    });
    session.on('endpoint', () => endpoints++);
    await session.connect();
    for (const chunk of slices(await readFile(wav), 8192)) {
      session.sendAudio(chunk);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await session.finish();
    const text = finals.join('');
    const wer = wordErrorRate(reference, text);
    console.log(`real time with Silero: WER ${(wer * 100).toFixed(1)}%, ${endpoints} <end>: ${text}`);
    assert.ok(wer <= 0.5, text);
    assert.equal(endpoints, sentences.length);
  });
});
