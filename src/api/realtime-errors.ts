/**
 * The real-time (WebSocket) error catalogue: every error a session can end
 * with, its HTTP-like `error_code` and exact message (API.md §7.15; note the
 * inconsistent trailing periods, copied as documented). Sessions throw or
 * report {@link RealtimeError}; `to-wire.ts` turns it into the error frame.
 * The codes land on the Soniox SDKs' 400/401/408/429/500/503 branches.
 */

export type RealtimeErrorCode = 400 | 401 | 408 | 429 | 500 | 503;

export class RealtimeError extends Error {
  override name = 'RealtimeError';
  constructor(
    readonly code: RealtimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const INTERNAL_REALTIME_MESSAGE =
  'The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our support email support@soniox.com if you keep seeing this error.';

/** Internal codes of `Cannot continue request (code N)`: what made the session stop. */
export const CANNOT_CONTINUE = {
  /** The recognition worker hosting the session failed. */
  recognitionFailed: 1,
  /** The server is shutting down. */
  shutdown: 2,
  /** The database (a cluster's PostgreSQL) cannot be reached to admit the session. */
  storageUnavailable: 3,
} as const;

export const realtimeErrors = {
  startNotText: () => new RealtimeError(400, 'Start request must be a text message.'),
  startMalformed: () => new RealtimeError(400, 'Start request is malformed.'),
  invalidModel: () => new RealtimeError(400, 'Invalid model specified.'),
  missingAudioFormat: () =>
    new RealtimeError(
      400,
      'Missing audio format. Specify a valid audio format (e.g. s16le, f32le, wav, ogg, flac...) or "auto" for auto format detection.',
    ),
  invalidAudioFormat: (value: string) => new RealtimeError(400, `Invalid audio data format: ${value}`),
  missingSampleRate: () => new RealtimeError(400, 'Audio data sample rate must be specified for PCM formats'),
  missingChannels: () => new RealtimeError(400, 'Audio data channels must be specified for PCM formats'),
  invalidLanguageHint: () => new RealtimeError(400, 'Invalid language hint.'),
  duplicateLanguageHints: () => new RealtimeError(400, 'Language hints must be unique.'),
  invalidTranslationLanguage: () => new RealtimeError(400, 'Invalid translation target language.'),
  translationUnsupported: () => new RealtimeError(400, 'Model does not support translations.'),
  clientReferenceIdTooLong: () => new RealtimeError(400, 'Client reference ID is too long (max length 256)'),
  contextTooLong: (maxChars: number) => new RealtimeError(400, `Context is too long (max length ${maxChars}).`),
  controlMalformed: () => new RealtimeError(400, 'Control request is malformed.'),
  controlInvalidType: () => new RealtimeError(400, 'Control request invalid type.'),
  audioDecode: (cause?: unknown) => new RealtimeError(400, 'Audio decode error', { cause }),
  audioTooLong: () => new RealtimeError(400, 'Audio is too long.'),
  noAudio: () => new RealtimeError(400, 'No audio received.'),
  missingApiKey: () => new RealtimeError(401, 'Missing API key.'),
  invalidApiKey: () => new RealtimeError(401, 'Invalid API key.'),
  invalidTemporaryKey: () => new RealtimeError(401, 'Invalid/expired temporary API key.'),
  startTimeout: () => new RealtimeError(408, 'Start request timeout'),
  firstAudioTimeout: () => new RealtimeError(408, 'Timed out while waiting for the first audio chunk'),
  requestTimeout: () => new RealtimeError(408, 'Request timeout.'),
  // A key is a project and the server the organization: the messages tell a
  // client whether its own key's limit or the whole server's was reached.
  rateLimited: () => new RealtimeError(429, 'Rate limit for your project has been exceeded.'),
  tooManyKeySessions: () => new RealtimeError(429, 'Your project has exceeded max number of concurrent requests.'),
  tooManySessions: () => new RealtimeError(429, 'Your organization has exceeded max number of concurrent requests.'),
  /** Too many failed authentications from one client address (no key to count them against). */
  tooManyAuthFailures: () => new RealtimeError(429, 'Rate limit for your organization has been exceeded.'),
  internal: (cause?: unknown) => new RealtimeError(500, INTERNAL_REALTIME_MESSAGE, { cause }),
  cannotContinue: (internalCode: number, cause?: unknown) =>
    new RealtimeError(
      503,
      `Cannot continue request (code ${internalCode}). Please restart the request. Refer to: https://soniox.com/url/cannot-continue-request`,
      { cause },
    ),
} as const;
