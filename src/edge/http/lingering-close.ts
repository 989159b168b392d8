/**
 * Ends a connection whose request body is still arriving (an upload refused
 * for its size) without losing the answer. Closing a socket that has unread
 * bytes makes the kernel reset the connection, and a reset can discard the
 * answer before the client has read it. So the connection is half-closed
 * after the answer, what still arrives is discarded for a moment, and only
 * then is it closed, as HTTP servers' "lingering close" does.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Long enough for the answer to reach a client on a slow link; bounds the bytes discarded. */
const LINGER_MS = 2_000;

export function closeAfterAnswer(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('connection', 'close');
  const socket = request.raw.socket;
  // Node's server ends a `Connection: close` response with destroySoon(), which closes at once.
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
