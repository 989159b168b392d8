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
