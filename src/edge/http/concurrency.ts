import type { FastifyInstance } from 'fastify';
import { errors } from '../../api/errors.js';
import { streamsHistoryQuerySchema } from '../../api/schemas/requests.js';
import { concurrencyLimitsToWire, streamsHistoryToWire } from '../../api/to-wire.js';
import type { RealtimeService } from '../../services/realtime/realtime-service.js';
import type { HistoryPeriodSec, UsageService } from '../../services/usage/usage-service.js';
import { parseQuery } from './parse.js';
import { timeWindow } from './usage.js';

const PERIODS: readonly number[] = [60, 3600, 86400];

/**
 * `GET /v1/concurrency-limits` (the key's project, and the organization:
 * the whole server) and `GET /v1/concurrent-streams-history`.
 */
export async function concurrencyRoutes(
  app: FastifyInstance,
  opts: { realtime: RealtimeService; usage: UsageService },
): Promise<void> {
  app.get('/v1/concurrency-limits', async (request) => {
    const { projectId, limits } = request.scope;
    return concurrencyLimitsToWire({
      project: { current: opts.realtime.openSessionsOf(projectId), limit: limits.maxConcurrentSessions },
      organization: { current: opts.realtime.openSessions, limit: opts.realtime.maxConcurrentSessions },
    });
  });

  app.get('/v1/concurrent-streams-history', async (request) => {
    const query = parseQuery(streamsHistoryQuerySchema, request.query);
    const periodSec = Number(query.period_sec);
    if (!PERIODS.includes(periodSec)) {
      throw errors.invalidRequest([{ errorType: 'enum', location: 'query.period_sec', message: 'Input should be 60, 3600 or 86400' }]);
    }
    const { fromMs, toMs } = timeWindow(query);
    const kind = query.kind === 'tts' ? 'tts' : 'stt';
    // Hark has no text-to-speech: that history has every period, all idle.
    const projectId = kind === 'tts' ? null : request.scope.projectId;
    return streamsHistoryToWire(kind, await opts.usage.history(projectId, fromMs, toMs, periodSec as HistoryPeriodSec));
  });
}
