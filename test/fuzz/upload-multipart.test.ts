import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startHark, type HarkProcess } from '../support/hark-process.js';
import { FUZZ_ENV, assertDocumentedRestAnswer, formatReport, fuzz } from '../support/fuzz.js';
import { rawHttp } from '../support/raw-http.js';

const MAX_FILE_SIZE = 100_000;

/** Boundaries: RFC 2046 ones, over-long ones, odd characters, none. */
const boundary = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=?]{1,70}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, '')) },
  { weight: 1, arbitrary: fc.integer({ min: 71, max: 3000 }).map((n) => 'b'.repeat(n)) },
  { weight: 1, arbitrary: fc.constant('') },
);

const part = fc.record({
  disposition: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('form-data; name="file"; filename="a.wav"', 'form-data; name="file"', 'form-data; name="client_reference_id"') },
    { weight: 2, arbitrary: fc.constantFrom('form-data; name="other"; filename="x"', 'form-data', 'attachment; name="file"', 'form-data; name=file; filename=', "form-data; name=\"file\"; filename*=UTF-8''%ff%fe") },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')) },
    { weight: 2, arbitrary: fc.constant(null) },
  ),
  duplicateDisposition: fc.boolean(),
  contentType: fc.option(fc.constantFrom('application/octet-stream', 'audio/wav', 'text/plain; charset=utf-8', 'multipart/mixed; boundary=x', ';;;')),
  junkHeaders: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 1, arbitrary: fc.constantFrom(1000, 3000) }),
  content: fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ maxLength: 3000 }) },
    { weight: 1, arbitrary: fc.integer({ min: MAX_FILE_SIZE + 1, max: MAX_FILE_SIZE + 20_000 }).map((n) => new Uint8Array(n)) },
  ),
});

/** A POST /v1/files request: multipart parts with any headers, any boundaries, truncated or framed wrongly. */
const uploadRequest = fc
  .record({
    headerBoundary: boundary,
    bodyBoundary: fc.option(boundary, { freq: 4 }),
    contentType: fc.constantFrom('quoted', 'plain', 'no-boundary', 'two-boundaries', 'mixed', 'octet-stream', 'absent', 'upper-case'),
    preamble: fc.option(fc.string({ maxLength: 50 })),
    parts: fc.array(part, { maxLength: 4 }),
    closed: fc.boolean(),
    truncateAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    framing: fc.constantFrom('content-length', 'content-length', 'chunked', 'short-content-length'),
  })
  .map((r) => {
    const b = r.headerBoundary;
    const contentType = {
      quoted: `multipart/form-data; boundary="${b}"`,
      plain: `multipart/form-data; boundary=${b}`,
      'no-boundary': 'multipart/form-data',
      'two-boundaries': `multipart/form-data; boundary=${b}; boundary=other`,
      mixed: `multipart/mixed; boundary=${b}`,
      'octet-stream': 'application/octet-stream',
      absent: null,
      'upper-case': `MULTIPART/FORM-DATA; BOUNDARY=${b}`,
    }[r.contentType];
    const delimiter = r.bodyBoundary ?? b;
    const chunks: Buffer[] = [];
    if (r.preamble !== null) chunks.push(Buffer.from(`${r.preamble}\r\n`));
    for (const p of r.parts) {
      const headers: string[] = [];
      if (p.disposition !== null) headers.push(`Content-Disposition: ${p.disposition}`);
      if (p.disposition !== null && p.duplicateDisposition) headers.push(`Content-Disposition: form-data; name="file"; filename="b.wav"`);
      if (p.contentType !== null) headers.push(`Content-Type: ${p.contentType}`);
      for (let i = 0; i < p.junkHeaders; i++) headers.push(`X-Junk-${i}: ${i}`);
      chunks.push(Buffer.from(`--${delimiter}\r\n${headers.join('\r\n')}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n'));
    }
    if (r.closed) chunks.push(Buffer.from(`--${delimiter}--\r\n`));
    let body = Buffer.concat(chunks);
    if (r.truncateAt !== null) body = body.subarray(0, Math.floor(body.length * r.truncateAt));
    // Latin-1 text, byte for byte: a failing input then reads as the request it was.
    return { contentType, body: body.toString('latin1'), framing: r.framing };
  });

function encodeRequest(apiKey: string, upload: { contentType: string | null; body: string; framing: string }): Buffer {
  const head = ['POST /v1/files HTTP/1.1', 'Host: 127.0.0.1', `Authorization: Bearer ${apiKey}`, 'Connection: close'];
  if (upload.contentType !== null) head.push(`Content-Type: ${upload.contentType}`);
  let body = Buffer.from(upload.body, 'latin1');
  if (upload.framing === 'chunked') {
    head.push('Transfer-Encoding: chunked');
    body = Buffer.concat([...(body.length > 0 ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : []), Buffer.from('0\r\n\r\n')]);
  } else if (upload.framing === 'short-content-length') {
    // The bytes past the declared length are a second, garbage request on the same connection.
    head.push(`Content-Length: ${Math.floor(body.length / 2)}`);
  } else head.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

describe('fuzz: multipart uploads', () => {
  let hark: HarkProcess;
  before(async () => {
    hark = await startHark({ ...FUZZ_ENV, HARK_MAX_FILE_SIZE: String(MAX_FILE_SIZE), HARK_MAX_FILES: '100000' });
  });
  after(() => hark.dispose());

  test('any multipart body to POST /v1/files gets 201 or a documented 4xx, and the server keeps serving', async (t) => {
    const report = await fuzz(
      hark,
      uploadRequest,
      async (upload) => {
        const { status, body } = assertDocumentedRestAnswer(await rawHttp(hark.baseUrl, encodeRequest(hark.apiKey, upload)), [201]);
        if (status === 201) assert.ok(typeof body.id === 'string' && body.size <= MAX_FILE_SIZE, JSON.stringify(body));
      },
      { numRuns: 100, timeLimitMs: 4_000 },
    );
    t.diagnostic(formatReport(report));
  });
});
