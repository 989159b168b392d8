import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AsyncLiveDiarizer, LiveDiarization, LiveDiarizerEvents, TimedWord } from './diarization/diarizer.js';
import type { RecognizedWord } from './engines/speech-engine.js';
import { synth } from './segmentation/synth.test-helper.js';
import {
  type FinalRecognizer,
  type LiveRecognition,
  LiveTranscription,
  type LiveTranscriptionOptions,
  type PartialEvents,
  endpointPauseMs,
  hangoverMs,
} from './stream.js';
import type { StreamToken } from './tokens/transcript-assembler.js';

/**
 * A scripted recognition back end: the fast pass answers every chunk with
 * the word "fast" and ends utterances with it; the accurate pass answers
 * "accurate" after `accurateDelayMs` and estimates `estimateMs`.
 */
class FakeRecognition implements LiveRecognition {
  accurateDelayMs = 0;
  estimate = 0;
  fed = 0;
  recognized: { offsetMs: number; samples: number }[] = [];
  events: PartialEvents | null = null;
  /** The engine's own endpoint rule fires once this much of an utterance was fed (null: never). */
  endpointAfterMs: number | null = null;
  private utterance = 0;
  private offsetMs = 0;
  private utteranceFed = 0;

  openPartial(events: PartialEvents) {
    this.events = events;
    return {
      startUtterance: (id: number, offsetMs: number) => {
        this.utterance = id;
        this.offsetMs = offsetMs;
        this.utteranceFed = 0;
      },
      feed: (samples: Int16Array) => {
        this.fed += samples.length;
        this.utteranceFed += samples.length;
        const id = this.utterance;
        const at = this.offsetMs;
        const endpoint = this.endpointAfterMs !== null && this.utteranceFed >= this.endpointAfterMs * 16;
        queueMicrotask(() => events.progress(id, [{ word: 'fast', startMs: at, endMs: at + 100 }], samples.length, at + 100, endpoint));
      },
      endUtterance: async (): Promise<RecognizedWord[]> => [{ word: 'fast', startMs: this.offsetMs, endMs: this.offsetMs + 100, confidence: 0.4 }],
      close: () => {},
    };
  }

  openFinal(): FinalRecognizer {
    return {
      recognize: (samples, offsetMs, signal) =>
        new Promise((resolve, reject) => {
          this.recognized.push({ offsetMs, samples: samples.length });
          const timer = setTimeout(() => resolve([{ word: 'accurate', startMs: offsetMs, endMs: offsetMs + 200, confidence: 0.9 }]), this.accurateDelayMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(signal.reason);
          });
        }),
      estimateMs: () => this.estimate,
      close: () => {},
    };
  }
}

/** A diarizer whose final labels ("1" before 3 s, "2" after) take `delayMs` to arrive, as from a thread. */
class SlowDiarization implements LiveDiarization {
  delayMs = 200;
  pushedSamples = 0;
  provisionalCalls = 0;
  closed = 0;
  events: LiveDiarizerEvents | null = null;

  open(events: LiveDiarizerEvents): AsyncLiveDiarizer {
    this.events = events;
    return {
      push: (samples) => {
        this.pushedSamples += samples.length;
      },
      labelFinal: (words: readonly TimedWord[]) =>
        new Promise((resolve) => setTimeout(() => resolve(words.map((w) => (w.startMs < 3000 ? '1' : '2'))), this.delayMs)),
      labelProvisional: (words) => {
        this.provisionalCalls++;
        return words.map(() => '9');
      },
      close: () => {
        this.closed++;
      },
    };
  }
}

/** Runs a transcription over `samples` and collects every update. */
async function transcribe(recognition: FakeRecognition, options: LiveTranscriptionOptions, samples: Int16Array, midway?: (live: LiveTranscription) => void) {
  const updates: { tokens: StreamToken[]; finalAudioProcMs: number; totalAudioProcMs: number }[] = [];
  const live = new LiveTranscription(recognition, options, {
    changed: () => {
      const update = live.take();
      if (update) updates.push(update);
    },
    failed: (err) => assert.fail(err),
  });
  const half = samples.length >> 1;
  for (let i = 0; i < samples.length; i += 1920) {
    live.push(samples.slice(i, i + 1920));
    if (i < half && i + 1920 >= half) midway?.(live);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await live.end();
  updates.push(live.take(true)!);
  live.close();
  const finals = updates.flatMap((u) => u.tokens.filter((t) => t.isFinal).map((t) => t.text));
  return { updates, finals };
}

const twoSentences = synth([['noise', 1000], ['speech', 1500], ['noise', 1000], ['speech', 800], ['noise', 1000]]);

describe('hangoverMs', () => {
  it('is the finals pause, shorter when the endpoint pause is', () => {
    assert.equal(hangoverMs({ endpointDetection: false, maxEndpointDelayMs: 500 }), 300);
    assert.equal(hangoverMs({ endpointDetection: true, maxEndpointDelayMs: 2000 }), 300);
    assert.equal(hangoverMs({ endpointDetection: true, maxEndpointDelayMs: 1000 }), 300);
    assert.equal(hangoverMs({ endpointDetection: true, maxEndpointDelayMs: 500 }), 200);
  });
});

describe('endpointPauseMs', () => {
  const pause = (extra: Partial<LiveTranscriptionOptions>) => endpointPauseMs({ endpointDetection: true, maxEndpointDelayMs: 2000, ...extra });

  it('is shorter for a shorter max_endpoint_delay_ms, a higher sensitivity and a higher latency adjustment level', () => {
    assert.equal(pause({}), 600);
    assert.ok(pause({ maxEndpointDelayMs: 1000 }) < pause({}) && pause({ maxEndpointDelayMs: 3000 }) > pause({}));
    assert.ok(pause({ endpointSensitivity: 0.5 }) < pause({}) && pause({ endpointSensitivity: -0.5 }) > pause({}));
    for (const level of [1, 2, 3]) assert.ok(pause({ endpointLatencyAdjustmentLevel: level }) < pause({ endpointLatencyAdjustmentLevel: level - 1 }));
  });

  it('stays between 200 ms and what leaves room to send the finals within the delay', () => {
    for (const maxEndpointDelayMs of [500, 1000, 2000, 3000]) {
      for (const endpointSensitivity of [-1, 0, 1]) {
        for (const endpointLatencyAdjustmentLevel of [0, 3]) {
          const ms = pause({ maxEndpointDelayMs, endpointSensitivity, endpointLatencyAdjustmentLevel });
          assert.ok(ms >= 200 && ms <= maxEndpointDelayMs - 200, `${maxEndpointDelayMs}/${endpointSensitivity}/${endpointLatencyAdjustmentLevel}: ${ms}`);
        }
      }
    }
  });
});

describe('LiveTranscription', () => {
  it('shows fast-pass words as non-final and finalizes with the accurate pass, utterance by utterance', async () => {
    const recognition = new FakeRecognition();
    const { updates, finals } = await transcribe(recognition, { endpointDetection: false, maxEndpointDelayMs: 2000 }, twoSentences);
    assert.deepEqual(finals, ['Accurate', '.', ' Accurate', '.']);
    assert.ok(updates.some((u) => u.tokens.some((t) => !t.isFinal && t.text === 'Fast')));
    // The utterances with their padding: 800..2700 and 3300..4500.
    assert.deepEqual(recognition.recognized, [
      { offsetMs: 800, samples: 1900 * 16 },
      { offsetMs: 3300, samples: 1200 * 16 },
    ]);
    let final = 0;
    let total = 0;
    for (const u of updates) {
      assert.ok(u.finalAudioProcMs >= final && u.totalAudioProcMs >= total && u.finalAudioProcMs <= u.totalAudioProcMs);
      for (const t of u.tokens) if (t.isFinal && t.endMs !== undefined) assert.ok(t.endMs <= u.finalAudioProcMs);
      final = u.finalAudioProcMs;
      total = u.totalAudioProcMs;
    }
    assert.equal(updates.at(-1)!.finalAudioProcMs, twoSentences.length / 16);
  });

  it('sends <end> after each utterance with endpoint detection', async () => {
    const { finals } = await transcribe(new FakeRecognition(), { endpointDetection: true, maxEndpointDelayMs: 2000 }, twoSentences);
    assert.deepEqual(finals, ['Accurate', '.', '<end>', ' Accurate', '.', '<end>']);
  });

  it('ends an utterance where the engine’s own endpoint rule fires, though the detector still hears speech', async () => {
    const oneLongSound = synth([['noise', 1000], ['speech', 3000], ['noise', 1000]]);
    const engine = new FakeRecognition();
    engine.endpointAfterMs = 2000;
    const { finals } = await transcribe(engine, { endpointDetection: true, maxEndpointDelayMs: 2000 }, oneLongSound);
    assert.deepEqual(finals, ['Accurate', '.', '<end>', ' Accurate', '.', '<end>']);
    const cut = engine.recognized[1]!.offsetMs;
    assert.ok(cut >= 800 + 2000 && cut < 4000, `second utterance from ${cut} ms`);
    const plain = await transcribe(new FakeRecognition(), { endpointDetection: true, maxEndpointDelayMs: 2000 }, oneLongSound);
    assert.deepEqual(plain.finals, ['Accurate', '.', '<end>'], 'without the engine’s endpoint: one utterance');
  });

  it('without a separate final pass, finalizes with the streaming words at the end of each utterance', async () => {
    const recognition = Object.assign(new FakeRecognition(), { openFinal: undefined });
    const { updates, finals } = await transcribe(recognition, { endpointDetection: true, maxEndpointDelayMs: 2000 }, twoSentences);
    assert.deepEqual(finals, ['Fast', '.', '<end>', ' Fast', '.', '<end>']);
    assert.equal(updates.at(-1)!.finalAudioProcMs, twoSentences.length / 16);
  });

  it('sends <end> only after a pause as long as the endpoint pause, finals after a shorter one', async () => {
    // Pauses of 450 ms: longer than the finals pause (300 ms), shorter than the default endpoint pause (600 ms).
    const speech = synth([['noise', 800], ['speech', 1200], ['noise', 450], ['speech', 1200], ['noise', 1500]]);
    const options = { endpointDetection: true, maxEndpointDelayMs: 2000 };
    const plain = await transcribe(Object.assign(new FakeRecognition(), { openFinal: undefined }), options, speech);
    assert.deepEqual(plain.finals, ['Fast', '.', ' Fast', '.', '<end>']);
    const sensitive = await transcribe(Object.assign(new FakeRecognition(), { openFinal: undefined }), { ...options, endpointSensitivity: 1 }, speech);
    assert.deepEqual(sensitive.finals, ['Fast', '.', '<end>', ' Fast', '.', '<end>']);
  });

  it('ends the utterance a finalize cuts before the trailing silence the client declares', async () => {
    const speech = synth([['noise', 500], ['speech', 4000], ['noise', 1000]]);
    const options = { endpointDetection: false, maxEndpointDelayMs: 2000 };
    const plain = new FakeRecognition();
    await transcribe(plain, options, speech, (live) => live.finalize());
    const trailing = new FakeRecognition();
    await transcribe(trailing, options, speech, (live) => live.finalize(400));
    assert.equal(plain.recognized[0]!.samples - trailing.recognized[0]!.samples, 400 * 16);
    assert.equal(plain.recognized[1]!.offsetMs, trailing.recognized[1]!.offsetMs, 'the next utterance starts where it did');
  });

  it('finalizes with the fast pass when the accurate one cannot meet the endpoint delay', async () => {
    const slow = new FakeRecognition();
    slow.estimate = 5000;
    const { finals } = await transcribe(slow, { endpointDetection: true, maxEndpointDelayMs: 500 }, twoSentences);
    assert.deepEqual(finals, ['Fast', '.', '<end>', ' Fast', '.', '<end>']);
    assert.deepEqual(slow.recognized, [], 'no accurate pass was even started');
  });

  it('falls back to the fast pass at the deadline when the accurate pass is late', async () => {
    const late = new FakeRecognition();
    late.accurateDelayMs = 5000;
    const started = Date.now();
    const { finals } = await transcribe(late, { endpointDetection: true, maxEndpointDelayMs: 600 }, twoSentences);
    assert.deepEqual(finals, ['Fast', '.', '<end>', ' Fast', '.', '<end>']);
    assert.ok(Date.now() - started < 3000);
  });

  it('finalizes everything pushed so far on request, then sends <fin>', async () => {
    const recognition = new FakeRecognition();
    const speech = synth([['noise', 500], ['speech', 3000], ['noise', 1000]]);
    const { finals } = await transcribe(recognition, { endpointDetection: false, maxEndpointDelayMs: 2000 }, speech, (live) => live.finalize());
    assert.deepEqual(finals, ['Accurate', '.', '<fin>', ' Accurate', '.']);
    assert.equal(recognition.recognized.length, 2, 'the utterance was cut in two');
  });

  it('answers a finalize without speech with <fin> alone', async () => {
    const { finals } = await transcribe(new FakeRecognition(), { endpointDetection: true, maxEndpointDelayMs: 2000 }, synth([['noise', 1000]]), (live) =>
      live.finalize(),
    );
    assert.deepEqual(finals, ['<fin>']);
  });

  it('waits for speakers decided elsewhere: finals go out with them, in order, and the end waits for the last', async () => {
    const diarization = new SlowDiarization();
    const options = { endpointDetection: true, maxEndpointDelayMs: 2000, diarization };
    const { updates } = await transcribe(new FakeRecognition(), options, twoSentences);
    const finals = updates.flatMap((u) => u.tokens.filter((t) => t.isFinal).map((t) => [t.text, t.speaker]));
    assert.deepEqual(finals, [['Accurate', '1'], ['.', '1'], ['<end>', undefined], [' Accurate', '2'], ['.', '2'], ['<end>', undefined]]);
    assert.equal(diarization.pushedSamples, twoSentences.length, 'the diarizer hears all of the audio');
    assert.equal(diarization.closed, 1, 'and is closed with the stream');
  });

  it('does not spin while speakers are on their way', async () => {
    const diarization = new SlowDiarization();
    diarization.delayMs = 500;
    const live = new LiveTranscription(new FakeRecognition(), { endpointDetection: false, maxEndpointDelayMs: 2000, diarization }, {
      changed: () => live.take(),
      failed: (err) => assert.fail(err),
    });
    const speech = synth([['noise', 500], ['speech', 1000], ['noise', 500]]);
    for (let i = 0; i < speech.length; i += 1920) live.push(speech.slice(i, i + 1920));
    const before = diarization.provisionalCalls;
    await live.end();
    // Each take asks for provisional labels: a take per turn of the event loop would be thousands in half a second.
    assert.ok(diarization.provisionalCalls - before < 20, `${diarization.provisionalCalls - before} takes while waiting`);
    const last = live.take(true)!;
    assert.deepEqual(last.tokens.filter((t) => !t.isFinal), [], 'everything is final once end resolves');
    live.close();
  });

  it('is busy for a client ahead of real time while its finals wait for their speakers', async () => {
    const diarization = new SlowDiarization();
    diarization.delayMs = 400;
    const live = new LiveTranscription(new FakeRecognition(), { endpointDetection: false, maxEndpointDelayMs: 2000, diarization }, {
      changed: () => live.take(),
      failed: (err) => assert.fail(err),
    });
    // Three utterances sent at once: 7 s of audio ahead of the clock.
    const speech = synth([['noise', 500], ['speech', 1000], ['noise', 1000], ['speech', 1000], ['noise', 1000], ['speech', 1000], ['noise', 1500]]);
    for (let i = 0; i < speech.length; i += 1920) live.push(speech.slice(i, i + 1920));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(live.busy, true, 'the accurate pass is done; the speakers of the first utterance are not');
    await live.end();
    assert.equal(live.busy, false);
    live.close();
  });

  it('fails when its diarizer is gone', () => {
    const diarization = new SlowDiarization();
    let failure: Error | null = null;
    const live = new LiveTranscription(new FakeRecognition(), { endpointDetection: false, maxEndpointDelayMs: 2000, diarization }, {
      changed: () => {},
      failed: (err) => (failure = err),
    });
    diarization.events!.failed(new Error('diarization thread exited'));
    assert.equal((failure as Error | null)?.message, 'diarization thread exited');
    assert.equal(diarization.closed, 1);
    live.close();
  });

  it('is busy while more than a second of audio waits for the fast pass', () => {
    const recognition = new FakeRecognition();
    // Progress never comes back: the fast pass is stuck.
    recognition.openPartial = (events) => {
      const partial = FakeRecognition.prototype.openPartial.call(recognition, { ...events, progress: () => {} });
      return partial;
    };
    const live = new LiveTranscription(recognition, { endpointDetection: false, maxEndpointDelayMs: 2000 }, { changed: () => {}, failed: () => {} });
    const speech = synth([['speech', 3000]]);
    live.push(speech.subarray(0, 16 * 800));
    assert.equal(live.busy, false);
    live.push(speech.subarray(16 * 800));
    assert.equal(live.busy, true);
    live.close();
  });

  it('reports a recognizer failure', async () => {
    const recognition = new FakeRecognition();
    let failure: Error | null = null;
    const live = new LiveTranscription(recognition, { endpointDetection: false, maxEndpointDelayMs: 2000 }, {
      changed: () => {},
      failed: (err) => (failure = err),
    });
    recognition.events!.failed(new Error('worker crashed'));
    assert.equal((failure as Error | null)?.message, 'worker crashed');
    live.close();
  });
});
