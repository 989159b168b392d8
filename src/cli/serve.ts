/** `hark serve`: runs the server in this process, configured as `npm start` is. */
import { parseCommand } from './command-line.js';

const USAGE = `Usage: hark serve [--role api|worker|all] [--port <n>] [--host <address>] [--data-dir <dir>]

Runs Hark: the REST API, the real-time WebSocket and the web app at /.
Every other setting is an environment variable (HARK_*, see README.md).

  --role <role>       HARK_ROLE (default all): api serves REST, the web app and
                      live sessions; worker runs async jobs and webhooks; all both
  --port <n>          HARK_PORT (default 8080; 0 picks a free port)
  --host <address>    HARK_HOST (default 0.0.0.0)
  --data-dir <dir>    HARK_DATA_DIR (default ./data)`;

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(args, { role: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' } }, USAGE);
  if (!parsed) return;
  const { role, port, host, 'data-dir': dataDir } = parsed.values;
  // The server reads its configuration from the environment once, at start.
  if (role !== undefined) process.env.HARK_ROLE = role;
  if (port !== undefined) process.env.HARK_PORT = port;
  if (host !== undefined) process.env.HARK_HOST = host;
  if (dataDir !== undefined) process.env.HARK_DATA_DIR = dataDir;
  await import('../main.js');
}
