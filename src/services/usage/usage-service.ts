/**
 * Usage accounting: one record per async transcription (written in the same
 * transaction that ends its job) and per real-time session (written when it
 * starts, updated as audio arrives, ended when it closes; a crash leaves it
 * `running`, and the next start marks it `interrupted` as of its last update).
 * Serves the listing, the daily summary and the concurrency history.
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../../api/errors.js';
import type {
  ConcurrencyRepository,
  MinuteSample,
  TranscriptionRecord,
  UsagePosition,
  UsageRecord,
  UsageRepository,
  UsageStatus,
} from '../../storage/ports.js';

const DAY_MS = 86_400_000;
/** Soniox's caps: a summary covers at most 366 days, a history at most this many entries. */
export const MAX_SUMMARY_DAYS = 366;
export const MAX_HISTORY_ENTRIES = 20_000;
/** Longest window per history period (Soniox: 7 days for per-minute samples). */
const MAX_HISTORY_WINDOW_MS: Record<HistoryPeriodSec, number> = { 60: 7 * DAY_MS, 3600: 366 * DAY_MS, 86400: 5 * 366 * DAY_MS };

export type HistoryPeriodSec = 60 | 3600 | 86400;

export interface UsageListRequest {
  fromMs: number;
  toMs: number;
  limit: number;
  order: 'asc' | 'desc';
  cursor: string | null;
}

/** One series of a summary, aligned to its days. */
export interface UsageSeries {
  model: string | null;
  requests: number[];
  audioDurationMs: number[];
}

export interface UsageSummary {
  days: string[];
  total: UsageSeries;
  models: UsageSeries[];
}

export interface HistoryEntry {
  periodStartMs: number;
  periodSec: HistoryPeriodSec;
  sampleMax: number;
  sampleSum: number;
  sampleCount: number;
  totalCount: number;
}

/** The usage record of an async transcription that ended (completed or error). */
export function asyncUsageRecord(t: TranscriptionRecord, status: UsageStatus, audioDurationMs: number, nowMs = Date.now()): UsageRecord {
  return {
    id: randomUUID(),
    projectId: t.projectId,
    kind: 'async',
    transcriptionId: t.id,
    apiKeyId: t.apiKeyId ?? null,
    temporaryKey: false,
    temporaryKeyClientReferenceId: null,
    clientReferenceId: t.clientReferenceId,
    model: t.model,
    audioDurationMs,
    features: {
      speakerDiarization: t.enableSpeakerDiarization,
      languageIdentification: t.enableLanguageIdentification,
      translation: t.translation !== null,
    },
    startTime: t.createdAt,
    endTime: new Date(nowMs).toISOString(),
    status,
  };
}

function encodeUsageCursor(position: UsagePosition): string {
  return Buffer.from(`usage:${position.endMs}:${position.id}`, 'utf8').toString('base64url');
}

function decodeUsageCursor(cursor: string): UsagePosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const match = /^usage:(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? { endMs: Number(match[1]), id: match[2]! } : null;
}

/** UTC days (YYYY-MM-DD) that [fromMs, toMs) touches. */
export function daysCovering(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day < toMs; day += DAY_MS) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}

/** Minutes as hours: each hour's peak, for the daily roll-up (whose source periods are hours). */
function hourPeaks(minutes: readonly MinuteSample[]): MinuteSample[] {
  const hours: MinuteSample[] = [];
  for (const m of minutes) {
    const hour = Math.floor(m.minuteStartMs / 3_600_000) * 3_600_000;
    const last = hours.at(-1);
    if (last && last.minuteStartMs === hour) last.max = Math.max(last.max, m.max);
    else hours.push({ minuteStartMs: hour, max: m.max, sum: 0, count: 0 });
  }
  return hours;
}

/**
 * Per-period entries over [fromMs, toMs), every period present. A minute's
 * entry is its own samples. An hour rolls up its minutes and a day its hours,
 * as Soniox's tiers do: the peak stays exact, the sum adds each active source
 * period's peak and the count is the number of active source periods (at most
 * `total_count`), so sum/count is the mean peak while there was activity.
 */
export function historyEntries(minutes: readonly MinuteSample[], fromMs: number, toMs: number, periodSec: HistoryPeriodSec): HistoryEntry[] {
  const periodMs = periodSec * 1000;
  const slots = periodSec === 60 ? 1 : periodSec === 3600 ? 60 : 24;
  const sources = periodSec === 86400 ? hourPeaks(minutes) : minutes;
  const entries: HistoryEntry[] = [];
  let i = 0;
  for (let start = Math.ceil(fromMs / periodMs) * periodMs; start < toMs; start += periodMs) {
    while (i < sources.length && sources[i]!.minuteStartMs < start) i++;
    let max = 0;
    let sum = 0;
    let count = 0;
    for (; i < sources.length && sources[i]!.minuteStartMs < start + periodMs; i++) {
      const m = sources[i]!;
      max = Math.max(max, m.max);
      if (periodSec === 60) {
        sum += m.sum;
        count += m.count;
      } else if (m.max > 0) {
        sum += m.max;
        count++;
      }
    }
    const active = max > 0;
    entries.push({
      periodStartMs: start,
      periodSec,
      sampleMax: max,
      sampleSum: active ? sum : 0,
      sampleCount: active ? count : 0,
      // Soniox reports 0 slots for a period without activity.
      totalCount: active ? slots : 0,
    });
  }
  return entries;
}

const windowIssue = (field: string, message: string) =>
  errors.invalidRequest([{ errorType: 'value_error', location: `query.${field}`, message }]);

export class UsageService {
  constructor(
    private readonly repo: UsageRepository,
    private readonly concurrency: ConcurrencyRepository,
  ) {}

  /** Start-up repair: sessions a crash cut short keep what they used, as `interrupted`. */
  closeInterrupted(): Promise<number> {
    return this.repo.closeInterrupted();
  }

  /**
   * @throws ApiError 400 `invalid_cursor` for a cursor this listing did not make.
   */
  async list(projectId: string, request: UsageListRequest): Promise<{ items: UsageRecord[]; nextCursor: string | null }> {
    let after: UsagePosition | null = null;
    if (request.cursor !== null && request.cursor !== '') {
      after = decodeUsageCursor(request.cursor);
      if (after === null) throw errors.invalidCursor();
    }
    const page = await this.repo.list(projectId, { ...request, after });
    return { items: page.items, nextCursor: page.next === null ? null : encodeUsageCursor(page.next) };
  }

  /** @throws ApiError 400 when the window covers more than 366 UTC days. */
  async summary(projectId: string, fromMs: number, toMs: number): Promise<UsageSummary> {
    // Counted before the list is built: a window of millennia must cost no more than a day's.
    const dayCount = Math.ceil(toMs / DAY_MS) - Math.floor(fromMs / DAY_MS);
    if (dayCount > MAX_SUMMARY_DAYS) throw windowIssue('end_time', `The window must not cover more than ${MAX_SUMMARY_DAYS} days`);
    const days = daysCovering(fromMs, toMs);
    const totals = await this.repo.dailyTotals(projectId, Math.floor(fromMs / DAY_MS) * DAY_MS, Math.ceil(toMs / DAY_MS) * DAY_MS);
    const index = new Map(days.map((d, i) => [d, i]));
    const series = (model: string | null): UsageSeries => ({
      model,
      requests: days.map(() => 0),
      audioDurationMs: days.map(() => 0),
    });
    const total = series(null);
    const models = new Map<string, UsageSeries>();
    for (const row of totals) {
      const at = index.get(row.day);
      if (at === undefined) continue;
      let s = models.get(row.model);
      if (!s) models.set(row.model, (s = series(row.model)));
      for (const target of [s, total]) {
        target.requests[at]! += row.requests;
        target.audioDurationMs[at]! += row.audioDurationMs;
      }
    }
    return { days, total, models: [...models.values()] };
  }

  /** @throws ApiError 400 when the window is longer than the period allows or needs too many entries. */
  /** @param projectId null: a kind Hark never runs, every period idle. */
  async history(projectId: string | null, fromMs: number, toMs: number, periodSec: HistoryPeriodSec): Promise<HistoryEntry[]> {
    if (toMs - fromMs > MAX_HISTORY_WINDOW_MS[periodSec] || (toMs - fromMs) / (periodSec * 1000) > MAX_HISTORY_ENTRIES) {
      throw windowIssue('end_time', `The window is too long for period_sec=${periodSec}`);
    }
    const periodMs = periodSec * 1000;
    const first = Math.ceil(fromMs / periodMs) * periodMs;
    const minutes = projectId === null ? [] : await this.concurrency.minutes(projectId, first, Math.ceil(toMs / periodMs) * periodMs);
    return historyEntries(minutes, fromMs, toMs, periodSec);
  }

  /** Adds a sample of the project's open real-time sessions. */
  sample(projectId: string, openSessions: number, nowMs = Date.now()): Promise<void> {
    return this.concurrency.record(projectId, nowMs, openSessions);
  }

  /**
   * Writes the record of a request that ran to its end within one call
   * (`POST /v1/audio/transcriptions`): an async use without a transcription.
   */
  async recordRequest(record: Omit<UsageRecord, 'id' | 'kind' | 'transcriptionId' | 'endTime'>, endMs = Date.now()): Promise<void> {
    await this.repo.open({ ...record, id: randomUUID(), kind: 'async', transcriptionId: null, audioDurationMs: Math.round(record.audioDurationMs), endTime: new Date(endMs).toISOString() });
  }

  /**
   * Writes a live session's record at once and returns how to update and end
   * it. Updates after the end are ignored by the storage.
   */
  async openLive(record: Omit<UsageRecord, 'id' | 'kind' | 'transcriptionId' | 'audioDurationMs' | 'endTime' | 'status'>): Promise<LiveUsage> {
    const id = randomUUID();
    await this.repo.open({ ...record, id, kind: 'real_time', transcriptionId: null, audioDurationMs: 0, endTime: record.startTime, status: 'running' });
    return {
      progress: (audioDurationMs, atMs = Date.now()) => this.repo.progress(id, Math.round(audioDurationMs), atMs),
      finish: (audioDurationMs, status, atMs = Date.now()) => this.repo.finish(id, Math.round(audioDurationMs), atMs, status),
    };
  }
}

export interface LiveUsage {
  progress(audioDurationMs: number, atMs?: number): Promise<void>;
  finish(audioDurationMs: number, status: UsageStatus, atMs?: number): Promise<void>;
}
