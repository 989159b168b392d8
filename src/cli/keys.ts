/** `hark keys`: mints a temporary API key, for a browser or device to open one WebSocket session with. */
import { usageError } from './cli-error.js';
import { parseCommand } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';

const USAGE = `Usage: hark keys [options]

Mints a temporary API key (temp:…) for the real-time WebSocket and prints it.
A client uses it as "api_key" in its start message instead of a long-lived key.

  --expires-in <s>             seconds the key can start a session (1-3600, default 3600)
  --single-use                 the key opens one session only
  --max-session-duration <s>   a session it opens lasts at most this long (1-18000)
  --client-reference-id <id>   your reference, up to 256 characters
  --json                       print the API's response ({api_key, expires_at})

${CONNECTION_HELP}`;

function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`${name} takes a whole number of seconds, not "${value}"`, USAGE);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      ...CONNECTION_OPTIONS,
      'expires-in': { type: 'string' },
      'single-use': { type: 'boolean' },
      'max-session-duration': { type: 'string' },
      'client-reference-id': { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (!parsed) return;
  const { values } = parsed;
  const maxSession = seconds(values['max-session-duration'], '--max-session-duration');
  const client = createClient(resolveConnection(values));
  const key = await client.auth.createTemporaryKey({
    usage_type: 'transcribe_websocket',
    expires_in_seconds: seconds(values['expires-in'], '--expires-in') ?? 3600,
    ...(values['single-use'] ? { single_use: true } : {}),
    ...(maxSession !== undefined ? { max_session_duration_seconds: maxSession } : {}),
    ...(values['client-reference-id'] !== undefined ? { client_reference_id: values['client-reference-id'] } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(key)}\n`);
    return;
  }
  process.stdout.write(`${key.api_key}\n`);
  process.stderr.write(`Expires at ${key.expires_at}\n`);
}
