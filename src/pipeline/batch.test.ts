// How transcribeFile composes the stages, with a fake engine. The real engine
// runs in test/pipeline/batch.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FakeSpeechEngine } from '../../test/support/fake-speech-engine.js';
import { transcribeFile } from './batch.js';
import { AudioDecodeError, AudioTooLongError } from './decode/errors.js';
import { pcmWavHeader } from './decode/samples.test-helper.js';

describe('transcribeFile', () => {
  let dir: string;
  let bursts: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hark-batch-unit-'));
    // 9 s: one second of syllable-like tone at 0, 3 and 6 s, faint noise elsewhere.
    bursts = join(dir, 'bursts.wav');
    const speech = '0.3*sin(2*PI*440*t)*(0.55+0.45*cos(2*PI*4*t))';
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', '-f', 'lavfi',
      '-i', `aevalsrc=if(lt(mod(t\\,3)\\,1)\\,${speech}\\,0.0005*(random(0)-0.5)):d=9:s=16000`,
      bursts,
    ]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('recognises each utterance at its offset and formats the words as tokens', async () => {
    const engine = new FakeSpeechEngine();
    const result = await transcribeFile(bursts, { maxDurationMs: 60_000 }, engine);
    // Each burst plus 200 ms of padding either side.
    assert.deepEqual(engine.calls, [
      { offsetMs: 0, sampleCount: 1200 * 16 },
      { offsetMs: 2800, sampleCount: 1400 * 16 },
      { offsetMs: 5800, sampleCount: 1400 * 16 },
    ]);
    assert.equal(result.tokens.map((t) => t.text).join(''), 'Hello. Hello. Hello.');
    assert.deepEqual(result.tokens.slice(0, 2), [
      { text: 'Hello', startMs: 100, endMs: 400, confidence: 0.9 },
      { text: '.', startMs: 400, endMs: 400, confidence: 0.9 },
    ]);
    assert.equal(result.audioDurationMs, 9000);
    assert.equal(engine.recognizersFreed, 1);
  });

  it('passes segmentation options through', async () => {
    const engine = new FakeSpeechEngine();
    // Pauses of 2 s no longer end utterances: one utterance from 0 to 7.2 s.
    await transcribeFile(bursts, { maxDurationMs: 60_000, segmentation: { minPauseMs: 2500 } }, engine);
    assert.deepEqual(engine.calls, [{ offsetMs: 0, sampleCount: 7200 * 16 }]);
  });

  it('fails before decoding when the file declares too long a duration', async () => {
    const engine = new FakeSpeechEngine();
    await assert.rejects(transcribeFile(bursts, { maxDurationMs: 8000 }, engine), AudioTooLongError);
    assert.equal(engine.recognizersCreated, 0);
  });

  it('refuses a file declaring a rate or channel count outside the bounds before decoding it', async () => {
    // 4 KB of 16-bit samples at 1 Hz: 2000 s of audio, and 130 s of CPU, if it were decoded.
    const header = (rate: number, channels: number, dataBytes: number) => pcmWavHeader(rate, channels, dataBytes);
    const oneHertz = join(dir, 'one-hertz.wav');
    writeFileSync(oneHertz, Buffer.concat([header(1, 1, 4000), Buffer.alloc(4000, 0x11)]));
    const manyChannels = join(dir, 'forty-channels.wav');
    writeFileSync(manyChannels, Buffer.concat([header(16_000, 40, 8000), Buffer.alloc(8000)]));
    const engine = new FakeSpeechEngine();
    await assert.rejects(transcribeFile(oneHertz, { maxDurationMs: 18_000_000 }, engine), {
      name: 'AudioDecodeError',
      message: 'Audio could not be decoded: the sample rate of 1 Hz is outside the supported range (8000 to 192000 Hz).',
    });
    await assert.rejects(transcribeFile(manyChannels, { maxDurationMs: 18_000_000 }, engine), {
      name: 'AudioDecodeError',
      message: 'Audio could not be decoded: 40 channels is outside the supported range (1 to 32).',
    });
    assert.equal(engine.recognizersCreated, 0);
  });

  it('fails with AudioDecodeError on garbage and still frees the recognizer', async () => {
    const garbage = join(dir, 'garbage.ogg');
    writeFileSync(garbage, 'OggS'.repeat(1000));
    const engine = new FakeSpeechEngine();
    await assert.rejects(transcribeFile(garbage, { maxDurationMs: 60_000 }, engine), AudioDecodeError);
    assert.equal(engine.recognizersFreed, engine.recognizersCreated);
  });

  it('stops between utterances when the signal aborts', async () => {
    const controller = new AbortController();
    const engine = new FakeSpeechEngine((_, offsetMs) => {
      controller.abort();
      return [{ word: 'hello', startMs: offsetMs, endMs: offsetMs + 100, confidence: 1 }];
    });
    await assert.rejects(transcribeFile(bursts, { maxDurationMs: 60_000 }, engine, controller.signal), {
      name: 'AbortError',
    });
    assert.equal(engine.calls.length, 1);
    assert.equal(engine.recognizersFreed, 1);
  });

  it('returns no tokens for silence', async () => {
    const silence = join(dir, 'silence.wav');
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '2', silence]);
    const engine = new FakeSpeechEngine();
    assert.deepEqual(await transcribeFile(silence, { maxDurationMs: 60_000 }, engine), { tokens: [], audioDurationMs: 2000 });
    assert.equal(engine.calls.length, 0);
  });

  it('keeps up to batchConcurrency utterances in flight and the transcript in order', async () => {
    let inFlight = 0;
    let most = 0;
    let started = 0;
    let allStarted!: () => void;
    const three = new Promise<void>((resolve) => (allStarted = resolve));
    // Each call waits for the other two (however slowly ffmpeg delivers them; a
    // pipeline that allowed fewer in flight gets them after 5 s, and fails), then
    // the first utterance answers last.
    const engine = new FakeSpeechEngine(async (_, offsetMs) => {
      most = Math.max(most, ++inFlight);
      if (++started === 3) allStarted();
      await Promise.race([three, delay(5000)]);
      await delay(offsetMs === 0 ? 50 : 0);
      inFlight--;
      return [{ word: `at${offsetMs}`, startMs: offsetMs + 100, endMs: offsetMs + 400, confidence: 0.9 }];
    }, { batchConcurrency: 3 });
    const result = await transcribeFile(bursts, { maxDurationMs: 60_000 }, engine);
    assert.equal(most, 3);
    assert.deepEqual(result.tokens.filter((t) => t.text !== '.').map((t) => t.text.trim()), ['At0', 'At2800', 'At5800']);
  });

  it('passes the language hint and labels the tokens with the language the engine heard', async () => {
    const engine = new FakeSpeechEngine();
    const base = engine.createBatchRecognizer.bind(engine);
    engine.createBatchRecognizer = () => {
      const r = base();
      return { ...r, recognize: async (req) => ({ ...(await r.recognize(req)), language: 'fr' }) };
    };
    const result = await transcribeFile(bursts, { maxDurationMs: 60_000, language: 'fr' }, engine);
    assert.deepEqual(engine.calls.map((c) => c.language), ['fr', 'fr', 'fr']);
    assert.ok(result.tokens.every((t) => t.language === 'fr'));
  });

  it('recognises audio up to wholeUpToMs as one utterance', async () => {
    const engine = new FakeSpeechEngine();
    await transcribeFile(bursts, { maxDurationMs: 60_000, wholeUpToMs: 10_000 }, engine);
    assert.deepEqual(engine.calls, [{ offsetMs: 0, sampleCount: 9000 * 16 }]);
    const longer = new FakeSpeechEngine();
    await transcribeFile(bursts, { maxDurationMs: 60_000, wholeUpToMs: 5000 }, longer);
    assert.equal(longer.calls.length, 3, 'longer audio is segmented as usual');
  });

  it('fails with the engine’s first error and stops the utterances still in flight', async () => {
    const aborted: number[] = [];
    const engine = new FakeSpeechEngine(async (_, offsetMs, request) => {
      if (offsetMs === 0) {
        await delay(30);
        throw new Error('engine down');
      }
      await new Promise((_, reject) => request.signal!.addEventListener('abort', () => {
        aborted.push(offsetMs);
        reject(request.signal!.reason);
      }));
      return [];
    }, { batchConcurrency: 3 });
    await assert.rejects(transcribeFile(bursts, { maxDurationMs: 60_000 }, engine), /engine down/);
    assert.deepEqual(aborted.sort((a, b) => a - b), [2800, 5800]);
    assert.equal(engine.recognizersFreed, 1);
  });
});
