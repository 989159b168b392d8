import pg from 'pg';
import { StorageUnavailableError, isConnectionError } from '../storage-errors.js';

/** What pg-boss needs to run its statements on our connections (and inside our transactions). */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

export interface Queryable {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

function translate(err: unknown): unknown {
  return isConnectionError(err) ? new StorageUnavailableError({ cause: err }) : err;
}

/** A transaction's connection; its errors are translated like the pool's. */
export class Tx implements Queryable, SqlExecutor {
  rolledBack = false;

  constructor(private readonly client: pg.PoolClient) {}

  /** Ends the transaction with a rollback instead of a commit, without an error. */
  rollbackAtEnd(): void {
    this.rolledBack = true;
  }

  async query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.client.query<R>(text, values);
    } catch (err) {
      throw translate(err);
    }
  }

  executeSql(text: string, values?: unknown[]) {
    return this.query(text, values);
  }
}

/**
 * The connection pool. A connection that breaks is dropped and the next call
 * opens a new one, so the pool recovers by itself once the server is back;
 * meanwhile every call fails with {@link StorageUnavailableError}.
 */
export class PgDatabase implements Queryable, SqlExecutor {
  readonly pool: pg.Pool;

  constructor(url: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 20,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'hark',
    });
    // An idle connection cut by the server: pg drops it; without a listener the process would die.
    this.pool.on('error', () => {});
  }

  async query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw translate(err);
    }
  }

  executeSql(text: string, values?: unknown[]) {
    return this.query(text, values);
  }

  /**
   * A query prepared once per connection and reused: for the point reads
   * every REST call makes, parsing and planning cost more than running.
   */
  async prepared<R extends pg.QueryResultRow = any>(name: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>({ name, text, values });
    } catch (err) {
      throw translate(err);
    }
  }

  /** Runs `work` in a transaction: committed when it resolves (unless it called `rollbackAtEnd`), rolled back when it throws. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw translate(err);
    }
    const tx = new Tx(client);
    let broken = false;
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query(tx.rolledBack ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (err) {
      broken = err instanceof StorageUnavailableError;
      if (!broken) await tx.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
