import { Admission } from '../services/realtime/admission.js';

/**
 * Real-time sessions' per-project limits (API.md §5): starts per sliding
 * minute and sessions open at once. One node keeps them in memory; a cluster
 * keeps them in its database, so that they hold over every node.
 */

export type LeaseVerdict = 'admitted' | 'key-rate-limited' | 'key-busy';

export interface ProjectSessionLimits {
  requestsPerMinute: number;
  maxSessions: number;
}

export interface SessionLease {
  verdict: LeaseVerdict;
  /** Frees the slot; idempotent, a no-op unless admitted. Never throws: a lease it cannot free lapses. */
  release(): void;
}

export interface SessionLeases {
  /**
   * Counts a start of the project and, within its limits, takes one of its
   * session slots; atomic, however many nodes ask at once. A start refused
   * for want of a slot still counts towards the rate.
   */
  acquire(projectId: string, limits: ProjectSessionLimits): Promise<SessionLease>;
  close(): Promise<void>;
}

/** The limits of one process: a single node, or SQLite. */
export class InProcessSessionLeases implements SessionLeases {
  private readonly admission = new Admission({ requestsPerMinute: 0, maxSessionsPerKey: 0, maxConcurrentSessions: Infinity });

  async acquire(projectId: string, limits: ProjectSessionLimits): Promise<SessionLease> {
    const { verdict, release } = this.admission.admit(projectId, Date.now(), {
      requestsPerMinute: limits.requestsPerMinute,
      maxSessionsPerKey: limits.maxSessions,
    });
    // Without a server-wide cap, never `server-busy`.
    return { verdict: verdict as LeaseVerdict, release };
  }

  async close(): Promise<void> {}
}
