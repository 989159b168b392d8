/**
 * The real-time endpoint, `GET /transcribe-websocket` upgraded to a
 * WebSocket (API.md §7): transport only. Frames go to a session of the
 * realtime service; its results and errors go back as JSON text frames.
 */
import websocket from '@fastify/websocket';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { CANNOT_CONTINUE, type RealtimeError, realtimeErrors } from '../../api/realtime-errors.js';
import { realtimeErrorToWire, realtimeResultToWire } from '../../api/to-wire.js';
import type { RealtimeService } from '../../services/realtime/realtime-service.js';
import type { RealtimeSession, SessionTransport } from '../../services/realtime/realtime-session.js';
import { bearerKey } from '../http/auth.js';
import { PreConnectedSockets } from './pre-connected-sockets.js';
import { isKeepaliveFrame } from './pre-start-keepalive.js';

/** Browsers cannot set headers on a WebSocket, so the key may ride in the subprotocol list. */
const KEY_SUBPROTOCOL = 'soniox-api-key';
/**
 * Largest single frame (larger: close 1009). Clients send audio in frames of a few kilobytes, and
 * one second of the richest accepted audio (192 kHz stereo f32) is 1.5 MB; receiving a frame is
 * one task inside `ws`, so a bigger cap would let one frame hold the event loop (docs/security.md).
 */
const MAX_FRAME_BYTES = 2 * 1024 * 1024;

/**
 * The key of the upgrade request: `Authorization: Bearer <key>`, or the
 * subprotocol list `soniox-api-key, <key>`.
 *
 * @example upgradeKey({ headers: { 'sec-websocket-protocol': 'soniox-api-key, hark_abc' } }) // 'hark_abc'
 */
export function upgradeKey(request: Pick<FastifyRequest, 'headers'>): string | null {
  const bearer = bearerKey(request as FastifyRequest);
  if (bearer) return bearer;
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const at = protocols.indexOf(KEY_SUBPROTOCOL);
  return at >= 0 ? protocols[at + 1] || null : null;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Errors on an established socket are the client's doing (bad framing, a
 * reset connection): `ws` has already sent the close code that fits, so they
 * are logged at info. Anything else reaching here is a bug of ours.
 */
function onSocketError(error: Error, socket: WebSocket, request: FastifyRequest): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') request.log.info({ code, reason: error.message }, 'real-time connection error');
  else request.log.error({ err: error }, 'real-time connection handler failed');
  socket.terminate();
}

function transportFor(socket: WebSocket, raw: Socket): SessionTransport {
  return {
    sendResult: (update, finished) => socket.send(JSON.stringify(realtimeResultToWire(update, finished))),
    sendError: (error) => socket.send(JSON.stringify(realtimeErrorToWire(error))),
    close: () => socket.close(1000),
    pauseInput: () => socket.pause(),
    resumeInput: () => socket.resume(),
    bufferedBytes: () => socket.bufferedAmount,
    // While paused, what the client sends collects in the TCP socket's read buffer.
    unreadInput: () => raw.readableLength > 0,
  };
}

export async function realtimeRoutes(app: FastifyInstance, opts: { realtime: RealtimeService }): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: MAX_FRAME_BYTES,
      // The server must answer the key subprotocol, or clients abort the handshake.
      handleProtocols: (protocols) => (protocols.has(KEY_SUBPROTOCOL) ? KEY_SUBPROTOCOL : false),
    },
    errorHandler: onSocketError,
  });

  const settings = opts.realtime.realtimeSettings;
  const preConnected = new PreConnectedSockets(settings);
  /** How to end each socket still waiting for its start message, for a shutdown. */
  const waiting = new Set<() => void>();
  opts.realtime.onClose(() => {
    for (const end of [...waiting]) end();
  });

  // The key comes in the start message (API.md §1.2), so the upgrade itself needs none.
  app.get('/transcribe-websocket', { websocket: true, config: { public: true } }, (socket, request) => {
    const transport = transportFor(socket, request.socket);
    let session: RealtimeSession | null = null;
    let refused = false;
    const refuse = (error: RealtimeError) => {
      if (refused || session) return;
      refused = true;
      stopWaiting();
      request.log.debug({ code: error.code, reason: error.message }, 'real-time connection refused before its start');
      transport.sendError(error);
      transport.close();
    };
    // A socket that sends keepalives before its start message is pre-connected: each keepalive
    // restarts the start timeout, up to `preConnectMaxMs` in all. It is no session, but from its
    // first keepalive it holds a bounded place (sockets that start at once never take one).
    let startTimer = setTimeout(() => refuse(realtimeErrors.startTimeout()), settings.startTimeoutMs);
    const maxTimer = setTimeout(() => refuse(realtimeErrors.startTimeout()), settings.preConnectMaxMs);
    let release: (() => void) | null = null;
    const shutdown = () => refuse(realtimeErrors.cannotContinue(CANNOT_CONTINUE.shutdown));
    waiting.add(shutdown);
    const stopWaiting = () => {
      clearTimeout(startTimer);
      clearTimeout(maxTimer);
      release?.();
      waiting.delete(shutdown);
    };
    const keepalive = () => {
      release ??= preConnected.hold(request.ip);
      // No key is known yet, so the server-wide message: the address's or the server's places are taken.
      if (!release) return refuse(realtimeErrors.tooManySessions());
      clearTimeout(startTimer);
      startTimer = setTimeout(() => refuse(realtimeErrors.startTimeout()), settings.startTimeoutMs);
    };

    // Attached synchronously: clients send the start message right after the handshake.
    socket.on('message', (raw, isBinary) => {
      const data = toBuffer(raw);
      if (session) return session.receive(data, isBinary);
      if (refused) return;
      if (isKeepaliveFrame(data, isBinary)) return keepalive();
      stopWaiting();
      session = opts.realtime.openSession(transport, { upgradeKey: upgradeKey(request), address: request.ip }, request.log);
      session.receive(data, isBinary);
    });
    socket.on('close', () => {
      if (session) session.disconnected();
      else stopWaiting();
    });
  });
}
