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

/** A transcription whose job keeps dying with the process is given up on after this many starts. */
export const MAX_TRANSCRIBE_ATTEMPTS = 3;

const WEBHOOK_CONCURRENCY = 4;
const IDLE_POLL_MS = 1000;

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
  return new TranscriptionFailure('internal_error', 'The transcription failed because of an internal error.');
}

/**
 * Takes durable jobs from the queue: transcriptions (as many at once as the
 * recognition pool has workers) and webhook deliveries with retries. Jobs
 * left active by a crash are requeued at start.
 */
export class JobRunner {
  private readonly active = new Map<number, AbortController>();
  private activeTranscribe = 0;
  private activeWebhooks = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private pumping = false;
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
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.repump) {
        this.repump = false;
        this.wake();
      }
    });
  }

  private async pump(): Promise<void> {
    const now = Date.now();
    while (this.activeTranscribe < this.config.workers) {
      const job = await this.storage.jobs.claim('transcribe', now);
      if (!job) break;
      this.launch(job, () => this.activeTranscribe--, (signal) => this.runTranscription(job, signal));
      this.activeTranscribe++;
    }
    while (this.activeWebhooks < WEBHOOK_CONCURRENCY) {
      const job = await this.storage.jobs.claim('webhook', now);
      if (!job) break;
      this.launch(job, () => this.activeWebhooks--, () => this.runWebhook(job));
      this.activeWebhooks++;
    }
    this.schedule();
  }

  private launch(job: Job, release: () => void, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.active.set(job.id, controller);
    run(controller.signal)
      .catch((err: unknown) => this.log.error({ err, jobId: job.id }, 'job handler failed'))
      .finally(() => {
        this.active.delete(job.id);
        release();
        if (this.active.size === 0) for (const resolve of this.idleWaiters) resolve();
        this.wake();
      });
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.stopped) return;
    void this.storage.jobs.nextRunAt('webhook').then((at) => {
      if (this.stopped) return;
      const delay = at === null ? IDLE_POLL_MS : Math.max(0, Math.min(IDLE_POLL_MS, at - Date.now()));
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.wake(), delay);
      this.timer.unref();
    });
  }

  private async runTranscription(job: Job, signal: AbortSignal): Promise<void> {
    const record = await this.storage.transcriptions.get(job.transcriptionId);
    if (!record) {
      await this.storage.jobs.finish(job.id);
      return;
    }
    if (job.attempt > MAX_TRANSCRIBE_ATTEMPTS) {
      await this.fail(record, new TranscriptionFailure('internal_error', 'The transcription was interrupted too many times.'));
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
      if (signal.aborted) return;
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
      await this.storage.transcriptions.complete(record.id, { text, tokens }, result.audioDurationMs);
      this.log.info({ transcriptionId: record.id, audioDurationMs: result.audioDurationMs }, 'transcription completed');
    } catch (err) {
      // Stopping the server leaves the job active; it is requeued at the next start.
      if (signal.aborted) return;
      const failure = toFailure(err);
      if (failure.errorType === 'internal_error') this.log.error({ err, transcriptionId: record.id }, 'transcription failed');
      await this.fail(record, failure);
    } finally {
      await rm(download, { force: true });
    }
  }

  private tooLong(): TranscriptionFailure {
    const minutes = Math.round(this.config.limits.maxAudioDurationMs / 60_000);
    return new TranscriptionFailure('audio_too_long', `Audio is too long (maximum duration is ${minutes} minutes).`);
  }

  private async resolveAudio(record: TranscriptionRecord, download: string, signal: AbortSignal): Promise<string> {
    if (record.fileId !== null) {
      const path = await this.files.blobPath(record.fileId);
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

  private async fail(record: TranscriptionRecord, failure: TranscriptionFailure): Promise<void> {
    await this.storage.transcriptions.fail(record.id, failure.errorType, failure.message);
    this.log.warn({ transcriptionId: record.id, errorType: failure.errorType, detail: failure.detail }, failure.message);
  }

  private async runWebhook(job: Job): Promise<void> {
    const record = await this.storage.transcriptions.get(job.transcriptionId);
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

  /** Stops taking jobs and aborts running ones; their jobs resume at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const controller of this.active.values()) controller.abort();
    await this.idle();
  }
}
