/**
 * The common frame of the property-based fuzz tests (test/fuzz): a fixed,
 * overridable seed; bounded runs; the same three checks after every input
 * (a documented answer, the server alive, `/v1/models` answering), and the
 * documented error catalogues the answers are checked against.
 */
import assert from 'node:assert/strict';
import { availableParallelism, loadavg } from 'node:os';
import fc from 'fast-check';
import WebSocket from 'ws';
import { errors } from '../../src/api/errors.js';
import { realtimeErrors } from '../../src/api/realtime-errors.js';
import type { HarkProcess } from './hark-process.js';
import { ModelsProbe, formatProbe, probeOnce, type ProbeSummary } from './latency-probe.js';
import type { RawOutcome } from './raw-http.js';

/** The seed of every property: HARK_FUZZ_SEED, or a fixed one so that runs repeat. */
export const FUZZ_SEED = process.env.HARK_FUZZ_SEED ? Number(process.env.HARK_FUZZ_SEED) : 20_261_201;

export interface FuzzBudget {
  numRuns: number;
  /** The property stops after this long, cutting a run in progress; the runs done so far count. */
  timeLimitMs: number;
}

export interface FuzzReport {
  runs: number;
  interrupted: boolean;
  probe: ProbeSummary;
}

const truncate = (text: string, max = 1500) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** An input for a failure message: runs of a repeated piece (long strings, deep nesting) written once with their count. */
const describeInput = (input: unknown, max = 1500) =>
  truncate(fc.stringify(input).replace(/(.{1,12}?)\1{9,}/gs, (run, piece: string) => `⟪${piece}⟫×${run.length / piece.length}`), max);

/**
 * The probe's p99 budget: 500 ms, and on a machine with more than two runnable processes per core,
 * 250 ms per process per core, up to 3 s. At load 15 on 2 cores a fuzzed server's p99 was 660 ms;
 * what the probe is for, an event loop blocked by one input, makes every probe due meanwhile miss.
 */
function probeBudgetMs(): number {
  const loadPerCore = loadavg()[0]! / availableParallelism();
  return Math.round(Math.min(3000, Math.max(500, 250 * loadPerCore)));
}

/** Fails the run unless the server process is up and answers `/v1/models` with 200. */
export async function assertServing(hark: HarkProcess): Promise<void> {
  assert.ok(hark.child.exitCode === null && hark.child.signalCode === null, `the server exited:\n${truncate(hark.output().slice(-3000), 3000)}`);
  const latency = await probeOnce(hark);
  assert.ok(Number.isFinite(latency), '/v1/models did not answer 200 within 10 s');
}

/**
 * Runs `check` on generated inputs, each followed by {@link assertServing},
 * while a {@link ModelsProbe} runs; then requires the probe's p99 (after
 * retries) to be within its budget ({@link probeBudgetMs}).
 *
 * No shrinking: after a failure the server may be dead or stalled, so
 * further runs would not tell a smaller input from a broken server. The
 * first failing input is reported as is, with the seed to replay it.
 */
export async function fuzz<T>(
  hark: HarkProcess,
  arbitrary: fc.Arbitrary<T>,
  check: (input: T) => Promise<void>,
  budget: FuzzBudget,
): Promise<FuzzReport> {
  const probe = new ModelsProbe(hark, { budgetMs: probeBudgetMs() });
  await probe.start();
  const now = () => performance.timeOrigin + performance.now();
  const runs: { from: number; to: number; input: T }[] = [];
  let details: fc.RunDetails<[T]>;
  let summary: ProbeSummary;
  try {
    details = await fc.check(
      fc.asyncProperty(arbitrary, async (input) => {
        const run = { from: now(), to: Infinity, input };
        runs.push(run);
        try {
          await check(input);
        } finally {
          run.to = now();
        }
        await assertServing(hark);
      }),
      { seed: FUZZ_SEED, numRuns: budget.numRuns, interruptAfterTimeLimit: budget.timeLimitMs, endOnFailure: true },
    );
  } finally {
    summary = await probe.stop();
  }
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(
      `property failed on run ${details.numRuns} (replay with HARK_FUZZ_SEED=${details.seed}, path ${details.counterexamplePath})\n` +
        `error: ${truncate(error)}\ninput: ${describeInput(details.counterexample)}\n${formatProbe(summary)}`,
    );
  }
  if (summary.p99Ms > probe.budgetMs) {
    // The inputs that were being handled when probes missed, most misses first.
    const blamed = runs
      .map((run) => ({ run, misses: summary.missesAt.filter((at) => at >= run.from && at <= run.to).length }))
      .filter((b) => b.misses > 0)
      .sort((a, b) => b.misses - a.misses)
      .slice(0, 3)
      .map((b) => {
        const took = Number.isFinite(b.run.to) ? `${Math.round(b.run.to - b.run.from)} ms` : 'still running at the time limit';
        return `${b.misses} misses, ${took}: ${describeInput(b.run.input, 600)}`;
      });
    assert.fail(
      `/v1/models p99 over ${probe.budgetMs} ms during ${details.numRuns} runs (HARK_FUZZ_SEED=${details.seed}): ${formatProbe(summary)}\n` +
        `inputs being handled during the misses:\n${blamed.join('\n') || '(none: the misses fell between runs)'}`,
    );
  }
  return { runs: details.numRuns, interrupted: details.interrupted, probe: summary };
}

/** One line for `t.diagnostic`. */
export function formatReport(report: FuzzReport): string {
  return `${report.runs} runs${report.interrupted ? ' (time limit reached)' : ''}, seed ${FUZZ_SEED}; ${formatProbe(report.probe)}`;
}

const SENTINEL = '\u0000ARG\u0000';

/** A catalogue message as a pattern: the factory's arguments may be anything. */
function messagePattern(message: string): RegExp {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.split(SENTINEL).join('.*')}$`, 's');
}

type Factory = (...args: unknown[]) => { message: string };
/** Calls a catalogue factory with sentinels for its arguments: strings, or lists for factories that take one (a 405's methods). */
const call = (factory: Factory) => {
  const args = (sentinel: unknown) => Array.from({ length: factory.length }, () => sentinel);
  try {
    return factory(...args(SENTINEL));
  } catch {
    return factory(...args([SENTINEL]));
  }
};

/** Every REST error of src/api/errors.ts: status, error_type and message pattern. */
const REST_CATALOGUE = Object.values(errors).map((factory) => {
  const e = call(factory as Factory) as unknown as { statusCode: number; errorType: string; message: string };
  return { status: e.statusCode, errorType: e.errorType, message: messagePattern(e.message) };
});

/** Every real-time error of src/api/realtime-errors.ts: code and message pattern. */
const REALTIME_CATALOGUE = Object.values(realtimeErrors).map((factory) => {
  const e = call(factory as Factory) as unknown as { code: number; message: string };
  return { code: e.code, message: messagePattern(e.message) };
});

/**
 * The answer is one of `successes`, or a documented client error: a 4xx in
 * the `ApiError` shape whose status, error_type and message are in the
 * catalogue. A 5xx, a foreign body or no answer at all fails.
 */
export function assertDocumentedRestAnswer(outcome: RawOutcome, successes: readonly number[]): { status: number; body: any } {
  assert.ok('response' in outcome, `no answer: ${'noAnswer' in outcome ? outcome.noAnswer : ''}`);
  const { status, body: text, headers } = outcome.response;
  let body: any;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    assert.fail(`status ${status} with a non-JSON body: ${truncate(text, 300)}`);
  }
  if (successes.includes(status)) return { status, body };
  assert.ok(status >= 400 && status < 500, `status ${status}: ${truncate(text, 500)}`);
  assert.ok(body && typeof body === 'object', `status ${status} without an ApiError body: ${truncate(text, 300)}`);
  assert.equal(body.status_code, status, `status_code of ${truncate(text, 300)}`);
  assert.ok(
    REST_CATALOGUE.some((e) => e.status === status && e.errorType === body.error_type && e.message.test(body.message)),
    `undocumented error ${status} ${truncate(text, 300)}`,
  );
  assert.ok(Array.isArray(body.validation_errors), 'validation_errors is an array');
  for (const v of body.validation_errors) {
    assert.ok(typeof v.error_type === 'string' && typeof v.location === 'string' && typeof v.message === 'string', JSON.stringify(v));
  }
  assert.equal(typeof body.request_id, 'string');
  assert.ok(headers['content-type']?.startsWith('application/json'), `content-type ${headers['content-type']}`);
  return { status, body };
}

/** Codes a client's input may end a session with; 500 and 503 mean the server broke. */
const CLIENT_ERROR_CODES = new Set([400, 401, 408, 429]);

/** A session as the fuzz client saw it. */
export interface FuzzSession {
  /** Parsed text messages; a non-JSON or binary message fails the run instead. */
  messages: any[];
  closeCode: number;
  /** Anything that was not a JSON text frame. */
  oddities: string[];
}

/** A frame to send: audio (binary), text, or text bytes sent as they are (possibly invalid UTF-8). */
export type FuzzFrame = { binary: Uint8Array } | { text: string } | { rawText: Uint8Array };

/**
 * Opens a session, sends `frames` (the first is the start message) as fast
 * as the socket takes them, and resolves when the server closes. Sending
 * stops once the server has closed.
 */
export function fuzzSession(url: string, frames: readonly FuzzFrame[], timeoutMs = 20_000): Promise<FuzzSession> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: any[] = [];
    const oddities: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`session not closed within ${timeoutMs} ms; messages: ${truncate(JSON.stringify(messages), 500)}`));
    }, timeoutMs);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void oddities.push('binary message');
      try {
        messages.push(JSON.parse(data.toString()));
      } catch {
        oddities.push(`non-JSON text: ${truncate(data.toString(), 200)}`);
      }
    });
    ws.on('error', (err) => oddities.push(`socket error: ${err.message}`));
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve({ messages, closeCode: code, oddities });
    });
    ws.on('open', () => {
      for (const frame of frames) {
        if (ws.readyState !== WebSocket.OPEN) break;
        if ('binary' in frame) ws.send(frame.binary, { binary: true });
        else if ('text' in frame) ws.send(frame.text);
        else ws.send(frame.rawText, { binary: false });
      }
    });
  });
}

/**
 * The session ended as documented: either one error message with a client
 * error code and a catalogue message, as the last message, then close 1000;
 * or results ending in one `finished` message, then close 1000. With
 * `invalidUtf8`, the session may instead end in close 1007 (invalid payload).
 */
export function assertDocumentedSessionEnd(session: FuzzSession, options: { invalidUtf8?: boolean } = {}): void {
  assert.deepEqual(session.oddities, [], 'only JSON text messages');
  const { messages, closeCode } = session;
  const errorsSent = messages.filter((m) => 'error_code' in m || 'error_message' in m);
  // The server closes with 1007; a client still sending when it does may see the reset instead (1006).
  if (options.invalidUtf8 && (closeCode === 1007 || closeCode === 1006)) {
    assert.ok(errorsSent.length <= 1 && !messages.some((m) => m.finished), 'an invalid frame ends the session as it was');
    return;
  }
  assert.equal(closeCode, 1000, `close code ${closeCode} after ${truncate(JSON.stringify(messages.slice(-2)), 500)}`);
  const last = messages.at(-1);
  assert.ok(last, 'at least one message before the close');
  if (errorsSent.length > 0) {
    assert.equal(errorsSent.length, 1, 'one error message');
    assert.equal(last, errorsSent[0], 'the error message is the last one');
    assert.deepEqual(Object.keys(last).sort(), ['error_code', 'error_message', 'tokens']);
    assert.deepEqual(last.tokens, []);
    assert.ok(CLIENT_ERROR_CODES.has(last.error_code), `error_code ${last.error_code}: ${last.error_message}`);
    assert.ok(
      REALTIME_CATALOGUE.some((e) => e.code === last.error_code && e.message.test(last.error_message)),
      `undocumented error ${JSON.stringify(last)}`,
    );
    return;
  }
  assert.equal(last.finished, true, `the last message is the finished one: ${truncate(JSON.stringify(last), 300)}`);
  assert.equal(messages.filter((m) => m.finished).length, 1);
  for (const m of messages) {
    assert.ok(Array.isArray(m.tokens), 'tokens is an array');
    assert.ok(m.final_audio_proc_ms <= m.total_audio_proc_ms, 'final ≤ total');
  }
}

/** Arbitraries shared by the surfaces: hostile JSON values, as JSON text. */
export const hostile = {
  /** Numbers no field expects: huge, negative, fractional, beyond double precision, non-finite (as JSON writes them). */
  number: fc.oneof(
    fc.constantFrom('0', '-1', '-0', '0.5', '1e308', '-1e308', '1e-320', '9007199254740993', '1e400', '4294967296', '2147483648', '1.0000000001'),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  ),
  /** Strings: empty, control characters, lone surrogates, long. */
  string: fc.oneof(
    fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)),
    fc.string({ unit: 'binary', maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.constantFrom('"\\ud800"', '"\\u0000"', '"\\udfff\\ud800"', '"temp:"', '""'),
    fc.integer({ min: 300, max: 200_000 }).map((n) => JSON.stringify('x'.repeat(n))),
  ),
  /** Arrays and objects nested up to 10,000 levels deep. */
  nested: fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('array', 'object', 'text', 'key', 'extra')).map(([depth, form]) => {
    switch (form) {
      case 'array':
        return `${'['.repeat(depth)}${']'.repeat(depth)}`;
      case 'object':
        return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      case 'text':
        return `${'{"text":'.repeat(depth)}1${'}'.repeat(depth)}`;
      case 'key':
        return `${'[{"key":'.repeat(depth)}1${'}]'.repeat(depth)}`;
      case 'extra':
        // An unknown field holding nested arrays: two characters a level, deep under any length limit.
        return `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    }
  }),
};

/** Any hostile JSON value, as JSON text. */
export const hostileValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('null', 'true', 'false', '{}', '[]'),
    hostile.number,
    hostile.string,
    hostile.nested,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc.dictionary(fc.string({ maxLength: 10 }), tie('value'), { maxKeys: 4 }).map(
      (entries) => `{${Object.entries(entries).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`,
    ),
  ),
})).value;

/**
 * A JSON object as text: valid values for the fields of `base` (those in
 * `required` always present), then up to `maxMutations` fields replaced by
 * hostile values or removed, and possibly unknown or duplicated keys.
 */
export function mutatedObject(
  base: Record<string, fc.Arbitrary<unknown>>,
  required: readonly string[] = [],
  maxMutations = 3,
): fc.Arbitrary<string> {
  const fields = Object.keys(base);
  const validFields = fc.record(base, { requiredKeys: [...required] }).map((o) => Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)] as [string, string]));
  const mutation = fc.oneof(
    fc.tuple(fc.constantFrom(...fields), fc.oneof(hostileValue, fc.constant(undefined))),
    fc.tuple(fc.string({ maxLength: 20 }), hostileValue),
  );
  return fc.tuple(validFields, fc.array(mutation, { maxLength: maxMutations }), fc.boolean()).map(([entries, mutations, duplicate]) => {
    const map = new Map(entries);
    for (const [key, value] of mutations) {
      if (value === undefined) map.delete(key);
      else map.set(key, value);
    }
    const pairs = [...map].map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    // A repeated key: JSON.parse keeps the last one; the first may be the hostile one.
    if (duplicate && mutations[0] && mutations[0][1] !== undefined) pairs.unshift(`${JSON.stringify(mutations[0][0])}:${mutations[0][1]}`);
    return `{${pairs.join(',')}}`;
  });
}

/** Text that is no JSON object: garbage, truncated JSON, other JSON values. */
export const notAnObject: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"api_key":', '{"a":1,}', 'null', '[]', '"text"', '42', '{}}', '\u0000', ' '),
  hostileValue,
  hostile.nested.map((s) => s.slice(0, Math.max(1, s.length - 1))),
);

/**
 * Server settings for fuzzing: admission limits raised so that inputs reach
 * the code that parses them instead of stopping at a rate limit (admission
 * has its own tests); the timeouts stay at their defaults.
 */
export const FUZZ_ENV: Record<string, string> = {
  HARK_REQUESTS_PER_MINUTE: '100000',
  HARK_MAX_CONCURRENT_SESSIONS: '100',
  HARK_AUTH_FAILURES_PER_MINUTE: '100000',
  HARK_LOG_LEVEL: 'fatal',
  // Jobs and sessions still running at the end are not waited for: the test is over.
  HARK_SHUTDOWN_GRACE_MS: '1000',
  // Fuzzed requests and sessions are short and few at a time: one worker of each kind starts faster.
  HARK_WORKERS: '1',
  HARK_REALTIME_WORKERS: '1',
};

/** The audio_format names of API.md §7.3, with the documented aliases. */
export const AUDIO_FORMATS = [
  'auto', 'aac', 'aiff', 'amr', 'asf', 'flac', 'mp3', 'ogg', 'wav', 'webm',
  'pcm_s8', 'pcm_s8le', 'pcm_s8be', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_s32le', 'pcm_s32be',
  'pcm_u8', 'pcm_u8le', 'pcm_u8be', 'pcm_u16le', 'pcm_u16be', 'pcm_u24le', 'pcm_u24be', 'pcm_u32le', 'pcm_u32be',
  'pcm_f32le', 'pcm_f32be', 'pcm_f64le', 'pcm_f64be', 'mulaw', 'alaw', 's16le', 'f32le',
] as const;

/**
 * One ordinary session, before fuzzing: the first session after start-up
 * loads the recognition workers (about a second of main-thread work on a
 * loaded machine), which would otherwise be charged to the first input.
 */
export async function warmUpRealtime(hark: HarkProcess): Promise<void> {
  const start = { api_key: hark.apiKey, model: 'stt-rt-v4', audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 };
  const session = await fuzzSession(hark.wsUrl, [{ text: JSON.stringify(start) }, { binary: new Uint8Array(32_000) }, { text: '' }], 60_000);
  assertDocumentedSessionEnd(session);
}

/** `object` (JSON object text) with one more field, `name`, whose value is the JSON text `value`. */
export function withField(object: fc.Arbitrary<string>, name: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(object, value).map(([o, v]) => `${o.slice(0, -1)}${o === '{}' ? '' : ','}${JSON.stringify(name)}:${v}}`);
}

/** A `context` of the documented shape (API.md): a string, or any subset of its fields. */
export const contextValue = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.record(
    {
      text: fc.string({ maxLength: 100 }),
      terms: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
      general: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.string({ maxLength: 10 }) }), { maxLength: 3 }),
      translation_terms: fc.array(fc.record({ source: fc.string({ maxLength: 10 }), target: fc.string({ maxLength: 10 }) }), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
);
