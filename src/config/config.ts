import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseCidr, type Cidr } from '../lib/outbound-address-policy.js';
import { ENGINE_IDS, type EngineSettings } from '../pipeline/engines/engine-settings.js';
import { resolveSherpaModel } from '../pipeline/engines/sherpa-onnx/model-files.js';
import { ModelDirectoryError } from '../services/speech-models/installed-models.js';
import { isKnownLanguageCode } from '../services/models/model-catalog.js';
import { VOICE_DETECTORS, type VoiceDetector } from '../pipeline/segmentation/speech-classifier.js';
import { WORKER_START_TIMEOUT_MS } from '../jobs/worker-process.js';

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
  /** A list page stops before its records pass this size; `next_page_cursor` continues. */
  maxListPageBytes: number;
}

export interface WebhookSettings {
  attempts: number;
  timeoutMs: number;
  backoffMs: number;
}

/** The real-time WebSocket API (API.md §5, §7.12; docs/security/realtime.md). */
export interface RealtimeSettings {
  /**
   * Sessions open at once over all keys: what the server can run; one more is refused with 429.
   * `auto`: as many as the real-time workers' start-up measurement says this machine can serve.
   */
  maxConcurrentSessions: number | 'auto';
  /** Sessions open at once per key (a temporary key counts as the key that minted it); one more gets 429. */
  maxSessionsPerKey: number;
  /** Sessions started per key per sliding minute, counted after authentication; more get 429. */
  requestsPerMinute: number;
  /** Real-time recognition worker processes. */
  workers: number;
  /** Decoders built at start, ahead of the sessions that will need them (≈95 MB each). */
  warmDecoders: number;
  /** Time allowed between the connection and the start message. */
  startTimeoutMs: number;
  /** A session with neither audio nor keepalive for this long ends with 408, also while its input is paused. */
  idleTimeoutMs: number;
  /** Results queued for a client beyond what the network took; above this, input pauses and results coalesce. */
  maxUnreadBytes: number;
  /** A client whose queued results stay above `maxUnreadBytes` this long has stopped reading: 408, closed. */
  unreadTimeoutMs: number;
  /**
   * A socket that sends keepalives before its start message (pre-connected, as SDK pools keep them)
   * restarts `startTimeoutMs` with each one, and may wait this long in all.
   */
  preConnectMaxMs: number;
  /** Pre-connected sockets at once per client address (IPv6: per /64), from their first keepalive; one more gets 429. */
  maxPreConnectedPerAddress: number;
  /** The same over all addresses. */
  maxPreConnected: number;
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

/** Bounds on HTTP connections and requests (docs/security/http.md). */
export interface HttpSettings {
  /** Proxies whose X-Forwarded-For/-Host/-Proto are believed: addresses and CIDRs; empty trusts none. */
  trustedProxies: string[];
  /** Time allowed for a request's line and headers to arrive. */
  headersTimeoutMs: number;
  /** Time allowed for a whole request, body included (0: no limit). */
  requestTimeoutMs: number;
  /** A connection with no byte in either direction for this long is closed. */
  idleTimeoutMs: number;
  /** Time an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** A request body must arrive at this average rate over each idle-timeout period. */
  minBodyBytesPerSecond: number;
  /** Open connections per client address (trusted proxies are exempt). */
  maxConnectionsPerAddress: number;
  /** Open connections in all. */
  maxConnections: number;
}

/** Speech models for sherpa-onnx (`hark models`). */
export interface ModelSettings {
  /** HARK_MODEL_MIRROR: base URL `hark models pull` fetches archives from instead of the official release. */
  mirror: string | null;
}

/** What one process of a cluster does (README, "Running several nodes"). */
export type NodeRole = 'api' | 'worker' | 'all';
export const NODE_ROLES: readonly NodeRole[] = ['api', 'worker', 'all'];

export interface Config {
  /** HARK_ROLE: `api` serves REST, the web app and live sessions; `worker` runs async jobs; `all` both. */
  role: NodeRole;
  host: string;
  port: number;
  dataDir: string;
  /** HARK_BLOB_DIR: uploaded bytes, on a volume every node mounts; null: `<dataDir>/blobs`. */
  blobDir: string | null;
  /** HARK_DATABASE_URL: a postgres:// URL puts metadata and the job queue in PostgreSQL; null keeps SQLite in the data dir. */
  databaseUrl: string | null;
  /** Long-lived keys from HARK_API_KEYS; empty means "generate one on first start". */
  apiKeys: string[];
  /** Base URL clients reach this server at; used for temporary file URLs. */
  publicUrl: string | null;
  workers: number;
  /** Nice value of the recognition workers and their ffmpeg (0–19): batch work yields the CPUs to the server. */
  workerNice: number;
  /** A recognition worker (async or real-time) that has not loaded its engine within this is killed, and its pool fails as for an engine that cannot load. */
  workerStartTimeoutMs: number;
  /** The speech engine of async jobs and of live sessions' final pass (HARK_ENGINE). */
  engine: EngineSettings;
  /** What tells speech from pauses, in async segmentation and real-time endpointing (HARK_VAD). */
  vad: VoiceDetector;
  audioUrlTimeoutMs: number;
  webhook: WebhookSettings;
  limits: Limits;
  realtime: RealtimeSettings;
  translation: TranslationEngineSettings;
  auth: AuthSettings;
  outbound: OutboundSettings;
  http: HttpSettings;
  models: ModelSettings;
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

/** Comma list of IP addresses and CIDRs, as `trustProxy` takes them. */
function addressList(env: Env, name: string): string[] {
  const entries = (env[name] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const invalid = entries.find((entry) => parseCidr(entry) === null);
  if (invalid !== undefined) throw new ConfigError(`${name} must list IP addresses or CIDRs, got "${invalid}"`);
  return entries;
}

/** HARK_MODEL_MIRROR, checked. */
export function modelSettings(env: Env = process.env): ModelSettings {
  const mirror = env.HARK_MODEL_MIRROR?.trim() || null;
  if (mirror !== null && !/^https?:\/\/[^/]/.test(mirror)) throw new ConfigError(`HARK_MODEL_MIRROR must be an http(s) URL, got "${mirror}"`);
  return { mirror: mirror === null ? null : mirror.replace(/\/+$/, '') };
}

/** HARK_DATA_DIR as an absolute path (default ./data). */
/**
 * The nice value recognition workers set for themselves (`HARK_WORKER_NICE`, default 10). Read by the
 * workers from the environment they inherit; validated at start through {@link loadConfig}.
 *
 * @throws {ConfigError} unless an integer from 0 to 19.
 */
export function workerNiceSetting(env: Env = process.env): number {
  const nice = int(env, 'HARK_WORKER_NICE', 10, 0);
  if (nice > 19) throw new ConfigError(`HARK_WORKER_NICE must be an integer from 0 to 19, got "${env.HARK_WORKER_NICE}"`);
  return nice;
}

export function dataDirSetting(env: Env = process.env): string {
  return resolve(env.HARK_DATA_DIR || 'data');
}

/** HARK_ENGINE=sherpa-onnx: HARK_ENGINE_MODEL names an installed model or a model directory. */
function sherpaOnnxSettings(env: Env, dataDir: string): EngineSettings {
  const model = env.HARK_ENGINE_MODEL?.trim();
  if (!model) throw new ConfigError('HARK_ENGINE=sherpa-onnx needs HARK_ENGINE_MODEL: an installed model id ("hark models list") or a model directory');
  try {
    return { id: 'sherpa-onnx', model: resolveSherpaModel(model, dataDir) };
  } catch (err) {
    if (err instanceof ModelDirectoryError) throw new ConfigError(`HARK_ENGINE_MODEL: ${err.message}`);
    throw err;
  }
}

/** HARK_ENGINE and the chosen engine's own variables (README, "Using a better recogniser"). */
function engineSettings(env: Env, dataDir: string): EngineSettings {
  const id = env.HARK_ENGINE || 'pocketsphinx';
  if (id === 'pocketsphinx') return { id };
  if (id === 'sherpa-onnx') return sherpaOnnxSettings(env, dataDir);
  if (id !== 'openai') throw new ConfigError(`HARK_ENGINE must be one of ${ENGINE_IDS.join(', ')}, got "${id}"`);
  const rawUrl = env.HARK_ENGINE_URL ?? '';
  const url = URL.canParse(rawUrl) ? new URL(rawUrl) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`HARK_ENGINE=openai needs HARK_ENGINE_URL, an http(s) base URL like http://127.0.0.1:8000/v1, got "${rawUrl}"`);
  }
  const languages = (env.HARK_ENGINE_LANGUAGES || 'en').split(',').map((l) => l.trim().toLowerCase()).filter((l) => l !== '');
  const invalid = languages.find((l) => !isKnownLanguageCode(l));
  if (invalid !== undefined || languages.length === 0) {
    throw new ConfigError(`HARK_ENGINE_LANGUAGES must list ISO 639-1 codes Hark knows, like en,de,fr; "${invalid ?? ''}" is not one`);
  }
  return {
    id,
    url: url.href.replace(/\/+$/, ''),
    apiKey: env.HARK_ENGINE_API_KEY || null,
    model: env.HARK_ENGINE_MODEL || 'whisper-1',
    languages: [...new Set(languages)],
    concurrency: int(env, 'HARK_ENGINE_CONCURRENCY', 4, 1),
    timeoutMs: int(env, 'HARK_ENGINE_TIMEOUT_MS', 120_000, 1),
    retries: int(env, 'HARK_ENGINE_RETRIES', 2, 0),
    backoffMs: int(env, 'HARK_ENGINE_BACKOFF_MS', 500, 0),
  };
}

function nodeRole(env: Env): NodeRole {
  const raw = env.HARK_ROLE || 'all';
  const known = NODE_ROLES.find((role) => role === raw);
  if (known === undefined) throw new ConfigError(`HARK_ROLE must be one of ${NODE_ROLES.join(', ')}, got "${raw}"`);
  return known;
}

function voiceDetector(env: Env): VoiceDetector {
  const raw = env.HARK_VAD || 'energy';
  const known = VOICE_DETECTORS.find((name) => name === raw);
  if (known === undefined) throw new ConfigError(`HARK_VAD must be one of ${VOICE_DETECTORS.join(', ')}, got "${raw}"`);
  return known;
}

/** HARK_DATABASE_URL, when set: a postgres:// or postgresql:// URL. */
export function databaseUrlSetting(env: Env = process.env): string | null {
  const raw = env.HARK_DATABASE_URL?.trim();
  if (!raw) return null;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  if (!url || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || !url.hostname) {
    // The URL may hold a password: the message shows its scheme only.
    throw new ConfigError(`HARK_DATABASE_URL must be a postgres:// or postgresql:// URL with a host, got one starting "${raw.split(':')[0]}:"`);
  }
  return raw;
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
  const headersTimeoutMs = int(env, 'HARK_HTTP_HEADERS_TIMEOUT_MS', 30_000, 1);
  const requestTimeoutMs = int(env, 'HARK_HTTP_REQUEST_TIMEOUT_MS', 4 * 60 * 60_000, 0);
  // Node refuses a header timeout longer than the whole-request one.
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('HARK_HTTP_HEADERS_TIMEOUT_MS must not exceed HARK_HTTP_REQUEST_TIMEOUT_MS');
  }
  return {
    role: nodeRole(env),
    host: env.HARK_HOST || '0.0.0.0',
    port: int(env, 'HARK_PORT', 8080),
    dataDir: dataDirSetting(env),
    blobDir: env.HARK_BLOB_DIR ? resolve(env.HARK_BLOB_DIR) : null,
    databaseUrl: databaseUrlSetting(env),
    apiKeys,
    publicUrl: env.HARK_PUBLIC_URL ? env.HARK_PUBLIC_URL.replace(/\/+$/, '') : null,
    workers: int(env, 'HARK_WORKERS', availableParallelism(), 1),
    workerNice: workerNiceSetting(env),
    workerStartTimeoutMs: int(env, 'HARK_WORKER_START_TIMEOUT_MS', WORKER_START_TIMEOUT_MS, 1),
    engine: engineSettings(env, dataDirSetting(env)),
    vad: voiceDetector(env),
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
      maxListPageBytes: int(env, 'HARK_MAX_LIST_PAGE_BYTES', 262_144, 1),
    },
    realtime: {
      maxConcurrentSessions: env.HARK_MAX_CONCURRENT_SESSIONS === 'auto' || !env.HARK_MAX_CONCURRENT_SESSIONS
        ? 'auto'
        : int(env, 'HARK_MAX_CONCURRENT_SESSIONS', 10, 1),
      maxSessionsPerKey: int(env, 'HARK_MAX_SESSIONS_PER_KEY', 10, 1),
      requestsPerMinute: int(env, 'HARK_REQUESTS_PER_MINUTE', 100, 1),
      workers: int(env, 'HARK_REALTIME_WORKERS', availableParallelism(), 1),
      warmDecoders: int(env, 'HARK_REALTIME_WARM_DECODERS', 8, 0),
      startTimeoutMs: int(env, 'HARK_REALTIME_START_TIMEOUT_MS', 10_000, 1),
      idleTimeoutMs: int(env, 'HARK_REALTIME_IDLE_TIMEOUT_MS', 20_000, 1),
      maxUnreadBytes: int(env, 'HARK_REALTIME_MAX_UNREAD_BYTES', 1_048_576, 1),
      unreadTimeoutMs: int(env, 'HARK_REALTIME_UNREAD_TIMEOUT_MS', 30_000, 1),
      preConnectMaxMs: int(env, 'HARK_REALTIME_PRECONNECT_MAX_MS', 15 * 60_000, 1),
      maxPreConnectedPerAddress: int(env, 'HARK_REALTIME_MAX_PRECONNECTED_PER_ADDRESS', 20, 1),
      maxPreConnected: int(env, 'HARK_REALTIME_MAX_PRECONNECTED', 200, 1),
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
    http: {
      trustedProxies: addressList(env, 'HARK_TRUSTED_PROXIES'),
      headersTimeoutMs,
      requestTimeoutMs,
      idleTimeoutMs: int(env, 'HARK_HTTP_IDLE_TIMEOUT_MS', 60_000, 1),
      keepAliveTimeoutMs: int(env, 'HARK_HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, 1),
      minBodyBytesPerSecond: int(env, 'HARK_HTTP_MIN_BODY_BYTES_PER_SECOND', 1024, 0),
      maxConnectionsPerAddress: int(env, 'HARK_HTTP_MAX_CONNECTIONS_PER_ADDRESS', 128, 1),
      maxConnections: int(env, 'HARK_HTTP_MAX_CONNECTIONS', 1024, 1),
    },
    models: modelSettings(env),
    shutdownGraceMs: int(env, 'HARK_SHUTDOWN_GRACE_MS', 30_000, 0),
    logLevel: env.HARK_LOG_LEVEL || 'info',
  };
}
