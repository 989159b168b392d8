/**
 * Projects and their long-lived keys: what a key may see (its project's
 * records only) and the limits that apply to it (the project's, defaulting
 * to the global settings). Administered from the CLI on the server's data.
 */
import { randomUUID } from 'node:crypto';
import type { Limits, RealtimeSettings } from '../../config/config.js';
import { randomKey, sha256Hex } from '../../lib/secrets.js';
import {
  DEFAULT_PROJECT_ID,
  type ApiKeyRecord,
  type BlobStore,
  type ProjectLimitOverrides,
  type ProjectRecord,
  type ProjectRepository,
} from '../../storage/ports.js';

/** The limits that apply to one project: the global ones with its overrides. */
export interface ProjectLimits extends Limits {
  /** Real-time sessions open at once in the project. */
  maxConcurrentSessions: number;
  /** Real-time sessions started per sliding minute in the project. */
  requestsPerMinute: number;
}

/** Who is asking: an authenticated key, its project and that project's limits. */
export interface ProjectScope {
  projectId: string;
  /** Id of the long-lived key (for a temporary key: the one that minted it). */
  apiKeyId: string;
  limits: ProjectLimits;
}

/** A refusal of an administrative request, in words for the operator. */
export class ProjectError extends Error {
  override name = 'ProjectError';
}

/** Names the CLI can type and a log can quote. */
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const LIMIT_OVERRIDE_NAMES: readonly (keyof ProjectLimitOverrides)[] = [
  'maxConcurrentSessions',
  'requestsPerMinute',
  'maxFiles',
  'maxStorageBytes',
  'maxPendingTranscriptions',
  'maxTranscriptions',
];

/**
 * How long a project's limits are reused before being read again. Every
 * authenticated request needs them; on PostgreSQL the read is a round trip,
 * so a node keeps them this long. A change from the CLI reaches every node
 * within it.
 */
const LIMITS_REUSE_MS = 1_000;
/** Projects whose limits are kept at once; past this the oldest go first. */
const MAX_KEPT_LIMITS = 1_000;

export class ProjectService {
  /** Recently read overrides by project id, in insertion order (oldest first). */
  private readonly keptLimits = new Map<string, { readAtMs: number; limits: ProjectLimitOverrides }>();

  constructor(
    private readonly repo: ProjectRepository,
    private readonly blobs: BlobStore,
    private readonly limits: Limits,
    private readonly realtime: Pick<RealtimeSettings, 'maxSessionsPerKey' | 'requestsPerMinute'>,
  ) {}

  /** The project's limits; a project that is gone gets the global ones (its keys no longer authenticate anyway). */
  async scope(projectId: string, apiKeyId: string, nowMs = Date.now()): Promise<ProjectScope> {
    return { projectId, apiKeyId, limits: this.limitsOf(await this.overridesOf(projectId, nowMs)) };
  }

  private async overridesOf(projectId: string, nowMs: number): Promise<ProjectLimitOverrides> {
    const kept = this.keptLimits.get(projectId);
    if (kept && nowMs - kept.readAtMs < LIMITS_REUSE_MS) return kept.limits;
    const project = await this.repo.get(projectId);
    this.keptLimits.delete(projectId);
    if (!project) return {};
    if (this.keptLimits.size >= MAX_KEPT_LIMITS) this.keptLimits.delete(this.keptLimits.keys().next().value!);
    this.keptLimits.set(projectId, { readAtMs: nowMs, limits: project.limits });
    return project.limits;
  }

  limitsOf(overrides: ProjectLimitOverrides): ProjectLimits {
    return {
      ...this.limits,
      maxConcurrentSessions: this.realtime.maxSessionsPerKey,
      requestsPerMinute: this.realtime.requestsPerMinute,
      ...overrides,
    };
  }

  /** A key created with `hark keys create`, unless revoked. */
  findKey(secret: string): Promise<ApiKeyRecord | null> {
    return this.repo.findKeyByHash(sha256Hex(secret));
  }

  /** By id or by name. @throws ProjectError when there is none. */
  async resolve(ref: string): Promise<ProjectRecord> {
    const project = (await this.repo.get(ref)) ?? (await this.repo.findByName(ref));
    if (!project) throw new ProjectError(`No project "${ref}"`);
    return project;
  }

  list(): Promise<ProjectRecord[]> {
    return this.repo.list();
  }

  async create(name: string, limits: ProjectLimitOverrides = {}): Promise<ProjectRecord> {
    this.checkName(name);
    const project: ProjectRecord = { id: randomUUID(), name, createdAt: new Date().toISOString(), limits };
    if ((await this.repo.create(project)) === 'name_taken') throw new ProjectError(`A project named "${name}" exists`);
    return project;
  }

  async rename(ref: string, name: string): Promise<ProjectRecord> {
    this.checkName(name);
    const project = await this.resolve(ref);
    if ((await this.repo.rename(project.id, name)) === 'name_taken') throw new ProjectError(`A project named "${name}" exists`);
    return { ...project, name };
  }

  async setLimits(ref: string, limits: ProjectLimitOverrides): Promise<ProjectRecord> {
    const project = await this.resolve(ref);
    await this.repo.setLimits(project.id, limits);
    this.keptLimits.delete(project.id);
    return { ...project, limits: { ...project.limits, ...limits } };
  }

  /**
   * Deletes a project with its keys, files, transcriptions and usage.
   * @throws ProjectError for the default project (HARK_API_KEYS use it), or
   *   when it holds files or transcriptions and `force` is not set.
   */
  async delete(ref: string, force: boolean): Promise<ProjectRecord> {
    const project = await this.resolve(ref);
    if (project.id === DEFAULT_PROJECT_ID) throw new ProjectError('The default project cannot be deleted: HARK_API_KEYS and the generated key use it');
    if (!force && (await this.repo.hasData(project.id))) {
      throw new ProjectError(`Project "${project.name}" holds files or transcriptions; delete them first or pass --force`);
    }
    const deleted = await this.repo.delete(project.id);
    this.keptLimits.delete(project.id);
    // Bytes after metadata, as for one file: a crash in between leaves orphans that start-up removes.
    for (const id of deleted?.fileIds ?? []) await this.blobs.delete(id);
    return project;
  }

  /** A new key; `secret` is shown once and never stored. */
  async createKey(projectRef: string, name: string | null): Promise<{ key: ApiKeyRecord; secret: string }> {
    const project = await this.resolve(projectRef);
    const secret = `hark_${randomKey(24).toLowerCase()}`;
    const key: ApiKeyRecord = {
      id: randomUUID(),
      projectId: project.id,
      name,
      keyHash: sha256Hex(secret),
      hint: secret.slice(0, 9),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.repo.insertKey(key);
    return { key, secret };
  }

  async listKeys(projectRef: string | null): Promise<ApiKeyRecord[]> {
    return this.repo.listKeys(projectRef === null ? null : (await this.resolve(projectRef)).id);
  }

  async revokeKey(id: string): Promise<void> {
    if (!(await this.repo.revokeKey(id, new Date().toISOString()))) throw new ProjectError(`No active key with id "${id}"`);
  }

  private checkName(name: string): void {
    if (!PROJECT_NAME.test(name)) {
      throw new ProjectError(`Project names are 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit; not "${name}"`);
    }
  }
}
