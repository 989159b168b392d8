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
    // A second process on the same file; in this process, a storage that closed is a process that died.
    async peer() {
      const other = await openSqliteStorage(dir);
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await other.close();
      };
      return { storage: other, crash: close, close };
    },
    async dispose() {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
