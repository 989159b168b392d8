// Fuzzing the OpenAI audio API: what a remote engine answers (parsed by the
// openai engine) and what a client sends to Hark's own route.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { fromVerboseJson, MalformedTranscriptionError } from '../../src/pipeline/engines/openai/verbose-json.js';
import { FUZZ_ENV, FUZZ_SEED, formatReport, fuzz } from '../support/fuzz.js';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { pcmWavHeader } from '../../src/pipeline/decode/samples.test-helper.js';

/** Numbers a server might send for a time: real ones and hostile ones. */
const time = fc.oneof(fc.double({ min: -10, max: 100, noNaN: false }), fc.constantFrom(0, 1e308, -0, Number.NaN, '1.5', null));
const verboseJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    language: fc.oneof(fc.constantFrom('english', 'de', 'EN', 'klingon', ''), fc.string()),
    text: fc.string({ maxLength: 50 }),
    words: fc.array(fc.record({ word: fc.oneof(fc.string({ maxLength: 12 }), fc.constant(5)), start: time, end: time, probability: fc.oneof(time, fc.double()) }), { maxLength: 40 }),
    segments: fc.array(fc.record({ start: time, end: time, text: fc.string({ maxLength: 40 }), avg_logprob: fc.oneof(time, fc.double()) }), { maxLength: 5 }),
  }, { requiredKeys: [] }),
);

describe('fuzz: a remote engine’s verbose_json', () => {
  test('is read into ordered, bounded words with confidences in 0..1, or refused as malformed', () => {
    fc.assert(
      fc.property(verboseJson, fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 30_000 }), (body, offsetMs, durationMs) => {
        let result;
        try {
          result = fromVerboseJson(body, offsetMs, durationMs);
        } catch (err) {
          assert.ok(err instanceof MalformedTranscriptionError, String(err));
          return;
        }
        let previous = offsetMs;
        for (const w of result.words) {
          assert.ok(/[\p{L}\p{N}]/u.test(w.word), JSON.stringify(w));
          assert.ok(Number.isInteger(w.startMs) && Number.isInteger(w.endMs), JSON.stringify(w));
          assert.ok(w.startMs >= previous && w.endMs >= w.startMs && w.endMs <= offsetMs + durationMs, JSON.stringify(w));
          assert.ok(w.confidence >= 0 && w.confidence <= 1, JSON.stringify(w));
          previous = w.startMs;
        }
        if (result.language !== undefined) assert.match(result.language, /^[a-z]{2,3}$/);
      }),
      { seed: FUZZ_SEED, numRuns: 2000 },
    );
  });
});

describe('fuzz: POST /v1/audio/transcriptions', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...FUZZ_ENV, HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1', HARK_MAX_FILE_SIZE: '200000' });
  });
  after(() => hark.dispose());

  const field = fc.tuple(
    fc.oneof(fc.constantFrom('model', 'language', 'prompt', 'response_format', 'timestamp_granularities[]', 'temperature'), fc.string({ maxLength: 10 })),
    fc.oneof(fc.constantFrom('whisper-1', 'stt-async-v4', 'en', 'fr', 'json', 'text', 'srt', 'vtt', 'verbose_json', 'word', 'segment', '0', '1.5', ''), fc.string({ maxLength: 100 })),
  );
  // A tiny WAV (silence or noise), a truncated one, or bytes that are no audio.
  const audio = fc.oneof(
    fc.integer({ min: 0, max: 8000 }).map((n) => Buffer.concat([pcmWavHeader(16_000, 1, n * 2), Buffer.alloc(n * 2, 1)])),
    fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
    fc.constant(pcmWavHeader(16_000, 1, 1_000_000)),
  );
  const request = fc.record({
    fields: fc.array(field, { maxLength: 8 }),
    file: fc.option(fc.tuple(fc.constantFrom('file', 'audio', 'file'), audio), { nil: null }),
  });

  test('every body gets a transcript or an error in OpenAI’s shape, and the server keeps serving', async (t) => {
    const report = await fuzz(hark, request, async ({ fields, file }) => {
      const form = new FormData();
      for (const [name, value] of fields) form.append(name, value);
      if (file) form.append(file[0], new Blob([file[1]]), 'upload.wav');
      const response = await fetch(`${hark.baseUrl}/v1/audio/transcriptions`, {
        method: 'POST', headers: { authorization: `Bearer ${hark.apiKey}` }, body: form,
      });
      const text = await response.text();
      if (response.status === 200) return;
      assert.ok([400, 413, 429].includes(response.status), `${response.status}: ${text}`);
      const body = JSON.parse(text) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], text);
      assert.equal(typeof body.error.message, 'string');
    }, { numRuns: 80, timeLimitMs: 120_000 });
    t.diagnostic(formatReport(report));
  });
});
