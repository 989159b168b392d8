import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKeepaliveFrame } from './pre-start-keepalive.js';

const text = (s: string) => Buffer.from(s);

describe('isKeepaliveFrame', () => {
  it('takes the keepalive however it is spaced (the Python SDK writes {"type": "keepalive"})', () => {
    assert.ok(isKeepaliveFrame(text('{"type":"keepalive"}'), false));
    assert.ok(isKeepaliveFrame(text('{"type": "keepalive"}'), false));
    assert.ok(isKeepaliveFrame(text(' {\n "type" : "keepalive" }\n'), false));
  });

  it('leaves everything else to the start message', () => {
    assert.equal(isKeepaliveFrame(text('{"type":"keepalive"}'), true), false, 'binary');
    assert.equal(isKeepaliveFrame(text(''), false), false);
    assert.equal(isKeepaliveFrame(text('{"type":"finalize"}'), false), false);
    assert.equal(isKeepaliveFrame(text('{"api_key":"k","model":"stt-rt-v4","audio_format":"auto"}'), false), false);
    assert.equal(isKeepaliveFrame(text('["keepalive"]'), false), false);
    assert.equal(isKeepaliveFrame(text('{"type":"keepalive"'), false), false);
    assert.equal(isKeepaliveFrame(text(`{"type":"keepalive","pad":"${'x'.repeat(300)}"}`), false), false, 'too long to be one');
    assert.equal(isKeepaliveFrame(text(`${'['.repeat(100)}${']'.repeat(100)}`), false), false);
  });
});
