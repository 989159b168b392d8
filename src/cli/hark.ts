#!/usr/bin/env node
/**
 * `hark`: Hark's command line. `hark serve` runs the server; the other
 * commands are clients of any Soniox-compatible API (a Hark, by default on
 * this machine, or the Soniox cloud), built on the official @soniox/node SDK.
 * One file per command; each is loaded only when it runs.
 */
import { CliError, describeError } from './cli-error.js';

interface CommandModule {
  run(args: string[]): Promise<void>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  serve: { summary: 'run the Hark server (REST API, WebSocket, web app)', load: () => import('./serve.js') },
  transcribe: { summary: 'transcribe a file or URL and print the transcript', load: () => import('./transcribe.js') },
  stream: { summary: 'stream a file or stdin in real time, transcript shown live', load: () => import('./stream.js') },
  keys: { summary: 'mint a temporary API key; create, list or revoke a project\'s keys', load: () => import('./keys.js') },
  projects: { summary: 'create, list, rename or delete projects (on the data dir)', load: () => import('./projects.js') },
  usage: { summary: 'print the project\'s usage per model, or per request', load: () => import('./usage.js') },
  files: { summary: 'list or delete uploaded files', load: () => import('./files.js') },
  transcriptions: { summary: 'list transcriptions, print or delete them', load: () => import('./transcriptions.js') },
  models: { summary: 'list, download or remove speech models (sherpa-onnx)', load: () => import('./models.js') },
};

const USAGE = `Usage: hark <command> [options]

${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(16)}${command.summary}`)
  .join('\n')}

Run "hark <command> --help" for its options. Clients talk to
SONIOX_API_BASE_URL (default http://127.0.0.1:8080) with SONIOX_API_KEY.`;

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`Unknown command: ${name}\n\n${USAGE}`, 2);
  await (await command.load()).run(args);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`hark: ${err instanceof CliError ? err.message : describeError(err)}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
});
