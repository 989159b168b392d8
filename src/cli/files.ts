/** `hark files`: lists uploaded files, or deletes them. */
import { formatBytes } from '../lib/byte-size.js';
import { usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';

const USAGE = `Usage: hark files [list] [--limit <n>] [--json]
       hark files delete <id>... | --all

Lists uploaded files, newest first, or deletes them.

  --limit <n>   list at most n files (default 50)
  --json        print the files as the API returns them
  --all         with delete: delete every file

${CONNECTION_HELP}`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    { ...CONNECTION_OPTIONS, limit: { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' } },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  const [action = 'list', ...ids] = positionals;
  const client = createClient(resolveConnection(values));

  if (action === 'delete') {
    if (values.all) {
      await client.files.delete_all();
      process.stderr.write('Deleted every file\n');
      return;
    }
    if (ids.length === 0) throw usageError('hark files delete needs file ids, or --all', USAGE);
    for (const id of ids) {
      // A file that is already gone counts as deleted, as in the SDK.
      await client.files.delete(id);
      process.stderr.write(`Deleted file ${id}\n`);
    }
    return;
  }
  if (action !== 'list' || ids.length > 0) throw usageError(`Unknown files command: ${positionals.join(' ')}`, USAGE);

  const limit = Number(values.limit ?? 50);
  if (!Number.isSafeInteger(limit) || limit < 1) throw usageError(`--limit takes a positive number, not "${values.limit}"`, USAGE);
  const files = [];
  for await (const file of await client.files.list({ limit: Math.min(limit, 1000) })) {
    files.push(file);
    if (files.length >= limit) break;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(files.map((f) => f.toJSON()), null, 2)}\n`);
    return;
  }
  if (files.length === 0) {
    process.stderr.write('No files\n');
    return;
  }
  process.stdout.write(
    table(
      ['ID', 'SIZE', 'CREATED', 'NAME'],
      files.map((f) => [f.id, formatBytes(f.size), f.created_at, f.filename]),
    ),
  );
}
