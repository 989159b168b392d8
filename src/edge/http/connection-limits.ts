import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlockList, isIPv6, type Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { errors, type ApiError } from '../../api/errors.js';
import { errorToWire } from '../../api/to-wire.js';
import type { HttpSettings } from '../../config/config.js';
import { throttleAddress } from '../../services/keys/auth-failure-throttle.js';

/**
 * How long a refused connection is kept half-closed so the client can read
 * its answer: closing a socket with unread input makes the kernel send a
 * reset, which can discard the answer before the client reads it.
 */
const LINGER_MS = 1_000;

/** Checking each connection's timeouts every second keeps the bounds within a second of their settings. */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** The Node HTTP server options that carry the header timeout (Fastify sets the whole-request one). */
export function httpServerOptions(settings: HttpSettings) {
  return {
    headersTimeout: settings.headersTimeoutMs,
    connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
  };
}

function trustedList(addresses: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of addresses) {
    const [address = '', prefix] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** The bytes of an HTTP response carrying an ApiError, for sockets no Fastify reply owns. */
function rawErrorResponse(error: ApiError): string {
  const requestId = randomUUID();
  const body = JSON.stringify(errorToWire(error, requestId));
  return [
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}`,
    `x-request-id: ${requestId}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Bounds what slow, stuck and numerous connections can hold, below Fastify:
 * a cap on open connections per client address and in all, an idle timeout,
 * a minimum average rate for request bodies, and ApiError answers for what
 * Node's HTTP parser refuses (`clientError`). Header and whole-request
 * timeouts are Node's own ({@link httpServerOptions}); their refusals are answered here too.
 */
export class ConnectionLimits {
  private readonly perAddress = new Map<string, number>();
  private open = 0;
  private lingering = 0;
  /** Connections answered 429 on arrival: whatever request they then send is ignored. */
  private readonly refused = new WeakSet<Socket>();
  /** The response in progress on a connection, if any: an error may be written only before it starts. */
  private readonly inFlight = new WeakMap<Socket, ServerResponse>();
  private readonly trusted: BlockList;
  private log: FastifyBaseLogger | null = null;

  constructor(private readonly settings: HttpSettings) {
    this.trusted = trustedList(settings.trustedProxies);
  }

  /** Installs the limits on the app's HTTP server (before it listens). */
  attach(server: Server, log: FastifyBaseLogger): void {
    this.log = log;
    server.keepAliveTimeout = this.settings.keepAliveTimeoutMs;
    server.setTimeout(this.settings.idleTimeoutMs);
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.watch(request, response));
  }

  /** True for a connection already answered 429: its request must not run. */
  isRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  /**
   * Fastify's `clientErrorHandler`: Node's parser refused the input or a
   * timeout fired. The answer never echoes the input, and it is written only
   * if no response has begun on the connection.
   */
  readonly onClientError = (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    let error: ApiError;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') error = errors.requestTimeout();
    else if (err.code === 'HPE_HEADER_OVERFLOW') error = errors.headersTooLarge();
    else error = errors.malformedHttpRequest();
    this.log?.debug({ code: err.code, address: socket.remoteAddress }, 'client connection error');
    this.closeWith(socket, error, false);
  };

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const key = throttleAddress(address);
    const exempt = this.isTrusted(address);
    const count = this.perAddress.get(key) ?? 0;
    let refusal: ApiError | null = null;
    if (this.open >= this.settings.maxConnections) refusal = errors.tooManyConnections();
    else if (!exempt && count >= this.settings.maxConnectionsPerAddress) refusal = errors.tooManyConnectionsFromAddress();
    if (refusal) {
      this.log?.debug({ address }, 'connection refused: too many open connections');
      this.refused.add(socket);
      socket.on('error', () => {});
      // Refused connections linger too; in a flood of them, they get no answer rather than more descriptors.
      if (this.lingering >= this.settings.maxConnections) {
        socket.destroy();
        return;
      }
      this.lingering++;
      socket.once('close', () => this.lingering--);
      this.closeWith(socket, refusal, true);
      return;
    }
    this.open++;
    this.perAddress.set(key, count + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(key);
      else this.perAddress.set(key, left);
    });
  }

  private isTrusted(address: string): boolean {
    if (this.settings.trustedProxies.length === 0 || address === '') return false;
    const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (v4) return this.trusted.check(v4[1]!, 'ipv4');
    return this.trusted.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  }

  /**
   * A body must keep arriving at the minimum average rate, checked over each
   * idle-timeout period: a trickle of a byte a second resets the idle timer
   * for ever, this does not.
   */
  private watch(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    this.inFlight.set(socket, response);
    response.once('close', () => {
      if (this.inFlight.get(socket) === response) this.inFlight.delete(socket);
    });
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (!hasBody || this.settings.minBodyBytesPerSecond === 0 || this.refused.has(socket)) return;
    const periodMs = this.settings.idleTimeoutMs;
    const minBytes = (this.settings.minBodyBytesPerSecond * periodMs) / 1000;
    let seen = socket.bytesRead;
    const stop = () => {
      clearInterval(timer);
      socket.off('close', stop);
    };
    const timer = setInterval(() => {
      if (request.complete || socket.destroyed) return stop();
      const read = socket.bytesRead;
      if (read - seen < minBytes) {
        stop();
        this.log?.debug({ address: socket.remoteAddress }, 'request body too slow; closing');
        this.closeWith(socket, errors.requestTimeout(), false);
      }
      seen = read;
    }, periodMs);
    timer.unref();
    // Not the response's end: a body answered early (401, 400) is still read and discarded, just as slowly.
    socket.once('close', stop);
  }

  /**
   * Answers with `error` unless a response has begun, then closes. A refused
   * connection lingers half-closed so the client reads the answer; one with a
   * request in progress is destroyed at once so that request can go no further.
   */
  private closeWith(socket: Socket, error: ApiError, linger: boolean): void {
    const response = this.inFlight.get(socket);
    const canAnswer = socket.writable && !(response && response.headersSent);
    if (!linger) {
      if (canAnswer) socket.write(rawErrorResponse(error));
      socket.destroy();
      return;
    }
    if (canAnswer) socket.end(rawErrorResponse(error));
    else socket.end();
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }
}
