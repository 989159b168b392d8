// Speaker labels through the real server and the official SDK, async and
// real-time, on a conversation of two real voices with known turns.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { type Recording, conversation } from '../support/conversations.js';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { assertWellFormed, runSession, slices } from '../support/realtime-client.js';
import { encode } from '../support/speech-audio.js';

// Node 20 has no global WebSocket; the SDK uses the global (API.md §9.1).
(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

interface WireToken {
  text: string;
  start_ms?: number;
  end_ms?: number;
  speaker?: string;
  is_final?: boolean;
}

/** Who speaks at `ms` in the reference: the segment containing it, else the nearest. */
function referenceSpeaker(recording: Recording, ms: number): string {
  let best = recording.reference[0]!;
  let bestDistance = Infinity;
  for (const s of recording.reference) {
    const distance = Math.max(0, s.startMs - ms, ms - s.endMs);
    if (distance < bestDistance) [best, bestDistance] = [s, distance];
  }
  return best.speaker;
}

/**
 * Checks the labels of spoken tokens against the turns: every token has a
 * speaker; punctuation has its word's; and, mapping each label to the voice
 * it was most given to, the share of words labelled with their voice.
 */
function agreement(recording: Recording, tokens: readonly WireToken[]): number {
  const spoken = tokens.filter((t) => t.start_ms !== undefined);
  spoken.forEach((t, i) => {
    assert.match(t.speaker ?? '', /^[1-9]$/, JSON.stringify(t));
    if (/^[.,?!]$/.test(t.text) && i > 0) assert.equal(t.speaker, spoken[i - 1]!.speaker, 'punctuation takes its word\'s speaker');
  });
  const words = spoken.filter((t) => /\w/.test(t.text));
  const votes = new Map<string, Map<string, number>>();
  for (const t of words) {
    const voice = referenceSpeaker(recording, (t.start_ms! + t.end_ms!) / 2);
    const byVoice = votes.get(t.speaker!) ?? new Map<string, number>();
    byVoice.set(voice, (byVoice.get(voice) ?? 0) + 1);
    votes.set(t.speaker!, byVoice);
  }
  let right = 0;
  for (const byVoice of votes.values()) right += Math.max(...byVoice.values());
  return right / words.length;
}

describe('speaker diarization through the official SDK', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let work: string;
  let recording: Recording;
  let wavPath: string;
  /** The first 20 s: enough turns and words to show that no token is labelled, at a third of the decoding. */
  let openingWavPath: string;

  before(async () => {
    hark = await startHark();
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    work = await mkdtemp(join(tmpdir(), 'hark-diarization-'));
    // The LibriVox reader (a man) and the ALSA test voice (a woman), turns of 1–10 s.
    recording = conversation({ name: 'librivox + alsa', voices: ['librivox', 'alsa'], perVoiceMs: 30_000, seed: 11 });
    const pcm = Buffer.from(recording.samples.buffer, recording.samples.byteOffset, recording.samples.byteLength);
    wavPath = encode(work, pcm, 'conversation.wav');
    openingWavPath = encode(work, pcm.subarray(0, 20 * 16_000 * 2), 'opening.wav');
  });
  after(async () => {
    await hark.dispose();
    await rm(work, { recursive: true, force: true });
  });

  async function transcribe(enableSpeakerDiarization: boolean, path = wavPath): Promise<{ id: string; text: string }> {
    const transcription = await client.stt.transcribe({
      model: 'stt-async-v4',
      file: await readFile(path),
      filename: 'conversation.wav',
      ...(enableSpeakerDiarization ? { enable_speaker_diarization: true } : {}),
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 180_000 },
    });
    assert.equal(transcription.status, 'completed');
    assert.equal(transcription.enable_speaker_diarization, enableSpeakerDiarization);
    return { id: transcription.id, text: (await transcription.getTranscript())!.text };
  }

  test('async: with enable_speaker_diarization every token carries speaker "1" or "2", matching the turns', async () => {
    const { id } = await transcribe(true);
    const { status, body } = await api(hark, 'GET', `/v1/transcriptions/${id}/transcript`);
    assert.equal(status, 200);
    const tokens = body.tokens as WireToken[];
    assert.ok(tokens.length > 20);
    assert.equal(tokens[0]!.speaker, '1', 'labels in order of first appearance');
    assert.deepEqual([...new Set(tokens.map((t) => t.speaker))].sort(), ['1', '2']);
    const share = agreement(recording, tokens);
    console.log(`async: ${(share * 100).toFixed(1)}% of ${tokens.length} tokens labelled with their voice`);
    assert.ok(share >= 0.9, `${share}`);
  });

  test('async: without the flag every token has speaker null', async () => {
    const { id } = await transcribe(false, openingWavPath);
    const { body } = await api(hark, 'GET', `/v1/transcriptions/${id}/transcript`);
    assert.ok(body.tokens.length > 20);
    for (const t of body.tokens) assert.equal(t.speaker, null, JSON.stringify(t));
  });

  async function stream(config: { enable_speaker_diarization?: boolean }): Promise<{ finals: WireToken[]; nonFinals: WireToken[] }> {
    const session = client.realtime.stt({ model: 'stt-rt-v4', audio_format: 'auto', ...config });
    const finals: WireToken[] = [];
    const nonFinals: WireToken[] = [];
    session.on('result', (result) => {
      for (const t of result.tokens as WireToken[]) (t.is_final ? finals : nonFinals).push(t);
    });
    await session.connect();
    // Four times real time: 8 KB (256 ms) every 64 ms.
    for (const chunk of slices(await readFile(wavPath), 8192)) {
      session.sendAudio(chunk);
      await new Promise((resolve) => setTimeout(resolve, 64));
    }
    await session.finish();
    return { finals, nonFinals };
  }

  test('real time: with enable_speaker_diarization final and non-final tokens carry speakers matching the turns', async () => {
    const { finals, nonFinals } = await stream({ enable_speaker_diarization: true });
    assert.ok(finals.length > 20);
    assert.equal(finals[0]!.speaker, '1', 'labels in order of first appearance');
    assert.deepEqual([...new Set(finals.map((t) => t.speaker))].sort(), ['1', '2']);
    for (const t of nonFinals.filter((x) => x.start_ms !== undefined)) assert.match(t.speaker ?? '', /^[1-9]$/);
    const share = agreement(recording, finals);
    console.log(`real time: ${(share * 100).toFixed(1)}% of ${finals.length} final tokens labelled with their voice`);
    assert.ok(share >= 0.8, `${share}`);
  });

  test('real time: without the flag no token carries speaker (on the wire)', async () => {
    const run = await runSession(hark.wsUrl, {
      start: { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'auto' },
      frames: [...slices(await readFile(openingWavPath), 8192), ''],
      paceMs: 64,
    });
    assertWellFormed(run);
    const tokens = run.received.flatMap((r) => r.message.tokens as WireToken[]);
    assert.ok(tokens.length > 20);
    for (const t of tokens) assert.ok(!('speaker' in t), JSON.stringify(t));
  });
});
