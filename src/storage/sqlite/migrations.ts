import type Database from 'better-sqlite3';

/**
 * Versioned schema changes, applied in order inside one transaction each.
 * `PRAGMA user_version` records how many have run.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    size_bytes INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE TABLE transcriptions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX transcriptions_status ON transcriptions(status);
  CREATE TABLE transcripts (
    transcription_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
  );
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    transcription_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0,
    run_at INTEGER NOT NULL
  );
  CREATE INDEX jobs_due ON jobs(kind, state, run_at, id);
  CREATE TABLE temporary_keys (
    key_hash TEXT PRIMARY KEY,
    expires_at_ms INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  `,
  // Worker deaths are counted apart from attempts: only deaths while the job ran alone count against it.
  `
  ALTER TABLE jobs ADD COLUMN worker_deaths INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN worker_deaths_alone INTEGER NOT NULL DEFAULT 0;
  `,
  // Projects: every record belongs to one; what existed before goes to the default project.
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
  );
  INSERT INTO projects (id, name, body) VALUES ('default', 'default',
    json_object('id', 'default', 'name', 'default', 'createdAt', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'limits', json_object()));
  CREATE TABLE api_keys (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    revoked INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
  );
  ALTER TABLE files ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE transcriptions ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE temporary_keys ADD COLUMN project_id TEXT NOT NULL DEFAULT 'default';
  UPDATE files SET body = json_set(body, '$.projectId', 'default');
  UPDATE transcriptions SET body = json_set(body, '$.projectId', 'default');
  UPDATE temporary_keys SET body = json_set(body, '$.projectId', 'default');
  CREATE INDEX files_project ON files(project_id, seq);
  CREATE INDEX transcriptions_project ON transcriptions(project_id, seq);
  CREATE TABLE usage_logs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    end_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    model TEXT NOT NULL,
    audio_ms INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX usage_logs_window ON usage_logs(project_id, end_ms, id);
  CREATE INDEX usage_logs_running ON usage_logs(status) WHERE status = 'running';
  CREATE TABLE concurrency_minutes (
    project_id TEXT NOT NULL,
    minute_ms INTEGER NOT NULL,
    sample_max INTEGER NOT NULL,
    sample_sum INTEGER NOT NULL,
    sample_count INTEGER NOT NULL,
    PRIMARY KEY (project_id, minute_ms)
  );
  `,
  // Owners: the process that holds a job or runs a live session, so that a restart takes back only a dead one's work.
  // A job's claim count tells its claims apart: a stale claim's calls change nothing.
  `
  ALTER TABLE jobs ADD COLUMN node_id TEXT;
  ALTER TABLE jobs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE usage_logs ADD COLUMN node_id TEXT;
  `,
];

/** Brings the database to the newest schema; safe to call on every start. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
