/** Errors the CLI reports in one line, and how SDK errors read to people. */
import { RealtimeError, SonioxHttpError } from '@soniox/node';

/** A failure to report as `hark: <message>`, without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    /** 1: the request failed; 2: the command line was wrong. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function usageError(message: string, usage: string): CliError {
  return new CliError(`${message}\n\n${usage}`, 2);
}

/** The API's own message from an `ApiError` body, with its validation errors. */
function apiMessage(bodyText: string | undefined): string | null {
  if (!bodyText) return null;
  try {
    const body = JSON.parse(bodyText) as { message?: unknown; validation_errors?: { location?: unknown; message?: unknown }[] };
    if (typeof body.message !== 'string') return null;
    const details = (body.validation_errors ?? []).map((v) => `${String(v.location)}: ${String(v.message)}`);
    return [body.message, ...details].join('; ');
  } catch {
    return null;
  }
}

/** A one-line description of any error, for people. */
export function describeError(err: unknown): string {
  if (err instanceof SonioxHttpError) {
    if (err.code === 'http_error') {
      const message = apiMessage(err.bodyText) ?? err.message;
      const hint = err.statusCode === 401 ? ' (check --api-key / SONIOX_API_KEY)' : '';
      return `${err.method} ${new URL(err.url).pathname} failed with ${err.statusCode}: ${message}${hint}`;
    }
    if (err.code === 'network_error') return `Cannot reach ${new URL(err.url).origin}: is the server running? (${err.message})`;
    return err.message;
  }
  if (err instanceof RealtimeError) {
    return err.statusCode ? `The real-time session failed with ${err.statusCode}: ${err.message}` : `The real-time session failed: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
