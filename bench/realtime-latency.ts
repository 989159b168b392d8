/**
 * How late a real-time session's results come, measured on the client's
 * clock (shared by the real-time benchmarks).
 */
import type { SessionRun } from '../test/support/realtime-client.js';

/**
 * The moment audio time `audioMs` happened at the client, on the session's
 * clock: frame k goes out when its first sample is due, so a point inside
 * it happens that much later. (A microphone client sends each frame after
 * recording it, which adds up to one frame, 120 ms, to every latency.)
 */
export function sentAtAudio(run: SessionRun, audioMs: number, frameMs: number): number {
  const frame = Math.min(run.sentAt.length - 1, Math.floor(audioMs / frameMs));
  return run.sentAt[frame]! + (audioMs - frame * frameMs);
}

/**
 * For each message with final words: time from sending the audio of its last
 * final word to receiving it. Finals come per utterance, so this is the delay
 * from the end of an utterance's speech to its final text.
 */
export function finalLatencies(run: SessionRun, frameMs: number): number[] {
  return run.received.flatMap(({ at, message }) => {
    const words = message.tokens.filter((t: any) => t.is_final && t.end_ms !== undefined && t.text !== '.');
    return words.length > 0 && !message.finished ? [at - sentAtAudio(run, words.at(-1).end_ms, frameMs)] : [];
  });
}
