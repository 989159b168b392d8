/**
 * The real-time limits of API.md §5: sessions started per minute and
 * sessions open at once. A self-hosted server is one organization, so both
 * count every session of every key.
 */

export type AdmissionVerdict = 'admitted' | 'rate-limited' | 'too-many-sessions';

const WINDOW_MS = 60_000;

/**
 * @example
 * const admission = new Admission({ requestsPerMinute: 100, maxConcurrentSessions: 10 });
 * const { verdict, release } = admission.admit();
 * if (verdict === 'admitted') { try { await run(); } finally { release(); } }
 */
export class Admission {
  /** Start times within the last minute, oldest first. */
  private readonly starts: number[] = [];
  private open = 0;

  constructor(private readonly limits: { requestsPerMinute: number; maxConcurrentSessions: number }) {}

  /** Sessions currently holding a slot. */
  get openSessions(): number {
    return this.open;
  }

  /**
   * Counts a session start and, when both limits allow it, takes a slot.
   * A start refused for want of a slot still counts towards the rate: a
   * client retrying in a loop is what the rate limit is for.
   *
   * @returns `release` frees the slot (idempotent; a no-op unless admitted).
   */
  admit(nowMs = Date.now()): { verdict: AdmissionVerdict; release(): void } {
    while (this.starts.length > 0 && this.starts[0]! <= nowMs - WINDOW_MS) this.starts.shift();
    const refused = { release: () => {} };
    if (this.starts.length >= this.limits.requestsPerMinute) return { verdict: 'rate-limited', ...refused };
    this.starts.push(nowMs);
    if (this.open >= this.limits.maxConcurrentSessions) return { verdict: 'too-many-sessions', ...refused };
    this.open++;
    let released = false;
    return {
      verdict: 'admitted',
      release: () => {
        if (released) return;
        released = true;
        this.open--;
      },
    };
  }
}
