import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { JobRunner, type AudioTranscriber, type DurationProbe } from './jobs/job-runner.js';
import { OutboundAddressPolicy } from './lib/outbound-address-policy.js';
import { RealtimeRecognitionPool } from './jobs/realtime-recognition-pool.js';
import { FileService } from './services/files/file-service.js';
import { KeyService } from './services/keys/key-service.js';
import { ModelCatalog } from './services/models/model-catalog.js';
import { RealtimeService } from './services/realtime/realtime-service.js';
import { TranscriptionService } from './services/transcriptions/transcription-service.js';
import { TranslationService } from './services/translation/translation-service.js';
import { SentenceLanguageIdentifier } from './pipeline/language/language-identifier.js';
import { TranslationPairs } from './pipeline/translation/translation-pairs.js';
import type { Translation } from './translation.js';
import { openSqliteStorage } from './storage/sqlite/sqlite-storage.js';

/** The recognition side: an engine pool that runs off the main thread. */
export interface Recognition extends AudioTranscriber {
  readonly languages: readonly string[];
  probeDurationMs: DurationProbe;
  close(): Promise<void>;
}

export interface RunningServer {
  app: FastifyInstance;
  keys: KeyService;
  runner: JobRunner;
  close(): Promise<void>;
}

/**
 * Opens storage, repairs what a crash left behind, starts the job runner and
 * builds the HTTP app. The caller decides whether and where to listen.
 * Real-time recognition threads start with the first WebSocket session.
 */
export async function createServer(
  config: Config,
  recognition: Recognition,
  translation: Translation,
  liveRecognition = new RealtimeRecognitionPool({ workers: config.realtime.workers }),
): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const storage = await openSqliteStorage(config.dataDir);
  const keys = await KeyService.open(config.dataDir, config.apiKeys, storage.keys);
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
  const realtime = new RealtimeService(config.realtime, config.limits, keys, models, liveRecognition, languages);
  const app = await buildApp({
    config,
    keys,
    files,
    transcriptions,
    models,
    realtime,
    logger: { level: config.logLevel },
  });
  translation.watch(app.log);
  const repaired = await files.removeOrphans();
  if (repaired.blobs + repaired.records > 0) app.log.warn(repaired, 'removed files left incomplete by a crash');
  runner = new JobRunner(storage, files, recognition, recognition.probeDurationMs, config, app.log, languages);
  await runner.start();
  return {
    app,
    keys,
    runner,
    async close() {
      // Live sessions get their 503 before the WebSocket plugin closes the sockets.
      await realtime.close();
      await app.close();
      await runner!.stop();
      await liveRecognition.close();
      await recognition.close();
      await translation.close();
      await storage.close();
    },
  };
}
