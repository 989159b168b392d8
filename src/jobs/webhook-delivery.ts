import type { TranscriptionRecord } from '../storage/ports.js';

/**
 * POSTs `{id, status}` to the transcription's webhook URL, query string kept,
 * with the optional auth header. Returns the HTTP status received, or null
 * when the receiver could not be reached in time.
 */
export async function deliverWebhook(record: TranscriptionRecord, timeoutMs: number): Promise<number | null> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Hark-Webhook/1' };
  if (record.webhookAuthHeaderName && record.webhookAuthHeaderValue !== null) {
    headers[record.webhookAuthHeaderName] = record.webhookAuthHeaderValue;
  }
  try {
    const response = await fetch(record.webhookUrl!, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: record.id, status: record.status }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** Exponential backoff: base, 2×base, 4×base, … */
export function backoffMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}
