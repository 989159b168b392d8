import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { before, describe, it } from 'node:test';
import { conversation } from '../../../test/support/conversations.js';
import { pseudoWordUtterances } from '../../../test/support/diarization-evaluation.js';
import type { LiveDiarizerEvents, TimedWord } from './diarizer.js';
import { OnlineDiarizer } from './online-diarizer.js';
import { speakerNetwork } from './speaker-model.js';
import { DiarizationThread, DiarizationThreadError, DiarizerClosedError } from './threaded-live-diarizer.js';

const CHUNK_SAMPLES = 1920;

/** What the drive needs of a diarizer: the synchronous one and the threaded one both have it. */
interface Driven {
  push(samples: Int16Array): void;
  labelProvisional(words: readonly TimedWord[]): string[];
  labelFinal(words: readonly TimedWord[]): string[] | Promise<string[]>;
}

/**
 * A session's calls over a 60 s conversation of two voices (well over 20 final
 * x-vector windows, so most decisions are spectral): audio in 120 ms
 * chunks, provisional labels of the utterance so far after each, its 300 ms
 * pseudo-words final at its end. Returns the final labels and the event
 * loop's longest delay meanwhile (ms).
 */
async function drive(diarizer: Driven, utterances: { endSample: number; words: TimedWord[] }[], samples: Int16Array) {
  const labels: string[] = [];
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let pushed = 0;
  for (const { endSample, words } of utterances) {
    for (; pushed < endSample; pushed += CHUNK_SAMPLES) {
      diarizer.push(samples.subarray(pushed, Math.min(pushed + CHUNK_SAMPLES, endSample)));
      const heardMs = Math.min(pushed + CHUNK_SAMPLES, endSample) / 16;
      diarizer.labelProvisional(words.filter((w) => w.endMs <= heardMs));
      // A turn of the event loop between chunks, as between a session's messages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    pushed = endSample;
    labels.push(...(await diarizer.labelFinal(words)));
  }
  delay.disable();
  return { labels, maxDelayMs: delay.max / 1e6 };
}

const recording = conversation({ name: 'librivox + alsa', voices: ['librivox', 'alsa'], perVoiceMs: 30_000, seed: 11 });

/** Events that record what the diarizer announced. */
function recorder() {
  const seen = { changed: 0, failures: [] as Error[] };
  let wake: (() => void) | null = null;
  const events: LiveDiarizerEvents = {
    changed: () => {
      seen.changed++;
      wake?.();
    },
    failed: (err) => {
      seen.failures.push(err);
      wake?.();
    },
  };
  /** Resolves at the next announcement. */
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  return { seen, events, next };
}

/**
 * A stand-in thread: labels each provisional request's words with the
 * request's number ("1", "2", …); final words starting at 0 fail that
 * stream's diarizer, any others end the thread.
 */
const SCRIPTED_THREAD = new URL(
  'data:text/javascript,' +
    encodeURIComponent(`
      import { parentPort } from 'node:worker_threads';
      let requests = 0;
      parentPort.on('message', (m) => {
        if (m.type === 'provisional') {
          const n = String(++requests);
          parentPort.postMessage({ type: 'provisional', id: m.id, labels: m.words.map(() => n) });
        }
        if (m.type === 'final' && m.words[0].startMs === 0) parentPort.postMessage({ type: 'failed', id: m.id, message: 'scripted failure' });
        else if (m.type === 'final') process.exit(7);
      });
    `),
);

describe('ThreadedLiveDiarizer', () => {
  let utterances: { endSample: number; words: TimedWord[] }[];
  let sync: { labels: string[]; maxDelayMs: number };

  before(async () => {
    utterances = await pseudoWordUtterances(recording.samples);
    // Loaded before the measurement: the load is not a decision.
    speakerNetwork();
    sync = await drive(new OnlineDiarizer({}, speakerNetwork()), utterances, recording.samples);
  });

  it('gives the final labels the synchronous diarizer gives, without holding the event loop', async () => {
    const thread = new DiarizationThread();
    const { seen, events } = recorder();
    const diarizer = thread.open(events);
    const threaded = await drive(diarizer, utterances, recording.samples);
    diarizer.close();
    await thread.close();
    console.log(
      `event loop's longest delay over ${recording.samples.length / 16_000} s of conversation: ` +
        `${sync.maxDelayMs.toFixed(0)} ms with the diarizer on it, ${threaded.maxDelayMs.toFixed(0)} ms with it in its thread`,
    );
    assert.deepEqual(threaded.labels, sync.labels);
    assert.deepEqual([...new Set(threaded.labels)], ['1', '2']);
    assert.deepEqual(seen.failures, []);
    assert.ok(seen.changed > 0, 'provisional answers are announced');
    // Relative, so that a slower or busier machine (which slows both) does not fail it.
    assert.ok(threaded.maxDelayMs < sync.maxDelayMs / 2, `${threaded.maxDelayMs} ms against ${sync.maxDelayMs} ms`);
  });

  it('answers provisional labels at once from the latest answer, with at most one request in flight', async () => {
    const thread = new DiarizationThread(SCRIPTED_THREAD);
    const { seen, events, next } = recorder();
    const diarizer = thread.open(events);
    const words = [100, 400, 700].map((startMs) => ({ startMs, endMs: startMs + 300 }));
    const answered = next();
    assert.deepEqual(diarizer.labelProvisional(words.slice(0, 1)), ['1'], 'nothing answered yet: the first speaker');
    assert.deepEqual(diarizer.labelProvisional(words.slice(0, 2)), ['1', '1']);
    assert.deepEqual(diarizer.labelProvisional(words), ['1', '1', '1'], 'asked for once the first answer is in');
    await answered;
    const second = next();
    assert.deepEqual(diarizer.labelProvisional(words), ['1', '1', '1'], 'words not answered yet continue the one before');
    await second;
    assert.deepEqual(diarizer.labelProvisional(words), ['2', '2', '2'], 'the middle request was skipped');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.changed, 2, 'the same words are not asked for again');
    diarizer.close();
    await thread.close();
  });

  it('fails only the stream whose diarizer failed in the thread', async () => {
    const thread = new DiarizationThread(SCRIPTED_THREAD);
    const failing = recorder();
    const other = recorder();
    const diarizer = thread.open(failing.events);
    const bystander = thread.open(other.events);
    await assert.rejects(diarizer.labelFinal([{ startMs: 0, endMs: 300 }]), DiarizationThreadError);
    assert.match(failing.seen.failures[0]!.message, /scripted failure/);
    await assert.rejects(diarizer.labelFinal([{ startMs: 300, endMs: 600 }]), DiarizationThreadError, 'and stays failed');
    assert.equal(thread.openDiarizers, 1);
    const answered = other.next();
    bystander.labelProvisional([{ startMs: 0, endMs: 300 }]);
    await answered;
    assert.deepEqual(other.seen.failures, []);
    bystander.close();
    await thread.close();
  });

  it('fails every stream of a thread that dies; the next stream starts a new thread', async () => {
    const thread = new DiarizationThread(SCRIPTED_THREAD);
    const first = recorder();
    const second = recorder();
    const a = thread.open(first.events);
    thread.open(second.events);
    const failed = second.next();
    await assert.rejects(a.labelFinal([{ startMs: 500, endMs: 800 }]), DiarizationThreadError);
    await failed;
    assert.equal(first.seen.failures.length, 1);
    assert.ok(second.seen.failures[0] instanceof DiarizationThreadError, 'a stream that asked nothing fails too');
    assert.equal(thread.openDiarizers, 0);

    const later = recorder();
    const c = thread.open(later.events);
    const answered = later.next();
    c.labelProvisional([{ startMs: 0, endMs: 300 }]);
    await answered;
    assert.deepEqual(later.seen.failures, []);
    c.close();
    await thread.close();
  });

  it('on close, frees the stream\'s diarizer and rejects its pending labels without reporting a failure', async () => {
    const thread = new DiarizationThread();
    const { seen, events } = recorder();
    const diarizer = thread.open(events);
    diarizer.push(recording.samples.subarray(0, 16_000));
    const pending = diarizer.labelFinal([{ startMs: 100, endMs: 400 }]);
    diarizer.close();
    await assert.rejects(pending, DiarizerClosedError);
    assert.equal(thread.openDiarizers, 0);
    assert.deepEqual(seen.failures, []);
    await thread.close();
  });
});
