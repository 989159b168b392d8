/**
 * Administration on the server's data dir (`HARK_DATA_DIR`, or `--data-dir`):
 * projects and long-lived keys live in its database, not behind the API, so
 * only someone who can read the server's data can change them. With
 * HARK_DATABASE_URL set, the same commands work on the shared PostgreSQL
 * database. Safe beside a running server: the database serialises the writes,
 * and keys are looked up per request.
 */
import { loadConfig } from '../config/config.js';
import { ProjectError, ProjectService } from '../services/projects/project-service.js';
import { openStorage } from '../storage/open-storage.js';
import { CliError } from './cli-error.js';

export const DATA_DIR_HELP = `  --data-dir <dir>             the server's data dir (default: HARK_DATA_DIR, else ./data)`;

/** Runs `work` with the project service of the data dir, turning its refusals into CLI errors. */
export async function withProjects<T>(dataDir: string | undefined, work: (projects: ProjectService) => Promise<T>): Promise<T> {
  const config = loadConfig(dataDir ? { ...process.env, HARK_DATA_DIR: dataDir } : process.env);
  const storage = await openStorage(config);
  try {
    return await work(new ProjectService(storage.projects, storage.blobs, config.limits, config.realtime));
  } catch (err) {
    if (err instanceof ProjectError) throw new CliError(err.message);
    throw err;
  } finally {
    await storage.close();
  }
}
