/**
 * Failed authentications counted per client address, on a budget of their
 * own: a client that sends wrong keys is slowed down without ever using up
 * the limits of the keys that do authenticate (which are counted per key,
 * after authentication).
 *
 * A valid key is never refused here, even from a throttled address: several
 * clients may share an address (NAT, a proxy), and keys are random enough
 * that guessing is not the threat. What the throttle bounds is what wrong
 * keys cost: log lines, key lookups, and the answers (429 instead of 401).
 */

const WINDOW_MS = 60_000;

/** Budgets per address; IPv6 clients are counted per /64, which one host usually holds whole. */
export function throttleAddress(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * @example
 * const throttle = new AuthFailureThrottle({ failuresPerMinute: 30 });
 * if (!validKey) throw throttle.fail(request.ip) ? tooManyRequests() : unauthenticated();
 */
export class AuthFailureThrottle {
  /** Address → failures in its current window; insertion order is age, for eviction. */
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    private readonly settings: { failuresPerMinute: number },
    /** Addresses remembered at once; the oldest window is forgotten first. */
    private readonly maxAddresses = 100_000,
  ) {}

  /**
   * Records one failed authentication.
   * @returns true when the address has spent its budget for this minute
   *   (answer 429), false while it has not (answer 401).
   */
  fail(address: string, nowMs = Date.now()): boolean {
    const key = throttleAddress(address);
    let window = this.windows.get(key);
    if (!window || window.startMs <= nowMs - WINDOW_MS) {
      this.windows.delete(key);
      window = { startMs: nowMs, failures: 0 };
      this.windows.set(key, window);
      while (this.windows.size > this.maxAddresses) this.windows.delete(this.windows.keys().next().value!);
    }
    window.failures++;
    return window.failures > this.settings.failuresPerMinute;
  }

  /** Seconds until an address's budget is renewed (for `Retry-After`). */
  retryAfterSeconds(address: string, nowMs = Date.now()): number {
    const window = this.windows.get(throttleAddress(address));
    if (!window) return 0;
    return Math.max(1, Math.ceil((window.startMs + WINDOW_MS - nowMs) / 1000));
  }
}
