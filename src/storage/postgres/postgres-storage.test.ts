import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { sharedPostgres } from '../../../test/support/postgres.js';
import { storageContract } from '../contract/storage-contract.js';
import { openPostgresStorage } from './postgres-storage.js';

/** Short enough that a crashed peer is taken for dead within seconds, long enough for a loaded machine. */
const nodeTimings = { heartbeatMs: 200, lapseMs: 2_500 };

after(async () => (await sharedPostgres()).stop());

let migrated: Promise<string> | null = null;

/** A database migrated once, copied for every test: each starts from an empty store without paying for migrations. */
function migratedTemplate(): Promise<string> {
  migrated ??= (async () => {
    const url = await (await sharedPostgres()).createDatabase();
    const blobDir = await mkdtemp(join(tmpdir(), 'hark-pg-blobs-'));
    await (await openPostgresStorage(url, { blobDir, nodeTimings })).close();
    await rm(blobDir, { recursive: true, force: true });
    return url;
  })();
  return migrated;
}

storageContract('PostgreSQL', async () => {
  const cluster = await sharedPostgres();
  const url = await cluster.createDatabase(await migratedTemplate());
  const blobDir = await mkdtemp(join(tmpdir(), 'hark-pg-blobs-'));
  const storage = await openPostgresStorage(url, { blobDir, nodeTimings });
  return {
    storage,
    async peer() {
      const other = await openPostgresStorage(url, { blobDir, nodeTimings });
      return { storage: other, crash: () => other.crash(), close: () => other.close() };
    },
    async dispose() {
      await storage.close();
      await rm(blobDir, { recursive: true, force: true });
    },
  };
});
