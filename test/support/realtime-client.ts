/**
 * A plain `ws` client of the real-time API, for wire-level assertions the
 * SDK hides, and the checks every session's messages must pass.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';

/** A result or error message as received, with when it arrived (ms after open). */
export interface Received {
  at: number;
  message: any;
}

/** One thing to send: an audio frame, or a text frame (control message, "" = end). */
export type Frame = Buffer | string;

export interface SessionRun {
  received: Received[];
  /** When each frame went out (ms after open), by index in `frames`. */
  sentAt: number[];
  closeCode: number;
  /** The subprotocol the server selected. */
  protocol: string;
}

export interface RunOptions {
  /** The start message: an object is sent as JSON text, a Buffer as a binary frame, a string as is; null sends none. */
  start: object | Buffer | string | null;
  frames?: Frame[];
  /** Pause between frames. */
  paceMs?: number;
  headers?: Record<string, string>;
  protocols?: string[];
  /** Give up (and fail) after this long. */
  timeoutMs?: number;
}

/** Opens a session, sends the start message and the frames, and resolves once the server closes. */
export async function runSession(url: string, options: RunOptions): Promise<SessionRun> {
  const { start, frames = [], paceMs = 0, timeoutMs = 120_000 } = options;
  const ws = new WebSocket(url, options.protocols ?? [], options.headers ? { headers: options.headers } : {});
  const received: Received[] = [];
  const sentAt: number[] = [];
  let opened = 0;
  const closed = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`session did not end within ${timeoutMs} ms; last message: ${JSON.stringify(received.at(-1)?.message)}`));
    }, timeoutMs);
    ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'results come in text frames');
      received.push({ at: performance.now() - opened, message: JSON.parse(data.toString()) });
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  // Awaited last, but it may fail while frames are still being sent (the server resets the connection).
  closed.catch(() => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  opened = performance.now();
  if (start !== null) ws.send(typeof start === 'string' || Buffer.isBuffer(start) ? start : JSON.stringify(start));
  for (const frame of frames) {
    if (ws.readyState !== WebSocket.OPEN) break;
    ws.send(frame);
    sentAt.push(performance.now() - opened);
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  return { received, sentAt, closeCode: await closed, protocol: ws.protocol };
}

/** `bytes` cut into frames of `size` bytes. */
export function slices(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The session's transcript: its final tokens, markers left out. */
export function finalText(run: Pick<SessionRun, 'received'>): string {
  return finalTokens(run)
    .filter((t) => t.text !== '<end>' && t.text !== '<fin>')
    .map((t) => t.text)
    .join('');
}

export function finalTokens(run: Pick<SessionRun, 'received'>): any[] {
  return run.received.flatMap((r) => (r.message.tokens ?? []).filter((t: any) => t.is_final));
}

/** The error message a refused or failed session got: `{tokens: [], error_code, error_message}`, then close. */
export function errorOf(run: SessionRun): { tokens: unknown[]; error_code: number; error_message: string } {
  const last = run.received.at(-1)?.message;
  assert.ok(last && 'error_code' in last, `expected an error message, got ${JSON.stringify(run.received.map((r) => r.message))}`);
  return last;
}

/**
 * The contract's invariants over a successful session (API.md §7.7–§7.9):
 * no error keys; finals before non-finals in a message; final ≤ total, both
 * non-decreasing; final tokens end at or before final_audio_proc_ms; each
 * message with spoken final tokens was preceded by non-final tokens over
 * the same audio; exactly one `finished` message, last, then close 1000.
 */
export function assertWellFormed(run: SessionRun): void {
  const messages = run.received.map((r) => r.message);
  assert.ok(messages.length > 0);
  let final = 0;
  let total = 0;
  const nonFinalSpans: [number, number][] = [];
  messages.forEach((m, i) => {
    assert.ok(!('error_code' in m) && !('error_message' in m), `error keys in ${JSON.stringify(m)}`);
    assert.ok(Array.isArray(m.tokens));
    assert.equal(m.finished === true, i === messages.length - 1, 'finished is on the last message only');
    assert.ok(m.final_audio_proc_ms >= final && m.total_audio_proc_ms >= total, 'proc ms never decrease');
    assert.ok(m.final_audio_proc_ms <= m.total_audio_proc_ms, `final ${m.final_audio_proc_ms} > total ${m.total_audio_proc_ms}`);
    final = m.final_audio_proc_ms;
    total = m.total_audio_proc_ms;
    const firstNonFinal = m.tokens.findIndex((t: any) => !t.is_final);
    if (firstNonFinal >= 0) assert.ok(m.tokens.slice(firstNonFinal).every((t: any) => !t.is_final), 'finals precede non-finals');
    const spoken = m.tokens.filter((t: any) => t.is_final && t.start_ms !== undefined);
    for (const t of m.tokens) {
      assert.equal(typeof t.text, 'string');
      assert.ok(t.confidence >= 0 && t.confidence <= 1);
      if (t.is_final && t.end_ms !== undefined) assert.ok(t.end_ms <= m.final_audio_proc_ms, `${JSON.stringify(t)} after ${m.final_audio_proc_ms}`);
    }
    if (spoken.length > 0) {
      const from = Math.min(...spoken.map((t: any) => t.start_ms));
      const to = Math.max(...spoken.map((t: any) => t.end_ms));
      assert.ok(
        nonFinalSpans.some(([s, e]) => s < to && e > from),
        `final tokens ${from}..${to} had no non-final version before`,
      );
    }
    for (const t of m.tokens) if (!t.is_final && t.start_ms !== undefined) nonFinalSpans.push([t.start_ms, t.end_ms]);
  });
  const starts = finalTokens(run).filter((t) => t.start_ms !== undefined).map((t) => t.start_ms);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'final tokens come in time order, each once');
  assert.equal(run.closeCode, 1000);
}
