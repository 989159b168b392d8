import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { type RunOptions, assertWellFormed, errorOf, finalText, runSession, slices } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= (await import('ws')).WebSocket;

const MODEL = 'stt-rt-v4';
const PCM = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 };
/** 2.5 s of a sentence: within the 3 s of audio the first server allows per session. */
const sentence = () => speechPcm([4], 0).subarray(0, 32 * 2500);

describe('real-time errors follow the documented codes and messages', () => {
  let hark: HarkProcess;
  let limited: HarkProcess;
  const start = (fields: object = {}) => ({ api_key: hark.apiKey, model: MODEL, ...PCM, ...fields });

  /** Runs a session that must end with exactly this error frame, then a close. */
  async function assertRefused(options: RunOptions, code: number, message: string, server = hark): Promise<void> {
    const run = await runSession(server.wsUrl, { timeoutMs: 20_000, ...options });
    assert.deepEqual(errorOf(run), { tokens: [], error_code: code, error_message: message });
    assert.equal(run.closeCode, 1000);
  }

  before(async () => {
    [hark, limited] = await Promise.all([
      startHark({ HARK_REALTIME_START_TIMEOUT_MS: '1000', HARK_REALTIME_IDLE_TIMEOUT_MS: '1000', HARK_MAX_AUDIO_DURATION_MS: '3000' }),
      startHark({ HARK_MAX_CONCURRENT_SESSIONS: '1', HARK_REQUESTS_PER_MINUTE: '3' }),
    ]);
  });
  after(async () => {
    await Promise.all([hark.dispose(), limited.dispose()]);
  });

  test('start requests: every documented 400', async () => {
    const cases: [RunOptions['start'], string][] = [
      [Buffer.from(JSON.stringify(start())), 'Start request must be a text message.'],
      ['{"api_key":', 'Start request is malformed.'],
      ['["not", "an", "object"]', 'Start request is malformed.'],
      [start({ enable_endpoint_detection: 'yes' }), 'Start request is malformed.'],
      [start({ max_endpoint_delay_ms: 100 }), 'Start request is malformed.'],
      [start({ model: undefined }), 'Invalid model specified.'],
      [start({ model: 'stt-rt-v99' }), 'Invalid model specified.'],
      [start({ model: 'stt-async-v4' }), 'Invalid model specified.'],
      [start({ audio_format: undefined }), 'Missing audio format. Specify a valid audio format (e.g. s16le, f32le, wav, ogg, flac...) or "auto" for auto format detection.'],
      [start({ audio_format: 'avi' }), 'Invalid audio data format: avi'],
      [start({ sample_rate: undefined }), 'Audio data sample rate must be specified for PCM formats'],
      [start({ audio_format: 'mulaw', num_channels: undefined }), 'Audio data channels must be specified for PCM formats'],
      [start({ language_hints: ['en', 'xx'] }), 'Invalid language hint.'],
      [start({ language_hints: ['en', 'en'] }), 'Language hints must be unique.'],
      [start({ translation: { type: 'one_way', target_language: 'xx' } }), 'Invalid translation target language.'],
      [start({ client_reference_id: 'r'.repeat(257) }), 'Client reference ID is too long (max length 256)'],
      [start({ context: 'c'.repeat(20_001) }), 'Context is too long (max length 20000).'],
      [start({ context: { text: 'c'.repeat(20_000) } }), 'Context is too long (max length 20000).'],
    ];
    await Promise.all(cases.map(([body, message]) => assertRefused({ start: body }, 400, message)));
  });

  test('keys: missing, unknown, temporary (expired, used up, session cap)', async () => {
    await assertRefused({ start: start({ api_key: undefined }) }, 401, 'Missing API key.');
    await assertRefused({ start: start({ api_key: '' }) }, 401, 'Missing API key.');
    await assertRefused({ start: start({ api_key: 'wrong-key' }) }, 401, 'Invalid API key.');
    await assertRefused({ start: start({ api_key: 'temp:WYJ67RBEFUWQXXPKYPD2UGXKWB' }) }, 401, 'Invalid/expired temporary API key.');
    await assertRefused({ start: start({ api_key: undefined }), headers: { authorization: 'Bearer wrong-key' } }, 401, 'Invalid API key.');

    const temporary = async (fields: object) => {
      const res = await api(hark, 'POST', '/v1/auth/temporary-api-key', { body: { usage_type: 'transcribe_websocket', ...fields } });
      assert.equal(res.status, 201);
      return res.body.api_key as string;
    };
    const frames = [...slices(sentence(), 16_000), ''];
    const once = await temporary({ expires_in_seconds: 60, single_use: true });
    assertWellFormed(await runSession(hark.wsUrl, { start: start({ api_key: once }), frames }));
    await assertRefused({ start: start({ api_key: once }), frames }, 401, 'Invalid/expired temporary API key.');

    const shortLived = await temporary({ expires_in_seconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await assertRefused({ start: start({ api_key: shortLived }) }, 401, 'Invalid/expired temporary API key.');

    // A one-second session cap ends the session even while keepalives flow.
    const capped = await temporary({ expires_in_seconds: 60, max_session_duration_seconds: 1 });
    const began = Date.now();
    await assertRefused(
      { start: start({ api_key: capped }), frames: Array<string>(15).fill('{"type":"keepalive"}'), paceMs: 200 },
      408,
      'Request timeout.',
    );
    assert.ok(Date.now() - began < 2000);
  });

  test('the SDK maps errors to its typed classes', async () => {
    const client = new SonioxNodeClient({ api_key: 'wrong-key', base_url: hark.baseUrl, realtime: { ws_base_url: hark.wsUrl } });
    const session = client.realtime.stt({ model: MODEL, audio_format: 'auto' });
    const failed = new Promise<Error>((resolve) => session.on('error', resolve));
    await session.connect();
    const err = (await failed) as Error & { code?: number };
    assert.equal(err.name, 'AuthError');
    assert.equal(err.message, 'Invalid API key.');
  });

  test('control messages, audio and timeouts', async () => {
    const audio = slices(sentence(), 16_000);
    await Promise.all([
      assertRefused({ start: start(), frames: [audio[0]!, 'finalize now'] }, 400, 'Control request is malformed.'),
      assertRefused({ start: start(), frames: [audio[0]!, '{"type":"pause"}'] }, 400, 'Control request invalid type.'),
      assertRefused({ start: start({ audio_format: 'auto' }), frames: [Buffer.from('not audio at all '.repeat(200)), ''] }, 400, 'Audio decode error'),
      assertRefused({ start: start({ audio_format: 'mp3' }), frames: [Buffer.from('not audio at all '.repeat(200)), ''] }, 400, 'Audio decode error'),
      // The server's limit is 3 s of audio; this is 4.5 s.
      assertRefused({ start: start(), frames: [...audio, ...audio.slice(0, 4), ''] }, 400, 'Audio is too long.'),
      assertRefused({ start: start(), frames: [''] }, 400, 'No audio received.'),
      assertRefused({ start: null }, 408, 'Start request timeout'),
      assertRefused({ start: start() }, 408, 'Timed out while waiting for the first audio chunk'),
      assertRefused({ start: start(), frames: [audio[0]!] }, 408, 'Request timeout.'),
    ]);
  });

  test('a misbehaving session does not affect one running beside it', async () => {
    const pcm = sentence();
    const [good] = await Promise.all([
      runSession(hark.wsUrl, { start: start(), frames: [...slices(pcm, 3840), ''], paceMs: 5 }),
      assertRefused({ start: start({ audio_format: 'auto' }), frames: [Buffer.alloc(50_000, 0x5a), ''] }, 400, 'Audio decode error'),
      assertRefused({ start: start(), frames: [pcm.subarray(0, 3840), '{'] }, 400, 'Control request is malformed.'),
    ]);
    assertWellFormed(good);
    assert.match(finalText(good), /\w+/);
  });

  test('429: sessions over all keys and starts per key per minute (limits set to 1 and 3)', async () => {
    const limits = { ...start(), api_key: limited.apiKey };
    const pcm = speechPcm([4], 300);
    // The first session holds the only slot until its audio ends.
    const holding = runSession(limited.wsUrl, { start: limits, frames: [...slices(pcm, 16_000), ''], paceMs: 400 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await assertRefused({ start: limits }, 429, 'Your organization has exceeded max number of concurrent requests.', limited);
    assertWellFormed(await holding);
    assertWellFormed(await runSession(limited.wsUrl, { start: limits, frames: [pcm.subarray(0, 32_000), ''] }));
    await assertRefused({ start: limits }, 429, 'Rate limit for your project has been exceeded.', limited);
  });
});
