import type { PgDatabase } from './pg-database.js';

export interface PostgresMigration {
  /** What it changes, recorded beside its version. */
  name: string;
  sql: string;
}

/**
 * Versioned schema changes, in order; a migration's version is its position
 * (1-based). Append, never edit: nodes already migrated skip what they ran.
 * Records are stored as JSON text, as in SQLite, so that a page's byte budget
 * counts the same bytes; the columns beside them are what queries filter on.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    name: 'records, keys, usage and the queue bookkeeping',
    sql: `
    CREATE TABLE projects (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      body TEXT NOT NULL
    );
    INSERT INTO projects (id, name, body) VALUES ('default', 'default',
      json_build_object('id', 'default', 'name', 'default',
        'createdAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'limits', json_build_object())::text);
    CREATE TABLE files (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      project_id TEXT NOT NULL,
      size_bytes BIGINT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX files_project ON files (project_id, seq);
    CREATE TABLE transcriptions (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      project_id TEXT NOT NULL,
      status TEXT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX transcriptions_project ON transcriptions (project_id, seq);
    CREATE TABLE transcripts (
      transcription_id TEXT PRIMARY KEY,
      body TEXT NOT NULL
    );
    CREATE TABLE temporary_keys (
      key_hash TEXT PRIMARY KEY,
      project_id TEXT NOT NULL,
      expires_at_ms BIGINT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE TABLE api_keys (
      seq BIGSERIAL PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      project_id TEXT NOT NULL,
      key_hash TEXT NOT NULL UNIQUE,
      revoked BOOLEAN NOT NULL DEFAULT false,
      body TEXT NOT NULL
    );
    CREATE TABLE usage_logs (
      id TEXT PRIMARY KEY,
      project_id TEXT NOT NULL,
      end_ms BIGINT NOT NULL,
      status TEXT NOT NULL,
      model TEXT NOT NULL,
      audio_ms BIGINT NOT NULL,
      -- The node that runs a live session: only its death makes the record interrupted.
      node_id TEXT,
      body TEXT NOT NULL
    );
    CREATE INDEX usage_logs_window ON usage_logs (project_id, end_ms, id);
    CREATE INDEX usage_logs_running ON usage_logs (node_id) WHERE status = 'running';
    CREATE TABLE concurrency_minutes (
      project_id TEXT NOT NULL,
      minute_ms BIGINT NOT NULL,
      sample_max INTEGER NOT NULL,
      sample_sum BIGINT NOT NULL,
      sample_count INTEGER NOT NULL,
      PRIMARY KEY (project_id, minute_ms)
    );
    -- Every running process, with its last sign of life.
    CREATE TABLE hark_nodes (
      id TEXT PRIMARY KEY,
      heartbeat_at TIMESTAMPTZ NOT NULL
    );
    -- Hark's side of each pg-boss job: whose transcription, and which node holds it under which claim.
    CREATE TABLE hark_jobs (
      boss_id UUID PRIMARY KEY,
      kind TEXT NOT NULL,
      transcription_id TEXT NOT NULL,
      run_at_ms BIGINT NOT NULL,
      node_id TEXT,
      claim_token UUID
    );
    CREATE INDEX hark_jobs_transcription ON hark_jobs (transcription_id);
    CREATE INDEX hark_jobs_node ON hark_jobs (node_id) WHERE node_id IS NOT NULL;
    `,
  },
];

/** Serialises migrations (and pg-boss's own set-up) across nodes starting at once. */
const MIGRATION_LOCK = 0x4861726b; // "Hark"

/**
 * Brings the database to the newest schema, then runs `afterwards` (pg-boss's
 * set-up) while still holding the lock. Safe on every start and when several
 * nodes start at once: they wait for each other on an advisory lock.
 */
export async function migratePostgres(
  db: PgDatabase,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
  afterwards: () => Promise<void> = async () => {},
): Promise<void> {
  const lock = await db.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await db.query(`CREATE TABLE IF NOT EXISTS hark_schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const { rows } = await db.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM hark_schema_migrations');
      for (let version = rows[0]!.v + 1; version <= migrations.length; version++) {
        const migration = migrations[version - 1]!;
        await db.transaction(async (tx) => {
          await tx.query(migration.sql);
          await tx.query('INSERT INTO hark_schema_migrations (version, name) VALUES ($1, $2)', [version, migration.name]);
        });
      }
      await afterwards();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    lock.release();
  }
}
