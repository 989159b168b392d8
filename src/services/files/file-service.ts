import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, errors } from '../../api/errors.js';
import type { Limits } from '../../config/config.js';
import type { BlobStore, BlobWriter, FileRecord, FileRepository, Page, QuotaVerdict } from '../../storage/ports.js';
import type { KeyService } from '../keys/key-service.js';
import type { ProjectScope } from '../projects/project-service.js';
import type { PageRequest } from '../list-query.js';

/** Bytes received for an upload, on disk but not yet visible. */
export interface ReceivedUpload {
  writer: BlobWriter;
  sizeBytes: number;
  filename: string;
}

export const TEMPORARY_URL_LIFETIME_MS = 60 * 60 * 1000;

/** Soniox's words for a quota; the numbers are the project's. */
export function quotaMessage(verdict: Exclude<QuotaVerdict, 'ok'>, limits: Limits): string {
  switch (verdict) {
    case 'max_files':
      return `Exceeded maximum number of files (maximum is ${limits.maxFiles}). Delete files to upload more.`;
    case 'max_storage':
      return `Exceeded maximum total file storage (maximum is ${limits.maxStorageBytes} bytes). Delete files to upload more.`;
    case 'max_pending':
      return `Exceeded maximum number of pending transcriptions (maximum is ${limits.maxPendingTranscriptions}).`;
    case 'max_total':
      return `Exceeded maximum number of transcriptions (maximum is ${limits.maxTranscriptions}). Delete transcriptions to create more.`;
  }
}

/** The shared blob dir holds none of the files the database lists: most likely not the cluster's volume. */
export class BlobStoreMismatchError extends Error {
  override name = 'BlobStoreMismatchError';
  constructor(records: number) {
    super(`the blob dir holds none of the ${records} files the database lists; is HARK_BLOB_DIR the cluster's shared volume?`);
  }
}

/**
 * Uploads, listing and deletion of one project's files (the scope says
 * which, and its quotas). Bytes are written before metadata
 * and deleted after it, so a listed file always has its bytes; bytes left
 * without metadata by a crash are removed by {@link FileService.removeOrphans}.
 */
export class FileService {
  constructor(
    private readonly repo: FileRepository,
    private readonly blobs: BlobStore,
    private readonly keys: KeyService,
    private readonly limits: Limits,
  ) {}

  /** Fails fast, before any byte is read, when no file could be added to the project. */
  async checkQuota(scope: ProjectScope): Promise<void> {
    const usage = await this.repo.usage(scope.projectId);
    if (usage.files >= scope.limits.maxFiles) throw errors.quotaExceeded(quotaMessage('max_files', scope.limits));
    if (usage.bytes >= scope.limits.maxStorageBytes) throw errors.quotaExceeded(quotaMessage('max_storage', scope.limits));
  }

  /**
   * Streams an upload to a temporary blob, refusing it as soon as it passes
   * the size limit.
   * @throws ApiError `invalid_request` when the file is too large.
   */
  async receive(source: Readable, filename: string): Promise<ReceivedUpload> {
    const writer = await this.blobs.createWriter();
    const max = this.limits.maxFileSizeBytes;
    let sizeBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sizeBytes += chunk.length;
        if (sizeBytes > max) done(errors.fileTooLarge(max));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(source, counter, writer.stream);
    } catch (err) {
      await writer.abort();
      source.resume();
      throw err instanceof ApiError ? err : errors.internal(err);
    }
    return { writer, sizeBytes, filename };
  }

  /** Makes a received upload visible, within the file count and storage quotas. */
  async commit(scope: ProjectScope, upload: ReceivedUpload, clientReferenceId: string | null): Promise<FileRecord> {
    const record: FileRecord = {
      id: randomUUID(),
      projectId: scope.projectId,
      filename: upload.filename,
      sizeBytes: upload.sizeBytes,
      createdAt: new Date().toISOString(),
      clientReferenceId,
    };
    await upload.writer.commit(record.id);
    let verdict: QuotaVerdict;
    try {
      verdict = await this.repo.insertWithinQuota(record, {
        maxFiles: scope.limits.maxFiles,
        maxBytes: scope.limits.maxStorageBytes,
      });
    } catch (err) {
      await this.blobs.delete(record.id);
      throw err;
    }
    if (verdict !== 'ok') {
      await this.blobs.delete(record.id);
      throw errors.quotaExceeded(quotaMessage(verdict, scope.limits));
    }
    return record;
  }

  async discard(upload: ReceivedUpload): Promise<void> {
    await upload.writer.abort();
  }

  /** @throws ApiError 404 `file_not_found`, also for another project's file. */
  async get(projectId: string, id: string): Promise<FileRecord> {
    const file = await this.repo.get(projectId, id);
    if (!file) throw errors.fileNotFound();
    return file;
  }

  /** A page may hold fewer than `limit` items when they are large (`HARK_MAX_LIST_PAGE_BYTES`). */
  list(projectId: string, query: PageRequest): Promise<Page<FileRecord>> {
    return this.repo.list(projectId, { ...query, maxBytes: this.limits.maxListPageBytes });
  }

  count(projectId: string): Promise<number> {
    return this.repo.count(projectId);
  }

  async delete(projectId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(projectId, id))) throw errors.fileNotFound();
    await this.blobs.delete(id);
  }

  /** Path of a stored file's bytes, or null when it no longer exists in the project. */
  async blobPath(projectId: string, id: string): Promise<string | null> {
    return (await this.repo.get(projectId, id)) ? this.blobs.path(id) : null;
  }

  /** A path and query that serve the bytes without a bearer key until `expiresAtMs`; the signature names the project. */
  async temporaryUrlPath(projectId: string, id: string, nowMs = Date.now()): Promise<string> {
    await this.get(projectId, id);
    const expires = Math.floor((nowMs + TEMPORARY_URL_LIFETIME_MS) / 1000);
    const project = encodeURIComponent(projectId);
    return `/v1/files/${id}/content?project=${project}&expires=${expires}&signature=${this.keys.sign(`${projectId}:${id}:${expires}`)}`;
  }

  /** Resolves a signed link to the file and its bytes' path, or throws 404 when invalid or expired. */
  async openSigned(projectId: string, id: string, expires: string, signature: string, nowMs = Date.now()) {
    const valid =
      /^\d{1,12}$/.test(expires) &&
      Number(expires) * 1000 > nowMs &&
      this.keys.verify(`${projectId}:${id}:${expires}`, signature);
    const file = valid ? await this.repo.get(projectId, id) : null;
    if (!file) throw errors.linkExpired();
    return { file, path: this.blobs.path(id) };
  }

  /**
   * Start-up repair after a crash: drop partial uploads and bytes without
   * metadata. With a blob store other nodes write to at the same time,
   * `graceMs` spares what is younger: their uploads in progress, and bytes
   * committed whose record is being inserted right now.
   */
  async removeOrphans(graceMs = 0): Promise<{ blobs: number; records: number }> {
    const before = graceMs > 0 ? Date.now() - graceMs : Infinity;
    await this.blobs.clearIncomplete(before);
    // Read after the blobs' age was taken: a settled blob whose record exists is in this list.
    const settled = await this.blobs.listIds(before);
    const known = new Set(await this.repo.allIds());
    let blobs = 0;
    for (const id of settled) {
      if (!known.has(id)) {
        await this.blobs.delete(id);
        blobs++;
      }
    }
    let records = 0;
    // A node given an empty (unmounted, not shared) blob dir must not take every record for a crash's.
    if (graceMs > 0 && known.size > 0 && (await this.blobs.listIds()).length === 0) {
      throw new BlobStoreMismatchError(known.size);
    }
    for (const id of known) {
      if (!(await this.blobs.exists(id))) {
        await this.repo.deleteAnyProject(id);
        records++;
      }
    }
    return { blobs, records };
  }
}
