import { ConfigError, loadConfig } from './config/config.js';
import { verifyEngine } from './pipeline/engines/engine-registry.js';
import { openLiveRecognition, openRecognition } from './recognition.js';
import { SileroModel } from './pipeline/segmentation/silero-model.js';
import { createServer } from './server.js';
import { openTranslation } from './translation.js';

/**
 * Closing what is left after the grace period (webhook deliveries in flight
 * aside) may take this long; then the process gives up and exits 1. Jobs are
 * durable: whatever was cut short resumes at the next start.
 */
const CLOSE_BOUND_MS = 10_000;

/** Process entry: read config, build, listen, close cleanly on signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  // An engine whose library ends the process on a bad model is tried once, in a child, first.
  await verifyEngine(config.engine);
  // Loaded now, so a broken install fails at start and no session waits for it.
  if (config.vad === 'silero') SileroModel.get();
  // Both load models; neither depends on the other.
  // A worker serves no live sessions; an api node keeps its batch pool for the synchronous OpenAI-style route.
  const [recognition, translation, liveRecognition] = await Promise.all([
    openRecognition(config.workers, config.engine, config.vad, config.workerStartTimeoutMs),
    openTranslation(config.translation),
    config.role === 'worker' ? null : openLiveRecognition(config.realtime.workers, config.realtime.warmDecoders, config.engine, config.workerStartTimeoutMs),
  ]);
  const server = await createServer(config, recognition, translation, liveRecognition);
  await server.app.listen({ host: config.host, port: config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = config.publicUrl ?? `http://${host}:${port}`;
  if (config.role === 'worker') {
    process.stdout.write(
      ['Hark worker is running (async jobs and webhooks; no API)', `  Health:     http://${host}:${port}/health`, `  Data dir:   ${config.dataDir}`, ''].join('\n'),
    );
  } else {
    const keyLine =
      config.apiKeys.length > 0 ? 'API key:    (from HARK_API_KEYS)' : `API key:    ${server.keys.displayKeys[0]}`;
    const wsUrl = `${base.replace(/^http/, 'ws')}/transcribe-websocket`;
    process.stdout.write(
      [
        'Hark is listening',
        `  REST API:   ${base}   (SONIOX_API_BASE_URL)`,
        `  WebSocket:  ${wsUrl}   (SONIOX_WS_URL)`,
        `  Web app:    ${base}/`,
        `  ${keyLine}`,
        `  Data dir:   ${config.dataDir}`,
        translation.unavailable === null
          ? `  Translation: Apertium, ${translation.pairs.map((p) => `${p.source}→${p.target}`).join(' ')}`
          : `  Translation: unavailable (${translation.unavailable})`,
        // Each client's own form: the Python SDK wants /v1 on its REST base and the full WebSocket URL.
        '  Clients:',
        `    Node SDK:    new SonioxNodeClient({ base_url: '${base}', realtime: { ws_base_url: '${wsUrl}' } })`,
        `    Python SDK:  SonioxClient(api_base_url="${base}/v1", websocket_base_url="${wsUrl}")`,
        `    Environment: SONIOX_API_BASE_URL=${base} SONIOX_WS_URL=${wsUrl}`,
        ...(config.role === 'api' ? ['  Role:       api (async jobs run on worker nodes)'] : []),
        '',
      ].join('\n'),
    );
  }

  // First signal: drain for the grace period. Second: end the grace now. Third: exit at once.
  let signals = 0;
  let deadline: NodeJS.Timeout | null = null;
  const exitAfter = (ms: number) => {
    if (deadline) clearTimeout(deadline);
    deadline = setTimeout(() => {
      server.app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, ms);
    deadline.unref();
  };
  const shutdown = (signal: string) => {
    signals++;
    const closeBoundMs = config.webhook.timeoutMs + CLOSE_BOUND_MS;
    if (signals === 1) {
      server.app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: draining');
      exitAfter(config.shutdownGraceMs + closeBoundMs);
      server.close(config.shutdownGraceMs).then(
        () => {
          server.app.log.info('shut down');
          process.exit(0);
        },
        (err: unknown) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    } else if (signals === 2) {
      server.app.log.warn({ signal }, 'second signal: ending the shutdown grace period now');
      exitAfter(closeBoundMs);
      server.endGrace();
    } else {
      server.app.log.warn({ signal }, 'third signal: exiting without closing');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  const plain = err instanceof ConfigError || (err instanceof Error && err.name === 'ModelLoadError');
  process.stderr.write(`hark: ${plain ? (err as Error).message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
