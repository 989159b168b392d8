/**
 * Recognises the keepalive frames a pre-connected socket sends before its
 * start message (`{"type": "keepalive"}` every 5 s from the Python SDK's
 * pool; spacing varies between clients, so the JSON is parsed).
 */
import { RealtimeError } from '../../api/realtime-errors.js';
import { parseControlMessage } from '../../api/schemas/realtime.js';

/**
 * Longest frame looked at: a keepalive is some twenty bytes. Anything longer
 * is a start message (or not one) and goes to the session unparsed here, so
 * a socket that has not started costs one small parse per frame at most.
 */
const MAX_KEEPALIVE_BYTES = 256;

/**
 * True for a text frame holding a JSON object whose `type` is `"keepalive"`.
 * Start messages have no `type` field; every other frame, a malformed one
 * included, is the start message and gets the start message's answer.
 *
 * @example isKeepaliveFrame(Buffer.from('{"type": "keepalive"}'), false) // true
 */
export function isKeepaliveFrame(data: Buffer, binary: boolean): boolean {
  if (binary || data.length === 0 || data.length > MAX_KEEPALIVE_BYTES) return false;
  try {
    return parseControlMessage(data.toString('utf8')).type === 'keepalive';
  } catch (err) {
    if (err instanceof RealtimeError) return false;
    throw err;
  }
}
