import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeInTurn } from './round-robin.js';

test('sessions take turns, a busy one cannot hold back the others', () => {
  const queues = [['a1', 'a2', 'a3'], [], ['b1'], ['c1', 'c2']];
  const order: string[] = [];
  for (let item = takeInTurn(queues); item !== undefined; item = takeInTurn(queues)) order.push(item);
  assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  assert.equal(takeInTurn<string>([]), undefined);
});
