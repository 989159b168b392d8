import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageContract } from '../contract/storage-contract.js';
import { openSqliteStorage } from './sqlite-storage.js';

storageContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hark-sqlite-'));
  const storage = await openSqliteStorage(dir);
  return {
    storage,
    async dispose() {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
