import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Storage } from './ports.js';
import { openPostgresStorage } from './postgres/postgres-storage.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';

/**
 * The configured backend: PostgreSQL when HARK_DATABASE_URL is set (shared by
 * every node), else SQLite in the data dir. Blobs go to HARK_BLOB_DIR (a
 * volume every node mounts), else the data dir's `blobs` folder.
 */
export function openStorage(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'blobDir'>,
  onBackgroundError: (err: unknown) => void = () => {},
): Promise<Storage> {
  const blobDir = config.blobDir ?? join(config.dataDir, 'blobs');
  if (config.databaseUrl) return openPostgresStorage(config.databaseUrl, { blobDir, onBackgroundError });
  return openSqliteStorage(config.dataDir, blobDir);
}
