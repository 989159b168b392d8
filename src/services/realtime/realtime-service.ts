/**
 * The real-time use case: admits WebSocket sessions (start message checks,
 * authentication, limits) and runs them. Knows nothing of HTTP or of the
 * WebSocket library; the edge hands it a {@link SessionTransport} per
 * connection.
 */
import { CANNOT_CONTINUE, RealtimeError, realtimeErrors } from '../../api/realtime-errors.js';
import type { StartRequest } from '../../api/schemas/realtime.js';
import { contextLength } from '../../api/schemas/requests.js';
import { codePointLength } from '../../lib/code-points.js';
import type { Limits, RealtimeSettings } from '../../config/config.js';
import { audioBoundsProblem } from '../../pipeline/decode/audio-bounds.js';
import { type AudioFormat, type RawParameters, parseAudioFormat } from '../../pipeline/decode/stream-decoder.js';
import type { LiveRecognition } from '../../pipeline/stream.js';
import type { VoiceDetector } from '../../pipeline/segmentation/speech-classifier.js';
import { type RecognitionContext, toRecognitionContext } from '../../pipeline/context/recognition-context.js';
import type { AuthFailureThrottle } from '../keys/auth-failure-throttle.js';
import type { KeyService } from '../keys/key-service.js';
import type { LanguageOptions, TranslationService } from '../translation/translation-service.js';
import { isKnownLanguageCode, type ModelCatalog } from '../models/model-catalog.js';
import type { ProjectScope, ProjectService } from '../projects/project-service.js';
import type { LiveUsage, UsageService } from '../usage/usage-service.js';
import type { TemporaryKeyRecord, UsageStatus } from '../../storage/ports.js';
import { DEFAULT_PROJECT_ID } from '../../storage/ports.js';
import { Admission, type AdmissionVerdict } from './admission.js';
import { InProcessSessionLeases, type SessionLeases } from '../../storage/session-leases.js';
import { RealtimeSession, type SessionLogger, type SessionTransport } from './realtime-session.js';

/** A validated start request, as the session runs it. */
export interface SessionConfig {
  model: string;
  audioFormat: AudioFormat;
  /** Set for raw formats only. */
  raw: RawParameters | null;
  endpointDetection: boolean;
  maxEndpointDelayMs: number;
  /** −1…1: endpoints after shorter (> 0) or longer (< 0) pauses. */
  endpointSensitivity: number;
  /** 0…3: endpoints sooner, level by level. */
  endpointLatencyAdjustmentLevel: number;
  clientReferenceId: string | null;
  /** Label every word with a speaker. */
  speakerDiarization: boolean;
  /** Terms and domain text that bias this session's recognition; null: none. */
  context: RecognitionContext | null;
  /** The first of `language_hints`: the language a remote engine is told to expect; null: none. */
  languageHint?: string | null;
  /** Language identification and translation. */
  languages: LanguageOptions;
}

/** Who opened a connection, as the edge saw it. */
export interface SessionClient {
  /**
   * The key from the upgrade request (`Authorization: Bearer` or the
   * `soniox-api-key` subprotocol), used when the start message carries none.
   */
  upgradeKey: string | null;
  /** The client's address: failed authentications are counted per address. */
  address: string;
}

/** An authenticated key, before its limits are checked. */
interface Authenticated {
  /** The key's project, whose limits apply: also for a temporary key, the project of the key that minted it. */
  scope: ProjectScope;
  /** Set when the session opened with a temporary key. */
  temporary: TemporaryKeyRecord | null;
  maxSessionMs: number | null;
  /** Undoes what authenticating used up (a single-use key): the session was refused. */
  giveBack(): Promise<void>;
}

const REFUSALS: Record<Exclude<AdmissionVerdict, 'admitted'>, () => RealtimeError> = {
  'key-rate-limited': realtimeErrors.rateLimited,
  'key-busy': realtimeErrors.tooManyKeySessions,
  'server-busy': realtimeErrors.tooManySessions,
};

/** What a session needs once admitted. */
export interface AdmittedSession {
  config: SessionConfig;
  /** Who it runs for; set by the service's admission (session tests admit without one). */
  key?: Authenticated;
  /** From a temporary key's `max_session_duration_seconds`; null: no cap. */
  maxSessionMs: number | null;
  /** Frees the concurrency slot. */
  release(): void;
}

const MAX_CLIENT_REFERENCE_ID_CHARS = 256;
const DEFAULT_MAX_ENDPOINT_DELAY_MS = 2000;
/** `HARK_MAX_CONCURRENT_SESSIONS=auto` with a recognition that cannot measure its capacity. */
const AUTO_FALLBACK_SESSIONS = 10;
const TEMPORARY_KEY_USAGE = 'transcribe_websocket';
/** How often a live session's usage record and its project's concurrency sample are written. */
const ACCOUNTING_INTERVAL_MS = 5_000;

const USAGE_STATUS: Partial<Record<string, UsageStatus>> = { finished: 'completed', failed: 'error', closed: 'canceled' };

/** A live session's usage, while it runs. */
interface Account {
  projectId: string;
  usage: LiveUsage;
}

const TERMINAL_STATES: ReadonlySet<string> = new Set(['finished', 'failed', 'closed']);

export class RealtimeService {
  private readonly admission: Admission;
  private readonly sessions = new Set<RealtimeSession>();
  private readonly accounts = new Map<RealtimeSession, Account>();
  /** Sessions the server admits at once, now (`auto`: the measured capacity). */
  private readonly serverLimit: () => number;
  private ticker: NodeJS.Timeout | null = null;

  constructor(
    /** `vad`: what the sessions' endpointing tells speech from pauses with (default energy). */
    private readonly settings: RealtimeSettings & { vad?: VoiceDetector },
    private readonly limits: Limits,
    private readonly keys: KeyService,
    private readonly models: ModelCatalog,
    private readonly recognition: LiveRecognition,
    private readonly translation: TranslationService,
    private readonly authFailures: AuthFailureThrottle,
    private readonly projects: ProjectService,
    private readonly usage: UsageService,
    /** Each project's rate and session limits: in this process, or over a cluster's nodes. */
    private readonly leases: SessionLeases = new InProcessSessionLeases(),
  ) {
    const capacity = recognition.capacity?.bind(recognition);
    const limit = settings.maxConcurrentSessions;
    // Without a measurement (a recognition that cannot say), the documented default (API.md §5).
    this.serverLimit = limit === 'auto' ? capacity ?? (() => AUTO_FALLBACK_SESSIONS) : () => limit;
    // What this machine can run is its own cap; the projects' limits are the leases'.
    this.admission = new Admission({ requestsPerMinute: Infinity, maxSessionsPerKey: Infinity, maxConcurrentSessions: this.serverLimit });
  }

  /** Sessions open now (admitted and not yet ended). */
  get openSessions(): number {
    return this.admission.openSessions;
  }

  /** Sessions open now in one project. */
  openSessionsOf(projectId: string): number {
    return this.admission.openSessionsOf(projectId);
  }

  /** The most sessions open at once over all projects. */
  get maxConcurrentSessions(): number {
    return this.serverLimit();
  }

  /**
   * A session for a new connection; feed it the connection's frames.
   *
   * @param log the connection's logger.
   */
  openSession(transport: SessionTransport, client: SessionClient, log: SessionLogger): RealtimeSession {
    const session: RealtimeSession = new RealtimeSession(
      transport,
      async (request) => this.account(session, await this.admit(request, client), log),
      this.recognition,
      { ...this.settings, maxAudioDurationMs: this.limits.maxAudioDurationMs },
      log,
      this.translation,
    );
    this.sessions.add(session);
    session.on('state-change', ({ to }) => {
      if (TERMINAL_STATES.has(to)) {
        this.sessions.delete(session);
        this.settle(session, USAGE_STATUS[to]!, log);
      }
    });
    return session;
  }

  /**
   * Writes the session's usage record before it streams (a crash after this
   * leaves a record that the next start marks interrupted), samples its
   * project's concurrency, and keeps both up to date while it runs.
   */
  private async account(session: RealtimeSession, admitted: AdmittedSession, log: SessionLogger): Promise<AdmittedSession> {
    const key = admitted.key!;
    const { projectId } = key.scope;
    const release = () => {
      admitted.release();
      this.sample(projectId, log);
    };
    this.sample(projectId, log);
    const { config } = admitted;
    try {
      const usage = await this.usage.openLive({
        projectId,
        apiKeyId: key.scope.apiKeyId,
        temporaryKey: key.temporary !== null,
        temporaryKeyClientReferenceId: key.temporary?.clientReferenceId ?? null,
        clientReferenceId: config.clientReferenceId,
        model: config.model,
        features: {
          speakerDiarization: config.speakerDiarization,
          languageIdentification: config.languages.languageIdentification,
          translation: config.languages.translation !== null,
        },
        startTime: new Date().toISOString(),
      });
      // The client left (or the start timed out) while the record was written.
      if (TERMINAL_STATES.has(session.currentState)) {
        usage.finish(0, 'canceled').catch((err: unknown) => log.error({ err }, 'usage record not ended'));
      } else this.accounts.set(session, { projectId, usage });
    } catch (err) {
      release();
      throw realtimeErrors.internal(err);
    }
    this.ticker ??= setInterval(() => this.tick(log), ACCOUNTING_INTERVAL_MS).unref();
    return { ...admitted, release };
  }

  private settle(session: RealtimeSession, status: UsageStatus, log: SessionLogger): void {
    const account = this.accounts.get(session);
    if (!account) return;
    this.accounts.delete(session);
    account.usage.finish(session.audioDurationMs, status).catch((err: unknown) => log.error({ err }, 'usage record not ended'));
    if (this.accounts.size === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  private tick(log: SessionLogger): void {
    const projects = new Set<string>();
    for (const [session, account] of this.accounts) {
      projects.add(account.projectId);
      account.usage.progress(session.audioDurationMs).catch((err: unknown) => log.error({ err }, 'usage progress not written'));
    }
    for (const projectId of projects) this.sample(projectId, log);
  }

  private sample(projectId: string, log: SessionLogger): void {
    this.usage
      .sample(projectId, this.admission.openSessionsOf(projectId))
      .catch((err: unknown) => log.error({ err }, 'concurrency sample not written'));
  }

  /** Ends every session with 503 (the server is going away). */
  async close(): Promise<void> {
    for (const listener of this.closeListeners) listener();
    for (const session of [...this.sessions]) session.fail(realtimeErrors.cannotContinue(CANNOT_CONTINUE.shutdown));
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  private readonly closeListeners: (() => void)[] = [];

  /** The settings, for what the edge does before a connection has a session (pre-connected sockets). */
  get realtimeSettings(): RealtimeSettings {
    return this.settings;
  }

  /** `listener` runs when the server ends its sessions: the edge closes the sockets that never started one. */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Checks the start request, then the key, then the key's limits: a client
   * without a valid key never counts against them. A session refused by a
   * limit gives its single-use key back, and a bad request never reaches the
   * key, so neither uses up a key that started nothing.
   *
   * @throws {RealtimeError} with the documented code and message (API.md §7.15).
   */
  private async admit(request: StartRequest, client: SessionClient): Promise<AdmittedSession> {
    const config = this.validate(request);
    const key = await this.authenticate(request.apiKey || client.upgradeKey || null, client.address);
    const { limits } = key.scope;
    const lease = await this.leases.acquire(key.scope.projectId, {
      requestsPerMinute: limits.requestsPerMinute,
      maxSessions: limits.maxConcurrentSessions,
    });
    const local = lease.verdict === 'admitted' ? this.admission.admit(key.scope.projectId) : null;
    const verdict = local?.verdict ?? lease.verdict;
    if (verdict !== 'admitted') {
      lease.release();
      await key.giveBack();
      throw REFUSALS[verdict]();
    }
    const release = () => {
      local!.release();
      lease.release();
    };
    return { config, key, maxSessionMs: key.maxSessionMs, release };
  }

  /**
   * A valid key always passes, whatever its address did before; wrong keys
   * answer 401 until the address has spent its budget, then 429.
   */
  private async authenticate(apiKey: string | null, address: string): Promise<Authenticated> {
    try {
      return await this.checkKey(apiKey);
    } catch (err) {
      if (err instanceof RealtimeError && err.code === 401 && this.authFailures.fail(address)) {
        throw realtimeErrors.tooManyAuthFailures();
      }
      throw err;
    }
  }

  private async checkKey(apiKey: string | null): Promise<Authenticated> {
    if (!apiKey) throw realtimeErrors.missingApiKey();
    if (apiKey.startsWith('temp:')) {
      const key = await this.keys.useTemporary(apiKey, TEMPORARY_KEY_USAGE);
      if (!key) throw realtimeErrors.invalidTemporaryKey();
      return {
        // Keys minted before projects belong to the default project.
        scope: await this.projects.scope(
          key.projectId ?? DEFAULT_PROJECT_ID,
          key.issuerKeyId ?? key.issuerKeyHash ?? key.keyHash,
        ),
        temporary: key,
        maxSessionMs: key.maxSessionDurationSeconds === null ? null : key.maxSessionDurationSeconds * 1000,
        giveBack: () => this.keys.restoreTemporary(key),
      };
    }
    const identity = await this.keys.identify(apiKey);
    if (!identity) throw realtimeErrors.invalidApiKey();
    return {
      scope: await this.projects.scope(identity.projectId, identity.apiKeyId),
      temporary: null,
      maxSessionMs: null,
      giveBack: async () => {},
    };
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
      // No documented message: out of range is malformed, as for the endpoint parameters (API.md §7.2).
      if (audioBoundsProblem(r.sampleRate, r.numChannels) !== null) throw realtimeErrors.startMalformed();
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
      endpointSensitivity: r.endpointSensitivity ?? 0,
      endpointLatencyAdjustmentLevel: r.endpointLatencyAdjustmentLevel ?? 0,
      clientReferenceId: r.clientReferenceId ?? null,
      speakerDiarization: r.enableSpeakerDiarization ?? false,
      context: toRecognitionContext(r.context),
      languageHint: hints[0] ?? null,
      languages: {
        languageIdentification: r.enableLanguageIdentification ?? false,
        translation: r.translation ?? null,
        translationTerms: toRecognitionContext(r.context)?.translationTerms ?? [],
      },
    };
  }
}
