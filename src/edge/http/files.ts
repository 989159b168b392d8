import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { ApiError, errors } from '../../api/errors.js';
import { listQuerySchema, uploadFieldsSchema } from '../../api/schemas/requests.js';
import { fileToWire } from '../../api/to-wire.js';
import { validate } from '../../api/validation.js';
import type { FileService } from '../../services/files/file-service.js';
import { TurnQueue } from '../../lib/turn-queue.js';
import { refuseDeclaredLengthOver } from './declared-length.js';
import { nextCursor, toListQuery } from '../../services/list-query.js';
import { byteRange } from './byte-range.js';
import { readMultipartUpload } from './multipart-upload.js';
import { JSON_CONTENT_TYPE, optionalInt, parseQuery, requireUuid } from './parse.js';

/** Room in an upload's body for the parts besides the file and every part's headers. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The upload's text fields; the rest of the body's fields are ignored. */
const UPLOAD_FIELDS = new Set(['client_reference_id']);

/** @fastify/multipart's codes for a body over its part limits; any other failure is a malformed body. */
const PART_LIMIT_CODES = new Set(['FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT']);

/** Busboy's messages are not passed on: they may quote the body. */
function malformedMultipart(err: unknown): ApiError {
  const message = PART_LIMIT_CODES.has((err as { code?: string }).code ?? '')
    ? 'Too many parts in the multipart body'
    : 'Malformed multipart body';
  return errors.invalidRequest([{ errorType: 'value_error', location: 'body', message }]);
}

/**
 * A file part that broke off mid-stream is the client's malformed body, not
 * our failure. The pipeline hands every error to the part's stream, so a disk
 * error (a system error, with its syscall) and our own size refusal are told apart.
 */
function isBrokenBody(err: unknown): boolean {
  return err instanceof Error && !(err instanceof ApiError) && typeof (err as NodeJS.ErrnoException).syscall !== 'string';
}

/** Public base URL for links: configured, or as the client reached us. */
function baseUrl(publicUrl: string | null, protocol: string, host: string | undefined): string {
  return publicUrl ?? `${protocol}://${host ?? 'localhost'}`;
}

export async function filesRoutes(
  app: FastifyInstance,
  opts: { files: FileService; maxFileSizeBytes: number; publicUrl: string | null },
): Promise<void> {
  const { files } = opts;
  await app.register(multipart, {
    // The service enforces the documented size limit itself; this only stops busboy from cutting first.
    limits: { fileSize: opts.maxFileSizeBytes + 1024 * 1024, files: 4, fields: 16, fieldSize: 64 * 1024, parts: 32 },
  });

  const tooLarge = () => errors.fileTooLarge(opts.maxFileSizeBytes);
  // A body this much larger than the limit cannot hold a file within it:
  // the other parts and the part headers are far smaller.
  const maxBodyBytes = opts.maxFileSizeBytes + MULTIPART_OVERHEAD_BYTES;

  app.post(
    '/v1/files',
    { onRequest: refuseDeclaredLengthOver(maxBodyBytes, tooLarge) },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw errors.invalidRequest([{ errorType: 'missing', location: 'file.file', message: 'Field required' }]);
      }
      let quotaFailure: unknown = null;
      try {
        await files.checkQuota(request.scope);
      } catch (err) {
        quotaFailure = err;
      }
      const upload = await readMultipartUpload(request.parts(), {
        failure: quotaFailure,
        fields: UPLOAD_FIELDS,
        receive: async (file, filename) => {
          let bodyError: unknown = null;
          file.once('error', (err) => (bodyError = err));
          try {
            return await files.receive(file, filename || 'file');
          } catch (err) {
            throw isBrokenBody(bodyError) ? malformedMultipart(bodyError) : err;
          }
        },
        maxFileBytes: opts.maxFileSizeBytes,
        malformed: malformedMultipart,
      });
      const { received } = upload;
      let { failure } = upload;
      const clientReferenceId = upload.fields.get('client_reference_id')?.at(-1) ?? null;
      const fieldIssues = validate(
        uploadFieldsSchema,
        { client_reference_id: clientReferenceId === '' ? null : clientReferenceId },
        'file',
      );
      if (!failure && fieldIssues.length > 0) failure = errors.invalidRequest(fieldIssues);
      if (!failure && !received) {
        failure = errors.invalidRequest([{ errorType: 'missing', location: 'file.file', message: 'Field required' }]);
      }
      if (failure) {
        if (received) await files.discard(received);
        throw failure;
      }
      const file = await files.commit(request.scope, received!, (clientReferenceId as string | null) || null);
      return reply.code(201).send(fileToWire(file));
    },
  );

  // Built, serialised and written in the queue's turn: together they are the page's cost.
  const pages = new TurnQueue();
  app.get('/v1/files', async (request, reply) => {
    const query = parseQuery(listQuerySchema, request.query);
    const pageRequest = toListQuery('files', optionalInt(query.limit), query.cursor);
    return pages.run(async () => {
      const page = await files.list(request.scope.projectId, pageRequest);
      const body = JSON.stringify({ files: page.items.map(fileToWire), next_page_cursor: nextCursor('files', page) });
      return reply.type(JSON_CONTENT_TYPE).send(body);
    });
  });

  app.get('/v1/files/count', async (request) => {
    const total = await files.count(request.scope.projectId);
    return { total, public_api: total, playground: 0 };
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id', async (request) => {
    return fileToWire(await files.get(request.scope.projectId, requireUuid(request.params.id, errors.fileNotFound)));
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id/url', async (request) => {
    const path = await files.temporaryUrlPath(request.scope.projectId, requireUuid(request.params.id, errors.fileNotFound));
    return { url: `${baseUrl(opts.publicUrl, request.protocol, request.host)}${path}` };
  });

  app.get<{ Params: { id: string }; Querystring: { project?: string; expires?: string; signature?: string } }>(
    '/v1/files/:id/content',
    { config: { public: true } },
    async (request, reply) => {
      const id = requireUuid(request.params.id, errors.linkExpired);
      const { file, path } = await files.openSigned(
        request.query.project ?? '',
        id,
        request.query.expires ?? '', request.query.signature ?? '');
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('accept-ranges', 'bytes');
      // Ranges let a browser's audio player seek (the web app's transcript timestamps).
      const range = byteRange(request.headers.range, file.sizeBytes);
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${file.sizeBytes}`).send();
      if (range === null) return reply.header('content-length', file.sizeBytes).send(createReadStream(path));
      return reply
        .code(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${file.sizeBytes}`)
        .header('content-length', range.end - range.start + 1)
        .send(createReadStream(path, { start: range.start, end: range.end }));
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (request, reply) => {
    await files.delete(request.scope.projectId, requireUuid(request.params.id, errors.fileNotFound));
    return reply.code(204).send();
  });
}
