/**
 * Ends a connection whose request body is still arriving (an upload refused
 * for its size) without losing the answer. Closing a socket that has unread
 * bytes makes the kernel reset the connection, and a reset can discard the
 * answer before the client has read it. So the connection is half-closed
 * after the answer, what still arrives is discarded for a moment, and only
 * then is it closed, as HTTP servers' "lingering close" does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * Any answer sent while its request's body is still arriving — a 401 before
 * an upload is read, a refused content type, a body over the limit — closes
 * the connection that way. Node would otherwise read and discard the rest of
 * the body for as long as the client sends it, or, when the client asked to
 * close, reset the connection under the answer.
 */
export function lingerOnEarlyAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) closeAfterAnswer(request, reply);
    return payload;
  });
}
