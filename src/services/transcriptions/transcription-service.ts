import { randomUUID } from 'node:crypto';
import { errors, type ValidationIssue } from '../../api/errors.js';
import { contextLength } from '../../api/schemas/requests.js';
import type { Limits } from '../../config/config.js';
import { RESERVED_WEBHOOK_HEADERS } from '../../lib/http-header-rules.js';
import type { OutboundAddressPolicy } from '../../lib/outbound-address-policy.js';
import type {
  FileRepository,
  Page,
  Transcript,
  TranscriptionRecord,
  TranscriptionRepository,
  TranslationSettings,
} from '../../storage/ports.js';
import { quotaMessage } from '../files/file-service.js';
import type { PageRequest } from '../list-query.js';
import type { ProjectScope } from '../projects/project-service.js';
import { isKnownLanguageCode, type ModelCatalog } from '../models/model-catalog.js';

/** A create request after schema validation: what the caller chooses of a transcription. */
export type CreateTranscription = Omit<
  TranscriptionRecord,
  | 'id'
  | 'projectId'
  | 'apiKeyId'
  | 'status'
  | 'createdAt'
  | 'filename'
  | 'audioDurationMs'
  | 'errorType'
  | 'errorMessage'
  | 'webhookStatusCode'
>;

const at = (field: string) => `body.payload.${field}`;

function valueError(field: string, message: string): ValidationIssue {
  return { errorType: 'value_error', location: at(field), message };
}

/** The name a transcription shows for an `audio_url` source: its last path segment. */
export function filenameFromUrl(url: string): string {
  try {
    const segment = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return segment ? decodeURIComponent(segment) : new URL(url).hostname;
  } catch {
    return url;
  }
}

/** One project's async transcriptions: create, read, list, delete. Processing is the job runner's. */
export class TranscriptionService {
  constructor(
    private readonly repo: TranscriptionRepository,
    private readonly files: FileRepository,
    private readonly models: ModelCatalog,
    private readonly limits: Limits,
    /** Called after a transcription is queued, so the runner need not poll. */
    private readonly onQueued: () => void,
    /** Where audio_url and webhook_url may point; literal addresses are checked at creation. */
    private readonly outbound: OutboundAddressPolicy,
  ) {}

  /**
   * Checks the rules a schema cannot express, then queues the transcription.
   * @throws ApiError 400 `invalid_request`, 404 `file_not_found`.
   */
  async create(scope: ProjectScope, request: CreateTranscription): Promise<TranscriptionRecord> {
    const issues = this.semanticIssues(request);
    if (issues.length > 0) throw errors.invalidRequest(issues);

    let filename: string;
    if (request.fileId !== null) {
      const file = await this.files.get(scope.projectId, request.fileId);
      if (!file) throw errors.fileNotFound();
      filename = file.filename;
    } else {
      filename = filenameFromUrl(request.audioUrl!);
    }

    const record: TranscriptionRecord = {
      ...request,
      id: randomUUID(),
      projectId: scope.projectId,
      apiKeyId: scope.apiKeyId,
      status: 'queued',
      createdAt: new Date().toISOString(),
      filename,
      audioDurationMs: null,
      errorType: null,
      errorMessage: null,
      webhookStatusCode: null,
    };
    const verdict = await this.repo.insertQueued(record, {
      maxPending: scope.limits.maxPendingTranscriptions,
      maxTotal: scope.limits.maxTranscriptions,
    });
    if (verdict !== 'ok') throw errors.quotaExceeded(quotaMessage(verdict, scope.limits));
    this.onQueued();
    return record;
  }

  private semanticIssues(r: CreateTranscription): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (!this.models.find(r.model, 'async')) issues.push(valueError('model', 'Invalid model'));
    if (r.audioUrl !== null && r.fileId !== null) {
      issues.push(valueError('audio_url', 'Value error, audio_url cannot be specified if file_id is specified'));
    } else if (r.audioUrl === null && r.fileId === null) {
      issues.push(valueError('file_id', 'Value error, either file_id or audio_url must be specified'));
    }
    for (const [field, url] of [['audio_url', r.audioUrl], ['webhook_url', r.webhookUrl]] as const) {
      const problem = url === null ? null : this.urlProblem(url);
      if (problem !== null) issues.push(valueError(field, `Value error, ${field} ${problem}`));
    }
    if (r.webhookAuthHeaderName !== null && RESERVED_WEBHOOK_HEADERS.has(r.webhookAuthHeaderName.toLowerCase())) {
      issues.push(
        valueError('webhook_auth_header_name', 'Value error, webhook_auth_header_name is a header Hark sets itself or one that frames the request'),
      );
    }
    if ((r.webhookAuthHeaderName === null) !== (r.webhookAuthHeaderValue === null)) {
      issues.push(
        valueError(
          r.webhookAuthHeaderName === null ? 'webhook_auth_header_name' : 'webhook_auth_header_value',
          'Value error, webhook_auth_header_name and webhook_auth_header_value must be specified together',
        ),
      );
    }
    const hints = r.languageHints ?? [];
    hints.forEach((hint, i) => {
      if (!isKnownLanguageCode(hint)) issues.push(valueError(`language_hints.${i}`, 'Invalid language hint'));
    });
    if (new Set(hints).size !== hints.length) {
      issues.push(valueError('language_hints', 'Language hints must be unique'));
    }
    if (r.translation) issues.push(...this.translationIssues(r.translation));
    if (r.context !== null && r.context !== undefined) {
      if (contextLength(r.context) > this.limits.maxContextChars) {
        issues.push(valueError('context', `Context is too long (max length ${this.limits.maxContextChars}).`));
      }
    }
    return issues;
  }

  /**
   * Why an outbound URL is refused now, or null. Host names pass: what they resolve to is
   * checked when Hark connects (download-audio-url.ts, webhook-delivery.ts).
   */
  private urlProblem(url: string): string | null {
    if (!URL.canParse(url)) return 'must be a valid http or https URL';
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be a valid http or https URL';
    if (this.outbound.refusedLiteral(parsed) !== null) return 'points to an address this server does not connect to';
    return null;
  }

  /** Checked against the installed translation pairs (API.md §7.13). */
  private translationIssues(t: TranslationSettings): ValidationIssue[] {
    const pairs = this.models.translation;
    if (!pairs.available) return [valueError('translation', 'Model does not support translations.')];
    const values = { target_language: t.targetLanguage, language_a: t.languageA, language_b: t.languageB };
    return pairs.invalidFields(t).map((field) =>
      values[field] === null
        ? { errorType: 'missing', location: at(`translation.${field}`), message: 'Field required' }
        : valueError(`translation.${field}`, 'Invalid translation target language.'),
    );
  }

  /** @throws ApiError 404 `transcription_not_found`, also for another project's transcription. */
  async get(projectId: string, id: string): Promise<TranscriptionRecord> {
    const record = await this.repo.get(projectId, id);
    if (!record) throw errors.transcriptionNotFound();
    return record;
  }

  /** A page may hold fewer than `limit` items when they are large (`HARK_MAX_LIST_PAGE_BYTES`). */
  list(projectId: string, query: PageRequest): Promise<Page<TranscriptionRecord>> {
    return this.repo.list(projectId, { ...query, maxBytes: this.limits.maxListPageBytes });
  }

  count(projectId: string): Promise<number> {
    return this.repo.count(projectId);
  }

  async delete(projectId: string, id: string): Promise<void> {
    const verdict = await this.repo.delete(projectId, id);
    if (verdict === 'not_found') throw errors.transcriptionNotFound();
    if (verdict === 'processing') throw errors.cannotDeleteProcessing();
  }

  async transcript(projectId: string, id: string): Promise<Transcript> {
    const record = await this.get(projectId, id);
    if (record.status === 'error') throw errors.transcriptionFailed();
    if (record.status !== 'completed') throw errors.transcriptNotReady();
    const transcript = await this.repo.getTranscript(projectId, id);
    if (!transcript) throw errors.transcriptNotReady();
    return transcript;
  }
}
