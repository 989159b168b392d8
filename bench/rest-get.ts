/**
 * Requests per second for GET /v1/transcriptions/{id} against a real server,
 * next to GET /health (the framework's floor on this machine).
 */
import autocannon from 'autocannon';
import { api, startHark } from '../test/support/hark-process.js';

const DURATION_S = Number(process.env.HARK_BENCH_SECONDS ?? 10);

async function run(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: 32, pipelining: 1, duration: DURATION_S, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

const hark = await startHark({ HARK_LOG_LEVEL: 'error' });
try {
  const created = await api(hark, 'POST', '/v1/transcriptions', {
    body: { model: 'stt-async-v4', audio_url: 'http://127.0.0.1:9/not-there.mp3' },
  });
  const id = created.body.id as string;
  const headers = { authorization: `Bearer ${hark.apiKey}`, 'content-type': 'application/json' };
  const get = await run(`${hark.baseUrl}/v1/transcriptions/${id}`, headers);
  const floor = await run(`${hark.baseUrl}/health`, {});
  console.log(
    `GET /v1/transcriptions/{id}: ${get.requests.average.toFixed(0)} req/s, p50 ${get.latency.p50} ms, p99 ${get.latency.p99} ms`,
  );
  console.log(`GET /health (no auth, no storage): ${floor.requests.average.toFixed(0)} req/s`);
  console.log(`ratio: ${(get.requests.average / floor.requests.average).toFixed(2)} of the framework floor`);
} finally {
  await hark.dispose();
}
