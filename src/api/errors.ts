import { StorageUnavailableError } from '../storage/storage-errors.js';

/**
 * The REST error catalogue: every error Hark answers with, its HTTP status,
 * wire `error_type` and exact message (API.md §2.2). Services throw
 * {@link ApiError}; `to-wire.ts` is the only place that turns it into JSON.
 */

export interface ValidationIssue {
  errorType: string;
  location: string;
  message: string;
}

export type ErrorType =
  | 'invalid_request'
  | 'invalid_cursor'
  | 'unauthenticated'
  | 'file_not_found'
  | 'transcription_not_found'
  | 'transcription_invalid_state'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'too_many_requests'
  | 'internal_error'
  | 'service_unavailable';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly errorType: ErrorType,
    message: string,
    readonly validationErrors: readonly ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const INVALID_REQUEST_MESSAGE = 'Invalid request.';
export const UNAUTHENTICATED_MESSAGE =
  'Incorrect API key provided. Use a key from HARK_API_KEYS or the one the Hark server printed at start-up.';
export const STORAGE_UNAVAILABLE_MESSAGE =
  'The service is temporarily unavailable: Hark cannot reach its database. Please try again later.';
export const INTERNAL_ERROR_MESSAGE =
  'The server encountered an error. Please try again. If the issue persists, check the Hark server log.';

export const errors = {
  invalidRequest: (issues: readonly ValidationIssue[]) =>
    new ApiError(400, 'invalid_request', INVALID_REQUEST_MESSAGE, issues),
  fileTooLarge: (maxBytes: number) =>
    new ApiError(400, 'invalid_request', `Exceeded maximum file size (maximum is ${maxBytes} bytes).`),
  quotaExceeded: (message: string) => new ApiError(400, 'invalid_request', message),
  invalidCursor: () => new ApiError(400, 'invalid_cursor', 'Invalid cursor parameter.'),
  unauthenticated: () => new ApiError(401, 'unauthenticated', UNAUTHENTICATED_MESSAGE),
  fileNotFound: () => new ApiError(404, 'file_not_found', 'File could not be found.'),
  transcriptionNotFound: () => new ApiError(404, 'transcription_not_found', 'Transcription could not be found.'),
  cannotDeleteProcessing: () =>
    new ApiError(409, 'transcription_invalid_state', 'Cannot delete transcription with processing status.'),
  transcriptNotReady: () =>
    new ApiError(409, 'transcription_invalid_state', 'Can only get transcript with completed status.'),
  transcriptionFailed: () => new ApiError(409, 'transcription_invalid_state', 'File transcription has failed.'),
  routeNotFound: (method: string, url: string) =>
    new ApiError(404, 'not_found', `Route ${method} ${url.split('?')[0]} not found.`),
  methodNotAllowed: (allowed: readonly string[]) =>
    new ApiError(405, 'method_not_allowed', `Method not allowed. Allowed methods: ${allowed.join(', ')}.`),
  /** From the HTTP layer: the input is never echoed, as it may be huge or hostile. */
  uriTooLong: () => new ApiError(414, 'invalid_request', 'Request URI too long.'),
  headersTooLarge: () => new ApiError(431, 'invalid_request', 'Request headers too large.'),
  malformedHttpRequest: () => new ApiError(400, 'invalid_request', 'Malformed HTTP request.'),
  tooManyConnectionsFromAddress: () =>
    new ApiError(429, 'too_many_requests', 'Too many open connections from this address. Try again later.'),
  tooManyConnections: () => new ApiError(429, 'too_many_requests', 'Too many open connections. Try again later.'),
  linkExpired: () => new ApiError(404, 'file_not_found', 'File could not be found or the link has expired.'),
  tooManyAuthFailures: () =>
    new ApiError(429, 'too_many_requests', 'Too many failed authentication attempts. Try again later.'),
  requestTimeout: () => new ApiError(408, 'request_timeout', 'Request timeout.'),
  internal: (cause?: unknown) => new ApiError(500, 'internal_error', INTERNAL_ERROR_MESSAGE, [], { cause }),
  storageUnavailable: (cause?: unknown) => new ApiError(503, 'service_unavailable', STORAGE_UNAVAILABLE_MESSAGE, [], { cause }),
} as const;

/**
 * Anything a request failed with, as the ApiError it answers: the database
 * out of reach is 503 (the client may retry), also when a service wrapped it
 * as internal; anything else unexpected is 500.
 */
export function toApiError(error: unknown): ApiError {
  const unavailable = error instanceof StorageUnavailableError || (error instanceof ApiError && error.statusCode === 500 && error.cause instanceof StorageUnavailableError);
  if (unavailable) return errors.storageUnavailable(error instanceof ApiError ? error.cause : error);
  return error instanceof ApiError ? error : errors.internal(error);
}

/** Reasons a transcription ends in `error`, stored as its error_type. */
export type TranscriptionErrorType =
  | 'audio_decode_error'
  | 'audio_too_long'
  | 'audio_url_error'
  | 'file_not_found'
  | 'internal_error';
