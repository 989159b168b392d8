import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import {
  AUDIO_FORMATS,
  FUZZ_ENV,
  contextValue,
  type FuzzFrame,
  assertDocumentedSessionEnd,
  formatReport,
  fuzz,
  fuzzSession,
  hostile,
  mutatedObject,
  notAnObject,
  warmUpRealtime,
  withField,
} from '../support/fuzz.js';

/** 100 ms of 16 kHz s16 silence: audio for any raw format, undecodable for containers. */
const AUDIO: FuzzFrame = { binary: new Uint8Array(3200) };
const END: FuzzFrame = { text: '' };

/** Start messages from the schema's fields (API.md §7.2), a few of them hostile; or no JSON object at all. */
function startFrames(apiKey: string): fc.Arbitrary<FuzzFrame> {
  const fields = {
    api_key: fc.oneof({ weight: 8, arbitrary: fc.constant(apiKey) }, fc.constant('temp:WYJ67RBEFUWQXXPKYPD2UGXKWB'), fc.string({ maxLength: 40 })),
    model: fc.oneof({ weight: 8, arbitrary: fc.constant('stt-rt-v4') }, fc.constantFrom('stt-rt-preview', 'stt-async-v4', 'nope', '')),
    audio_format: fc.constantFrom(...AUDIO_FORMATS),
    sample_rate: fc.constantFrom(8000, 16000, 44100, 48000),
    num_channels: fc.constantFrom(1, 2),
    language_hints: fc.subarray(['en', 'fr', 'de', 'xx']),
    language_hints_strict: fc.boolean(),
    context: contextValue,
    enable_speaker_diarization: fc.boolean(),
    enable_language_identification: fc.boolean(),
    enable_endpoint_detection: fc.boolean(),
    max_endpoint_delay_ms: fc.integer({ min: 500, max: 3000 }),
    endpoint_sensitivity: fc.double({ min: -1, max: 1, noNaN: true }),
    endpoint_latency_adjustment_level: fc.integer({ min: 0, max: 3 }),
    client_reference_id: fc.string({ maxLength: 256 }),
  };
  const required = ['api_key', 'model', 'audio_format', 'sample_rate', 'num_channels'];
  return fc.oneof(
    { weight: 6, arbitrary: mutatedObject(fields, required).map((text) => ({ text })) },
    // A valid start whose context is deeply nested (a repeated key: the last one counts).
    { weight: 2, arbitrary: withField(mutatedObject(fields, required, 0), 'context', hostile.nested).map((text) => ({ text })) },
    { weight: 1, arbitrary: notAnObject.map((text) => ({ text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }).map((binary) => ({ binary })) },
  );
}

/** A frame before the start message, and whether it is a keepalive (null: it may be, the server decides). */
interface PreStartFrame {
  frame: FuzzFrame;
  keepalive: boolean | null;
}

/** What pre-connected sockets send before starting (the Python SDK's pool: keepalives), and what a hostile client might. */
const preStartFrame: fc.Arbitrary<PreStartFrame> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .constantFrom('{"type":"keepalive"}', '{"type": "keepalive"}', ' { "type" : "keepalive" }\n', '{"type":"keepalive","extra":1}')
      .map((text) => ({ frame: { text }, keepalive: true })),
  },
  // Objects with a type: a keepalive with hostile extra fields, another control message, a start message with a type.
  {
    weight: 2,
    arbitrary: mutatedObject({ type: fc.constantFrom('keepalive', 'finalize', 'KEEPALIVE', ''), model: fc.constant('stt-rt-v4') }, ['type']).map(
      (text) => ({ frame: { text }, keepalive: null }),
    ),
  },
  // Longer than any keepalive: taken as the start message.
  { weight: 1, arbitrary: fc.constant({ frame: { text: `{"type":"keepalive","pad":"${'x'.repeat(300)}"}` }, keepalive: false }) },
  { weight: 1, arbitrary: notAnObject.filter((text) => text !== '').map((text) => ({ frame: { text }, keepalive: null })) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((binary) => ({ frame: { binary }, keepalive: false })) },
);

describe('fuzz: real-time start messages', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark(FUZZ_ENV);
    await warmUpRealtime(hark);
  });
  after(() => hark.dispose());

  test('any first frame ends in a documented error or a finished session, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      startFrames(hark.apiKey),
      async (start) => assertDocumentedSessionEnd(await fuzzSession(hark.wsUrl, [start, AUDIO, END])),
      { numRuns: 80, timeLimitMs: 8_000 },
    );
    t.diagnostic(formatReport(report));
  });

  test('any frames before a valid start: keepalives keep the socket waiting, the first other frame is its start message', async (t) => {
    const start: FuzzFrame = {
      text: JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }),
    };
    const report = await fuzz(
      hark,
      fc.array(preStartFrame, { minLength: 1, maxLength: 8 }),
      async (before) => {
        const session = await fuzzSession(hark.wsUrl, [...before.map((b) => b.frame), start, AUDIO, END]);
        assertDocumentedSessionEnd(session);
        const errors = session.messages.filter((m) => 'error_code' in m);
        if (before.every((b) => b.keepalive === true)) assert.deepEqual(errors, [], 'keepalives, then a valid start: a session');
        else if (before[0]!.keepalive === false) assert.equal(errors[0]?.error_code, 400, 'a first frame that is no keepalive is the start message');
      },
      { numRuns: 60, timeLimitMs: 8_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
