/**
 * Storage ports: what the services need from metadata, blobs and the job
 * queue, and nothing more. The embedded adapter is SQLite (storage/sqlite);
 * a PostgreSQL adapter implements the same ports for multi-machine use.
 * Every method is async so that a networked backend fits behind it.
 */

export type TranscriptionStatus = 'queued' | 'processing' | 'completed' | 'error';

export interface FileRecord {
  id: string;
  filename: string;
  sizeBytes: number;
  createdAt: string;
  clientReferenceId: string | null;
}

export interface TranslationSettings {
  type: 'one_way' | 'two_way';
  targetLanguage: string | null;
  languageA: string | null;
  languageB: string | null;
}

export interface TranscriptionRecord {
  id: string;
  status: TranscriptionStatus;
  createdAt: string;
  model: string;
  audioUrl: string | null;
  fileId: string | null;
  filename: string;
  languageHints: string[] | null;
  languageHintsStrict: boolean | null;
  enableSpeakerDiarization: boolean;
  enableLanguageIdentification: boolean;
  translation: TranslationSettings | null;
  context: unknown;
  audioDurationMs: number | null;
  errorType: string | null;
  errorMessage: string | null;
  webhookUrl: string | null;
  webhookAuthHeaderName: string | null;
  webhookAuthHeaderValue: string | null;
  webhookStatusCode: number | null;
  clientReferenceId: string | null;
}

export interface StoredToken {
  text: string;
  startMs?: number;
  endMs?: number;
  confidence: number;
  speaker?: string;
  language?: string;
  translationStatus?: 'none' | 'original' | 'translation';
  sourceLanguage?: string;
}

export interface Transcript {
  text: string;
  tokens: StoredToken[];
}

export interface Page<T> {
  items: T[];
  /** Sort key of the last item when more items follow, else null. */
  nextAfter: number | null;
}

export interface ListQuery {
  limit: number;
  /** Keyset position: return items strictly older than this sort key. */
  after: number | null;
  /**
   * Stop before the page's stored records pass this many bytes (UTF-8 JSON);
   * the first item is always returned. Bounds what one list call builds in memory.
   */
  maxBytes: number;
}

export type QuotaVerdict = 'ok' | 'max_files' | 'max_storage' | 'max_pending' | 'max_total';

export interface FileRepository {
  /** Inserts unless the count or byte quota would be exceeded; atomic. */
  insertWithinQuota(file: FileRecord, quota: { maxFiles: number; maxBytes: number }): Promise<QuotaVerdict>;
  get(id: string): Promise<FileRecord | null>;
  list(query: ListQuery): Promise<Page<FileRecord>>;
  count(): Promise<number>;
  usage(): Promise<{ files: number; bytes: number }>;
  delete(id: string): Promise<boolean>;
  allIds(): Promise<string[]>;
}

export type DeleteVerdict = 'deleted' | 'not_found' | 'processing';

export interface TranscriptionRepository {
  /** Inserts a queued transcription and its job in one transaction, within quota. */
  insertQueued(record: TranscriptionRecord, quota: { maxPending: number; maxTotal: number }): Promise<QuotaVerdict>;
  get(id: string): Promise<TranscriptionRecord | null>;
  list(query: ListQuery): Promise<Page<TranscriptionRecord>>;
  count(): Promise<number>;
  /** Deletes unless processing; removes its queued job and transcript too. */
  delete(id: string): Promise<DeleteVerdict>;
  setAudioDuration(id: string, audioDurationMs: number): Promise<void>;
  /** Ends the job: stores the transcript, marks completed, enqueues the webhook. Atomic. */
  complete(id: string, transcript: Transcript, audioDurationMs: number): Promise<TranscriptionRecord | null>;
  /** Ends the job in error and enqueues the webhook. Atomic. */
  fail(id: string, errorType: string, errorMessage: string): Promise<TranscriptionRecord | null>;
  setWebhookStatusCode(id: string, statusCode: number | null): Promise<void>;
  getTranscript(id: string): Promise<Transcript | null>;
}

export type JobKind = 'transcribe' | 'webhook';

export interface Job {
  id: number;
  kind: JobKind;
  transcriptionId: string;
  /** Attempts started so far, this one included; requeues with `countAttempt: false` are not counted. */
  attempt: number;
  /**
   * Times a recognition worker process died while running this job. After
   * one, the job runs alone (no other transcription beside it), so that a
   * death can be blamed on it.
   */
  workerDeaths: number;
  /** Of those, the deaths while it ran alone: the ones that count against it. */
  workerDeathsAlone: number;
}

export interface RequeueOptions {
  /** When the job is due again. */
  runAtMs: number;
  /** False for an interruption that is not the job's fault (shutdown, an unrelated worker death). */
  countAttempt: boolean;
  /** Set when the job's recognition worker died under it; `alone`: no other transcription ran beside it. */
  workerDied?: { alone: boolean };
}

export interface ClaimOptions {
  /**
   * Other transcriptions are running. A transcribe job that must run alone
   * (`workerDeaths > 0`) is then not claimed when it is the next one due,
   * and neither is anything behind it: it goes first once the others end.
   */
  othersRunning?: boolean;
}

/** Durable queue. Jobs of kind `transcribe` are created by insertQueued, `webhook` by complete/fail. */
export interface JobQueue {
  /**
   * Claims the oldest due job of the kind and marks it active. Claiming a
   * transcribe job moves its transcription to `processing` in the same step.
   */
  claim(kind: JobKind, nowMs: number, options?: ClaimOptions): Promise<Job | null>;
  finish(jobId: number): Promise<void>;
  retryAt(jobId: number, runAtMs: number): Promise<void>;
  /**
   * Puts an active job back in the queue; a transcribe job's transcription
   * goes back to `queued` in the same step. A job that is gone is left alone.
   */
  requeue(jobId: number, options: RequeueOptions): Promise<void>;
  /** Requeues jobs left active by a process that died; returns how many. */
  recoverInterrupted(): Promise<number>;
  /** Earliest run time of a queued job of the kind, to sleep until then. */
  nextRunAt(kind: JobKind): Promise<number | null>;
}

export interface TemporaryKeyRecord {
  keyHash: string;
  usageType: string;
  expiresAt: string;
  clientReferenceId: string | null;
  singleUse: boolean;
  maxSessionDurationSeconds: number | null;
  /** Hash of the long-lived key that minted it; absent on keys minted before Hark recorded it. */
  issuerKeyHash?: string;
}

export interface KeyRepository {
  insertTemporary(key: TemporaryKeyRecord): Promise<void>;
  /** Returns the key if it exists and has not expired; consumes it when single-use. */
  useTemporary(keyHash: string, nowMs: number): Promise<TemporaryKeyRecord | null>;
  deleteExpired(nowMs: number): Promise<void>;
}

/** File bytes. Writes go to a temporary path and become visible only on commit. */
export interface BlobStore {
  createWriter(): Promise<BlobWriter>;
  path(id: string): string;
  exists(id: string): Promise<boolean>;
  delete(id: string): Promise<void>;
  listIds(): Promise<string[]>;
  /** Removes temporary files of uploads that never committed. */
  clearIncomplete(): Promise<void>;
}

export interface BlobWriter {
  readonly stream: NodeJS.WritableStream;
  /** Flushes to disk and moves the bytes under `id`. */
  commit(id: string): Promise<void>;
  abort(): Promise<void>;
}

export interface Storage {
  files: FileRepository;
  transcriptions: TranscriptionRepository;
  jobs: JobQueue;
  keys: KeyRepository;
  blobs: BlobStore;
  close(): Promise<void>;
}
