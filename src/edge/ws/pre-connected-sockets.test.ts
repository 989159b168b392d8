import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreConnectedSockets } from './pre-connected-sockets.js';

describe('PreConnectedSockets', () => {
  it('bounds each address, an IPv6 client per /64, and the server', () => {
    const sockets = new PreConnectedSockets({ maxPreConnectedPerAddress: 2, maxPreConnected: 5 });
    const none = () => {};
    assert.ok(sockets.hold('2001:db8::1', none));
    assert.ok(sockets.hold('2001:db8:0:0:ffff::2', none));
    assert.equal(sockets.hold('2001:db8::3', none), null, 'the same /64');
    assert.ok(sockets.hold('2001:db8:0:1::1', none), 'another /64');
    assert.ok(sockets.hold('::ffff:192.0.2.1', none));
    assert.ok(sockets.hold('192.0.2.1', none), 'a mapped IPv4 address counts as that address');
    assert.equal(sockets.hold('192.0.2.1', none), null);
    assert.equal(sockets.size, 5);
    assert.equal(sockets.hold('198.51.100.1', none), null, 'the server is full');
  });

  it('gives the place back once, however often released', () => {
    const sockets = new PreConnectedSockets({ maxPreConnectedPerAddress: 1, maxPreConnected: 10 });
    const release = sockets.hold('192.0.2.1', () => {})!;
    release();
    release();
    assert.equal(sockets.size, 0);
    assert.ok(sockets.hold('192.0.2.1', () => {}));
    assert.equal(sockets.hold('192.0.2.1', () => {}), null);
  });

  it('evicts every socket held, each once, even with the same callback', () => {
    const sockets = new PreConnectedSockets({ maxPreConnectedPerAddress: 10, maxPreConnected: 10 });
    let evicted = 0;
    const releases: (() => void)[] = [];
    const evict = () => {
      evicted++;
      releases.shift()!();
    };
    for (let i = 0; i < 3; i++) releases.push(sockets.hold('192.0.2.1', evict)!);
    sockets.evictAll();
    assert.equal(evicted, 3);
    assert.equal(sockets.size, 0);
  });
});
