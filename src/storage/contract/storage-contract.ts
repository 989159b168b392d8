/**
 * The behaviour every Storage adapter must show, as a suite any adapter's
 * test file runs against a fresh instance (SQLite now; PostgreSQL later).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { FileRecord, Page, Storage, TranscriptionRecord } from '../ports.js';

function file(overrides: Partial<FileRecord> = {}): FileRecord {
  return { id: randomUUID(), filename: 'a.wav', sizeBytes: 100, createdAt: new Date().toISOString(), clientReferenceId: null, ...overrides };
}

function transcription(overrides: Partial<TranscriptionRecord> = {}): TranscriptionRecord {
  return {
    id: randomUUID(), status: 'queued', createdAt: new Date().toISOString(), model: 'stt-async-v4',
    audioUrl: null, fileId: randomUUID(), filename: 'a.wav', languageHints: null, languageHintsStrict: null,
    enableSpeakerDiarization: false, enableLanguageIdentification: false, translation: null, context: null,
    audioDurationMs: null, errorType: null, errorMessage: null, webhookUrl: null, webhookAuthHeaderName: null,
    webhookAuthHeaderValue: null, webhookStatusCode: null, clientReferenceId: null, ...overrides,
  };
}

const roomy = { maxPending: 100, maxTotal: 100 };

export function storageContract(name: string, open: () => Promise<{ storage: Storage; dispose(): Promise<void> }>): void {
  describe(`${name} storage contract`, () => {
    let storage: Storage;
    let dispose: () => Promise<void>;
    beforeEach(async () => ({ storage, dispose } = await open()));
    afterEach(() => dispose());

    it('refuses files beyond the count and byte quotas without storing them', async () => {
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 60 }), { maxFiles: 2, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 60 }), { maxFiles: 2, maxBytes: 100 }), 'max_storage');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 10 }), { maxFiles: 2, maxBytes: 100 }), 'ok');
      assert.equal(await storage.files.insertWithinQuota(file({ sizeBytes: 1 }), { maxFiles: 2, maxBytes: 100 }), 'max_files');
      assert.deepEqual(await storage.files.usage(), { files: 2, bytes: 70 });
    });

    it('pages newest first with keyset positions that survive deletions', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const f = file();
        ids.push(f.id);
        await storage.files.insertWithinQuota(f, { maxFiles: 10, maxBytes: 1e9 });
      }
      const first = await storage.files.list({ limit: 2, after: null, maxBytes: 1e9 });
      assert.deepEqual(first.items.map((f) => f.id), [ids[4], ids[3]]);
      assert.notEqual(first.nextAfter, null);
      await storage.files.delete(ids[4]!);
      await storage.files.delete(ids[3]!);
      const second = await storage.files.list({ limit: 2, after: first.nextAfter, maxBytes: 1e9 });
      assert.deepEqual(second.items.map((f) => f.id), [ids[2], ids[1]]);
      const last = await storage.files.list({ limit: 2, after: second.nextAfter, maxBytes: 1e9 });
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
        const page: Page<TranscriptionRecord> = await storage.transcriptions.list({ limit: 1000, after, maxBytes: 25_000 });
        assert.ok(page.items.length >= 1 && page.items.length <= 2, `a page of ${page.items.length}`);
        seen.push(...page.items.map((t) => t.id));
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      assert.deepEqual(seen, [...ids].reverse());
      const tiny = await storage.transcriptions.list({ limit: 1000, after: null, maxBytes: 1 });
      assert.equal(tiny.items.length, 1);
      assert.notEqual(tiny.nextAfter, null);
      const files = [file(), file(), file()];
      for (const f of files) await storage.files.insertWithinQuota(f, { maxFiles: 10, maxBytes: 1e9 });
      const filePage = await storage.files.list({ limit: 1000, after: null, maxBytes: 1 });
      assert.deepEqual(filePage.items.map((f) => f.id), [files[2]!.id]);
      assert.notEqual(filePage.nextAfter, null);
    });

    it('queues a transcription with its job; claiming marks it processing; it cannot be deleted then', async () => {
      const t = transcription();
      assert.equal(await storage.transcriptions.insertQueued(t, roomy), 'ok');
      const job = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(job?.transcriptionId, t.id);
      assert.equal(job?.attempt, 1);
      assert.equal((await storage.transcriptions.get(t.id))?.status, 'processing');
      assert.equal(await storage.transcriptions.delete(t.id), 'processing');
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
    });

    it('requeues jobs interrupted by a crash and counts the attempts', async () => {
      const t = transcription();
      await storage.transcriptions.insertQueued(t, roomy);
      await storage.jobs.claim('transcribe', Date.now());
      assert.equal(await storage.jobs.recoverInterrupted(), 1);
      assert.equal((await storage.transcriptions.get(t.id))?.status, 'queued');
      assert.equal((await storage.jobs.claim('transcribe', Date.now()))?.attempt, 2);
    });

    it('requeues an active job, counting its attempt or not', async () => {
      const t = transcription();
      await storage.transcriptions.insertQueued(t, roomy);
      const first = await storage.jobs.claim('transcribe', Date.now());
      await storage.jobs.requeue(first!.id, { runAtMs: 0, countAttempt: false });
      assert.equal((await storage.transcriptions.get(t.id))?.status, 'queued');
      const second = await storage.jobs.claim('transcribe', Date.now());
      assert.equal(second?.attempt, 1);
      assert.equal((await storage.transcriptions.get(t.id))?.status, 'processing');
      const later = Date.now() + 60_000;
      await storage.jobs.requeue(second!.id, { runAtMs: later, countAttempt: true });
      assert.equal(await storage.jobs.claim('transcribe', Date.now()), null);
      assert.equal((await storage.jobs.claim('transcribe', later))?.attempt, 2);
    });

    it('leaves a job alone when asked to requeue it after it ended', async () => {
      const t = transcription();
      await storage.transcriptions.insertQueued(t, roomy);
      const job = await storage.jobs.claim('transcribe', Date.now());
      await storage.transcriptions.fail(t.id, 'internal_error', 'x');
      await storage.jobs.requeue(job!.id, { runAtMs: 0, countAttempt: false });
      assert.equal((await storage.transcriptions.get(t.id))?.status, 'error');
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
      await storage.jobs.claim('transcribe', Date.now());
      await storage.transcriptions.complete(t.id, { text: 'Hi.', tokens: [{ text: 'Hi', confidence: 1, startMs: 0, endMs: 10 }] }, 1234);
      const done = await storage.transcriptions.get(t.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.audioDurationMs, 1234);
      assert.equal((await storage.transcriptions.getTranscript(t.id))?.text, 'Hi.');
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
      assert.equal(await storage.transcriptions.count(), 2);
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
  });
}
