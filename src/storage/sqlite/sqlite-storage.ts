import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate } from './migrations.js';
import { q, type Db } from './statements.js';
import { FsBlobStore } from '../fs-blob-store.js';
import { SqliteConcurrency, SqliteProjects, SqliteUsage, insertUsage } from './sqlite-projects.js';
import { SqliteNode } from './sqlite-node.js';
import {
  DEFAULT_PROJECT_ID,
  type UsageRecord,
} from '../ports.js';
import { pageOf } from '../stored-page.js';
import type {
  DeleteVerdict,
  FileRecord,
  FileRepository,
  ClaimOptions,
  JobClaim,
  Job,
  JobKind,
  JobQueue,
  KeyRepository,
  ListQuery,
  Page,
  QuotaVerdict,
  RequeueOptions,
  Storage,
  TemporaryKeyRecord,
  Transcript,
  TranscriptionRecord,
  TranscriptionRepository,
} from '../ports.js';

interface BodyRow {
  seq: number;
  body: string;
}


class SqliteFiles implements FileRepository {
  constructor(private readonly db: Db) {}

  async insertWithinQuota(file: FileRecord, quota: { maxFiles: number; maxBytes: number }): Promise<QuotaVerdict> {
    return this.db.transaction((): QuotaVerdict => {
      const usage = this.usageSync(file.projectId);
      if (usage.files + 1 > quota.maxFiles) return 'max_files';
      if (usage.bytes + file.sizeBytes > quota.maxBytes) return 'max_storage';
      q(this.db,
        'INSERT INTO files (id, project_id, size_bytes, body) VALUES (?, ?, ?, ?)')
        .run(file.id, file.projectId, file.sizeBytes, JSON.stringify(file));
      return 'ok';
    }).immediate();
  }

  async get(projectId: string, id: string): Promise<FileRecord | null> {
    const row = q(this.db, 'SELECT body FROM files WHERE id = ? AND project_id = ?').get(id, projectId) as BodyRow | undefined;
    return row ? (JSON.parse(row.body) as FileRecord) : null;
  }

  async list(projectId: string, query: ListQuery): Promise<Page<FileRecord>> {
    const rows = q(this.db, 'SELECT seq, body FROM files WHERE project_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
      .iterate(projectId, query.after ?? Number.MAX_SAFE_INTEGER, query.limit + 1) as IterableIterator<BodyRow>;
    return pageOf(rows, query);
  }

  async count(projectId: string): Promise<number> {
    return this.usageSync(projectId).files;
  }

  async usage(projectId: string): Promise<{ files: number; bytes: number }> {
    return this.usageSync(projectId);
  }

  private usageSync(projectId: string): { files: number; bytes: number } {
    const row = q(this.db,
      'SELECT COUNT(*) AS files, COALESCE(SUM(size_bytes), 0) AS bytes FROM files WHERE project_id = ?')
      .get(projectId) as { files: number; bytes: number };
    return row;
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    return q(this.db, 'DELETE FROM files WHERE id = ? AND project_id = ?').run(id, projectId).changes > 0;
  }

  async deleteAnyProject(id: string): Promise<boolean> {
    return q(this.db, 'DELETE FROM files WHERE id = ?').run(id).changes > 0;
  }

  async allIds(): Promise<string[]> {
    return (q(this.db, 'SELECT id FROM files').all() as { id: string }[]).map((r) => r.id);
  }
}

class SqliteTranscriptions implements TranscriptionRepository {
  constructor(private readonly db: Db) {}

  async insertQueued(
    record: TranscriptionRecord,
    quota: { maxPending: number; maxTotal: number },
  ): Promise<QuotaVerdict> {
    return this.db.transaction((): QuotaVerdict => {
      const counts = q(this.db,
        
          "SELECT COUNT(*) AS total, COALESCE(SUM(status = 'queued'), 0) AS pending FROM transcriptions WHERE project_id = ?",
        )
        .get(record.projectId) as { total: number; pending: number };
      if (counts.pending + 1 > quota.maxPending) return 'max_pending';
      if (counts.total + 1 > quota.maxTotal) return 'max_total';
      q(this.db,
        'INSERT INTO transcriptions (id, project_id, status, body) VALUES (?, ?, ?, ?)')
        .run(record.id, record.projectId, record.status, JSON.stringify(record));
      q(this.db,
        "INSERT INTO jobs (kind, transcription_id, state, run_at) VALUES ('transcribe', ?, 'queued', 0)")
        .run(record.id);
      return 'ok';
    }).immediate();
  }

  async get(projectId: string, id: string): Promise<TranscriptionRecord | null> {
    const record = this.getSync(id);
    return record && record.projectId === projectId ? record : null;
  }

  private getSync(id: string): TranscriptionRecord | null {
    const row = q(this.db, 'SELECT body FROM transcriptions WHERE id = ?').get(id) as BodyRow | undefined;
    return row ? (JSON.parse(row.body) as TranscriptionRecord) : null;
  }

  private put(record: TranscriptionRecord): void {
    q(this.db, 'UPDATE transcriptions SET status = ?, body = ? WHERE id = ?')
      .run(record.status, JSON.stringify(record), record.id);
  }

  async list(projectId: string, query: ListQuery): Promise<Page<TranscriptionRecord>> {
    const rows = q(this.db,
      'SELECT seq, body FROM transcriptions WHERE project_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
      .iterate(projectId, query.after ?? Number.MAX_SAFE_INTEGER, query.limit + 1) as IterableIterator<BodyRow>;
    return pageOf(rows, query);
  }

  async count(projectId: string): Promise<number> {
    return (q(this.db, 'SELECT COUNT(*) AS n FROM transcriptions WHERE project_id = ?').get(projectId) as { n: number }).n;
  }

  async delete(projectId: string, id: string): Promise<DeleteVerdict> {
    return this.db.transaction((): DeleteVerdict => {
      const row = q(this.db, 'SELECT status FROM transcriptions WHERE id = ? AND project_id = ?').get(id, projectId) as
        | { status: string }
        | undefined;
      if (!row) return 'not_found';
      if (row.status === 'processing') return 'processing';
      q(this.db, 'DELETE FROM transcriptions WHERE id = ?').run(id);
      q(this.db, 'DELETE FROM transcripts WHERE transcription_id = ?').run(id);
      q(this.db, 'DELETE FROM jobs WHERE transcription_id = ?').run(id);
      return 'deleted';
    }).immediate();
  }

  async setAudioDuration(id: string, audioDurationMs: number): Promise<void> {
    this.db.transaction(() => {
      const record = this.getSync(id);
      if (record) this.put({ ...record, audioDurationMs });
    }).immediate();
  }

  /** Ends the job only for the claim that holds it: a second completion changes nothing. */
  private finishJob(job: JobClaim, change: Partial<TranscriptionRecord>, transcript: Transcript | null, usage?: UsageRecord) {
    return this.db.transaction((): TranscriptionRecord | null => {
      const claim = parseHandle(job.id);
      const held = claim && q(this.db, "SELECT 1 FROM jobs WHERE id = ? AND claims = ? AND state = 'active' AND kind = 'transcribe' AND transcription_id = ?")
        .get(claim.id, claim.claims, job.transcriptionId);
      if (!held) return null;
      const id = job.transcriptionId;
      const record = this.getSync(id);
      if (!record) return null;
      const next = { ...record, ...change };
      this.put(next);
      if (usage) insertUsage(this.db, usage, null);
      if (transcript) {
        q(this.db,
          'INSERT OR REPLACE INTO transcripts (transcription_id, body) VALUES (?, ?)')
          .run(id, JSON.stringify(transcript));
      }
      q(this.db, "DELETE FROM jobs WHERE transcription_id = ? AND kind = 'transcribe'").run(id);
      if (next.webhookUrl) {
        q(this.db,
          "INSERT INTO jobs (kind, transcription_id, state, run_at) VALUES ('webhook', ?, 'queued', 0)")
          .run(id);
      }
      return next;
    }).immediate();
  }

  async complete(
    job: JobClaim,
    transcript: Transcript,
    audioDurationMs: number,
    usage?: UsageRecord,
  ): Promise<TranscriptionRecord | null> {
    return this.finishJob(job, { status: 'completed', audioDurationMs }, transcript, usage);
  }

  async fail(job: JobClaim, errorType: string, errorMessage: string, usage?: UsageRecord): Promise<TranscriptionRecord | null> {
    return this.finishJob(job, { status: 'error', errorType, errorMessage }, null, usage);
  }

  async setWebhookStatusCode(id: string, statusCode: number | null): Promise<void> {
    this.db.transaction(() => {
      const record = this.getSync(id);
      if (record) this.put({ ...record, webhookStatusCode: statusCode });
    }).immediate();
  }

  async getTranscript(projectId: string, id: string): Promise<Transcript | null> {
    const row = q(this.db,
      'SELECT t.body FROM transcripts t JOIN transcriptions r ON r.id = t.transcription_id WHERE t.transcription_id = ? AND r.project_id = ?')
      .get(id, projectId) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as Transcript) : null;
  }
}

interface JobRow {
  id: number;
  kind: JobKind;
  transcription_id: string;
  project_id: string | null;
  attempt: number;
  worker_deaths: number;
  worker_deaths_alone: number;
  claims: number;
}

/** A job handle is the row id and which claim of it: `<id>.<claims>`. */
function parseHandle(handle: string): { id: number; claims: number } | null {
  const match = /^(\d+)\.(\d+)$/.exec(handle);
  return match ? { id: Number(match[1]), claims: Number(match[2]) } : null;
}

class SqliteJobQueue implements JobQueue {
  constructor(
    private readonly db: Db,
    private readonly node: SqliteNode,
  ) {}

  /** The row id of the job if this claim still holds it. */
  private held(handle: string): number | null {
    const claim = parseHandle(handle);
    if (!claim) return null;
    const row = q(this.db, "SELECT id FROM jobs WHERE id = ? AND claims = ? AND state = 'active'").get(claim.id, claim.claims);
    return row ? claim.id : null;
  }

  async claim(kind: JobKind, nowMs: number, options: ClaimOptions = {}): Promise<Job | null> {
    return this.db.transaction((): Job | null => {
      const row = q(this.db,
        
          "SELECT j.id, j.kind, j.transcription_id, t.project_id, j.attempt, j.worker_deaths, j.worker_deaths_alone, j.claims FROM jobs j LEFT JOIN transcriptions t ON t.id = j.transcription_id WHERE j.kind = ? AND j.state = 'queued' AND j.run_at <= ? ORDER BY j.run_at, j.id LIMIT 1",
        )
        .get(kind, nowMs) as JobRow | undefined;
      if (!row) return null;
      if (options.othersRunning && row.worker_deaths > 0) return null;
      q(this.db, "UPDATE jobs SET state = 'active', attempt = attempt + 1, claims = claims + 1, node_id = ? WHERE id = ?").run(this.node.id, row.id);
      if (kind === 'transcribe') this.setStatus(row.transcription_id, 'processing');
      return {
        id: `${row.id}.${row.claims + 1}`,
        kind: row.kind,
        transcriptionId: row.transcription_id,
        projectId: row.project_id ?? DEFAULT_PROJECT_ID,
        attempt: row.attempt + 1,
        workerDeaths: row.worker_deaths,
        workerDeathsAlone: row.worker_deaths_alone,
      };
    }).immediate();
  }

  private setStatus(transcriptionId: string, status: 'queued' | 'processing'): void {
    const t = q(this.db, 'SELECT body FROM transcriptions WHERE id = ?').get(transcriptionId) as
      | { body: string }
      | undefined;
    if (!t) return;
    const record = { ...(JSON.parse(t.body) as TranscriptionRecord), status };
    q(this.db, 'UPDATE transcriptions SET status = ?, body = ? WHERE id = ?').run(status, JSON.stringify(record), record.id);
  }

  async requeue(handle: string, options: RequeueOptions): Promise<void> {
    this.db.transaction(() => {
      const jobId = this.held(handle);
      if (jobId === null) return;
      const row = q(this.db, 'SELECT kind, transcription_id FROM jobs WHERE id = ?').get(jobId) as Pick<JobRow, 'kind' | 'transcription_id'>;
      const died = options.workerDied ? 1 : 0;
      const diedAlone = options.workerDied?.alone ? 1 : 0;
      q(this.db,
        "UPDATE jobs SET state = 'queued', node_id = NULL, run_at = ?, attempt = attempt - ?, worker_deaths = worker_deaths + ?, worker_deaths_alone = worker_deaths_alone + ? WHERE id = ?")
        .run(options.runAtMs, options.countAttempt ? 0 : 1, died, diedAlone, jobId);
      if (row.kind === 'transcribe') this.setStatus(row.transcription_id, 'queued');
    }).immediate();
  }

  async finish(handle: string): Promise<void> {
    const claim = parseHandle(handle);
    if (claim) q(this.db, "DELETE FROM jobs WHERE id = ? AND claims = ? AND state = 'active'").run(claim.id, claim.claims);
  }

  async retryAt(handle: string, runAtMs: number): Promise<void> {
    const claim = parseHandle(handle);
    if (!claim) return;
    q(this.db, "UPDATE jobs SET state = 'queued', node_id = NULL, run_at = ? WHERE id = ? AND claims = ? AND state = 'active'")
      .run(runAtMs, claim.id, claim.claims);
  }

  async recoverInterrupted(): Promise<number> {
    return this.db.transaction((): number => {
      const active = q(this.db, "SELECT id, kind, transcription_id, node_id FROM jobs WHERE state = 'active'").all() as
        (Pick<JobRow, 'id' | 'kind' | 'transcription_id'> & { node_id: string | null })[];
      const orphans = active.filter((job) => SqliteNode.isDead(job.node_id, this.node.id));
      for (const job of orphans) {
        q(this.db, "UPDATE jobs SET state = 'queued', node_id = NULL WHERE id = ?").run(job.id);
        // A transcription is `processing` only while a live worker holds its job.
        if (job.kind === 'transcribe') this.setStatus(job.transcription_id, 'queued');
      }
      return orphans.length;
    }).immediate();
  }

  async nextRunAt(kind: JobKind): Promise<number | null> {
    const row = q(this.db, "SELECT MIN(run_at) AS at FROM jobs WHERE kind = ? AND state = 'queued'")
      .get(kind) as { at: number | null };
    return row.at;
  }
}

class SqliteKeys implements KeyRepository {
  constructor(private readonly db: Db) {}

  async insertTemporary(key: TemporaryKeyRecord): Promise<void> {
    q(this.db, 'INSERT INTO temporary_keys (key_hash, project_id, expires_at_ms, body) VALUES (?, ?, ?, ?)')
      .run(key.keyHash, key.projectId ?? DEFAULT_PROJECT_ID, Date.parse(key.expiresAt), JSON.stringify(key));
  }

  async useTemporary(keyHash: string, nowMs: number): Promise<TemporaryKeyRecord | null> {
    return this.db.transaction((): TemporaryKeyRecord | null => {
      const row = q(this.db,
        'SELECT body FROM temporary_keys WHERE key_hash = ? AND expires_at_ms > ?')
        .get(keyHash, nowMs) as { body: string } | undefined;
      if (!row) return null;
      const key = JSON.parse(row.body) as TemporaryKeyRecord;
      if (key.singleUse) q(this.db, 'DELETE FROM temporary_keys WHERE key_hash = ?').run(keyHash);
      return key;
    }).immediate();
  }

  async deleteExpired(nowMs: number): Promise<void> {
    q(this.db, 'DELETE FROM temporary_keys WHERE expires_at_ms <= ?').run(nowMs);
  }
}

/**
 * Opens (creating if needed) the embedded database and blob folder in `dataDir`.
 * WAL mode with synchronous=FULL: a committed change survives a crash or power loss.
 */
export async function openSqliteStorage(dataDir: string, blobDir = join(dataDir, 'blobs')): Promise<Storage> {
  const db = new Database(join(dataDir, 'hark.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const blobs = new FsBlobStore(blobDir);
  await blobs.init();
  const node = new SqliteNode();
  return {
    files: new SqliteFiles(db),
    transcriptions: new SqliteTranscriptions(db),
    jobs: new SqliteJobQueue(db, node),
    keys: new SqliteKeys(db),
    projects: new SqliteProjects(db),
    usage: new SqliteUsage(db, node),
    concurrency: new SqliteConcurrency(db),
    blobs,
    close: async () => {
      node.release();
      db.close();
    },
  };
}
