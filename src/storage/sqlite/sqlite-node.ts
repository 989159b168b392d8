import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This process as the owner of the jobs it claims and the live sessions it
 * records. Several processes may open one SQLite file, all on this machine,
 * so whether an owner is alive is asked of the operating system: its
 * process id still runs. Within this process, an owner is alive while its
 * storage is open. Work of a dead owner is taken back at start; work of a
 * live one is left to it.
 */
export class SqliteNode {
  private static readonly open = new Set<string>();
  readonly id = `${process.pid}@${hostname()}/${randomUUID()}`;

  constructor() {
    SqliteNode.open.add(this.id);
  }

  /** The storage closed: nothing it held is being worked on any more. */
  release(): void {
    SqliteNode.open.delete(this.id);
  }

  /** Whether the owner of `nodeId` is gone; records from before owners were kept (null) have none alive. */
  static isDead(nodeId: string | null, selfId: string): boolean {
    if (nodeId === null) return true;
    if (nodeId === selfId) return false;
    const match = /^(\d+)@([^/]*)\//.exec(nodeId);
    if (!match) return true;
    // Another machine's process cannot be asked; SQLite is not shared across machines, so this does not happen.
    if (match[2] !== hostname()) return false;
    if (Number(match[1]) === process.pid) return !SqliteNode.open.has(nodeId);
    try {
      process.kill(Number(match[1]), 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}
