import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RealtimeError } from '../../api/realtime-errors.js';
import { parseAudioFormat } from '../../pipeline/decode/stream-decoder.js';
import { synth } from '../../pipeline/segmentation/synth.test-helper.js';
import type { LiveRecognition, PartialEvents } from '../../pipeline/stream.js';
import type { TranscriptUpdate } from '../../pipeline/tokens/transcript-assembler.js';
import type { TranslationService } from '../translation/translation-service.js';
import type { AdmittedSession } from './realtime-service.js';
import { RealtimeSession, type SessionTransport } from './realtime-session.js';

/** Records what the session did to its connection. */
class FakeTransport implements SessionTransport {
  results: { update: TranscriptUpdate; finished: boolean }[] = [];
  errors: RealtimeError[] = [];
  closed = false;
  paused = 0;
  resumed = 0;
  sendResult(update: TranscriptUpdate, finished: boolean) {
    this.results.push({ update, finished });
  }
  sendError(error: RealtimeError) {
    this.errors.push(error);
  }
  close() {
    this.closed = true;
  }
  pauseInput() {
    this.paused++;
  }
  resumeInput() {
    this.resumed++;
  }
  buffered = 0;
  unread = false;
  bufferedBytes() {
    return this.buffered;
  }
  unreadInput() {
    return this.unread;
  }
}

/** Recognition whose fast pass acknowledges audio only when told to. */
class ManualRecognition implements LiveRecognition {
  events: PartialEvents | null = null;
  pending: { id: number; samples: number }[] = [];
  private utterance = 0;
  openPartial(events: PartialEvents) {
    this.events = events;
    return {
      startUtterance: (id: number) => {
        this.utterance = id;
      },
      feed: (samples: Int16Array) => {
        this.pending.push({ id: this.utterance, samples: samples.length });
      },
      endUtterance: async () => [],
      close: () => {},
    };
  }
  openFinal() {
    return { recognize: async () => [], estimateMs: () => 0, close: () => {} };
  }
  /** Acknowledges every chunk fed so far. */
  catchUp() {
    for (const chunk of this.pending.splice(0)) this.events!.progress(chunk.id, [], chunk.samples, 0);
  }
}

const admitted: AdmittedSession = {
  config: {
    model: 'stt-rt-v4',
    audioFormat: parseAudioFormat('pcm_s16le')!,
    raw: { sampleRate: 16000, channels: 1 },
    endpointDetection: false,
    maxEndpointDelayMs: 2000,
    endpointSensitivity: 0,
    endpointLatencyAdjustmentLevel: 0,
    clientReferenceId: null,
    speakerDiarization: false,
    context: null,
    languages: { languageIdentification: false, translation: null, translationTerms: [] },
  },
  maxSessionMs: null,
  release: () => {},
};

// The session asks the translation service for a language stage; none is asked for here.
const noLanguages = { openLive: () => null } as unknown as TranslationService;
const silentLog = { debug: () => {}, info: () => {}, error: () => {} };
const settings = { startTimeoutMs: 5000, idleTimeoutMs: 5000, maxAudioDurationMs: 60_000, maxUnreadBytes: 1 << 20, unreadTimeoutMs: 5000 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await tick();
  }
}

function open(recognition: LiveRecognition, admit = async () => admitted, overrides: Partial<typeof settings> = {}) {
  const transport = new FakeTransport();
  const session = new RealtimeSession(transport, admit, recognition, { ...settings, ...overrides }, silentLog, noLanguages);
  return { transport, session };
}

const start = Buffer.from('{"api_key":"k","model":"stt-rt-v4","audio_format":"pcm_s16le","sample_rate":16000,"num_channels":1}');
const bytes = (samples: Int16Array) => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

describe('RealtimeSession', () => {
  it('stops reading the socket while the fast pass is behind, and reads again once it caught up', async () => {
    const recognition = new ManualRecognition();
    const { transport, session } = open(recognition);
    session.receive(start, false);
    const speech = synth([['speech', 3000]]);
    for (let i = 0; i < speech.length; i += 1920) session.receive(bytes(speech.slice(i, i + 1920)), true);
    await tick();
    assert.equal(transport.paused, 1, 'paused once the backlog passed a second of audio');
    assert.equal(transport.resumed, 0);
    recognition.catchUp();
    await tick();
    assert.equal(transport.resumed, 1);
    session.disconnected();
  });

  it('times out a client that sends nothing while its input is paused', async () => {
    const recognition = new ManualRecognition();
    const { transport, session } = open(recognition, undefined, { idleTimeoutMs: 100 });
    session.receive(start, false);
    const speech = synth([['speech', 3000]]);
    for (let i = 0; i < speech.length; i += 1920) session.receive(bytes(speech.slice(i, i + 1920)), true);
    await tick();
    assert.equal(transport.paused, 1);
    await waitUntil(() => session.currentState === 'failed');
    assert.deepEqual(transport.errors.map((e) => [e.code, e.message]), [[408, 'Request timeout.']]);
    assert.equal(transport.closed, true);
  });

  it('does not time out a paused client whose bytes wait unread', async () => {
    const recognition = new ManualRecognition();
    const { transport, session } = open(recognition, undefined, { idleTimeoutMs: 50 });
    session.receive(start, false);
    const speech = synth([['speech', 3000]]);
    for (let i = 0; i < speech.length; i += 1920) session.receive(bytes(speech.slice(i, i + 1920)), true);
    transport.unread = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(session.currentState, 'streaming');
    transport.unread = false;
    await waitUntil(() => session.currentState === 'failed');
    assert.equal(transport.errors[0]?.code, 408);
  });

  it('ends a session whose results stay unread, and keeps one whose client reads again in time', async () => {
    const recognition = new ManualRecognition();
    const stalled = open(recognition, undefined, { maxUnreadBytes: 1000, unreadTimeoutMs: 200 });
    stalled.transport.buffered = 5000;
    stalled.transport.unread = true;
    stalled.session.receive(start, false);
    stalled.session.receive(bytes(synth([['speech', 500]])), true);
    await waitUntil(() => stalled.session.currentState === 'failed');
    assert.deepEqual(stalled.transport.errors.map((e) => [e.code, e.message]), [[408, 'Request timeout.']]);
    assert.equal(stalled.transport.closed, true);

    const slow = open(new ManualRecognition(), undefined, { maxUnreadBytes: 1000, unreadTimeoutMs: 200 });
    slow.transport.buffered = 5000;
    slow.session.receive(start, false);
    slow.session.receive(bytes(synth([['speech', 500]])), true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.transport.buffered = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(slow.session.currentState, 'streaming');
    slow.session.disconnected();
  });

  it('keeps frames sent during admission, in order', async () => {
    let letIn!: (value: AdmittedSession) => void;
    const recognition = new ManualRecognition();
    const { transport, session } = open(recognition, () => new Promise((resolve) => (letIn = resolve)));
    session.receive(start, false);
    const speech = synth([['noise', 500], ['speech', 1000], ['noise', 800]]);
    session.receive(bytes(speech), true);
    session.receive(Buffer.alloc(0), false);
    await tick();
    assert.equal(session.currentState, 'starting');
    letIn(admitted);
    for (let i = 0; i < 50 && (session.currentState as string) !== 'finished'; i++) {
      recognition.catchUp();
      await tick();
    }
    assert.equal(session.currentState, 'finished');
    const last = transport.results.at(-1)!;
    assert.equal(last.finished, true);
    assert.equal(last.update.totalAudioProcMs, 2300);
    assert.equal(transport.closed, true);
  });

  it('sends the error, closes, and ignores what comes after', async () => {
    const { transport, session } = open(new ManualRecognition());
    session.receive(Buffer.from('{"api_key":'), false);
    await tick();
    assert.deepEqual(transport.errors.map((e) => [e.code, e.message]), [[400, 'Start request is malformed.']]);
    assert.equal(transport.closed, true);
    assert.equal(session.currentState, 'failed');
    session.receive(start, false);
    await tick();
    assert.equal(transport.errors.length, 1);
  });
});
