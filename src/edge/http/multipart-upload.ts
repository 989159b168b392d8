import type { Readable } from 'node:stream';
import type { Multipart } from '@fastify/multipart';
import { ApiError, errors } from '../../api/errors.js';

export interface UploadReading<T> {
  /** Takes the first file part named 'file'; what it throws is the route's failure. */
  receive(file: Readable, filename: string): Promise<T>;
  /** The text fields kept, each with every value it was sent. */
  fields: ReadonlySet<string>;
  /** The size limit `receive` enforces: a file over it ends the reading, since its rest may be endless. */
  maxFileBytes: number;
  /** The route's error for a body the multipart parser could not read. */
  malformed(err: unknown): unknown;
  /** A failure known before the body is read: no file is then received. */
  failure?: unknown;
}

export interface MultipartUpload<T> {
  /** What `receive` returned, or null if it failed or no file was sent. */
  received: T | null;
  /** Values as the parser gave them: a part declared application/json arrives parsed. */
  fields: Map<string, unknown[]>;
  /** The first failure, if any: the route answers with it. */
  failure: unknown;
}

/**
 * Reads a multipart upload. Every part is read to the end even after a
 * failure, so the client gets the error response instead of a reset
 * connection; only a file over `maxFileBytes` ends it early.
 */
export async function readMultipartUpload<T>(parts: AsyncIterable<Multipart>, reading: UploadReading<T>): Promise<MultipartUpload<T>> {
  const fields = new Map<string, unknown[]>();
  let received: T | null = null;
  let failure: unknown = reading.failure ?? null;
  let taken = false;
  const tooLarge = errors.fileTooLarge(reading.maxFileBytes).message;
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || taken || failure) {
          part.file.resume();
          continue;
        }
        taken = true;
        try {
          received = await reading.receive(part.file, part.filename);
        } catch (err) {
          failure = err;
          if (err instanceof ApiError && err.message === tooLarge) break;
        }
      } else if (reading.fields.has(part.fieldname)) {
        fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), part.value]);
      }
    }
  } catch (err) {
    failure ??= reading.malformed(err);
  }
  return { received, fields, failure };
}
