import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Storage } from './ports.js';
import { openPostgresStorage } from './postgres/postgres-storage.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';

/**
 * The configured backend: PostgreSQL when HARK_DATABASE_URL is set (shared by
 * every node), else SQLite in the data dir. Blobs stay in the data dir's
 * `blobs` folder either way.
 */
export function openStorage(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  onBackgroundError: (err: unknown) => void = () => {},
): Promise<Storage> {
  if (config.databaseUrl) return openPostgresStorage(config.databaseUrl, { blobDir: join(config.dataDir, 'blobs'), onBackgroundError });
  return openSqliteStorage(config.dataDir);
}
