import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { api, startHark, waitFor, type HarkProcess } from '../support/hark-process.js';

const TIMEOUT_MS = 3000;
const MAX_BYTES = 2_000_000;
const UNREACHABLE = 'Could not download audio_url: the server could not be reached or did not answer over HTTP.';
const TOO_LARGE = `audio_url is larger than the maximum file size of ${MAX_BYTES} bytes.`;

/** Writes chunks as long as the client reads them, until it goes away. */
function endless(res: ServerResponse) {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const write = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', write);
  };
  write();
}

describe('hostile audio_url servers end in a clean audio_url_error', () => {
  let hark: HarkProcess;
  let base: string;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/no-headers') return;
    if (path === '/stalls') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      res.write(Buffer.alloc(1000));
      return;
    }
    if (path === '/endless') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      return endless(res);
    }
    if (path === '/declared-huge') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(MAX_BYTES * 100) });
      return endless(res);
    }
    if (path === '/gzip-bomb') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-encoding': 'gzip' });
      return res.end(gzipSync(Buffer.alloc(MAX_BYTES * 20)));
    }
    if (path === '/bad-gzip') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-encoding': 'gzip' });
      return res.end(Buffer.from('this is not gzip at all'));
    }
    if (path.startsWith('/loop')) {
      res.writeHead(302, { location: path === '/loop' ? '/loop2' : '/loop' });
      return res.end();
    }
    if (path === '/to-file') {
      res.writeHead(301, { location: 'file:///etc/passwd' });
      return res.end();
    }
    if (path === '/huge-headers') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'x-filler': 'x'.repeat(100_000) });
      return res.end('RIFF');
    }
    if (path === '/web-page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8; internal=10.0.0.7' });
      return res.end('<html></html>');
    }
    if (path === '/cut') {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': '100000' });
      res.write(Buffer.alloc(1000));
      return setTimeout(() => res.destroy(), 50);
    }
    res.writeHead(404);
    res.end();
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    hark = await startHark({ HARK_AUDIO_URL_TIMEOUT_MS: String(TIMEOUT_MS), HARK_MAX_AUDIO_URL_BYTES: String(MAX_BYTES) });
  });
  after(async () => {
    await hark.dispose();
    server.closeAllConnections();
    server.close();
  });

  test('hangs, bombs, redirect loops and broken bodies each get their message; the server keeps serving', async () => {
    const expected: Record<string, string> = {
      '/no-headers': UNREACHABLE,
      '/huge-headers': UNREACHABLE,
      '/stalls': `Timed out downloading audio_url after ${TIMEOUT_MS} ms.`,
      '/endless': TOO_LARGE,
      '/declared-huge': TOO_LARGE,
      '/gzip-bomb': TOO_LARGE,
      '/bad-gzip': 'Could not download audio_url: the server sent a body that could not be decompressed.',
      '/loop': 'Could not download audio_url: more than 10 redirects.',
      '/to-file': 'Could not download audio_url: redirected to something that is not an http or https URL.',
      '/web-page': 'audio_url did not return audio (content-type text/html).',
      '/cut': 'Could not download audio_url: the transfer was interrupted.',
    };
    const ids = await Promise.all(
      Object.keys(expected).map(async (path) => {
        const res = await api(hark, 'POST', '/v1/transcriptions', { body: { model: 'stt-async-v4', audio_url: `${base}${path}` } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.id as string;
      }),
    );
    const started = Date.now();
    const results = await Promise.all(
      ids.map((id) =>
        waitFor(async () => {
          const res = await api(hark, 'GET', `/v1/transcriptions/${id}`);
          return res.body.status === 'error' || res.body.status === 'completed' ? res.body : null;
        }, 120_000),
      ),
    );
    const models = await api(hark, 'GET', '/v1/models');
    assert.equal(models.status, 200);
    const got = Object.fromEntries(Object.keys(expected).map((path, i) => [path, `${results[i].error_type}: ${results[i].error_message}`]));
    assert.deepEqual(got, Object.fromEntries(Object.entries(expected).map(([p, m]) => [p, `audio_url_error: ${m}`])));
    console.log(`${ids.length} hostile audio_url jobs ended in ${Date.now() - started} ms`);
  });
});
