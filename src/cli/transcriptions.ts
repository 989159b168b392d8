/** `hark transcriptions`: lists transcriptions, prints one's transcript, or deletes them. */
import { TRANSCRIPT_FORMATS, clockTime, formatTranscript, isTranscriptFormat } from '../lib/transcript-formats.js';
import { CliError, usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';

const USAGE = `Usage: hark transcriptions [list] [--limit <n>] [--json]
       hark transcriptions get <id> [-f txt|srt|vtt|json]
       hark transcriptions delete <id>... | --all

Lists transcriptions, newest first; prints the transcript of one; or deletes
them (their uploaded files stay: see hark files).

  --limit <n>          list at most n transcriptions (default 50)
  --json               print the transcriptions as the API returns them
  -f, --format <fmt>   with get: ${TRANSCRIPT_FORMATS.join(', ')} (default txt)
  --all                with delete: delete every transcription (not processing ones)

${CONNECTION_HELP}`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      ...CONNECTION_OPTIONS,
      limit: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string', short: 'f' },
      all: { type: 'boolean' },
    },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  const [action = 'list', ...ids] = positionals;
  const client = createClient(resolveConnection(values));

  if (action === 'get') {
    const format = values.format ?? 'txt';
    if (!isTranscriptFormat(format)) throw usageError(`--format takes ${TRANSCRIPT_FORMATS.join(', ')}, not "${format}"`, USAGE);
    if (ids.length !== 1) throw usageError('hark transcriptions get needs one transcription id', USAGE);
    const transcription = await client.stt.get(ids[0]!);
    if (!transcription) throw new CliError(`No transcription ${ids[0]}`);
    if (transcription.status !== 'completed') {
      const why = transcription.status === 'error' ? `: ${transcription.error_type}: ${transcription.error_message}` : ' yet';
      throw new CliError(`Transcription ${transcription.id} is ${transcription.status}${why}`);
    }
    const transcript = await client.stt.getTranscript(transcription.id);
    if (!transcript) throw new CliError(`No transcription ${ids[0]}`);
    process.stdout.write(formatTranscript({ id: transcript.id, text: transcript.text, tokens: transcript.tokens }, format));
    return;
  }

  if (action === 'delete') {
    if (values.all) {
      await client.stt.delete_all();
      process.stderr.write('Deleted every transcription\n');
      return;
    }
    if (ids.length === 0) throw usageError('hark transcriptions delete needs transcription ids, or --all', USAGE);
    for (const id of ids) {
      await client.stt.delete(id);
      process.stderr.write(`Deleted transcription ${id}\n`);
    }
    return;
  }
  if (action !== 'list' || ids.length > 0) throw usageError(`Unknown transcriptions command: ${positionals.join(' ')}`, USAGE);

  const limit = Number(values.limit ?? 50);
  if (!Number.isSafeInteger(limit) || limit < 1) throw usageError(`--limit takes a positive number, not "${values.limit}"`, USAGE);
  const items = [];
  for await (const transcription of await client.stt.list({ limit: Math.min(limit, 1000) })) {
    items.push(transcription);
    if (items.length >= limit) break;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(items.map((t) => t.toJSON()), null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    process.stderr.write('No transcriptions\n');
    return;
  }
  process.stdout.write(
    table(
      ['ID', 'STATUS', 'LENGTH', 'MODEL', 'CREATED', 'FILE'],
      items.map((t) => [
        t.id,
        t.status,
        t.audio_duration_ms == null ? '' : clockTime(t.audio_duration_ms),
        t.model,
        t.created_at,
        t.filename ?? t.audio_url ?? '',
      ]),
    ),
  );
}
