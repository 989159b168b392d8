import { FsBlobStore } from '../fs-blob-store.js';
import { DEFAULT_PROJECT_ID } from '../ports.js';
import { pageOf } from '../stored-page.js';
import type {
  BlobStore,
  DeleteVerdict,
  FileRecord,
  FileRepository,
  JobClaim,
  KeyRepository,
  ListQuery,
  Page,
  QuotaVerdict,
  Storage,
  TemporaryKeyRecord,
  Transcript,
  TranscriptionRecord,
  TranscriptionRepository,
  UsageRecord,
} from '../ports.js';
import { BossJobQueue, PgBossQueues, deleteJobsOf, endClaim, holdClaim, jobReaper, sendJob } from './boss-job-queue.js';
import { POSTGRES_MIGRATIONS, migratePostgres, type PostgresMigration } from './migrations.js';
import { DEFAULT_NODE_TIMINGS, NodeRegistry, type NodeTimings } from './node-registry.js';
import { PgDatabase, type Tx } from './pg-database.js';
import { DEFAULT_LEASE_TIMINGS, PgSessionLeases } from './pg-session-leases.js';
import { PostgresConcurrency, PostgresProjects, PostgresUsage, insertUsage, interruptUsageOf } from './postgres-projects.js';

interface BodyRow {
  seq: string;
  body: string;
}


/**
 * Rows for a page, newest first: those within the byte budget and the one
 * after them (which tells that more follow). A running sum drops the rest in
 * the database, so records past the budget never reach this process.
 */
async function pageRows(db: PgDatabase, table: 'files' | 'transcriptions', projectId: string, query: ListQuery): Promise<BodyRow[]> {
  const { rows } = await db.query<BodyRow>(
    `SELECT seq::text, body FROM (
       SELECT seq, body,
         COALESCE(SUM(octet_length(body)) OVER (ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 2 PRECEDING), 0) AS before_previous
       FROM ${table} WHERE project_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3
     ) r WHERE before_previous <= $4 ORDER BY seq DESC`,
    [projectId, query.after ?? Number.MAX_SAFE_INTEGER, query.limit + 1, query.maxBytes],
  );
  return rows;
}

/** Serialises the quota checks of one project across every node, for the rest of the transaction. */
async function lockProject(tx: Tx, what: 'files' | 'transcriptions', projectId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [what === 'files' ? 1 : 2, projectId]);
}

class PostgresFiles implements FileRepository {
  constructor(private readonly db: PgDatabase) {}

  insertWithinQuota(file: FileRecord, quota: { maxFiles: number; maxBytes: number }): Promise<QuotaVerdict> {
    return this.db.transaction(async (tx): Promise<QuotaVerdict> => {
      await lockProject(tx, 'files', file.projectId);
      const usage = await this.usageOn(tx, file.projectId);
      if (usage.files + 1 > quota.maxFiles) return 'max_files';
      if (usage.bytes + file.sizeBytes > quota.maxBytes) return 'max_storage';
      await tx.query('INSERT INTO files (id, project_id, size_bytes, body) VALUES ($1, $2, $3, $4)', [
        file.id,
        file.projectId,
        file.sizeBytes,
        JSON.stringify(file),
      ]);
      return 'ok';
    });
  }

  async get(projectId: string, id: string): Promise<FileRecord | null> {
    const { rows } = await this.db.prepared<BodyRow>('file', 'SELECT body FROM files WHERE id = $1 AND project_id = $2', [id, projectId]);
    return rows[0] ? (JSON.parse(rows[0].body) as FileRecord) : null;
  }

  async list(projectId: string, query: ListQuery): Promise<Page<FileRecord>> {
    return pageOf(await pageRows(this.db, 'files', projectId, query), query);
  }

  async count(projectId: string): Promise<number> {
    return (await this.usageOn(this.db, projectId)).files;
  }

  usage(projectId: string): Promise<{ files: number; bytes: number }> {
    return this.usageOn(this.db, projectId);
  }

  private async usageOn(db: Tx | PgDatabase, projectId: string): Promise<{ files: number; bytes: number }> {
    const { rows } = await db.query<{ files: number; bytes: string }>(
      'SELECT COUNT(*)::int AS files, COALESCE(SUM(size_bytes), 0)::text AS bytes FROM files WHERE project_id = $1',
      [projectId],
    );
    return { files: rows[0]!.files, bytes: Number(rows[0]!.bytes) };
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM files WHERE id = $1 AND project_id = $2', [id, projectId])).rowCount ?? 0) > 0;
  }

  async deleteAnyProject(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM files WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async allIds(): Promise<string[]> {
    return (await this.db.query<{ id: string }>('SELECT id FROM files')).rows.map((r) => r.id);
  }
}

class PostgresTranscriptions implements TranscriptionRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly queues: PgBossQueues,
  ) {}

  insertQueued(record: TranscriptionRecord, quota: { maxPending: number; maxTotal: number }): Promise<QuotaVerdict> {
    return this.db.transaction(async (tx): Promise<QuotaVerdict> => {
      await lockProject(tx, 'transcriptions', record.projectId);
      const { rows } = await tx.query<{ total: number; pending: number }>(
        "SELECT COUNT(*)::int AS total, COUNT(*) FILTER (WHERE status = 'queued')::int AS pending FROM transcriptions WHERE project_id = $1",
        [record.projectId],
      );
      if (rows[0]!.pending + 1 > quota.maxPending) return 'max_pending';
      if (rows[0]!.total + 1 > quota.maxTotal) return 'max_total';
      await tx.query('INSERT INTO transcriptions (id, project_id, status, body) VALUES ($1, $2, $3, $4)', [
        record.id,
        record.projectId,
        record.status,
        JSON.stringify(record),
      ]);
      await sendJob(tx, this.queues, 'transcribe', {
        transcriptionId: record.id,
        projectId: record.projectId,
        attemptsBefore: 0,
        workerDeaths: 0,
        workerDeathsAlone: 0,
      });
      return 'ok';
    });
  }

  async get(projectId: string, id: string): Promise<TranscriptionRecord | null> {
    const { rows } = await this.db.prepared<BodyRow>('transcription', 'SELECT body FROM transcriptions WHERE id = $1 AND project_id = $2', [id, projectId]);
    return rows[0] ? (JSON.parse(rows[0].body) as TranscriptionRecord) : null;
  }

  private async lockRecord(tx: Tx, id: string): Promise<TranscriptionRecord | null> {
    const { rows } = await tx.query<BodyRow>('SELECT body FROM transcriptions WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? (JSON.parse(rows[0].body) as TranscriptionRecord) : null;
  }

  private async put(tx: Tx, record: TranscriptionRecord): Promise<void> {
    await tx.query('UPDATE transcriptions SET status = $1, body = $2 WHERE id = $3', [record.status, JSON.stringify(record), record.id]);
  }

  private async change(id: string, change: Partial<TranscriptionRecord>): Promise<void> {
    await this.db.transaction(async (tx) => {
      const record = await this.lockRecord(tx, id);
      if (record) await this.put(tx, { ...record, ...change });
    });
  }

  async list(projectId: string, query: ListQuery): Promise<Page<TranscriptionRecord>> {
    return pageOf(await pageRows(this.db, 'transcriptions', projectId, query), query);
  }

  async count(projectId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM transcriptions WHERE project_id = $1', [projectId]);
    return rows[0]!.n;
  }

  delete(projectId: string, id: string): Promise<DeleteVerdict> {
    return this.db.transaction(async (tx): Promise<DeleteVerdict> => {
      const { rows } = await tx.query<{ status: string }>('SELECT status FROM transcriptions WHERE id = $1 AND project_id = $2 FOR UPDATE', [
        id,
        projectId,
      ]);
      if (!rows[0]) return 'not_found';
      if (rows[0].status === 'processing') return 'processing';
      await deleteJobsOf(tx, this.queues, [id]);
      await tx.query('DELETE FROM transcripts WHERE transcription_id = $1', [id]);
      await tx.query('DELETE FROM transcriptions WHERE id = $1', [id]);
      return 'deleted';
    });
  }

  setAudioDuration(id: string, audioDurationMs: number): Promise<void> {
    return this.change(id, { audioDurationMs });
  }

  setWebhookStatusCode(id: string, statusCode: number | null): Promise<void> {
    return this.change(id, { webhookStatusCode: statusCode });
  }

  /** Ends the job only for the claim that holds it: a presumed-dead worker finishing late changes nothing. */
  private finishJob(job: JobClaim, change: Partial<TranscriptionRecord>, transcript: Transcript | null, usage?: UsageRecord) {
    return this.db.transaction(async (tx): Promise<TranscriptionRecord | null> => {
      const claim = await holdClaim(tx, job.id);
      if (!claim || claim.kind !== 'transcribe' || claim.transcriptionId !== job.transcriptionId) return null;
      const record = await this.lockRecord(tx, job.transcriptionId);
      await endClaim(tx, this.queues, claim);
      if (!record) return null;
      const next = { ...record, ...change };
      await this.put(tx, next);
      // An async job's usage is not a live session: no node's death may turn it `interrupted`.
      if (usage) await insertUsage(tx, usage, null);
      if (transcript) {
        await tx.query(
          'INSERT INTO transcripts (transcription_id, body) VALUES ($1, $2) ON CONFLICT (transcription_id) DO UPDATE SET body = excluded.body',
          [record.id, JSON.stringify(transcript)],
        );
      }
      if (next.webhookUrl) {
        await sendJob(tx, this.queues, 'webhook', {
          transcriptionId: record.id,
          projectId: record.projectId,
          attemptsBefore: 0,
          workerDeaths: 0,
          workerDeathsAlone: 0,
        });
      }
      return next;
    });
  }

  complete(job: JobClaim, transcript: Transcript, audioDurationMs: number, usage?: UsageRecord): Promise<TranscriptionRecord | null> {
    return this.finishJob(job, { status: 'completed', audioDurationMs }, transcript, usage);
  }

  fail(job: JobClaim, errorType: string, errorMessage: string, usage?: UsageRecord): Promise<TranscriptionRecord | null> {
    return this.finishJob(job, { status: 'error', errorType, errorMessage }, null, usage);
  }

  async getTranscript(projectId: string, id: string): Promise<Transcript | null> {
    const { rows } = await this.db.prepared<{ body: string }>(
      'transcript',
      'SELECT t.body FROM transcripts t JOIN transcriptions r ON r.id = t.transcription_id WHERE t.transcription_id = $1 AND r.project_id = $2',
      [id, projectId],
    );
    return rows[0] ? (JSON.parse(rows[0].body) as Transcript) : null;
  }
}

class PostgresKeys implements KeyRepository {
  constructor(private readonly db: PgDatabase) {}

  async insertTemporary(key: TemporaryKeyRecord): Promise<void> {
    await this.db.query('INSERT INTO temporary_keys (key_hash, project_id, expires_at_ms, body) VALUES ($1, $2, $3, $4)', [
      key.keyHash,
      key.projectId ?? DEFAULT_PROJECT_ID,
      Date.parse(key.expiresAt),
      JSON.stringify(key),
    ]);
  }

  /** The row lock makes a single-use key's one use hold across nodes: a second caller waits, then finds it gone. */
  useTemporary(keyHash: string, nowMs: number): Promise<TemporaryKeyRecord | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ body: string }>(
        'SELECT body FROM temporary_keys WHERE key_hash = $1 AND expires_at_ms > $2 FOR UPDATE',
        [keyHash, nowMs],
      );
      if (!rows[0]) return null;
      const key = JSON.parse(rows[0].body) as TemporaryKeyRecord;
      if (key.singleUse) await tx.query('DELETE FROM temporary_keys WHERE key_hash = $1', [keyHash]);
      return key;
    });
  }

  async deleteExpired(nowMs: number): Promise<void> {
    await this.db.query('DELETE FROM temporary_keys WHERE expires_at_ms <= $1', [nowMs]);
  }
}

export interface PostgresStorageOptions {
  /** The filesystem blob store's folder. */
  blobDir: string;
  /** Heartbeat and lapse of this node; the defaults suit production, tests shorten them. */
  nodeTimings?: NodeTimings;
  /** Migrations to run, defaults to {@link POSTGRES_MIGRATIONS}. */
  migrations?: readonly PostgresMigration[];
  /** The blob store, when not the filesystem one in `blobDir`. */
  blobs?: BlobStore;
  /** Errors of background work (heartbeat, pg-boss maintenance) that no caller awaits. */
  onBackgroundError?: (err: unknown) => void;
}

export interface PostgresStorage extends Storage {
  /** This process's node id in the cluster. */
  nodeId: string;
  /** Stops the heartbeat and drops the connections without leaving the cluster, as a killed process would (tests). */
  crash(): Promise<void>;
}

/**
 * Connects to PostgreSQL, migrates, installs pg-boss and joins the cluster
 * as a node. Several nodes may open the same database at once.
 */
export async function openPostgresStorage(url: string, options: PostgresStorageOptions): Promise<PostgresStorage> {
  const db = new PgDatabase(url);
  const onError = options.onBackgroundError ?? (() => {});
  const queues = new PgBossQueues(db, onError);
  try {
    await migratePostgres(db, options.migrations ?? POSTGRES_MIGRATIONS, () => queues.install());
  } catch (err) {
    await queues.stop().catch(() => {});
    await db.close();
    throw err;
  }
  const nodes = new NodeRegistry(db, options.nodeTimings ?? DEFAULT_NODE_TIMINGS, { jobs: jobReaper(queues), usage: interruptUsageOf }, onError);
  await nodes.start();
  let blobs = options.blobs;
  if (!blobs) {
    const fsBlobs = new FsBlobStore(options.blobDir);
    await fsBlobs.init();
    blobs = fsBlobs;
  }
  const sessionLeases = new PgSessionLeases(db, DEFAULT_LEASE_TIMINGS, onError);
  let closed = false;
  return {
    nodeId: nodes.id,
    files: new PostgresFiles(db),
    transcriptions: new PostgresTranscriptions(db, queues),
    jobs: new BossJobQueue(db, queues, nodes),
    keys: new PostgresKeys(db),
    projects: new PostgresProjects(db, queues),
    usage: new PostgresUsage(db, nodes),
    concurrency: new PostgresConcurrency(db),
    blobs,
    sessionLeases,
    async close() {
      if (closed) return;
      closed = true;
      await sessionLeases.close();
      await nodes.stop();
      await queues.stop();
      await db.close();
    },
    async crash() {
      if (closed) return;
      closed = true;
      sessionLeases.halt();
      nodes.halt();
      await queues.stop();
      await db.close();
    },
  };
}
