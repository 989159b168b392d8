/**
 * Memory and latency under list load (issue 10, item 8): seeds 1,000
 * transcriptions with 20 KB contexts into a real server, then 20 clients page
 * through `GET /v1/transcriptions?limit=1000` at once, each following
 * `next_page_cursor` to the end. Meanwhile `GET /v1/models` is requested
 * every 25 ms. The 20 clients run in a worker thread, so that reading their
 * pages does not delay the probe's own event loop. Prints the server
 * process's resident memory (idle and peak under load) and the `/v1/models`
 * latency with and without the load.
 *
 * HARK_BENCH_LIST_PASSES (default 1) sets the walks per client;
 * HARK_MAX_LIST_PAGE_BYTES is passed through to the server.
 */
import { readFile } from 'node:fs/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { api, startHark } from '../test/support/hark-process.js';

const TRANSCRIPTIONS = 1000;
const CONTEXT_CHARS = 20_000;
const CLIENTS = 20;
const PASSES = Number(process.env.HARK_BENCH_LIST_PASSES ?? 1);
const IDLE_PROBES = 200;
const PROBE_INTERVAL_MS = 25;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function summary(latencies: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

async function timedModels(baseUrl: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/v1/models`, { headers, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`/v1/models answered ${response.status}`);
  return performance.now() - started;
}

/**
 * Requests `/v1/models` every PROBE_INTERVAL_MS, whether or not the last one
 * has answered, until `until` settles: a request that arrives while the
 * server is busy is counted as long as it waits, however long that is.
 */
async function probeWhile(baseUrl: string, headers: Record<string, string>, until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const probes: Promise<void>[] = [];
  const timer = setInterval(() => {
    probes.push(timedModels(baseUrl, headers).then((ms) => void latencies.push(ms)));
  }, PROBE_INTERVAL_MS);
  try {
    await until;
  } finally {
    clearInterval(timer);
  }
  await Promise.all(probes);
  return latencies;
}

/** One full walk of the list; returns pages and items seen. */
async function walk(baseUrl: string, headers: Record<string, string>): Promise<{ pages: number; items: number }> {
  let cursor: string | null = null;
  let pages = 0;
  let items = 0;
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const response = await fetch(`${baseUrl}/v1/transcriptions?limit=1000${query}`, { headers });
    if (response.status !== 200) throw new Error(`list answered ${response.status}: ${await response.text()}`);
    // Not JSON.parse: the load generator shares the machine, so it reads pages as cheaply as it can.
    const text = await response.text();
    const next = /"next_page_cursor":(?:null|"([^"]+)")\}$/.exec(text);
    if (!next) throw new Error(`unexpected page: ${text.slice(-200)}`);
    pages++;
    for (let at = text.indexOf('{"id":"'); at !== -1; at = text.indexOf('{"id":"', at + 1)) items++;
    cursor = next[1] ?? null;
  } while (cursor !== null);
  return { pages, items };
}

/** The 20 clients, in the worker thread: each walks the list PASSES times. */
async function runLoad(baseUrl: string, headers: Record<string, string>) {
  return Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const out = [];
      for (let pass = 0; pass < PASSES; pass++) out.push(await walk(baseUrl, headers));
      return out;
    }),
  );
}

/** Seeds the server, measures it idle, then under the list load. */
async function main() {
  const hark = await startHark({
    HARK_LOG_LEVEL: 'error',
    HARK_WORKERS: '1',
    HARK_MAX_PENDING_TRANSCRIPTIONS: String(TRANSCRIPTIONS),
    HARK_MAX_TRANSCRIPTIONS: String(TRANSCRIPTIONS),
    ...(process.env.HARK_MAX_LIST_PAGE_BYTES ? { HARK_MAX_LIST_PAGE_BYTES: process.env.HARK_MAX_LIST_PAGE_BYTES } : {}),
  });
  const headers = { authorization: `Bearer ${hark.apiKey}` };

  try {
    const pid = hark.child.pid!;
    const context = { general: [{ key: 'domain', value: 'benchmark' }], text: 'lorem ipsum '.repeat(CONTEXT_CHARS / 12 - 10) };
    let lastId = '';
    for (let i = 0; i < TRANSCRIPTIONS; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, TRANSCRIPTIONS - i) }, () =>
          api(hark, 'POST', '/v1/transcriptions', {
            body: { model: 'stt-async-v4', audio_url: 'http://127.0.0.1:9/bench.mp3', context },
          }),
        ),
      );
      for (const created of batch) {
        if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
        lastId = created.body.id as string;
      }
    }
    // Jobs run in order: once the newest has ended, the workers are idle.
    for (;;) {
      const last = await api(hark, 'GET', `/v1/transcriptions/${lastId}`);
      if (last.body.status === 'completed' || last.body.status === 'error') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const idlePeriod = new Promise((resolve) => setTimeout(resolve, IDLE_PROBES * PROBE_INTERVAL_MS));
    const idleLatencies = await probeWhile(hark.baseUrl, headers, idlePeriod);
    const rssIdle = await rssMb(pid);

    let loading = true;
    let peakRss = rssIdle;
    const sampler = (async () => {
      while (loading) {
        peakRss = Math.max(peakRss, await rssMb(pid));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = performance.now();
    const worker = new Worker(new URL(import.meta.url), { workerData: { baseUrl: hark.baseUrl, headers } });
    const load = new Promise<{ pages: number; items: number }[][]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const loadedLatencies = await probeWhile(hark.baseUrl, headers, load);
    const walks = await load;
    await worker.terminate();
    const loadSeconds = (performance.now() - started) / 1000;
    loading = false;
    await sampler;

    const first = walks[0]![0]!;
    const idle = summary(idleLatencies);
    const loaded = summary(loadedLatencies);
    console.log(`seeded ${TRANSCRIPTIONS} transcriptions with ${CONTEXT_CHARS}-char contexts`);
    console.log(
      `${CLIENTS} clients x ${PASSES} full walks of GET /v1/transcriptions?limit=1000: ${first.pages} pages per walk, ` +
        `${first.items} items, ${loadSeconds.toFixed(1)} s`,
    );
    console.log(`server RSS: idle ${rssIdle.toFixed(0)} MB, peak under load ${peakRss.toFixed(0)} MB`);
    console.log(`/v1/models without load: p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms (${idle.n} requests)`);
    console.log(`/v1/models under load:   p50 ${loaded.p50.toFixed(1)} ms, p99 ${loaded.p99.toFixed(1)} ms (${loaded.n} requests)`);
    console.log(`ratio (p99 under load / p99 without): ${(loaded.p99 / idle.p99).toFixed(2)}`);
  } finally {
    await hark.dispose();
  }
}

if (!isMainThread) {
  const { baseUrl, headers } = workerData as { baseUrl: string; headers: Record<string, string> };
  parentPort!.postMessage(await runLoad(baseUrl, headers));
} else {
  await main();
}
