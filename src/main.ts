import { ConfigError, loadConfig } from './config/config.js';
import { openRecognition } from './recognition.js';
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
  // Loaded now, so a broken install fails at start and no session waits for it.
  if (config.vad === 'silero') SileroModel.get();
  // Both load models; neither depends on the other.
  const [recognition, translation] = await Promise.all([openRecognition(config.workers, config.vad), openTranslation(config.translation)]);
  const server = await createServer(config, recognition, translation);
  await server.app.listen({ host: config.host, port: config.port });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const base = config.publicUrl ?? `http://${host}:${port}`;
  const keyLine =
    config.apiKeys.length > 0 ? 'API key:    (from HARK_API_KEYS)' : `API key:    ${server.keys.displayKeys[0]}`;
  process.stdout.write(
    [
      'Hark is listening',
      `  REST API:   ${base}   (SONIOX_API_BASE_URL)`,
      `  WebSocket:  ${base.replace(/^http/, 'ws')}/transcribe-websocket   (SONIOX_WS_URL)`,
      `  Web app:    ${base}/`,
      `  ${keyLine}`,
      `  Data dir:   ${config.dataDir}`,
      translation.unavailable === null
        ? `  Translation: Apertium, ${translation.pairs.map((p) => `${p.source}→${p.target}`).join(' ')}`
        : `  Translation: unavailable (${translation.unavailable})`,
      '',
    ].join('\n'),
  );

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
  process.stderr.write(`hark: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
