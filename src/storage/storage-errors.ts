/**
 * The database could not be reached: refused, cut, shut down or timed out.
 * Every backend reports a lost connection as this one error, so that the API
 * can answer 503 without knowing which database is behind it. The pool
 * reconnects by itself; a later call may succeed.
 */
export class StorageUnavailableError extends Error {
  readonly code = 'storage_unavailable';
  constructor(options?: { cause?: unknown }) {
    super('The database is unavailable.', options);
    this.name = 'StorageUnavailableError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * A lost or refused connection, as opposed to an error in the statement:
 * node's socket codes, PostgreSQL's class 08 (connection exception) and 57P0x
 * (admin/crash shutdown, cannot connect now), and pg's own messages for a
 * connection that ended under a query.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof StorageUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[1-4]$/.test(code)) return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(err.message);
}
