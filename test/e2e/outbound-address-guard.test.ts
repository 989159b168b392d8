import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { librivoxUtterances } from '../support/librivox.js';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

const UNREACHABLE = 'Could not download audio_url: the server could not be reached or did not answer over HTTP.';
/** An address the tests allow explicitly; the rest of 127.0.0.0/8 stays refused. */
const ALLOWED_HOST = '127.0.0.2';

async function listen(server: Server, host: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** An HTTP server that counts the requests it gets and answers each with `respond`. */
async function httpTarget(host: string, respond: (url: string) => { status: number; headers?: Record<string, string>; body?: Buffer }) {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req.url ?? '');
    const answer = respond(req.url ?? '');
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  const port = await listen(server, host);
  return { port, requests, close: () => close(server) };
}

async function finished(hark: HarkProcess, id: string): Promise<any> {
  return waitFor(async () => {
    const res = await api(hark, 'GET', `/v1/transcriptions/${id}`);
    return res.body.status === 'completed' || res.body.status === 'error' ? res.body : null;
  }, 120_000);
}

async function createFrom(hark: HarkProcess, audioUrl: string, extra: object = {}): Promise<string> {
  const res = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', audio_url: audioUrl, ...extra } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

async function assertServing(hark: HarkProcess) {
  assert.equal((await api(hark, 'GET', '/v1/models')).status, 200);
}

describe('outbound URLs: loopback, link-local and metadata addresses are refused by default', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({
      HARK_OUTBOUND_ALLOW_CIDRS: `${ALLOWED_HOST}/32`,
      HARK_AUDIO_URL_TIMEOUT_MS: '3000',
      HARK_WEBHOOK_ATTEMPTS: '1',
    });
  });
  after(() => hark.dispose());

  test('literal refused addresses in any notation are a 400 at creation, for audio_url and webhook_url', async () => {
    const literals = [
      'http://127.0.0.1:8080/a.wav', 'http://2130706433/a.wav', 'http://0x7f.1/a.wav', 'http://0177.0.0.1/a.wav',
      'http://127.1/a.wav', 'http://0/a.wav', 'http://[::1]/a.wav', 'http://[::ffff:127.0.0.1]/a.wav', 'http://[::]/a.wav',
      'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/latest/', 'http://[fe80::1]/a.wav',
      'http://[64:ff9b::a9fe:a9fe]/a.wav', 'https://[::ffff:a9fe:a9fe]/a.wav',
    ];
    for (const url of literals) {
      const audio = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', audio_url: url } });
      assert.equal(audio.status, 400, url);
      assert.equal(audio.body.error_type, 'invalid_request');
      assert.equal(audio.body.message, 'Invalid request.');
      assert.deepEqual(audio.body.validation_errors, [
        {
          error_type: 'value_error',
          location: 'body.payload.audio_url',
          message: 'Value error, audio_url points to an address this server does not connect to',
        },
      ]);
      const hook = await api(hark, 'POST', '/v1/transcriptions', {
        body: { model: 'stt-async-v4', audio_url: 'https://example.test/a.wav', webhook_url: url },
      });
      assert.equal(hook.status, 400, url);
      assert.deepEqual(
        hook.body.validation_errors.map((v: { location: string }) => v.location),
        ['body.payload.webhook_url'],
      );
    }
    const malformed = await api(hark, 'POST', '/v1/transcriptions', {
      body: { model: 'stt-async-v4', audio_url: 'http://[::1/a.wav' },
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.validation_errors[0].message, 'Value error, audio_url must be a valid http or https URL');
    assert.equal((await api(hark, 'GET', '/v1/transcriptions/count')).body.total, 0, 'nothing was stored');
    await assertServing(hark);
  });

  test('a host name resolving to loopback (localhost) is refused when connecting; nothing reaches the server', async () => {
    const target = await httpTarget('127.0.0.1', () => ({ status: 200, body: Buffer.from('RIFF') }));
    try {
      const id = await createFrom(hark, `http://localhost:${target.port}/speech.wav`);
      const done = await finished(hark, id);
      assert.equal(done.status, 'error');
      assert.equal(done.error_type, 'audio_url_error');
      assert.equal(done.error_message, UNREACHABLE);
      assert.deepEqual(target.requests, []);
      // The operator's log says why; the client's message does not.
      // The log line may reach the test's pipe just after the job's status.
      await waitFor(async () => /localhost resolves only to refused addresses/.test(hark.output()), 10_000);
    } finally {
      await target.close();
    }
    await assertServing(hark);
  });

  test('a redirect from an allowed server to a refused address is not followed', async () => {
    const inside = await httpTarget('127.0.0.1', () => ({ status: 200, body: Buffer.from('secret') }));
    const outside = await httpTarget(ALLOWED_HOST, (url) => ({
      status: 302,
      headers: { location: url === '/by-name' ? `http://localhost:${inside.port}/` : `http://2130706433:${inside.port}/` },
    }));
    try {
      for (const path of ['/by-address', '/by-name']) {
        const done = await finished(hark, await createFrom(hark, `http://${ALLOWED_HOST}:${outside.port}${path}`));
        assert.equal(done.error_type, 'audio_url_error', path);
        assert.equal(done.error_message, UNREACHABLE, path);
      }
      assert.deepEqual(outside.requests, ['/by-address', '/by-name']);
      assert.deepEqual(inside.requests, []);
    } finally {
      await Promise.all([inside.close(), outside.close()]);
    }
  });

  test('a closed port, a non-HTTP port and a silent port get the same message; an HTTP answer keeps its own', async () => {
    const closedServer = createTcpServer();
    const closedPort = await listen(closedServer, ALLOWED_HOST);
    await close(closedServer);
    // The servers read what Hark sends, so they see it hang up.
    const banner = createTcpServer((socket) => socket.resume().end('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    const reset = createTcpServer((socket) => socket.resetAndDestroy());
    const silent = createTcpServer((socket) => socket.resume());
    const missing = await httpTarget(ALLOWED_HOST, () => ({ status: 404, body: Buffer.from('no') }));
    try {
      const ports = { closed: closedPort, banner: await listen(banner, ALLOWED_HOST), reset: await listen(reset, ALLOWED_HOST), silent: await listen(silent, ALLOWED_HOST) };
      const ids = await Promise.all(
        Object.values(ports).map((port) => createFrom(hark, `http://${ALLOWED_HOST}:${port}/speech.wav`)),
      );
      const messages = (await Promise.all(ids.map((id) => finished(hark, id)))).map((t) => `${t.error_type}: ${t.error_message}`);
      assert.deepEqual(messages, Object.keys(ports).map(() => `audio_url_error: ${UNREACHABLE}`));

      const answered = await finished(hark, await createFrom(hark, `http://${ALLOWED_HOST}:${missing.port}/speech.wav`));
      assert.equal(answered.error_message, 'Could not download audio_url: the server answered HTTP 404.');
    } finally {
      await Promise.all([close(banner), close(reset), close(silent), missing.close()]);
    }
    await assertServing(hark);
  });

  test('a webhook to a name resolving to loopback is not delivered, and the log says why', async () => {
    const receiver = await httpTarget('127.0.0.1', () => ({ status: 200 }));
    const audio = await httpTarget(ALLOWED_HOST, () => ({ status: 404 }));
    try {
      const id = await createFrom(hark, `http://${ALLOWED_HOST}:${audio.port}/a.wav`, {
        webhook_url: `http://localhost:${receiver.port}/hook`,
      });
      await finished(hark, id);
      await waitFor(async () => /webhook delivery gave up/.test(hark.output()), 60_000);
      assert.match(hark.output(), /ERR_OUTBOUND_ADDRESS_REFUSED/);
      assert.deepEqual(receiver.requests, []);
      assert.equal((await api(hark, 'GET', `/v1/transcriptions/${id}`)).body.webhook_status_code, null);
    } finally {
      await Promise.all([receiver.close(), audio.close()]);
    }
  });
});

describe('outbound URLs: loopback allowed explicitly (HARK_OUTBOUND_ALLOW_CIDRS)', () => {
  let hark: HarkProcess;

  before(async () => {
    hark = await startHark({ HARK_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128', HARK_WEBHOOK_ATTEMPTS: '1' });
  });
  after(() => hark.dispose());

  test('audio_url by odd notation and by name, and the webhook, reach a loopback server', async () => {
    const utterance = librivoxUtterances()[1]!;
    const wav = await readFile(utterance.wavPath);
    const audio = await httpTarget('127.0.0.1', () => ({ status: 200, headers: { 'content-type': 'audio/wav' }, body: wav }));
    const receiver = await httpTarget('127.0.0.1', () => ({ status: 204 }));
    try {
      const ids = await Promise.all([
        createFrom(hark, `http://2130706433:${audio.port}/speech.wav`),
        createFrom(hark, `http://localhost:${audio.port}/speech.wav`, { webhook_url: `http://[::ffff:127.0.0.1]:${receiver.port}/hook` }),
      ]);
      for (const id of ids) {
        const done = await finished(hark, id);
        assert.equal(done.status, 'completed', done.error_message);
        assert.equal(done.filename, 'speech.wav');
      }
      await waitFor(async () => (await api(hark, 'GET', `/v1/transcriptions/${ids[1]}`)).body.webhook_status_code === 204, 60_000);
      assert.deepEqual(receiver.requests, ['/hook']);
    } finally {
      await Promise.all([audio.close(), receiver.close()]);
    }
  });
});
