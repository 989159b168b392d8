/**
 * WebSockets opened and not started yet: the pre-connected sockets that the
 * Python SDK's pool keeps warm with keepalives for minutes before a session
 * needs one. They are not sessions (they use no recognition and no key's
 * limits), but each holds a socket, so they are bounded. The bound is per
 * client address and for the whole server, not per key or project: until the
 * start message arrives no key is known (it rides in that message), and a
 * key sent on the upgrade request would be unchecked, so anyone could claim
 * another's budget with it.
 */
import { throttleAddress } from '../../services/keys/auth-failure-throttle.js';

export interface PreConnectLimits {
  /** Sockets at once per client address; IPv6 clients count per /64, as for failed keys. */
  maxPreConnectedPerAddress: number;
  /** Sockets at once over all addresses. */
  maxPreConnected: number;
}

/**
 * @example
 * const waiting = new PreConnectedSockets({ maxPreConnectedPerAddress: 20, maxPreConnected: 200 });
 * const release = waiting.hold(request.ip, () => closeTheSocket());
 * if (!release) refuse(); // 429
 * // … on the start message, or when the socket closes: release();
 */
export class PreConnectedSockets {
  private readonly perAddress = new Map<string, number>();
  /** Each held socket's eviction; a held socket is one entry. */
  private readonly evictions = new Set<() => void>();

  constructor(private readonly limits: PreConnectLimits) {}

  /** Sockets held now. */
  get size(): number {
    return this.evictions.size;
  }

  /**
   * Takes a place for a new socket of `address`.
   *
   * @param evict closes the socket when the server stops ({@link evictAll}); it must release.
   * @returns release (idempotent), or null when the address or the server holds as many as allowed.
   */
  hold(address: string, evict: () => void): (() => void) | null {
    const key = throttleAddress(address);
    const held = this.perAddress.get(key) ?? 0;
    if (held >= this.limits.maxPreConnectedPerAddress || this.evictions.size >= this.limits.maxPreConnected) return null;
    this.perAddress.set(key, held + 1);
    // A fresh function per socket, so two sockets with the same callback stay two entries.
    const entry = () => evict();
    this.evictions.add(entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.evictions.delete(entry);
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(key);
      else this.perAddress.set(key, left);
    };
  }

  /** Closes every socket held (the server is shutting down). */
  evictAll(): void {
    for (const evict of [...this.evictions]) evict();
  }
}
