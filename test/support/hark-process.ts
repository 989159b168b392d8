import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

export const TEST_API_KEY = 'hark-test-key-0123456789';

/**
 * For servers whose tests are about the HTTP and WebSocket layers, not about recognising in parallel:
 * one recognition and one real-time worker start (and load the engine) instead of one per core, which
 * on a busy machine takes seconds off every start.
 */
export const ONE_WORKER_ENV: Readonly<Record<string, string>> = { HARK_WORKERS: '1', HARK_REALTIME_WORKERS: '1' };

export interface HarkProcess {
  baseUrl: string;
  wsUrl: string;
  apiKey: string;
  dataDir: string;
  env: Record<string, string>;
  child: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the process abruptly, as a crash would. */
  crash(): Promise<void>;
  /** Stops (or crashes) and deletes the data dir. */
  dispose(): Promise<void>;
}

/**
 * Starts the real server (`node dist/src/main.js`) on a free port with its own
 * data dir, and resolves once it prints its URLs.
 */
export async function startHark(env: Record<string, string> = {}, dataDir?: string): Promise<HarkProcess> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'hark-test-')));
  const fullEnv: Record<string, string> = {
    HARK_PORT: '0',
    HARK_HOST: '127.0.0.1',
    HARK_DATA_DIR: dir,
    HARK_API_KEYS: TEST_API_KEY,
    HARK_LOG_LEVEL: 'warn',
    // Tests serve audio_url and receive webhooks on loopback, which Hark refuses by default.
    HARK_OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,::1/128',
    // stop() waits for running jobs and live sessions this long; tests that need the grace set their own.
    HARK_SHUTDOWN_GRACE_MS: '3000',
    // The measured capacity (`auto`) depends on the machine, and warm decoders
    // cost every test server ≈0.4 s of CPU each: tests about them ask for them.
    HARK_MAX_CONCURRENT_SESSIONS: '10',
    HARK_REALTIME_WARM_DECODERS: '0',
    // At the default nice 10, batch recognition gets a tenth of a CPU's share against the other test
    // files' servers and engines (all at nice 0), and next to nothing under `stress-ng`: jobs took
    // minutes. The suite's processes share the CPUs as equals.
    HARK_WORKER_NICE: '0',
    ...env,
  };
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...fullEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const startDeadlineMs = startDeadline();

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server left starting would outlive the test and keep its process from exiting: its workers
      // hold this process's pipes open even after the server itself is gone.
      killTree(child);
      child.stdout!.destroy();
      child.stderr!.destroy();
      reject(new Error(`Hark did not start in ${Math.round(startDeadlineMs / 1000)} s:\n${output}`));
    }, startDeadlineMs);
    const onData = () => {
      // A worker node (HARK_ROLE=worker) serves only /health: its base URL is that one's.
      const match = /REST API:\s+(http\S+)/.exec(output) ?? /Health:\s+(http\S+)\/health/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Hark exited with ${code}:\n${output}`));
    });
  });

  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    // The server bounds its own shutdown (grace, then at most ~20 s); this only guards the test run against a hang.
    const kill = setTimeout(() => killTree(child), Number(fullEnv.HARK_SHUTDOWN_GRACE_MS) + 30_000);
    await exited;
    clearTimeout(kill);
  };
  return {
    baseUrl,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/transcribe-websocket`,
    apiKey: fullEnv.HARK_API_KEYS!.split(',')[0]!,
    dataDir: dir,
    env: fullEnv,
    child,
    output: () => output,
    stop: () => stopWith('SIGTERM'),
    crash: () => stopWith('SIGKILL'),
    async dispose() {
      await stopWith('SIGTERM');
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * How long a server may take to print its URLs. Start-up loads the engines in worker processes: about
 * 5 s on an idle machine, 20 s at load 13, 26–61 s at load 18–21 on 2 cores. So the allowance grows with
 * the load per core: 120 s, up to 600 s on a machine loaded five times over.
 */
function startDeadline(): number {
  const loadPerCore = loadavg()[0]! / availableParallelism();
  return Math.round(120_000 * Math.min(5, Math.max(1, loadPerCore)));
}

/**
 * SIGKILLs `child` and every process it started (its engine workers, APy): gathered first, since
 * orphans are re-parented and could no longer be found. Linux /proc; elsewhere only `child`.
 */
function killTree(child: ChildProcess): void {
  const pids = child.pid === undefined ? [] : descendants(child.pid);
  child.kill('SIGKILL');
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const name of entries) {
    try {
      // The parent pid is the second field after the parenthesised command name (which may hold spaces).
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.pop()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** Calls the REST API directly, for wire-level assertions the SDK hides. */
export async function api(
  hark: Pick<HarkProcess, 'baseUrl' | 'apiKey'>,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string>; key?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? hark.apiKey : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(`${hark.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Non-JSON bodies (file downloads) are returned as text.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Polls until `check` returns a value, failing after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
