/** SQLite adapters of the project, key, usage and concurrency ports. */
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
import { q, type Db } from './statements.js';
import { SqliteNode } from './sqlite-node.js';

export class SqliteProjects implements ProjectRepository {
  constructor(private readonly db: Db) {}

  private nameTaken(name: string, exceptId: string | null): boolean {
    return q(this.db, 'SELECT 1 FROM projects WHERE name = ? AND id IS NOT ?').get(name, exceptId) !== undefined;
  }

  async create(project: ProjectRecord): Promise<ProjectVerdict> {
    return this.db.transaction((): ProjectVerdict => {
      if (this.nameTaken(project.name, null)) return 'name_taken';
      q(this.db, 'INSERT INTO projects (id, name, body) VALUES (?, ?, ?)').run(project.id, project.name, JSON.stringify(project));
      return 'ok';
    }).immediate();
  }

  async get(id: string): Promise<ProjectRecord | null> {
    const row = q(this.db, 'SELECT body FROM projects WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ProjectRecord) : null;
  }

  async findByName(name: string): Promise<ProjectRecord | null> {
    const row = q(this.db, 'SELECT body FROM projects WHERE name = ?').get(name) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as ProjectRecord) : null;
  }

  async list(): Promise<ProjectRecord[]> {
    const rows = q(this.db, 'SELECT body FROM projects ORDER BY name').all() as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ProjectRecord);
  }

  private update(id: string, change: (p: ProjectRecord) => ProjectRecord | 'name_taken'): Promise<ProjectVerdict> {
    return Promise.resolve(
      this.db.transaction((): ProjectVerdict => {
        const row = q(this.db, 'SELECT body FROM projects WHERE id = ?').get(id) as { body: string } | undefined;
        if (!row) return 'not_found';
        const next = change(JSON.parse(row.body) as ProjectRecord);
        if (next === 'name_taken') return next;
        q(this.db, 'UPDATE projects SET name = ?, body = ? WHERE id = ?').run(next.name, JSON.stringify(next), id);
        return 'ok';
      }).immediate(),
    );
  }

  rename(id: string, name: string): Promise<ProjectVerdict> {
    return this.update(id, (p) => (this.nameTaken(name, id) ? 'name_taken' : { ...p, name }));
  }

  setLimits(id: string, limits: ProjectLimitOverrides): Promise<ProjectVerdict> {
    return this.update(id, (p) => ({ ...p, limits: { ...p.limits, ...limits } }));
  }

  async delete(id: string): Promise<{ fileIds: string[] } | null> {
    return this.db.transaction((): { fileIds: string[] } | null => {
      if (!q(this.db, 'SELECT 1 FROM projects WHERE id = ?').get(id)) return null;
      const fileIds = (q(this.db, 'SELECT id FROM files WHERE project_id = ?').all(id) as { id: string }[]).map((r) => r.id);
      const owned = 'SELECT id FROM transcriptions WHERE project_id = ?';
      q(this.db, `DELETE FROM jobs WHERE transcription_id IN (${owned})`).run(id);
      q(this.db, `DELETE FROM transcripts WHERE transcription_id IN (${owned})`).run(id);
      for (const table of ['transcriptions', 'files', 'temporary_keys', 'api_keys', 'usage_logs', 'concurrency_minutes']) {
        q(this.db, `DELETE FROM ${table} WHERE project_id = ?`).run(id);
      }
      q(this.db, 'DELETE FROM projects WHERE id = ?').run(id);
      return { fileIds };
    }).immediate();
  }

  async hasData(id: string): Promise<boolean> {
    return (
      q(this.db, 'SELECT 1 FROM files WHERE project_id = ? LIMIT 1').get(id) !== undefined ||
      q(this.db, 'SELECT 1 FROM transcriptions WHERE project_id = ? LIMIT 1').get(id) !== undefined
    );
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    q(this.db, 'INSERT INTO api_keys (id, project_id, key_hash, revoked, body) VALUES (?, ?, ?, ?, ?)')
      .run(key.id, key.projectId, key.keyHash, key.revokedAt === null ? 0 : 1, JSON.stringify(key));
  }

  async findKeyByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    const row = q(this.db, 'SELECT body FROM api_keys WHERE key_hash = ? AND revoked = 0').get(keyHash) as
      | { body: string }
      | undefined;
    return row ? (JSON.parse(row.body) as ApiKeyRecord) : null;
  }

  async listKeys(projectId: string | null): Promise<ApiKeyRecord[]> {
    const rows = (
      projectId === null
        ? q(this.db, 'SELECT body FROM api_keys ORDER BY seq').all()
        : q(this.db, 'SELECT body FROM api_keys WHERE project_id = ? ORDER BY seq').all(projectId)
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as ApiKeyRecord);
  }

  async revokeKey(id: string, revokedAt: string): Promise<boolean> {
    return this.db.transaction((): boolean => {
      const row = q(this.db, 'SELECT body FROM api_keys WHERE id = ? AND revoked = 0').get(id) as { body: string } | undefined;
      if (!row) return false;
      const key = { ...(JSON.parse(row.body) as ApiKeyRecord), revokedAt };
      q(this.db, 'UPDATE api_keys SET revoked = 1, body = ? WHERE id = ?').run(JSON.stringify(key), id);
      return true;
    }).immediate();
  }
}

/** Inserts a usage record; also called inside the transaction that ends an async job. `nodeId`: the process running a live session. */
export function insertUsage(db: Db, record: UsageRecord, nodeId: string | null): void {
  q(db, 'INSERT OR REPLACE INTO usage_logs (id, project_id, end_ms, status, model, audio_ms, node_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(record.id, record.projectId, Date.parse(record.endTime), record.status, record.model, record.audioDurationMs, nodeId, JSON.stringify(record));
}

export class SqliteUsage implements UsageRepository {
  constructor(
    private readonly db: Db,
    private readonly node: SqliteNode,
  ) {}

  async open(record: UsageRecord): Promise<void> {
    insertUsage(this.db, record, this.node.id);
  }

  private change(id: string, audioDurationMs: number, atMs: number, status: UsageStatus | null): void {
    this.db.transaction(() => {
      const row = q(this.db, 'SELECT body, node_id FROM usage_logs WHERE id = ?').get(id) as { body: string; node_id: string | null } | undefined;
      if (!row) return;
      const record = JSON.parse(row.body) as UsageRecord;
      // A record once ended stays as it ended.
      if (record.status !== 'running') return;
      insertUsage(this.db, { ...record, audioDurationMs, endTime: new Date(atMs).toISOString(), status: status ?? 'running' }, row.node_id);
    }).immediate();
  }

  async progress(id: string, audioDurationMs: number, atMs: number): Promise<void> {
    this.change(id, audioDurationMs, atMs, null);
  }

  async finish(id: string, audioDurationMs: number, atMs: number, status: UsageStatus): Promise<void> {
    this.change(id, audioDurationMs, atMs, status);
  }

  async closeInterrupted(): Promise<number> {
    return this.db.transaction((): number => {
      const rows = (q(this.db, "SELECT body, node_id FROM usage_logs WHERE status = 'running'").all() as { body: string; node_id: string | null }[])
        .filter((row) => SqliteNode.isDead(row.node_id, this.node.id));
      for (const row of rows) insertUsage(this.db, { ...(JSON.parse(row.body) as UsageRecord), status: 'interrupted' }, row.node_id);
      return rows.length;
    }).immediate();
  }

  async list(projectId: string, query: UsageQuery): Promise<{ items: UsageRecord[]; next: UsagePosition | null }> {
    const asc = query.order === 'asc';
    const after = query.after;
    const keyset = after === null ? '' : asc ? 'AND (end_ms > ? OR (end_ms = ? AND id > ?))' : 'AND (end_ms < ? OR (end_ms = ? AND id < ?))';
    const order = asc ? 'ASC' : 'DESC';
    const sql = `SELECT body FROM usage_logs WHERE project_id = ? AND end_ms >= ? AND end_ms < ? ${keyset} ORDER BY end_ms ${order}, id ${order} LIMIT ?`;
    const params: (string | number)[] = [projectId, query.fromMs, query.toMs];
    if (after !== null) params.push(after.endMs, after.endMs, after.id);
    params.push(query.limit + 1);
    const rows = q(this.db, sql).all(...params) as { body: string }[];
    const items = rows.slice(0, query.limit).map((r) => JSON.parse(r.body) as UsageRecord);
    const last = items.at(-1);
    const next = rows.length > query.limit && last ? { endMs: Date.parse(last.endTime), id: last.id } : null;
    return { items, next };
  }

  async dailyTotals(projectId: string, fromMs: number, toMs: number): Promise<UsageDayTotal[]> {
    const rows = q(this.db,
      `SELECT strftime('%Y-%m-%d', end_ms / 1000, 'unixepoch') AS day, model, COUNT(*) AS requests, SUM(audio_ms) AS audio
       FROM usage_logs WHERE project_id = ? AND end_ms >= ? AND end_ms < ? GROUP BY day, model ORDER BY day, model`)
      .all(projectId, fromMs, toMs) as { day: string; model: string; requests: number; audio: number }[];
    return rows.map((r) => ({ day: r.day, model: r.model, requests: r.requests, audioDurationMs: r.audio }));
  }
}

const MINUTE_MS = 60_000;

export class SqliteConcurrency implements ConcurrencyRepository {
  constructor(private readonly db: Db) {}

  async record(projectId: string, atMs: number, openSessions: number): Promise<void> {
    const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    q(this.db,
      `INSERT INTO concurrency_minutes (project_id, minute_ms, sample_max, sample_sum, sample_count) VALUES (?, ?, ?, ?, 1)
       ON CONFLICT (project_id, minute_ms) DO UPDATE SET sample_max = MAX(sample_max, excluded.sample_max),
         sample_sum = sample_sum + excluded.sample_sum, sample_count = sample_count + 1`)
      .run(projectId, minute, openSessions, openSessions);
  }

  async minutes(projectId: string, fromMs: number, toMs: number): Promise<MinuteSample[]> {
    const rows = q(this.db,
      'SELECT minute_ms, sample_max, sample_sum, sample_count FROM concurrency_minutes WHERE project_id = ? AND minute_ms >= ? AND minute_ms < ? ORDER BY minute_ms')
      .all(projectId, fromMs, toMs) as { minute_ms: number; sample_max: number; sample_sum: number; sample_count: number }[];
    return rows.map((r) => ({ minuteStartMs: r.minute_ms, max: r.sample_max, sum: r.sample_sum, count: r.sample_count }));
  }
}
