import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import {
  FUZZ_ENV,
  type FuzzFrame,
  assertDocumentedSessionEnd,
  formatReport,
  fuzz,
  fuzzSession,
  hostile,
  mutatedObject,
  notAnObject,
  warmUpRealtime,
} from '../support/fuzz.js';

/** Frames after a valid start (API.md §7.4–§7.6): audio, documented controls, hostile controls, garbage. */
const laterFrame: fc.Arbitrary<FuzzFrame> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 4000 }).map((binary) => ({ binary })) },
  { weight: 2, arbitrary: fc.constantFrom('{"type":"finalize"}', '{ "type": "finalize" }', '{"type":"keepalive"}', '{"type":"finalize","trailing_silence_ms":300}').map((text) => ({ text })) },
  {
    weight: 2,
    arbitrary: mutatedObject({ type: fc.constantFrom('finalize', 'keepalive', 'pause', 'FINALIZE', ''), trailing_silence_ms: fc.integer({ min: 0, max: 1000 }) }, ['type']).map(
      (text) => ({ text }),
    ),
  },
  { weight: 2, arbitrary: notAnObject.filter((text) => text !== '').map((text) => ({ text })) },
  { weight: 1, arbitrary: hostile.nested.map((text) => ({ text })) },
  // Text frames whose bytes are not UTF-8.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 100 }).map((bytes) => ({ rawText: Uint8Array.of(0xff, ...bytes) })) },
  // End of audio in the middle: later frames must be ignored.
  { weight: 1, arbitrary: fc.constantFrom<FuzzFrame>({ text: '' }, { binary: new Uint8Array(0) }) },
);

describe('fuzz: real-time control frames', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark(FUZZ_ENV);
    await warmUpRealtime(hark);
  });
  after(() => hark.dispose());

  test('any frames after a valid start end in a documented error or a finished session, and the server keeps serving', async (t) => {
    const start: FuzzFrame = {
      text: JSON.stringify({ api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 }),
    };
    const report = await fuzz(
      hark,
      fc.array(laterFrame, { minLength: 1, maxLength: 10 }),
      async (frames) => {
        const session = await fuzzSession(hark.wsUrl, [start, ...frames, { text: '' }]);
        assertDocumentedSessionEnd(session, { invalidUtf8: frames.some((f) => 'rawText' in f) });
      },
      { numRuns: 60, timeLimitMs: 5_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
