import { isDeliverableWebhookHeader } from '../lib/http-header-rules.js';
import type { OutboundAddressPolicy } from '../lib/outbound-address-policy.js';
import { outboundRequest } from '../lib/outbound-http.js';
import type { TranscriptionRecord } from '../storage/ports.js';

/** One delivery attempt: the HTTP status received, or null and why (for the server log). */
export interface WebhookAttempt {
  statusCode: number | null;
  failure: string | null;
}

/**
 * POSTs `{id, status}` to the transcription's webhook URL, query string kept, with the
 * optional auth header, connecting only where `policy` allows. Redirects are not followed:
 * their status is what the receiver answered.
 */
export async function deliverWebhook(
  record: TranscriptionRecord,
  timeoutMs: number,
  policy: OutboundAddressPolicy,
): Promise<WebhookAttempt> {
  const body = JSON.stringify({ id: record.id, status: record.status });
  const auth: Record<string, string> = {};
  if (record.webhookAuthHeaderName && record.webhookAuthHeaderValue !== null) {
    // Records created before header names were validated may hold one that cannot be sent.
    if (!isDeliverableWebhookHeader(record.webhookAuthHeaderName, record.webhookAuthHeaderValue)) {
      return { statusCode: null, failure: 'the stored webhook auth header is not a valid HTTP header' };
    }
    auth[record.webhookAuthHeaderName] = record.webhookAuthHeaderValue;
  }
  try {
    const response = await outboundRequest(new URL(record.webhookUrl!), policy, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'Hark-Webhook/1',
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    response.destroy();
    return { statusCode: response.statusCode ?? null, failure: null };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { statusCode: null, failure: [e.code, e.message].filter(Boolean).join(': ') };
  }
}

export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** Exponential backoff: base, 2×base, 4×base, … */
export function backoffMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}
