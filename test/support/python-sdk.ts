/**
 * What the official Python SDK (soniox-python) puts on the wire, for the
 * tests: the SDK cannot be installed here (no PyPI), so these clients send
 * the same bytes from Node. Read from the SDK's source:
 *
 * - JSON is written by `json.dumps` with its default separators (`", "`,
 *   `": "`) and `ensure_ascii` (non-ASCII as `\uXXXX`); the start message is
 *   the config model's fields in declaration order, `None`s left out.
 * - Real time (`realtime/async_stt_preconnect.py`, `_utils.py`): the pool
 *   opens `pool_size` (5) WebSockets to `websocket_base_url` with no key on
 *   the upgrade; each idle one sends `{"type": "keepalive"}` every 5 s, the
 *   first 5 s after it opened. Borrowing takes one out (refilling the pool in
 *   the background), stops its keepalives and sends the start message with
 *   the key in it; the session sends audio as binary frames, `""` to finish,
 *   reads events until the connection closes, and the link is closed, never
 *   reused.
 * - REST (`client.py`, `api/*.py`): httpx with `base_url=api_base_url`
 *   (`https://api.soniox.com/v1` by default) and paths without `/v1`
 *   (`/files`, `/transcriptions/{id}/transcript`), which httpx appends to the
 *   base's path; `Authorization: Bearer <key>`.
 */
import WebSocket from 'ws';

/** `json.dumps(value)` with Python's defaults, for JSON-compatible values. */
export function pythonJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return JSON.stringify(value);
}

/** `RealtimeSTTConfig` as the SDK declares it (its field order); `build_payload` puts the key in. */
export interface PythonRealtimeConfig {
  model: string;
  audio_format?: string;
  num_channels?: number;
  sample_rate?: number;
  language_hints?: string[];
  enable_endpoint_detection?: boolean;
}

export function pythonStartMessage(apiKey: string, config: PythonRealtimeConfig): string {
  return pythonJson({
    api_key: apiKey,
    model: config.model,
    // The model's default.
    audio_format: config.audio_format ?? 'auto',
    num_channels: config.num_channels,
    sample_rate: config.sample_rate,
    language_hints: config.language_hints,
    enable_endpoint_detection: config.enable_endpoint_detection,
  });
}

const KEEPALIVE = pythonJson({ type: 'keepalive' });

/** One pre-connected link: a WebSocket, its keepalive task, and what the server said. */
export class PooledLink {
  readonly messages: any[] = [];
  keepalivesSent = 0;
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  private keepalive: NodeJS.Timeout | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(data.toString())));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.stopKeepalive();
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  static async open(url: string, keepaliveIntervalMs: number): Promise<PooledLink> {
    const ws = new WebSocket(url);
    const link = new PooledLink(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    link.keepalive = setInterval(() => {
      link.ws.send(KEEPALIVE);
      link.keepalivesSent++;
    }, keepaliveIntervalMs);
    return link;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** `start_session`: stops the idle keepalives and sends the start message. */
  start(apiKey: string, config: PythonRealtimeConfig): void {
    this.stopKeepalive();
    this.ws.send(pythonStartMessage(apiKey, config));
  }

  sendAudio(chunk: Buffer): void {
    this.ws.send(chunk);
  }

  /** `finish()`: an empty text frame. */
  finish(): void {
    this.ws.send('');
  }

  /** `close()` of an idle link, or `discard()` after a session. */
  close(): void {
    this.stopKeepalive();
    this.ws.close();
  }

  private stopKeepalive(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
  }
}

/** `AsyncRealtimeSTTConnectionPool`, as far as the server can see it. */
export class PythonSdkPool {
  readonly idle: PooledLink[] = [];
  /** Every link the pool ever opened, idle or borrowed. */
  readonly opened: PooledLink[] = [];
  private refills: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
    private readonly options = { poolSize: 5, keepaliveIntervalMs: 5_000 },
  ) {}

  /** `warmup()`: opens links until `poolSize` are idle. */
  async warmup(): Promise<void> {
    while (this.idle.length < this.options.poolSize) this.idle.push(await this.openLink());
  }

  /** `start_session(config=…)`: borrows a link (or opens one when none is idle), refills in the background, starts. */
  async startSession(config: PythonRealtimeConfig): Promise<PooledLink> {
    const link = this.idle.shift() ?? (await this.openLink());
    this.refills.push(
      (async () => {
        if (this.idle.length < this.options.poolSize) this.idle.push(await this.openLink());
      })(),
    );
    link.start(this.apiKey, config);
    return link;
  }

  /** Waits for the background refills started so far. */
  async refilled(): Promise<void> {
    await Promise.all(this.refills);
  }

  async close(): Promise<void> {
    await this.refilled();
    for (const link of this.opened) link.close();
    await Promise.all(this.opened.map((l) => l.closed));
  }

  private async openLink(): Promise<PooledLink> {
    const link = await PooledLink.open(this.url, this.options.keepaliveIntervalMs);
    this.opened.push(link);
    return link;
  }
}
