/**
 * The worker thread of {@link ModelsProbe}: probes on a fixed schedule until
 * told to stop, then posts its {@link ProbeSummary}.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type ProbeOptions, type ProbeSummary, percentile, probeOnce } from './latency-probe.js';

interface ProbeSetup {
  baseUrl: string;
  apiKey: string;
  options: ProbeOptions;
}

async function probe(port: MessagePort, { baseUrl, apiKey, options }: ProbeSetup): Promise<void> {
  const hark = { baseUrl, apiKey };
  const intervalMs = options.intervalMs ?? 25;
  const budgetMs = options.budgetMs ?? 200;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 16;
  const now = () => performance.timeOrigin + performance.now();

  /** Latency of each scheduled probe, in schedule order; Infinity when it was skipped or got no answer. */
  const latencies: number[] = [];
  const dueAt: number[] = [];
  const inFlight = new Set<Promise<void>>();

  const tick = () => {
    const index = latencies.length;
    latencies.push(Infinity);
    dueAt.push(now());
    // Too many outstanding probes: the server is not answering, and this one would not either.
    if (inFlight.size >= maxInFlight) return;
    const request = probeOnce(hark, timeoutMs).then((ms) => {
      latencies[index] = ms;
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  };

  const summarize = (): ProbeSummary => {
    // A slow probe is retried by the next one on the schedule: it counts as a
    // miss only if that one is slow too, else it takes the retry's latency.
    const effective = latencies.map((ms, i) => (ms <= budgetMs ? ms : Math.max(budgetMs, Math.min(ms, latencies[i + 1] ?? ms))));
    const missed = effective.map((ms) => ms > budgetMs);
    return {
      count: latencies.length,
      misses: missed.filter(Boolean).length,
      p50Ms: percentile(effective, 50),
      p99Ms: percentile(effective, 99),
      maxMs: Math.max(0, ...latencies),
      missesAt: dueAt.filter((_, i) => missed[i]),
    };
  };

  await probeOnce(hark, timeoutMs);
  const timer = setInterval(tick, intervalMs);
  port.postMessage('started');
  port.once('message', async () => {
    clearInterval(timer);
    await Promise.all(inFlight);
    port.postMessage(summarize());
  });
}

// The test runner executes every file under dist/test; outside a worker thread, do nothing.
if (parentPort) void probe(parentPort, workerData as ProbeSetup);
