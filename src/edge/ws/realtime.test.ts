import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { upgradeKey } from './realtime.js';

describe('upgradeKey', () => {
  it('takes the key from a bearer header or the soniox-api-key subprotocol', () => {
    assert.equal(upgradeKey({ headers: { authorization: 'Bearer hark_abc' } }), 'hark_abc');
    assert.equal(upgradeKey({ headers: { 'sec-websocket-protocol': 'soniox-api-key, hark_abc' } }), 'hark_abc');
    assert.equal(upgradeKey({ headers: { 'sec-websocket-protocol': 'other,soniox-api-key,k2' } }), 'k2');
  });

  it('is null without either', () => {
    assert.equal(upgradeKey({ headers: {} }), null);
    assert.equal(upgradeKey({ headers: { authorization: 'Basic abc' } }), null);
    assert.equal(upgradeKey({ headers: { 'sec-websocket-protocol': 'soniox-api-key' } }), null);
  });
});
