/**
 * The real-time limits of API.md §5, applied after authentication: sessions
 * started per minute and sessions open at once, counted per key, under a
 * cap on sessions open at once over all keys (what the server can run).
 * Counting per key means no client can spend another key's limits, and a
 * client without a valid key never reaches them at all.
 */

export type AdmissionVerdict = 'admitted' | 'key-rate-limited' | 'key-busy' | 'server-busy';

export interface AdmissionLimits {
  /** Starts per key per sliding minute. */
  requestsPerMinute: number;
  /** Sessions open at once per key. */
  maxSessionsPerKey: number;
  /** Sessions open at once over all keys; a function when it is measured (and may change). */
  maxConcurrentSessions: number | (() => number);
}

const WINDOW_MS = 60_000;

interface KeyUsage {
  /** Start times within the last minute, oldest first. */
  starts: number[];
  open: number;
}

/**
 * @example
 * const admission = new Admission({ requestsPerMinute: 100, maxSessionsPerKey: 10, maxConcurrentSessions: 10 });
 * const { verdict, release } = admission.admit(keyId);
 * if (verdict === 'admitted') { try { await run(); } finally { release(); } }
 */
export class Admission {
  /** Keys with a start in the last minute or a session open; nothing else is kept. */
  private readonly keys = new Map<string, KeyUsage>();
  private open = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /** Sessions currently holding a slot. */
  get openSessions(): number {
    return this.open;
  }

  /** Sessions of one key (or project) holding a slot. */
  openSessionsOf(keyId: string): number {
    return this.keys.get(keyId)?.open ?? 0;
  }

  /**
   * Counts a session start of `keyId` and, when every limit allows it,
   * takes a slot. A start refused for want of a slot still counts towards
   * the key's rate: a client retrying in a loop is what the rate limit is for.
   *
   * @param keyId an authenticated key (its hash) or its project, never a key merely claimed.
   * @param own this key's (project's) rate and session limits, when not the global ones.
   * @returns `release` frees the slot (idempotent; a no-op unless admitted).
   */
  admit(
    keyId: string,
    nowMs = Date.now(),
    own: Pick<AdmissionLimits, 'requestsPerMinute' | 'maxSessionsPerKey'> = this.limits,
  ): { verdict: AdmissionVerdict; release(): void } {
    this.forgetIdle(nowMs);
    let usage = this.keys.get(keyId);
    if (!usage) {
      usage = { starts: [], open: 0 };
      this.keys.set(keyId, usage);
    }
    const refused = { release: () => {} };
    if (usage.starts.length >= own.requestsPerMinute) return { verdict: 'key-rate-limited', ...refused };
    usage.starts.push(nowMs);
    if (usage.open >= own.maxSessionsPerKey) return { verdict: 'key-busy', ...refused };
    const { maxConcurrentSessions } = this.limits;
    if (this.open >= (typeof maxConcurrentSessions === 'function' ? maxConcurrentSessions() : maxConcurrentSessions)) {
      return { verdict: 'server-busy', ...refused };
    }
    usage.open++;
    this.open++;
    let released = false;
    const held = usage;
    return {
      verdict: 'admitted',
      release: () => {
        if (released) return;
        released = true;
        held.open--;
        this.open--;
      },
    };
  }

  private forgetIdle(nowMs: number): void {
    for (const [keyId, usage] of this.keys) {
      while (usage.starts.length > 0 && usage.starts[0]! <= nowMs - WINDOW_MS) usage.starts.shift();
      if (usage.starts.length === 0 && usage.open === 0) this.keys.delete(keyId);
    }
  }
}
