import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hmacHex, randomKey, sameDigest, sha256Hex } from '../../lib/secrets.js';
import type { KeyRepository, TemporaryKeyRecord } from '../../storage/ports.js';

export const TEMPORARY_KEY_PREFIX = 'temp:';

export interface CreateTemporaryKey {
  usageType: string;
  expiresInSeconds: number;
  clientReferenceId: string | null;
  singleUse: boolean;
  maxSessionDurationSeconds: number | null;
}

async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const value = create();
    await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
    return value;
  }
}

/**
 * Long-lived keys (configured, or generated once and kept in the data dir),
 * temporary `temp:` keys (stored only as hashes), and the secret that signs
 * temporary file URLs.
 */
export class KeyService {
  private constructor(
    private readonly keyHashes: ReadonlySet<string>,
    /** Keys to show the operator at start-up: the generated one, if any. */
    readonly displayKeys: readonly string[],
    private readonly urlSecret: Buffer,
    private readonly repo: KeyRepository,
  ) {}

  static async open(dataDir: string, configuredKeys: readonly string[], repo: KeyRepository): Promise<KeyService> {
    const keys =
      configuredKeys.length > 0
        ? [...configuredKeys]
        : [await readOrCreate(join(dataDir, 'api-key'), () => `hark_${randomKey(24).toLowerCase()}`)];
    const urlSecret = Buffer.from(
      await readOrCreate(join(dataDir, 'url-signing-secret'), () => randomBytes(32).toString('hex')),
      'hex',
    );
    return new KeyService(new Set(keys.map(sha256Hex)), keys, urlSecret, repo);
  }

  /** True for a configured long-lived key; `temp:` keys never pass here. */
  isLongLivedKey(key: string): boolean {
    if (key.startsWith(TEMPORARY_KEY_PREFIX)) return false;
    const hash = sha256Hex(key);
    for (const known of this.keyHashes) if (sameDigest(hash, known)) return true;
    return false;
  }

  /**
   * The id a key's usage is counted under (rate and session limits): a hash,
   * so that no raw key is kept in memory longer than a request.
   */
  keyId(key: string): string {
    return sha256Hex(key);
  }

  /**
   * @param issuerKey the long-lived key that asked for it: the temporary
   *   key's sessions count against that key's limits.
   */
  async createTemporary(
    request: CreateTemporaryKey,
    issuerKey: string,
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
      issuerKeyHash: this.keyId(issuerKey),
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
