import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { TranscriptionErrorType } from '../api/errors.js';
import { toRecognitionContext } from '../pipeline/context/recognition-context.js';
import { AudioUrlError, downloadAudioUrl } from '../pipeline/source/download-audio-url.js';
import { OutboundAddressPolicy } from '../lib/outbound-address-policy.js';
import type { TranscribeRequest } from './recognition-messages.js';
import type { Job, Storage, StoredToken, TranscriptionRecord } from '../storage/ports.js';
import type { FileService } from '../services/files/file-service.js';
import { asyncUsageRecord } from '../services/usage/usage-service.js';
import type { TranslationService } from '../services/translation/translation-service.js';
import { backoffMs, deliverWebhook, isDelivered } from './webhook-delivery.js';

/** Runs recognition off the main thread (the recognition pool). */
export interface AudioTranscriber {
  transcribe(request: TranscribeRequest, signal?: AbortSignal): Promise<{ tokens: StoredToken[]; audioDurationMs: number }>;
}

export type DurationProbe = (path: string) => Promise<number | null>;

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * A transcription whose job keeps dying with the server process (kill -9, a
 * crash) is given up on after this many starts. Shutdowns and recognition
 * worker deaths do not count as starts.
 */
export const MAX_TRANSCRIBE_ATTEMPTS = 3;

/** A transcription whose recognition worker died this many times while it ran alone is failed. */
export const MAX_WORKER_DEATHS_ALONE = 2;

const WEBHOOK_CONCURRENCY = 4;
const IDLE_POLL_MS = 1000;
/** A job whose handler threw (its outcome could not be stored) runs again after this, doubling per attempt. */
const HANDLER_ERROR_RETRY_MS = 10_000;
const HANDLER_ERROR_RETRY_MAX_MS = 10 * 60_000;

/** A transcription in progress: whether it has had the recognition pool to itself so far. */
interface RunningTranscription {
  alone: boolean;
  mustRunAlone: boolean;
}

class TranscriptionFailure extends Error {
  constructor(
    readonly errorType: TranscriptionErrorType,
    message: string,
    /** What the log shows besides the message the client sees. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Maps what went wrong while processing to the transcription's error_type and message. */
function toFailure(err: unknown): TranscriptionFailure {
  if (err instanceof TranscriptionFailure) return err;
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message;
  if (err instanceof AudioUrlError) return new TranscriptionFailure('audio_url_error', message, err.detail);
  if (code === 'audio_decode_error') return new TranscriptionFailure('audio_decode_error', message);
  if (code === 'audio_too_long') return new TranscriptionFailure('audio_too_long', message);
  // A remote engine's failure names no address: the client may read why.
  if (code === 'engine_unavailable') return new TranscriptionFailure('internal_error', `${message}.`);
  return new TranscriptionFailure('internal_error', 'The transcription failed because of an internal error.');
}

function isWorkerDeath(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'worker_died';
}

/**
 * Takes durable jobs from the queue: transcriptions (as many at once as the
 * recognition pool has workers) and webhook deliveries with retries. Jobs
 * left active by a crash are requeued at start, and that start counts.
 *
 * A transcription whose recognition worker died is retried without counting
 * the attempt, and from then on runs alone: no other transcription beside
 * it, so that another job's crash or memory cannot be blamed on it. Only
 * deaths while it ran alone count; at {@link MAX_WORKER_DEATHS_ALONE} it fails.
 */
export class JobRunner {
  private readonly active = new Map<string, AbortController>();
  private readonly transcribing = new Map<string, RunningTranscription>();
  private activeWebhooks = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pumping: Promise<void> | null = null;
  private repump = false;
  private readonly downloadsDir: string;
  private readonly idleWaiters = new Set<() => void>();
  private readonly outbound: OutboundAddressPolicy;

  constructor(
    private readonly storage: Storage,
    private readonly files: FileService,
    private readonly transcriber: AudioTranscriber,
    private readonly probeDurationMs: DurationProbe,
    private readonly config: Config,
    private readonly log: Logger,
    /** Adds languages and translations to transcripts that ask for them. */
    private readonly translation: TranslationService,
  ) {
    this.downloadsDir = join(config.dataDir, 'downloads');
    this.outbound = new OutboundAddressPolicy(config.outbound);
  }

  async start(): Promise<void> {
    await rm(this.downloadsDir, { recursive: true, force: true });
    await mkdir(this.downloadsDir, { recursive: true });
    const recovered = await this.storage.jobs.recoverInterrupted();
    if (recovered > 0) this.log.info({ recovered }, 'requeued jobs interrupted by a restart');
    this.stopped = false;
    this.wake();
  }

  /** Looks for work now (called when a transcription is queued). */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => {
        this.log.error({ err }, 'could not take jobs from the queue');
        // The database may be back in a moment (a networked one reconnects by itself): keep polling.
        this.pollIn(IDLE_POLL_MS);
      })
      .finally(() => {
        this.pumping = null;
        if (this.repump) {
          this.repump = false;
          this.wake();
        }
      });
  }

  private async pump(): Promise<void> {
    const now = Date.now();
    while (this.transcribing.size < this.config.workers && !this.loneJobRunning()) {
      const job = await this.storage.jobs.claim('transcribe', now, { othersRunning: this.transcribing.size > 0 });
      if (!job) break;
      if (this.stopped) return this.putBack(job);
      const alone = this.transcribing.size === 0;
      for (const other of this.transcribing.values()) other.alone = false;
      this.transcribing.set(job.id, { alone, mustRunAlone: job.workerDeaths > 0 });
      this.launch(job, () => this.transcribing.delete(job.id), (signal) => this.runTranscription(job, signal));
    }
    while (this.activeWebhooks < WEBHOOK_CONCURRENCY) {
      const job = await this.storage.jobs.claim('webhook', now);
      if (!job) break;
      if (this.stopped) return this.putBack(job);
      this.launch(job, () => this.activeWebhooks--, () => this.runWebhook(job));
      this.activeWebhooks++;
    }
    this.schedule();
  }

  private loneJobRunning(): boolean {
    for (const t of this.transcribing.values()) if (t.mustRunAlone) return true;
    return false;
  }

  /** Returns a job claimed as the runner stopped, as if it had not been claimed. */
  private putBack(job: Job): Promise<void> {
    return this.storage.jobs.requeue(job.id, { runAtMs: 0, countAttempt: false });
  }

  private launch(job: Job, release: () => void, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.active.set(job.id, controller);
    run(controller.signal)
      .catch((err: unknown) => this.retryAfterHandlerError(job, err))
      .finally(() => {
        this.active.delete(job.id);
        release();
        if (this.active.size === 0) for (const resolve of this.idleWaiters) resolve();
        this.wake();
      });
  }

  /**
   * The handler could not store the job's outcome (or its failure): run the
   * job again later rather than leave it active, and its transcription
   * `processing`, until the next start. The attempt counts, so a job that
   * can never be stored still ends.
   */
  private async retryAfterHandlerError(job: Job, err: unknown): Promise<void> {
    const delayMs = Math.min(HANDLER_ERROR_RETRY_MAX_MS, HANDLER_ERROR_RETRY_MS * 2 ** Math.max(0, job.attempt - 1));
    this.log.error({ err, jobId: job.id, kind: job.kind, retryInMs: delayMs }, 'job handler failed; the job will run again');
    try {
      await this.storage.jobs.requeue(job.id, { runAtMs: Date.now() + delayMs, countAttempt: true });
    } catch (requeueErr) {
      this.log.error({ err: requeueErr, jobId: job.id }, 'could not requeue the job; it runs again at the next start');
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    this.storage.jobs.nextRunAt('webhook').then(
      (at) => this.pollIn(at === null ? IDLE_POLL_MS : Math.max(0, Math.min(IDLE_POLL_MS, at - Date.now()))),
      () => this.pollIn(IDLE_POLL_MS),
    );
  }

  private pollIn(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delayMs);
    this.timer.unref();
  }

  private async runTranscription(job: Job, signal: AbortSignal): Promise<void> {
    const record = await this.storage.transcriptions.get(job.projectId, job.transcriptionId);
    if (!record) {
      await this.storage.jobs.finish(job.id);
      return;
    }
    if (job.attempt > MAX_TRANSCRIBE_ATTEMPTS) {
      await this.fail(job, record, new TranscriptionFailure('internal_error', 'The transcription was interrupted too many times.'));
      return;
    }
    const download = join(this.downloadsDir, `${record.id}.audio`);
    try {
      const audioPath = await this.resolveAudio(record, download, signal);
      const probed = await this.probeDurationMs(audioPath);
      if (probed !== null) {
        if (probed > this.config.limits.maxAudioDurationMs) throw this.tooLong();
        await this.storage.transcriptions.setAudioDuration(record.id, probed);
      }
      const result = await this.transcriber.transcribe(
        {
          audioPath,
          maxDurationMs: this.config.limits.maxAudioDurationMs,
          enableSpeakerDiarization: record.enableSpeakerDiarization,
          context: toRecognitionContext(record.context),
          languageHints: record.languageHints,
        },
        signal,
      );
      const tokens = await this.translation.annotate(
        result.tokens,
        {
          languageIdentification: record.enableLanguageIdentification,
          translation: record.translation,
          translationTerms: toRecognitionContext(record.context)?.translationTerms ?? [],
        },
        signal,
      );
      // Translation tokens count too: a translated transcript's text reads original, translation, original, …
      const text = tokens.map((t) => t.text).join('');
      await this.storage.transcriptions.complete(
        job,
        { text, tokens },
        result.audioDurationMs,
        asyncUsageRecord(record, 'completed', result.audioDurationMs),
      );
      this.log.info({ transcriptionId: record.id, audioDurationMs: result.audioDurationMs }, 'transcription completed');
    } catch (err) {
      // Only stopping aborts: the job goes back to the queue, and the interruption is not its fault.
      if (signal.aborted) {
        await this.storage.jobs.requeue(job.id, { runAtMs: 0, countAttempt: false });
        return;
      }
      if (isWorkerDeath(err)) {
        await this.afterWorkerDeath(job, record, err);
        return;
      }
      const failure = toFailure(err);
      if (failure.errorType === 'internal_error') this.log.error({ err, transcriptionId: record.id }, 'transcription failed');
      // ffmpeg's own words stay out of error_message (the client reads a plain reason) but help an operator.
      const detail = (err as { detail?: unknown }).detail;
      if (failure.errorType === 'audio_decode_error' && typeof detail === 'string') {
        this.log.info({ transcriptionId: record.id, ffmpeg: detail }, 'audio could not be decoded');
      }
      await this.fail(job, record, failure);
    } finally {
      await rm(download, { force: true });
    }
  }

  private async afterWorkerDeath(job: Job, record: TranscriptionRecord, err: unknown): Promise<void> {
    const alone = this.transcribing.get(job.id)?.alone ?? false;
    const deathsAlone = job.workerDeathsAlone + (alone ? 1 : 0);
    if (deathsAlone >= MAX_WORKER_DEATHS_ALONE) {
      this.log.error({ err, transcriptionId: record.id, deathsAlone }, 'recognition worker keeps dying on this transcription');
      await this.fail(job, record, toFailure(err));
      return;
    }
    this.log.warn({ err, transcriptionId: record.id, alone }, 'recognition worker died; the transcription runs again, alone');
    await this.storage.jobs.requeue(job.id, { runAtMs: 0, countAttempt: false, workerDied: { alone } });
  }

  private tooLong(): TranscriptionFailure {
    const minutes = Math.round(this.config.limits.maxAudioDurationMs / 60_000);
    return new TranscriptionFailure('audio_too_long', `Audio is too long (maximum duration is ${minutes} minutes).`);
  }

  private async resolveAudio(record: TranscriptionRecord, download: string, signal: AbortSignal): Promise<string> {
    if (record.fileId !== null) {
      const path = await this.files.blobPath(record.projectId, record.fileId);
      if (!path) throw new TranscriptionFailure('file_not_found', 'The file was deleted before it could be transcribed.');
      return path;
    }
    await downloadAudioUrl(
      record.audioUrl!,
      download,
      { maxBytes: this.config.limits.maxAudioUrlDownloadBytes, timeoutMs: this.config.audioUrlTimeoutMs },
      this.outbound,
      signal,
    );
    return download;
  }

  private async fail(job: Job, record: TranscriptionRecord, failure: TranscriptionFailure): Promise<void> {
    // What was probed before the failure counts; a file that never decoded used nothing.
    const current = await this.storage.transcriptions.get(record.projectId, record.id);
    const usedMs = current?.audioDurationMs ?? record.audioDurationMs ?? 0;
    await this.storage.transcriptions.fail(job, failure.errorType, failure.message, asyncUsageRecord(record, 'error', usedMs));
    this.log.warn({ transcriptionId: record.id, errorType: failure.errorType, detail: failure.detail }, failure.message);
  }

  private async runWebhook(job: Job): Promise<void> {
    const record = await this.storage.transcriptions.get(job.projectId, job.transcriptionId);
    if (!record || !record.webhookUrl) {
      await this.storage.jobs.finish(job.id);
      return;
    }
    const { statusCode, failure } = await deliverWebhook(record, this.config.webhook.timeoutMs, this.outbound);
    await this.storage.transcriptions.setWebhookStatusCode(record.id, statusCode);
    if (isDelivered(statusCode) || job.attempt >= this.config.webhook.attempts) {
      if (!isDelivered(statusCode)) {
        this.log.warn({ transcriptionId: record.id, statusCode, failure, attempts: job.attempt }, 'webhook delivery gave up');
      }
      await this.storage.jobs.finish(job.id);
      return;
    }
    await this.storage.jobs.retryAt(job.id, Date.now() + backoffMs(this.config.webhook.backoffMs, job.attempt));
  }

  /** Jobs running now, transcriptions and webhook deliveries. */
  get runningJobs(): number {
    return this.active.size;
  }

  /** Resolves once no job is running (for orderly shutdown and tests). */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.idleWaiters.delete(done);
        resolve();
      };
      this.idleWaiters.add(done);
    });
  }

  /** Stops taking jobs and resolves once the running ones have ended (the start of a graceful shutdown). */
  async drain(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pumping;
    await this.idle();
  }

  /**
   * Stops taking jobs and interrupts running transcriptions: they go back to
   * the queue, the attempt not counted, and resume at the next start.
   * Webhook deliveries in flight end on their own (bounded by their timeout).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pumping;
    for (const controller of this.active.values()) controller.abort();
    await this.idle();
  }
}
