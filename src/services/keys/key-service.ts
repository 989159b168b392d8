import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { hmacHex, randomKey, sameDigest, sha256Hex } from '../../lib/secrets.js';
import { DEFAULT_PROJECT_ID, type KeyRepository, type TemporaryKeyRecord } from '../../storage/ports.js';
import type { ProjectService } from '../projects/project-service.js';

export const TEMPORARY_KEY_PREFIX = 'temp:';

export interface CreateTemporaryKey {
  usageType: string;
  expiresInSeconds: number;
  clientReferenceId: string | null;
  singleUse: boolean;
  maxSessionDurationSeconds: number | null;
}

/** An authenticated long-lived key: its id and project. */
export interface KeyIdentity {
  apiKeyId: string;
  projectId: string;
}

/**
 * Several nodes may start at once on one shared directory: the value is
 * written whole to a temp file and linked into place, so exactly one node's
 * value wins and no node reads a half-written one.
 */
async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tmp = `${path}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${create()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  return (await readFile(path, 'utf8')).trim();
}

/**
 * Long-lived keys (configured, or generated once and kept in the data dir,
 * both of the default project; or created per project with `hark keys
 * create` and stored as hashes), temporary `temp:` keys (stored only as
 * hashes), and the secret that signs temporary file URLs.
 */
export class KeyService {
  private constructor(
    private readonly keyHashes: ReadonlySet<string>,
    /** Keys to show the operator at start-up: the generated one, if any. */
    readonly displayKeys: readonly string[],
    private readonly urlSecret: Buffer,
    private readonly repo: KeyRepository,
    private readonly projects: ProjectService,
  ) {}

  /**
   * @param secretDir where the URL signing secret is kept: a directory every
   * node shares (the blob dir) in a cluster, so a link signed by one verifies on all.
   */
  static async open(
    dataDir: string,
    configuredKeys: readonly string[],
    repo: KeyRepository,
    projects: ProjectService,
    secretDir: { dir: string; name: string } = { dir: dataDir, name: 'url-signing-secret' },
  ): Promise<KeyService> {
    const keys =
      configuredKeys.length > 0
        ? [...configuredKeys]
        : [await readOrCreate(join(dataDir, 'api-key'), () => `hark_${randomKey(24).toLowerCase()}`)];
    const urlSecret = Buffer.from(
      await readOrCreate(join(secretDir.dir, secretDir.name), () => randomBytes(32).toString('hex')),
      'hex',
    );
    return new KeyService(new Set(keys.map(sha256Hex)), keys, urlSecret, repo, projects);
  }

  /**
   * The project and id of a long-lived key, or null when it is none (`temp:`
   * keys never pass here). A configured key's id is a prefix of its hash, so
   * that no raw key is kept longer than a request.
   */
  async identify(key: string): Promise<KeyIdentity | null> {
    if (key.startsWith(TEMPORARY_KEY_PREFIX)) return null;
    const hash = sha256Hex(key);
    for (const known of this.keyHashes) {
      if (sameDigest(hash, known)) return { apiKeyId: `env-${hash.slice(0, 16)}`, projectId: DEFAULT_PROJECT_ID };
    }
    const stored = await this.projects.findKey(key);
    return stored ? { apiKeyId: stored.id, projectId: stored.projectId } : null;
  }

  /**
   * @param issuer the long-lived key that asked for it: the temporary key's
   *   sessions belong to its project and count against its limits.
   */
  async createTemporary(
    request: CreateTemporaryKey,
    issuer: KeyIdentity,
    nowMs = Date.now(),
  ): Promise<{ apiKey: string; expiresAt: string }> {
    const apiKey = `${TEMPORARY_KEY_PREFIX}${randomKey(26)}`;
    const expiresAt = new Date(nowMs + request.expiresInSeconds * 1000).toISOString();
    await this.repo.insertTemporary({
      keyHash: sha256Hex(apiKey),
      usageType: request.usageType,
      expiresAt,
      clientReferenceId: request.clientReferenceId,
      singleUse: request.singleUse,
      maxSessionDurationSeconds: request.maxSessionDurationSeconds,
      projectId: issuer.projectId,
      issuerKeyId: issuer.apiKeyId,
    });
    await this.repo.deleteExpired(nowMs);
    return { apiKey, expiresAt };
  }

  /** Checks a `temp:` key for a WebSocket session; consumes single-use keys. */
  async useTemporary(apiKey: string, usageType: string, nowMs = Date.now()): Promise<TemporaryKeyRecord | null> {
    if (!apiKey.startsWith(TEMPORARY_KEY_PREFIX)) return null;
    const key = await this.repo.useTemporary(sha256Hex(apiKey), nowMs);
    return key && key.usageType === usageType ? key : null;
  }

  /** Makes a single-use key usable again after {@link useTemporary}: its session was refused before it began. */
  async restoreTemporary(key: TemporaryKeyRecord): Promise<void> {
    if (key.singleUse) await this.repo.insertTemporary(key);
  }

  sign(value: string): string {
    return hmacHex(this.urlSecret, value);
  }

  verify(value: string, signature: string): boolean {
    return /^[0-9a-f]{64}$/.test(signature) && sameDigest(this.sign(value), signature);
  }
}
