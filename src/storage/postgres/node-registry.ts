import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import type { PgDatabase, Tx } from './pg-database.js';

/**
 * Names the process table this process lives in: the kernel's boot and the
 * pid namespace. Two nodes with the same one can ask the kernel whether the
 * other's pid still runs; containers and other machines cannot, and wait for
 * the heartbeat to lapse instead.
 */
function processTable(): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    return boot && ns ? `${boot}.${ns}` : null;
  } catch {
    return null;
  }
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export interface NodeTimings {
  /** How often a node records that it is alive. */
  heartbeatMs: number;
  /** A node silent this long is taken for dead: its jobs are retried elsewhere, its live sessions' usage closed. */
  lapseMs: number;
}

export const DEFAULT_NODE_TIMINGS: NodeTimings = { heartbeatMs: 2_000, lapseMs: 15_000 };

/** Takes back what dead nodes held, inside the reaping transaction; returns how many it took. */
export type Reaper = (tx: Tx, deadNodeIds: string[]) => Promise<number>;

/**
 * This process as one node of the cluster: a row with a heartbeat. Every
 * beat, it also looks for nodes whose heartbeat lapsed (or that are gone
 * while still named on work) and reaps what they held, so that the work of a
 * killed node resumes on the live ones. A live node's work is never touched.
 * A node on this machine whose process is gone is dead at once, so a restart
 * after kill -9 takes back its predecessor's work without waiting for the lapse.
 */
export class NodeRegistry {
  private static readonly table = processTable();
  /** `<process table>:<pid>:<random>`, or `-:<pid>:<random>` where the process table cannot be named. */
  readonly id = `${NodeRegistry.table ?? '-'}:${process.pid}:${randomUUID()}`;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;

  constructor(
    private readonly db: PgDatabase,
    private readonly timings: NodeTimings,
    private readonly reapers: { jobs: Reaper; usage: Reaper },
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async start(): Promise<void> {
    await this.db.query('INSERT INTO hark_nodes (id, heartbeat_at) VALUES ($1, now())', [this.id]);
    this.timer = setInterval(() => {
      if (this.beating) return;
      this.beating = this.beat()
        .catch(this.onError)
        .finally(() => (this.beating = null));
    }, this.timings.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    // Upsert: a node taken for dead during an outage comes back under the same id.
    await this.db.query(
      'INSERT INTO hark_nodes (id, heartbeat_at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()',
      [this.id],
    );
    await this.reapLapsed();
  }

  /** Reaps the work of nodes taken for dead; returns what was taken back. */
  reapLapsed(): Promise<{ jobs: number; usage: number }> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM hark_nodes WHERE id <> $1 AND heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)
         FOR UPDATE SKIP LOCKED`,
        [this.id, this.timings.lapseMs],
      );
      // Nodes that left (closed or deleted) while still named on work: nobody will finish it.
      const gone = await tx.query<{ node_id: string }>(
        `SELECT node_id FROM hark_jobs WHERE node_id IS NOT NULL AND node_id <> $1 AND node_id NOT IN (SELECT id FROM hark_nodes)
         UNION SELECT node_id FROM usage_logs WHERE status = 'running' AND node_id IS NOT NULL AND node_id <> $1
           AND node_id NOT IN (SELECT id FROM hark_nodes)`,
        [this.id],
      );
      const dead = [...rows.map((r) => r.id), ...gone.rows.map((r) => r.node_id), ...(await this.exitedHere(tx))];
      if (dead.length === 0) return { jobs: 0, usage: 0 };
      const jobs = await this.reapers.jobs(tx, dead);
      const usage = await this.reapers.usage(tx, dead);
      await tx.query('DELETE FROM hark_nodes WHERE id = ANY($1)', [dead]);
      return { jobs, usage };
    });
  }

  /** Nodes of this process table whose process is gone (not this process: its storages are alive while open). */
  private async exitedHere(tx: Tx): Promise<string[]> {
    if (NodeRegistry.table === null) return [];
    const { rows } = await tx.query<{ id: string }>(
      "SELECT id FROM hark_nodes WHERE id <> $1 AND starts_with(id, $2) AND heartbeat_at >= now() - make_interval(secs => $3::float8 / 1000) FOR UPDATE SKIP LOCKED",
      [this.id, `${NodeRegistry.table}:`, this.timings.lapseMs],
    );
    return rows
      .map((r) => r.id)
      .filter((id) => {
        const pid = Number(id.split(':')[1]);
        return Number.isInteger(pid) && pid !== process.pid && !pidRuns(pid);
      });
  }

  /** Leaves the cluster: nothing this node held is left to reap (its jobs were put back by then). */
  async stop(): Promise<void> {
    this.halt();
    await this.beating;
    await this.db.query('DELETE FROM hark_nodes WHERE id = $1', [this.id]).catch(() => {});
  }

  /** Stops beating without leaving, as a killed process would (tests). */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
