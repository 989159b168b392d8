import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { ClaimOptions, Job, JobKind, JobQueue, RequeueOptions, TranscriptionRecord } from '../ports.js';
import type { PgDatabase, SqlExecutor, Tx } from './pg-database.js';
import type { NodeRegistry } from './node-registry.js';

/** What Hark keeps in a pg-boss job's data. A requeue replaces the job by a successor that carries it on. */
interface JobData {
  transcriptionId: string;
  projectId: string;
  /** Attempts counted before this pg-boss job; pg-boss's own retry count adds the ones since. */
  attemptsBefore: number;
  workerDeaths: number;
  workerDeathsAlone: number;
}

const QUEUE: Record<JobKind, string> = { transcribe: 'hark-transcribe', webhook: 'hark-webhook' };

/**
 * pg-boss's own retry applies when a job's node died or its expiry passed:
 * the job becomes due again after a short backoff. Hark counts attempts and
 * gives up by itself (the job runner), so the retry limit here is only a bound.
 * Expiry is a backstop for a node that hangs without dying: the heartbeat
 * catches deaths much sooner.
 */
const QUEUE_OPTIONS: Record<JobKind, PgBoss.Queue> = {
  transcribe: { name: QUEUE.transcribe, retryLimit: 50, retryDelay: 1, retryBackoff: true, expireInSeconds: 12 * 60 * 60 },
  webhook: { name: QUEUE.webhook, retryLimit: 50, retryDelay: 1, retryBackoff: true, expireInSeconds: 15 * 60 },
};

/** The pg-boss calls Hark uses, typed as pg-boss 10 really behaves (`complete`/`fail` report what they changed). */
interface Boss {
  send(name: string, data: object, options: PgBoss.SendOptions): Promise<string | null>;
  fetch(name: string, options: PgBoss.FetchOptions & { includeMetadata: true; db: SqlExecutor }): Promise<PgBoss.JobWithMetadata<JobData>[]>;
  getJobById(name: string, id: string, options: { db: SqlExecutor }): Promise<PgBoss.JobWithMetadata<JobData> | null>;
  complete(name: string, id: string, data: object | null, options: { db: SqlExecutor }): Promise<{ affected: number }>;
  fail(name: string, id: string | string[], data: object | null, options: { db: SqlExecutor }): Promise<{ affected: number }>;
  deleteJob(name: string, id: string | string[], options: { db: SqlExecutor }): Promise<unknown>;
}

/** pg-boss on Hark's pool, and the queues Hark uses. */
export class PgBossQueues {
  readonly pgBoss: PgBoss;

  constructor(db: PgDatabase, onError: (err: unknown) => void) {
    this.pgBoss = new PgBoss({
      db: db as unknown as PgBoss.Db,
      schema: 'pgboss',
      // Maintenance (expiry, archiving) runs on whichever node's turn it is; pg-boss takes turns itself.
      supervise: true,
      schedule: false,
      migrate: true,
      maintenanceIntervalSeconds: 30,
    });
    this.pgBoss.on('error', onError);
  }

  get boss(): Boss {
    return this.pgBoss as unknown as Boss;
  }

  /** Installs pg-boss's schema and Hark's queues; run under the migration lock. */
  async install(): Promise<void> {
    await this.pgBoss.start();
    for (const kind of ['transcribe', 'webhook'] as const) {
      if (!(await this.pgBoss.getQueue(QUEUE[kind]))) await this.pgBoss.createQueue(QUEUE[kind], QUEUE_OPTIONS[kind]);
    }
  }

  queue(kind: JobKind): string {
    return QUEUE[kind];
  }

  stop(): Promise<void> {
    // Our pool is closed by the storage; pg-boss must not wait for jobs it does not run (Hark fetches, never `work`s).
    return this.pgBoss.stop({ close: false, graceful: false, wait: true });
  }
}

/** Sends a job in the caller's transaction, so that it exists exactly when the caller's change commits. */
export async function sendJob(
  tx: Tx,
  queues: PgBossQueues,
  kind: JobKind,
  data: JobData,
  options: { runAtMs?: number; first?: boolean } = {},
): Promise<void> {
  const runAtMs = options.runAtMs ?? 0;
  const id = await queues.boss.send(queues.queue(kind), data, {
    db: tx,
    // Due now unless later; an interrupted job goes ahead of the ones that never ran, as in SQLite (run_at 0).
    ...(runAtMs > Date.now() ? { startAfter: new Date(runAtMs) } : {}),
    priority: options.first ? 1 : 0,
  });
  if (!id) throw new Error('pg-boss did not create the job');
  await tx.query('INSERT INTO hark_jobs (boss_id, kind, transcription_id, run_at_ms) VALUES ($1, $2, $3, $4)', [
    id,
    kind,
    data.transcriptionId,
    runAtMs,
  ]);
}

/** Removes every job of these transcriptions, held or not; a holder's later finish then finds nothing. */
export async function deleteJobsOf(tx: Tx, queues: PgBossQueues, transcriptionIds: string[]): Promise<void> {
  if (transcriptionIds.length === 0) return;
  const { rows } = await tx.query<{ boss_id: string; kind: JobKind }>(
    'DELETE FROM hark_jobs WHERE transcription_id = ANY($1) RETURNING boss_id, kind',
    [transcriptionIds],
  );
  for (const row of rows) await queues.boss.deleteJob(queues.queue(row.kind), row.boss_id, { db: tx });
}

/** Sets a transcription's status inside a transaction, keeping its stored record in step. */
export async function setTranscriptionStatus(tx: Tx, id: string, status: TranscriptionRecord['status'], from?: TranscriptionRecord['status']) {
  const { rows } = await tx.query<{ body: string }>('SELECT body FROM transcriptions WHERE id = $1 FOR UPDATE', [id]);
  if (!rows[0]) return;
  const record = JSON.parse(rows[0].body) as TranscriptionRecord;
  if (from !== undefined && record.status !== from) return;
  await tx.query('UPDATE transcriptions SET status = $1, body = $2 WHERE id = $3', [status, JSON.stringify({ ...record, status }), id]);
}

interface Claim {
  bossId: string;
  kind: JobKind;
  transcriptionId: string;
}

/** A job handle is the pg-boss id and the claim's token: a claim that lost the job (its node presumed dead) no longer matches. */
function parseHandle(handle: string): { bossId: string; token: string } | null {
  const [bossId, token] = handle.split('/');
  return bossId && token ? { bossId, token } : null;
}

/** Locks the job if this claim still holds it; null when the job ended or went to another claim. */
export async function holdClaim(tx: Tx, handle: string): Promise<Claim | null> {
  const parsed = parseHandle(handle);
  if (!parsed) return null;
  const { rows } = await tx.query<{ kind: JobKind; transcription_id: string }>(
    'SELECT kind, transcription_id FROM hark_jobs WHERE boss_id = $1 AND claim_token = $2 FOR UPDATE',
    [parsed.bossId, parsed.token],
  );
  return rows[0] ? { bossId: parsed.bossId, kind: rows[0].kind, transcriptionId: rows[0].transcription_id } : null;
}

/** Ends a held job for good: completed in pg-boss (or removed, if its expiry already put it back) and forgotten by Hark. */
export async function endClaim(tx: Tx, queues: PgBossQueues, claim: Claim): Promise<void> {
  const queue = queues.queue(claim.kind);
  const { affected } = await queues.boss.complete(queue, claim.bossId, null, { db: tx });
  if (affected === 0) await queues.boss.deleteJob(queue, claim.bossId, { db: tx });
  await tx.query('DELETE FROM hark_jobs WHERE boss_id = $1', [claim.bossId]);
}

/**
 * The job queue on pg-boss. pg-boss stores the jobs, hands each to one
 * claimer (`SKIP LOCKED`), retries with backoff and expires; Hark adds its
 * counters (attempts, worker deaths) in the job data, and in `hark_jobs`
 * which node holds which job under which claim token.
 */
export class BossJobQueue implements JobQueue {
  constructor(
    private readonly db: PgDatabase,
    private readonly queues: PgBossQueues,
    private readonly nodes: NodeRegistry,
  ) {}

  /** Due jobs by the database's clock, which every node shares; `nowMs` is not consulted. */
  async claim(kind: JobKind, _nowMs: number, options: ClaimOptions = {}): Promise<Job | null> {
    return this.db.transaction(async (tx) => {
      const [job] = await this.queues.boss.fetch(this.queues.queue(kind), { batchSize: 1, includeMetadata: true, db: tx });
      if (!job) return null;
      const data = job.data;
      if (kind === 'transcribe' && options.othersRunning && data.workerDeaths > 0) {
        // It must run alone: undo the fetch, so that it stays first in line.
        tx.rollbackAtEnd();
        return null;
      }
      const token = randomUUID();
      await tx.query('UPDATE hark_jobs SET node_id = $2, claim_token = $3 WHERE boss_id = $1', [job.id, this.nodes.id, token]);
      if (kind === 'transcribe') await setTranscriptionStatus(tx, data.transcriptionId, 'processing');
      return {
        id: `${job.id}/${token}`,
        kind,
        transcriptionId: data.transcriptionId,
        projectId: data.projectId,
        attempt: data.attemptsBefore + job.retryCount + 1,
        workerDeaths: data.workerDeaths,
        workerDeathsAlone: data.workerDeathsAlone,
      };
    });
  }

  async finish(jobId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const claim = await holdClaim(tx, jobId);
      if (claim) await endClaim(tx, this.queues, claim);
    });
  }

  retryAt(jobId: string, runAtMs: number): Promise<void> {
    return this.replace(jobId, { runAtMs, countAttempt: true }, false);
  }

  requeue(jobId: string, options: RequeueOptions): Promise<void> {
    return this.replace(jobId, options, true);
  }

  /** Ends the held job and sends its successor, due at `runAtMs`, with the counters carried on. */
  private async replace(jobId: string, options: RequeueOptions, requeued: boolean): Promise<void> {
    await this.db.transaction(async (tx) => {
      const claim = await holdClaim(tx, jobId);
      if (!claim) return;
      const job = await this.queues.boss.getJobById(this.queues.queue(claim.kind), claim.bossId, { db: tx });
      if (!job) return;
      const attempt = job.data.attemptsBefore + job.retryCount + 1;
      const data: JobData = {
        ...job.data,
        attemptsBefore: options.countAttempt ? attempt : attempt - 1,
        workerDeaths: job.data.workerDeaths + (options.workerDied ? 1 : 0),
        workerDeathsAlone: job.data.workerDeathsAlone + (options.workerDied?.alone ? 1 : 0),
      };
      await endClaim(tx, this.queues, claim);
      await sendJob(tx, this.queues, claim.kind, data, { runAtMs: options.runAtMs, first: requeued });
      if (claim.kind === 'transcribe') await setTranscriptionStatus(tx, claim.transcriptionId, 'queued');
    });
  }

  /** Takes back the jobs of nodes whose heartbeat lapsed; the jobs of live nodes, this one's included, are left alone. */
  async recoverInterrupted(): Promise<number> {
    return (await this.nodes.reapLapsed()).jobs;
  }

  async nextRunAt(kind: JobKind): Promise<number | null> {
    const { rows } = await this.db.query<{ at: string | null }>(
      'SELECT MIN(run_at_ms)::text AS at FROM hark_jobs WHERE kind = $1 AND node_id IS NULL',
      [kind],
    );
    return rows[0]?.at == null ? null : Number(rows[0].at);
  }
}

/**
 * The jobs held by dead nodes fail in pg-boss, whose retry makes them due
 * again after its backoff; their transcriptions go back to `queued`.
 */
export function jobReaper(queues: PgBossQueues) {
  return async (tx: Tx, deadNodeIds: string[]): Promise<number> => {
    const { rows } = await tx.query<{ boss_id: string; kind: JobKind; transcription_id: string }>(
      `UPDATE hark_jobs SET node_id = NULL, claim_token = NULL, run_at_ms = (extract(epoch FROM now()) * 1000)::bigint
       WHERE node_id = ANY($1) RETURNING boss_id, kind, transcription_id`,
      [deadNodeIds],
    );
    for (const row of rows) {
      await queues.boss.fail(queues.queue(row.kind), row.boss_id, { reason: 'its node stopped responding' }, { db: tx });
      if (row.kind === 'transcribe') await setTranscriptionStatus(tx, row.transcription_id, 'queued', 'processing');
    }
    return rows.length;
  };
}
