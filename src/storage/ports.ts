/**
 * Storage ports: what the services need from metadata, blobs and the job
 * queue, and nothing more. The embedded adapter is SQLite (storage/sqlite);
 * a PostgreSQL adapter implements the same ports for multi-machine use.
 * Every method is async so that a networked backend fits behind it.
 */

export type TranscriptionStatus = 'queued' | 'processing' | 'completed' | 'error';

/** The project every record belongs to when nothing else is said: `HARK_API_KEYS` and the generated key's. */
export const DEFAULT_PROJECT_ID = 'default';

export interface FileRecord {
  id: string;
  /** Every record belongs to one project; queries are always scoped to one. */
  projectId: string;
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
  projectId: string;
  /** The long-lived key that created it (its id), for usage records; absent on records from before projects. */
  apiKeyId?: string | null;
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

/**
 * Files of one project at a time: a record of another project is reported
 * missing, exactly as an unknown id.
 */
export interface FileRepository {
  /** Inserts unless the project's count or byte quota would be exceeded; atomic. */
  insertWithinQuota(file: FileRecord, quota: { maxFiles: number; maxBytes: number }): Promise<QuotaVerdict>;
  get(projectId: string, id: string): Promise<FileRecord | null>;
  list(projectId: string, query: ListQuery): Promise<Page<FileRecord>>;
  count(projectId: string): Promise<number>;
  usage(projectId: string): Promise<{ files: number; bytes: number }>;
  delete(projectId: string, id: string): Promise<boolean>;
  /** Every project's file ids: start-up repair matches them against the blobs. */
  allIds(): Promise<string[]>;
  /** Removes a record whatever its project (start-up repair of a record without bytes). */
  deleteAnyProject(id: string): Promise<boolean>;
}

export type DeleteVerdict = 'deleted' | 'not_found' | 'processing';

/**
 * Transcriptions, scoped to a project for everything a client asks. The
 * writes that end a job go by id alone: the job runner holds the record
 * (claimed from the queue, which serves every project).
 */
export interface TranscriptionRepository {
  /** Inserts a queued transcription and its job in one transaction, within the project's quota. */
  insertQueued(record: TranscriptionRecord, quota: { maxPending: number; maxTotal: number }): Promise<QuotaVerdict>;
  get(projectId: string, id: string): Promise<TranscriptionRecord | null>;
  list(projectId: string, query: ListQuery): Promise<Page<TranscriptionRecord>>;
  count(projectId: string): Promise<number>;
  /** Deletes unless processing; removes its queued job and transcript too. */
  delete(projectId: string, id: string): Promise<DeleteVerdict>;
  setAudioDuration(id: string, audioDurationMs: number): Promise<void>;
  /**
   * Ends the job: stores the transcript, marks completed, writes the usage
   * record, enqueues the webhook. Atomic: a crash leaves all or none. Only
   * the claim that holds the job ends it: a second completion (a job run
   * twice after its node was presumed dead) changes nothing and returns null.
   */
  complete(job: JobClaim, transcript: Transcript, audioDurationMs: number, usage?: UsageRecord): Promise<TranscriptionRecord | null>;
  /** Ends the job in error, writes the usage record and enqueues the webhook. Atomic; only for the claim that holds the job. */
  fail(job: JobClaim, errorType: string, errorMessage: string, usage?: UsageRecord): Promise<TranscriptionRecord | null>;
  setWebhookStatusCode(id: string, statusCode: number | null): Promise<void>;
  getTranscript(projectId: string, id: string): Promise<Transcript | null>;
}

export type JobKind = 'transcribe' | 'webhook';

export interface Job {
  /**
   * Handle of this claim of the job. A later claim of the same job (after a
   * requeue, or after its node was presumed dead) has another, and the
   * calls made with an old handle change nothing.
   */
  id: string;
  kind: JobKind;
  transcriptionId: string;
  /** The transcription's project. */
  projectId: string;
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

/** What ending a transcribe job needs of its claim. */
export type JobClaim = Pick<Job, 'id' | 'transcriptionId'>;

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
   * Several processes may claim at once; each job goes to one. `nowMs` is
   * the caller's clock; a shared database judges what is due by its own.
   */
  claim(kind: JobKind, nowMs: number, options?: ClaimOptions): Promise<Job | null>;
  /** Ends the job for good (a job this claim no longer holds is left alone, here and below). */
  finish(jobId: string): Promise<void>;
  retryAt(jobId: string, runAtMs: number): Promise<void>;
  /**
   * Puts an active job back in the queue; a transcribe job's transcription
   * goes back to `queued` in the same step. A job that is gone is left alone.
   */
  requeue(jobId: string, options: RequeueOptions): Promise<void>;
  /**
   * Requeues jobs left active by processes that died (their transcriptions
   * back to `queued`); returns how many. Jobs that live processes are
   * running, this one's included, are left alone.
   */
  recoverInterrupted(): Promise<number>;
  /** Earliest run time of a queued job of the kind, to sleep until then. */
  nextRunAt(kind: JobKind): Promise<number | null>;
}

export interface TemporaryKeyRecord {
  keyHash: string;
  /** The project of the key that minted it; absent on keys from before projects (the default project). */
  projectId?: string;
  /** Id of the long-lived key that minted it. */
  issuerKeyId?: string;
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

/** Overrides of the global limits for one project; a missing field takes the global setting. */
export interface ProjectLimitOverrides {
  /** Real-time sessions open at once. */
  maxConcurrentSessions?: number;
  /** Real-time sessions started per sliding minute. */
  requestsPerMinute?: number;
  maxFiles?: number;
  maxStorageBytes?: number;
  maxPendingTranscriptions?: number;
  maxTranscriptions?: number;
}

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: string;
  limits: ProjectLimitOverrides;
}

/** A long-lived API key; only its hash is stored. */
export interface ApiKeyRecord {
  id: string;
  projectId: string;
  name: string | null;
  keyHash: string;
  /** The first characters of the secret, to tell keys apart in a list. */
  hint: string;
  createdAt: string;
  revokedAt: string | null;
}

export type ProjectVerdict = 'ok' | 'not_found' | 'name_taken';

export interface ProjectRepository {
  create(project: ProjectRecord): Promise<ProjectVerdict>;
  get(id: string): Promise<ProjectRecord | null>;
  findByName(name: string): Promise<ProjectRecord | null>;
  list(): Promise<ProjectRecord[]>;
  rename(id: string, name: string): Promise<ProjectVerdict>;
  setLimits(id: string, limits: ProjectLimitOverrides): Promise<ProjectVerdict>;
  /**
   * Deletes the project with everything in it (keys, files, transcriptions,
   * jobs, temporary keys, usage and samples) in one transaction. Returns its
   * file ids, whose bytes the caller removes; null when it did not exist.
   */
  delete(id: string): Promise<{ fileIds: string[] } | null>;
  /** Whether the project holds files or transcriptions. */
  hasData(id: string): Promise<boolean>;
  insertKey(key: ApiKeyRecord): Promise<void>;
  /** The key with this hash unless revoked. */
  findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** Keys of one project, or of all when null; revoked ones included, newest last. */
  listKeys(projectId: string | null): Promise<ApiKeyRecord[]>;
  revokeKey(id: string, revokedAt: string): Promise<boolean>;
}

export type UsageStatus = 'running' | 'completed' | 'error' | 'canceled' | 'interrupted';

/** What one async transcription or real-time session used. */
export interface UsageRecord {
  id: string;
  projectId: string;
  kind: 'async' | 'real_time';
  /** The async transcription it accounts for; null for a live session. */
  transcriptionId: string | null;
  /** The long-lived key used, or the one that minted the temporary key; null: unknown (records from before projects). */
  apiKeyId: string | null;
  temporaryKey: boolean;
  /** The temporary key's own `client_reference_id`. */
  temporaryKeyClientReferenceId: string | null;
  /** The request's `client_reference_id`. */
  clientReferenceId: string | null;
  model: string;
  audioDurationMs: number;
  features: { speakerDiarization: boolean; languageIdentification: boolean; translation: boolean };
  startTime: string;
  /** When it ended; while `running`, when it last recorded progress. */
  endTime: string;
  status: UsageStatus;
}

/** Keyset position in a usage listing: end time, then id. */
export interface UsagePosition {
  endMs: number;
  id: string;
}

export interface UsageQuery {
  /** Window on the end time: [fromMs, toMs). */
  fromMs: number;
  toMs: number;
  limit: number;
  order: 'asc' | 'desc';
  after: UsagePosition | null;
}

/** One UTC day's use of one model. */
export interface UsageDayTotal {
  /** YYYY-MM-DD */
  day: string;
  model: string;
  requests: number;
  audioDurationMs: number;
}

export interface UsageRepository {
  /** Writes a record when a live session starts, so a crash cannot lose it. */
  open(record: UsageRecord): Promise<void>;
  /** Records a running session's progress. */
  progress(id: string, audioDurationMs: number, atMs: number): Promise<void>;
  finish(id: string, audioDurationMs: number, atMs: number, status: UsageStatus): Promise<void>;
  /**
   * After a crash: records still `running` of processes that died become
   * `interrupted`, as of their last progress. Returns how many. The running
   * sessions of live processes, this one's included, are left alone.
   */
  closeInterrupted(): Promise<number>;
  list(projectId: string, query: UsageQuery): Promise<{ items: UsageRecord[]; next: UsagePosition | null }>;
  /** Per day and model, by end time in [fromMs, toMs). */
  dailyTotals(projectId: string, fromMs: number, toMs: number): Promise<UsageDayTotal[]>;
}

/** The concurrency samples of one project's minute. */
export interface MinuteSample {
  minuteStartMs: number;
  max: number;
  sum: number;
  count: number;
}

export interface ConcurrencyRepository {
  /** Adds a sample of how many real-time sessions the project had open, to its minute. */
  record(projectId: string, atMs: number, openSessions: number): Promise<void>;
  /** The project's minutes starting in [fromMs, toMs) that have samples, oldest first. */
  minutes(projectId: string, fromMs: number, toMs: number): Promise<MinuteSample[]>;
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
  projects: ProjectRepository;
  usage: UsageRepository;
  concurrency: ConcurrencyRepository;
  blobs: BlobStore;
  close(): Promise<void>;
}
