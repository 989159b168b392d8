/** PostgreSQL adapters of the project, usage and concurrency ports. */
import type {
  ApiKeyRecord,
  ConcurrencyRepository,
  MinuteSample,
  ProjectLimitOverrides,
  ProjectRecord,
  ProjectRepository,
  ProjectVerdict,
  UsageDayTotal,
  UsagePosition,
  UsageQuery,
  UsageRecord,
  UsageRepository,
  UsageStatus,
} from '../ports.js';
import type { PgDatabase, Queryable } from './pg-database.js';
import type { NodeRegistry } from './node-registry.js';
import { deleteJobsOf } from './boss-job-queue.js';
import type { PgBossQueues } from './boss-job-queue.js';

interface Body {
  body: string;
}

export class PostgresProjects implements ProjectRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly queues: PgBossQueues,
  ) {}

  async create(project: ProjectRecord): Promise<ProjectVerdict> {
    const r = await this.db.query('INSERT INTO projects (id, name, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      project.id,
      project.name,
      JSON.stringify(project),
    ]);
    return r.rowCount === 1 ? 'ok' : 'name_taken';
  }

  async get(id: string): Promise<ProjectRecord | null> {
    const { rows } = await this.db.prepared<Body>('project', 'SELECT body FROM projects WHERE id = $1', [id]);
    return rows[0] ? (JSON.parse(rows[0].body) as ProjectRecord) : null;
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const { rows } = await this.db.query<Body>('SELECT body FROM projects WHERE name = $1', [name]);
    return rows[0] ? (JSON.parse(rows[0].body) as ProjectRecord) : null;
  }

  async list(): Promise<ProjectRecord[]> {
    const { rows } = await this.db.query<Body>('SELECT body FROM projects ORDER BY name COLLATE "C"');
    return rows.map((r) => JSON.parse(r.body) as ProjectRecord);
  }

  private update(id: string, change: (p: ProjectRecord) => ProjectRecord): Promise<ProjectVerdict> {
    return this.db.transaction(async (tx): Promise<ProjectVerdict> => {
      const { rows } = await tx.query<Body>('SELECT body FROM projects WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) return 'not_found';
      const next = change(JSON.parse(rows[0].body) as ProjectRecord);
      const taken = await tx.query('SELECT 1 FROM projects WHERE name = $1 AND id <> $2', [next.name, id]);
      if (taken.rowCount) return 'name_taken';
      try {
        await tx.query('SAVEPOINT rename');
        await tx.query('UPDATE projects SET name = $1, body = $2 WHERE id = $3', [next.name, JSON.stringify(next), id]);
      } catch (err) {
        // Another node took the name between our check and the write.
        if ((err as { code?: string }).code !== '23505') throw err;
        await tx.query('ROLLBACK TO SAVEPOINT rename');
        return 'name_taken';
      }
      return 'ok';
    });
  }

  rename(id: string, name: string): Promise<ProjectVerdict> {
    return this.update(id, (p) => ({ ...p, name }));
  }

  setLimits(id: string, limits: ProjectLimitOverrides): Promise<ProjectVerdict> {
    return this.update(id, (p) => ({ ...p, limits: { ...p.limits, ...limits } }));
  }

  async delete(id: string): Promise<{ fileIds: string[] } | null> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query('SELECT 1 FROM projects WHERE id = $1 FOR UPDATE', [id]);
      if (!found.rowCount) return null;
      const { rows } = await tx.query<{ id: string }>('SELECT id FROM files WHERE project_id = $1', [id]);
      const owned = await tx.query<{ id: string }>('SELECT id FROM transcriptions WHERE project_id = $1', [id]);
      await deleteJobsOf(tx, this.queues, owned.rows.map((r) => r.id));
      await tx.query('DELETE FROM transcripts WHERE transcription_id IN (SELECT id FROM transcriptions WHERE project_id = $1)', [id]);
      for (const table of ['transcriptions', 'files', 'temporary_keys', 'api_keys', 'usage_logs', 'concurrency_minutes']) {
        await tx.query(`DELETE FROM ${table} WHERE project_id = $1`, [id]);
      }
      await tx.query('DELETE FROM projects WHERE id = $1', [id]);
      return { fileIds: rows.map((r) => r.id) };
    });
  }

  async hasData(id: string): Promise<boolean> {
    const { rows } = await this.db.query<{ any: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM files WHERE project_id = $1) OR EXISTS (SELECT 1 FROM transcriptions WHERE project_id = $1) AS any',
      [id],
    );
    return rows[0]!.any;
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    await this.db.query('INSERT INTO api_keys (id, project_id, key_hash, revoked, body) VALUES ($1, $2, $3, $4, $5)', [
      key.id,
      key.projectId,
      key.keyHash,
      key.revokedAt !== null,
      JSON.stringify(key),
    ]);
  }

  async findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.db.prepared<Body>('api-key', 'SELECT body FROM api_keys WHERE key_hash = $1 AND NOT revoked', [keyHash]);
    return rows[0] ? (JSON.parse(rows[0].body) as ApiKeyRecord) : null;
  }

  async listKeys(projectId: string | null): Promise<ApiKeyRecord[]> {
    const { rows } =
      projectId === null
        ? await this.db.query<Body>('SELECT body FROM api_keys ORDER BY seq')
        : await this.db.query<Body>('SELECT body FROM api_keys WHERE project_id = $1 ORDER BY seq', [projectId]);
    return rows.map((r) => JSON.parse(r.body) as ApiKeyRecord);
  }

  async revokeKey(id: string, revokedAt: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body>('SELECT body FROM api_keys WHERE id = $1 AND NOT revoked FOR UPDATE', [id]);
      if (!rows[0]) return false;
      const key = { ...(JSON.parse(rows[0].body) as ApiKeyRecord), revokedAt };
      await tx.query('UPDATE api_keys SET revoked = true, body = $1 WHERE id = $2', [JSON.stringify(key), id]);
      return true;
    });
  }
}

/** Inserts (or replaces) a usage record; also run inside the transaction that ends an async job. */
export async function insertUsage(db: Queryable, record: UsageRecord, nodeId: string | null): Promise<void> {
  await db.query(
    `INSERT INTO usage_logs (id, project_id, end_ms, status, model, audio_ms, node_id, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, end_ms = excluded.end_ms, status = excluded.status,
       model = excluded.model, audio_ms = excluded.audio_ms, node_id = excluded.node_id, body = excluded.body`,
    [record.id, record.projectId, Date.parse(record.endTime), record.status, record.model, record.audioDurationMs, nodeId, JSON.stringify(record)],
  );
}

/** Records still `running` of the given nodes become `interrupted`, as of their last progress. */
export async function interruptUsageOf(db: Queryable, nodeIds: string[]): Promise<number> {
  if (nodeIds.length === 0) return 0;
  const { rows } = await db.query<Body & { node_id: string }>(
    "SELECT body, node_id FROM usage_logs WHERE status = 'running' AND node_id = ANY($1) FOR UPDATE",
    [nodeIds],
  );
  for (const row of rows) await insertUsage(db, { ...(JSON.parse(row.body) as UsageRecord), status: 'interrupted' }, row.node_id);
  return rows.length;
}

export class PostgresUsage implements UsageRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly nodes: NodeRegistry,
  ) {}

  async open(record: UsageRecord): Promise<void> {
    await insertUsage(this.db, record, this.nodes.id);
  }

  private async change(id: string, audioDurationMs: number, atMs: number, status: UsageStatus | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<Body & { node_id: string | null }>('SELECT body, node_id FROM usage_logs WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) return;
      const record = JSON.parse(rows[0].body) as UsageRecord;
      // A record once ended stays as it ended.
      if (record.status !== 'running') return;
      const next = { ...record, audioDurationMs, endTime: new Date(atMs).toISOString(), status: status ?? 'running' };
      await insertUsage(tx, next, rows[0].node_id);
    });
  }

  progress(id: string, audioDurationMs: number, atMs: number): Promise<void> {
    return this.change(id, audioDurationMs, atMs, null);
  }

  finish(id: string, audioDurationMs: number, atMs: number, status: UsageStatus): Promise<void> {
    return this.change(id, audioDurationMs, atMs, status);
  }

  async closeInterrupted(): Promise<number> {
    return (await this.nodes.reapLapsed()).usage;
  }

  async list(projectId: string, query: UsageQuery): Promise<{ items: UsageRecord[]; next: UsagePosition | null }> {
    const asc = query.order === 'asc';
    const after = query.after;
    const keyset = after === null ? '' : asc ? 'AND (end_ms > $4 OR (end_ms = $4 AND id COLLATE "C" > $5))' : 'AND (end_ms < $4 OR (end_ms = $4 AND id COLLATE "C" < $5))';
    const order = asc ? 'ASC' : 'DESC';
    const params: unknown[] = [projectId, query.fromMs, query.toMs];
    if (after !== null) params.push(after.endMs, after.id);
    params.push(query.limit + 1);
    const { rows } = await this.db.query<Body>(
      `SELECT body FROM usage_logs WHERE project_id = $1 AND end_ms >= $2 AND end_ms < $3 ${keyset}
       ORDER BY end_ms ${order}, id COLLATE "C" ${order} LIMIT $${params.length}`,
      params,
    );
    const items = rows.slice(0, query.limit).map((r) => JSON.parse(r.body) as UsageRecord);
    const last = items.at(-1);
    const next = rows.length > query.limit && last ? { endMs: Date.parse(last.endTime), id: last.id } : null;
    return { items, next };
  }

  async dailyTotals(projectId: string, fromMs: number, toMs: number): Promise<UsageDayTotal[]> {
    const { rows } = await this.db.query<{ day: string; model: string; requests: number; audio: string }>(
      `SELECT to_char(to_timestamp(end_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, model,
         COUNT(*)::int AS requests, SUM(audio_ms)::text AS audio
       FROM usage_logs WHERE project_id = $1 AND end_ms >= $2 AND end_ms < $3
       GROUP BY day, model ORDER BY day, model COLLATE "C"`,
      [projectId, fromMs, toMs],
    );
    return rows.map((r) => ({ day: r.day, model: r.model, requests: r.requests, audioDurationMs: Number(r.audio) }));
  }
}

const MINUTE_MS = 60_000;

export class PostgresConcurrency implements ConcurrencyRepository {
  constructor(private readonly db: PgDatabase) {}

  async record(projectId: string, atMs: number, openSessions: number): Promise<void> {
    const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    await this.db.query(
      `INSERT INTO concurrency_minutes (project_id, minute_ms, sample_max, sample_sum, sample_count) VALUES ($1, $2, $3::int, $3::bigint, 1)
       ON CONFLICT (project_id, minute_ms) DO UPDATE SET sample_max = GREATEST(concurrency_minutes.sample_max, excluded.sample_max),
         sample_sum = concurrency_minutes.sample_sum + excluded.sample_sum, sample_count = concurrency_minutes.sample_count + 1`,
      [projectId, minute, openSessions],
    );
  }

  async minutes(projectId: string, fromMs: number, toMs: number): Promise<MinuteSample[]> {
    const { rows } = await this.db.query<{ minute_ms: string; sample_max: number; sample_sum: string; sample_count: number }>(
      'SELECT minute_ms, sample_max, sample_sum, sample_count FROM concurrency_minutes WHERE project_id = $1 AND minute_ms >= $2 AND minute_ms < $3 ORDER BY minute_ms',
      [projectId, fromMs, toMs],
    );
    return rows.map((r) => ({ minuteStartMs: Number(r.minute_ms), max: r.sample_max, sum: Number(r.sample_sum), count: r.sample_count }));
  }
}
