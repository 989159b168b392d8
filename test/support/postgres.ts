/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a temp
 * dir, the server on a free port with its socket in that dir, fsync off
 * (a test database is thrown away anyway). PostgreSQL refuses to run as root,
 * so as root the binaries run as the `postgres` user.
 *
 * One cluster per process ({@link sharedPostgres}), a fresh database per test
 * group ({@link PostgresCluster.createDatabase}); stopped when the process exits,
 * a failed test included.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  /** URL of the `postgres` database, as the superuser. */
  url: string;
  port: number;
  /**
   * Creates a database and returns its URL: empty, or a copy of `template`
   * (the URL of a database nobody is connected to), which is much faster than
   * migrating each one.
   */
  createDatabase(template?: string): Promise<string>;
  /** Stops the server at once, as a crash or an outage would (connections are cut). */
  kill(): void;
  /** Starts the server again on the same port and data, after {@link kill}. */
  restart(): Promise<void>;
  /** Stops the server and deletes its files. */
  stop(): void;
}

/** Debian's server binaries, newest version first; null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary as an unprivileged user: `postgres` when we are root, else ourselves. */
function runAsOwner(bin: string, args: string[]): { status: number | null; output: string } {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function userIds(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Starts a new cluster. Prefer {@link sharedPostgres} in tests. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql; scripts/setup.mjs does it)');
  const dir = mkdtempSync(join(tmpdir(), 'hark-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (process.getuid?.() === 0) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  const init = runAsOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);

  let port = 0;
  const options = () =>
    [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      // No fsync: a commit still reaches the OS before it returns, so it survives the server being killed (outage tests), not the machine.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c shared_buffers=16MB',
      '-c max_connections=200',
    ].join(' ');
  const pgCtl = (args: string[]) => runAsOwner(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const start = () => pgCtl(['-l', logFile, '-o', options(), '-w', '-t', '60', 'start']);

  // Another process may take the port between our probe and the server's bind: try again on a new one.
  for (let tries = 0; ; tries++) {
    port = await freePort();
    const r = start();
    if (r.status === 0) break;
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (tries >= 4 || !/could not (bind|create)|address already in use/i.test(log + r.output)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start: ${r.output}\n${log}`);
    }
  }

  let stopped = false;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const cluster: PostgresCluster = {
    url,
    port,
    async createDatabase(template) {
      const name = `hark_${randomBytes(6).toString('hex')}`;
      const from = template ? new URL(template).pathname.slice(1) : 'template0';
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE "${from}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    kill() {
      pgCtl(['-m', 'immediate', 'stop']);
    },
    async restart() {
      const r = start();
      if (r.status !== 0) throw new Error(`PostgreSQL did not restart: ${r.output}`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', cluster.stop);
      pgCtl(['-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // `exit` handlers run synchronously, which the spawnSync calls above are: a failing test file still cleans up.
  process.once('exit', cluster.stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cluster.stop();
      process.exit(1);
    });
  }
  return cluster;
}

let shared: Promise<PostgresCluster> | null = null;

/** The process's one cluster, started on first use and stopped at exit. */
export function sharedPostgres(): Promise<PostgresCluster> {
  shared ??= startPostgres();
  return shared;
}
