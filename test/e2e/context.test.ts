// Context through the real server and the official SDK. One recognition
// worker, so consecutive transcriptions share a decoder: what one job's
// context adds must be gone for the next.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient, type TranscriptionContext } from '@soniox/node';
import WebSocket from 'ws';
import { wordErrorRate } from '../../src/lib/wer.js';
import { AUSTEN_TERMS, AUSTEN_TEXT } from '../support/austen-context.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';
import { librivoxUtterances } from '../support/librivox.js';

const [dashwoodSentence] = librivoxUtterances();

describe('context in async transcription, through the official SDK', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;

  before(async () => {
    hark = await startHark({ HARK_WORKERS: '1' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  });
  after(() => hark.dispose());

  async function transcribe(context?: TranscriptionContext): Promise<string> {
    const transcription = await client.stt.transcribe({
      model: 'stt-async-v4',
      file: await readFile(dashwoodSentence!.wavPath),
      filename: 'dashwood.wav',
      ...(context ? { context } : {}),
      wait: true,
      wait_options: { interval_ms: 500, timeout_ms: 120_000 },
    });
    assert.equal(transcription.status, 'completed');
    const transcript = await transcription.getTranscript();
    return transcript!.text;
  }

  test('terms: the misrecognised name is recognised and spelled as given; the next job does without', async () => {
    const plain = await transcribe();
    assert.doesNotMatch(plain, /dashwood/i);
    const withTerms = await transcribe({ terms: [...AUSTEN_TERMS] });
    assert.match(withTerms, /John Dashwood/);
    assert.ok(
      wordErrorRate(dashwoodSentence!.reference, withTerms) <= wordErrorRate(dashwoodSentence!.reference, plain),
      `${withTerms} / ${plain}`,
    );
    // Readable text: sentence case and end punctuation around the term.
    assert.match(withTerms, /^[A-Z].*\.$/);
    assert.equal(await transcribe(), plain);
  });

  test('domain text and general information, and the plain string form', async () => {
    const structured = await transcribe({
      general: [{ key: 'topic', value: 'Sense and Sensibility by Jane Austen' }],
      text: AUSTEN_TEXT,
    });
    assert.match(structured, /dashwood/i);

    const created = await api(hark, 'POST', '/v1/transcriptions', {
      body: { model: 'stt-async-v4', file_id: (await client.files.upload(await readFile(dashwoodSentence!.wavPath))).id, context: AUSTEN_TEXT },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.context, AUSTEN_TEXT);
    const done = await waitFor(async () => {
      const t = await api(hark, 'GET', `/v1/transcriptions/${created.body.id}`);
      return t.body.status === 'completed' || t.body.status === 'error' ? t.body : null;
    }, 120_000, 250);
    assert.equal(done.status, 'completed');
    const transcript = await api(hark, 'GET', `/v1/transcriptions/${created.body.id}/transcript`);
    assert.match(transcript.body.text, /dashwood/i);
  });

  test('a context over 20,000 characters, in either form, is refused with the documented message', async () => {
    for (const context of ['w '.repeat(10_001), { terms: Array.from({ length: 2_000 }, (_, i) => `term${i}`) }]) {
      const res = await api(hark, 'POST', '/v1/transcriptions', {
        body: { model: 'stt-async-v4', audio_url: 'https://example.test/a.mp3', context },
      });
      assert.equal(res.status, 400);
      assert.deepEqual(
        res.body.validation_errors.map((v: { location: string; message: string }) => [v.location, v.message]),
        [['body.payload.context', 'Context is too long (max length 20000).']],
      );
    }
  });
});

describe('context in a real-time session', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ HARK_WORKERS: '1' });
  });
  after(() => hark.dispose());

  interface SessionResult {
    text: string;
    /** From the start message to the first result with a token. */
    firstTokenMs: number | null;
    error: { error_code: number; error_message: string } | null;
  }

  /** Streams the LibriVox sentence at once and collects the final tokens. */
  async function session(context: unknown): Promise<SessionResult> {
    const socket = new WebSocket(hark.wsUrl);
    await once(socket, 'open');
    const result: SessionResult = { text: '', firstTokenMs: null, error: null };
    const finished = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const started = performance.now();
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString());
      if (message.error_code) result.error = message;
      const tokens = (message.tokens ?? []) as { text: string; is_final: boolean }[];
      if (tokens.length > 0) result.firstTokenMs ??= performance.now() - started;
      result.text += tokens.filter((t) => t.is_final && !t.text.startsWith('<')).map((t) => t.text).join('');
    });
    socket.send(JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'auto', ...(context ? { context } : {}) }));
    const audio = await readFile(dashwoodSentence!.wavPath);
    for (let at = 0; at < audio.length; at += 32_000) socket.send(audio.subarray(at, at + 32_000));
    socket.send('');
    await finished;
    return result;
  }

  test('terms and domain text: finals spell the term, and a later session on the same decoders does without', async (t) => {
    const plain = await session(null);
    assert.equal(plain.error, null);
    const withTerms = await session({ terms: [...AUSTEN_TERMS], text: AUSTEN_TEXT });
    assert.equal(withTerms.error, null);
    assert.match(withTerms.text, /Dashwood/);
    assert.match(withTerms.text, /^[A-Z].*\.$/);
    const after = await session(null);
    // Nothing of the context stays on the decoders: the same words as the first session, without
    // the term's spelling (the streaming decoder may well hear the name itself, in lower case).
    assert.equal(after.text, plain.text);
    assert.doesNotMatch(after.text, /Dashwood/);
    // The first session also started the recognition threads: compare with the later one.
    t.diagnostic(`first token after ${Math.round(withTerms.firstTokenMs!)} ms with context, ${Math.round(after.firstTokenMs!)} ms without`);
  });

  test('the plain string form is accepted; a context over 20,000 characters is refused as documented', async () => {
    const text = await session(AUSTEN_TEXT);
    assert.equal(text.error, null);
    assert.match(text.text, /dashwood/i);
    const tooLong = await session('w '.repeat(10_001));
    assert.deepEqual(tooLong.error, { tokens: [], error_code: 400, error_message: 'Context is too long (max length 20000).' });
  });
});
