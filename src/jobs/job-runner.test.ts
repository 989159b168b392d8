// How the job runner ends, retries and requeues transcriptions: worker deaths,
// shutdown and outcomes that cannot be stored. Real SQLite storage, a scripted
// in-process transcriber. The real server is driven in test/e2e/shutdown.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import type { FileService } from '../services/files/file-service.js';
import type { TranslationService } from '../services/translation/translation-service.js';
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import type { Storage, TranscriptionRecord } from '../storage/ports.js';
import { JobRunner, MAX_WORKER_DEATHS_ALONE, type AudioTranscriber, type Logger } from './job-runner.js';
import { RecognitionPool, RecognitionWorkerDiedError } from './recognition-pool.js';

const FAKE_WORKER = new URL('../../test/support/fake-recognition-worker.js', import.meta.url);

type Step = 'die' | 'ok' | 'until-aborted';

/** Each file (its id is the audio path) follows its script, one step per run; then `ok`. */
class ScriptedTranscriber implements AudioTranscriber {
  private readonly active = new Set<{ file: string; concurrent: number }>();
  /** For each run: the file, and the most transcriptions that ran at once during it. */
  readonly runs: { file: string; concurrent: number }[] = [];
  constructor(private readonly scripts: Record<string, Step[]>) {}

  async transcribe(request: { audioPath: string }, signal?: AbortSignal) {
    const file = request.audioPath;
    const run = { file, concurrent: 0 };
    this.active.add(run);
    this.runs.push(run);
    for (const r of this.active) r.concurrent = Math.max(r.concurrent, this.active.size);
    try {
      const step = this.scripts[file]?.shift() ?? 'ok';
      if (step === 'until-aborted') {
        await new Promise((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason), { once: true }));
      }
      await new Promise((r) => setTimeout(r, 60));
      if (step === 'die') throw new RecognitionWorkerDiedError('Recognition worker crashed (exit code SIGKILL)');
      return { tokens: [{ text: file, startMs: 0, endMs: 100, confidence: 1 }], audioDurationMs: 1000 };
    } finally {
      this.active.delete(run);
    }
  }

  get running(): number {
    return this.active.size;
  }
}

function record(fileId: string, overrides: Partial<TranscriptionRecord> = {}): TranscriptionRecord {
  return {
    id: `t-${fileId}`, projectId: 'default', status: 'queued', createdAt: new Date().toISOString(), model: 'stt-async-v4', audioUrl: null,
    fileId, filename: 'a.wav', languageHints: null, languageHintsStrict: null, enableSpeakerDiarization: false,
    enableLanguageIdentification: false, translation: null, context: null, audioDurationMs: null, errorType: null,
    errorMessage: null, webhookUrl: null, webhookAuthHeaderName: null, webhookAuthHeaderValue: null,
    webhookStatusCode: null, clientReferenceId: null, ...overrides,
  };
}

async function until<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('JobRunner', () => {
  let dir: string;
  let storage: Storage;
  let runner: JobRunner | null;
  const logged: { level: string; msg: string }[] = [];
  const log: Logger = {
    info: (_obj, msg = '') => logged.push({ level: 'info', msg }),
    warn: (_obj, msg = '') => logged.push({ level: 'warn', msg }),
    error: (_obj, msg = '') => logged.push({ level: 'error', msg }),
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hark-runner-'));
    storage = await openSqliteStorage(dir);
    runner = null;
    logged.length = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(transcriber: AudioTranscriber, workers: number, over: Storage = storage): Promise<JobRunner> {
    const config = loadConfig({ HARK_DATA_DIR: dir, HARK_WORKERS: String(workers), HARK_WEBHOOK_ATTEMPTS: '1',
      // The webhook receiver is on loopback, which outbound connections may not reach by default.
      HARK_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8',
    });
    const files = { blobPath: async (_projectId: string, id: string) => id } as unknown as FileService;
    const translation = { annotate: async (tokens: unknown) => tokens } as unknown as TranslationService;
    runner = new JobRunner(over, files, transcriber, async () => null, config, log, translation);
    await runner.start();
    return runner;
  }

  async function queue(...records: TranscriptionRecord[]): Promise<void> {
    for (const r of records) assert.equal(await storage.transcriptions.insertQueued(r, { maxPending: 10, maxTotal: 10 }), 'ok');
  }

  const ended = (id: string) =>
    until(async () => {
      const r = await storage.transcriptions.get('default', id);
      return r && (r.status === 'completed' || r.status === 'error') ? r : null;
    });

  it('retries a transcription whose worker died, then runs it alone; a death beside other jobs does not count', async () => {
    const transcriber = new ScriptedTranscriber({ A: ['die', 'die', 'ok'], B: ['ok'], C: ['ok'] });
    await queue(record('A'), record('B'), record('C'));
    await start(transcriber, 2);
    assert.equal((await ended('t-A')).status, 'completed');
    assert.equal((await ended('t-B')).status, 'completed');
    assert.equal((await ended('t-C')).status, 'completed');
    const runsOfA = transcriber.runs.filter((r) => r.file === 'A');
    assert.equal(runsOfA.length, 3);
    assert.equal(runsOfA[0]!.concurrent, 2, 'the first death happened beside B');
    assert.deepEqual(runsOfA.slice(1).map((r) => r.concurrent), [1, 1], 'retries ran alone');
    assert.equal((await storage.transcriptions.getTranscript('default', 't-A'))?.text, 'A');
  });

  it(`fails a transcription whose worker died ${MAX_WORKER_DEATHS_ALONE} times while it ran alone`, async () => {
    const transcriber = new ScriptedTranscriber({ A: ['die', 'die', 'die', 'die'] });
    await queue(record('A'));
    await start(transcriber, 1);
    const done = await ended('t-A');
    assert.equal(done.status, 'error');
    assert.equal(done.errorType, 'internal_error');
    assert.equal(done.errorMessage, 'The transcription failed because of an internal error.');
    assert.equal(transcriber.runs.length, MAX_WORKER_DEATHS_ALONE);
  });

  it('with real worker processes: a file that kills its worker every time is failed, the others complete', async () => {
    // The scripted worker dies of SIGSEGV on `segfault`, as a native crash in the engine would.
    const pool = new RecognitionPool({ size: 2, workerUrl: FAKE_WORKER });
    try {
      await pool.ready();
      await queue(record('segfault'), record('ok:300'), record('ok:50'));
      await start(pool, 2);
      const poison = await ended('t-segfault');
      assert.equal(poison.status, 'error');
      assert.equal(poison.errorType, 'internal_error');
      assert.equal((await ended('t-ok:300')).status, 'completed');
      assert.equal((await ended('t-ok:50')).status, 'completed');
      const retries = logged.filter((l) => /worker died; the transcription runs again/.test(l.msg)).length;
      assert.equal(retries, 2, 'retried after dying beside another job, then after dying alone once');
    } finally {
      await runner?.stop();
      await pool.close();
    }
  });

  it('drains: a running transcription finishes, nothing new starts', async () => {
    const transcriber = new ScriptedTranscriber({});
    await queue(record('A'));
    await start(transcriber, 1);
    await until(async () => transcriber.running > 0);
    await queue(record('B'));
    await runner!.drain();
    assert.equal((await storage.transcriptions.get('default', 't-A'))?.status, 'completed');
    assert.equal((await storage.transcriptions.get('default', 't-B'))?.status, 'queued');
  });

  it('three shutdowns during one transcription do not use up its attempts', async () => {
    const transcriber = new ScriptedTranscriber({ A: ['until-aborted', 'until-aborted', 'until-aborted'] });
    await queue(record('A'));
    for (let restart = 0; restart < 3; restart++) {
      await start(transcriber, 1);
      await until(async () => transcriber.running > 0);
      await runner!.stop();
      assert.equal((await storage.transcriptions.get('default', 't-A'))?.status, 'queued');
    }
    await start(transcriber, 1);
    const done = await ended('t-A');
    assert.equal(done.status, 'completed', done.errorMessage ?? '');
    assert.equal(transcriber.runs.length, 4);
  });

  describe('outcomes that cannot be stored', () => {
    let hooks: Server;
    const received: unknown[] = [];
    beforeEach(async () => {
      received.length = 0;
      hooks = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          received.push(JSON.parse(body));
          res.end();
        });
      });
      await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    });
    afterEach(() => new Promise<void>((resolve) => hooks.close(() => resolve())));

    /** The storage, with `complete` and `fail` throwing the first `n` times each. */
    function failingWrites(n: { complete: number; fail: number }): Storage {
      const transcriptions = Object.create(storage.transcriptions) as Storage['transcriptions'];
      transcriptions.complete = async (...args) => {
        if (n.complete-- > 0) throw new RangeError('Maximum call stack size exceeded');
        return storage.transcriptions.complete(...args);
      };
      transcriptions.fail = async (...args) => {
        if (n.fail-- > 0) throw new Error('SQLITE_IOERR: disk I/O error');
        return storage.transcriptions.fail(...args);
      };
      return { ...storage, transcriptions };
    }

    it('a result that cannot be written ends the transcription in error, and its webhook fires', async () => {
      const url = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
      await queue(record('A', { webhookUrl: url }));
      await start(new ScriptedTranscriber({}), 1, failingWrites({ complete: 1, fail: 0 }));
      const done = await ended('t-A');
      assert.equal(done.status, 'error');
      assert.equal(done.errorType, 'internal_error');
      await until(async () => received.length > 0);
      assert.deepEqual(received, [{ id: 't-A', status: 'error' }]);
    });

    it('when neither the result nor the failure can be written, the transcription is queued to run again', async () => {
      await queue(record('A'));
      await start(new ScriptedTranscriber({}), 1, failingWrites({ complete: 1, fail: 1 }));
      await until(async () => logged.some((l) => l.level === 'error' && /will run again/.test(l.msg)));
      await runner!.drain();
      assert.equal((await storage.transcriptions.get('default', 't-A'))?.status, 'queued');
      const due = await storage.jobs.nextRunAt('transcribe');
      assert.ok(due! > Date.now(), 'after a delay');
      const again = await storage.jobs.claim('transcribe', due!);
      assert.equal(again?.attempt, 2, 'the failed attempt counts');
    });
  });
});
