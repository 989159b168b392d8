/**
 * `hark keys`: `create`, `list` and `revoke` administer a project's
 * long-lived keys on the server's data dir; without a subcommand it mints a
 * temporary API key through the API, for a browser or device to open one
 * WebSocket session with.
 */
import { usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';
import { DATA_DIR_HELP, withProjects } from './data-dir.js';

const ADMIN_USAGE = `Usage: hark keys create --project <project> [--name <name>]
       hark keys list [--project <project>]
       hark keys revoke <key id>

Long-lived API keys of a project, on the server's data dir. A key sees only
its project's files, transcriptions and usage. The secret is printed once, at
creation; only its hash is stored. Keys from HARK_API_KEYS (and the one Hark
generates when none are set) belong to the project "default".

  --project <project>          by name or id
  --name <name>                a label for the list
  --json                       print JSON
${DATA_DIR_HELP}`;

const USAGE = `Usage: hark keys [options]
       hark keys create|list|revoke …   (long-lived keys: "hark keys create --help")

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

async function administer(command: string, args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    { project: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
    ADMIN_USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  await withProjects(values['data-dir'], async (projects) => {
    if (command === 'create') {
      if (!values.project) throw usageError('keys create needs --project', ADMIN_USAGE);
      const { key, secret } = await projects.createKey(values.project, values.name ?? null);
      if (values.json) {
        const { keyHash: _hash, ...shown } = key;
        process.stdout.write(`${JSON.stringify({ ...shown, api_key: secret })}\n`);
        return;
      }
      process.stdout.write(`${secret}\n`);
      process.stderr.write(`Key ${key.id} for project ${key.projectId}. Keep it now: it is not shown again.\n`);
      return;
    }
    if (command === 'list') {
      const keys = await projects.listKeys(values.project ?? null);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(keys.map(({ keyHash: _hash, ...shown }) => shown))}\n`);
        return;
      }
      const rows = keys.map((k) => [k.id, k.projectId, k.name ?? '', `${k.hint}…`, k.createdAt, k.revokedAt ?? '']);
      process.stdout.write(table(['ID', 'PROJECT', 'NAME', 'KEY', 'CREATED', 'REVOKED'], rows));
      return;
    }
    const [id] = positionals;
    if (positionals.length !== 1) throw usageError('keys revoke takes one key id', ADMIN_USAGE);
    await projects.revokeKey(id!);
    process.stdout.write(`Revoked key ${id}\n`);
  });
}

const ADMIN_COMMANDS = new Set(['create', 'list', 'revoke']);

export async function run(args: string[]): Promise<void> {
  if (args[0] !== undefined && ADMIN_COMMANDS.has(args[0])) return administer(args[0], args.slice(1));
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
