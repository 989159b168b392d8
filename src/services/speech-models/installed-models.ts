/**
 * The speech models installed under `$HARK_DATA_DIR/models/`: one directory per
 * model, named by its catalogue id, holding the unpacked files and a
 * `hark-model.json` that says what the directory is (family, languages).
 * A directory copied in by hand needs that file too (the README shows it).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFamily } from './model-catalogue.js';

export const MODEL_DESCRIPTION_FILE = 'hark-model.json';

/** What `hark-model.json` holds. */
export interface ModelDescription {
  id: string;
  family: ModelFamily;
  languages: string[];
  /** sha256 of the archive the directory came from, when it came from one. */
  archiveSha256?: string;
}

export interface InstalledModel extends ModelDescription {
  dir: string;
  sizeBytes: number;
}

/** A model directory that cannot be used, with the reason (shown to people). */
export class ModelDirectoryError extends Error {
  override name = 'ModelDirectoryError';
}

const FAMILIES: readonly ModelFamily[] = [
  'zipformer-transducer-streaming',
  'zipformer2-ctc-streaming',
  'zipformer-transducer',
  'zipformer-ctc',
  'whisper',
  'sense-voice',
  'nemo-transducer',
  'moonshine',
];

/** Model ids are directory names: no separators, no dot-files, no `..`. */
export const MODEL_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function modelsDir(dataDir: string): string {
  return join(dataDir, 'models');
}

/**
 * Reads and checks a model directory's description.
 * @throws ModelDirectoryError when the file is missing or malformed.
 */
export function readModelDescription(dir: string): ModelDescription {
  const path = join(dir, MODEL_DESCRIPTION_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is not valid JSON';
    throw new ModelDirectoryError(`${path} ${reason}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ModelDirectoryError(`${path} must hold a JSON object`);
  const value = parsed as Partial<ModelDescription>;
  if (typeof value.id !== 'string' || !MODEL_ID_PATTERN.test(value.id)) throw new ModelDirectoryError(`${path}: "id" must be a model id`);
  if (!FAMILIES.includes(value.family as ModelFamily)) throw new ModelDirectoryError(`${path}: "family" must be one of ${FAMILIES.join(', ')}`);
  if (!Array.isArray(value.languages) || value.languages.some((l) => typeof l !== 'string' || !/^[a-z]{2,3}$/.test(l))) {
    throw new ModelDirectoryError(`${path}: "languages" must list ISO 639 codes`);
  }
  return { id: value.id, family: value.family as ModelFamily, languages: value.languages, ...(typeof value.archiveSha256 === 'string' ? { archiveSha256: value.archiveSha256 } : {}) };
}

function directorySize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directorySize(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

/** The installed models, by id; directories without a valid description are left out. */
export function listInstalledModels(dataDir: string): InstalledModel[] {
  const root = modelsDir(dataDir);
  if (!existsSync(root)) return [];
  const models: InstalledModel[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !MODEL_ID_PATTERN.test(entry.name)) continue;
    const dir = join(root, entry.name);
    try {
      models.push({ ...readModelDescription(dir), dir, sizeBytes: directorySize(dir) });
    } catch (err) {
      if (!(err instanceof ModelDirectoryError)) throw err;
    }
  }
  return models.sort((a, b) => a.id.localeCompare(b.id));
}

/** The directory of an installed model, or null when it is not installed. */
export function installedModelDir(dataDir: string, id: string): string | null {
  if (!MODEL_ID_PATTERN.test(id)) return null;
  const dir = join(modelsDir(dataDir), id);
  return existsSync(join(dir, MODEL_DESCRIPTION_FILE)) ? dir : null;
}

/** Deletes an installed model; false when there was none. */
export function removeInstalledModel(dataDir: string, id: string): boolean {
  const dir = installedModelDir(dataDir, id);
  if (dir === null) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
