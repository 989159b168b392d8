/**
 * Which server the CLI talks to and with what key, resolved the way the
 * official SDK resolves them (flags, then SONIOX_API_KEY, SONIOX_API_BASE_URL,
 * SONIOX_WS_URL, SONIOX_REGION / SONIOX_BASE_DOMAIN), except that with nothing
 * set it talks to a Hark on this machine rather than to the Soniox cloud.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FetchHttpClient, SonioxNodeClient, resolveConnectionConfig } from '@soniox/node';
import WebSocket from 'ws';
import { CliError } from './cli-error.js';
import { fetchWithUploadProgress } from './upload-progress.js';

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** The options every command that calls the API accepts (node:util parseArgs format). */
export const CONNECTION_OPTIONS = {
  'api-key': { type: 'string' },
  'base-url': { type: 'string' },
  'ws-url': { type: 'string' },
} as const;

export const CONNECTION_HELP = `Connection (flags, or the environment the Soniox SDKs read):
  --api-key <key>    SONIOX_API_KEY; for a Hark on this machine, defaults to
                     the key it generated ($HARK_DATA_DIR/api-key, ./data/api-key)
  --base-url <url>   SONIOX_API_BASE_URL (default ${DEFAULT_BASE_URL});
                     https://api.soniox.com for the Soniox cloud
  --ws-url <url>     SONIOX_WS_URL (default: derived from the base URL)`;

export interface Connection {
  apiKey: string;
  /** REST base, without /v1. */
  baseUrl: string;
  /** The real-time WebSocket URL, used as is. */
  wsUrl: string;
}

type Env = Record<string, string | undefined>;

/**
 * The WebSocket URL that goes with a REST base URL: Soniox's own hosts have
 * their real-time API on `stt-rt.`, Hark serves both on one origin.
 *
 * @example webSocketUrlFor('https://api.eu.soniox.com') // 'wss://stt-rt.eu.soniox.com/transcribe-websocket'
 * @example webSocketUrlFor('http://127.0.0.1:8080') // 'ws://127.0.0.1:8080/transcribe-websocket'
 */
export function webSocketUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (url.hostname.startsWith('api.') && (url.hostname === 'api.soniox.com' || url.hostname.endsWith('.soniox.com'))) {
    return `${scheme}//stt-rt.${url.hostname.slice('api.'.length)}/transcribe-websocket`;
  }
  return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}/transcribe-websocket`;
}

function isThisMachine(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** The key a Hark on this machine generated at its first start, if there is one to read. */
function localHarkKey(env: Env): string | null {
  try {
    return readFileSync(join(resolve(env.HARK_DATA_DIR || 'data'), 'api-key'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/**
 * @throws CliError when no API key can be found or a URL is malformed.
 */
export function resolveConnection(flags: { 'api-key'?: string; 'base-url'?: string; 'ws-url'?: string }, env: Env = process.env): Connection {
  const region = env.SONIOX_REGION || undefined;
  const baseDomain = env.SONIOX_BASE_DOMAIN || undefined;
  const explicitBase = flags['base-url'] ?? (env.SONIOX_API_BASE_URL || undefined);
  // A region or base domain names the Soniox cloud, as in the SDK.
  const cloud =
    explicitBase === undefined && (region !== undefined || baseDomain !== undefined)
      ? resolveConnectionConfig({ api_key: '', ...(region ? { region } : {}), ...(baseDomain ? { base_domain: baseDomain } : {}) })
      : null;
  const baseUrl = (explicitBase ?? cloud?.api_domain ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new CliError(`Not a URL: ${baseUrl}`);
  }
  const wsUrl = flags['ws-url'] ?? (env.SONIOX_WS_URL || undefined) ?? cloud?.stt_ws_url ?? webSocketUrlFor(baseUrl);
  const apiKey = flags['api-key'] ?? (env.SONIOX_API_KEY || undefined) ?? (isThisMachine(baseUrl) ? localHarkKey(env) : null);
  if (!apiKey) {
    throw new CliError(
      `No API key for ${baseUrl}: pass --api-key or set SONIOX_API_KEY (a Hark prints its key at start and keeps it in data/api-key).`,
    );
  }
  return { apiKey, baseUrl, wsUrl };
}

/**
 * The official SDK's client for a connection. Uploads report their progress
 * to `onUploadProgress` when given.
 */
export function createClient(
  connection: Connection,
  options: { onUploadProgress?: (sentBytes: number, totalBytes: number) => void } = {},
): SonioxNodeClient {
  // Node 20 has no global WebSocket, and the SDK's real-time client needs one (API.md §9.1).
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const http = new FetchHttpClient({
    base_url: connection.baseUrl,
    default_headers: { Authorization: `Bearer ${connection.apiKey}`, 'Content-Type': 'application/json' },
    ...(options.onUploadProgress ? { fetch: fetchWithUploadProgress(options.onUploadProgress) } : {}),
  });
  return new SonioxNodeClient({
    api_key: connection.apiKey,
    base_url: connection.baseUrl,
    http_client: http,
    realtime: { ws_base_url: connection.wsUrl },
  });
}
