import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { OutboundAddressRefusedError, type OutboundAddressPolicy } from './outbound-address-policy.js';

/** A redirect that cannot be followed; the server answered, so the message may be shown. */
export class RedirectError extends Error {
  override name = 'RedirectError';
}

export interface OutboundRequestOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends one request over a fresh connection to an address `policy` allows, and resolves with the
 * response head (the caller reads or destroys the body).
 * @throws OutboundAddressRefusedError when the URL names, or its host resolves to, only refused
 *   addresses; the errors of `http.request` otherwise (connection, parse, abort).
 */
export function outboundRequest(url: URL, policy: OutboundAddressPolicy, options: OutboundRequestOptions): Promise<IncomingMessage> {
  const refused = policy.refusedLiteral(url);
  if (refused !== null) return Promise.reject(new OutboundAddressRefusedError(`${refused} is a refused address`));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        ...urlToHttpOptions(url),
        method: options.method,
        headers: options.headers,
        lookup: policy.lookup,
        agent: false,
        signal: options.signal,
      },
      resolve,
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * GETs `url`, following up to `maxRedirects` redirects; every hop is checked by `policy`
 * as it connects, so a redirect cannot lead to a refused address.
 * @throws RedirectError for a loop or chain longer than `maxRedirects`, or a `Location`
 *   that is not an http(s) URL; otherwise what {@link outboundRequest} throws.
 */
export async function getFollowingRedirects(
  url: URL,
  policy: OutboundAddressPolicy,
  options: Omit<OutboundRequestOptions, 'method' | 'body'> & { maxRedirects: number },
): Promise<IncomingMessage> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const response = await outboundRequest(current, policy, { method: 'GET', headers: options.headers, signal: options.signal });
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) return response;
    response.destroy();
    if (hop >= options.maxRedirects) throw new RedirectError(`more than ${options.maxRedirects} redirects`);
    const next = URL.canParse(location, current.href) ? new URL(location, current) : null;
    if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      throw new RedirectError('redirected to something that is not an http or https URL');
    }
    current = next;
  }
}
