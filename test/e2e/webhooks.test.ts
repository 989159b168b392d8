import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { librivoxUtterances } from '../support/librivox.js';
import { api, startHark, waitFor, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';

interface Delivery {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver that fails the first `failures` deliveries with 503. */
async function startReceiver(failures: number) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      deliveries.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      res.statusCode = deliveries.length <= failures ? 503 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, deliveries, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('webhooks', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;
  let fileId: string;

  before(async () => {
    hark = await startHark({ ...ONE_WORKER_ENV, HARK_WEBHOOK_BACKOFF_MS: '200', HARK_WEBHOOK_ATTEMPTS: '4', HARK_WEBHOOK_TIMEOUT_MS: '2000' });
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
    const utterance = librivoxUtterances()[1]!;
    fileId = (await client.files.upload(await readFile(utterance.wavPath), { filename: 'utt.wav' })).id;
  });
  after(() => hark.dispose());

  test('delivered with the auth header and query string, retried with backoff after failures', async () => {
    const receiver = await startReceiver(2);
    try {
      const transcription = await client.stt.create({
        model: 'stt-async-v4',
        file_id: fileId,
        webhook_url: `${receiver.url}/hooks/soniox?job=42&tenant=a%20b`,
        webhook_auth_header_name: 'X-Webhook-Secret',
        webhook_auth_header_value: 's3cret-value',
      });
      assert.equal(transcription.webhook_auth_header_value, '******************');
      const done = await waitFor(async () => {
        const res = await api(hark, 'GET', `/v1/transcriptions/${transcription.id}`);
        return res.body.webhook_status_code === 200 ? res.body : null;
      }, 60_000);
      assert.equal(done.status, 'completed');
      assert.equal(done.webhook_auth_header_value, '******************');
      assert.equal(receiver.deliveries.length, 3);
      for (const d of receiver.deliveries) {
        assert.equal(d.method, 'POST');
        assert.equal(d.url, '/hooks/soniox?job=42&tenant=a%20b');
        assert.equal(d.headers['x-webhook-secret'], 's3cret-value');
        assert.match(d.headers['content-type'] ?? '', /^application\/json/);
        assert.deepEqual(JSON.parse(d.body), { id: transcription.id, status: 'completed' });
      }
      const gaps = [1, 2].map((i) => receiver.deliveries[i]!.at - receiver.deliveries[i - 1]!.at);
      assert.ok(gaps[0]! >= 180 && gaps[1]! >= 380, `backoff gaps ${gaps.join(', ')} ms`);

      // The SDK's own receiver accepts what Hark sends.
      const last = receiver.deliveries.at(-1)!;
      const handled = client.webhooks.handle({
        method: 'POST',
        headers: last.headers as Record<string, string>,
        body: JSON.parse(last.body),
        auth: { name: 'X-Webhook-Secret', value: 's3cret-value' },
      });
      assert.equal(handled.ok, true);
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that never answers 2xx gets the configured attempts and its last status is kept', async () => {
    const receiver = await startReceiver(100);
    try {
      const transcription = await client.stt.create({ model: 'stt-async-v4', file_id: fileId, webhook_url: `${receiver.url}/x` });
      await waitFor(async () => receiver.deliveries.length >= 4, 60_000);
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(receiver.deliveries.length, 4);
      const res = await api(hark, 'GET', `/v1/transcriptions/${transcription.id}`);
      assert.equal(res.body.webhook_status_code, 503);
      assert.equal(res.body.status, 'completed');
      assert.equal(res.body.webhook_auth_header_value, null);
    } finally {
      await receiver.close();
    }
  });
});
