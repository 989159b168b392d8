import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { JobRunner, type AudioTranscriber, type DurationProbe } from './jobs/job-runner.js';
import { OutboundAddressPolicy } from './lib/outbound-address-policy.js';
import { RealtimeRecognitionPool } from './jobs/realtime-recognition-pool.js';
import type { ClosableLiveRecognition } from './recognition.js';
import { FileService } from './services/files/file-service.js';
import { AuthFailureThrottle } from './services/keys/auth-failure-throttle.js';
import { KeyService } from './services/keys/key-service.js';
import { ProjectService } from './services/projects/project-service.js';
import { UsageService } from './services/usage/usage-service.js';
import { ModelCatalog } from './services/models/model-catalog.js';
import { RealtimeService } from './services/realtime/realtime-service.js';
import { TranscriptionService } from './services/transcriptions/transcription-service.js';
import { TranslationService } from './services/translation/translation-service.js';
import { SentenceLanguageIdentifier } from './pipeline/language/language-identifier.js';
import { TranslationPairs } from './pipeline/translation/translation-pairs.js';
import type { Translation } from './translation.js';
import { openStorage } from './storage/open-storage.js';
import { buildWorkerHealthApp } from './edge/http/worker-health.js';

/** The recognition side: an engine pool that runs off the main thread. */
export interface Recognition extends AudioTranscriber {
  readonly languages: readonly string[];
  probeDurationMs: DurationProbe;
  close(): Promise<void>;
}

export interface RunningServer {
  app: FastifyInstance;
  keys: KeyService;
  /** Null on an `api` node: it runs no async jobs. */
  runner: JobRunner | null;
  /**
   * Shuts down gracefully. New connections and new jobs are refused at once;
   * requests and uploads in progress, running jobs and live sessions go on
   * for up to `graceMs` (or until {@link endGrace}). Then live sessions end
   * with 503, jobs still running go back to the queue (the attempt not
   * counted), the connections left are cut and everything is closed.
   */
  close(graceMs?: number): Promise<void>;
  /** Ends the grace period of a shutdown in progress now (a second signal). */
  endGrace(): void;
}

/**
 * In a blob dir other nodes write to, start-up repair leaves files younger
 * than this alone: another node's upload in progress (its temp file is
 * written all along: the HTTP idle timeout cuts a stalled one) or bytes
 * committed whose record is being inserted.
 */
const SHARED_BLOB_REPAIR_GRACE_MS = 15 * 60_000;

/** After the grace period: time for sessions' 503 frames and close handshakes before their sockets are cut. */
const CLOSE_FLUSH_MS = 2_000;

/**
 * Opens storage, repairs what a crash left behind, starts the job runner and
 * builds the HTTP app. The caller decides whether and where to listen.
 * Real-time recognition workers start now: they measure the engine's speed
 * (logged) and build decoders ahead of the first sessions.
 *
 * The role decides what runs: an `api` node starts no job runner, a `worker`
 * node serves only `/health` and needs no live recognition (pass null).
 */
export async function createServer(
  config: Config,
  recognition: Recognition,
  translation: Translation,
  liveRecognition: ClosableLiveRecognition | null = new RealtimeRecognitionPool({
    workers: config.realtime.workers,
    warmDecoders: config.realtime.warmDecoders,
    startTimeoutMs: config.workerStartTimeoutMs,
  }),
): Promise<RunningServer> {
  const servesApi = config.role !== 'worker';
  const runsJobs = config.role !== 'api';
  await mkdir(config.dataDir, { recursive: true });
  // Heartbeats and queue upkeep run unawaited; their failures go to the app's log once it exists.
  let backgroundError = (_err: unknown) => {};
  const storage = await openStorage(config, (err) => backgroundError(err));
  // Other nodes may be writing to the blob dir: its repair spares what is fresh.
  const sharedBlobs = config.blobDir !== null || config.databaseUrl !== null;
  const projects = new ProjectService(storage.projects, storage.blobs, config.limits, config.realtime);
  const usage = new UsageService(storage.usage, storage.concurrency);
  const keys = await KeyService.open(
    config.dataDir,
    config.apiKeys,
    storage.keys,
    projects,
    ...(config.blobDir === null ? [] : [{ dir: config.blobDir, name: '.url-signing-secret' }]),
  );
  const files = new FileService(storage.files, storage.blobs, keys, config.limits);
  const models = new ModelCatalog(recognition.languages, new TranslationPairs(translation.pairs, recognition.languages));
  // Sentences the engine does not label are in its (first) language.
  const identifier = new SentenceLanguageIdentifier(recognition.languages[0] ?? 'en');
  const languages = new TranslationService(translation.translator, models.translation, identifier);
  let runner: JobRunner | null = null;
  const transcriptions = new TranscriptionService(
    storage.transcriptions,
    storage.files,
    models,
    config.limits,
    () => runner?.wake(),
    new OutboundAddressPolicy(config.outbound),
  );
  const authFailures = new AuthFailureThrottle(config.auth);
  const realtime = servesApi && liveRecognition ? new RealtimeService(
    { ...config.realtime, vad: config.vad },
    config.limits,
    keys,
    models,
    liveRecognition,
    languages,
    authFailures,
    projects,
    usage,
    storage.sessionLeases,
  ) : null;
  const app = servesApi ? await buildApp({
    config,
    keys,
    projects,
    usage,
    files,
    transcriptions,
    models,
    ...(realtime ? { realtime } : {}),
    authFailures,
    openAiAudio: {
      transcriber: recognition,
      usage,
      languages: recognition.languages,
      uploadDir: join(config.dataDir, 'tmp', 'openai-audio'),
    },
    logger: { level: config.logLevel },
  }) : await buildWorkerHealthApp(() => ({ runningJobs: runner?.runningJobs ?? 0 }), { level: config.logLevel });
  translation.watch(app.log);
  backgroundError = (err) => app.log.warn({ err }, 'background database work failed');
  const interrupted = await usage.closeInterrupted();
  if (interrupted > 0) app.log.warn({ sessions: interrupted }, 'usage of live sessions cut short by a crash recorded as interrupted');
  liveRecognition?.start();
  void liveRecognition?.calibration.then((calibration) => {
    if (calibration === null) return;
    const { audioMs, cpuMs, elapsedMs, realTimeFactor, otherThreads, capacity } = calibration;
    const limit = config.realtime.maxConcurrentSessions;
    app.log.info(
      {
        audioMs, cpuMs: Math.round(cpuMs), elapsedMs: Math.round(elapsedMs), realTimeFactor: Number(realTimeFactor.toFixed(3)),
        otherThreads: Number(otherThreads.toFixed(1)), capacity, maxConcurrentSessions: limit,
      },
      `real-time engine calibrated: ${capacity} concurrent session(s) at real-time pace${limit === 'auto' ? ' admitted' : `; ${limit} admitted (HARK_MAX_CONCURRENT_SESSIONS)`}`,
    );
  });
  const repaired = await files.removeOrphans(sharedBlobs ? SHARED_BLOB_REPAIR_GRACE_MS : 0);
  if (repaired.blobs + repaired.records > 0) app.log.warn(repaired, 'removed files left incomplete by a crash');
  if (runsJobs) {
    runner = new JobRunner(storage, files, recognition, recognition.probeDurationMs, config, app.log, languages);
    await runner.start();
  }
  // Upgraded (WebSocket) sockets leave the HTTP server's own tracking, so every socket is tracked here.
  const connections = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  let endGrace = () => {};
  return {
    app,
    keys,
    runner,
    endGrace: () => endGrace(),
    async close(graceMs = 0) {
      // Stops listening and closes idle keep-alive connections; busy ones close after their response.
      const connectionsEnded = new Promise<void>((resolve) => app.server.close(() => resolve()));
      const graceOver = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        endGrace = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const drained = Promise.all([connectionsEnded, runner?.drain()]).then(() => true);
      if (await Promise.race([drained, graceOver.then(() => false)])) app.log.info('drained: nothing left running');
      else {
        app.log.warn(
          { connections: connections.size, liveSessions: realtime?.openSessions ?? 0, runningJobs: runner?.runningJobs ?? 0 },
          'shutdown grace period over: ending live sessions and requeueing running jobs',
        );
      }
      endGrace();
      await realtime?.close();
      await runner?.stop();
      await Promise.race([connectionsEnded, delay(CLOSE_FLUSH_MS)]);
      for (const socket of connections) socket.destroy();
      await app.close();
      await liveRecognition?.close();
      await recognition.close();
      await translation.close();
      await storage.close();
    },
  };
}
