/**
 * `hark usage`: what the key's project used, through the API (so it works
 * against any Soniox-compatible server): totals per model and, with
 * `--logs`, one line per transcription or session.
 */
import { usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';

const USAGE = `Usage: hark usage [--since <time>] [--until <time>] [--logs] [--json]

Prints the project's usage per model (requests and audio) over a window of UTC
times, by default the last 30 days.

  --since <time>   start (ISO 8601, e.g. 2026-05-01 or 2026-05-01T09:00:00Z)
  --until <time>   end, exclusive (default: now)
  --logs           one line per request instead of the totals
  --json           print what the API returns

${CONNECTION_HELP}`;

const DAY_MS = 86_400_000;

function instant(value: string | undefined, name: string, fallbackMs: number): string {
  if (value === undefined) return new Date(fallbackMs).toISOString();
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw usageError(`${name} takes an ISO 8601 time, not "${value}"`, USAGE);
  return new Date(ms).toISOString();
}

function minutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    { ...CONNECTION_OPTIONS, since: { type: 'string' }, until: { type: 'string' }, logs: { type: 'boolean' }, json: { type: 'boolean' } },
    USAGE,
  );
  if (!parsed) return;
  const { values } = parsed;
  const now = Date.now();
  const end_time = instant(values.until, '--until', now);
  const start_time = instant(values.since, '--since', Date.parse(end_time) - 30 * DAY_MS);
  const client = createClient(resolveConnection(values));

  if (values.logs) {
    const logs = [];
    for await (const log of await client.usageLogs.list({ start_time, end_time, sort: 'end_time_asc' })) logs.push(log);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(logs)}\n`);
      return;
    }
    const rows = logs.map((l) => [l.end_time, l.model, minutes(l.input_audio_duration_ms), l.client_reference_id ?? '', l.uuid]);
    process.stdout.write(table(['END', 'MODEL', 'AUDIO', 'REFERENCE', 'ID'], rows));
    return;
  }
  const summary = await client.usageLogs.getSummary({ start_time, end_time });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  const rows = [...summary.models, summary.total].map((m) => [
    m.model ?? 'total',
    String(m.total_num_requests),
    minutes(m.total_input_audio_duration_ms),
  ]);
  process.stdout.write(table(['MODEL', 'REQUESTS', 'AUDIO'], rows));
  process.stderr.write(`From ${start_time} to ${end_time}\n`);
}
