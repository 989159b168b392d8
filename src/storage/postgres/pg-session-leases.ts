import { randomUUID } from 'node:crypto';
import type { LeaseVerdict, ProjectSessionLimits, SessionLease, SessionLeases } from '../session-leases.js';

/** The part of the database connection the leases use (the adapter's PgDatabase fits). */
export interface LeaseDatabase {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  transaction<T>(work: (tx: { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> }) => Promise<T>): Promise<T>;
}

export interface LeaseTimings {
  /** How often a node extends the leases of its open sessions. */
  renewMs: number;
  /** A lease not renewed for this long is free again: its node died, or lost the database. */
  ttlMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { renewMs: 5_000, ttlMs: 30_000 };

/** Appended to the PostgreSQL migrations: the cluster's live-session slots and recent starts. */
export const SESSION_LEASES_MIGRATION = {
  name: 'real-time session leases and starts, for limits over every node',
  sql: `
    CREATE TABLE realtime_session_leases (
      id TEXT PRIMARY KEY,
      project_id TEXT NOT NULL,
      node_id TEXT NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX realtime_session_leases_project ON realtime_session_leases (project_id);
    CREATE INDEX realtime_session_leases_node ON realtime_session_leases (node_id);
    CREATE TABLE realtime_session_starts (
      project_id TEXT NOT NULL,
      started_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX realtime_session_starts_project ON realtime_session_starts (project_id, started_at);
  `,
};

/**
 * Projects' real-time limits over a cluster, in PostgreSQL. Each admission
 * runs in one transaction under a per-project advisory lock, so two nodes
 * admitting at the same instant count each other's start. Times are the
 * database's clock, never a node's. A session holds a lease its node
 * renews; a node killed (or cut off from the database) stops renewing, and
 * its slots come free after `ttlMs`.
 */
export class PgSessionLeases implements SessionLeases {
  private readonly nodeId = randomUUID();
  /** Leases of this node's open sessions: only these are renewed, so one whose delete failed still lapses. */
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: LeaseDatabase,
    private readonly timings: LeaseTimings = DEFAULT_LEASE_TIMINGS,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.timer = setInterval(() => {
      if (this.held.size === 0) return;
      this.db
        .query('UPDATE realtime_session_leases SET expires_at = now() + make_interval(secs => $2::float8 / 1000) WHERE id = ANY($1)', [
          [...this.held],
          this.timings.ttlMs,
        ])
        .catch(this.onError);
    }, this.timings.renewMs);
    this.timer.unref();
  }

  async acquire(projectId: string, limits: ProjectSessionLimits): Promise<SessionLease> {
    const leaseId = randomUUID();
    const verdict = await this.db.transaction(async (tx): Promise<LeaseVerdict> => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('hark-realtime:' || $1, 0))", [projectId]);
      await tx.query("DELETE FROM realtime_session_starts WHERE project_id = $1 AND started_at <= now() - interval '60 seconds'", [projectId]);
      await tx.query('DELETE FROM realtime_session_leases WHERE project_id = $1 AND expires_at <= now()', [projectId]);
      const starts = await tx.query('SELECT count(*)::int AS n FROM realtime_session_starts WHERE project_id = $1', [projectId]);
      if (starts.rows[0].n >= limits.requestsPerMinute) return 'key-rate-limited';
      await tx.query('INSERT INTO realtime_session_starts (project_id, started_at) VALUES ($1, now())', [projectId]);
      const open = await tx.query('SELECT count(*)::int AS n FROM realtime_session_leases WHERE project_id = $1', [projectId]);
      if (open.rows[0].n >= limits.maxSessions) return 'key-busy';
      await tx.query(
        'INSERT INTO realtime_session_leases (id, project_id, node_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8 / 1000))',
        [leaseId, projectId, this.nodeId, this.timings.ttlMs],
      );
      return 'admitted';
    });
    if (verdict !== 'admitted') return { verdict, release: () => {} };
    this.held.add(leaseId);
    return {
      verdict,
      release: () => {
        if (!this.held.delete(leaseId)) return;
        this.db.query('DELETE FROM realtime_session_leases WHERE id = $1', [leaseId]).catch(this.onError);
      },
    };
  }

  /** Stops renewing without freeing anything, as a killed process would (tests). */
  halt(): void {
    clearInterval(this.timer);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // A clean shutdown frees this node's slots now rather than after the TTL.
    await this.db.query('DELETE FROM realtime_session_leases WHERE node_id = $1', [this.nodeId]).catch(this.onError);
  }
}
