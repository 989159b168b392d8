import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { api, startHark, type HarkProcess } from '../support/hark-process.js';
import { errorOf, runSession } from '../support/realtime-client.js';
import { speechPcm } from '../support/speech-audio.js';

const start = (apiKey: string) => ({ api_key: apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 });
/** pino's numeric levels. */
const ERROR = 50;

/** A client frame written straight to the socket: FIN, `opcode`, masked with a zero key unless `masked` is false. */
function rawFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  const head = Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]);
  return Buffer.concat([head, masked ? Buffer.alloc(4) : Buffer.alloc(0), payload]);
}

/** Opens a connection, writes `bytes` raw after the handshake, and resolves with the close code the server sent. */
async function abuse(url: string, bytes: Buffer): Promise<number> {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  await once(ws, 'open');
  const closed = new Promise<number>((resolve) => ws.on('close', resolve));
  (ws as unknown as { _socket: import('node:net').Socket })._socket.write(bytes);
  return closed;
}

describe('real-time log levels', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ HARK_LOG_LEVEL: 'debug', HARK_REALTIME_START_TIMEOUT_MS: '1000' });
  });
  after(() => hark.dispose());

  test('client mistakes, disconnects and framing errors are never logged as errors', async () => {
    const refusals = await Promise.all([
      runSession(hark.wsUrl, { start: '{"api_key":' }),
      runSession(hark.wsUrl, { start: { ...start(hark.apiKey), model: 'nope' } }),
      runSession(hark.wsUrl, { start: start('wrong-key') }),
      runSession(hark.wsUrl, { start: null }),
    ]);
    assert.deepEqual(refusals.map((run) => errorOf(run).error_code), [400, 400, 401, 408]);

    // Framing abuse still gets its close codes: invalid UTF-8, an unmasked frame.
    assert.equal(await abuse(hark.wsUrl, rawFrame(0x1, Buffer.from([0xff, 0xfe]))), 1007);
    assert.equal(await abuse(hark.wsUrl, rawFrame(0x2, Buffer.from('audio'), false)), 1002);

    // A client that goes away in the middle of its session, without a close frame.
    const ws = new WebSocket(hark.wsUrl);
    await once(ws, 'open');
    ws.send(JSON.stringify(start(hark.apiKey)));
    ws.send(speechPcm([4], 0).subarray(0, 64_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
    ws.terminate();

    assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
    const errors = hark
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg?: string })
      .filter((entry) => entry.level >= ERROR);
    assert.deepEqual(errors, []);
  });
});
