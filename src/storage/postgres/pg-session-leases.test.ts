import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sharedPostgres } from '../../../test/support/postgres.js';
import { PgDatabase } from './pg-database.js';
import { PgSessionLeases, SESSION_LEASES_MIGRATION } from './pg-session-leases.js';

/** One node's own connections, as each Hark process has its pool. */
const node = (url: string) => new PgDatabase(url, { max: 4 });

describe('PgSessionLeases: real-time limits over two nodes on one PostgreSQL', () => {
  let url: string;
  const dbs: ReturnType<typeof node>[] = [];
  const leases: PgSessionLeases[] = [];
  const open = (timings = { renewMs: 100, ttlMs: 1_000 }) => {
    const db = node(url);
    dbs.push(db);
    const l = new PgSessionLeases(db, timings);
    leases.push(l);
    return l;
  };

  before(async () => {
    url = await (await sharedPostgres()).createDatabase();
    const db = node(url);
    await db.query(SESSION_LEASES_MIGRATION.sql);
    await db.close();
  });
  after(async () => {
    for (const l of leases) await l.close();
    for (const db of dbs) await db.close();
  });

  test('two nodes racing never admit more sessions than the project may open', async () => {
    const [a, b] = [open(), open()];
    const limits = { requestsPerMinute: 100, maxSessions: 3 };
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquire('race', limits)));
    const admitted = results.filter((r) => r.verdict === 'admitted');
    assert.equal(admitted.length, 3);
    assert.ok(results.filter((r) => r.verdict !== 'admitted').every((r) => r.verdict === 'key-busy'));
    admitted[0]!.release();
    admitted[0]!.release();
    await waitUntil(async () => (await a.acquire('race', limits)).verdict === 'admitted');
    assert.equal((await b.acquire('race', limits)).verdict, 'key-busy', 'release is idempotent: one slot came free');
  });

  test('starts per minute count over both nodes, refused starts included', async () => {
    const [a, b] = [open(), open()];
    const limits = { requestsPerMinute: 4, maxSessions: 1 };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).acquire('rate', limits)));
    const verdicts = results.map((r) => r.verdict).sort();
    assert.deepEqual(verdicts, ['admitted', 'key-busy', 'key-busy', 'key-busy', 'key-rate-limited', 'key-rate-limited', 'key-rate-limited', 'key-rate-limited']);
  });

  test("a dead node's sessions stop holding slots once their leases lapse; a live node's are renewed", async () => {
    const live = open();
    const dying = open({ renewMs: 60_000, ttlMs: 1_000 });
    const limits = { requestsPerMinute: 100, maxSessions: 2 };
    assert.equal((await live.acquire('lapse', limits)).verdict, 'admitted');
    assert.equal((await dying.acquire('lapse', limits)).verdict, 'admitted');
    assert.equal((await live.acquire('lapse', limits)).verdict, 'key-busy');
    // `dying` never renews (as a killed process): after its TTL its slot is free, while `live` keeps its own.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await live.acquire('lapse', limits)).verdict, 'admitted');
    assert.equal((await live.acquire('lapse', limits)).verdict, 'key-busy');
  });
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met');
}
