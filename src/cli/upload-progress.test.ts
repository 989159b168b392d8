import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMultipart, fetchWithUploadProgress } from './upload-progress.js';

function form(): FormData {
  const data = new FormData();
  data.append('file', new Blob([new Uint8Array(70_000).fill(7)], { type: 'audio/wav' }), 'talk "1".wav');
  data.append('client_reference_id', 'line one\nline two');
  return data;
}

describe('encodeMultipart', () => {
  it('encodes a form byte for byte as Node’s own fetch does, with its length known up front', async () => {
    const ours = encodeMultipart(form(), 'BOUNDARY');
    const body = Buffer.from(await new Response(ours.stream(() => undefined)).arrayBuffer());
    assert.equal(body.length, ours.length);
    assert.equal(ours.contentType, 'multipart/form-data; boundary=BOUNDARY');

    const reference = new Response(form());
    const theirBoundary = reference.headers.get('content-type')!.split('boundary=')[1]!;
    const theirs = Buffer.from(await reference.arrayBuffer()).toString('latin1').replaceAll(theirBoundary, 'BOUNDARY');
    assert.equal(body.toString('latin1'), theirs);
  });

  it('reports the bytes produced, ending at the total', async () => {
    const encoded = encodeMultipart(form());
    const seen: number[] = [];
    await new Response(encoded.stream((sent) => seen.push(sent))).arrayBuffer();
    assert.ok(seen.length >= 3);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
    );
    assert.equal(seen.at(-1), encoded.length);
  });
});

describe('fetchWithUploadProgress', () => {
  it('sends forms with a length and progress, and other bodies untouched', async () => {
    const calls: { init: RequestInit | undefined }[] = [];
    const fake = (async (_input: unknown, init?: RequestInit) => {
      calls.push({ init });
      if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
      return new Response('{}');
    }) as typeof fetch;
    const progress: [number, number][] = [];
    const progressFetch = fetchWithUploadProgress((sent, total) => progress.push([sent, total]), fake);

    await progressFetch('http://x/v1/files', { method: 'POST', body: form(), headers: { authorization: 'Bearer k' } });
    const headers = new Headers(calls[0]!.init!.headers);
    assert.match(headers.get('content-type')!, /^multipart\/form-data; boundary=/);
    assert.equal(headers.get('authorization'), 'Bearer k');
    const total = Number(headers.get('content-length'));
    assert.deepEqual(progress.at(-1), [total, total]);

    await progressFetch('http://x/v1/models', { method: 'GET' });
    assert.equal(calls[1]!.init!.body, undefined);
  });
});
