/**
 * `hark stream <file|->`: streams audio to the real-time WebSocket API as a
 * live source and shows the transcript while it comes, through the official
 * SDK's real-time session.
 */
import { stat } from 'node:fs/promises';
import type { WireToken } from '../lib/transcript-segments.js';
import { PCM_FORMAT, pcmChunks } from './audio-source.js';
import { CliError, describeError, usageError } from './cli-error.js';
import { parseCommand } from './command-line.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, createClient, resolveConnection } from './connection.js';
import { LiveTranscriptWriter } from './live-transcript-writer.js';
import { Progress } from './progress.js';
import { RECOGNITION_HELP, RECOGNITION_OPTIONS, recognitionSettings } from './recognition-options.js';

const DEFAULT_MODEL = 'stt-rt-v4';

const USAGE = `Usage: hark stream <file|-> [options]

Streams audio to the real-time API as if it were live, and shows the
transcript as it comes: final text stays, non-final text is redrawn in place
(dimmed). Not on a terminal, only final text is written. Any format ffmpeg
reads; "-" reads standard input, e.g. a microphone:
  arecord -q -f S16_LE -r 16000 -t wav - | hark stream -

      --fast            send the audio as fast as the server takes it
  -q, --quiet           no status on stderr
Ctrl-C stops sending and waits for the last results; twice, quits at once.

${RECOGNITION_HELP.replace('%MODEL%', DEFAULT_MODEL)}

${CONNECTION_HELP}`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    { ...CONNECTION_OPTIONS, ...RECOGNITION_OPTIONS, fast: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw usageError('hark stream takes one file, or - for standard input', USAGE);
  const input = positionals[0]!;
  if (input !== '-' && !(await stat(input).catch(() => null))?.isFile()) throw new CliError(`No such file: ${input}`);
  const settings = recognitionSettings(values, USAGE);
  const connection = resolveConnection(values);
  const progress = new Progress(process.stderr, values.quiet ?? false);

  const session = createClient(connection).realtime.stt({
    model: values.model ?? DEFAULT_MODEL,
    ...PCM_FORMAT,
    enable_endpoint_detection: true,
    ...settings,
  });
  const terminal = process.stdout.isTTY === true;
  const writer = new LiveTranscriptWriter(process.stdout, { inPlace: terminal, colour: terminal && !process.env.NO_COLOR });

  // The SDK takes `<end>` and `<fin>` out of the tokens and reports them as
  // events right after their result: put them back after that result's
  // finals, and draw once the whole message is known. Messages that arrive
  // together are drawn together: their finals add up, the last tail counts.
  let tokens: WireToken[] = [];
  let drawScheduled = false;
  const draw = () => {
    drawScheduled = false;
    writer.update(tokens);
    tokens = [];
  };
  session.on('result', (result) => {
    tokens = [...tokens.filter((t) => t.is_final), ...result.tokens];
    if (!drawScheduled) {
      drawScheduled = true;
      queueMicrotask(draw);
    }
  });
  const marker = (text: '<end>' | '<fin>') => () => {
    const finals = tokens.filter((t) => t.is_final);
    tokens = [...finals, { text, is_final: true }, ...tokens.filter((t) => !t.is_final)];
  };
  session.on('endpoint', marker('<end>'));
  session.on('finalized', marker('<fin>'));
  let failure: unknown = null;
  session.on('error', (err) => (failure ??= err));

  const stopSending = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts === 1) {
      progress.step('Stopping: waiting for the last results (Ctrl-C again to quit)');
      stopSending.abort();
      return;
    }
    session.close();
    writer.finish();
    process.exit(130);
  };
  process.on('SIGINT', onInterrupt);

  try {
    await session.connect();
    progress.step(`Streaming ${input === '-' ? 'standard input' : input} to ${connection.wsUrl}${values.fast ? '' : ' in real time'}`);
    for await (const chunk of pcmChunks(input, { paced: !values.fast, signal: stopSending.signal })) {
      if (failure) break;
      session.sendAudio(chunk);
    }
    if (!failure) await session.finish();
  } catch (err) {
    failure ??= err;
  } finally {
    process.off('SIGINT', onInterrupt);
    stopSending.abort();
    if (drawScheduled) draw();
    writer.finish();
  }
  if (failure) {
    session.close();
    throw new CliError(describeError(failure));
  }
}
