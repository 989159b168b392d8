/**
 * Takes the next item from a set of per-session queues, sessions in turn:
 * the queue just served goes to the back of the line, so one session with
 * many waiting items cannot hold back the others. Returns undefined when
 * every queue is empty.
 */
export function takeInTurn<T>(queues: T[][]): T | undefined {
  const at = queues.findIndex((q) => q.length > 0);
  if (at < 0) return undefined;
  const queue = queues[at]!;
  queues.splice(at, 1);
  queues.push(queue);
  return queue.shift();
}
