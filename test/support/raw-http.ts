import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body parsed as JSON when it is JSON, else the text. */
  body: any;
  text: string;
}

/** host and port of a base URL such as `http://127.0.0.1:1234`. */
export function hostPort(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  return { host: url.hostname, port: Number(url.port) };
}

/** Opens a TCP connection to the server, optionally from another loopback address (127.0.0.2, …). */
export function openSocket(baseUrl: string, localAddress?: string): Promise<Socket> {
  const { host, port } = hostPort(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Parses the first HTTP response in `data`, or null while it is incomplete. */
export function parseResponse(data: Buffer, complete = false): RawResponse | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(end + 4);
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  // Once the connection is closed, what came is all there is (a HEAD answer has no body).
  if (!complete && (length === null || rest.length < length)) return null;
  const text = rest.subarray(0, length ?? rest.length).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, text };
}

/**
 * Resolves with the first response read on `socket` and whether the server
 * closed the connection after it, or rejects after `timeoutMs`.
 */
export function readResponse(socket: Socket, timeoutMs = 30_000): Promise<RawResponse & { closed: Promise<void> }> {
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`no response in ${timeoutMs} ms: ${data.toString('latin1')}`)), timeoutMs);
    const done = (response: RawResponse) => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ ...response, closed });
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const response = parseResponse(data);
      if (response) done(response);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.once('close', () => {
      const response = parseResponse(data, true);
      if (response) done(response);
      else {
        clearTimeout(timer);
        reject(new Error(`connection closed without a response: ${JSON.stringify(data.toString('latin1'))}`));
      }
    });
  });
}

/** Sends `request` as is on a new connection (from `localAddress` if given) and reads the answer. */
export async function rawRequest(baseUrl: string, request: string | Buffer, timeoutMs?: number, localAddress?: string) {
  const socket = await openSocket(baseUrl, localAddress);
  const response = readResponse(socket, timeoutMs);
  socket.write(request);
  try {
    return await response;
  } finally {
    socket.destroy();
  }
}

/** Resolves once the server closes `socket`, with the time it took; rejects after `timeoutMs`. */
export function closedWithin(socket: Socket, timeoutMs: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(0);
    const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', () => {});
    // A socket nobody reads never sees the server's close.
    socket.resume();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
  });
}

/** True when `body` has the ApiError shape (API.md §2.1). */
export function isApiError(body: any): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof body.status_code === 'number' &&
    typeof body.error_type === 'string' &&
    typeof body.message === 'string' &&
    Array.isArray(body.validation_errors) &&
    typeof body.request_id === 'string'
  );
}

/** What came back: a whole response (its body as text), or why none did — for fuzzing, where no answer is a finding. */
export type RawOutcome = { response: { status: number; headers: Record<string, string>; body: string } } | { noAnswer: string };

/**
 * {@link rawRequest} that reports a missing answer instead of throwing.
 *
 * @example await rawHttp(hark.baseUrl, 'GET /v%31/files HTTP/1.1\r\nHost: x\r\n\r\n')
 */
export async function rawHttp(
  baseUrl: string,
  request: string | Buffer,
  options: { timeoutMs?: number; localAddress?: string } = {},
): Promise<RawOutcome> {
  try {
    const { status, headers, text } = await rawRequest(baseUrl, request, options.timeoutMs ?? 10_000, options.localAddress);
    return { response: { status, headers, body: text } };
  } catch (err) {
    return { noAnswer: (err as Error).message };
  }
}
