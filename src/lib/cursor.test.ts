import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('list cursors', () => {
  it('round-trip and belong to one list', () => {
    const cursor = encodeCursor('files', 42);
    assert.equal(decodeCursor('files', cursor), 42);
    assert.equal(decodeCursor('transcriptions', cursor), null);
  });

  it('refuse anything this server did not produce', () => {
    for (const bad of ['', '!!', 'Zm9v', Buffer.from('files:-1').toString('base64url'), Buffer.from('files:1e9').toString('base64url')]) {
      assert.equal(decodeCursor('files', bad), null, bad);
    }
  });
});
