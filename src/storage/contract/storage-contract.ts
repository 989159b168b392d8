/**
 * The behaviour every Storage adapter must show, as a suite any adapter's
 * test file runs against a fresh instance (SQLite and PostgreSQL). Where
 * several processes share one store, a peer stands for the other process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DEFAULT_PROJECT_ID, type FileRecord, type Job, type Page, type Storage, type TranscriptionRecord, type UsageRecord } from '../ports.js';

function file(overrides: Partial<FileRecord> = {}): FileRecord {
  return { id: randomUUID(), projectId: DEFAULT_PROJECT_ID, filename: 'a.wav', sizeBytes: 100, createdAt: new Date().toISOString(), clientReferenceId: null, ...overrides };
}

function transcription(overrides: Partial<TranscriptionRecord> = {}): TranscriptionRecord {
  return {
    id: randomUUID(), projectId: DEFAULT_PROJECT_ID, status: 'queued', createdAt: new Date().toISOString(), model: 'stt-async-v4',
    audioUrl: null, fileId: randomUUID(), filename: 'a.wav', languageHints: null, languageHintsStrict: null,
    enableSpeakerDiarization: false, enableLanguageIdentification: false, translation: null, context: null,
    audioDurationMs: null, errorType: null, errorMessage: null, webhookUrl: null, webhookAuthHeaderName: null,
    webhookAuthHeaderValue: null, webhookStatusCode: null, clientReferenceId: null, ...overrides,
  };
}

const roomy = { maxPending: 100, maxTotal: 100 };

function usage(overrides: Partial<UsageRecord> = {}): UsageRecord {
  const now = new Date().toISOString();
  return {
    id: randomUUID(), projectId: DEFAULT_PROJECT_ID, kind: 'real_time', transcriptionId: null, apiKeyId: 'k', temporaryKey: false,
    temporaryKeyClientReferenceId: null, clientReferenceId: null, model: 'stt-rt-v4', audioDurationMs: 0,
    features: { speakerDiarization: false, languageIdentification: false, translation: false },
    startTime: now, endTime: now, status: 'running', ...overrides,
  };
}

/** Every end time Hark could have written. */
function window() {
  return { fromMs: 0, toMs: Date.parse('2100-01-01T00:00:00Z'), limit: 1000, order: 'asc' as const, after: null };
}

/** Another process on the same store: a second node of a cluster, or a second process on one SQLite file. */
export interface PeerStorage {
  storage: Storage;
  /** Ends as a killed process would: what it held stays held until a live process takes it back. */
  crash(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenedStorage {
  storage: Storage;
  /** Opens another process's view of the same store. */
  peer(): Promise<PeerStorage>;
  dispose(): Promise<void>;
}

/** Polls until `check` holds: taking back a dead process's work may wait for its heartbeat to lapse. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function storageContract(name: string, open: () => Promise<OpenedStorage>): void {
  describe(`${name} storage contract`, () => {
    let storage: Storage;
    let dispose: () => Promise<void>;
    let peer: () => Promise<PeerStorage>;
    const peers: PeerStorage[] = [];
    beforeEach(async () => ({ storage, dispose, peer } = await open()));
    afterEach(async () => {
      for (const p of peers.splice(0)) await p.close();
      await dispose();
    });
    const openPeer = async () => {
      const p = await peer();
      peers.push(p);
      return p;
    };

    it('refuses files beyond the count and byte quotas without storing them', async () => {
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 60 }), { maxFiles: 2, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 60 }), { maxFiles: 2, maxBytes: 100 }), 'max_storage');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 10 }), { maxFiles: 2, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 1 }), { maxFiles: 2, maxBytes: 100 }), 'max_files');
      assert.deepEqual(await storage.files.usage(DEFAULT_PROJECT_ID), { files: 2, bytes: 70 });
    });

    it('pages newest first with keyset positions that survive deletions', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const f = file();
        ids.push(f.id);
        await storage.files.insertWithinQuota(f, { maxFiles: 10, maxBytes: 1e9 });
      }
      const first = await storage.files.list(DEFAULT_PROJECT_ID, { limit: 2, after: null, maxBytes: 1e9 });
      assert.deepEqual(first.items.map((f) => f.id), [ids[4], ids[3]]);
      assert.notEqual(first.nextAfter, null);
      await storage.files.delete(DEFAULT_PROJECT_ID, ids[4]!);
      await storage.files.delete(DEFAULT_PROJECT_ID, ids[3]!);
      const second = await storage.files.list(DEFAULT_PROJECT_ID, { limit: 2, after: first.nextAfter, maxBytes: 1e9 });
      assert.deepEqual(second.items.map((f) => f.id), [ids[2], ids[1]]);
      const last = await storage.files.list(DEFAULT_PROJECT_ID, { limit: 2, after: second.nextAfter, maxBytes: 1e9 });
      assert.deepEqual(last.items.map((f) => f.id), [ids[0]]);
      assert.equal(last.nextAfter, null);
    });

    it('stops a page before its records pass the byte budget, always returning one, and the cursor continues', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const t = transcription({ context: 'x'.repeat(10_000) });
        ids.push(t.id);
        await storage.transcriptions.insertQueued(t, roomy);
      }
      const seen: string[] = [];
      let after: number | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page: Page<TranscriptionRecord> = await storage.transcriptions.list(DEFAULT_PROJECT_ID, { limit: 1000, after, maxBytes: 25_000 });
        assert.ok(page.items.length >= 1 && page.items.length <= 2, `a page of ${page.items.length}`);
        seen.push(...page.items.map((t) => t.id));
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      assert.deepEqual(seen, [...ids].reverse());
      const tiny = await storage.transcriptions.list(DEFAULT_PROJECT_ID, { limit: 1000, after: null, maxBytes: 1 });
      assert.equal(tiny.items.length, 1);
      assert.notEqual(tiny.nextAfter, null);
      const files = [file(), file(), file()];
      for (const f of files) await storage.files.insertWithinQuota(f, { maxFiles: 10, maxBytes: 1e9 });
      const filePage = await storage.files.list(DEFAULT_PROJECT_ID, { limit: 1000, after: null, maxBytes: 1 });
      assert.deepEqual(filePage.items.map((f) => f.id), [files[2]!.id]);
      assert.notEqual(filePage.nextAfter, null);
    });

    it('queues a transcription with its job; claiming marks it processing; it cannot be deleted then', async () => {
      const t = transcription();
      assert.equal(await storage.transcriptions.insertQueued(t, roomy), 'ok');
      const job = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(job?.transcriptionId, t.id);
      assert.equal(job?.attempt, 1);
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id))?.status, 'processing');
      assert.equal(await storage.transcriptions.delete(DEFAULT_PROJECT_ID, t.id), 'processing');
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
    });

    it('takes back the jobs of a process that died, counting the attempt, and leaves a live process its own', async () => {
      const dying = await openPeer();
      const lost = transcription({ webhookUrl: 'http://x.test/hook' });
      const mine = transcription();
      await storage.transcriptions.insertQueued(lost, roomy);
      await storage.transcriptions.insertQueued(mine, roomy);
      const stale = await dying.storage.jobs.claim('transcribe', Date.now());
      assert.equal(stale?.transcriptionId, lost.id);
      const held = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(held?.transcriptionId, mine.id);
      // A live process's jobs are not interrupted, whoever looks.
      assert.equal(await dying.storage.jobs.recoverInterrupted(), 0);
      assert.equal(await storage.jobs.recoverInterrupted(), 0);
      await dying.crash();
      await eventually('the dead process\'s job is queued again', async () => {
        await storage.jobs.recoverInterrupted();
        return (await storage.transcriptions.get(DEFAULT_PROJECT_ID, lost.id))?.status === 'queued';
      });
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, mine.id))?.status, 'processing');
      let again: Job | null = null;
      await eventually('the job is claimed again', async () => (again = await storage.jobs.claim('transcribe', Date.now())) !== null);
      assert.equal(again!.transcriptionId, lost.id);
      assert.equal(again!.attempt, 2);
      assert.notEqual(again!.id, stale!.id);
      // The presumed-dead claim finishing late (it was only cut off) changes nothing: one transcript, one usage record, one webhook.
      assert.equal(await storage.transcriptions.complete(stale!, { text: 'stale', tokens: [] }, 5, usage({ kind: 'async', transcriptionId: lost.id, status: 'completed' })), null);
      await storage.jobs.finish(stale!.id);
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, lost.id))?.status, 'processing');
      const record = usage({ kind: 'async', transcriptionId: lost.id, status: 'completed' });
      assert.equal((await storage.transcriptions.complete(again!, { text: 'fresh', tokens: [] }, 5, record))?.status, 'completed');
      assert.equal(await storage.transcriptions.complete(again!, { text: 'twice', tokens: [] }, 5, usage({ kind: 'async', transcriptionId: lost.id, status: 'completed' })), null);
      assert.equal((await storage.transcriptions.getTranscript(DEFAULT_PROJECT_ID, lost.id))?.text, 'fresh');
      assert.deepEqual((await storage.usage.list(DEFAULT_PROJECT_ID, window())).items.map((u) => u.id), [record.id]);
      const webhook = await storage.jobs.claim('webhook', Date.now());
      assert.equal(webhook?.transcriptionId, lost.id);
      await storage.jobs.finish(webhook!.id);
      assert.equal(await storage.jobs.claim('webhook', Date.now()), null);
    });

    it('gives each job to one of the processes claiming at once', async () => {
      const other = await openPeer();
      const ids = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const t = transcription();
        ids.add(t.id);
        await storage.transcriptions.insertQueued(t, roomy);
      }
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other.storage : storage).jobs.claim('transcribe', Date.now())),
      );
      const claimed = claims.filter((j): j is Job => j !== null).map((j) => j.transcriptionId);
      assert.equal(claimed.length, 6);
      assert.deepEqual(new Set(claimed), ids);
    });

    it('holds the quotas when processes insert at once', async () => {
      const other = await openPeer();
      const files = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other.storage : storage).files.insertWithinQuota(file({ sizeBytes: 10 }), { maxFiles: 3, maxBytes: 1e9 })),
      );
      assert.equal(files.filter((v) => v === 'ok').length, 3);
      assert.equal(await storage.files.count(DEFAULT_PROJECT_ID), 3);
      const queued = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other.storage : storage).transcriptions.insertQueued(transcription(), { maxPending: 2, maxTotal: 10 })),
      );
      assert.equal(queued.filter((v) => v === 'ok').length, 2);
      assert.equal(await storage.transcriptions.count(DEFAULT_PROJECT_ID), 2);
    });

    it('lets a single-use temporary key be used once when processes race for it', async () => {
      const other = await openPeer();
      const now = Date.now();
      await storage.keys.insertTemporary({
        keyHash: 'race', usageType: 'transcribe_websocket', clientReferenceId: null, maxSessionDurationSeconds: null,
        expiresAt: new Date(now + 60_000).toISOString(), singleUse: true,
      });
      const uses = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other.storage : storage).keys.useTemporary('race', now)));
      assert.equal(uses.filter((k) => k !== null).length, 1);
    });

    it('requeues an active job, counting its attempt or not', async () => {
      const t = transcription();
      await storage.transcriptions.insertQueued(t, roomy);
      const first = await storage.jobs.claim('transcribe', Date.now());
      await storage.jobs.requeue(first!.id, { runAtMs: 0, countAttempt: false });
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id))?.status, 'queued');
      const second = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(second?.attempt, 1);
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id))?.status, 'processing');
      await storage.jobs.requeue(second!.id, { runAtMs: Date.now() + 1000, countAttempt: true });
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
      let due: Job | null = null;
      await eventually('the job is due', async () => (due = await storage.jobs.claim('transcribe', Date.now())) !== null);
      assert.equal(due!.attempt, 2);
    });

    it('leaves a job alone when asked to requeue it after it ended', async () => {
      const t = transcription();
      await storage.transcriptions.insertQueued(t, roomy);
      const job = await storage.jobs.claim('transcribe', Date.now());
      await storage.transcriptions.fail(job!, 'internal_error', 'x');
      await storage.jobs.requeue(job!.id, { runAtMs: 0, countAttempt: false });
      assert.equal((await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id))?.status, 'error');
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
    });

    it('holds a job whose worker died back while others run, and counts the deaths while it ran alone', async () => {
      const suspect = transcription();
      const other = transcription();
      await storage.transcriptions.insertQueued(suspect, roomy);
      await storage.transcriptions.insertQueued(other, roomy);
      const first = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(first?.transcriptionId, suspect.id);
      assert.deepEqual([first?.workerDeaths, first?.workerDeathsAlone], [0, 0]);
      await storage.jobs.requeue(first!.id, { runAtMs: 0, countAttempt: false, workerDied: { alone: false } });
      // Due first but must run alone: nothing is claimed beside other work.
      assert.equal(await storage.jobs.claim('transcribe', Date.now(), { othersRunning: true }), null);
      const alone = await storage.jobs.claim('transcribe', Date.now(), { othersRunning: false });
      assert.equal(alone?.transcriptionId, suspect.id);
      assert.deepEqual([alone?.attempt, alone?.workerDeaths, alone?.workerDeathsAlone], [1, 1, 0]);
      await storage.jobs.requeue(alone!.id, { runAtMs: 0, countAttempt: false, workerDied: { alone: true } });
      const again = await storage.jobs.claim('transcribe', Date.now());
      assert.deepEqual([again?.attempt, again?.workerDeaths, again?.workerDeathsAlone], [1, 2, 1]);
      assert.equal((await storage.jobs.claim('transcribe', Date.now(), { othersRunning: true }))?.transcriptionId, other.id);
    });

    it('completes atomically: transcript, status and the webhook job', async () => {
      const t = transcription({ webhookUrl: 'http://x.test/hook' });
      await storage.transcriptions.insertQueued(t, roomy);
      const job = await storage.jobs.claim('transcribe', Date.now());
      await storage.transcriptions.complete(job!, { text: 'Hi.', tokens: [{ text: 'Hi', confidence: 1, startMs: 0, endMs: 10 }] }, 1234);
      const done = await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.audioDurationMs, 1234);
      assert.equal((await storage.transcriptions.getTranscript(DEFAULT_PROJECT_ID, t.id))?.text, 'Hi.');
      const webhook = await storage.jobs.claim('webhook', Date.now());
      assert.equal(webhook?.transcriptionId, t.id);
      await storage.jobs.retryAt(webhook!.id, Date.now() + 60_000);
      assert.equal(await storage.jobs.claim('webhook', Date.now()), null);
      assert.ok((await storage.jobs.nextRunAt('webhook'))! > Date.now());
    });

    it('enforces the pending and total transcription quotas', async () => {
      assert.equal(await storage.transcriptions.insertQueued(transcription(), { maxPending: 1, maxTotal: 2 }), 'ok');
      assert.equal(await storage.transcriptions.insertQueued(transcription(), { maxPending: 1, maxTotal: 2 }), 'max_pending');
      await storage.jobs.claim('transcribe', Date.now());
      assert.equal(await storage.transcriptions.insertQueued(transcription(), { maxPending: 1, maxTotal: 2 }), 'ok');
      assert.equal(await storage.transcriptions.insertQueued(transcription(), { maxPending: 5, maxTotal: 2 }), 'max_total');
      assert.equal(await storage.transcriptions.count(DEFAULT_PROJECT_ID), 2);
    });

    it('temporary keys expire and single-use keys work once', async () => {
      const now = Date.now();
      const key = { usageType: 'transcribe_websocket', clientReferenceId: null, maxSessionDurationSeconds: null };
      await storage.keys.insertTemporary({ ...key, keyHash: 'a', expiresAt: new Date(now + 1000).toISOString(), singleUse: true });
      await storage.keys.insertTemporary({ ...key, keyHash: 'b', expiresAt: new Date(now + 1000).toISOString(), singleUse: false });
      assert.ok(await storage.keys.useTemporary('a', now));
      assert.equal(await storage.keys.useTemporary('a', now), null);
      assert.ok(await storage.keys.useTemporary('b', now));
      assert.ok(await storage.keys.useTemporary('b', now));
      assert.equal(await storage.keys.useTemporary('b', now + 1000), null);
    });

    it('scopes files and transcriptions to their project: another project sees nothing, quotas count apart', async () => {
      await storage.projects.create({ id: 'p2', name: 'two', createdAt: new Date().toISOString(), limits: {} });
      const mine = file({ sizeBytes: 60 });
      const theirs = file({ projectId: 'p2', sizeBytes: 60 });
      assert.equal(await storage.files.insertWithinQuota(mine, { maxFiles: 1, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.insertWithinQuota(theirs, { maxFiles: 1, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.get('p2', mine.id), null);
      assert.equal(await storage.files.delete('p2', mine.id), false);
      assert.deepEqual((await storage.files.list('p2', { limit: 10, after: null, maxBytes: 1e9 })).items.map((f) => f.id), [theirs.id]);
      assert.deepEqual(await storage.files.usage('p2'), { files: 1, bytes: 60 });
      const t = transcription({ projectId: 'p2' });
      assert.equal(await storage.transcriptions.insertQueued(t, { maxPending: 1, maxTotal: 1 }), 'ok');
      assert.equal(await storage.transcriptions.insertQueued(transcription(), { maxPending: 1, maxTotal: 1 }), 'ok');
      assert.equal(await storage.transcriptions.get(DEFAULT_PROJECT_ID, t.id), null);
      assert.equal(await storage.transcriptions.delete(DEFAULT_PROJECT_ID, t.id), 'not_found');
      assert.equal(await storage.transcriptions.count('p2'), 1);
      const job = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(job?.projectId, 'p2');
      await storage.transcriptions.complete(job!, { text: 'x', tokens: [] }, 10);
      assert.equal(await storage.transcriptions.getTranscript(DEFAULT_PROJECT_ID, t.id), null);
      assert.equal((await storage.transcriptions.getTranscript('p2', t.id))?.text, 'x');
    });

    it('keeps project names unique, finds live keys by hash only, and deletes a project with all it holds', async () => {
      const now = new Date().toISOString();
      assert.equal(await storage.projects.create({ id: 'p2', name: 'two', createdAt: now, limits: {} }), 'ok');
      assert.equal(await storage.projects.create({ id: 'p3', name: 'two', createdAt: now, limits: {} }), 'name_taken');
      assert.equal(await storage.projects.rename('p2', 'default'), 'name_taken');
      assert.equal(await storage.projects.rename('p2', 'deux'), 'ok');
      assert.equal((await storage.projects.findByName('deux'))?.id, 'p2');
      assert.equal(await storage.projects.setLimits('p2', { maxFiles: 3 }), 'ok');
      assert.deepEqual((await storage.projects.get('p2'))?.limits, { maxFiles: 3 });
      assert.deepEqual((await storage.projects.list()).map((p) => p.name), ['default', 'deux']);
      await storage.projects.insertKey({ id: 'k1', projectId: 'p2', name: 'ci', keyHash: 'h1', hint: 'hark_abcd', createdAt: now, revokedAt: null });
      assert.equal((await storage.projects.findKeyByHash('h1'))?.projectId, 'p2');
      assert.equal(await storage.projects.revokeKey('k1', now), true);
      assert.equal(await storage.projects.findKeyByHash('h1'), null);
      assert.equal(await storage.projects.revokeKey('k1', now), false);
      assert.equal((await storage.projects.listKeys('p2'))[0]?.revokedAt, now);
      const f = file({ projectId: 'p2' });
      await storage.files.insertWithinQuota(f, { maxFiles: 10, maxBytes: 1e9 });
      await storage.transcriptions.insertQueued(transcription({ projectId: 'p2' }), roomy);
      await storage.usage.open(usage({ projectId: 'p2' }));
      assert.equal(await storage.projects.hasData('p2'), true);
      assert.deepEqual(await storage.projects.delete('p2'), { fileIds: [f.id] });
      assert.equal(await storage.projects.get('p2'), null);
      assert.equal(await storage.projects.hasData('p2'), false);
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
      assert.deepEqual((await storage.usage.list('p2', window())).items, []);
      assert.equal(await storage.projects.delete('p2'), null);
    });

    it('records usage: running records progress, end once, and a crash leaves them interrupted', async () => {
      const t0 = Date.parse('2026-05-01T10:00:00Z');
      const live = usage({ startTime: new Date(t0).toISOString(), endTime: new Date(t0).toISOString() });
      await storage.usage.open(live);
      await storage.usage.progress(live.id, 1500, t0 + 2000);
      const cut = usage({ startTime: new Date(t0).toISOString(), endTime: new Date(t0).toISOString() });
      await storage.usage.finish(live.id, 3000, t0 + 4000, 'completed');
      await storage.usage.progress(live.id, 9999, t0 + 9000);
      // The session of a live process stays running; that of a process that died is interrupted.
      const dying = await openPeer();
      const mine = usage({ startTime: new Date(t0).toISOString(), endTime: new Date(t0 + 500).toISOString() });
      await storage.usage.open(mine);
      assert.equal(await storage.usage.closeInterrupted(), 0);
      await dying.storage.usage.open(cut);
      await dying.storage.usage.progress(cut.id, 700, t0 + 1000);
      await dying.crash();
      let closed = 0;
      await eventually('the dead process\'s session is interrupted', async () => {
        closed += await storage.usage.closeInterrupted();
        return (await storage.usage.list(DEFAULT_PROJECT_ID, window())).items.some((u) => u.status === 'interrupted');
      });
      assert.ok(closed <= 1);
      const { items } = await storage.usage.list(DEFAULT_PROJECT_ID, window());
      assert.deepEqual(items.map((u) => [u.id, u.status, u.audioDurationMs, u.endTime]), [
        [mine.id, 'running', 0, new Date(t0 + 500).toISOString()],
        [cut.id, 'interrupted', 700, new Date(t0 + 1000).toISOString()],
        [live.id, 'completed', 3000, new Date(t0 + 4000).toISOString()],
      ]);
    });

    it('lists usage by end time in a window, either order, with keyset positions, and totals it per day and model', async () => {
      const day1 = Date.parse('2026-05-01T23:00:00Z');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const end = new Date(day1 + i * 30 * 60_000).toISOString();
        const u = usage({ endTime: end, model: i % 2 ? 'b' : 'a', audioDurationMs: 1000 * (i + 1) });
        ids.push(u.id);
        await storage.usage.open(u);
      }
      await storage.usage.open(usage({ endTime: '2026-06-01T00:00:00.000Z' }));
      const query = { ...window(), fromMs: day1, toMs: day1 + 5 * 30 * 60_000 };
      const first = await storage.usage.list(DEFAULT_PROJECT_ID, { ...query, limit: 2 });
      assert.deepEqual(first.items.map((u) => u.id), ids.slice(0, 2));
      const rest = await storage.usage.list(DEFAULT_PROJECT_ID, { ...query, limit: 10, after: first.next });
      assert.deepEqual(rest.items.map((u) => u.id), ids.slice(2));
      assert.equal(rest.next, null);
      const desc = await storage.usage.list(DEFAULT_PROJECT_ID, { ...query, limit: 3, order: 'desc' });
      assert.deepEqual(desc.items.map((u) => u.id), ids.slice(2).reverse());
      const more = await storage.usage.list(DEFAULT_PROJECT_ID, { ...query, limit: 3, order: 'desc', after: desc.next });
      assert.deepEqual(more.items.map((u) => u.id), ids.slice(0, 2).reverse());
      assert.deepEqual(await storage.usage.dailyTotals(DEFAULT_PROJECT_ID, query.fromMs, query.toMs), [
        { day: '2026-05-01', model: 'a', requests: 1, audioDurationMs: 1000 },
        { day: '2026-05-01', model: 'b', requests: 1, audioDurationMs: 2000 },
        { day: '2026-05-02', model: 'a', requests: 2, audioDurationMs: 8000 },
        { day: '2026-05-02', model: 'b', requests: 1, audioDurationMs: 4000 },
      ]);
      assert.deepEqual(await storage.usage.dailyTotals('elsewhere', query.fromMs, query.toMs), []);
    });

    it('adds concurrency samples to their minute, per project', async () => {
      const m = Date.parse('2026-05-01T10:00:00Z');
      await storage.concurrency.record(DEFAULT_PROJECT_ID, m + 1000, 1);
      await storage.concurrency.record(DEFAULT_PROJECT_ID, m + 59_000, 3);
      await storage.concurrency.record(DEFAULT_PROJECT_ID, m + 60_000, 0);
      await storage.concurrency.record('other', m, 7);
      assert.deepEqual(await storage.concurrency.minutes(DEFAULT_PROJECT_ID, m, m + 120_000), [
        { minuteStartMs: m, max: 3, sum: 4, count: 2 },
        { minuteStartMs: m + 60_000, max: 0, sum: 0, count: 1 },
      ]);
    });
  });
}
