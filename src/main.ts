import { ConfigError, loadConfig } from './config/config.js';
import { openRecognition } from './recognition.js';
import { createServer } from './server.js';
import { openTranslation } from './translation.js';

const SHUTDOWN_GRACE_MS = 10_000;

/** Process entry: read config, build, listen, close cleanly on signals. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Both load models; neither depends on the other.
  const [recognition, translation] = await Promise.all([openRecognition(config.workers), openTranslation(config.translation)]);
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

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.app.log.info({ signal }, 'shutting down');
    // Jobs are durable, so a close that hangs (a stuck client, a busy engine)
    // may be cut short: whatever was running resumes at the next start.
    setTimeout(() => {
      server.app.log.warn('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`hark: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
