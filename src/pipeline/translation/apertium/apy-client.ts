/**
 * HTTP client of Apertium APy (https://wiki.apertium.org/wiki/Apertium-apy):
 * `GET /listPairs` and `POST /translate`. APy keeps one pipeline of Apertium
 * processes per pair loaded, so a request costs milliseconds, not a process
 * start.
 */
import { TranslationError } from '../translator.js';

/** Resolves to APy's base URL (it changes when a supervised APy restarts). */
export type ApyEndpoint = (signal: AbortSignal) => Promise<string>;

/** A direction as APy lists it, in Apertium codes. */
export interface ApyPair {
  sourceLanguage: string;
  targetLanguage: string;
}

interface ApyResponse<T> {
  responseData: T;
  responseStatus: number;
  responseDetails: string | null;
}

/**
 * @example
 * const client = new ApyClient(() => Promise.resolve('http://127.0.0.1:2737'), 10_000);
 * await client.translate('He was here.', 'eng|spa'); // ' Era aquí.'
 */
export class ApyClient {
  constructor(
    private readonly endpoint: ApyEndpoint,
    /** Longest wait for one request. */
    private readonly timeoutMs: number,
  ) {}

  /** @throws {TranslationError} when APy cannot be reached or answers with an error. */
  listPairs(signal?: AbortSignal): Promise<ApyPair[]> {
    return this.request<ApyPair[]>('/listPairs', undefined, signal);
  }

  /**
   * Translates plain text (`format=txt`, so `<`, `&` and brackets are text,
   * not markup). Unknown words pass through unmarked.
   *
   * @param langpair APy's `source|target`, e.g. `eng|spa`.
   * @throws {TranslationError} when APy cannot be reached or answers with an error.
   */
  async translate(text: string, langpair: string, signal?: AbortSignal): Promise<string> {
    const body = new URLSearchParams({ langpair, q: text, markUnknown: 'no', format: 'txt' });
    const data = await this.request<{ translatedText: string }>('/translate', body, signal);
    return data.translatedText;
  }

  private async request<T>(path: string, form: URLSearchParams | undefined, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      const base = await this.endpoint(combined);
      response = await fetch(`${base}${path}`, form ? { method: 'POST', body: form, signal: combined } : { signal: combined });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TranslationError(`Apertium APy is unreachable: ${(err as Error).message}`, { cause: err });
    }
    let parsed: ApyResponse<T>;
    try {
      parsed = (await response.json()) as ApyResponse<T>;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new TranslationError(`Apertium APy answered ${path} with HTTP ${response.status} and no JSON`, { cause: err });
    }
    if (!response.ok || parsed.responseStatus !== 200) {
      throw new TranslationError(`Apertium APy: ${parsed.responseDetails ?? `HTTP ${response.status}`}`);
    }
    return parsed.responseData;
  }
}
