/**
 * Uploads a large file (default 1 GiB, HARK_BENCH_UPLOAD_BYTES to change) as a
 * streamed multipart body and reports throughput and the server's peak RSS.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { startHark } from '../test/support/hark-process.js';

const TOTAL = Number(process.env.HARK_BENCH_UPLOAD_BYTES ?? 1024 ** 3);
const CHUNK = Buffer.alloc(1024 * 1024, 7);

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Resident memory of the recognition worker processes, which hold the engine's models. */
async function workerRssMb(pid: number): Promise<number[]> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
  const out: number[] = [];
  for (const child of children) {
    const status = await readFile(`/proc/${child}/status`, 'utf8');
    out.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }
  return out;
}

async function* multipartBody(boundary: string) {
  yield Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  for (let sent = 0; sent < TOTAL; sent += CHUNK.length) yield CHUNK.subarray(0, Math.min(CHUNK.length, TOTAL - sent));
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

const hark = await startHark({ HARK_LOG_LEVEL: 'error' });
try {
  const pid = hark.child.pid!;
  const rssBefore = await peakRssMb(pid);
  const boundary = 'harkbench' + Date.now();
  const started = performance.now();
  const response = await fetch(`${hark.baseUrl}/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hark.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: Readable.toWeb(Readable.from(multipartBody(boundary))) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const body = (await response.json()) as { size?: number };
  const seconds = (performance.now() - started) / 1000;
  if (response.status !== 201 || body.size !== TOTAL) throw new Error(`upload failed: ${response.status} ${JSON.stringify(body)}`);
  const mib = TOTAL / 1024 ** 2;
  console.log(`upload of ${mib.toFixed(0)} MiB: ${seconds.toFixed(1)} s, ${(mib / seconds).toFixed(0)} MiB/s`);
  console.log(`server peak RSS: ${(await peakRssMb(pid)).toFixed(0)} MB (at idle after start: ${rssBefore.toFixed(0)} MB; goal < 150 MB)`);
  const workers = await workerRssMb(pid);
  console.log(`recognition worker processes (models loaded, idle): ${workers.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}`);
} finally {
  await hark.dispose();
}
