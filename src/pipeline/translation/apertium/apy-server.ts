/**
 * Runs and supervises one Apertium APy server (Debian's `apertium-apy`) for
 * the whole Hark process: a free port on 127.0.0.1, a restart whenever it
 * dies, and a clean stop with the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TranslationError } from '../translator.js';

export interface ApyServerOptions {
  /** Directory of installed `.mode` files: every pair in it is served. */
  pairsDir: string;
  /** The Python 3 interpreter APy runs on: Debian's, which has APy's modules (not one first on PATH). */
  python?: string;
  /** Longest wait for a (re)started APy to answer. */
  startTimeoutMs?: number;
}

/** What happens to the supervised APy, for the log and for tests. */
export interface ApyServerEvents {
  /** An APy process (the first or a restart) answers at `url`. */
  serving: [{ url: string; pid: number }];
  /** The running APy died and will be restarted after `delayMs`. */
  died: [{ code: number | null; signal: string | null; stderr: string; delayMs: number }];
  /** A restart failed; another follows after `delayMs`. */
  'restart-failed': [{ err: unknown; delayMs: number }];
}

/**
 * Starts APy through Python so that two things hold that its command line
 * cannot express:
 * - it dies with Hark, even when Hark is killed (PR_SET_PDEATHSIG = 1; the
 *   parent check closes the race with a parent that died before prctl);
 * - it listens on 127.0.0.1 only: APy binds every interface, and it has no
 *   authentication.
 * argv: parent pid, then APy's own arguments.
 */
const LAUNCHER = `
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGTERM)
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
import tornado.tcpserver
bind = tornado.tcpserver.TCPServer.bind
tornado.tcpserver.TCPServer.bind = lambda self, port, address=None, *a, **k: bind(self, port, '127.0.0.1', *a, **k)
sys.argv = ['apertium-apy'] + sys.argv[2:]
from apertium_apy.apy import main
main()
`;

const DEBIAN_PYTHON = '/usr/bin/python3';
/** Pipelines unused this long are stopped (each pair's pipeline holds ~10 processes and ~100 MB). */
const PIPELINE_IDLE_SECONDS = 300;
const READY_POLL_MS = 100;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** An APy that served this long counts as healthy again: the restart delay starts over. */
const HEALTHY_AFTER_MS = 60_000;
const STDERR_TAIL_CHARS = 2000;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (typeof address !== 'object' || address === null) throw new Error('no port was assigned');
  return address.port;
}

/**
 * @example
 * const apy = new ApyServer({ pairsDir: '/usr/share/apertium/modes' });
 * apy.on('died', (info) => log.warn(info, 'Apertium APy died; restarting it'));
 * await apy.start();
 * const client = new ApyClient((signal) => apy.url(signal), 10_000);
 * await apy.close();
 */
export class ApyServer extends EventEmitter<ApyServerEvents> {
  private child: ChildProcess | null = null;
  /** Resolves to the base URL of the running APy; replaced on each (re)start. */
  private running: Promise<string> | null = null;
  private closed = false;
  private restartDelayMs = FIRST_RESTART_DELAY_MS;
  private readonly stopController = new AbortController();

  constructor(private readonly options: ApyServerOptions) {
    super();
  }

  /**
   * Starts APy and resolves with its URL once it answers.
   * @throws {TranslationError} when it exits or does not answer in time; nothing is left running.
   */
  start(): Promise<string> {
    this.running = this.launch();
    // Callers of url() see the rejection; this keeps an unobserved one from crashing the process.
    this.running.catch(() => {});
    return this.running;
  }

  /**
   * The base URL of the running APy, waiting while it restarts.
   * @throws the abort reason when `signal` aborts first; TranslationError once closed.
   */
  async url(signal: AbortSignal): Promise<string> {
    for (;;) {
      const current = this.running;
      if (this.closed || !current) throw new TranslationError('Apertium APy is not running');
      signal.throwIfAborted();
      const aborted = once(signal, 'abort').then(() => Promise.reject(signal.reason as Error));
      aborted.catch(() => {});
      try {
        return await Promise.race([current, aborted]);
      } catch (err) {
        // A failed restart is followed by another one: wait for that instead.
        if (signal.aborted || this.running === current) throw err;
      }
    }
  }

  /** Stops APy (SIGTERM, then SIGKILL) and any pending restart. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopController.abort();
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private async launch(): Promise<string> {
    const port = await freePort();
    if (this.closed) throw new TranslationError('Apertium APy was closed while starting');
    const args = ['-c', LAUNCHER, String(process.pid), '-p', String(port), '-m', String(PIPELINE_IDLE_SECONDS), this.options.pairsDir];
    const child = spawn(this.options.python ?? DEBIAN_PYTHON, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      // APy refuses to start without a UTF-8 locale.
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    const spawnFailed = once(child, 'error').then(([err]) => Promise.reject(err as Error));
    const exited = once(child, 'exit').then(([code, signal]) =>
      Promise.reject(new TranslationError(`Apertium APy exited (${signal ?? code}) before answering: ${stderr.trim()}`)),
    );
    const url = `http://127.0.0.1:${port}`;
    const polling = new AbortController();
    try {
      await Promise.race([this.waitUntilAnswering(url, polling.signal), spawnFailed, exited]);
    } catch (err) {
      child.kill('SIGKILL');
      if (this.child === child) this.child = null;
      throw err instanceof TranslationError ? err : new TranslationError(`Apertium APy could not start: ${(err as Error).message}`, { cause: err });
    } finally {
      polling.abort();
    }
    const startedAt = Date.now();
    child.once('exit', (code, signal) => this.exited(child, startedAt, code, signal, stderr));
    this.emit('serving', { url, pid: child.pid! });
    return url;
  }

  /** Polls until APy answers; stops when `signal` aborts (the process died first). */
  private async waitUntilAnswering(url: string, signal: AbortSignal): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (!signal.aborted) {
      try {
        const response = await fetch(`${url}/listPairs`, { signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new TranslationError(`Apertium APy did not answer within ${timeoutMs} ms`);
      await sleep(READY_POLL_MS, undefined, { signal }).catch(() => {});
    }
  }

  /** APy died after it had started: start another. */
  private exited(child: ChildProcess, startedAt: number, code: number | null, signal: string | null, stderr: string): void {
    if (this.closed || this.child !== child) return;
    this.child = null;
    if (Date.now() - startedAt > HEALTHY_AFTER_MS) this.restartDelayMs = FIRST_RESTART_DELAY_MS;
    this.emit('died', { code, signal, stderr: stderr.trim().split('\n').slice(-5).join('\n'), delayMs: this.restartDelayMs });
    this.restart();
  }

  /** Launches again after a delay that doubles while APy keeps failing. */
  private restart(): void {
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(MAX_RESTART_DELAY_MS, delayMs * 2);
    const running = sleep(delayMs, undefined, { signal: this.stopController.signal }).then(() => this.launch());
    this.running = running;
    running.catch((err: unknown) => {
      if (this.closed) return;
      this.emit('restart-failed', { err, delayMs: this.restartDelayMs });
      this.restart();
    });
  }
}
