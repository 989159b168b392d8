/**
 * HTTP/1.1 over a plain TCP socket, for requests `fetch` refuses to send
 * (malformed targets, broken multipart, odd headers) and for reading
 * whatever the server answers, or noticing that it answers nothing.
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** What came back: a whole response, or why none did. */
export type RawOutcome = { response: RawResponse } | { noAnswer: string };

/** Decodes a chunked body; null while incomplete. */
function dechunk(bytes: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) return Buffer.concat(parts);
    if (size === 0) return Buffer.concat(parts);
    if (bytes.length < lineEnd + 2 + size + 2) return null;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The first response in `bytes`, or null while it is incomplete (`ended`: the server closed). */
function parseResponse(bytes: Buffer, ended: boolean): RawResponse | null {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = bytes.subarray(headEnd + 4);
  let body: Buffer | null;
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(rest);
  else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    body = rest.length >= length ? rest.subarray(0, length) : null;
  } else body = ended ? rest : null;
  if (body === null) return ended ? { status: Number(status[1]), headers, body: rest.toString('utf8') } : null;
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

export interface RawRequestOptions {
  /** Give up waiting for an answer after this long. */
  timeoutMs?: number;
  /** Local address to connect from (any 127.x.y.z reaches a server on 127.0.0.1). */
  localAddress?: string;
}

/**
 * Sends `request` as is to the server at `baseUrl` and resolves with the
 * first response, once it is complete. Write errors are ignored: a server
 * may answer and close before it has read all of a request.
 *
 * @example await rawHttp(hark.baseUrl, 'GET /v%31/files HTTP/1.1\r\nHost: x\r\n\r\n')
 */
export function rawHttp(baseUrl: string, request: string | Buffer, options: RawRequestOptions = {}): Promise<RawOutcome> {
  const { hostname, port } = new URL(baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ noAnswer: `no complete response within ${timeoutMs} ms` }), timeoutMs);
    const check = (ended: boolean) => {
      const response = parseResponse(Buffer.concat(chunks), ended);
      if (response) finish({ response });
      else if (ended) finish({ noAnswer: `connection closed after ${Buffer.concat(chunks).length} bytes without a response` });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      check(false);
    });
    socket.on('end', () => check(true));
    socket.on('close', () => check(true));
    socket.on('error', () => {
      // A reset after the answer still leaves the answer readable; decide on close.
    });
    socket.write(request, () => {});
  });
}
