import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/config.js';
import { openSqliteStorage } from '../../storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../storage/ports.js';
import { ProjectService } from './project-service.js';

describe('project limits on every request', () => {
  let dir: string;
  let storage: Storage;
  const config = loadConfig({});
  const service = (): ProjectService => new ProjectService(storage.projects, storage.blobs, config.limits, config.realtime);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hark-projects-'));
    storage = await openSqliteStorage(dir);
  });
  after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("a change made elsewhere (the CLI, another node) applies within a second; the server's own at once", async () => {
    const server = service();
    const cli = service();
    const project = await cli.create('limited', { maxFiles: 3 });
    const t0 = 1_000_000;
    assert.equal((await server.scope(project.id, 'k', t0)).limits.maxFiles, 3);
    await cli.setLimits(project.id, { maxFiles: 7 });
    assert.equal((await server.scope(project.id, 'k', t0 + 500)).limits.maxFiles, 3);
    assert.equal((await server.scope(project.id, 'k', t0 + 1_000)).limits.maxFiles, 7);
    await server.setLimits(project.id, { maxFiles: 9 });
    assert.equal((await server.scope(project.id, 'k', t0 + 1_001)).limits.maxFiles, 9);
  });

  test('a project that is gone gets the global limits, and a new one of the same id is read afresh', async () => {
    const server = service();
    const project = await server.create('short-lived', { maxFiles: 2 });
    assert.equal((await server.scope(project.id, 'k', 5_000)).limits.maxFiles, 2);
    await service().delete(project.id, true);
    assert.equal((await server.scope(project.id, 'k', 6_001)).limits.maxFiles, config.limits.maxFiles);
  });
});
