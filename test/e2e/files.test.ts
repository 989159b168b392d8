import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SonioxNodeClient } from '@soniox/node';
import { api, startHark, waitFor, type HarkProcess, ONE_WORKER_ENV } from '../support/hark-process.js';

describe('files: upload, list, count, get, temporary URL, delete', () => {
  let hark: HarkProcess;
  let client: SonioxNodeClient;

  before(async () => {
    hark = await startHark(ONE_WORKER_ENV);
    client = new SonioxNodeClient({ api_key: hark.apiKey, base_url: hark.baseUrl });
  });
  after(() => hark.dispose());

  test('an upload keeps its name, size and reference, and its bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    const file = await client.files.upload(bytes, { filename: 'speech ü.wav', client_reference_id: 'ref-1' });
    assert.equal(file.filename, 'speech ü.wav');
    assert.equal(file.size, 5000);
    assert.equal(file.client_reference_id, 'ref-1');
    assert.ok(Math.abs(Date.parse(file.created_at) - Date.now()) < 60_000);

    const got = await api(hark, 'GET', `/v1/files/${file.id}`);
    assert.deepEqual(got.body, {
      id: file.id,
      filename: 'speech ü.wav',
      size: 5000,
      created_at: file.created_at,
      client_reference_id: 'ref-1',
    });

    const link = await api(hark, 'GET', `/v1/files/${file.id}/url`);
    assert.equal(link.status, 200);
    const download = await fetch(link.body.url);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), bytes);
    // Byte ranges, for players that seek.
    const part = await fetch(link.body.url, { headers: { range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 100-199/5000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
    const beyond = await fetch(link.body.url, { headers: { range: 'bytes=5000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */5000');
    const tampered = await fetch(link.body.url.replace(/signature=[0-9a-f]/, 'signature=g'));
    assert.equal(tampered.status, 404);
    const expired = await fetch(link.body.url.replace(/expires=\d+/, 'expires=1000'));
    assert.equal(expired.status, 404);

    await client.files.delete(file.id);
    assert.equal(await client.files.get(file.id), null);
    assert.equal((await fetch(link.body.url)).status, 404);
    await client.files.delete(file.id);
  });

  test('an upload cut off mid-stream leaves neither a listed file nor stray bytes', async () => {
    const boundary = 'cutoff';
    const controller = new AbortController();
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        if (pulls++ === 0) {
          stream.enqueue(
            new TextEncoder().encode(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.wav"\r\n\r\n`,
            ),
          );
          stream.enqueue(new Uint8Array(256 * 1024));
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
        controller.abort();
        stream.close();
      },
    });
    await assert.rejects(
      fetch(`${hark.baseUrl}/v1/files`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hark.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        signal: controller.signal,
        duplex: 'half',
      } as RequestInit),
    );
    const { readdir } = await import('node:fs/promises');
    await waitFor(async () => (await readdir(`${hark.dataDir}/blobs/.incoming`)).length === 0, 10_000);
    assert.equal((await api(hark, 'GET', '/v1/files/count')).body.total, 0);
    assert.deepEqual((await readdir(`${hark.dataDir}/blobs`)).filter((n) => !n.startsWith('.')), []);
    const health = await api(hark, 'GET', '/v1/files');
    assert.equal(health.status, 200);
  });

  test('lists page newest first with cursors that survive deletion', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await client.files.upload(Buffer.from(`file ${i}`), { filename: `f${i}.txt` })).id);
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api(hark, 'GET', `/v1/files?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200);
      assert.ok('next_page_cursor' in res.body);
      seen.push(...res.body.files.map((f: { id: string }) => f.id));
      cursor = res.body.next_page_cursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen, newestFirst);

    const count = await api(hark, 'GET', '/v1/files/count');
    assert.deepEqual(count.body, { total: 7, public_api: 7, playground: 0 });

    // The SDK's delete_all deletes while it pages.
    const firstPage = await api(hark, 'GET', '/v1/files?limit=3');
    for (const f of firstPage.body.files) await client.files.delete(f.id);
    const secondPage = await api(hark, 'GET', `/v1/files?limit=3&cursor=${firstPage.body.next_page_cursor}`);
    assert.deepEqual(
      secondPage.body.files.map((f: { id: string }) => f.id),
      newestFirst.slice(3, 6),
    );

    await client.files.delete_all();
    assert.equal((await api(hark, 'GET', '/v1/files/count')).body.total, 0);
  });
});
