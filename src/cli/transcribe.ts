/**
 * `hark transcribe <file|url>`: uploads a recording (or names a URL), creates
 * an async transcription, follows it to the end and prints the transcript.
 * Progress goes to stderr, the transcript to stdout or --output.
 */
import { openAsBlob } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatBytes } from '../lib/byte-size.js';
import { TRANSCRIPT_FORMATS, clockTime, formatTranscript, isTranscriptFormat } from '../lib/transcript-formats.js';
import { CliError, usageError } from './cli-error.js';
import { parseCommand } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';
import { Progress } from './progress.js';
import { RECOGNITION_HELP, RECOGNITION_OPTIONS, recognitionSettings } from './recognition-options.js';

const DEFAULT_MODEL = 'stt-async-v4';

const USAGE = `Usage: hark transcribe <file|url> [options]

Transcribes a recording: uploads the file (or has the server fetch the URL),
waits for the transcription and prints the transcript.

  -f, --format <fmt>    ${TRANSCRIPT_FORMATS.join(', ')} (default txt)
  -o, --output <file>   write the transcript there instead of to stdout
      --delete          delete the transcription and the uploaded file afterwards
  -q, --quiet           no progress on stderr

${RECOGNITION_HELP.replace('%MODEL%', DEFAULT_MODEL)}

${CONNECTION_HELP}`;

/** An upload may take long (up to 1 GiB); the SDK's default request timeout is 30 s. */
const UPLOAD_TIMEOUT_MS = 6 * 60 * 60_000;
/** Jobs wait in a queue; follow them as long as it takes. */
const WAIT_TIMEOUT_MS = 7 * 24 * 60 * 60_000;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      ...CONNECTION_OPTIONS,
      ...RECOGNITION_OPTIONS,
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      delete: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw usageError('hark transcribe takes one file or URL', USAGE);
  const source = positionals[0]!;
  const format = values.format ?? 'txt';
  if (!isTranscriptFormat(format)) throw usageError(`--format takes ${TRANSCRIPT_FORMATS.join(', ')}, not "${format}"`, USAGE);
  const settings = recognitionSettings(values, USAGE);

  const progress = new Progress(process.stderr, values.quiet ?? false);
  const name = /^https?:\/\//i.test(source) ? source : basename(source);
  const client = createClient(resolveConnection(values), {
    onUploadProgress: (sent, total) => progress.bar(`Uploading ${name}`, sent, total),
  });

  let fileId: string | null = null;
  if (/^https?:\/\//i.test(source)) {
    progress.step(`Transcribing ${source} (the server downloads it)`);
  } else {
    const info = await stat(source).catch(() => null);
    if (!info?.isFile()) throw new CliError(`No such file: ${source}`);
    // A file-backed Blob: the upload streams from disk.
    const file = await client.files.upload(await openAsBlob(source), { filename: name, timeout_ms: UPLOAD_TIMEOUT_MS });
    fileId = file.id;
    progress.step(`Uploaded ${name} (${formatBytes(file.size)}), file ${file.id}`);
  }

  const created = await client.stt.create({
    model: values.model ?? DEFAULT_MODEL,
    ...(fileId !== null ? { file_id: fileId } : { audio_url: source }),
    ...settings,
  });
  progress.step(`Transcription ${created.id}: ${created.status}`);

  const startedAt = Date.now();
  let status = created.status;
  const ticker = setInterval(() => progress.status(`${status === 'queued' ? 'Queued' : 'Processing'}… ${clockTime(Date.now() - startedAt)}`), 1000);
  let finished;
  try {
    finished = await client.stt.wait(created.id, {
      interval_ms: 1000,
      timeout_ms: WAIT_TIMEOUT_MS,
      on_status_change: (next) => {
        status = next;
        progress.step(`Transcription ${created.id}: ${next}`);
      },
    });
  } finally {
    clearInterval(ticker);
    progress.done();
  }
  if (finished.status === 'error') {
    throw new CliError(`The transcription failed: ${finished.error_type ?? 'error'}: ${finished.error_message ?? 'no details'}`);
  }
  const transcript = await client.stt.getTranscript(created.id);
  if (!transcript) throw new CliError(`Transcription ${created.id} disappeared before its transcript was read`);
  const audio = finished.audio_duration_ms == null ? '' : `${clockTime(finished.audio_duration_ms)} of audio, `;
  progress.step(`Done: ${audio}${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  const text = formatTranscript({ id: transcript.id, text: transcript.text, tokens: transcript.tokens }, format);
  if (values.output) await writeFile(values.output, text);
  else process.stdout.write(text);

  if (values.delete) {
    await client.stt.delete(created.id);
    if (fileId !== null) await client.files.delete(fileId);
    progress.step('Deleted the transcription and the uploaded file');
  }
}
