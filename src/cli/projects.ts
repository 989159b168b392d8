/** `hark projects`: creates, lists, renames and deletes projects on the server's data dir. */
import type { ProjectLimitOverrides } from '../storage/ports.js';
import { usageError } from './cli-error.js';
import { parseCommand, table } from './command-line.js';
import { DATA_DIR_HELP, withProjects } from './data-dir.js';

const LIMIT_OPTIONS = {
  'max-concurrent-sessions': 'maxConcurrentSessions',
  'requests-per-minute': 'requestsPerMinute',
  'max-files': 'maxFiles',
  'max-storage-bytes': 'maxStorageBytes',
  'max-pending-transcriptions': 'maxPendingTranscriptions',
  'max-transcriptions': 'maxTranscriptions',
} as const satisfies Record<string, keyof ProjectLimitOverrides>;

const USAGE = `Usage: hark projects <command> [options]

  create <name> [limits]      a new project; then "hark keys create --project <name>"
  list                        projects with their limits
  rename <project> <name>     (by id or name)
  limits <project> [limits]   change a project's limits
  delete <project> [--force]  with its keys; --force also deletes its files,
                              transcriptions and usage (the default project stays)

Limits (each defaults to the server's global setting):
  --max-concurrent-sessions <n>      real-time sessions open at once
  --requests-per-minute <n>          real-time sessions started per minute
  --max-files <n>  --max-storage-bytes <n>
  --max-pending-transcriptions <n>  --max-transcriptions <n>

  --json                       print JSON
${DATA_DIR_HELP}`;

function limitsFrom(values: Record<string, unknown>): ProjectLimitOverrides {
  const limits: ProjectLimitOverrides = {};
  for (const [option, field] of Object.entries(LIMIT_OPTIONS)) {
    const raw = values[option];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw usageError(`--${option} takes a whole number >= 1, not "${String(raw)}"`, USAGE);
    limits[field] = n;
  }
  return limits;
}

export async function run(args: string[]): Promise<void> {
  const parsed = parseCommand(
    args,
    {
      ...Object.fromEntries(Object.keys(LIMIT_OPTIONS).map((o) => [o, { type: 'string' as const }])),
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
    USAGE,
  );
  if (!parsed) return;
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const want = (n: number) => {
    if (rest.length !== n) throw usageError(`"projects ${command ?? ''}" takes ${n} argument(s)`, USAGE);
    return rest;
  };
  const out = (value: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(value)}\n` : text);
  await withProjects(values['data-dir'] as string | undefined, async (projects) => {
    switch (command) {
      case 'create': {
        const [name] = want(1);
        const project = await projects.create(name!, limitsFrom(values));
        return out(project, `Created project ${project.name} (${project.id})\n`);
      }
      case 'list': {
        want(0);
        const all = await projects.list();
        const rows = all.map((p) => {
          const limits = projects.limitsOf(p.limits);
          return [p.name, p.id, String(limits.maxConcurrentSessions), String(limits.requestsPerMinute), String(limits.maxFiles), String(limits.maxTranscriptions)];
        });
        return out(all, table(['NAME', 'ID', 'SESSIONS', 'PER MINUTE', 'FILES', 'TRANSCRIPTIONS'], rows));
      }
      case 'rename': {
        const [ref, name] = want(2);
        const project = await projects.rename(ref!, name!);
        return out(project, `Renamed project ${project.id} to ${project.name}\n`);
      }
      case 'limits': {
        const [ref] = want(1);
        const project = await projects.setLimits(ref!, limitsFrom(values));
        return out(project, `${project.name}: ${JSON.stringify(projects.limitsOf(project.limits))}\n`);
      }
      case 'delete': {
        const [ref] = want(1);
        const project = await projects.delete(ref!, values.force === true);
        return out(project, `Deleted project ${project.name} (${project.id})\n`);
      }
      default:
        throw usageError(command === undefined ? 'Name a command' : `Unknown command: projects ${command}`, USAGE);
    }
  });
}
