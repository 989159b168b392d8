import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseCidr, type Cidr } from '../lib/outbound-address-policy.js';

/** Limits of the contract (API.md §5), each overridable by an environment variable. */
export interface Limits {
  maxFileSizeBytes: number;
  maxFiles: number;
  maxStorageBytes: number;
  maxAudioDurationMs: number;
  maxPendingTranscriptions: number;
  maxTranscriptions: number;
  maxContextChars: number;
  maxAudioUrlDownloadBytes: number;
}

export interface WebhookSettings {
  attempts: number;
  timeoutMs: number;
  backoffMs: number;
}

/** The real-time WebSocket API (API.md §5, §7.12). */
export interface RealtimeSettings {
  /** Sessions open at once; one more is refused with 429. */
  maxConcurrentSessions: number;
  /** Sessions started per sliding minute; more are refused with 429. */
  requestsPerMinute: number;
  /** Worker threads for provisional results, and as many again for final results. */
  workers: number;
  /** Time allowed between the connection and the start message. */
  startTimeoutMs: number;
  /** A session with neither audio nor keepalive for this long ends with 408. */
  idleTimeoutMs: number;
}

/** Translation through Apertium APy. */
export interface TranslationEngineSettings {
  /** An APy server to use instead of starting one (HARK_APERTIUM_URL); null: Hark runs its own. */
  apertiumUrl: string | null;
  /** Where the APy Hark runs finds its language pairs (`.mode` files). */
  apertiumPairsDir: string;
}

/** Failed authentications, counted per client address (docs/security.md). */
export interface AuthSettings {
  /** Failures per address per minute answered 401; more get 429. Valid keys are never refused. */
  failuresPerMinute: number;
}

/** Where `audio_url` downloads and webhook deliveries may connect (docs/security/outbound.md). */
export interface OutboundSettings {
  /** Connected to although refused by default (HARK_OUTBOUND_ALLOW_CIDRS); wins over the deny list. */
  allowCidrs: readonly Cidr[];
  /** Refused besides loopback, unspecified, link-local and cloud metadata (HARK_OUTBOUND_DENY_CIDRS). */
  denyCidrs: readonly Cidr[];
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Long-lived keys from HARK_API_KEYS; empty means "generate one on first start". */
  apiKeys: string[];
  /** Base URL clients reach this server at; used for temporary file URLs. */
  publicUrl: string | null;
  workers: number;
  audioUrlTimeoutMs: number;
  webhook: WebhookSettings;
  limits: Limits;
  realtime: RealtimeSettings;
  translation: TranslationEngineSettings;
  auth: AuthSettings;
  outbound: OutboundSettings;
  /** SIGTERM lets uploads, REST calls, running jobs and live sessions finish for this long. */
  shutdownGraceMs: number;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function cidrs(env: Env, name: string): Cidr[] {
  return (env[name] ?? '')
    .split(',')
    .filter((item) => item.trim() !== '')
    .map((item) => {
      const cidr = parseCidr(item);
      if (!cidr) throw new ConfigError(`${name} must be a comma-separated list of CIDRs like 127.0.0.0/8,::1/128, got "${item.trim()}"`);
      return cidr;
    });
}

/**
 * Reads the configuration from environment variables once at boot.
 * @throws ConfigError when a variable is present but malformed.
 */
export function loadConfig(env: Env = process.env): Config {
  const apiKeys = (env.HARK_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
  for (const key of apiKeys) {
    if (key.startsWith('temp:')) throw new ConfigError('HARK_API_KEYS must not contain temp: keys');
  }
  return {
    host: env.HARK_HOST || '0.0.0.0',
    port: int(env, 'HARK_PORT', 8080),
    dataDir: resolve(env.HARK_DATA_DIR || 'data'),
    apiKeys,
    publicUrl: env.HARK_PUBLIC_URL ? env.HARK_PUBLIC_URL.replace(/\/+$/, '') : null,
    workers: int(env, 'HARK_WORKERS', availableParallelism(), 1),
    audioUrlTimeoutMs: int(env, 'HARK_AUDIO_URL_TIMEOUT_MS', 120_000, 1),
    webhook: {
      attempts: int(env, 'HARK_WEBHOOK_ATTEMPTS', 5, 1),
      timeoutMs: int(env, 'HARK_WEBHOOK_TIMEOUT_MS', 10_000, 1),
      backoffMs: int(env, 'HARK_WEBHOOK_BACKOFF_MS', 1_000, 0),
    },
    limits: {
      maxFileSizeBytes: int(env, 'HARK_MAX_FILE_SIZE', 1_073_741_824, 1),
      maxFiles: int(env, 'HARK_MAX_FILES', 1_000, 1),
      maxStorageBytes: int(env, 'HARK_MAX_STORAGE_BYTES', 10_000_000_000, 1),
      maxAudioDurationMs: int(env, 'HARK_MAX_AUDIO_DURATION_MS', 300 * 60_000, 1),
      maxPendingTranscriptions: int(env, 'HARK_MAX_PENDING_TRANSCRIPTIONS', 100, 1),
      maxTranscriptions: int(env, 'HARK_MAX_TRANSCRIPTIONS', 2_000, 1),
      maxContextChars: int(env, 'HARK_MAX_CONTEXT_CHARS', 20_000, 1),
      maxAudioUrlDownloadBytes: int(env, 'HARK_MAX_AUDIO_URL_BYTES', 1_073_741_824, 1),
    },
    realtime: {
      maxConcurrentSessions: int(env, 'HARK_MAX_CONCURRENT_SESSIONS', 10, 1),
      requestsPerMinute: int(env, 'HARK_REQUESTS_PER_MINUTE', 100, 1),
      workers: int(env, 'HARK_REALTIME_WORKERS', availableParallelism(), 1),
      startTimeoutMs: int(env, 'HARK_REALTIME_START_TIMEOUT_MS', 10_000, 1),
      idleTimeoutMs: int(env, 'HARK_REALTIME_IDLE_TIMEOUT_MS', 20_000, 1),
    },
    translation: {
      apertiumUrl: env.HARK_APERTIUM_URL ? env.HARK_APERTIUM_URL.replace(/\/+$/, '') : null,
      apertiumPairsDir: env.HARK_APERTIUM_PAIRS_DIR || '/usr/share/apertium/modes',
    },
    auth: {
      failuresPerMinute: int(env, 'HARK_AUTH_FAILURES_PER_MINUTE', 30, 1),
    },
    outbound: {
      allowCidrs: cidrs(env, 'HARK_OUTBOUND_ALLOW_CIDRS'),
      denyCidrs: cidrs(env, 'HARK_OUTBOUND_DENY_CIDRS'),
    },
    shutdownGraceMs: int(env, 'HARK_SHUTDOWN_GRACE_MS', 30_000, 0),
    logLevel: env.HARK_LOG_LEVEL || 'info',
  };
}
