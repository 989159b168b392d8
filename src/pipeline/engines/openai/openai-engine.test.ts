// The engine's requests and its reading of answers, against a scripted HTTP
// server (the real server on the other end is another Hark: test/e2e/remote-engine.test.ts).
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { OpenAiEngineSettings } from '../engine-settings.js';
import { EngineUnavailableError } from '../speech-engine.js';
import { OpenAiEngine } from './openai-engine.js';

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

describe('OpenAiEngine', () => {
  let server: Server;
  let handler: Handler;
  let settings: OpenAiEngineSettings;

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => handler(request, Buffer.concat(chunks), response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    settings = {
      id: 'openai', url: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-test', model: 'whisper-1', languages: ['en', 'de'],
      concurrency: 2, timeoutMs: 5000, retries: 0, backoffMs: 0,
    };
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const recognize = (request: Partial<Parameters<ReturnType<OpenAiEngine['createBatchRecognizer']>['recognize']>[0]> = {}) =>
    new OpenAiEngine(settings).createBatchRecognizer().recognize({ samples: new Int16Array(16_000), offsetMs: 2000, ...request });
  const json = (response: ServerResponse, status: number, body: unknown) =>
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const unavailable = (pattern: RegExp, retryable: boolean) => (err: unknown) => {
    assert.ok(err instanceof EngineUnavailableError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.retryable, retryable, err.message);
    return true;
  };

  test('sends the utterance as WAV with the documented fields, and reads the words', async () => {
    let seen: { path: string; auth: string | undefined; form: FormData } | null = null;
    handler = async (request, body, response) => {
      const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': request.headers['content-type']! }, body }).formData();
      seen = { path: request.url!, auth: request.headers.authorization, form };
      json(response, 200, { language: 'german', words: [{ word: ' Hallo', start: 0.1, end: 0.4, probability: 0.7 }] });
    };
    const context = { terms: ['Kubernetes'], general: [], text: 'Cloud.', translationTerms: [] };
    const result = await recognize({ language: 'de', context });
    assert.deepEqual(result, { words: [{ word: 'Hallo', startMs: 2100, endMs: 2400, confidence: 0.7 }], language: 'de' });
    const { path, auth, form } = seen!;
    assert.equal(path, '/v1/audio/transcriptions');
    assert.equal(auth, 'Bearer sk-test');
    assert.equal(form.get('model'), 'whisper-1');
    assert.equal(form.get('response_format'), 'verbose_json');
    assert.deepEqual(form.getAll('timestamp_granularities[]'), ['word', 'segment']);
    assert.equal(form.get('language'), 'de');
    assert.equal(form.get('prompt'), 'Kubernetes. Cloud.');
    const file = form.get('file') as File;
    assert.equal(file.size, 44 + 32_000);
    assert.equal(Buffer.from(await file.arrayBuffer()).subarray(0, 4).toString(), 'RIFF');
  });

  test('no key, no language and no context: none sent', async () => {
    let form: FormData | null = null;
    let auth: string | undefined = 'unset';
    handler = async (request, body, response) => {
      form = await new Request('http://x', { method: 'POST', headers: { 'content-type': request.headers['content-type']! }, body }).formData();
      auth = request.headers.authorization;
      json(response, 200, { text: '' });
    };
    const engine = new OpenAiEngine({ ...settings, apiKey: null });
    assert.deepEqual(await engine.createBatchRecognizer().recognize({ samples: new Int16Array(160), offsetMs: 0 }), { words: [] });
    assert.equal(auth, undefined);
    assert.equal(form!.get('language'), null);
    assert.equal(form!.get('prompt'), null);
  });

  test('HTTP errors: 5xx and 429 may pass, other answers not; the server’s message is kept', async () => {
    handler = (_, __, response) => json(response, 503, { error: { message: 'model loading' } });
    await assert.rejects(recognize(), unavailable(/^The speech engine answered HTTP 503: model loading$/, true));
    handler = (_, __, response) => json(response, 429, { detail: 'slow down' });
    await assert.rejects(recognize(), unavailable(/HTTP 429: slow down/, true));
    handler = (_, __, response) => response.writeHead(400).end('bad\n  audio');
    await assert.rejects(recognize(), unavailable(/^The speech engine answered HTTP 400: bad audio$/, false));
    handler = (_, __, response) => response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    await assert.rejects(recognize(), unavailable(/HTTP 302/, false));
  });

  test('answers that are no transcription, or too large, are refused', async () => {
    handler = (_, __, response) => response.writeHead(200).end('<html>');
    await assert.rejects(recognize(), unavailable(/not JSON/, false));
    handler = (_, __, response) => json(response, 200, ['not', 'a', 'transcription']);
    await assert.rejects(recognize(), unavailable(/not a transcription/, false));
    handler = (_, __, response) => response.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024, 0x20));
    await assert.rejects(recognize(), unavailable(/larger than/, false));
  });

  test('no server: unreachable, retryable, without the address; abort rejects with the reason', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = new OpenAiEngine({ ...settings, url: `http://127.0.0.1:${port}/v1` });
    await assert.rejects(closed.createBatchRecognizer().recognize({ samples: new Int16Array(160), offsetMs: 0 }), (err: unknown) => {
      assert.ok(err instanceof EngineUnavailableError && err.retryable);
      assert.equal(err.message, 'The speech engine could not be reached (ECONNREFUSED)');
      return true;
    });
    handler = () => {}; // never answers
    const controller = new AbortController();
    const pending = recognize({ signal: controller.signal });
    const reason = new Error('cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(pending, (err) => err === reason);
  });
});
