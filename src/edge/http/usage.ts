import type { FastifyInstance } from 'fastify';
import { errors } from '../../api/errors.js';
import { usageLogsQuerySchema, usageSummaryQuerySchema } from '../../api/schemas/requests.js';
import { usageLogToWire, usageSummaryToWire } from '../../api/to-wire.js';
import type { UsageService } from '../../services/usage/usage-service.js';
import { optionalInt, parseQuery } from './parse.js';

/**
 * A `[start_time, end_time)` window from a validated query.
 * @throws ApiError 400 when an instant does not exist or the window is empty.
 */
export function timeWindow(query: Record<string, string | undefined>): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(query.start_time!);
  const toMs = Date.parse(query.end_time!);
  for (const [field, value] of [['start_time', fromMs], ['end_time', toMs]] as const) {
    if (!Number.isFinite(value)) {
      throw errors.invalidRequest([{ errorType: 'datetime_parsing', location: `query.${field}`, message: 'Input should be a valid datetime' }]);
    }
  }
  if (toMs <= fromMs) {
    throw errors.invalidRequest([{ errorType: 'value_error', location: 'query.end_time', message: 'end_time must be after start_time' }]);
  }
  return { fromMs, toMs };
}

/** `GET /v1/usage-logs` and `GET /v1/usage/summary`: the key's project's usage. */
export async function usageRoutes(app: FastifyInstance, opts: { usage: UsageService }): Promise<void> {
  app.get('/v1/usage-logs', async (request) => {
    const query = parseQuery(usageLogsQuerySchema, request.query);
    const page = await opts.usage.list(request.scope.projectId, {
      ...timeWindow(query),
      limit: optionalInt(query.limit) ?? 1000,
      order: query.sort === 'end_time_desc' ? 'desc' : 'asc',
      cursor: query.cursor ?? null,
    });
    return { usage_logs: page.items.map(usageLogToWire), next_page_cursor: page.nextCursor };
  });

  app.get('/v1/usage/summary', async (request) => {
    const query = parseQuery(usageSummaryQuerySchema, request.query);
    const { fromMs, toMs } = timeWindow(query);
    return usageSummaryToWire(await opts.usage.summary(request.scope.projectId, fromMs, toMs));
  });
}
