/**
 * The page's client of Hark's public REST API (same origin). It holds the
 * API key the user signed in with in a private field, in memory only: never
 * in storage, cookies or the URL, so closing or reloading the tab forgets it.
 * The WebSocket never sees it: live sessions use single-use temporary keys.
 */
import type { WireTranscript } from '../../src/lib/transcript-formats.js';

export type TranscriptionStatus = 'queued' | 'processing' | 'completed' | 'error';

export interface WireModel {
  id: string;
  aliased_model_id: string | null;
  name: string;
  transcription_mode: 'real_time' | 'async';
  languages: { code: string; name: string }[];
  translation_targets: { target_language: string; source_languages: string[] }[];
  two_way_translation_pairs: string[];
  one_way_translation: string | null;
  two_way_translation: string | null;
}

export interface WireFile {
  id: string;
  filename: string;
  size: number;
  created_at: string;
}

export interface WireTranscription {
  id: string;
  status: TranscriptionStatus;
  created_at: string;
  model: string;
  audio_url: string | null;
  file_id: string | null;
  filename: string;
  audio_duration_ms: number | null;
  error_type: string | null;
  error_message: string | null;
}

export type TranslationConfig =
  | { type: 'one_way'; target_language: string }
  | { type: 'two_way'; language_a: string; language_b: string };

export interface CreateTranscription {
  model: string;
  file_id: string;
  enable_speaker_diarization: boolean;
  enable_language_identification: boolean;
  language_hints?: string[];
  translation?: TranslationConfig;
  context?: { terms: string[] };
}

/** A refused or failed request, with the server's message when it sent one. */
export class ApiRequestError extends Error {
  override name = 'ApiRequestError';
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The message of an `ApiError` body (`{message, validation_errors}`), or a generic one. */
function errorFrom(status: number, body: string): ApiRequestError {
  let message = `Hark answered ${status}`;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; validation_errors?: { message?: unknown }[] };
    const details = (parsed.validation_errors ?? []).map((v) => v.message).filter((m) => typeof m === 'string');
    if (typeof parsed.message === 'string') message = [parsed.message, ...details].join(': ');
  } catch {
    // Not an API error body (a proxy's page): keep the status.
  }
  if (status === 401) message = `Hark did not accept the API key (${message}).`;
  return new ApiRequestError(status, message);
}

/** How many transcriptions the app lists. */
const WEB_LIST_LENGTH = 100;

export class HarkApi {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${this.#key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiRequestError(0, 'Cannot reach Hark. Is the server running?');
    }
    const text = await response.text();
    if (!response.ok) throw errorFrom(response.status, text);
    return (text ? JSON.parse(text) : null) as T;
  }

  async models(): Promise<WireModel[]> {
    return (await this.#request<{ models: WireModel[] }>('GET', '/v1/models')).models;
  }

  /** A key for one WebSocket session, valid for a minute. */
  async temporaryKey(): Promise<string> {
    const body = { usage_type: 'transcribe_websocket', expires_in_seconds: 60, single_use: true };
    return (await this.#request<{ api_key: string }>('POST', '/v1/auth/temporary-api-key', body)).api_key;
  }

  /** The newest 100. A page holds fewer when records are large (the server's page budget), so the cursor is followed. */
  async transcriptions(): Promise<WireTranscription[]> {
    const out: WireTranscription[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: { transcriptions: WireTranscription[]; next_page_cursor: string | null } = await this.#request(
        'GET',
        `/v1/transcriptions?limit=${WEB_LIST_LENGTH - out.length}${query}`,
      );
      out.push(...page.transcriptions);
      cursor = page.next_page_cursor;
    } while (cursor !== null && out.length < WEB_LIST_LENGTH);
    return out;
  }

  transcription(id: string): Promise<WireTranscription> {
    return this.#request('GET', `/v1/transcriptions/${encodeURIComponent(id)}`);
  }

  transcript(id: string): Promise<WireTranscript> {
    return this.#request('GET', `/v1/transcriptions/${encodeURIComponent(id)}/transcript`);
  }

  createTranscription(payload: CreateTranscription): Promise<WireTranscription> {
    return this.#request('POST', '/v1/transcriptions', payload);
  }

  async deleteTranscription(id: string): Promise<void> {
    await this.#request('DELETE', `/v1/transcriptions/${encodeURIComponent(id)}`);
  }

  /** Deletes a file; one already gone is not an error. */
  async deleteFile(id: string): Promise<void> {
    try {
      await this.#request('DELETE', `/v1/files/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!(err instanceof ApiRequestError && err.status === 404)) throw err;
    }
  }

  /** A link to the file's bytes that needs no key (valid for an hour), or null when the file is gone. */
  async fileUrl(id: string): Promise<string | null> {
    try {
      return (await this.#request<{ url: string }>('GET', `/v1/files/${encodeURIComponent(id)}/url`)).url;
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 404) return null;
      throw err;
    }
  }

  /**
   * Uploads a file with XMLHttpRequest, the only browser API that reports
   * upload progress. The browser streams the file from disk, so size is no
   * concern here; the server's limit is 1 GiB.
   */
  upload(file: File, onProgress: (sentBytes: number, totalBytes: number) => void): Promise<WireFile> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/v1/files');
      xhr.setRequestHeader('authorization', `Bearer ${this.#key}`);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
      xhr.onload = () => {
        if (xhr.status === 201) resolve(JSON.parse(xhr.responseText) as WireFile);
        else reject(errorFrom(xhr.status, xhr.responseText));
      };
      xhr.onerror = () => reject(new ApiRequestError(0, 'The upload failed: the connection to Hark was lost.'));
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  }
}
