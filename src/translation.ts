import { ApertiumTranslator } from './pipeline/translation/apertium/apertium-translator.js';
import { ApyClient } from './pipeline/translation/apertium/apy-client.js';
import { ApyServer } from './pipeline/translation/apertium/apy-server.js';
import type { LanguagePair, Translator } from './pipeline/translation/translator.js';
import type { TranslationEngineSettings } from './config/config.js';

/** Longest wait for one translation (APy's own limit is 10 s too). */
const REQUEST_TIMEOUT_MS = 10_000;

/** Where the supervised APy's deaths and restarts are reported. */
export interface TranslationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The translation side of the server. */
export interface Translation {
  /** Null when no engine could be started. */
  translator: Translator | null;
  /** Installed directions, looked up once at start; empty when translation is unavailable. */
  pairs: LanguagePair[];
  /** Why translation is unavailable (for the start-up banner); null when it is available. */
  unavailable: string | null;
  /** Reports the supervised APy's deaths and restarts to `log`. */
  watch(log: TranslationLog): void;
  close(): Promise<void>;
}

/**
 * The embedded default: Apertium through one APy server that Hark starts and
 * supervises, or the external APy at `settings.apertiumUrl`. Never rejects:
 * when APy cannot be started or reached, or has no pair, the server runs
 * without translation.
 *
 * @example
 * const translation = await openTranslation({ apertiumUrl: null, apertiumPairsDir: '/usr/share/apertium/modes' });
 * translation.unavailable ?? translation.pairs // [{ source: 'en', target: 'es' }, …]
 */
export async function openTranslation(settings: TranslationEngineSettings): Promise<Translation> {
  const server = settings.apertiumUrl === null ? new ApyServer({ pairsDir: settings.apertiumPairsDir }) : null;
  const endpoint = server ? (signal: AbortSignal) => server.url(signal) : () => Promise.resolve(settings.apertiumUrl!);
  const translator = new ApertiumTranslator(new ApyClient(endpoint, REQUEST_TIMEOUT_MS));
  const base = {
    watch(log: TranslationLog) {
      server?.on('serving', (info) => log.info(info, 'Apertium APy is serving'));
      server?.on('died', (info) => log.warn(info, 'Apertium APy died; restarting it'));
      server?.on('restart-failed', (info) => log.warn(info, 'Apertium APy did not restart; trying again'));
    },
    close: async () => server?.close(),
  };
  try {
    await server?.start();
    const pairs = await translator.pairs();
    return { ...base, translator, pairs, unavailable: pairs.length > 0 ? null : 'no Apertium language pair is installed' };
  } catch (err) {
    await server?.close();
    return { ...base, translator: null, pairs: [], unavailable: (err as Error).message };
  }
}
