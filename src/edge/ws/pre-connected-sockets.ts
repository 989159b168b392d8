/**
 * Places for pre-connected WebSockets: sockets that keep themselves open
 * with keepalives before their start message, as the Python SDK's pool does
 * for minutes before a session needs one. They are not sessions (they use no
 * recognition and no key's limits), but each holds a socket, so they are
 * bounded. The bound is per client address and for the whole server, not per
 * key or project: until the start message arrives no key is known (it rides
 * in that message), and a key sent on the upgrade request would be unchecked,
 * so anyone could spend another's budget by naming its key.
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
 * const places = new PreConnectedSockets({ maxPreConnectedPerAddress: 20, maxPreConnected: 200 });
 * const release = places.hold(request.ip);
 * if (!release) refuse(); // 429
 * // … on the start message, or when the socket closes: release();
 */
export class PreConnectedSockets {
  private readonly perAddress = new Map<string, number>();
  private held = 0;

  constructor(private readonly limits: PreConnectLimits) {}

  /** Places held now. */
  get size(): number {
    return this.held;
  }

  /**
   * Takes a place for a socket of `address`.
   *
   * @returns release (idempotent), or null when the address or the server holds as many as allowed.
   */
  hold(address: string): (() => void) | null {
    const key = throttleAddress(address);
    const count = this.perAddress.get(key) ?? 0;
    if (count >= this.limits.maxPreConnectedPerAddress || this.held >= this.limits.maxPreConnected) return null;
    this.perAddress.set(key, count + 1);
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(key);
      else this.perAddress.set(key, left);
    };
  }
}
