/**
 * PostgreSQL-only behaviour: nodes migrating at once, and the database
 * going away and coming back. A private cluster: killing it must not cut
 * other tests' databases.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../../../test/support/postgres.js';
import { DEFAULT_PROJECT_ID } from '../ports.js';
import { StorageUnavailableError } from '../storage-errors.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { openPostgresStorage } from './postgres-storage.js';

const nodeTimings = { heartbeatMs: 200, lapseMs: 2_500 };

describe('PostgreSQL storage across nodes and outages', () => {
  let cluster: PostgresCluster;
  let blobDir: string;
  before(async () => {
    cluster = await startPostgres();
    blobDir = await mkdtemp(join(tmpdir(), 'hark-pg-outage-'));
  });
  after(async () => {
    cluster.stop();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('migrates once when several nodes start on an empty database at the same moment', async () => {
    const url = await cluster.createDatabase();
    const nodes = await Promise.all([1, 2, 3].map(() => openPostgresStorage(url, { blobDir, nodeTimings })));
    try {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT version FROM hark_schema_migrations ORDER BY version');
      await client.end();
      assert.deepEqual(rows.map((r) => r.version), POSTGRES_MIGRATIONS.map((_, i) => i + 1));
      assert.equal(new Set(nodes.map((n) => n.nodeId)).size, 3);
      assert.deepEqual((await nodes[1]!.projects.list()).map((p) => p.id), [DEFAULT_PROJECT_ID]);
    } finally {
      for (const node of nodes) await node.close();
    }
  });

  it('takes back the job of a process killed on this machine at once, without waiting for its heartbeat to lapse', async () => {
    const url = await cluster.createDatabase();
    // A lapse no test waits for: only the dead pid can explain the job coming back.
    const slow = { heartbeatMs: 200, lapseMs: 10 * 60_000 };
    const storage = await openPostgresStorage(url, { blobDir, nodeTimings: slow });
    try {
      const t = {
        id: randomUUID(), projectId: DEFAULT_PROJECT_ID, status: 'queued' as const, createdAt: new Date().toISOString(), model: 'm',
        audioUrl: null, fileId: null, filename: 'a.wav', languageHints: null, languageHintsStrict: null, enableSpeakerDiarization: false,
        enableLanguageIdentification: false, translation: null, context: null, audioDurationMs: null, errorType: null, errorMessage: null,
        webhookUrl: null, webhookAuthHeaderName: null, webhookAuthHeaderValue: null, webhookStatusCode: null, clientReferenceId: null,
      };
      await storage.transcriptions.insertQueued(t, { maxPending: 10, maxTotal: 10 });
      const module = new URL('./postgres-storage.js', import.meta.url).href;
      const child = spawn(process.execPath, ['--input-type=module', '-e', `
        const { openPostgresStorage } = await import(${JSON.stringify(module)});
        const s = await openPostgresStorage(${JSON.stringify(url)}, { blobDir: ${JSON.stringify(blobDir)}, nodeTimings: ${JSON.stringify(slow)} });
        const job = await s.jobs.claim('transcribe', Date.now());
        console.log(job ? 'claimed' : 'none');
        setInterval(() => {}, 1000);
      `], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      assert.equal(line.toString().trim(), 'claimed');
      assert.equal(await storage.jobs.recoverInterrupted(), 0, 'a live process keeps its job');
      child.kill('SIGKILL');
      await once(child, 'exit');
      assert.equal(await storage.jobs.recoverInterrupted(), 1);
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id))?.status, 'queued');
    } finally {
      await storage.close();
    }
  });

  it('fails calls with StorageUnavailableError while the database is down, and recovers by itself once it is back', async () => {
    const url = await cluster.createDatabase();
    const storage = await openPostgresStorage(url, { blobDir, nodeTimings });
    try {
      const file = { id: randomUUID(), projectId: DEFAULT_PROJECT_ID, filename: 'a.wav', sizeBytes: 1, createdAt: new Date().toISOString(), clientReferenceId: null };
      assert.equal(await storage.files.insertWithinQuota(file, { maxFiles: 10, maxBytes: 100 }), 'ok');
      cluster.kill();
      await assert.rejects(storage.files.get(DEFAULT_PROJECT_ID, file.id), StorageUnavailableError);
      await assert.rejects(storage.transcriptions.count(DEFAULT_PROJECT_ID), StorageUnavailableError);
      await assert.rejects(storage.jobs.claim('transcribe', Date.now()), StorageUnavailableError);
      await cluster.restart();
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          assert.equal((await storage.files.get(DEFAULT_PROJECT_ID, file.id))?.id, file.id);
          break;
        } catch (err) {
          if (!(err instanceof StorageUnavailableError) || Date.now() > deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
    } finally {
      await storage.close();
    }
  });
});
