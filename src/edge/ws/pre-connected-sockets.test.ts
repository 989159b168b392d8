import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreConnectedSockets } from './pre-connected-sockets.js';

describe('PreConnectedSockets', () => {
  it('bounds each address, an IPv6 client per /64, and the server', () => {
    const sockets = new PreConnectedSockets({ maxPreConnectedPerAddress: 2, maxPreConnected: 5 });
    assert.ok(sockets.hold('2001:db8::1'));
    assert.ok(sockets.hold('2001:db8:0:0:ffff::2'));
    assert.equal(sockets.hold('2001:db8::3'), null, 'the same /64');
    assert.ok(sockets.hold('2001:db8:0:1::1'), 'another /64');
    assert.ok(sockets.hold('::ffff:192.0.2.1'));
    assert.ok(sockets.hold('192.0.2.1'), 'a mapped IPv4 address counts as that address');
    assert.equal(sockets.hold('192.0.2.1'), null);
    assert.equal(sockets.size, 5);
    assert.equal(sockets.hold('198.51.100.1'), null, 'the server is full');
  });

  it('gives the place back once, however often released', () => {
    const sockets = new PreConnectedSockets({ maxPreConnectedPerAddress: 1, maxPreConnected: 10 });
    const release = sockets.hold('192.0.2.1')!;
    release();
    release();
    assert.equal(sockets.size, 0);
    assert.ok(sockets.hold('192.0.2.1'));
    assert.equal(sockets.hold('192.0.2.1'), null);
  });
});
