/**
 * What a header must look like for Node's HTTP client to send it (RFC 9110 §5.1, §5.5), so a
 * webhook auth header that passes these rules can always be delivered.
 */

/** A header name: an RFC 9110 token. */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** A header value: tab, visible ASCII, space and Latin-1; never CR, LF, NUL or other controls. */
export const HEADER_VALUE_PATTERN = '^[\\t\\x20-\\x7E\\x80-\\xFF]*$';

/**
 * Names Hark sets itself for a webhook, or that change how the request is framed or routed;
 * an auth header with one of them would corrupt the request or be dropped.
 */
export const RESERVED_WEBHOOK_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
]);

/** Whether `name: value` is a header Hark may add to a webhook delivery. */
export function isDeliverableWebhookHeader(name: string, value: string): boolean {
  return (
    new RegExp(HEADER_NAME_PATTERN).test(name) &&
    new RegExp(HEADER_VALUE_PATTERN).test(value) &&
    !RESERVED_WEBHOOK_HEADERS.has(name.toLowerCase())
  );
}
