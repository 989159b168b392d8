/**
 * The real-time use case: admits WebSocket sessions (start message checks,
 * authentication, limits) and runs them. Knows nothing of HTTP or of the
 * WebSocket library; the edge hands it a {@link SessionTransport} per
 * connection.
 */
import { CANNOT_CONTINUE, realtimeErrors } from '../../api/realtime-errors.js';
import type { StartRequest } from '../../api/schemas/realtime.js';
import { contextLength } from '../../api/schemas/requests.js';
import { codePointLength } from '../../lib/code-points.js';
import type { Limits, RealtimeSettings } from '../../config/config.js';
import { type AudioFormat, type RawParameters, parseAudioFormat } from '../../pipeline/decode/stream-decoder.js';
import type { LiveRecognition } from '../../pipeline/stream.js';
import { type RecognitionContext, toRecognitionContext } from '../../pipeline/context/recognition-context.js';
import type { KeyService } from '../keys/key-service.js';
import type { LanguageOptions, TranslationService } from '../translation/translation-service.js';
import { isKnownLanguageCode, type ModelCatalog } from '../models/model-catalog.js';
import { Admission } from './admission.js';
import { RealtimeSession, type SessionLogger, type SessionTransport } from './realtime-session.js';

/** A validated start request, as the session runs it. */
export interface SessionConfig {
  model: string;
  audioFormat: AudioFormat;
  /** Set for raw formats only. */
  raw: RawParameters | null;
  endpointDetection: boolean;
  maxEndpointDelayMs: number;
  clientReferenceId: string | null;
  /** Label every word with a speaker. */
  speakerDiarization: boolean;
  /** Terms and domain text that bias this session's recognition; null: none. */
  context: RecognitionContext | null;
  /** Language identification and translation. */
  languages: LanguageOptions;
}

/** What a session needs once admitted. */
export interface AdmittedSession {
  config: SessionConfig;
  /** From a temporary key's `max_session_duration_seconds`; null: no cap. */
  maxSessionMs: number | null;
  /** Frees the concurrency slot. */
  release(): void;
}

const MAX_CLIENT_REFERENCE_ID_CHARS = 256;
const DEFAULT_MAX_ENDPOINT_DELAY_MS = 2000;
const TEMPORARY_KEY_USAGE = 'transcribe_websocket';

export class RealtimeService {
  private readonly admission: Admission;
  private readonly sessions = new Set<RealtimeSession>();

  constructor(
    private readonly settings: RealtimeSettings,
    private readonly limits: Limits,
    private readonly keys: KeyService,
    private readonly models: ModelCatalog,
    private readonly recognition: LiveRecognition,
    private readonly translation: TranslationService,
  ) {
    this.admission = new Admission(settings);
  }

  /** Sessions open now (admitted and not yet ended). */
  get openSessions(): number {
    return this.admission.openSessions;
  }

  /**
   * A session for a new connection; feed it the connection's frames.
   *
   * @param upgradeKey the key from the upgrade request (`Authorization:
   *   Bearer` or the `soniox-api-key` subprotocol), used when the start
   *   message carries none.
   * @param log the connection's logger.
   */
  openSession(transport: SessionTransport, upgradeKey: string | null, log: SessionLogger): RealtimeSession {
    const session = new RealtimeSession(
      transport,
      (request) => this.admit(request, upgradeKey),
      this.recognition,
      { ...this.settings, maxAudioDurationMs: this.limits.maxAudioDurationMs },
      log,
      this.translation,
    );
    this.sessions.add(session);
    session.on('state-change', ({ to }) => {
      if (to === 'finished' || to === 'failed' || to === 'closed') this.sessions.delete(session);
    });
    return session;
  }

  /** Ends every session with 503 (the server is going away). */
  async close(): Promise<void> {
    for (const session of [...this.sessions]) session.fail(realtimeErrors.cannotContinue(CANNOT_CONTINUE.shutdown));
  }

  /**
   * Checks the start request, then limits, then the key (so a bad request
   * does not use up a single-use key).
   *
   * @throws {RealtimeError} with the documented code and message (API.md §7.15).
   */
  private async admit(request: StartRequest, upgradeKey: string | null): Promise<AdmittedSession> {
    const config = this.validate(request);
    const { verdict, release } = this.admission.admit();
    if (verdict === 'rate-limited') throw realtimeErrors.rateLimited();
    if (verdict === 'too-many-sessions') throw realtimeErrors.tooManySessions();
    try {
      const maxSessionMs = await this.authenticate(request.apiKey || upgradeKey || null);
      return { config, maxSessionMs, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** @returns the session duration cap of a temporary key, null for none. */
  private async authenticate(apiKey: string | null): Promise<number | null> {
    if (!apiKey) throw realtimeErrors.missingApiKey();
    if (apiKey.startsWith('temp:')) {
      const key = await this.keys.useTemporary(apiKey, TEMPORARY_KEY_USAGE);
      if (!key) throw realtimeErrors.invalidTemporaryKey();
      return key.maxSessionDurationSeconds === null ? null : key.maxSessionDurationSeconds * 1000;
    }
    if (!this.keys.isLongLivedKey(apiKey)) throw realtimeErrors.invalidApiKey();
    return null;
  }

  private validate(r: StartRequest): SessionConfig {
    if (!r.model || !this.models.find(r.model, 'real_time')) throw realtimeErrors.invalidModel();
    if (!r.audioFormat) throw realtimeErrors.missingAudioFormat();
    const audioFormat = parseAudioFormat(r.audioFormat);
    if (!audioFormat) throw realtimeErrors.invalidAudioFormat(r.audioFormat);
    let raw: RawParameters | null = null;
    if (audioFormat.kind === 'raw') {
      if (r.sampleRate === undefined) throw realtimeErrors.missingSampleRate();
      if (r.numChannels === undefined) throw realtimeErrors.missingChannels();
      raw = { sampleRate: r.sampleRate, channels: r.numChannels };
    }
    const hints = r.languageHints ?? [];
    if (!hints.every(isKnownLanguageCode)) throw realtimeErrors.invalidLanguageHint();
    if (new Set(hints).size !== hints.length) throw realtimeErrors.duplicateLanguageHints();
    if (r.translation !== undefined) {
      if (!this.models.translation.available) throw realtimeErrors.translationUnsupported();
      if (this.models.translation.invalidFields(r.translation).length > 0) throw realtimeErrors.invalidTranslationLanguage();
    }
    if (r.clientReferenceId !== undefined && codePointLength(r.clientReferenceId) > MAX_CLIENT_REFERENCE_ID_CHARS) {
      throw realtimeErrors.clientReferenceIdTooLong();
    }
    if (r.context !== undefined && contextLength(r.context) > this.limits.maxContextChars) {
      throw realtimeErrors.contextTooLong(this.limits.maxContextChars);
    }
    return {
      model: r.model,
      audioFormat,
      raw,
      endpointDetection: r.enableEndpointDetection ?? false,
      maxEndpointDelayMs: r.maxEndpointDelayMs ?? DEFAULT_MAX_ENDPOINT_DELAY_MS,
      clientReferenceId: r.clientReferenceId ?? null,
      speakerDiarization: r.enableSpeakerDiarization ?? false,
      context: toRecognitionContext(r.context),
      languages: {
        languageIdentification: r.enableLanguageIdentification ?? false,
        translation: r.translation ?? null,
        translationTerms: toRecognitionContext(r.context)?.translationTerms ?? [],
      },
    };
  }
}
